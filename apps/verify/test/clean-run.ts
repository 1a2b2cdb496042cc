/**
 * The run every dcmblind-verify test starts from: a synthetic cohort (3 patients, 18 CT files) run
 * through dcmblind into a clean output, each output paired with its source by pixel data
 * (pydicom). Each test file sets it up once (`setUpCleanRun`) and plants leaks into copies of the
 * clean output; the helpers here are the ones both verify test files use.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { makeCohort, pythonWith, type SyntheticPatient, testDir } from '@dcmblind/test-utils';

export const VERIFY = fileURLToPath(new URL('../dist/main.js', import.meta.url));
export const CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
export const ENV = {
  ...process.env,
  DCMBLIND_PASSPHRASE: 'verify test passphrase',
  DCMBLIND_KDF_LOG2N: '14',
};
export const PY = pythonWith('pydicom');
if (!PY && process.env.CI) throw new Error('CI needs python3-pydicom (installed by .ci/run)');
export const PY_XL = pythonWith('openpyxl');

export interface Finding {
  rule: string;
  severity: string;
  file: string;
  element: string;
  category?: string;
  valueHash?: string;
  detail: string;
}
export interface Report {
  clean: boolean;
  files: number;
  findings: Finding[];
  review: Finding[];
  generatedAt: string;
  toolVersion: string;
  checks: Array<{ name: string; ran: boolean; detail: string }>;
  seedCounts: Record<string, number>;
  verdict: 'release' | 'review' | 'do-not-release';
  notJudged: Array<{ check: string; count: number; reason: string }>;
}

/** Every rule the verifier can report: the HTML legend must explain each. */
export const ALL_RULES = [
  'seed-match',
  'seed-in-path',
  'source-uid',
  'unshifted-date',
  'profile-removed-present',
  'private-element',
  'marker-identity-removed',
  'marker-method',
  'marker-profile',
  'marker-dates',
  'date-in-text',
  'name-in-text',
  'burned-in-annotation',
  'unreadable',
  'pixel-data-changed',
  'no-source',
  'reference-broken',
  'patients-share-pseudonym',
  'patient-split',
  'review-burned-in',
  'non-dicom-file',
  'key-in-output',
  'duplicate-sop-instance',
  'source-not-written',
  'source-quarantined',
  'missing-output',
  'seed-in-kept',
  'offset-exposed',
  'initials-in-text',
  'contact-in-text',
  'bitstream-metadata',
  'pixel-unused-bits',
  'pixel-scan-off',
  'kept-by-recipe',
  'recipe-not-given',
];

/** `rule@file` of each finding (or review item), sorted: what a test compares whole. */
export const ruleAt = (fs: Finding[]) => fs.map((f) => `${f.rule}@${f.file}`).sort();

