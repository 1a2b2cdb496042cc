/**
 * Modified Dates: a study at 23:30 and the next at 00:30 the following day keep their true
 * interval after the shift, to the second — across month, year and leap-day boundaries, with
 * DA+TM pairs, DT values (with and without UTC offset) and a bare DA in another file.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFile } from '@dcmblind/core';
import { buildDicom, type El } from '@dcmblind/test-utils';
import { runInto, keyMapping, tmp } from './helpers.js';

function text(bytes: Buffer, tag: number): string {
  const f = parseFile(bytes);
  const el = f.dataset.find((e) => e.tag === tag);
  if (!el) throw new Error(`missing ${tag.toString(16)}`);
  return Buffer.from(f.data.subarray(el.valueStart, el.valueStart + el.valueLength))
    .toString('latin1')
    .replace(/[\0 ]+$/, '');
}

/** Seconds since the epoch of a DICOM DA + TM (UTC arithmetic; offsets are whole days). */
function instant(da: string, tm: string): number {
  const t = Date.UTC(
    +da.slice(0, 4),
    +da.slice(4, 6) - 1,
    +da.slice(6, 8),
    +tm.slice(0, 2),
    +tm.slice(2, 4),
    +tm.slice(4, 6),
  );
  return t / 1000;
}
function dtInstant(dt: string): number {
  return instant(dt.slice(0, 8), dt.slice(8, 14));
}

function study(n: number, da: string, tm: string, dt: string): El[] {
  return [
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'],
    [0x00080018, 'UI', `1.2.826.0.1.3680043.9.9999.5.${n}`],
    [0x00080020, 'DA', da],
    [0x00080030, 'TM', tm],
    [0x0008002a, 'DT', dt],
    [0x00100010, 'PN', 'Night^Owl'],
    [0x00100020, 'LO', 'NIGHT-1'],
    [0x00100030, 'DA', '19800229'],
    [0x0020000d, 'UI', `1.2.826.0.1.3680043.9.9999.5.${n}.0`],
  ];
}

describe('date shifting across midnight', () => {
  const cases: Array<[string, string]> = [
    ['20240310', '20240311'], // ordinary
    ['20240229', '20240301'], // leap day
    ['20231231', '20240101'], // year end
    ['20240331', '20240401'], // month end
  ];
  it.each(cases)('23:30 on %s and 00:30 on %s stay one hour apart', (d1, d2) => {
    const dir = tmp('midnight-');
    const input = join(dir, 'in');
    mkdirSync(input);
    writeFileSync(join(input, 'a.dcm'), buildDicom(study(1, d1, '233000', `${d1}233000.250000+0100`)));
    writeFileSync(join(input, 'b.dcm'), buildDicom(study(2, d2, '003000', `${d2}003000`)));
    // Same patient, a bare DA only (no TM) in a third file.
    writeFileSync(join(input, 'c.dcm'), buildDicom(study(3, d2, '', d2).filter((e) => e[0] !== 0x00080030)));
    const r = runInto(dir, input, ['--profile', 'research']);
    expect(r.code).toBe(0);
    const m = keyMapping(join(dir, 'k.key'));
    const read = (name: string) => readFileSync(join(dir, 'out', m.get(join(input, name)) as string));
    const a = read('a.dcm');
    const b = read('b.dcm');
    const c = read('c.dcm');
    const ia = instant(text(a, 0x00080020), text(a, 0x00080030));
    const ib = instant(text(b, 0x00080020), text(b, 0x00080030));
    expect(ib - ia).toBe(3600);
    expect(dtInstant(text(b, 0x0008002a)) - dtInstant(text(a, 0x0008002a))).toBe(3600);
    // DT keeps its fraction and UTC offset; the bare DA moves with the same whole-day offset.
    expect(text(a, 0x0008002a)).toMatch(/^\d{8}233000\.250000\+0100$/);
    expect(text(c, 0x00080020)).toBe(text(b, 0x00080020));
    // The shift is whole days inside the default range, and the birth date moves with it.
    const shiftDays = (instant(d1, '233000') - ia) / 86400;
    expect(Number.isInteger(shiftDays)).toBe(true);
    expect(shiftDays).toBeGreaterThanOrEqual(365);
    expect(shiftDays).toBeLessThanOrEqual(1095);
    const birth = text(a, 0x00100030);
    expect((instant('19800229', '000000') - instant(birth, '000000')) / 86400).toBe(shiftDays);
  });
});
