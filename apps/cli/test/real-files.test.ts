/**
 * Every real DICOM file Debian's python3-pydicom ships (big endian, implicit VR, deflated,
 * JPEG/J2K/RLE, multi-frame, raw data sets, every charset file) through `dcmblind run`,
 * checked by independent readers: pydicom (with a checker written from Table E.1-1) and dcmtk.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFile } from '@dcmblind/core';
import { PYDICOM_DIRS, realDicomFiles } from '@dcmblind/test-utils';
import {
  check,
  type Classified,
  classify,
  dcmblind,
  dcmdumpStatus,
  keyMapping,
  readTree,
  requireTools,
  tmp,
} from './helpers.js';

const enabled = requireTools();
const RESEARCH = ['retain-long-modified-dates', 'retain-patient-characteristics', 'clean-descriptors'];

/** A top-level text value of a written file (through the core reader, which inflates deflated files). */
function topText(bytes: Buffer, tag: number): string | undefined {
  const f = parseFile(bytes);
  const el = f.dataset.find((e) => e.tag === tag);
  return el
    ? Buffer.from(f.data.subarray(el.valueStart, el.valueStart + el.valueLength))
        .toString('latin1')
        .replace(/[\0 ]+$/, '')
    : undefined;
}

describe.runIf(enabled)('real DICOM files from python3-pydicom', () => {
  let input: string;
  /** pydicom reads these as DICOM instances. */
  let dicom: Classified[];
  /** …and dcmtk reads them whole too: these must all be written. */
  let sound: Set<string>;
  let others: string[];
  const copyOf = new Map<string, string>();

  beforeAll(() => {
    input = tmp('real-in-');
    const all = realDicomFiles();
    for (const f of all) {
      const sub = PYDICOM_DIRS.findIndex((d) => f.startsWith(d)) === 1 ? 'charset' : 'files';
      mkdirSync(join(input, sub), { recursive: true });
      const dest = join(input, sub, basename(f));
      copyFileSync(f, dest);
      copyOf.set(dest, f);
    }
    dicom = classify([...copyOf.keys()]);
    sound = new Set(dicom.filter((c) => dcmdumpStatus(c.path) === 0).map((c) => c.path));
    const ok = new Set(dicom.map((c) => c.path));
    others = [...copyOf.keys()].filter((p) => !ok.has(p));
    expect(dicom.length).toBeGreaterThan(60);
    expect(dicom.some((c) => c.transferSyntax === '1.2.840.10008.1.2.2')).toBe(true); // big endian
    expect(dicom.some((c) => c.transferSyntax === '1.2.840.10008.1.2')).toBe(true); // implicit
    expect(dicom.some((c) => c.transferSyntax === '1.2.840.10008.1.2.1.99')).toBe(true); // deflated
    expect(dicom.some((c) => c.noMeta)).toBe(true);
    expect(dicom.filter((c) => c.path.includes('/charset/')).length).toBeGreaterThanOrEqual(15);
  });

  for (const [profile, options] of [
    ['basic', [] as string[]],
    ['research', RESEARCH],
  ] as const) {
    it(`${profile}: every DICOM file is written, parses, keeps its pixels and conforms to Table E.1-1`, () => {
      const dir = tmp(`real-${profile}-`);
      const out = join(dir, 'out');
      const key = join(dir, 'k.key');
      const r = dcmblind(['run', input, '--out', out, '--key', key, '--profile', profile, '--json']);
      const summary = JSON.parse(r.stdout);
      const mapping = keyMapping(key);
      // Every sound file is written; a damaged one (dcmtk cannot read it whole) is either
      // written as a valid file that passes every check below, or refused with a clear line.
      const missing = dicom.filter((c) => !c.burnedIn && !mapping.has(c.path));
      expect(missing.filter((c) => sound.has(c.path)).map((c) => basename(c.path))).toEqual([]);
      for (const c of missing) expect(r.stderr).toContain(c.path);
      const pairs = dicom
        .filter((c) => mapping.has(c.path))
        .map((c) => ({ source: c.path, output: join(out, mapping.get(c.path) as string) }));
      for (const p of pairs) expect(dcmdumpStatus(p.output), `dcmdump ${basename(p.source)}`).toBe(0);
      const results = check(pairs, options);
      const bad = results
        .filter((x) => x.problems.length > 0)
        .map((x) => `${basename(x.source)}: ${x.problems.join('; ')}`);
      expect(bad).toEqual([]);
      // Non-DICOM and broken files: a clear line each naming the file, no output, exit 1.
      for (const o of others) {
        expect(mapping.has(o), o).toBe(false);
        expect(r.stderr).toContain(o);
      }
      expect(r.code).toBe(others.length + missing.length > 0 ? 1 : 0);
      expect(summary.written).toBe(pairs.length);
    });
  }

  it('truncated files fail with E_TRUNCATED, not a crash', () => {
    const dir = tmp('trunc-');
    const r = dcmblind([
      'run',
      join(input, 'files', 'MR_truncated.dcm'),
      join(input, 'files', 'rtplan_truncated.dcm'),
      '--out',
      join(dir, 'o'),
      '--key',
      join(dir, 'k'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.match(/E_TRUNCATED/g)?.length).toBe(2);
  });

  it('the same input and key give byte-identical output; another key gives other pseudonyms and UIDs', () => {
    const dir = tmp('det-');
    const key = join(dir, 'a.key');
    dcmblind(['run', input, '--out', join(dir, 'o1'), '--key', key, '--profile', 'research']);
    dcmblind(['run', input, '--out', join(dir, 'o2'), '--key', key, '--profile', 'research']);
    const a = readTree(join(dir, 'o1'));
    const b = readTree(join(dir, 'o2'));
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [p, bytes] of a) expect(bytes.equals(b.get(p) as Buffer), p).toBe(true);

    const key2 = join(dir, 'b.key');
    dcmblind(['run', input, '--out', join(dir, 'o3'), '--key', key2, '--profile', 'research']);
    const m1 = keyMapping(key);
    const m2 = keyMapping(key2);
    const ids = (out: string, rel: string) => topText(readFileSync(join(out, rel)), 0x00100020);
    let compared = 0;
    for (const [src, rel] of m1) {
      const rel2 = m2.get(src);
      if (!rel2) continue;
      const p1 = ids(join(dir, 'o1'), rel);
      const p2 = ids(join(dir, 'o3'), rel2);
      expect(p1).toBeDefined();
      expect(p1).not.toBe(p2);
      expect(p1).toMatch(/^ANON-[0-9A-Z]{16}$/);
      const sop1 = topText(readFileSync(join(dir, 'o1', rel)), 0x00080018);
      const sop2 = topText(readFileSync(join(dir, 'o3', rel2)), 0x00080018);
      expect(sop1).toMatch(/^2\.25\.\d+$/);
      expect(sop1).not.toBe(sop2);
      compared++;
    }
    expect(compared).toBeGreaterThan(60);
  });
});