export function verify(args: string[]): { code: number; report: Report; stdout: string; raw: string } {
  const dir = testDir('report-');
  const path = join(dir, 'r.json');
  const r = spawnSync(process.execPath, [VERIFY, ...args, '--report', path], { encoding: 'utf8', env: ENV });
  if (r.status === 2) throw new Error(r.stderr);
  const raw = readFileSync(path, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  return { code: r.status ?? -1, report: JSON.parse(raw) as Report, stdout: r.stdout + r.stderr, raw };
}

/** Edit one DICOM file with pydicom: `code` sees `ds` (the dataset) and `src` (its source). */
export function plant(file: string, code: string, source?: string): void {
  execFileSync(PY as string, [
    '-c',
    `
import sys, pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
ds = pydicom.dcmread(sys.argv[1])
src = pydicom.dcmread(sys.argv[2]) if len(sys.argv) > 2 else None
${code}
ds.save_as(sys.argv[1])
`,
    file,
    ...(source ? [source] : []),
  ]);
}

export let dir: string;
export let input: string;
export let clean: string;
export let patients: SyntheticPatient[];
export let key: string;
/** Output file → its source (matched by pixel data with pydicom when the test starts). */
export let sourceOf: Map<string, string>;

export function copyOf(name: string): string {
  const d = join(dir, name);
  cpSync(clean, d, { recursive: true });
  return d;
}

/** The cohort, its clean run and the output-to-source pairing (a test file's beforeAll). */
export function setUpCleanRun(): void {
  dir = testDir('verify-');
  input = join(dir, 'in');
  patients = makeCohort(input, {
    patients: 3,
    studiesPerPatient: 1,
    seriesPerStudy: 2,
    instancesPerSeries: 3,
  }).patients;
  clean = join(dir, 'clean');
  key = join(dir, 'k.key');
  const r = spawnSync(process.execPath, [CLI, 'run', input, '--out', clean, '--key', key, '--quiet'], {
    encoding: 'utf8',
    env: ENV,
  });
  expect(r.status, r.stderr).toBe(0);
  const pairs = execFileSync(
    PY as string,
    [
      '-c',
      `
import sys, os, json, hashlib, pydicom
def walk(d):
  for root, dirs, names in os.walk(d):
      dirs[:] = [x for x in dirs if x != '.dcmblind']
      for n in names: yield os.path.join(root, n)
src = {hashlib.sha256(pydicom.dcmread(p).PixelData).hexdigest(): p for p in walk(sys.argv[1])}
print(json.dumps({os.path.relpath(p, sys.argv[2]): src[hashlib.sha256(pydicom.dcmread(p).PixelData).hexdigest()] for p in walk(sys.argv[2])}))
`,
      input,
      clean,
    ],
    { encoding: 'utf8' },
  );
  sourceOf = new Map(Object.entries(JSON.parse(pairs) as Record<string, string>));
  expect(sourceOf.size).toBe(18);
}

export function tearDownCleanRun(): void {
  rmSync(dir, { recursive: true, force: true });
}

export const first = () => [...sourceOf.keys()].sort()[0] as string;

// One file of every patient: names differ in length (an even-length value has no padding
// byte before the next element) and in characters (Müller), so each case is planted in each.
export const firstOfEach = () =>
  patients.map(
    (p) => [...sourceOf.keys()].sort().find((r) => sourceOf.get(r)?.includes(`/${p.folder}/`)) as string,
  );

/**
 * One source file (the first of the cohort, copied to `d/in/one.dcm` and changed by `edit`, a
 * pydicom statement), run through dcmblind into `d/out`: the output's path under `d/out`.
 */
export function runOne(
  d: string,
  edit?: string,
  args: readonly string[] = [],
): { out: string; written: string } {
  const src = join(d, 'in', 'one.dcm');
  mkdirSync(dirname(src), { recursive: true });
  cpSync(sourceOf.get(firstOfEach()[0] as string) as string, src);
  if (edit) plant(src, edit);
  const out = join(d, 'out');
  const r = spawnSync(
    process.execPath,
    [CLI, 'run', join(d, 'in'), '--out', out, '--key', join(d, 'k.key'), '--quiet', ...args],
    { encoding: 'utf8', env: ENV },
  );
  expect(r.status, r.stderr).toBe(0);
  const [written] = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('one.dcm'),
  );
  return { out, written: written as string };
}

/** Identifying values of the synthetic patients: none may appear in any report. */
export const secrets = () =>
  patients.flatMap((p) => [p.id, p.name, p.folder, ...p.name.split('^').filter((t) => t.length >= 4)]);
/** A source path relative to the input as reports show it: the patient's folder and study date masked. */
export const maskedSource = (rel: string) => {
  const p = patients.find((x) => rel.includes(`/${x.folder}/`)) as SyntheticPatient;
  return rel.replace(`/${p.folder}/`, '/[name]/').replace(/\/\d{8}_CT\//, '/[date]_CT/');
};

/** dcmblind run of `src` into `out` with key `key`, quietly: its exit status and messages. */
export function runDcmblind(
  src: string,
  out: string,
  key: string,
): { status: number | null; stderr: string } {
  return spawnSync(process.execPath, [CLI, 'run', src, '--out', out, '--key', key, '--quiet'], {
    encoding: 'utf8',
    env: ENV,
  });
}
