/**
 * Multi-site and sharded runs: shards run as separate processes (through GNU parallel, the
 * recipe in docs/scale-out.md) write exactly the tree one run writes, and their merged keys
 * hold exactly its records; site keys of one project agree on shared patients; a key of
 * another project is refused; scheduler indexes (Slurm, Kubernetes) pick the same shard.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyStore } from '@dcmblind/core';
import { buildDicom, makeCohort, pythonWith } from '@dcmblind/test-utils';
import { CLI, dcmblind, runWith, keytool, listTree, PASSPHRASE, readTree, tmp } from './helpers.js';

const ENV = { ...process.env, DCMBLIND_PASSPHRASE: PASSPHRASE, DCMBLIND_KDF_LOG2N: '14' };
const PARALLEL = spawnSync('which', ['parallel']).status === 0;
if (!PARALLEL && process.env.CI) throw new Error('CI needs GNU parallel (installed by .ci/run)');
const PY = pythonWith('pydicom');

/** Patients and files of a key, without run bookkeeping (run ids, site names, which output folder). */
function records(path: string) {
  const k = KeyStore.open(path, PASSPHRASE, { readOnly: true });
  const patients = Object.fromEntries(
    Object.entries(k.payload.patients).map(([p, { site: _s, ...r }]) => [p, r]),
  );
  const files = k.payload.files
    .toArray()
    .map(({ runId: _r, site: _s, outputId: _o, ...f }) => f)
    .sort((a, b) => (a.sourcePath < b.sourcePath ? -1 : 1));
  return {
    patients,
    files,
    secret: k.payload.secret,
    outputIds: [...new Set(k.payload.files.toArray().map((f) => f.outputId))],
  };
}

function trees(a: string, b: string): void {
  const ta = readTree(a);
  const tb = readTree(b);
  expect([...tb.keys()]).toEqual([...ta.keys()]);
  for (const [p, bytes] of ta) expect(bytes.equals(tb.get(p) as Buffer), p).toBe(true);
}

