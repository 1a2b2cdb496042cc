/**
 * Cohort-scale runs: worker counts agree byte for byte, kill -9 at any point then a rerun
 * gives exactly the uninterrupted tree, reruns write only what is new, outputs of another
 * configuration are never mixed in, zip inputs are safe, and the patient layout holds.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyStore } from '@dcmblind/core';
import { makeCohort, realDicomFiles } from '@dcmblind/test-utils';
import {
  CLI,
  dcmblind,
  keyMapping,
  runWith,
  warmKey,
  listTree,
  PASSPHRASE,
  readTree,
  tmp,
} from './helpers.js';

/** A manifest without its output id: random per output folder by design (the key's records name it). */
function withoutOutputId(bytes: Buffer): Buffer {
  const { outputId, ...rest } = JSON.parse(bytes.toString('utf8'));
  expect(outputId).toMatch(/^[0-9a-f]{16}$/);
  return Buffer.from(JSON.stringify(rest));
}

function trees(a: string, b: string): void {
  const ta = readTree(a, true);
  const tb = readTree(b, true);
  expect([...ta.keys()]).toEqual([...tb.keys()]);
  for (const [p, bytes] of ta) {
    const other = tb.get(p) as Buffer;
    if (p === '.dcmblind/manifest.json')
      expect(withoutOutputId(bytes).equals(withoutOutputId(other)), p).toBe(true);
    else expect(bytes.equals(other), p).toBe(true);
  }
}

function setup(patients = 3, instances = 10) {
  const dir = tmp('cohort-');
  const input = join(dir, 'in');
  const c = makeCohort(input, {
    patients,
    studiesPerPatient: 2,
    seriesPerStudy: 2,
    instancesPerSeries: instances,
  });
  // One key, copied: every run below derives from the same secret.
  const key = join(dir, 'k.key');
  warmKey(dir, input, c.patients[0]?.folder as string, key);
  return { dir, input, c, key };
}

function keyCopy(key: string, dir: string, name: string): string {
  const k = join(dir, name);
  copyFileSync(key, k);
  return k;
}

