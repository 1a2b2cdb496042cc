/** Operator-facing behaviour of `dcmblind run`: exit codes, per-file errors, paths, originals, the key. */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDicom, ctInstance, makeCohort, patientOf } from '@dcmblind/test-utils';
import { dcmblind, runInto, listTree, PASSPHRASE, readTree, tmp } from './helpers.js';

function cohort() {
  const dir = tmp('cli-');
  const input = join(dir, 'in');
  const c = makeCohort(input, {
    patients: 2,
    studiesPerPatient: 1,
    seriesPerStudy: 1,
    instancesPerSeries: 2,
  });
  return { dir, input, c };
}

describe('dcmblind run', () => {
  it('bad usage exits 2 and writes nothing', () => {
    const { dir, input } = cohort();
    const cases: string[][] = [
      ['run', input, '--out', join(dir, 'o1'), '--key', join(dir, 'k'), '--profile', 'nope'],
      ['run', input, '--out', join(dir, 'o2'), '--key', join(dir, 'o2', 'k.key')],
      ['run', input, '--out', join(input, 'inside'), '--key', join(dir, 'k')],
      ['run', join(dir, 'missing'), '--out', join(dir, 'o3'), '--key', join(dir, 'k')],
      ['run', input, '--out', join(dir, 'o4'), '--key', join(dir, 'k'), '--date-offset', '9:1'],
      ['run', input, '--key', join(dir, 'k')],
    ];
    for (const args of cases) {
      const r = dcmblind(args);
      expect(r.code, args.join(' ')).toBe(2);
    }
    for (const o of ['o1', 'o2', 'o3', 'o4']) expect(existsSync(join(dir, o))).toBe(false);
    expect(existsSync(join(dir, 'k'))).toBe(false);
    expect(existsSync(join(input, 'inside'))).toBe(false);
  });

  it('reports each bad file with its path and reason, goes on, exits 1', () => {
    const { dir, input, c } = cohort();
    writeFileSync(join(input, 'notes.dcm'), 'this is not DICOM at all, just a text file named .dcm');
    writeFileSync(join(input, 'empty.dcm'), '');
    const good = buildDicom(ctInstance(patientOf(5), 5, 0, 0, 0, {} as never));
    writeFileSync(join(input, 'cut.dcm'), good.subarray(0, good.length - 100));
    const r = runInto(dir, input);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`error: ${join(input, 'notes.dcm')}: .*\\[E_NOT_DICOM\\]`));
    expect(r.stderr).toMatch(new RegExp(`error: ${join(input, 'empty.dcm')}: .*\\[E_NOT_DICOM\\]`));
    expect(r.stderr).toMatch(new RegExp(`error: ${join(input, 'cut.dcm')}: .*\\[E_TRUNCATED\\]`));
    expect(listTree(join(dir, 'out'))).toHaveLength(c.files);
  });

  it('never modifies an input, and writes no temp files or source preamble', () => {
    const { dir, input } = cohort();
    const before = readTree(input);
    const mtimes = [...before.keys()].map((p) => statSync(join(input, p)).mtimeMs);
    for (const p of before.keys()) chmodSync(join(input, p), 0o444);
    const r = runInto(dir, input);
    expect(r.code).toBe(0);
    const after = readTree(input);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [p, b] of before) expect(after.get(p)?.equals(b)).toBe(true);
    expect([...before.keys()].map((p) => statSync(join(input, p)).mtimeMs)).toEqual(mtimes);
    for (const p of listTree(join(dir, 'out'))) {
      expect(p).not.toMatch(/tmp/);
      expect(
        readFileSync(join(dir, 'out', p))
          .subarray(0, 128)
          .every((b) => b === 0),
      ).toBe(true);
    }
  });

  it('replaces identifying folder names: the patient folder by the pseudonym, others by labels', () => {
    const { dir, input, c } = cohort();
    const r = runInto(dir, input, ['--json']);
    expect(r.code).toBe(0);
    const paths = listTree(join(dir, 'out'));
    expect(paths).toHaveLength(c.files);
    for (const p of paths) {
      const parts = p.split('/');
      expect(parts[0]).toBe('site-A');
      expect(parts[1]).toMatch(/^ANON-[0-9A-Z]{16}$/);
      expect(parts[2]).toMatch(/^[0-9A-Z]{12}$/); // "20240310_CT" held the study date
      expect(parts[3]).toMatch(/^series-\d$/);
      for (const pat of c.patients) {
        for (const s of [pat.id, pat.folder, ...pat.name.split('^'), '20240310'])
          expect(p.toLowerCase()).not.toContain(s.toLowerCase());
      }
    }
    // Two patients, two pseudonym folders; every file of a patient in its own folder.
    expect(new Set(paths.map((p) => p.split('/')[1])).size).toBe(2);
  });

  it('keeps the key encrypted: no identifier or passphrase in it, owner-only permissions, wrong passphrase exits 2', () => {
    const { dir, input, c } = cohort();
    const key = join(dir, 'k.key');
    expect(dcmblind(['run', input, '--out', join(dir, 'out'), '--key', key]).code).toBe(0);
    const raw = readFileSync(key);
    for (const p of c.patients) {
      for (const s of [p.id, ...p.name.split('^'), p.birthDate]) {
        expect(raw.includes(Buffer.from(s, 'utf8'))).toBe(false);
        expect(raw.includes(Buffer.from(s, 'latin1'))).toBe(false);
      }
    }
    expect(raw.includes(Buffer.from(PASSPHRASE))).toBe(false);
    expect(statSync(key).mode & 0o077).toBe(0);
    expect(existsSync(`${key}.journal`)).toBe(false); // folded into the key at the end of the run
    const wrong = dcmblind(['run', input, '--out', join(dir, 'out'), '--key', key], {
      DCMBLIND_PASSPHRASE: 'not the passphrase',
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/wrong passphrase/);
    expect(wrong.stderr + wrong.stdout).not.toContain(PASSPHRASE);
  });

  it('quarantines BurnedInAnnotation=YES files instead of writing them', () => {
    const dir = tmp('burn-');
    mkdirSync(join(dir, 'in'));
    const els = ctInstance(patientOf(1), 1, 0, 0, 0, {} as never);
    writeFileSync(join(dir, 'in', 'us.dcm'), buildDicom([...els, [0x00280301, 'CS', 'YES']]));
    const r = runInto(dir, join(dir, 'in'), ['--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('quarantined:');
    expect(JSON.parse(r.stdout).quarantined).toBe(1);
    expect(listTree(join(dir, 'out'))).toEqual([]);
  });
});
