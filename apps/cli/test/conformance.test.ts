/**
 * Outputs stay valid DICOM: dciodvfy (dicom3tools, an independent validator) reports no error
 * line in an output that its source did not have (values and UIDs blanked), for every profile,
 * on pydicom's real-world test files and on the benchmark cohorts built from real vendor
 * headers (GE CT with private groups, Enhanced CT with functional groups, ultrasound cine).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyStore } from '@dcmblind/core';
import { buildDicom, type El, pythonWith, PYDICOM_DIRS } from '@dcmblind/test-utils';
import { dciodvfyErrors, dcmblind, HAVE_DCIODVFY, newErrors, PASSPHRASE, runWith, tmp } from './helpers.js';

const PY_NUMPY = pythonWith('numpy');
const HAVE = HAVE_DCIODVFY && PY_NUMPY !== undefined && pythonWith('pydicom') !== undefined;
if (!HAVE && process.env.CI)
  throw new Error('CI needs dicom3tools, python3-pydicom and python3-numpy (.ci/run)');
if (!HAVE) console.warn('skipping conformance: needs dicom3tools, python3-pydicom and python3-numpy');

const MAKE_COHORT = fileURLToPath(new URL('../../../test-data/python/make_cohort.py', import.meta.url));
const PROFILES = ['basic', 'research', 'blinding'] as const;

const filesUnder = (d: string): string[] =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(d, e.name)) : [join(d, e.name)],
  );

/** Each file in a folder of its own (one patient per folder), so no file is refused for its neighbours. */
function isolate(files: readonly string[], root: string, into: string): void {
  for (const f of files) {
    const name = relative(root, f).replace(/\//g, '__');
    mkdirSync(join(into, name));
    copyFileSync(f, join(into, name, name));
  }
}

describe.skipIf(!HAVE)('outputs stay valid (dciodvfy)', () => {
  let real: string;
  let cohorts: string;
  beforeAll(() => {
    real = tmp('conf-real-');
    const src = PYDICOM_DIRS[0] as string;
    isolate(filesUnder(src), src, real);
    cohorts = tmp('conf-cohorts-');
    for (const shape of ['many-small', 'few-large']) {
      const args = [MAKE_COHORT, '--shape', shape, '--size', 'small', '--out', cohorts, '--jobs', '2'];
      execFileSync(PY_NUMPY as string, args, { stdio: 'ignore' });
    }
  });
  it('--dry-run says, per file, what the IOD made of each combined code and why', () => {
    const dir = tmp('conf-dry-');
    const r = runWith(join(cohorts, 'many-small-small'), join(dir, 'o'), join(dir, 'k.key'), ['--dry-run']);
    expect(r.code).toBe(0);
    const first = r.stdout.split('\nwould write ')[0] as string;
    expect(first).toMatch(/^would write .*IM\d+\.dcm {2}<- /);
    expect(first).toContain('    X/Z → X: Type 3 in General Image — Acquisition Date');
    expect(first).toContain('    X/Z/D → X: Type 3 in General Equipment — Institution Name');
  });
  for (const profile of PROFILES) {
    it(`${profile}: no new error on pydicom's test files`, async () => {
      expect(Object.fromEntries(await newErrors(real, profile))).toEqual({});
    }, 300_000);
    it(`${profile}: no new error on the benchmark cohorts (GE CT, Enhanced CT, US cine)`, async () => {
      for (const shape of ['many-small-small', 'few-large-small']) {
        expect(Object.fromEntries(await newErrors(join(cohorts, shape), profile)), shape).toEqual({});
      }
    }, 300_000);
  }
});

/** An Encapsulated PDF (PS3.3 A.45.1) whose document and header name the patient. */
function encapsulated(mime: string, doc: string, burnedIn: 'YES' | 'NO'): Uint8Array {
  const bytes = Buffer.from(doc, 'latin1');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(bytes.length);
  const els: El[] = [
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.104.1'],
    [0x00080018, 'UI', '1.2.826.0.1.3680043.9.9999.77.1'],
    [0x00080020, 'DA', '20240310'],
    [0x00080023, 'DA', '20240310'],
    [0x00080030, 'TM', '101010'],
    [0x00080033, 'TM', '101010'],
    [0x0008002a, 'DT', '20240310101010'],
    [0x00080050, 'SH', 'ACC778899'],
    [0x00080060, 'CS', 'DOC'],
    [0x00080064, 'CS', 'WSD'],
    [0x00080070, 'LO', 'Acme'],
    [0x00080090, 'PN', 'House^Gregory'],
    [0x00100010, 'PN', 'Doe^Jane'],
    [0x00100020, 'LO', 'MRN445566'],
    [0x00100030, 'DA', '19700101'],
    [0x00100040, 'CS', 'F'],
    [0x0020000d, 'UI', '1.2.826.0.1.3680043.9.9999.77.2'],
    [0x0020000e, 'UI', '1.2.826.0.1.3680043.9.9999.77.3'],
    [0x00200010, 'SH', 'S1'],
    [0x00200011, 'IS', '1'],
    [0x00200013, 'IS', '1'],
    [0x00280301, 'CS', burnedIn],
    [0x0040a043, 'SQ', []],
    [0x00420010, 'ST', 'Radiology report'],
    [0x00420011, 'OB', bytes],
    [0x00420012, 'LO', mime],
    [0x00420015, 'UL', length],
  ];
  return buildDicom(els);
}

describe.skipIf(!HAVE)('encapsulated documents', () => {
  it('a PDF becomes a valid placeholder PDF (length and MIME type true); any other document is quarantined', () => {
    // Reports say YES to burned-in annotation (their text names the patient): the PDF is replaced
    // whole all the same, and the CDA is quarantined for what it is.
    const dir = tmp('encdoc-');
    mkdirSync(join(dir, 'in', 'a'), { recursive: true });
    mkdirSync(join(dir, 'in', 'b'));
    const pdf =
      '%PDF-1.4\n1 0 obj << /Title (Doe Jane, MRN445566) >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';
    writeFileSync(join(dir, 'in', 'a', 'report.dcm'), encapsulated('application/pdf', pdf, 'YES'));
    writeFileSync(
      join(dir, 'in', 'b', 'cda.dcm'),
      encapsulated('text/XML', '<ClinicalDocument>Doe Jane</ClinicalDocument>', 'YES'),
    );
    const key = join(dir, 'k.key');
    const r = dcmblind(['run', join(dir, 'in'), '--out', join(dir, 'out'), '--key', key, '--json']);
    expect(r.stderr).toMatch(
      /quarantined: .*cda\.dcm: encapsulated text\/XML: dcmblind cannot de-identify its content/,
    );
    const k = KeyStore.open(key, PASSPHRASE, { readOnly: true });
    expect(k.payload.files.toArray()).toHaveLength(1);
    const out = join(dir, 'out', k.payload.files.toArray()[0]?.outputPath as string);
    const facts = JSON.parse(
      execFileSync(
        PY_NUMPY as string,
        [
          '-c',
          [
            'import sys, json, pydicom',
            'ds = pydicom.dcmread(sys.argv[1])',
            'd = bytes(ds.EncapsulatedDocument)',
            'doc = d[:ds.EncapsulatedDocumentLength]',
            'sx = int(doc.rsplit(b"startxref", 1)[1].split()[0])',
            'rows = doc[sx:].split(b"\\n")',
            'n = int(rows[1].split()[1])',
            'xref = doc[sx:sx + 4] == b"xref" and all(doc[int(r[:10]):].startswith(b"%d 0 obj" % i) for i, r in enumerate(rows[3:2 + n], 1))',
            'print(json.dumps({"head": d[:8].decode("latin-1"), "tail": d.rstrip(b"\\0").rstrip()[-5:].decode(), "length": ds.EncapsulatedDocumentLength, "stored": len(d), "mime": ds.MIMETypeOfEncapsulatedDocument, "xref": xref, "burned": ds.BurnedInAnnotation}))',
          ].join('\n'),
          out,
        ],
        { encoding: 'utf8' },
      ),
    );
    expect(facts.head).toBe('%PDF-1.4');
    expect(facts.tail).toBe('%%EOF');
    expect(facts.mime).toBe('application/pdf');
    expect(facts.xref).toBe(true); // every object where the cross-reference table says
    expect(facts.burned).toBe('NO'); // the placeholder shows no one
    expect([facts.length, facts.length + 1]).toContain(facts.stored);
    const bytes = readFileSync(out).toString('latin1');
    for (const v of ['Doe', 'MRN445566', 'House']) expect(bytes).not.toContain(v);
    const before = dciodvfyErrors(join(dir, 'in', 'a', 'report.dcm'));
    expect([...dciodvfyErrors(out)].filter((e) => !before.has(e))).toEqual([]);
  });
});

describe.skipIf(!HAVE)('what a UID names, and conditional attributes', () => {
  it('keeps a private SOP Class UID in the data set and the meta; drops a role whose person was emptied', () => {
    const dir = tmp('classes-');
    mkdirSync(join(dir, 'in', 'a'), { recursive: true });
    mkdirSync(join(dir, 'in', 'b'));
    const ct = join(PYDICOM_DIRS[0] as string, 'CT_small.dcm');
    const edit = (code: string, out: string) =>
      execFileSync(PY_NUMPY as string, [
        '-c',
        `import sys, pydicom\nds = pydicom.dcmread(sys.argv[1])\n${code}\nds.save_as(sys.argv[2])`,
        ct,
        out,
      ]);
    edit(
      "ds.SOPClassUID = '1.3.12.2.1107.5.9.1'; ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID",
      join(dir, 'in', 'a', 'csa.dcm'),
    );
    edit(
      "ds.ResponsiblePerson = 'Owner^Bob'; ds.ResponsiblePersonRole = 'OWNER'",
      join(dir, 'in', 'b', 'pet.dcm'),
    );
    const key = join(dir, 'k.key');
    // The dry run says why: an IOD it does not know, a role whose condition no longer holds.
    const dry = runWith(join(dir, 'in'), join(dir, 'out'), key, ['--dry-run']);
    const said = (file: string) => dry.stdout.split('\nwould write ').find((b) => b.includes(file)) ?? '';
    expect(said('csa.dcm')).toContain(
      '    X/Z/D → D: Type unknown here (no module of this IOD lists it), the variant valid in any IOD — Institution Name',
    );
    expect(said('pet.dcm')).toContain(
      '    1C → X: required only while Responsible Person has a value, which it no longer has — Responsible Person Role',
    );
    expect(dcmblind(['run', join(dir, 'in'), '--out', join(dir, 'out'), '--key', key]).code).toBe(0);
    const k = KeyStore.open(key, PASSPHRASE, { readOnly: true });
    const outOf = (name: string) =>
      join(
        dir,
        'out',
        k.payload.files.toArray().find((f) => f.sourcePath.endsWith(name))?.outputPath as string,
      );
    const read = (file: string, expr: string) =>
      execFileSync(
        PY_NUMPY as string,
        ['-c', `import sys, pydicom\nds = pydicom.dcmread(sys.argv[1])\nprint(${expr})`, file],
        {
          encoding: 'utf8',
        },
      ).trim();
    expect(read(outOf('csa.dcm'), 'ds.SOPClassUID, ds.file_meta.MediaStorageSOPClassUID')).toBe(
      '1.3.12.2.1107.5.9.1 1.3.12.2.1107.5.9.1',
    );
    // Responsible Person is Type 2C in the Patient Module: emptied, it stays; its role (1C, required
    // only when the person has a value) goes.
    const pet = read(
      outOf('pet.dcm'),
      "repr(str(ds.get('ResponsiblePerson', 'absent'))), 'ResponsiblePersonRole' in ds",
    );
    expect(pet).toBe("'' False");
    const before = dciodvfyErrors(join(dir, 'in', 'b', 'pet.dcm'));
    expect([...dciodvfyErrors(outOf('pet.dcm'))].filter((e) => !before.has(e))).toEqual([]);
  });
});

describe.skipIf(!HAVE)('blinding and the IOD', () => {
  it('empties the dates the table keeps, removes those it removes, and says which; refuses options that would retain them', () => {
    const dir = tmp('blind-iod-');
    mkdirSync(join(dir, 'in', 'a'), { recursive: true });
    const ct = join(PYDICOM_DIRS[0] as string, 'CT_small.dcm');
    const src = join(dir, 'in', 'a', 'ct.dcm');
    const code = [
      "ds.PerformedProcedureStepStartDate = '20240310'", // X, Type 3 (Performed Procedure Step Information)
      "ds.PerformedProcedureStepStartTime = '101010'",
      "ds.InstanceCreationDate = '20240310'", // X/D, Type 3 (SOP Common)
      "ds.AcquisitionDate = '20240310'", // X/Z, Type 3 (General Image)
      "ds.StudyDate = '20240310'", // Z, Type 2 (General Study)
    ].join('\n');
    execFileSync(PY_NUMPY as string, [
      '-c',
      `import sys, pydicom\nds = pydicom.dcmread(sys.argv[1])\n${code}\nds.save_as(sys.argv[2])`,
      ct,
      src,
    ]);
    const key = join(dir, 'k.key');
    const refused = runWith(join(dir, 'in'), join(dir, 'o'), key, [
      '--profile',
      'blinding',
      '--option',
      'retain-long-full-dates',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /the blinding profile empties every date.*retain-long-full-dates would retain them/,
    );
    const dry = runWith(join(dir, 'in'), join(dir, 'o'), key, ['--profile', 'blinding', '--dry-run']);
    expect(dry.stdout).toContain('    X/Z → X: Type 3 in General Image — Acquisition Time');
    const r = runWith(join(dir, 'in'), join(dir, 'out'), key, ['--profile', 'blinding']);
    expect(r.code, r.stderr).toBe(0);
    const k = KeyStore.open(key, PASSPHRASE, { readOnly: true });
    const out = join(dir, 'out', k.payload.files.toArray()[0]?.outputPath as string);
    const got = execFileSync(
      PY_NUMPY as string,
      [
        '-c',
        [
          'import sys, pydicom',
          'ds = pydicom.dcmread(sys.argv[1])',
          "names = ['PerformedProcedureStepStartDate', 'PerformedProcedureStepStartTime', 'InstanceCreationDate', 'AcquisitionDate', 'StudyDate']",
          "print(' '.join(repr(str(ds[n].value)) if n in ds else 'absent' for n in names))",
        ].join('\n'),
        out,
      ],
      { encoding: 'utf8' },
    ).trim();
    expect(got).toBe("absent absent absent absent ''");
    const before = dciodvfyErrors(src);
    expect([...dciodvfyErrors(out)].filter((e) => !before.has(e))).toEqual([]);
  });
});
