/**
 * dcmblind-verify against real runs: a clean output has no findings; then one leak of each
 * kind is planted into a copy of that output (with pydicom, an independent writer) and must be
 * reported with its rule and element path — and the report must not contain the leaked value.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCohort, PYDICOM_DIRS, pythonWith, type SyntheticPatient, testDir } from '@dcmblind/test-utils';

const VERIFY = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
const ENV = { ...process.env, DCMBLIND_PASSPHRASE: 'verify test passphrase', DCMBLIND_KDF_LOG2N: '14' };
const PY = pythonWith('pydicom');
if (!PY && process.env.CI) throw new Error('CI needs python3-pydicom (installed by .ci/run)');

interface Finding {
  rule: string;
  severity: string;
  file: string;
  element: string;
  category?: string;
  valueHash?: string;
}
interface Report {
  clean: boolean;
  files: number;
  findings: Finding[];
  review: Finding[];
}

function verify(args: string[]): { code: number; report: Report; stdout: string; raw: string } {
  const dir = testDir('report-');
  const path = join(dir, 'r.json');
  const r = spawnSync(process.execPath, [VERIFY, ...args, '--report', path], { encoding: 'utf8', env: ENV });
  if (r.status === 2) throw new Error(r.stderr);
  const raw = readFileSync(path, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  return { code: r.status ?? -1, report: JSON.parse(raw) as Report, stdout: r.stdout + r.stderr, raw };
}

/** Edit one DICOM file with pydicom: `code` sees `ds` (the dataset) and `src` (its source). */
function plant(file: string, code: string, source?: string): void {
  execFileSync(PY as string, ['-c', `
import sys, pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
ds = pydicom.dcmread(sys.argv[1])
src = pydicom.dcmread(sys.argv[2]) if len(sys.argv) > 2 else None
${code}
ds.save_as(sys.argv[1])
`, file, ...(source ? [source] : [])]);
}

let dir: string;
let input: string;
let clean: string;
let patients: SyntheticPatient[];
let key: string;
/** Output file → its source (matched by pixel data with pydicom when the test starts). */
let sourceOf: Map<string, string>;

function copyOf(name: string): string {
  const d = join(dir, name);
  cpSync(clean, d, { recursive: true });
  return d;
}

