/**
 * dcmblind-key end to end, on keys made by real `dcmblind run`s. The truth every answer is
 * checked against comes from the bytes, not from the key: each output file is matched to its
 * source by identical pixel data (read with pydicom), which gives the pseudonym the readers
 * see and the source identity behind it.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { KeyStore } from '@dcmblind/core';
import {
  buildDicom,
  ctInstance,
  makeCohort,
  pythonWith,
  type SyntheticPatient,
  testDir,
} from '@dcmblind/test-utils';

const KEYTOOL = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
const PASS = 'custodian passphrase for the tests';
const NEW_PASS = 'a different passphrase 99';
const ENV = { DCMBLIND_PASSPHRASE: PASS, DCMBLIND_KDF_LOG2N: '14' };

const PY = pythonWith('pydicom');
const PY_XL = pythonWith('openpyxl');
if ((!PY || !PY_XL) && process.env.CI)
  throw new Error('CI needs python3-pydicom and python3-openpyxl (installed by .ci/run)');

/** Everything any command printed, to search for the passphrase at the end. */
const printed: string[] = [];

function spawnTool(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...ENV, ...env },
    maxBuffer: 1 << 26,
  });
  printed.push(r.stdout, r.stderr);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const key = (args: string[], env: Record<string, string> = {}) => spawnTool(KEYTOOL, args, env);
const run = (args: string[], env: Record<string, string> = {}) => spawnTool(CLI, ['run', ...args], env);

interface Truth {
  /** Output file → the pseudonym in its header and the source identity behind it. */
  readonly files: Array<{
    out: string;
    pseudonym: string;
    id: string;
    name: string;
    source: string;
    studyDate: string;
  }>;
  readonly byPseudonym: Map<string, { id: string; name: string }>;
}

/** Match outputs to sources by identical pixel data; read identities with pydicom. */
function truth(input: string, out: string): Truth {
  const script = `
import sys, json, os, hashlib, pydicom
def walk(d):
    for root, _, names in os.walk(d):
        for n in names:
            if not n.startswith('.'): yield os.path.join(root, n)
src = {}
for p in walk(sys.argv[1]):
    ds = pydicom.dcmread(p)
    src[hashlib.sha256(ds.PixelData).hexdigest()] = (str(ds.PatientID), str(ds.PatientName), p, str(ds.StudyDate))
rows = []
for p in walk(sys.argv[2]):
    if '/.dcmblind/' in p: continue
    ds = pydicom.dcmread(p)
    sid, sname, sp, sdate = src[hashlib.sha256(ds.PixelData).hexdigest()]
    rows.append({'out': p, 'pseudonym': str(ds.PatientID), 'id': sid, 'name': sname, 'source': sp, 'studyDate': sdate})
print(json.dumps(rows))
`;
  const files = JSON.parse(
    execFileSync(PY as string, ['-c', script, input, out], { encoding: 'utf8', maxBuffer: 1 << 26 }),
  ) as Truth['files'];
  const byPseudonym = new Map<string, { id: string; name: string }>();
  for (const f of files) byPseudonym.set(f.pseudonym, { id: f.id, name: f.name });
  return { files, byPseudonym };
}

function tmp(): string {
  return testDir('key-');
}

function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...allFiles(p));
    else out.push(p);
  }
  return out;
}

const ZED: SyntheticPatient = {
  name: 'Zeroes^Zoë',
  id: '000123',
  birthDate: '19700101',
  folder: 'ZEROES_ZOE',
};

let dir: string;
let input: string;
let out: string;
let keyfile: string;
let patients: SyntheticPatient[];
let t: Truth;

