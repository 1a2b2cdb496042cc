/**
 * What a site operator must be able to trust, each case as a new operator met it: nothing of
 * theirs is ever deleted, a mistyped key or input root cannot start a second copy of the
 * cohort, reruns after a copy without timestamps settle, OS debris does not fail a run, and
 * refusals say what to do and leave no trace.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENGINE_VERSION, KeyStore } from '@dcmblind/core';
import { makeCohort, realDicomFiles } from '@dcmblind/test-utils';
import { dcmblind, runWith, keytool, listTree, PASSPHRASE, PYTHON, readTree, tmp } from './helpers.js';

function cohort(patients = 2, instances = 3) {
  const dir = tmp('trust-');
  const input = join(dir, 'in');
  const c = makeCohort(input, {
    patients,
    studiesPerPatient: 1,
    seriesPerStudy: 1,
    instancesPerSeries: instances,
  });
  return { dir, input, c, key: join(dir, 'k.key'), out: join(dir, 'out') };
}

/** SOP Instance UIDs of every DICOM file under dir, read by pydicom (an independent reader). */
function sopUIDs(dir: string): string[] {
  const code =
    'import sys, os, pydicom\nfor r, _, fs in os.walk(sys.argv[1]):\n  for f in fs:\n    p = os.path.join(r, f)\n    if "/.dcmblind" in p: continue\n    print(pydicom.dcmread(p, stop_before_pixels=True).SOPInstanceUID)';
  return execFileSync(PYTHON as string, ['-c', code, dir], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter(Boolean);
}

const touchAll = (dir: string, when: Date) => {
  for (const p of listTree(dir)) utimesSync(join(dir, p), when, when);
};

describe('1. dcmblind deletes only what it wrote', () => {
  it('--force-rebuild refuses a folder that is not a dcmblind output, and touches nothing in it', () => {
    const { dir, input, key } = cohort(1, 1);
    const thesis = join(dir, 'thesis');
    mkdirSync(join(thesis, 'sub'), { recursive: true });
    writeFileSync(join(thesis, 'thesis.docx'), 'my thesis');
    writeFileSync(join(thesis, 'sub', 'data.csv'), 'a,b\n1,2\n');
    const before = readTree(thesis, true);
    const r = dcmblind(['run', input, '--out', thesis, '--key', key, '--force-rebuild']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already holds files \(sub, thesis\.docx\) and is not a dcmblind output/);
    expect(readTree(thesis, true)).toEqual(before);
    expect(existsSync(join(thesis, '.dcmblind'))).toBe(false);
    expect(existsSync(key)).toBe(false);
    // Without --force-rebuild the same: dcmblind never writes into a folder it did not make.
    expect(dcmblind(['run', input, '--out', thesis, '--key', key]).code).toBe(2);
    expect(readTree(thesis, true)).toEqual(before);
  });

  it("--force-rebuild inside a real output removes its outputs, lists them, and keeps the user's files", () => {
    const { input, key, out } = cohort(2, 3);
    expect(dcmblind(['run', input, '--out', out, '--key', key]).code).toBe(0);
    const old = listTree(out);
    const patientDir = old[0]?.split('/').slice(0, 2).join('/') as string;
    writeFileSync(join(out, 'notes.txt'), 'reviewer notes');
    writeFileSync(join(out, patientDir, 'keep-me.txt'), 'mine');
    const r = runWith(input, out, key, ['--profile', 'research', '--force-rebuild']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`removed ${old.length} file\\(s\\).*kept 2 file\\(s\\)`));
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('reviewer notes');
    expect(readFileSync(join(out, patientDir, 'keep-me.txt'), 'utf8')).toBe('mine');
    const log = /listed in (.*)\)/.exec(r.stdout)?.[1] as string;
    const text = readFileSync(log, 'utf8');
    for (const p of old) expect(text).toContain(`removed ${JSON.stringify(p)}`);
    expect(text).toContain('kept (not written by dcmblind) "notes.txt"');
    // The new tree is the research profile's, and the key forgot the removed outputs.
    expect(JSON.parse(readFileSync(join(out, '.dcmblind', 'manifest.json'), 'utf8')).profile).toBe(
      'research',
    );
    const k = KeyStore.open(key, PASSPHRASE, { readOnly: true });
    expect(k.payload.files.toArray().every((f) => f.profile === 'research')).toBe(true);
    expect(k.payload.files.toArray()).toHaveLength(old.length);
  });

  it('the end-of-run sweep of a folder named after a patient deletes its outputs only, and says what it left', () => {
    const stranger = realDicomFiles().find((f) => f.endsWith('/CT_small.dcm'));
    if (!stranger) throw new Error("pydicom's CT_small.dcm is needed (python3-pydicom)");
    const { dir, input, c, key, out } = cohort(1, 2);
    const folder = c.patients[0]?.folder as string;
    // A stranger's file alone first: nothing yet says the folder names anyone, so it keeps its name.
    const early = join(dir, 'early');
    mkdirSync(join(early, 'site-A', folder), { recursive: true });
    cpSync(stranger, join(early, 'site-A', folder, '0000.dcm'));
    expect(dcmblind(['run', early, '--out', out, '--key', key]).code).toBe(0);
    writeFileSync(join(out, 'site-A', folder, 'mine.txt'), 'the operator put this here');
    cpSync(join(input, 'site-A', folder), join(early, 'site-A', folder), { recursive: true });
    const r = dcmblind(['run', early, '--out', out, '--key', key]);
    expect(r.code).toBe(1);
    expect(existsSync(join(out, 'site-A', folder, '0000.dcm'))).toBe(false);
    expect(readFileSync(join(out, 'site-A', folder, 'mine.txt'), 'utf8')).toBe('the operator put this here');
    expect(r.stderr).toMatch(/still holds 1 file\(s\) dcmblind did not write.*\[E_MIXED_PATIENTS\]/);
  });
});