describe('cohort runs', () => {
  it('1 and 2 workers give byte-identical trees', () => {
    const { dir, input, key } = setup();
    expect(
      dcmblind(['run', input, '--out', join(dir, 'w1'), '--key', keyCopy(key, dir, 'a'), '--workers', '1'])
        .code,
    ).toBe(0);
    expect(
      dcmblind(['run', input, '--out', join(dir, 'w2'), '--key', keyCopy(key, dir, 'b'), '--workers', '2'])
        .code,
    ).toBe(0);
    trees(join(dir, 'w1'), join(dir, 'w2'));
  });

  it('kill -9 at random points, then a rerun, gives the uninterrupted tree with complete key records and no temp files', async () => {
    const { dir, input, c, key } = setup(4, 25);
    const ref = join(dir, 'ref');
    expect(dcmblind(['run', input, '--out', ref, '--key', keyCopy(key, dir, 'ref.key')]).code).toBe(0);
    const out = join(dir, 'out');
    const k = keyCopy(key, dir, 'kill.key');
    // Seeded delays (ms) spread over a run of about a second.
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return 40 + (seed % 700);
    };
    for (let i = 0; i < 5; i++) {
      const child = spawn(process.execPath, [CLI, 'run', input, '--out', out, '--key', k, '--workers', '2'], {
        env: { ...process.env, DCMBLIND_PASSPHRASE: PASSPHRASE, DCMBLIND_KDF_LOG2N: '14' },
        stdio: 'ignore',
      });
      await new Promise((r) => setTimeout(r, next()));
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
    }
    const final = dcmblind(['run', input, '--out', out, '--key', k, '--json']);
    expect(final.code).toBe(0);
    trees(ref, out);
    expect(
      listTree(out, true).filter(
        (p) =>
          p.includes('staging') ||
          p.endsWith('-part') ||
          p.endsWith('.part') ||
          p.includes('tmp') ||
          p.endsWith('run-in-progress'),
      ),
    ).toEqual([]);
    expect(existsSync(`${k}.journal`)).toBe(false);
    const store = KeyStore.open(k, PASSPHRASE);
    const recorded = new Set(store.payload.files.toArray().map((f) => f.outputPath));
    expect(listTree(out).every((p) => recorded.has(p))).toBe(true);
    expect(Object.keys(store.payload.patients)).toHaveLength(4);
    expect(new Set(store.payload.files.toArray().map((f) => f.sourcePath)).size).toBe(c.files);
  }, 180_000);

  it('kill -9 while a new key is being created: no output is ever visible without the key recording it', async () => {
    const { dir, input } = setup(2, 20);
    // Kill early (during the key derivation, before the key file exists), and at the moment the
    // first output becomes visible (polled); each kill is followed by the check.
    const when: Array<number | 'first-output'> = [100, 250, 400, 'first-output', 'first-output'];
    let checked = 0;
    for (const [i, at] of when.entries()) {
      const out = join(dir, `new-${i}`);
      const k = join(dir, `new-${i}.key`);
      // Full-strength key derivation (no test shortcut), so early kills land while it runs.
      const child = spawn(process.execPath, [CLI, 'run', input, '--out', out, '--key', k, '--workers', '2'], {
        env: { ...process.env, DCMBLIND_PASSPHRASE: PASSPHRASE, DCMBLIND_KDF_LOG2N: '17' },
        stdio: 'ignore',
      });
      let done = false;
      const exited = new Promise((r) => child.on('exit', r)).then(() => {
        done = true;
      });
      const outputs = () => (existsSync(out) ? listTree(out).filter((p) => p.endsWith('.dcm')) : []);
      if (at === 'first-output') {
        while (!done && outputs().length === 0) await new Promise((r) => setTimeout(r, 2));
      } else {
        await new Promise((r) => setTimeout(r, at));
      }
      child.kill('SIGKILL');
      await exited;
      const visible = outputs();
      if (at === 'first-output') expect(visible.length).toBeGreaterThan(0);
      if (visible.length === 0) continue;
      const store = await KeyStore.openAsync(k, PASSPHRASE);
      const recorded = new Set(store.payload.files.toArray().map((f) => f.outputPath));
      for (const p of visible) expect(recorded.has(p), p).toBe(true);
      store.close();
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  it('a run after a crash removes the part files the crashed run left, and nothing else', () => {
    const { dir, input, key } = setup(2, 3);
    const out = join(dir, 'out');
    const k = keyCopy(key, dir, 'crash.key');
    expect(dcmblind(['run', input, '--out', out, '--key', k]).code).toBe(0);
    const before = readTree(out);
    const first = [...before.keys()][0] as string;
    // What a run killed mid-write leaves: its marker, and a half-written part file beside an output.
    const part = join(out, dirname(first), '.0123456789abcdef01.dcmblind-part');
    writeFileSync(part, Buffer.from('DICM half'));
    const lookalike = join(out, dirname(first), 'notes.dcmblind-part');
    writeFileSync(lookalike, 'not ours');
    writeFileSync(join(out, '.dcmblind', 'run-in-progress'), '1\n');
    expect(dcmblind(['run', input, '--out', out, '--key', k]).code).toBe(0);
    expect(existsSync(part)).toBe(false);
    expect(existsSync(join(out, '.dcmblind', 'run-in-progress'))).toBe(false);
    const after = readTree(out);
    // Only our own part-file names are removed; every output is untouched.
    expect([...after.keys()].sort()).toEqual([...before.keys(), relative(out, lookalike)].sort());
    for (const [p, bytes] of before) expect(bytes.equals(after.get(p) as Buffer), p).toBe(true);
  });

  it('a rerun writes only new files and leaves every existing output untouched', () => {
    const { dir, input, key } = setup(2, 5);
    const out = join(dir, 'out');
    expect(dcmblind(['run', input, '--out', out, '--key', key]).code).toBe(0);
    const before = readTree(out);
    const mtimes = new Map([...before.keys()].map((p) => [p, statSync(join(out, p)).mtimeMs]));
    const again = dcmblind(['run', input, '--out', out, '--key', key, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ written: 0, done: before.size, failed: 0 });
    // A new study arrives for a third patient.
    const more = makeCohort(join(dir, 'more'), {
      patients: 3,
      studiesPerPatient: 1,
      seriesPerStudy: 1,
      instancesPerSeries: 3,
    });
    const p3 = more.patients[2]?.folder as string;
    spawnSync('cp', ['-r', join(dir, 'more', 'site-A', p3), join(input, 'site-A', p3)]);
    const inc = dcmblind(['run', input, '--out', out, '--key', key, '--json']);
    expect(JSON.parse(inc.stdout)).toMatchObject({ written: 3, done: before.size, failed: 0 });
    for (const [p, bytes] of before) {
      expect(readFileSync(join(out, p)).equals(bytes)).toBe(true);
      expect(statSync(join(out, p)).mtimeMs).toBe(mtimes.get(p));
    }
    expect(listTree(out)).toHaveLength(before.size + 3);
  });

  it('refuses an output made with another key or profile; --force-rebuild redoes it', () => {
    const { dir, input, key } = setup(1, 2);
    const out = join(dir, 'out');
    expect(dcmblind(['run', input, '--out', out, '--key', key]).code).toBe(0);
    const before = readTree(out, true);
    const otherKey = join(dir, 'other.key');
    expect(dcmblind(['run', input, '--out', join(dir, 'elsewhere'), '--key', otherKey]).code).toBe(0);
    const other = dcmblind(['run', input, '--out', out, '--key', otherKey]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/made with another key/);
    const prof = dcmblind(['run', input, '--out', out, '--key', key, '--profile', 'research']);
    expect(prof.code).toBe(2);
    expect(prof.stderr).toMatch(/another profile/);
    const after = readTree(out, true);
    expect([...after.keys()]).toEqual([...before.keys()]);
    const rebuilt = runWith(input, out, key, ['--profile', 'research', '--force-rebuild']);
    expect(rebuilt.code).toBe(0);
    expect(readFileSync(join(out, '.dcmblind', 'manifest.json'), 'utf8')).toMatch(/"research"/);
  });

  it('reads zip archives without changing them and rejects one with a ../ entry', () => {
    const { dir, input, c } = setup(1, 3);
    const zips = join(dir, 'zips');
    const py = `
import zipfile, glob, os, sys
src = sorted(glob.glob(sys.argv[1] + '/**/*.dcm', recursive=True))
os.makedirs(sys.argv[2], exist_ok=True)
with zipfile.ZipFile(os.path.join(sys.argv[2], 'Doe Jane.zip'), 'w', zipfile.ZIP_DEFLATED) as z:
    for i, f in enumerate(src): z.write(f, 'DICOM/FILE%04d.dcm' % i)
with zipfile.ZipFile(os.path.join(sys.argv[2], 'evil.zip'), 'w') as z:
    z.writestr('../../escape.dcm', open(src[0], 'rb').read())
`;
    expect(spawnSync('python3', ['-c', py, input, zips]).status).toBe(0);
    const before = readTree(zips);
    const r = dcmblind(['run', zips, '--out', join(dir, 'out'), '--key', join(dir, 'z.key'), '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/evil\.zip: .*zip-slip.*\[E_ZIP\]/);
    expect(JSON.parse(r.stdout).written).toBe(c.files);
    expect(
      listTree(join(dir, 'out')).every((p) => /^ANON-[0-9A-Z]{16}\/DICOM\/FILE\d{4}\.dcm$/.test(p)),
    ).toBe(true);
    expect(existsSync(join(dir, 'escape.dcm'))).toBe(false);
    const after = readTree(zips);
    for (const [p, b] of before) expect(after.get(p)?.equals(b)).toBe(true);
  });

  it('patient layout: <pseudonym>/<study>/<series>/<instance>.dcm, one folder per patient', () => {
    const { dir, input, c } = setup(3, 2);
    const out = join(dir, 'out');
    expect(
      dcmblind(['run', input, '--out', out, '--key', join(dir, 'p.key'), '--layout', 'patient']).code,
    ).toBe(0);
    const paths = listTree(out);
    expect(paths).toHaveLength(c.files);
    for (const p of paths)
      expect(p).toMatch(/^ANON-[0-9A-Z]{16}\/study-[0-9A-Z]{12}\/series-[0-9A-Z]{12}\/[0-9A-Z]{12}\.dcm$/);
    expect(new Set(paths.map((p) => p.split('/')[0])).size).toBe(3);
    expect(new Set(paths.map((p) => p.split('/').slice(0, 2).join('/'))).size).toBe(6);
  });

  it("a folder named after one patient that holds another patient's file: that file goes under a neutral label", () => {
    const { dir, input, c } = setup(2, 1);
    const a = c.patients[0]?.folder as string;
    const b = c.patients[1]?.folder as string;
    // Copy one of B's files into A's folder.
    const bFile = listTree(join(input, 'site-A', b))[0] as string;
    copyFileSync(join(input, 'site-A', b, bFile), join(input, 'site-A', a, 'stray.dcm'));
    const r = runWith(input, join(dir, 'out'), join(dir, 'm.key'), ['--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    const paths = listTree(join(dir, 'out'));
    expect(paths).toHaveLength(c.files + 1);
    for (const p of paths) expect(p).not.toContain(a);
    // A's files under A's pseudonym; the stray elsewhere: under a label, or under B's pseudonym
    // when the folder's name also names B (a shared given name).
    const byOutput = [...keyMapping(join(dir, 'm.key'))];
    const folderOf = (p: string) => p.split('/').slice(0, -1).join('/');
    const strayOut = byOutput.find(([s]) => s.endsWith('/stray.dcm'))?.[1] as string;
    const aOut = byOutput
      .filter(([s]) => s.includes(`/${a}/`) && !s.endsWith('/stray.dcm'))
      .map(([, o]) => o);
    expect(aOut.length).toBeGreaterThan(0);
    for (const o of aOut) expect(folderOf(o)).not.toBe(folderOf(strayOut));
  });

  it('a file of another patient in a folder named after a patient never keeps that name, whichever comes first, in one run or across runs', () => {
    // The stranger (pydicom's CT_small, a patient sharing no name token with ours) sorts first,
    // so its path is judged before any file shows whose name the folder carries.
    const stranger = realDicomFiles().find((f) => f.endsWith('/CT_small.dcm'));
    if (!stranger) throw new Error("pydicom's CT_small.dcm is needed (python3-pydicom)");
    const { dir, input, c } = setup(2, 2);
    const a = c.patients[0]?.folder as string;
    const aFiles = listTree(join(input, 'site-A', a)).length;
    copyFileSync(stranger, join(input, 'site-A', a, '0000.dcm'));
    const out = join(dir, 'out');
    const r = dcmblind(['run', input, '--out', out, '--key', join(dir, 'o.key'), '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    const paths = listTree(out);
    for (const p of paths) expect(p).not.toContain(a);
    expect(paths).toHaveLength(c.files + 1);

    // Across runs: the stranger alone first (nothing yet says the folder names anyone), then
    // the patient's own files arrive; the earlier output that kept the name is taken back.
    const input2 = join(dir, 'in2');
    mkdirSync(join(input2, 'site-A', a), { recursive: true });
    copyFileSync(stranger, join(input2, 'site-A', a, '0000.dcm'));
    const out2 = join(dir, 'out2');
    const key2 = join(dir, 'o2.key');
    expect(dcmblind(['run', input2, '--out', out2, '--key', key2]).code).toBe(0);
    expect(listTree(out2)).toEqual([`site-A/${a}/0000.dcm`]);
    cpSync(join(input, 'site-A', a), join(input2, 'site-A', a), {
      recursive: true,
      filter: (p) => !p.endsWith('0000.dcm'),
    });
    const second = dcmblind(['run', input2, '--out', out2, '--key', key2, '--json']);
    expect(second.code).toBe(1);
    const after = listTree(out2);
    for (const p of after) expect(p).not.toContain(a);
    expect(after).toHaveLength(aFiles);
    // Nor does the output's own state: its list of placed files forgets the removed path.
    for (const f of readdirSync(join(out2, '.dcmblind')))
      expect(readFileSync(join(out2, '.dcmblind', f), 'utf8'), f).not.toContain(a);
    expect(
      JSON.parse(second.stdout).failures.map((f: { code: string }) => f.code),
      second.stdout,
    ).toEqual(['E_MIXED_PATIENTS']);
    // The removed output's patient is not counted: only the folder's own patient is left.
    expect(JSON.parse(second.stdout).patients).toBe(1);
    // Run again: the stranger now goes under a neutral label; nothing else changes.
    const third = dcmblind(['run', input2, '--out', out2, '--key', key2]);
    expect(third.code, third.stderr).toBe(0);
    const last = listTree(out2);
    expect(last.filter((p) => !after.includes(p))).toEqual([
      expect.stringMatching(/^site-A\/[0-9A-Z]{12}\/0000\.dcm$/),
    ]);
    for (const p of last) expect(p).not.toContain(a);
  });

  it('a later copy of a file done before is a duplicate; a changed one at its output path is refused', () => {
    // The patient layout names outputs by UIDs: copies of one instance meet at one output path.
    const { dir, input: cohort } = setup(1, 1);
    const source = join(cohort, listTree(cohort)[0] as string);
    const input = join(dir, 'one');
    mkdirSync(join(input, 'a'), { recursive: true });
    copyFileSync(source, join(input, 'a', 'x.dcm'));
    const out = join(dir, 'out-dup');
    const key = join(dir, 'dup.key');
    const run = () =>
      JSON.parse(
        dcmblind(['run', input, '--out', out, '--key', key, '--layout', 'patient', '--json']).stdout,
      );
    expect(run()).toMatchObject({ written: 1, failed: 0 });
    mkdirSync(join(input, 'b'));
    copyFileSync(source, join(input, 'b', 'x.dcm'));
    // The copy meets the earlier run's output (found done this run): same content, not written again.
    expect(run()).toMatchObject({ written: 0, done: 1, unchanged: 1, failed: 0 });
    mkdirSync(join(input, 'c'));
    const changed = readFileSync(source);
    changed[changed.length - 1] = (changed[changed.length - 1] as number) ^ 0xff; // a pixel
    writeFileSync(join(input, 'c', 'x.dcm'), changed);
    const third = run();
    expect(third).toMatchObject({ written: 0, failed: 1 });
    expect(third.failures.map((f: { code: string }) => f.code)).toEqual(['E_PATH_CONFLICT']);
    // The operator is told which earlier source holds that output (a/ and b/ both hold it).
    expect(third.failures[0].reason).toMatch(/written from .*\/one\/[ab]\/x\.dcm by an earlier run/);
    expect(listTree(out)).toHaveLength(1);
  });

  it('--dry-run reports paths and rules and writes nothing', () => {
    const { dir, input, key } = setup(1, 1);
    const keyBefore = readFileSync(key);
    const r = dcmblind(['run', input, '--out', join(dir, 'dry'), '--key', key, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/would write site-A\/ANON-[0-9A-Z]{16}\//);
    expect(r.stdout).toMatch(/X Private Attributes/);
    expect(existsSync(join(dir, 'dry'))).toBe(false);
    expect(readFileSync(key).equals(keyBefore)).toBe(true);
  });

  it('SIGINT stops cleanly with exit 130; a rerun completes the tree', async () => {
    const { dir, input, key } = setup(4, 25);
    const out = join(dir, 'out');
    const child = spawn(process.execPath, [CLI, 'run', input, '--out', out, '--key', key, '--workers', '2'], {
      env: { ...process.env, DCMBLIND_PASSPHRASE: PASSPHRASE, DCMBLIND_KDF_LOG2N: '14' },
      stdio: 'ignore',
    });
    const exited = new Promise((r) => child.on('exit', (c) => r(c)));
    // Interrupt once the run is under way (its state folder exists), not while Node is still starting.
    for (let i = 0; i < 2000 && !existsSync(join(out, '.dcmblind', 'manifest.json')); i++)
      await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const code = await exited;
    expect([0, 130]).toContain(code); // 0 only if it had already finished
    expect(existsSync(`${key}.journal`)).toBe(false);
    expect(
      listTree(out, true).filter(
        (p) => p.includes('staging') || p.endsWith('-part') || p.endsWith('run-in-progress'),
      ),
    ).toEqual([]);
    const ref = join(dir, 'ref');
    expect(dcmblind(['run', input, '--out', out, '--key', key]).code).toBe(0);
    expect(dcmblind(['run', input, '--out', ref, '--key', key]).code).toBe(0);
    trees(ref, out);
  }, 120_000);
});

describe('copy paths agree', () => {
  it('in-kernel copy, portable copy and head-only reads of a big file give the same bytes', async () => {
    const { buildDicom, ctInstance, patientOf } = await import('@dcmblind/test-utils');
    const { writeFileSync, mkdirSync } = await import('node:fs');
    const dir = tmp('paths-');
    const input = join(dir, 'in');
    mkdirSync(input);
    // 40 MB multi-frame (read head-first) and a small slice (read whole).
    const big = ctInstance(patientOf(1), 1, 0, 0, 0, {
      rows: 512,
      columns: 512,
      frames: 80,
      patients: 1,
      studiesPerPatient: 1,
      seriesPerStudy: 1,
      instancesPerSeries: 1,
    });
    writeFileSync(join(input, 'big.dcm'), buildDicom(big));
    writeFileSync(
      join(input, 'small.dcm'),
      buildDicom(
        ctInstance(patientOf(2), 2, 0, 0, 0, {
          rows: 256,
          columns: 256,
          patients: 1,
          studiesPerPatient: 1,
          seriesPerStudy: 1,
          instancesPerSeries: 1,
        }),
      ),
    );
    const key = join(dir, 'k.key');
    expect(dcmblind(['run', input, '--out', join(dir, 'native'), '--key', key]).code).toBe(0);
    expect(
      dcmblind(['run', input, '--out', join(dir, 'portable'), '--key', key], { DCMBLIND_NO_NATIVE: '1' })
        .code,
    ).toBe(0);
    trees(join(dir, 'native'), join(dir, 'portable'));
    // The pixel data of the big file is the source's, byte for byte, at the end of the output.
    const src = readFileSync(join(input, 'big.dcm'));
    const m = [...readTree(join(dir, 'native')).entries()].find(([, b]) => b.length > 30e6);
    expect(m).toBeDefined();
    const [, out] = m as [string, Buffer];
    const px = 512 * 512 * 2 * 80;
    expect(out.subarray(-px).equals(src.subarray(-px))).toBe(true);
  });
});