describe.skipIf(!PY || !PY_XL)('dcmblind-key', () => {
  beforeAll(() => {
    dir = tmp();
    input = join(dir, 'in');
    const c = makeCohort(input, {
      patients: 3,
      studiesPerPatient: 2,
      seriesPerStudy: 1,
      instancesPerSeries: 3,
    });
    // A PatientID with leading zeros and a name with a diacritic: exports must keep both as written.
    const folder = join(input, 'site-A', ZED.folder, '20240101_CT', 'series-1');
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < 2; i++) {
      writeFileSync(
        join(folder, `IMG000${i + 1}.dcm`),
        buildDicom(
          ctInstance(ZED, 77, 0, 0, i, {
            patients: 1,
            studiesPerPatient: 1,
            seriesPerStudy: 1,
            instancesPerSeries: 2,
          }),
        ),
      );
    }
    patients = [...c.patients, ZED];
    out = join(dir, 'out');
    keyfile = join(dir, 'keys', 'project.key');
    mkdirSync(join(dir, 'keys'));
    const r = run([input, '--out', out, '--key', keyfile, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    t = truth(input, out);
    expect(t.byPseudonym.size).toBe(patients.length);
  });

  it('init creates an encrypted key and never overwrites one', () => {
    const k = join(dir, 'keys', 'fresh.key');
    const r = key(['init', k, '--project', 'trial-7']);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(k).mode & 0o777).toBe(0o600);
    const before = readFileSync(k);
    const again = key(['init', k]);
    expect(again.code).toBe(2);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(k).equals(before)).toBe(true);
    const info = key(['info', k, '--json']);
    expect(JSON.parse(info.stdout)).toMatchObject({ project: 'trial-7', patients: 0, files: 0, runs: 0 });
  });

  it('info gives counts, profiles and versions, and no identifier', () => {
    const r = key(['info', keyfile, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({
      patients: patients.length,
      files: t.files.length,
      runs: 1,
      profiles: ['basic'],
      lexiconPatients: patients.length,
    });
    expect(info.lexiconNames).toBeGreaterThanOrEqual(patients.length);
    for (const p of patients) {
      for (const v of [p.id, ...p.name.split('^')]) expect(r.stdout + r.stderr).not.toContain(v);
    }
  });

  it('lookup answers both ways: pseudonym → source identity, PatientID or PatientName → pseudonym', () => {
    for (const [pseudonym, who] of t.byPseudonym) {
      const fwd = key(['lookup', keyfile, pseudonym, '--json']);
      expect(fwd.code, fwd.stderr).toBe(0);
      const [m] = JSON.parse(fwd.stdout);
      expect(m.by).toBe('pseudonym');
      expect(m.patient).toMatchObject({ patientId: who.id, patientName: who.name });
      // Every source path it lists is a source of an output carrying this pseudonym, and all are listed.
      const sources = t.files
        .filter((f) => f.pseudonym === pseudonym)
        .map((f) => f.source)
        .sort();
      expect(m.sourcePaths).toEqual(sources);
      const byId = JSON.parse(key(['lookup', keyfile, who.id, '--json']).stdout);
      expect(byId.map((x: { patient: { pseudonym: string } }) => x.patient.pseudonym)).toEqual([pseudonym]);
      // Any case, spaces for carets.
      const byName = JSON.parse(
        key(['lookup', keyfile, who.name.replace('^', ' ').toUpperCase(), '--json']).stdout,
      );
      expect(byName.map((x: { patient: { pseudonym: string } }) => x.patient.pseudonym)).toEqual([pseudonym]);
    }
    // Without accents, as a custodian types it.
    const plain = JSON.parse(key(['lookup', keyfile, 'zeroes zoe', '--json']).stdout);
    expect(plain.map((x: { patient: { patientId: string } }) => x.patient.patientId)).toEqual([ZED.id]);
    const human = key(['lookup', keyfile, ZED.id]);
    expect(human.stdout).toContain('PatientID:        000123');
    expect(human.stdout).toContain('Zeroes^Zoë');
    const none = key(['lookup', keyfile, 'nobody-at-all']);
    expect(none.code).toBe(1);
  });

  it('export: the workbook reads back (exceljs and openpyxl), CSV keeps IDs as written, BlindingKey.txt hashes the sources', async () => {
    const ex = join(dir, 'exports');
    mkdirSync(ex);
    const xlsx = join(ex, 'mapping.xlsx');
    const r = key(['export', keyfile, '--xlsx', xlsx]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/identifies patients/);
    expect(statSync(xlsx).mode & 0o777).toBe(0o600);
    expect(key(['export', keyfile, '--xlsx', xlsx]).code).toBe(2); // exists: refused without --force

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['README', 'Patients', 'Files']);
    const readme: string[] = [];
    wb.getWorksheet('README')?.eachRow((row) => readme.push(String(row.getCell(1).value)));
    expect(readme.join('\n')).toMatch(/DO NOT EDIT/);
    const ps = wb.getWorksheet('Patients') as ExcelJS.Worksheet;
    const head = (ps.getRow(1).values as unknown[]).slice(1);
    expect(head.slice(0, 3)).toEqual(['Pseudonym', 'PatientID', 'PatientName']);
    const rows: Array<{
      pseudonym: string;
      id: string;
      name: string;
      files: number;
      first: string;
      last: string;
    }> = [];
    ps.eachRow((row, n) => {
      if (n === 1) return;
      const v = row.values as unknown[];
      rows.push({
        pseudonym: String(v[1]),
        id: String(v[2]),
        name: String(v[3]),
        first: String(v[7]),
        last: String(v[8]),
        files: Number(v[10]),
      });
    });
    expect(rows).toHaveLength(patients.length);
    for (const row of rows) {
      expect(t.byPseudonym.get(row.pseudonym)).toEqual({ id: row.id, name: row.name });
      expect(row.files).toBe(t.files.filter((f) => f.pseudonym === row.pseudonym).length);
    }
    for (const row of rows) {
      const dates = t.files
        .filter((f) => f.pseudonym === row.pseudonym)
        .map((f) => f.studyDate)
        .sort();
      expect([row.first, row.last]).toEqual([dates[0], dates.at(-1)]);
    }
    expect((wb.getWorksheet('Files') as ExcelJS.Worksheet).rowCount - 1).toBe(t.files.length);

    // An independent reader: openpyxl.
    const py = execFileSync(
      PY_XL as string,
      [
        '-c',
        `
import sys, json, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
print(json.dumps({'sheets': wb.sheetnames, 'patients': [[str(c) if c is not None else '' for c in r[:3]] for r in wb['Patients'].iter_rows(min_row=2, values_only=True)]}))
`,
        xlsx,
      ],
      { encoding: 'utf8' },
    );
    const op = JSON.parse(py) as { sheets: string[]; patients: string[][] };
    expect(op.sheets).toEqual(['README', 'Patients', 'Files']);
    expect(new Map(op.patients.map(([ps2, id, name]) => [ps2, { id, name }]))).toEqual(t.byPseudonym);

    const csv = join(ex, 'mapping.csv');
    expect(key(['export', keyfile, '--csv', csv]).code).toBe(0);
    const text = readFileSync(csv, 'utf8');
    expect(text.split('\n')[0]).toMatch(/^Pseudonym,PatientID,PatientName,/);
    expect(text).toContain(',000123,');
    expect(text).toContain('Zeroes^Zoë');

    const bk = join(ex, 'BlindingKey.txt');
    expect(key(['export', keyfile, '--blinding-key', bk]).code).toBe(0);
    const lines = readFileSync(bk, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(t.files.length);
    for (const line of lines) {
      const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
      expect(m, line).not.toBeNull();
      const [, hex, path] = m as RegExpExecArray;
      expect(
        createHash('sha256')
          .update(readFileSync(path as string))
          .digest('hex'),
      ).toBe(hex);
    }
    // sha256sum itself accepts it.
    expect(spawnSync('sha256sum', ['-c', '--quiet', bk]).status).toBe(0);
  });

  it('unblind restores the source identity of every row, joins --with, and keeps unknown rows', async () => {
    const ub = join(dir, 'unblind');
    mkdirSync(ub);
    const pseudonyms = [...t.byPseudonym.keys()];
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Reads');
    ws.addRow(['Reader', 'Case', 'Score']);
    const expected: Array<[string, string, string]> = [];
    pseudonyms.forEach((p, i) => {
      ws.addRow(['R1', p, i + 1]);
      ws.addRow(['R2', p.toLowerCase(), 10 - i]);
      const who = t.byPseudonym.get(p) as { id: string; name: string };
      expected.push([p, who.id, who.name], [p.toLowerCase(), who.id, who.name]);
    });
    ws.addRow(['R3', 'ANON-NOT-IN-KEY', 4]);
    ws.addRow(['R3', '', 5]);
    const results = join(ub, 'results.xlsx');
    await wb.xlsx.writeFile(results);
    const resultsBefore = readFileSync(results);
    const groups = join(ub, 'groups.csv');
    writeFileSync(
      groups,
      `PatientID,Group,Dose\n${patients.map((p, i) => `${p.id},${i % 2 ? 'treated' : 'control'},${i * 5}`).join('\n')}\n`,
    );

    const outXlsx = join(ub, 'unblinded.xlsx');
    const r = key(['unblind', keyfile, results, '--column', 'case', '--out', outXlsx, '--with', groups]);
    expect(r.code).toBe(1); // written, but two rows could not be resolved
    expect(r.stderr).toMatch(/unknown pseudonym on row 10: "ANON-NOT-IN-KEY"/);
    expect(r.stderr).toMatch(/unknown pseudonym on row 11: \(empty\)/);
    expect(readFileSync(results).equals(resultsBefore)).toBe(true);

    const back = new ExcelJS.Workbook();
    await back.xlsx.readFile(outXlsx);
    const s = back.getWorksheet('Reads') as ExcelJS.Worksheet;
    expect((s.getRow(1).values as unknown[]).slice(1)).toEqual([
      'Reader',
      'Case',
      'Score',
      'SourcePatientID',
      'SourcePatientName',
      'Group',
      'Dose',
    ]);
    const groupOf = new Map(patients.map((p, i) => [p.id, [i % 2 ? 'treated' : 'control', String(i * 5)]]));
    expected.forEach(([p, id, name], i) => {
      const v = (s.getRow(i + 2).values as unknown[])
        .slice(1)
        .map((x) => (x === undefined || x === null ? '' : String(x)));
      expect(v[1]).toBe(p);
      expect(v.slice(3)).toEqual([id, name, ...(groupOf.get(id) as string[])]);
    });
    // Unknown rows are still there, identity blank, the readers' values untouched.
    expect((s.getRow(10).values as unknown[]).slice(1, 4)).toEqual(['R3', 'ANON-NOT-IN-KEY', 4]);
    expect(s.getRow(10).getCell(4).value ?? '').toBe('');
    expect(s.getRow(11).getCell(3).value).toBe(5);

    // CSV in, CSV out, joined by name.
    const rc = join(ub, 'results.csv');
    writeFileSync(rc, `case,score\n${pseudonyms.map((p, i) => `${p},${i}`).join('\n')}\n`);
    const gn = join(ub, 'groups-by-name.csv');
    writeFileSync(
      gn,
      `Name,Arm\n${patients.map((p) => `${p.name.replace('^', ' ')},arm-${p.id}`).join('\n')}\n`,
    );
    const oc = join(ub, 'unblinded.csv');
    const rcsv = key(['unblind', keyfile, rc, '--column', 'case', '--out', oc, '--with', gn]);
    expect(rcsv.code, rcsv.stderr).toBe(0);
    const outRows = readFileSync(oc, 'utf8').trimEnd().split('\n');
    expect(outRows[0]).toBe('case,score,SourcePatientID,SourcePatientName,Arm');
    pseudonyms.forEach((p, i) => {
      const who = t.byPseudonym.get(p) as { id: string; name: string };
      expect(outRows[i + 1]).toBe(`${p},${i},${who.id},${who.name},arm-${who.id}`);
    });
  });

  it('merge: two shard keys equal the key of one run over both halves; foreign or conflicting keys refuse, dest untouched', () => {
    const m = join(dir, 'merge');
    mkdirSync(m);
    const base = join(m, 'base.key');
    expect(key(['init', base, '--project', 'shards']).code).toBe(0);
    const copy = (name: string) => {
      const p = join(m, name);
      copyFileSync(base, p);
      return p;
    };
    const folders = patients.map((p) => join(input, 'site-A', p.folder));
    const whole = copy('whole.key');
    expect(run([...folders, '--out', join(m, 'whole'), '--key', whole, '--quiet']).code).toBe(0);
    const a = copy('a.key');
    const b = copy('b.key');
    expect(run([...folders.slice(0, 2), '--out', join(m, 'a'), '--key', a, '--quiet']).code).toBe(0);
    expect(run([...folders.slice(2), '--out', join(m, 'b'), '--key', b, '--quiet']).code).toBe(0);
    const merged = join(m, 'merged.key');
    const r = key(['merge', merged, a, b]);
    expect(r.code, r.stderr).toBe(0);
    const strip = (k: KeyStore) => ({
      patients: k.payload.patients,
      // Run bookkeeping aside: which run, and which output folder (three folders here).
      files: k.payload.files
        .toArray()
        .map(({ runId: _r, outputId: _o, ...f }) => f)
        .sort((x, y) => (x.sourcePath < y.sourcePath ? -1 : 1)),
    });
    const W = KeyStore.open(whole, PASS, { readOnly: true });
    const M = KeyStore.open(merged, PASS, { readOnly: true });
    expect(strip(M)).toEqual(strip(W));
    expect(M.secret).toEqual(W.secret);
    // Merging again adds nothing.
    const again = key(['merge', merged, a, b]);
    expect(again.stderr).toMatch(/0 patient\(s\), 0 file record\(s\), 0 run\(s\) added/);

    // A key of another project: refused, destination byte-identical.
    const before = readFileSync(merged);
    const foreign = join(m, 'foreign.key');
    expect(key(['init', foreign]).code).toBe(0);
    const f = key(['merge', merged, foreign]);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/another project/);
    expect(f.stderr.trim().split('\n')).toHaveLength(1);
    // A record that gives one pseudonym to another source patient: reported, refused.
    const evil = KeyStore.createFor(join(m, 'evil.key'), PASS, {
      project: 'shards',
      secret: W.payload.secret,
    });
    const victim = Object.values(W.payload.patients)[0];
    if (!victim) throw new Error('no patient');
    evil.append([
      {
        type: 'patient',
        record: { ...victim, patientKey: 'id\u0000SOMEONE-ELSE', patientId: 'SOMEONE-ELSE' },
      },
    ]);
    evil.compact();
    const c = key(['merge', merged, join(m, 'evil.key')]);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain(`conflict: pseudonym ${victim.pseudonym}`);
    expect(readFileSync(merged).equals(before)).toBe(true);
  });

  it('passwd changes the passphrase and nothing else', () => {
    const k = join(dir, 'keys', 'pw.key');
    copyFileSync(keyfile, k);
    const before = KeyStore.open(k, PASS, { readOnly: true }).payload;
    const r = key(['passwd', k], { DCMBLIND_NEW_PASSPHRASE: NEW_PASS });
    expect(r.code, r.stderr).toBe(0);
    expect(key(['info', k]).code).toBe(2);
    const after = KeyStore.open(k, NEW_PASS, { readOnly: true }).payload;
    expect({ ...after, audit: [] }).toEqual({ ...before, audit: [] });
    expect(after.audit?.at(-1)?.command).toBe('passwd');
  });

  it('a flipped byte or a truncated key is reported in one line, exit 2, and the file is left as it was', () => {
    const raw = readFileSync(keyfile);
    for (const [name, bytes] of [
      ['flipped-body', Buffer.from(raw.map((b, i) => (i === raw.length - 40 ? b ^ 0x01 : b)))],
      ['flipped-header', Buffer.from(raw.map((b, i) => (i === 20 ? b ^ 0x01 : b)))],
      ['truncated', raw.subarray(0, raw.length - 100)],
      ['empty', Buffer.alloc(0)],
    ] as Array<[string, Buffer]>) {
      const k = join(dir, 'keys', `${name}.key`);
      writeFileSync(k, bytes);
      for (const args of [
        ['info', k],
        ['lookup', k, 'x'],
        ['export', k, '--csv', join(dir, `${name}.csv`)],
      ]) {
        const r = key(args);
        expect(r.code, `${name} ${args[0]}`).toBe(2);
        expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
        expect(r.stderr).toMatch(/^dcmblind-key: /);
      }
      expect(readFileSync(k).equals(bytes)).toBe(true);
      expect(existsSync(join(dir, `${name}.csv`))).toBe(false);
    }
    expect(key(['info', keyfile], { DCMBLIND_PASSPHRASE: 'wrong passphrase here' }).code).toBe(2);
  });

  it('a key in use is refused; a lock left by a dead process is taken over', () => {
    const lock = `${keyfile}.lock`;
    writeFileSync(
      lock,
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        purpose: 'dcmblind run',
        since: new Date().toISOString(),
      }),
    );
    const busy = key(['lookup', keyfile, ZED.id]);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(/in use by dcmblind run/);
    expect(run([input, '--out', join(dir, 'out-busy'), '--key', keyfile]).code).toBe(2);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(
      lock,
      JSON.stringify({
        pid: Number(dead.stdout),
        host: hostname(),
        purpose: 'dcmblind run',
        since: new Date().toISOString(),
      }),
    );
    const ok = key(['lookup', keyfile, ZED.id]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });

  it('audit lists every lookup, export and unblind with counts', () => {
    const r = key(['audit', keyfile, '--json']);
    expect(r.code).toBe(0);
    const log = JSON.parse(r.stdout) as Array<{ command: string; detail: string; rows: number }>;
    const count = (c: string) => log.filter((a) => a.command === c).length;
    expect(count('lookup')).toBe(t.byPseudonym.size * 3 + 4);
    expect(count('export')).toBe(3);
    expect(count('unblind')).toBe(2);
    expect(log.find((a) => a.command === 'unblind')?.rows).toBe(2 * t.byPseudonym.size);
    expect(log.find((a) => a.detail.startsWith('xlsx'))?.rows).toBe(patients.length);
  });

  it('offsets read with their direction: an output date plus the printed days is the source date (lookup and workbook)', async () => {
    const k = join(dir, 'keys', 'research.key');
    const rout = join(dir, 'research-out');
    expect(run([input, '--out', rout, '--key', k, '--profile', 'research', '--quiet']).code).toBe(0);
    const rt = truth(input, rout);
    const outDate = (file: string) =>
      execFileSync(
        PY as string,
        ['-c', 'import sys, pydicom; print(pydicom.dcmread(sys.argv[1]).StudyDate)', file],
        { encoding: 'utf8' },
      ).trim();
    const addDays = (da: string, n: number) =>
      new Date(Date.UTC(Number(da.slice(0, 4)), Number(da.slice(4, 6)) - 1, Number(da.slice(6, 8)) + n))
        .toISOString()
        .slice(0, 10)
        .replace(/-/g, '');
    const rule = new Map<string, number>();
    for (const pseudonym of rt.byPseudonym.keys()) {
      const printedRule = key(['lookup', k, pseudonym]).stdout;
      const m =
        /^dates: +output date = source date − (\d+) days \(source date = output date \+ \1 days\)$/m.exec(
          printedRule,
        );
      expect(m, printedRule).not.toBeNull();
      rule.set(pseudonym, Number(m?.[1]));
      for (const f of rt.files.filter((x) => x.pseudonym === pseudonym))
        expect(addDays(outDate(f.out), Number(m?.[1]))).toBe(f.studyDate);
    }
    // The workbook says the same, in its README and its column.
    const ex = join(dir, 'exports-research');
    mkdirSync(ex);
    expect(key(['export', k, '--xlsx', join(ex, 'm.xlsx')]).code).toBe(0);
    const book = JSON.parse(
      execFileSync(
        PY_XL as string,
        [
          '-c',
          `
import sys, json, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
rows = list(wb['Patients'].iter_rows(values_only=True))
print(json.dumps({'readme': '\\n'.join(str(r[0]) for r in wb['README'].iter_rows(values_only=True)), 'head': list(rows[0]), 'rows': [list(r) for r in rows[1:]]}))
`,
          join(ex, 'm.xlsx'),
        ],
        { encoding: 'utf8' },
      ),
    );
    expect(book.readme).toContain('output date = source date − DaysShiftedBack');
    const col = book.head.indexOf('DaysShiftedBack');
    expect(col).toBeGreaterThan(0);
    for (const row of book.rows) expect(row[col]).toBe(rule.get(row[0]));
  });

  it('lookup finds a patient by folder name, name in any order, output UID, output file or folder', () => {
    const pseudonymOf = (v: string) =>
      JSON.parse(key(['lookup', keyfile, v, '--json']).stdout).map(
        (x: { patient: { pseudonym: string } }) => x.patient.pseudonym,
      );
    const zed = [...t.byPseudonym].find(([, w]) => w.id === ZED.id)?.[0] as string;
    expect(pseudonymOf('ZEROES_ZOE')).toEqual([zed]);
    expect(pseudonymOf('Zoe Zeroes')).toEqual([zed]);
    const f = t.files.find((x) => x.pseudonym === zed) as Truth['files'][number];
    const uids = execFileSync(
      PY as string,
      [
        '-c',
        'import sys, pydicom; d = pydicom.dcmread(sys.argv[1]); print(d.StudyInstanceUID); print(d.SOPInstanceUID)',
        f.out,
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n');
    for (const u of uids) expect(pseudonymOf(u)).toEqual([zed]);
    expect(pseudonymOf(f.out)).toEqual([zed]);
    expect(pseudonymOf(join(f.out, '..'))).toEqual([zed]);
    const byPath = JSON.parse(key(['lookup', keyfile, f.out, '--json']).stdout);
    expect(byPath[0].by).toBe('outputPath');
  });

  it('lookup piped into a reader that stops early ends quietly (no EPIPE trace)', () => {
    const r = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${KEYTOOL}" lookup "${keyfile}" "${ZED.id}" | true; echo "status=\${PIPESTATUS[0]}" >&2`,
      ],
      { encoding: 'utf8', env: { ...process.env, ...ENV } },
    );
    expect(r.stderr).toMatch(/status=0/);
    expect(r.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
  });

  it('refuses to export into a de-identified output tree, and a key path that is a folder', () => {
    for (const target of [join(out, 'mapping.csv'), join(out, 'site-A', 'mapping.csv')]) {
      const r = key(['export', keyfile, '--csv', target]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/inside the de-identified output .*never travel with the output/);
      expect(existsSync(target)).toBe(false);
    }
    const folder = key(['info', join(dir, 'keys')]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/is a folder, not a key file/);
    // No key may be made inside an output either: init, a merge's destination, a site key.
    for (const args of [
      ['init', join(out, 'x.key')],
      ['merge', join(out, 'site-A', 'merged.key'), keyfile],
      ['issue-site-key', keyfile, join(out, 'site.key'), '--site', 'north'],
    ]) {
      const r = key(args, { DCMBLIND_NEW_PASSPHRASE: NEW_PASS });
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr).toMatch(/inside the de-identified output .*must never travel with the output/);
    }
    expect(allFiles(out).filter((f) => f.endsWith('.key'))).toEqual([]);
  });

  it('CSV exports cannot run as formulas; the Files sheet names each output folder; lookup says which file matched', async () => {
    const m = join(dir, 'formula');
    mkdirSync(join(m, 'in', 'P'), { recursive: true });
    const evil: SyntheticPatient = {
      name: '=HYPERLINK("http://x")^Eve',
      id: '+4471234',
      birthDate: '19800101',
      folder: 'P',
    };
    writeFileSync(
      join(m, 'in', 'P', 'IMG1.dcm'),
      buildDicom(
        ctInstance(evil, 5, 0, 0, 0, {
          patients: 1,
          studiesPerPatient: 1,
          seriesPerStudy: 1,
          instancesPerSeries: 1,
        }),
      ),
    );
    const k = join(m, 'f.key');
    expect(run([join(m, 'in'), '--out', join(m, 'out'), '--key', k, '--quiet']).code).toBe(0);
    expect(key(['export', k, '--csv', join(m, 'p.csv')]).code).toBe(0);
    const csv = readFileSync(join(m, 'p.csv'), 'utf8');
    expect(csv.endsWith('\n')).toBe(true);
    for (const line of csv.trimEnd().split('\n'))
      for (const cell of line.split(',')) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@]/);
    expect(csv).toContain("'=HYPERLINK");
    expect(csv).toContain("'+4471234");
    expect(key(['export', k, '--xlsx', join(m, 'p.xlsx')]).code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(m, 'p.xlsx'));
    const files = wb.getWorksheet('Files') as ExcelJS.Worksheet;
    const head = (files.getRow(1).values as unknown[]).slice(1);
    expect(String((files.getRow(2).values as unknown[])[head.indexOf('OutputFolder') + 1])).toBe(
      join(m, 'out'),
    );
    // A lookup by an output file lists that file's source; a pseudonym works without its prefix.
    const outFile = allFiles(join(m, 'out')).find((f) => f.endsWith('.dcm')) as string;
    const byPath = key(['lookup', k, outFile]);
    expect(byPath.stdout).toMatch(/matched file\(s\): +1 \(output ← source\)/);
    expect(byPath.stdout).toContain(`← ${join(m, 'in', 'P', 'IMG1.dcm')}`);
    const pseudonym = /^pseudonym: +(\S+)$/m.exec(byPath.stdout)?.[1] as string;
    const bare = JSON.parse(
      key(['lookup', k, pseudonym.replace(/^ANON-/, '').toLowerCase(), '--json']).stdout,
    );
    expect(bare.map((x: { patient: { pseudonym: string } }) => x.patient.pseudonym)).toEqual([pseudonym]);
  });

  it('a new or changed passphrase shorter than 12 characters is refused, from the environment too', () => {
    const k = join(dir, 'keys', 'short.key');
    const init = key(['init', k], { DCMBLIND_PASSPHRASE: 'short' });
    expect(init.code).toBe(2);
    expect(init.stderr).toMatch(/passphrase too short/);
    expect(existsSync(k)).toBe(false);
    const pw = join(dir, 'keys', 'pw-short.key');
    copyFileSync(keyfile, pw);
    const before = readFileSync(pw);
    const r = key(['passwd', pw], { DCMBLIND_NEW_PASSPHRASE: 'eleven char' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/passphrase too short/);
    expect(readFileSync(pw).equals(before)).toBe(true);
  });

  it('the key holds no plaintext identifier, and the passphrase is in no file and no output', () => {
    const raw = readFileSync(keyfile);
    for (const p of patients) {
      // Whole values, and name parts long enough that ciphertext cannot contain them by chance.
      const parts = p.name.split('^').filter((x) => Buffer.byteLength(x) >= 5);
      for (const v of [p.id, p.name, p.name.replace('^', ' '), p.folder, p.birthDate, ...parts]) {
        expect(raw.includes(Buffer.from(v, 'utf8')), v).toBe(false);
        expect(raw.includes(Buffer.from(v, 'latin1')), v).toBe(false);
      }
    }
    for (const pass of [PASS, NEW_PASS]) {
      for (const f of allFiles(dir)) expect(readFileSync(f).includes(Buffer.from(pass)), f).toBe(false);
      for (const s of printed) expect(s.includes(pass)).toBe(false);
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
