/**
 * Reader blinding from zipped studies (the seed workflow): `Name.zip` holding a DICOMDIR made
 * by dcmtk's dcmmkdir and DICOM/FILE* images. Checked with independent tools: dcmdump and
 * dciodvfy read the rebuilt DICOMDIRs, pydicom lists their references, and the raw bytes of
 * everything written are searched for what the sources held.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCohort, pythonWith, realDicomFiles } from '@dcmblind/test-utils';
import { dciodvfyErrors, dcmblind, runWith, HAVE_DCIODVFY, listTree, readTree, tmp } from './helpers.js';

const PY = pythonWith('pydicom');
const HAVE = PY !== undefined && spawnSync('dcmmkdir', ['--version']).status === 0 && HAVE_DCIODVFY;
if (!HAVE && process.env.CI)
  throw new Error('CI needs python3-pydicom, dcmtk and dicom3tools (installed by .ci/run)');
const KEYTOOL = fileURLToPath(new URL('../../keytool/dist/main.js', import.meta.url));

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const NAMES = ['Doe Jane', 'Müller Ünal', `Very ${'long '.repeat(30)}name`];

let dir: string;
let zips: string;
/** What each subject's sources hold: names, IDs, dates, UIDs (read with pydicom). */
let secrets: string[];

describe.skipIf(!HAVE)('blinding zipped studies', () => {
  beforeAll(() => {
    dir = tmp('blind-');
    const cohort = join(dir, 'cohort');
    const c = makeCohort(cohort, {
      patients: 3,
      studiesPerPatient: 2,
      seriesPerStudy: 2,
      instancesPerSeries: 2,
    });
    zips = join(dir, 'zips');
    mkdirSync(zips);
    c.patients.forEach((p, i) => {
      // The media a scanner exports: DICOM/FILE0001…, indexed by a DICOMDIR dcmmkdir writes.
      const stage = join(dir, 'stage', p.folder);
      mkdirSync(join(stage, 'DICOM'), { recursive: true });
      const files = execFileSync('find', [join(cohort, 'site-A', p.folder), '-name', '*.dcm'], {
        encoding: 'utf8',
      })
        .trim()
        .split('\n')
        .sort();
      for (const [k, f] of files.entries())
        copyFileSync(f, join(stage, 'DICOM', `FILE${String(k + 1).padStart(4, '0')}`));
      execFileSync('dcmmkdir', ['+r', '+id', stage, '+D', join(stage, 'DICOMDIR'), 'DICOM'], {
        stdio: 'ignore',
      });
      execFileSync(PY as string, [
        '-c',
        `
import sys, os, zipfile
root, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    for dp, _, fs in sorted(os.walk(root)):
        for f in sorted(fs):
            p = os.path.join(dp, f); z.write(p, os.path.relpath(p, root))
    z.writestr('VIEWER/README.TXT', 'a viewer would be here')
`,
        stage,
        join(zips, `${NAMES[i]}.zip`),
      ]);
    });
    // Broken inputs next to them: not a zip, and a zip with nothing DICOM inside.
    writeFileSync(join(zips, 'not a zip.zip'), 'this is text');
    execFileSync(PY as string, [
      '-c',
      "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w'); z.writestr('README.txt','hello'); z.close()",
      join(zips, 'empty study.zip'),
    ]);
    secrets = JSON.parse(
      execFileSync(
        PY as string,
        [
          '-c',
          `
import sys, os, json, pydicom
vals = set()
for dp, _, fs in os.walk(sys.argv[1]):
    for f in fs:
        ds = pydicom.dcmread(os.path.join(dp, f))
        for e in ds.iterall():
            if e.VR in ('PN', 'LO', 'SH', 'DA', 'UI') and e.value not in (None, ''):
                v = str(e.value)
                if e.VR == 'UI' and v.startswith('1.2.840.10008.'): continue
                if e.VR == 'PN': vals.update(x for x in v.replace('^', ' ').split() if len(x) >= 4)
                if e.keyword in ('PatientName', 'PatientID', 'AccessionNumber', 'PatientBirthDate', 'StudyDate', 'SeriesDate', 'StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID', 'InstitutionName', 'ReferringPhysicianName', 'OtherPatientIDs'):
                    vals.add(v)
print(json.dumps(sorted(vals)))
`,
          cohort,
        ],
        { encoding: 'utf8' },
      ),
    ) as string[];
    expect(secrets.length).toBeGreaterThan(20);
  });

  it('blinds each zip into <64-hex>/DICOMDIR + DICOM/<8.3>, with DICOMDIRs that dcmtk and dciodvfy accept', () => {
    const before = new Map(readdirSync(zips).map((z) => [z, sha(join(zips, z))]));
    const out = join(dir, 'out');
    const key = join(dir, 'blind.key');
    const r = dcmblind(['run', zips, '--out', out, '--key', key, '--profile', 'blinding']);
    expect(r.code).toBe(1); // the two broken zips
    expect(r.stderr).toMatch(/not a zip\.zip.*\[E_ZIP\]/);
    expect(r.stderr).toMatch(/empty study\.zip: the archive holds no DICOM file \[E_NOT_DICOM\]/);
    // Other files on the media (a viewer's README) are noted, not failures.
    expect(r.stderr).toMatch(/skipped: .*Doe Jane\.zip!\/VIEWER\/README\.TXT: not DICOM/);
    expect(r.stderr.match(/^error: /gm)).toHaveLength(2);
    // Sources untouched.
    for (const [z, h] of before) expect(sha(join(zips, z)), z).toBe(h);

    const subjects = readdirSync(out)
      .filter((d) => d !== '.dcmblind')
      .sort();
    expect(subjects).toHaveLength(3);
    for (const s of subjects) {
      expect(s).toMatch(/^[0-9a-f]{64}$/);
      const files = readdirSync(join(out, s, 'DICOM')).sort();
      expect(files).toHaveLength(8);
      for (const f of files) expect(f).toMatch(/^[0-9A-Z]{1,8}$/);
      expect(readdirSync(join(out, s)).sort()).toEqual(['DICOM', 'DICOMDIR']);
      const dicomdir = join(out, s, 'DICOMDIR');
      expect(spawnSync('dcmdump', [dicomdir]).status, 'dcmdump').toBe(0);
      // No dciodvfy error the input DICOMDIRs did not have.
      const inputErrors = new Set(
        [...readdirSync(join(dir, 'stage'))].flatMap((p) => [
          ...dciodvfyErrors(join(dir, 'stage', p, 'DICOMDIR')),
        ]),
      );
      for (const e of dciodvfyErrors(dicomdir)) expect(inputErrors.has(e), e).toBe(true);
      // Every referenced file exists, every file is referenced, records name this subject only.
      const refs = JSON.parse(
        execFileSync(
          PY as string,
          [
            '-c',
            `
import sys, json, pydicom
d = pydicom.dcmread(sys.argv[1])
recs = d.DirectoryRecordSequence
print(json.dumps({'files': sorted('/'.join(r.ReferencedFileID) for r in recs if 'ReferencedFileID' in r),
  'patients': sorted(str(r.PatientID) for r in recs if r.DirectoryRecordType == 'PATIENT'),
  'types': sorted(set(r.DirectoryRecordType for r in recs))}))
`,
            dicomdir,
          ],
          { encoding: 'utf8' },
        ),
      );
      expect(refs.files).toEqual(files.map((f) => `DICOM/${f}`));
      expect(refs.patients).toEqual([s]);
      expect(refs.types).toEqual(['IMAGE', 'PATIENT', 'SERIES', 'STUDY']);
      // The images say the same: PatientID and PatientName are the subject.
      const ids = execFileSync(
        PY as string,
        [
          '-c',
          'import sys,pydicom; print(set((str(pydicom.dcmread(f).PatientID), str(pydicom.dcmread(f).PatientName)) for f in sys.argv[1:]))',
          ...files.map((f) => join(out, s, 'DICOM', f)),
        ],
        { encoding: 'utf8' },
      );
      expect(ids.trim()).toBe(`{('${s}', '${s}')}`);
    }
  });

  it('writes no source name, ID, date or UID anywhere (DICOMDIRs and paths included), and file times say nothing', () => {
    const out = join(dir, 'out');
    for (const [p, bytes] of readTree(out)) {
      for (const v of [...secrets, ...NAMES.map((n) => n.split(' ')[0] as string)]) {
        expect(bytes.includes(Buffer.from(v, 'utf8')), `${v} in ${p}`).toBe(false);
        expect(bytes.includes(Buffer.from(v, 'latin1')), `${v} in ${p}`).toBe(false);
        expect(p.includes(v), `${v} in path ${p}`).toBe(false);
      }
      expect(statSync(join(out, p)).mtime.toISOString()).toBe('2000-01-01T00:00:00.000Z');
    }
    // No dates at all in the images: every DA/DT/TM is empty.
    const dated = execFileSync(
      PY as string,
      [
        '-c',
        `
import sys, os, pydicom
n = 0
for dp, dirs, fs in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if d != '.dcmblind']
    for f in fs:
        if f == 'DICOMDIR': continue
        for e in pydicom.dcmread(os.path.join(dp, f)).iterall():
            if e.VR in ('DA', 'DT', 'TM') and e.value not in (None, ''): n += 1
print(n)
`,
        out,
      ],
      { encoding: 'utf8' },
    );
    expect(dated.trim()).toBe('0');
  });

  it('the same zips and key give a byte-identical tree; a rerun into the same output writes nothing', () => {
    const again = join(dir, 'again');
    copyFileSync(join(dir, 'blind.key'), join(dir, 'again.key'));
    expect(
      dcmblind(['run', zips, '--out', again, '--key', join(dir, 'again.key'), '--profile', 'blinding']).code,
    ).toBe(1);
    const a = readTree(join(dir, 'out'));
    const b = readTree(again);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [p, bytes] of a) expect(bytes.equals(b.get(p) as Buffer), p).toBe(true);
    const rerun = runWith(zips, join(dir, 'out'), join(dir, 'blind.key'), [
      '--profile',
      'blinding',
      '--json',
    ]);
    expect(JSON.parse(rerun.stdout).written).toBe(0);
    expect(listTree(join(dir, 'out'))).toEqual([...a.keys()]);
  });

  it('--subject-id source-sha256 names subjects by their zip, and the key exports the classic BlindingKey.txt', () => {
    const out = join(dir, 'by-sha');
    const key = join(dir, 'sha.key');
    runWith(zips, out, key, ['--profile', 'blinding', '--subject-id', 'source-sha256']);
    const good = NAMES.map((n) => `${n}.zip`);
    expect(
      readdirSync(out)
        .filter((d) => d !== '.dcmblind')
        .sort(),
    ).toEqual(good.map((z) => sha(join(zips, z))).sort());
    const bk = join(dir, 'BlindingKey.txt');
    const r = spawnSync(process.execPath, [KEYTOOL, 'export', key, '--blinding-key', bk], {
      encoding: 'utf8',
      env: { ...process.env, DCMBLIND_PASSPHRASE: 'correct horse battery staple 42' },
    });
    expect(r.status, r.stderr).toBe(0);
    // Exactly what `sha256sum *.zip` prints in the zips' folder, for the zips that held DICOM.
    const classic = execFileSync('sha256sum', good, { cwd: zips, encoding: 'utf8' });
    const sortLines = (t: string) => t.trim().split('\n').sort();
    expect(sortLines(readFileSync(bk, 'utf8'))).toEqual(sortLines(classic));
    // The subject carries it inside the files too.
    const f = readdirSync(join(out, sha(join(zips, good[0] as string)), 'DICOM'))[0] as string;
    const id = execFileSync(
      PY as string,
      [
        '-c',
        'import sys,pydicom; print(pydicom.dcmread(sys.argv[1]).PatientID)',
        join(out, sha(join(zips, good[0] as string)), 'DICOM', f),
      ],
      { encoding: 'utf8' },
    );
    expect(id.trim()).toBe(sha(join(zips, good[0] as string)));
  });

  it("gives reports, RT objects and waveforms (pydicom's real files) the record types and keys dcmmkdir gives them", () => {
    // Real non-image objects, one per SOP Class, staged as media with dcmmkdir's own DICOMDIR
    // (+I: it invents the Type 1 keys some test files lack). That DICOMDIR is the oracle.
    const stage = join(dir, 'objects-stage');
    mkdirSync(join(stage, 'DICOM'), { recursive: true });
    const picked = JSON.parse(
      execFileSync(
        PY as string,
        [
          '-c',
          `
import sys, json, pydicom
want = ('1.2.840.10008.5.1.4.1.1.88.', '1.2.840.10008.5.1.4.1.1.481.', '1.2.840.10008.5.1.4.1.1.9.', '1.2.840.10008.5.1.4.1.1.11.', '1.2.840.10008.5.1.4.1.1.104.')
seen, out = set(), []
for f in sorted(sys.argv[1:]):
    try: ds = pydicom.dcmread(f, stop_before_pixels=True)
    except Exception: continue
    c = str(ds.get('SOPClassUID', ''))
    if c.startswith(want) and c not in seen and ds.file_meta.get('TransferSyntaxUID'):
        seen.add(c); out.append(f)
print(json.dumps(out))
`,
          ...realDicomFiles(),
        ],
        { encoding: 'utf8' },
      ),
    ) as string[];
    expect(picked.length).toBeGreaterThanOrEqual(5);
    for (const [k, f] of picked.entries())
      copyFileSync(f, join(stage, 'DICOM', `FILE${String(k + 1).padStart(4, '0')}`));
    execFileSync('dcmmkdir', ['+r', '+I', '-Nxc', '+id', stage, '+D', join(stage, 'DICOMDIR'), 'DICOM'], {
      stdio: 'ignore',
    });
    const zip = join(dir, 'objects', 'Mixed objects.zip');
    mkdirSync(join(dir, 'objects'));
    execFileSync(PY as string, [
      '-c',
      `
import sys, os, zipfile
root, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, 'w') as z:
    for dp, _, fs in sorted(os.walk(root)):
        for f in sorted(fs):
            p = os.path.join(dp, f); z.write(p, os.path.relpath(p, root))
`,
      stage,
      zip,
    ]);
    const out = join(dir, 'objects-out');
    const r = runWith(zip, out, join(dir, 'objects.key'), ['--profile', 'blinding', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).written).toBe(picked.length);

    // Every instance record of a DICOMDIR: SOP Class → [record type, the keys it carries].
    const records = (paths: string[]) =>
      JSON.parse(
        execFileSync(
          PY as string,
          [
            '-c',
            `
import sys, json, pydicom
out = {}
for p in sys.argv[1:]:
    for r in pydicom.dcmread(p).DirectoryRecordSequence:
        if r.DirectoryRecordType in ('PATIENT', 'STUDY', 'SERIES'): continue
        keys = sorted('%08x' % int(e.tag) for e in r if e.tag.group != 0x0004 and int(e.tag) != 0x00080005)
        out[str(r.ReferencedSOPClassUIDInFile)] = [r.DirectoryRecordType, keys]
print(json.dumps(out))
`,
            ...paths,
          ],
          { encoding: 'utf8' },
        ),
      ) as Record<string, [string, string[]]>;
    const expected = records([join(stage, 'DICOMDIR')]);
    const subjects = readdirSync(out).filter((d) => d !== '.dcmblind');
    const got = records(subjects.map((s) => join(out, s, 'DICOMDIR')));
    expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
    expect(Object.values(got).some(([t]) => t !== 'IMAGE')).toBe(true);
    for (const [sopClass, [type, keys]] of Object.entries(expected)) {
      expect(got[sopClass]?.[0], sopClass).toBe(type);
      // The same keys, except Verification DateTime, which is only due for a VERIFIED report.
      const drop = (ks: string[]) => ks.filter((t) => t !== '0040a030');
      expect(drop(got[sopClass]?.[1] ?? []), sopClass).toEqual(drop(keys));
    }
    for (const s of subjects) {
      const d = join(out, s, 'DICOMDIR');
      expect(spawnSync('dcmdump', [d]).status, 'dcmdump').toBe(0);
      expect([...dciodvfyErrors(d)]).toEqual([]);
    }
  });
});