describe('3. a mistyped --key never starts a second pseudonymisation', () => {
  it('an output made with one key refuses a key path that does not exist, naming the key that made it', () => {
    const { dir, input, key, out } = cohort(1, 2);
    expect(dcmblind(['run', input, '--out', out, '--key', key]).code).toBe(0);
    const before = readTree(out, true);
    const fingerprint = JSON.parse(
      readFileSync(join(out, '.dcmblind', 'manifest.json'), 'utf8'),
    ).keyFingerprint;
    const typo = join(dir, 'k.kye');
    const r = dcmblind(['run', input, '--out', out, '--key', typo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`key ${typo} not found; this output was made with key ${fingerprint}`);
    expect(r.stderr).not.toMatch(/--force-rebuild/);
    expect(existsSync(typo)).toBe(false);
    expect(readTree(out, true)).toEqual(before);
    // The custodian can tell which key file that is.
    expect(keytool(['info', key]).stdout).toContain(`fingerprint: ${fingerprint}`);
  });
});

describe('4. reruns after the inputs got new timestamps', () => {
  it('read them once (unchanged), then skip them unread (done)', () => {
    const { input, key, out, c } = cohort(2, 3);
    expect(dcmblind(['run', input, '--out', out, '--key', key]).code).toBe(0);
    touchAll(input, new Date('2031-05-05T10:00:00Z')); // rsync without -t, cp without -p, a restore
    const first = JSON.parse(dcmblind(['run', input, '--out', out, '--key', key, '--json']).stdout);
    expect([first.unchanged, first.done, first.written]).toEqual([c.files, 0, 0]);
    const second = JSON.parse(dcmblind(['run', input, '--out', out, '--key', key, '--json']).stdout);
    expect([second.unchanged, second.done, second.written, second.bytesIn]).toEqual([0, c.files, 0, 0]);
  });
});

describe('5. what is not DICOM', () => {
  it('OS debris, notes and --exclude are skipped, not failures; a .dcm that does not parse still fails', () => {
    const { input, key, out, c } = cohort(1, 2);
    const site = join(input, 'site-A');
    writeFileSync(join(site, '.DS_Store'), Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]));
    writeFileSync(join(site, 'Thumbs.db'), Buffer.alloc(512, 7));
    writeFileSync(join(site, '._IMG0001.dcm'), Buffer.from('\u0000\u0005\u0016\u0007Mac OS X'));
    mkdirSync(join(site, '__MACOSX'));
    writeFileSync(join(site, '__MACOSX', 'x'), 'resource fork');
    writeFileSync(join(site, 'README.txt'), 'Export of 2024-03-10 by the PACS team');
    writeFileSync(join(site, 'notes.pdf'), '%PDF-1.4 not really');
    writeFileSync(join(site, 'old.bak'), 'backup');
    mkdirSync(join(site, 'scratch'));
    writeFileSync(join(site, 'scratch', 'IMG9.dcm'), 'left out by a path pattern');
    const clean = runWith(input, out, key, ['--exclude', '*.bak', '--exclude', 'site-A/scratch', '--json']);
    expect(clean.code, clean.stderr).toBe(0);
    const s = JSON.parse(clean.stdout);
    expect([s.written, s.failed, s.skipped]).toEqual([c.files, 0, 8]);
    expect(clean.stderr).toMatch(/skipped: .*README\.txt: not DICOM/);
    expect(clean.stderr).toMatch(/skipped: .*\.DS_Store: operating-system file/);
    expect(clean.stderr).toMatch(/skipped: .*scratch: excluded by --exclude site-A\/scratch/);
    // A folder left out counts its files; a pattern that left nothing out is said.
    writeFileSync(join(site, 'scratch', 'IMG10.dcm'), 'second file in the folder left out');
    const counted = runWith(input, out, key, [
      '--exclude',
      '*.bak',
      '--exclude',
      'site-A/scratch',
      '--exclude',
      'in/site-A/**',
      '--json',
    ]);
    expect(JSON.parse(counted.stdout).skipped).toBe(9);
    expect(counted.stderr).toMatch(/warning: --exclude in\/site-A\/\*\* left nothing out/);
    // Named as DICOM and not DICOM: a failure, as before.
    writeFileSync(join(site, 'IMG0099.dcm'), 'this is not an image');
    writeFileSync(join(site, 'IMG0100'), 'nor is this');
    const broken = runWith(input, out, key, ['--exclude', '*.bak', '--exclude', 'site-A/scratch', '--json']);
    expect(broken.code).toBe(1);
    expect(
      JSON.parse(broken.stdout)
        .failures.map((f: { path: string; code: string }) => [f.path.split('/').pop(), f.code])
        .sort(),
    ).toEqual([
      ['IMG0099.dcm', 'E_NOT_DICOM'],
      ['IMG0100', 'E_NOT_DICOM'],
    ]);
  });
});