describe('scale-out', () => {
  it.skipIf(!PARALLEL)(
    "3 shards under GNU parallel write the single run's tree; their merged keys hold its records",
    () => {
      const dir = tmp('shards-');
      const input = join(dir, 'in');
      const c = makeCohort(input, {
        patients: 5,
        studiesPerPatient: 2,
        seriesPerStudy: 2,
        instancesPerSeries: 4,
      });
      // A folder named after patient A that also holds a file of patient B: whichever shard meets
      // which file first, B's file must land where a single run puts it, never under A's name.
      const a = c.patients[0]?.folder as string;
      const b = c.patients[1]?.folder as string;
      const bFile = listTree(join(input, 'site-A', b))[0] as string;
      copyFileSync(join(input, 'site-A', b, bFile), join(input, 'site-A', a, 'stray.dcm'));
      const project = join(dir, 'project.key');
      expect(keytool(['init', project, '--project', 'trial']).code).toBe(0);
      for (const k of ['single', 's1', 's2', 's3', 'auto']) copyFileSync(project, join(dir, `${k}.key`));
      expect(
        dcmblind(['run', input, '--out', join(dir, 'single'), '--key', join(dir, 'single.key')]).code,
      ).toBe(0);

      // The recipe from docs/scale-out.md: one process per shard, all into one output folder.
      const p = spawnSync(
        'parallel',
        [
          '--halt',
          'now,fail=1',
          '-j',
          '3',
          process.execPath,
          CLI,
          'run',
          input,
          '--out',
          join(dir, 'sharded'),
          '--key',
          join(dir, 's{}.key'),
          '--shard',
          '{}/3',
          '--quiet',
          ':::',
          '1',
          '2',
          '3',
        ],
        { encoding: 'utf8', env: ENV },
      );
      expect(p.status, p.stderr).toBe(0);
      trees(join(dir, 'single'), join(dir, 'sharded'));
      for (const path of listTree(join(dir, 'sharded'))) expect(path).not.toContain(a);
      // Every shard did a share, none did it all.
      const counts = [1, 2, 3].map((i) => records(join(dir, `s${i}.key`)).files.length);
      expect(counts.every((n) => n > 0 && n < 81)).toBe(true);
      expect(counts.reduce((x, y) => x + y, 0)).toBe(81);
      // Merged, the shard keys are the single run's key (run bookkeeping aside).
      const merged = join(dir, 'merged.key');
      const m = keytool(['merge', merged, join(dir, 's1.key'), join(dir, 's2.key'), join(dir, 's3.key')]);
      expect(m.code, m.stderr).toBe(0);
      const { outputIds, ...mergedRecords } = records(merged);
      const { outputIds: _single, ...singleRecords } = records(join(dir, 'single.key'));
      expect(mergedRecords).toEqual(singleRecords);
      // The shards agreed on one output: their records all name the id in its manifest.
      expect(outputIds).toEqual([
        JSON.parse(readFileSync(join(dir, 'sharded', '.dcmblind', 'manifest.json'), 'utf8')).outputId,
      ]);
      // No shard left a marker or a lock behind; each kept its own list of what it placed.
      expect(readdirSync(join(dir, 'sharded', '.dcmblind')).sort()).toEqual([
        'manifest.json',
        'outputs-s1.list',
        'outputs-s2.list',
        'outputs-s3.list',
      ]);

      // A scheduler's index picks the same shard: Slurm array task 2 of 1–3.
      const auto = dcmblind(
        ['run', input, '--out', join(dir, 'auto'), '--key', join(dir, 'auto.key'), '--shard', 'auto'],
        { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '3' },
      );
      expect(auto.code, auto.stderr).toBe(0);
      const s2 = records(join(dir, 's2.key'))
        .files.map((f) => f.outputPath)
        .sort();
      expect(listTree(join(dir, 'auto'))).toEqual(s2);
      // Kubernetes Indexed Job: 0-based index, count given.
      const k8s = dcmblind(
        [
          'run',
          input,
          '--out',
          join(dir, 'k8s'),
          '--key',
          join(dir, 'auto.key'),
          '--shard',
          'auto/3',
          '--dry-run',
          '--json',
        ],
        { JOB_COMPLETION_INDEX: '1' },
      );
      expect(JSON.parse(k8s.stdout).written).toBe(s2.length);

      // A shard run with another project's key is refused, the output untouched.
      const foreign = join(dir, 'foreign.key');
      expect(keytool(['init', foreign]).code).toBe(0);
      const before = readTree(join(dir, 'sharded'));
      const f = dcmblind(['run', input, '--out', join(dir, 'sharded'), '--key', foreign, '--shard', '1/3']);
      expect(f.code).toBe(2);
      expect(f.stderr).toMatch(/another key/);
      const after = readTree(join(dir, 'sharded'));
      expect([...after.keys()]).toEqual([...before.keys()]);
      // Usage errors.
      for (const bad of ['0/3', '4/3', '2', 'x/y', 'auto'])
        expect(
          dcmblind(['run', input, '--out', join(dir, 'bad'), '--key', foreign, '--shard', bad]).code,
          bad,
        ).toBe(2);
    },
  );

  it('two site keys of one project agree on a shared patient and merge without conflict', () => {
    const dir = tmp('sites-');
    const project = join(dir, 'project.key');
    expect(keytool(['init', project, '--project', 'multi-site']).code).toBe(0);
    for (const site of ['north', 'south']) {
      const r = keytool(['issue-site-key', project, join(dir, `${site}.key`), '--site', site], {
        DCMBLIND_NEW_PASSPHRASE: PASSPHRASE,
      });
      expect(r.code, r.stderr).toBe(0);
    }
    // North has patients 0–1, south patients 0–2: patient 0 and 1 were scanned at both.
    makeCohort(join(dir, 'north-in'), {
      patients: 2,
      studiesPerPatient: 1,
      seriesPerStudy: 1,
      instancesPerSeries: 2,
      site: 'north',
    });
    makeCohort(join(dir, 'south-in'), {
      patients: 3,
      studiesPerPatient: 1,
      seriesPerStudy: 1,
      instancesPerSeries: 2,
      site: 'south',
    });
    expect(runWith(join(dir, 'north-in'), join(dir, 'north-out'), join(dir, 'north.key')).code).toBe(0);
    expect(runWith(join(dir, 'south-in'), join(dir, 'south-out'), join(dir, 'south.key')).code).toBe(0);
    // Each site key holds only its own site's records, named.
    const north = KeyStore.open(join(dir, 'north.key'), PASSPHRASE, { readOnly: true }).payload;
    expect(north.files.toArray().every((f) => f.site === 'north')).toBe(true);
    expect(Object.keys(north.patients)).toHaveLength(2);
    const m = keytool(['merge', project, join(dir, 'north.key'), join(dir, 'south.key')]);
    expect(m.code, m.stderr).toBe(0);
    const merged = KeyStore.open(project, PASSPHRASE, { readOnly: true }).payload;
    expect(Object.keys(merged.patients)).toHaveLength(3);
    expect(merged.files.size).toBe(10);
    // The shared patients carry one pseudonym in both sites' outputs (and the same UIDs).
    if (PY) {
      const ids = (d: string) =>
        JSON.parse(
          execFileSync(
            PY,
            [
              '-c',
              `
import sys, os, json, pydicom
out = {}
for dp, dirs, fs in os.walk(sys.argv[1]):
    dirs[:] = [x for x in dirs if x != '.dcmblind']
    for f in fs:
        ds = pydicom.dcmread(os.path.join(dp, f)); out[str(ds.PixelData[:64].hex())] = [str(ds.PatientID), str(ds.StudyInstanceUID)]
print(json.dumps(out))
`,
              d,
            ],
            { encoding: 'utf8' },
          ),
        ) as Record<string, [string, string]>;
      const n = ids(join(dir, 'north-out'));
      const s = ids(join(dir, 'south-out'));
      const shared = Object.keys(n).filter((k) => k in s);
      expect(shared.length).toBe(4);
      for (const k of shared) expect(s[k]).toEqual(n[k]);
    }
  });

  it('--patient-scope issuer keeps equal PatientIDs of two hospitals apart', () => {
    const dir = tmp('scope-');
    const file = (issuer: string, sop: string) =>
      buildDicom([
        [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'],
        [0x00080018, 'UI', sop],
        [0x00100010, 'PN', 'Same^Id'],
        [0x00100020, 'LO', 'MRN-1'],
        [0x00100021, 'LO', issuer],
        [0x0020000d, 'UI', `${sop}.1`],
        [0x7fe00010, 'OW', new Uint8Array(16)],
      ]);
    const input = join(dir, 'in');
    mkdirSync(input);
    writeFileSync(join(input, 'a.dcm'), file('HOSPITAL-A', '1.2.3.4.1'));
    writeFileSync(join(input, 'b.dcm'), file('HOSPITAL-B', '1.2.3.4.2'));
    const global = dcmblind(['run', input, '--out', join(dir, 'g'), '--key', join(dir, 'g.key'), '--json']);
    const scoped = runWith(input, join(dir, 'i'), join(dir, 'i.key'), [
      '--json',
      '--patient-scope',
      'issuer',
    ]);
    expect(JSON.parse(global.stdout).patients).toBe(1);
    expect(JSON.parse(scoped.stdout).patients).toBe(2);
  });
});