describe.skipIf(!PY)('dcmblind-verify', () => {
  beforeAll(() => {
    dir = testDir('verify-');
    input = join(dir, 'in');
    patients = makeCohort(input, { patients: 3, studiesPerPatient: 1, seriesPerStudy: 2, instancesPerSeries: 3 }).patients;
    clean = join(dir, 'clean');
    key = join(dir, 'k.key');
    const r = spawnSync(process.execPath, [CLI, 'run', input, '--out', clean, '--key', key, '--quiet'], { encoding: 'utf8', env: ENV });
    expect(r.status, r.stderr).toBe(0);
    const pairs = execFileSync(PY as string, ['-c', `
import sys, os, json, hashlib, pydicom
def walk(d):
    for root, dirs, names in os.walk(d):
        dirs[:] = [x for x in dirs if x != '.dcmblind']
        for n in names: yield os.path.join(root, n)
src = {hashlib.sha256(pydicom.dcmread(p).PixelData).hexdigest(): p for p in walk(sys.argv[1])}
print(json.dumps({os.path.relpath(p, sys.argv[2]): src[hashlib.sha256(pydicom.dcmread(p).PixelData).hexdigest()] for p in walk(sys.argv[2])}))
`, input, clean], { encoding: 'utf8' });
    sourceOf = new Map(Object.entries(JSON.parse(pairs) as Record<string, string>));
    expect(sourceOf.size).toBe(18);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a clean run has no findings, with the source, with the key, and with neither', () => {
    for (const args of [['--source', input], ['--key', key], ['--source', input, '--key', key, '--profile', 'basic'], []]) {
      const v = verify([clean, ...args]);
      expect(v.report.findings, JSON.stringify(args)).toEqual([]);
      expect(v.code).toBe(0);
      expect(v.report.files).toBe(18);
    }
  });

  it('real-world files (pydicom\'s test data, all character sets): a clean run has no findings', () => {
    for (const src of PYDICOM_DIRS.filter((d) => existsSync(d))) {
      const out = join(dir, `real-${src.split('/').at(-1)}`);
      const k = join(dir, `real-${src.split('/').at(-1)}.key`);
      const r = spawnSync(process.execPath, [CLI, 'run', src, '--out', out, '--key', k, '--quiet'], { encoding: 'utf8', env: ENV });
      expect([0, 1]).toContain(r.status); // some of pydicom's files are deliberately broken
      const v = verify([out, '--source', src, '--key', k]);
      expect(v.report.findings, src).toEqual([]);
      expect(v.report.files).toBeGreaterThan(10);
    }
  });

  it('a research-profile run has no findings', () => {
    const out = join(dir, 'research');
    const r = spawnSync(process.execPath, [CLI, 'run', input, '--out', out, '--key', join(dir, 'r.key'), '--profile', 'research', '--quiet'], { encoding: 'utf8', env: ENV });
    expect(r.status, r.stderr).toBe(0);
    const v = verify([out, '--source', input, '--profile', 'research']);
    expect(v.report.findings).toEqual([]);
    // Held to the wrong profile: every file says it declares other options, and what the
    // research profile keeps (patient characteristics, shifted dates) is reported as present.
    const wrong = verify([out, '--profile', 'basic']);
    expect(wrong.report.findings.filter((f) => f.rule === 'marker-profile')).toHaveLength(18);
    expect(new Set(wrong.report.findings.map((f) => f.rule))).toEqual(new Set(['marker-profile', 'profile-removed-present']));
  });

  // Each planted leak: the edit, then the rule and element path that must be reported.
  const first = () => [...sourceOf.keys()].sort()[0] as string;
  const cases: Array<{ name: string; edit: string; rule: string; element: string; category?: string; secret: (s: SyntheticPatient) => string }> = [
    { name: 'top-level PatientID', edit: 'ds.PatientID = src.PatientID', rule: 'seed-match', element: 'PatientID', category: 'id', secret: (p) => p.id },
    {
      name: 'a name nested three sequences deep',
      edit: `
inner = Dataset(); inner.PersonName = src.PatientName
mid = Dataset(); mid.ContentSequence = Sequence([inner])
outer = Dataset(); outer.ContentSequence = Sequence([mid])
ds.ContentSequence = Sequence([outer])`,
      rule: 'seed-match', element: 'ContentSequence[0].ContentSequence[0].ContentSequence[0].PersonName', category: 'name', secret: (p) => p.name,
    },
    {
      name: 'a private block',
      edit: `
block = ds.private_block(0x0009, 'ACME IMAGING', create=True)
block.add_new(0x01, 'LO', str(src.PatientID))`,
      rule: 'seed-match', element: '(0009,1001)', category: 'id', secret: (p) => p.id,
    },
    {
      name: 'free text',
      edit: "ds.ImageComments = 'seen with ' + str(src.PatientName).replace('^', ' ') + ' in clinic'",
      rule: 'seed-match', element: 'ImageComments', category: 'name', secret: (p) => p.name.split('^')[0] as string,
    },
    {
      name: 'a Latin-1 name',
      edit: "ds.SpecificCharacterSet = 'ISO_IR 100'\nds.ReferringPhysicianName = str(src.PatientName)",
      rule: 'seed-match', element: 'ReferringPhysicianName', category: 'name', secret: (p) => p.name,
    },
    {
      name: 'a UTF-8 name',
      edit: "ds.SpecificCharacterSet = 'ISO_IR 192'\nds.ReferringPhysicianName = str(src.PatientName)",
      rule: 'seed-match', element: 'ReferringPhysicianName', category: 'name', secret: (p) => p.name,
    },
    { name: 'an unshifted date', edit: 'ds.StudyDate = src.StudyDate', rule: 'unshifted-date', element: 'StudyDate', category: 'date', secret: () => '' },
    { name: 'a leftover source UID', edit: 'ds.StudyInstanceUID = src.StudyInstanceUID', rule: 'source-uid', element: 'StudyInstanceUID', category: 'uid', secret: () => '' },
    {
      name: 'a dangling reference',
      edit: "ds.ReferencedImageSequence[0].ReferencedSOPInstanceUID = '2.25.1234567890123456789'",
      rule: 'reference-broken', element: 'ReferencedImageSequence[0].ReferencedSOPInstanceUID', secret: () => '',
    },
  ];

  // One file of every patient: names differ in length (an even-length value has no padding
  // byte before the next element) and in characters (Müller), so each case is planted in each.
  const firstOfEach = () => patients.map((p) => [...sourceOf.keys()].sort().find((r) => sourceOf.get(r)?.includes(`/${p.folder}/`)) as string);
  for (const c of cases) {
    it(`finds ${c.name}: ${c.rule} at ${c.element}`, () => {
      const tree = copyOf(c.name.replace(/\W+/g, '-'));
      const rels = firstOfEach();
      for (const rel of rels) plant(join(tree, rel), c.edit, sourceOf.get(rel));
      const v = verify([tree, '--source', input]);
      expect(v.code).toBe(1);
      for (const rel of rels) {
        const hit = v.report.findings.filter((f) => f.file === rel && f.rule === c.rule && f.element === c.element);
        expect(hit, `${rel}: ${JSON.stringify(v.report.findings, null, 1)}`).toHaveLength(1);
        if (c.category) expect(hit[0]?.category).toBe(c.category);
        // The report names the leak; it never repeats it.
        const patient = patients.find((p) => sourceOf.get(rel)?.includes(`/${p.folder}/`)) as SyntheticPatient;
        const secret = c.secret(patient);
        if (secret) expect(v.raw + v.stdout).not.toContain(secret);
      }
      // Only the planted files are reported.
      expect(new Set(v.report.findings.map((f) => f.file).filter((f) => f !== ''))).toEqual(new Set(rels));
    });
  }

  it('finds a patient name in a path component, and masks it in the report', () => {
    const tree = copyOf('path');
    const rel = first();
    const patient = patients.find((p) => sourceOf.get(rel)?.includes(`/${p.folder}/`)) as SyntheticPatient;
    const parts = rel.split('/');
    const leaked = [...parts.slice(0, -1), `${patient.folder}_${parts.at(-1)}`].join('/');
    renameSync(join(tree, rel), join(tree, leaked));
    const v = verify([tree, '--source', input]);
    const hit = v.report.findings.filter((f) => f.rule === 'seed-in-path');
    expect(hit.length).toBeGreaterThan(0);
    expect(hit[0]?.element).toBe('(file path)');
    expect(hit[0]?.file).toBe([...parts.slice(0, -1), `[name]_${parts.at(-1)}`].join('/'));
    expect(v.raw + v.stdout).not.toContain(patient.folder);
  });

  it('finds two source patients under one pseudonym', () => {
    const tree = copyOf('two-patients');
    const rels = [...sourceOf.keys()].sort();
    const a = rels[0] as string;
    const other = rels.find((r) => r.split('/')[1] !== a.split('/')[1]) as string;
    const pseudonym = String(execFileSync(PY as string, ['-c', 'import sys, pydicom; print(pydicom.dcmread(sys.argv[1]).PatientID)', join(tree, a)], { encoding: 'utf8' })).trim();
    plant(join(tree, other), `ds.PatientID = '${pseudonym}'\nds.PatientName = '${pseudonym}'`);
    const v = verify([tree, '--source', input]);
    const rules = v.report.findings.map((f) => f.rule);
    expect(rules).toContain('patients-share-pseudonym');
    expect(rules).toContain('patient-split');
  });

  it('finds a removed attribute put back, a private element, and missing markers', () => {
    const tree = copyOf('conformance');
    const rel = first();
    plant(join(tree, rel), "ds.OtherPatientIDs = 'X'\nds.add_new(0x00431001, 'LO', 'x')\ndel ds.PatientIdentityRemoved", sourceOf.get(rel));
    const v = verify([tree]);
    const got = v.report.findings.map((f) => `${f.rule}@${f.element}`).sort();
    expect(got).toEqual(['marker-identity-removed@PatientIdentityRemoved', 'private-element@(0043,1001)', 'profile-removed-present@OtherPatientIDs'].sort());
  });

  it('reports an output that does not parse, and one without a source', () => {
    const tree = copyOf('integrity');
    const rels = [...sourceOf.keys()].sort();
    const broken = join(tree, rels[0] as string);
    execFileSync('truncate', ['-s', '200', broken]);
    const v = verify([tree, '--source', input]);
    expect(v.report.findings.filter((f) => f.rule === 'unreadable').map((f) => f.file)).toEqual([rels[0]]);
    // A file no source explains (pixels changed): flagged.
    const tree2 = copyOf('orphan');
    plant(join(tree2, rels[1] as string), 'b = bytearray(ds.PixelData); b[0] ^= 0xFF; ds.PixelData = bytes(b)');
    const v2 = verify([tree2, '--source', input]);
    expect(v2.report.findings.map((f) => `${f.rule}@${f.file}`)).toContain(`no-source@${rels[1]}`);
    // With the key, the same file pairs by its record and the pixels are compared.
    const v3 = verify([tree2, '--source', input, '--key', key]);
    expect(v3.report.findings.map((f) => `${f.rule}@${f.file}`)).toContain(`pixel-data-changed@${rels[1]}`);
  });

  it('writes an HTML report that renders in headless Chromium to a non-blank page', () => {
    const chromium = ['chromium', 'chromium-browser'].find((c) => spawnSync('which', [c]).status === 0);
    if (!chromium) {
      if (process.env.CI) throw new Error('CI needs chromium (installed by .ci/run)');
      return;
    }
    const tree = copyOf('html');
    const rel = first();
    plant(join(tree, rel), 'ds.PatientID = src.PatientID', sourceOf.get(rel));
    const html = join(dir, 'report.html');
    const r = spawnSync(process.execPath, [VERIFY, tree, '--source', input, '--report', html], { encoding: 'utf8', env: ENV });
    expect(r.status).toBe(1);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('seed-match');
    for (const p of patients) expect(page).not.toContain(p.id);
    const png = join(dir, 'report.png');
    const shot = spawnSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', `--screenshot=${png}`, '--window-size=1200,900', `file://${html}`], { encoding: 'utf8', timeout: 60_000 });
    expect(existsSync(png), shot.stderr).toBe(true);
    // Decode the PNG with Python's zlib and count distinct pixel values: a blank page has one.
    const colors = Number(execFileSync('/usr/bin/python3', ['-c', `
import sys, zlib, struct
b = open(sys.argv[1], 'rb').read()
w, h, depth, ctype = struct.unpack('>IIBB', b[16:26])
i, idat = 8, b''
while i < len(b):
    n = struct.unpack('>I', b[i:i+4])[0]; t = b[i+4:i+8]
    if t == b'IDAT': idat += b[i+8:i+8+n]
    i += 12 + n
raw = zlib.decompress(idat)
bpp = {2: 3, 6: 4}[ctype]
stride = w * bpp + 1
print(len({raw[r*stride+1+c*bpp:r*stride+1+c*bpp+3] for r in range(0, h, 7) for c in range(0, w, 7)}))
`, png], { encoding: 'utf8' }).trim());
    expect(colors).toBeGreaterThan(5);
    process.stderr.write(`HTML report ${statSync(html).size} bytes; screenshot ${statSync(png).size} bytes, ${colors} distinct sampled colours\n`);
  });
});