describe('6. the passphrase minimum holds wherever the passphrase comes from', () => {
  it('a new key from a run refuses a short DCMBLIND_PASSPHRASE and is not created', () => {
    const { input, key, out } = cohort(1, 1);
    const r = dcmblind(['run', input, '--out', out, '--key', key], { DCMBLIND_PASSPHRASE: 'short' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/passphrase too short.*12/);
    expect(existsSync(key)).toBe(false);
    expect(existsSync(out)).toBe(false);
  });
});

describe('7. the same cohort given from another input root', () => {
  it('lands where it went before (no second copy); an input holding an earlier one is refused', () => {
    const { input, key, out, c } = cohort(2, 3);
    expect(dcmblind(['run', input, '--out', out, '--key', key]).code).toBe(0);
    const first = listTree(out);
    expect(first.every((p) => p.startsWith('site-A/'))).toBe(true);
    // New timestamps (so every file is read again) and one new session file, then the site folder alone.
    touchAll(input, new Date('2031-01-01T00:00:00Z'));
    const folder = c.patients[0]?.folder as string;
    const series = listTree(join(input, 'site-A', folder))[0]
      ?.split('/')
      .slice(0, -1)
      .join('/') as string;
    const one = listTree(join(input, 'site-A', folder, series))[0] as string;
    execFileSync(PYTHON as string, [
      '-c',
      'import sys, pydicom\nds = pydicom.dcmread(sys.argv[1])\nds.SOPInstanceUID = ds.SOPInstanceUID + ".77"\nds.InstanceNumber = 77\nds.save_as(sys.argv[2])',
      join(input, 'site-A', folder, series, one),
      join(input, 'site-A', folder, series, 'IMG0077.dcm'),
    ]);
    const r = dcmblind(['run', join(input, 'site-A'), '--out', out, '--key', key, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const after = listTree(out);
    expect(after).toHaveLength(first.length + 1);
    expect(after.filter((p) => !first.includes(p))[0]).toMatch(
      /^site-A\/ANON-[0-9A-Z]{16}\/.*\/IMG0077\.dcm$/,
    );
    const uids = sopUIDs(out);
    expect(new Set(uids).size).toBe(uids.length);
    // A parent of an earlier input would put the files around it at other paths: refused.
    const other = join(tmp('trust-'), 'out');
    expect(dcmblind(['run', join(input, 'site-A', folder), '--out', other, '--key', key]).code).toBe(0);
    const refused = dcmblind(['run', join(input, 'site-A'), '--out', other, '--key', key]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /holds .*which an earlier run into this output read as an input of its own/,
    );
  });
});

describe('12. smaller things', () => {
  it('--dry-run counts what is already done instead of announcing it again', () => {
    const { input, key, out, c } = cohort(1, 3);
    expect(dcmblind(['run', input, '--out', out, '--key', key]).code).toBe(0);
    const r = dcmblind(['run', input, '--out', out, '--key', key, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/would write/);
    expect(r.stdout).toMatch(new RegExp(`0 would be written, ${c.files} already done`));
    // With new timestamps the files are read again, and found to be what is already there.
    touchAll(input, new Date('2032-02-02T00:00:00Z'));
    const touched = dcmblind(['run', input, '--out', out, '--key', key, '--dry-run']);
    expect(touched.stdout).toMatch(new RegExp(`0 would be written, 0 already done, ${c.files} unchanged`));
  });

  it('a refused rerun says which profile the output was made with', () => {
    const { input, key, out } = cohort(1, 1);
    expect(dcmblind(['run', input, '--out', out, '--key', key, '--profile', 'research']).code).toBe(0);
    const r = dcmblind(['run', input, '--out', out, '--key', key]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/made with another profile\/options: it was made with profile research with /);
  });

  it('a key folder that does not exist, or a key path that is a folder, is bad usage (exit 2), with no trace left', () => {
    const { dir, input, out } = cohort(1, 1);
    const missing = dcmblind(['run', input, '--out', out, '--key', join(dir, 'nope', 'k.key')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/its folder .* does not exist/);
    mkdirSync(join(dir, 'keys'));
    const folder = dcmblind(['run', input, '--out', out, '--key', join(dir, 'keys')]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/is a folder/);
    expect(existsSync(out)).toBe(false);
  });

  it('npm install -g of the three apps puts dcmblind, dcmblind-key and dcmblind-verify on PATH, working from any folder', () => {
    const prefix = tmp('global-');
    const apps = ['cli', 'keytool', 'verify'].map((a) =>
      fileURLToPath(new URL(`../../${a}`, import.meta.url)),
    );
    const npm = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', ...apps], {
      encoding: 'utf8',
    });
    expect(npm.status, npm.stderr).toBe(0);
    for (const bin of ['dcmblind', 'dcmblind-key', 'dcmblind-verify']) {
      const r = spawnSync(bin, ['--version'], {
        encoding: 'utf8',
        cwd: '/',
        env: { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` },
      });
      expect(r.status, `${bin}: ${r.stderr}`).toBe(0);
      expect(r.stdout.trim()).toBe(ENGINE_VERSION);
    }
  });

  it('refuses a key inside an input or inside any output tree, and inputs that overlap', () => {
    const { dir, input, key, out } = cohort(1, 1);
    expect(dcmblind(['run', input, '--out', out, '--key', key]).code).toBe(0);
    const inInput = dcmblind(['run', input, '--out', join(dir, 'o2'), '--key', join(input, 'k.key')]);
    expect(inInput.code).toBe(2);
    expect(inInput.stderr).toMatch(/inside input/);
    expect(existsSync(join(input, 'k.key'))).toBe(false);
    const inOutput = runWith(input, join(dir, 'o3'), join(out, 'site-A', 'k.key'));
    expect(inOutput.code).toBe(2);
    expect(inOutput.stderr).toMatch(/inside the de-identified output/);
    for (const args of [
      [input, join(input, 'site-A')],
      [input, input],
    ]) {
      const r = dcmblind(['run', ...args, '--out', join(dir, 'o4'), '--key', key]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/overlap/);
    }
    expect(existsSync(join(dir, 'o2')) || existsSync(join(dir, 'o3')) || existsSync(join(dir, 'o4'))).toBe(
      false,
    );
  });

  it('blinding by source zip refuses loose DICOM files up front (bad usage)', () => {
    const { dir, input, key } = cohort(1, 1);
    const r = runWith(input, join(dir, 'b'), key, ['--profile', 'blinding', '--subject-id', 'source-sha256']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not in one: give zipped studies only/);
    expect(existsSync(join(dir, 'b'))).toBe(false);
  });

  it('a run refused after the passphrase (a wrong one) leaves no output folder behind', () => {
    const { input, key, out } = cohort(1, 1);
    expect(dcmblind(['run', input, '--out', join(out, '..', 'first'), '--key', key]).code).toBe(0);
    const r = dcmblind(['run', input, '--out', out, '--key', key], {
      DCMBLIND_PASSPHRASE: 'not the right passphrase',
    });
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(statSync(key).size).toBeGreaterThan(0);
  });
});
