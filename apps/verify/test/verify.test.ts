/**
 * dcmblind-verify against real runs: a clean output has no findings; then one leak of each
 * kind is planted into a copy of that output (with pydicom, an independent writer) and must be
 * reported with its rule and element path — and the report must not contain the leaked value.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYDICOM_DIRS, type SyntheticPatient, testDir } from '@dcmblind/test-utils';
import {
  CLI,
  ENV,
  PY,
  verify,
  plant,
  dir,
  input,
  clean,
  patients,
  key,
  sourceOf,
  copyOf,
  setUpCleanRun,
  tearDownCleanRun,
  firstOfEach,
  runOne,
} from './clean-run.js';

describe.skipIf(!PY)('dcmblind-verify', () => {
  beforeAll(setUpCleanRun);
  afterAll(tearDownCleanRun);

  it('a clean run has no findings, with the source, with the key, and with neither', () => {
    for (const args of [
      ['--source', input],
      ['--key', key],
      ['--source', input, '--key', key, '--profile', 'basic'],
      [],
    ]) {
      const v = verify([clean, ...args]);
      expect(v.report.findings, JSON.stringify(args)).toEqual([]);
      expect(v.code).toBe(0);
      expect(v.report.files).toBe(18);
      // The header a reviewer signs: when, what ran, with which seeds, and the verdict.
      expect(v.report.verdict).toBe('release');
      expect(v.stdout).toContain('verdict: RELEASE');
      expect(Date.now() - Date.parse(v.report.generatedAt)).toBeLessThan(120_000);
      expect(v.report.generatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(v.report.toolVersion).toMatch(/^\d+\.\d+\.\d+/);
      const ran = Object.fromEntries(v.report.checks.map((c) => [c.name, c.ran]));
      expect(ran['every source written']).toBe(args.includes('--source'));
      expect(ran['seeded search']).toBe(args.length > 0);
      expect(ran['recorded outputs present']).toBe(true);
      if (args.includes('--source')) expect(v.report.seedCounts.name).toBeGreaterThan(0);
      if (args.length === 0) expect(v.report.seedCounts).toEqual({});
      expect(v.report.notJudged).toEqual([]);
    }
  });

  it("real-world files (pydicom's test data): no leak; failed sources and shared instances reported", () => {
    for (const src of PYDICOM_DIRS.filter((d) => existsSync(d))) {
      const out = join(dir, `real-${src.split('/').at(-1)}`);
      const k = join(dir, `real-${src.split('/').at(-1)}.key`);
      const r = spawnSync(process.execPath, [CLI, 'run', src, '--out', out, '--key', k, '--quiet'], {
        encoding: 'utf8',
        env: ENV,
      });
      expect([0, 1]).toContain(r.status); // some of pydicom's files are deliberately broken
      const v = verify([out, '--source', src, '--key', k]);
      expect(v.report.files).toBeGreaterThan(10);
      const rules = new Set(v.report.findings.map((f) => f.rule));
      const expected = ['source-not-written', 'duplicate-sop-instance', 'pixel-text'];
      expect(
        [...rules].filter((x) => !expected.includes(x)),
        src,
      ).toEqual([]);
      // Text in the pixels: only GDCM's JPEG 2000 test image, which shows the words "red",
      // "green" and "blue" (each read, hashed; nothing read in the other at-risk images).
      const pixelText = v.report.findings.filter((f) => f.rule === 'pixel-text');
      expect([...new Set(pixelText.map((f) => basename(f.file)))], src).toEqual(
        src.endsWith('test_files') ? ['GDCMJ2K_TextGBR.dcm'] : [],
      );
      if (src.endsWith('test_files'))
        expect(new Set(pixelText.map((f) => f.valueHash)).size).toBeGreaterThanOrEqual(3);
      // Unwritten sources, against dcmblind's own error lines: each reported one was failed by
      // dcmblind, and every DICOM file it failed (truncated, nothing to identify it) is reported.
      const failed = new Map<string, string>();
      for (const m of r.stderr.matchAll(/^error: (.*?): (.*) \[(E_\w+)\]$/gm)) {
        failed.set(basename(m[1] as string), m[2] as string);
      }
      const unwritten = v.report.findings.filter((f) => f.rule === 'source-not-written').map((f) => f.file);
      for (const f of unwritten) expect(failed.has(basename(f)), f).toBe(true);
      const mustReport = [...failed]
        .filter(([name, why]) => !name.startsWith('DICOMDIR') && /incomplete|nothing identifies/.test(why))
        .map(([name]) => name);
      expect(mustReport.length).toBeGreaterThan(0);
      for (const f of mustReport)
        expect(
          unwritten.map((u) => basename(u)),
          f,
        ).toContain(f);
      // Duplicated instances, counted by pydicom over the output: one finding per shared UID.
      const shared = Number(
        execFileSync(
          PY as string,
          [
            '-c',
            `
import sys, os, collections, pydicom
n = collections.Counter()
for root, dirs, names in os.walk(sys.argv[1]):
  dirs[:] = [x for x in dirs if x != '.dcmblind']
  for f in names:
    ds = pydicom.dcmread(os.path.join(root, f), stop_before_pixels=True)
    if ds.file_meta.get('MediaStorageSOPClassUID') != '1.2.840.10008.1.3.10': n[str(ds.SOPInstanceUID)] += 1
print(sum(1 for c in n.values() if c > 1))
`,
            out,
          ],
          { encoding: 'utf8' },
        ).trim(),
      );
      expect(
        v.report.findings.filter((f) => f.rule === 'duplicate-sop-instance'),
        src,
      ).toHaveLength(shared);
    }
  });

  it('a research-profile run has no findings', () => {
    const out = join(dir, 'research');
    const r = spawnSync(
      process.execPath,
      [CLI, 'run', input, '--out', out, '--key', join(dir, 'r.key'), '--profile', 'research', '--quiet'],
      { encoding: 'utf8', env: ENV },
    );
    expect(r.status, r.stderr).toBe(0);
    const v = verify([out, '--source', input, '--profile', 'research']);
    expect(v.report.findings).toEqual([]);
    // Held to the wrong profile: every file says it declares other options, and what the
    // research profile keeps (patient characteristics, shifted dates) is reported as present.
    const wrong = verify([out, '--profile', 'basic']);
    expect(wrong.report.findings.filter((f) => f.rule === 'marker-profile')).toHaveLength(18);
    expect(new Set(wrong.report.findings.map((f) => f.rule))).toEqual(
      new Set(['marker-profile', 'profile-removed-present']),
    );
  });

  // Each planted leak: the edit, then the rule and element path that must be reported.
  const cases: Array<{
    name: string;
    edit: string;
    rule: string;
    element: string;
    category?: string;
    secret: (s: SyntheticPatient) => string;
  }> = [
    {
      name: 'top-level PatientID',
      edit: 'ds.PatientID = src.PatientID',
      rule: 'seed-match',
      element: 'PatientID',
      category: 'id',
      secret: (p) => p.id,
    },
    {
      name: 'a name nested three sequences deep',
      edit: `
inner = Dataset(); inner.PersonName = src.PatientName
mid = Dataset(); mid.ContentSequence = Sequence([inner])
outer = Dataset(); outer.ContentSequence = Sequence([mid])
ds.ContentSequence = Sequence([outer])`,
      rule: 'seed-match',
      element: 'ContentSequence[0].ContentSequence[0].ContentSequence[0].PersonName',
      category: 'name',
      secret: (p) => p.name,
    },
    {
      name: 'a private block',
      edit: `
block = ds.private_block(0x0009, 'ACME IMAGING', create=True)
block.add_new(0x01, 'LO', str(src.PatientID))`,
      rule: 'seed-match',
      element: '(0009,1001)',
      category: 'id',
      secret: (p) => p.id,
    },
    {
      name: 'free text',
      edit: "ds.ImageComments = 'seen with ' + str(src.PatientName).replace('^', ' ') + ' in clinic'",
      rule: 'seed-match',
      element: 'ImageComments',
      category: 'name',
      secret: (p) => p.name.split('^')[0] as string,
    },
    {
      name: 'a Latin-1 name',
      edit: "ds.SpecificCharacterSet = 'ISO_IR 100'\nds.ReferringPhysicianName = str(src.PatientName)",
      rule: 'seed-match',
      element: 'ReferringPhysicianName',
      category: 'name',
      secret: (p) => p.name,
    },
    {
      name: 'a UTF-8 name',
      edit: "ds.SpecificCharacterSet = 'ISO_IR 192'\nds.ReferringPhysicianName = str(src.PatientName)",
      rule: 'seed-match',
      element: 'ReferringPhysicianName',
      category: 'name',
      secret: (p) => p.name,
    },
    {
      name: 'an unshifted date',
      edit: 'ds.StudyDate = src.StudyDate',
      rule: 'unshifted-date',
      element: 'StudyDate',
      category: 'date',
      secret: () => '',
    },
    {
      name: 'a leftover source UID',
      edit: 'ds.StudyInstanceUID = src.StudyInstanceUID',
      rule: 'source-uid',
      element: 'StudyInstanceUID',
      category: 'uid',
      secret: () => '',
    },
    {
      name: 'a dangling reference',
      // The output has no ReferencedImageSequence (X/Z/U* on a Type 3 attribute removes it): put
      // back the source's reference with a UID that resolves to nothing.
      edit:
        'item = Dataset(); item.ReferencedSOPClassUID = src.ReferencedImageSequence[0].ReferencedSOPClassUID; ' +
        "item.ReferencedSOPInstanceUID = '2.25.1234567890123456789'; ds.ReferencedImageSequence = Sequence([item])",
      rule: 'reference-broken',
      element: 'ReferencedImageSequence[0].ReferencedSOPInstanceUID',
      secret: () => '',
    },
  ];

  for (const c of cases) {
    it(`finds ${c.name}: ${c.rule} at ${c.element}`, () => {
      const tree = copyOf(c.name.replace(/\W+/g, '-'));
      const rels = firstOfEach();
      for (const rel of rels) plant(join(tree, rel), c.edit, sourceOf.get(rel));
      const v = verify([tree, '--source', input]);
      expect(v.code).toBe(1);
      for (const rel of rels) {
        const hit = v.report.findings.filter(
          (f) => f.file === rel && f.rule === c.rule && f.element === c.element,
        );
        expect(hit, `${rel}: ${JSON.stringify(v.report.findings, null, 1)}`).toHaveLength(1);
        if (c.category) expect(hit[0]?.category).toBe(c.category);
        // The report names the leak; it never repeats it.
        const patient = patients.find((p) =>
          sourceOf.get(rel)?.includes(`/${p.folder}/`),
        ) as SyntheticPatient;
        const secret = c.secret(patient);
        if (secret) expect(v.raw + v.stdout).not.toContain(secret);
      }
      // Only the planted files are reported.
      expect(new Set(v.report.findings.map((f) => f.file).filter((f) => f !== ''))).toEqual(new Set(rels));
    });
  }

  it('finds a source name in text the table does not list, even as its source wrote it there', () => {
    // DetectorDescription is outside Table E.1-1, on dcmblind's reviewed list of text it cleans:
    // the source's own value holding the name is a leak in the output, not "its own value".
    const d = testDir('unlisted-');
    const { out, written } = runOne(
      d,
      "ds.DetectorDescription = 'flat panel, checked by ' + str(ds.PatientName).replace('^', ' ')",
    );
    expect(verify([out, '--source', join(d, 'in')]).report.findings).toEqual([]);
    plant(join(out, written), 'ds.DetectorDescription = src.DetectorDescription', join(d, 'in', 'one.dcm'));
    const v = verify([out, '--source', join(d, 'in')]);
    expect(v.code).toBe(1);
    expect(v.report.findings.map((f) => `${f.rule} ${f.element} ${f.category}`)).toContain(
      'seed-match DetectorDescription name',
    );
    rmSync(d, { recursive: true, force: true });
  });

  it("holds an output to the options its run was given beyond the profile's (no marker-profile finding)", () => {
    const d = testDir('options-');
    const { out } = runOne(d, undefined, ['--profile', 'research', '--option', 'clean-structured-content']);
    expect(verify([out, '--source', join(d, 'in')]).report.findings).toEqual([]);
    rmSync(d, { recursive: true, force: true });
  });

  it.each([
    // Lower case with its accent: not one byte in common with the header's capitals.
    [
      'accents or a case its header lacks',
      'ΠΑΠΑΔΟΠΟΥΛΟΣ^ΓΕΩΡΓΙΟΣ',
      'Παπαδόπουλος',
      /Παπαδόπουλος|ΠΑΠΑΔΟΠΟΥΛΟΣ|papadop/i,
    ],
    [
      'a letter of another script inside (a Latin a)',
      'ИВАНОВ^ЮРИЙ',
      'Ивaнов',
      /Ивaнов|ИВАНОВ|Иванов|ivanov/i,
    ],
  ])('finds a name written with %s', (_, patientName, written, shown) => {
    const d = testDir('folded-');
    const { out, written: file } = runOne(
      d,
      `ds.SpecificCharacterSet = 'ISO_IR 192'; ds.PatientName = '${patientName}'`,
    );
    expect(verify([out, '--source', join(d, 'in')]).report.findings).toEqual([]);
    plant(join(out, file), `ds.DetectorDescription = 'checked by ${written}'`);
    const v = verify([out, '--source', join(d, 'in')]);
    expect(v.code).toBe(1);
    expect(v.report.findings.map((f) => `${f.rule} ${f.element} ${f.category}`)).toContain(
      'seed-match DetectorDescription name',
    );
    expect(v.raw + v.stdout).not.toMatch(shown);
    rmSync(d, { recursive: true, force: true });
  });
});
