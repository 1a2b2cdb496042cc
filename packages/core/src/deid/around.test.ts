/**
 * Identity around the values, engine level: dates that are not about the patient never move
 * with the patient's offset, and unused pixel bits are cleared. Real files with these cases
 * planted are run through the CLI in apps/cli/test/around.test.ts.
 */
import { buildDicom, type El } from '@dcmblind/test-utils';
import { describe, expect, it } from 'vitest';
import { parseFile } from '../dicom/reader.js';
import { ProjectSecret } from '../identity/secret.js';
import { compileProfile } from '../profile/rules.js';
import { resolveOptions } from '../profile/options.js';
import { deidentify } from './deidentify.js';

const cfg = (profile: string) => ({
  profile: compileProfile(profile, resolveOptions(profile, [])),
  secret: new ProjectSecret(new Uint8Array(32).fill(7)),
  pseudonymPrefix: 'ANON-',
  dateOffset: { min: 365, max: 1095 },
});

const base: El[] = [
  [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'],
  [0x00080018, 'UI', '1.2.826.0.1.3680043.10.1017.9.1'],
  [0x00080020, 'DA', '20230518'],
  [0x00100010, 'PN', 'KOWALSKI^JAN'],
  [0x00100020, 'LO', 'PID-1'],
];

/** Every value of a tag at any depth of the written file. */
function valuesOf(bytes: Uint8Array, tag: number): string[] {
  const p = parseFile(bytes);
  const out: string[] = [];
  const walk = (els: typeof p.dataset) => {
    for (const e of els) {
      if (e.items) for (const it of e.items) walk(it.elements);
      else if (e.tag === tag)
        out.push(
          Buffer.from(p.data.subarray(e.valueStart, e.valueStart + e.valueLength))
            .toString('latin1')
            .trim(),
        );
    }
  };
  walk(p.dataset);
  return out;
}

function run(els: El[], profile: string): Uint8Array {
  const r = deidentify(buildDicom(els), cfg(profile));
  if (r.status !== 'written') throw new Error(r.reason);
  return Buffer.concat(r.output.chunks as Uint8Array[]);
}

describe('dates that are not about the patient', () => {
  const code = (scheme: string, mapping?: string): El[] => [
    [0x00080100, 'SH', 'T-D1100'],
    [0x00080102, 'SH', scheme],
    [0x00080104, 'LO', 'Head'],
    ...(mapping ? ([[0x00080105, 'CS', mapping]] as El[]) : []),
    [0x00080106, 'DT', '20100317000000'],
    [0x0008010f, 'CS', '4031'],
  ];
  const planted: El[] = [
    [0x00082218, 'SQ', [code('SRT', 'DCMR')]],
    [0x00082228, 'SQ', [code('99LOCAL')]],
    [0x00181200, 'DA', '20230102'],
    [0x00181204, 'DA', '20190301'],
    [0x00143076, 'DA', '20230103'],
  ];
  const file = [...base, ...planted].sort((a, b) => a[0] - b[0]);

  it('research: a published context group version stays as published; device dates go, never shifted', () => {
    const out = run(file, 'research');
    expect(valuesOf(out, 0x00080020)[0]).not.toBe('20230518'); // the study date did move
    // In the SRT/DCMR item it is kept; in a local scheme's item it takes the Basic Profile's D.
    expect(valuesOf(out, 0x00080106)).toEqual(['20100317000000', expect.not.stringMatching(/^20/)]);
    for (const t of [0x00181200, 0x00181204, 0x00143076]) expect(valuesOf(out, t)).toEqual([]);
  });

  it("the table rows keep the Basic Profile action under Modified Dates, or another option's K", () => {
    const research = compileProfile('research', resolveOptions('research', []));
    expect(research.ruleFor(0x00181200)?.action).toBe('X');
    expect(research.ruleFor(0x00181200)?.source).toMatch(/device calibration: never shifted/);
    expect(research.ruleFor(0x00080106)?.action).toBe('D');
    expect(research.ruleFor(0x00080020)?.action).toBe('C'); // Study Date still shifts
    const device = compileProfile('x', ['retain-long-modified-dates', 'retain-device-identity']);
    expect(device.ruleFor(0x00181200)?.action).toBe('K');
  });
});

describe('unused pixel bits', () => {
  const image = (bitsStored: number, signed: boolean, cells: number[]): El[] => {
    const px = new Uint8Array(cells.length * 2);
    for (const [i, c] of cells.entries()) new DataView(px.buffer).setUint16(i * 2, c, true);
    return [
      ...base,
      [0x00280002, 'US', Uint8Array.of(1, 0)],
      [0x00280004, 'CS', 'MONOCHROME2'],
      [0x00280010, 'US', Uint8Array.of(1, 0)],
      [0x00280011, 'US', Uint8Array.of(cells.length, 0)],
      [0x00280100, 'US', Uint8Array.of(16, 0)],
      [0x00280101, 'US', Uint8Array.of(bitsStored, 0)],
      [0x00280102, 'US', Uint8Array.of(bitsStored - 1, 0)],
      [0x00280103, 'US', Uint8Array.of(signed ? 1 : 0, 0)],
      [0x7fe00010, 'OW', px],
    ];
  };
  const cellsOf = (out: Uint8Array, n: number) => {
    const v = new DataView(out.buffer, out.byteOffset + out.length - n * 2, n * 2);
    return Array.from({ length: n }, (_, i) => v.getUint16(i * 2, true));
  };

  it('clears bits above HighBit and says so; all-stored and clean cells pass byte for byte', () => {
    const r = deidentify(buildDicom(image(12, false, [0x8123, 0x0fff, 0x4000, 1])), cfg('basic'));
    if (r.status !== 'written') throw new Error(r.reason);
    const out = Buffer.concat(r.output.chunks as Uint8Array[]);
    expect(cellsOf(out, 4)).toEqual([0x0123, 0x0fff, 0, 1]);
    expect([...r.fired.keys()].some((k) => /bits outside Bits Stored/.test(k))).toBe(true);
    const clean = deidentify(buildDicom(image(12, false, [0x0123, 1, 2, 3])), cfg('basic'));
    expect(clean.status === 'written' && [...clean.fired.keys()].some((k) => /Bits Stored/.test(k))).toBe(
      false,
    );
    const full = run(image(16, false, [0x8123, 0xffff, 2, 3]), 'basic');
    expect(cellsOf(full, 4)).toEqual([0x8123, 0xffff, 2, 3]);
  });

  it('signed cells keep their sign extension', () => {
    expect(cellsOf(run(image(12, true, [0xffff, 0xdfff, 0x7005, 0x0800]), 'basic'), 4)).toEqual([
      0xffff, 0xffff, 0x0005, 0xf800,
    ]);
  });
});
