/**
 * The key file keeps every record it was given, across folds, rewrites, crashes mid-fold and
 * format-1 keys, while the records stay out of memory; a changed byte or another passphrase
 * opens nothing. Records are compared with what went in, read back by a fresh open.
 */
import { createCipheriv, randomBytes, scryptSync } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirOf } from './folder-groups.js';
import type { FileRecord, JournalEntry } from './records.js';
import { KeyStore } from './store.js';

const PASS = 'correct horse battery staple 42';

beforeAll(() => {
  process.env.DCMBLIND_KDF_LOG2N = '14';
});

function record(i: number, over: Partial<FileRecord> = {}): FileRecord {
  return {
    pseudonym: `ANON-${String(i % 37).padStart(4, '0')}`,
    sourcePath: `/data/site/Patient ${i % 37}/series ${i % 5}/IMG${i}.dcm`,
    sourceSha256: `${i}`.padStart(64, 'a'),
    sourceSize: 1000 + i,
    sourceMtimeMs: 1_700_000_000_000 + i,
    outputPath: `ANON-${i % 37}/s${i % 5}/IMG${i}.dcm`,
    outputSize: 900 + i,
    outputId: 'out-1',
    sourceStudyUID: `1.2.3.${i % 37}`,
    sourceSeriesUID: `1.2.3.${i % 37}.${i % 5}`,
    sourceSOPInstanceUID: `1.2.3.${i % 37}.${i % 5}.${i}`,
    sourceStudyDate: '20240131',
    profile: 'basic',
    options: ['retain-uids'],
    engineVersion: '0.0.0-test',
    configId: 'config-1',
    runId: 'run-1',
    ...(i % 3 === 0 ? { sourceArchive: `/data/zips/P${i}.zip` } : {}),
    ...over,
  };
}

const files = (rs: FileRecord[]): JournalEntry[] => rs.map((record) => ({ type: 'file', record }));
const sorted = (rs: Iterable<FileRecord>) =>
  [...rs].sort((a, b) => (a.sourcePath < b.sourcePath ? -1 : a.sourcePath > b.sourcePath ? 1 : 0));

const groupsOfRecords = (rs: Iterable<FileRecord>) =>
  [...rs].map((f) => `${dirOf(f.sourcePath)} ${dirOf(f.outputPath)} ${f.pseudonym} ${f.runId}`).sort();
const groupsOf = (k: KeyStore) =>
  (k.payload.files.folderGroups() ?? [])
    .map((g) => `${g.sourceFolder} ${g.outputFolder} ${g.pseudonym} ${g.runId}`)
    .sort();

/** Each test's key in a folder of its own, all removed when the file's tests end. */
const made: string[] = [];
function fresh(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dcmblind-key-'));
  made.push(dir);
  return join(dir, 'study.key');
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('key store, format 2', () => {
  it('keeps every record across folds and compactions, and holds none in memory after', async () => {
    const path = fresh();
    const k = KeyStore.create(path, PASS, 'p');
    const want = Array.from({ length: 9_000 }, (_, i) => record(i));
    k.append([{ type: 'patient', record: patientOf(1) }]);
    for (let i = 0; i < want.length; i += 700) await k.appendAsync(files(want.slice(i, i + 700)));
    // Two folds happened on the way (every 4,096 records): the journal holds only the rest.
    expect(k.payload.files.pendingCount).toBeLessThan(4_096);
    k.compact();
    expect(k.payload.files.pendingCount).toBe(0);
    expect(existsSync(k.journalPath)).toBe(false);
    const again = KeyStore.open(path, PASS, { readOnly: true });
    expect(again.payload.files.size).toBe(want.length);
    expect(sorted(again.payload.files)).toEqual(sorted(want));
    expect(groupsOf(again)).toEqual([...new Set(groupsOfRecords(want))]);
    expect(again.payload.patients['ANON-0001']).toEqual(patientOf(1));
    // Found by either path without reading them all.
    const probe = want[4_321] as FileRecord;
    expect(again.payload.files.bySource(probe.sourcePath)).toEqual([probe]);
    expect(again.payload.files.byOutput(probe.outputPath)).toEqual([probe]);
    expect(again.payload.files.bySource('/data/nowhere.dcm')).toEqual([]);
  });

  it('a record seen again supersedes the older one; a removal drops the records it names', () => {
    const path = fresh();
    const k = KeyStore.create(path, PASS, 'p');
    k.append(files([record(1), record(2), record(3)]));
    k.compact();
    const touched = record(1, { sourceMtimeMs: 42, sourcePath: '/moved/IMG1.dcm' });
    k.append(files([touched]));
    // Superseded at once, the older record already in the key file (found by its output path).
    expect(sorted(k.payload.files)).toEqual(sorted([touched, record(2), record(3)]));
    const touchedAgain = record(1, { sourceMtimeMs: 43, sourcePath: '/moved/IMG1.dcm' });
    k.append(files([touchedAgain]));
    // And a record not folded yet.
    expect(sorted(k.payload.files)).toEqual(sorted([touchedAgain, record(2), record(3)]));
    k.append(files([touched]));
    k.append([
      {
        type: 'removed',
        record: { outputId: 'out-1', configId: 'config-1', outputPath: record(2).outputPath },
      },
    ]);
    k.compact();
    const again = KeyStore.open(path, PASS, { readOnly: true });
    expect(sorted(again.payload.files)).toEqual(sorted([touched, record(3)]));
    // The folder groups read back say what the live records say (the old folder of 1 and 2 gone).
    expect(groupsOf(again)).toEqual(groupsOfRecords([touched, record(3)]));
    // Written again after its removal, the output counts again.
    const w = KeyStore.open(path, PASS);
    w.append(files([record(2)]));
    w.compact();
    expect(sorted(KeyStore.open(path, PASS).payload.files)).toEqual(sorted([touched, record(2), record(3)]));
  });

  it('a fold cut short by a crash loses nothing: the journal still holds what the log does not', () => {
    const path = fresh();
    const k = KeyStore.create(path, PASS, 'p');
    k.append(files([record(1), record(2)]));
    k.compact();
    const committed = statSync(path).size;
    k.append(files([record(3), record(4)]));
    const journal = readFileSync(k.journalPath);
    k.compact();
    // The crash: the second fold's blocks are partly on disk, and its journal was not removed yet.
    for (const cut of [committed + 3, committed + 40, statSync(path).size - 1]) {
      const copy = `${path}.${cut}`;
      copyFileSync(path, copy);
      truncateSync(copy, cut);
      writeFileSync(`${copy}.journal`, journal);
      const reopened = KeyStore.open(copy, PASS);
      expect(sorted(reopened.payload.files)).toEqual(sorted([1, 2, 3, 4].map((i) => record(i))));
      reopened.compact();
      expect(sorted(KeyStore.open(copy, PASS, { readOnly: true }).payload.files)).toEqual(
        sorted([1, 2, 3, 4].map((i) => record(i))),
      );
    }
    // Cut short with no journal to explain it: records may be missing, so it is refused.
    const cut = `${path}.cut`;
    copyFileSync(path, cut);
    truncateSync(cut, statSync(path).size - 7);
    expect(() => KeyStore.open(cut, PASS, { readOnly: true })).toThrow(/truncated or damaged/);
    // Crashed after the commit but before the journal went: replayed, nothing doubled.
    writeFileSync(k.journalPath, journal);
    const replayed = KeyStore.open(path, PASS);
    expect(replayed.payload.files.size).toBe(4);
    replayed.compact();
    expect(KeyStore.open(path, PASS).payload.files.size).toBe(4);
  });

  it('a reader keeps reading the file it opened while a passphrase change replaces it', () => {
    const path = fresh();
    const k = KeyStore.create(path, PASS, 'p');
    k.append(files(Array.from({ length: 1_500 }, (_, i) => record(i))));
    k.compact();
    const reader = KeyStore.open(path, PASS, { readOnly: true });
    KeyStore.open(path, PASS).changePassphrase('a brand new passphrase 7');
    expect(reader.payload.files.toArray()).toHaveLength(1_500);
  });

  it('a changed byte, or another passphrase, opens nothing', () => {
    const path = fresh();
    const k = KeyStore.create(path, PASS, 'p');
    k.append(files([record(1)]));
    k.compact();
    expect(() => KeyStore.open(path, 'another passphrase entirely')).toThrow(/wrong passphrase/);
    const raw = readFileSync(path);
    for (const at of [raw.length - 5, Math.floor(raw.length / 2), 40]) {
      const bad = Buffer.from(raw);
      bad[at] = (bad[at] as number) ^ 0x10;
      const copy = `${path}.bad${at}`;
      writeFileSync(copy, bad);
      expect(() => KeyStore.open(copy, PASS, { readOnly: true }).payload.files.toArray()).toThrow();
    }
  });

  it('a passphrase change and a rewrite keep the live records and drop the dead', () => {
    const path = fresh();
    const k = KeyStore.create(path, PASS, 'p');
    k.append(files(Array.from({ length: 3_000 }, (_, i) => record(i))));
    k.compact();
    // Every output removed but the last ten: far more dead than live, so compaction rewrites.
    k.append(
      Array.from({ length: 2_990 }, (_, i) => ({
        type: 'removed' as const,
        record: { outputId: 'out-1', configId: 'config-1', outputPath: record(i).outputPath },
      })),
    );
    const before = statSync(path).size;
    k.compact();
    expect(statSync(path).size).toBeLessThan(before / 10);
    const live = Array.from({ length: 10 }, (_, i) => record(2_990 + i));
    expect(sorted(KeyStore.open(path, PASS).payload.files)).toEqual(sorted(live));
    const w = KeyStore.open(path, PASS);
    w.changePassphrase('a brand new passphrase 7');
    expect(() => KeyStore.open(path, PASS)).toThrow(/wrong passphrase/);
    expect(sorted(KeyStore.open(path, 'a brand new passphrase 7').payload.files)).toEqual(sorted(live));
  });
});

describe('key store, format 1', () => {
  it('reads a key written whole by earlier versions and writes it as format 2 on its first change', () => {
    const path = fresh();
    const secret = randomBytes(32).toString('base64');
    const old = [record(1), record(2)];
    writeFormat1(path, {
      format: 1,
      project: 'legacy',
      createdAt: '2025-01-01T00:00:00.000Z',
      secret,
      journalId: randomBytes(16).toString('hex'),
      patients: { 'ANON-0001': patientOf(1) },
      files: old,
      runs: [],
    });
    const k = KeyStore.open(path, PASS);
    expect(sorted(k.payload.files)).toEqual(sorted(old));
    expect(k.payload.project).toBe('legacy');
    k.append(files([record(3)]));
    k.compact();
    expect(JSON.parse(headerOf(path)).v).toBe(2);
    const again = KeyStore.open(path, PASS, { readOnly: true });
    expect(Buffer.from(again.secret).toString('base64')).toBe(secret);
    expect(again.payload.patients['ANON-0001']).toEqual(patientOf(1));
    expect(sorted(again.payload.files)).toEqual(sorted([...old, record(3)]));
  });
});

function patientOf(i: number) {
  return {
    pseudonym: `ANON-${String(i).padStart(4, '0')}`,
    patientKey: `id\u0000MRN${i}`,
    patientId: `MRN${i}`,
    patientName: `DOE^JANE${i}`,
    issuer: '',
    birthDate: '19700101',
    dateOffsetDays: -12,
  };
}

function headerOf(path: string): string {
  const raw = readFileSync(path);
  return raw.subarray(12, 12 + raw.readUInt32BE(8)).toString('utf8');
}

/** A key as format 1 wrote it: magic, header, one AES-256-GCM seal of the whole payload. */
function writeFormat1(path: string, payload: object): void {
  const kdf = { name: 'scrypt', N: 2 ** 14, r: 8, p: 1, salt: randomBytes(16).toString('base64') };
  const header = Buffer.from(JSON.stringify({ v: 1, kdf, cipher: 'aes-256-gcm' }), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(header.length);
  const aad = Buffer.concat([Buffer.from('DCMBKEY1', 'ascii'), len, header]);
  const key = scryptSync(PASS, Buffer.from(kdf.salt, 'base64'), 32, { N: kdf.N, r: 8, p: 1 });
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  const body = Buffer.concat([c.update(Buffer.from(JSON.stringify(payload), 'utf8')), c.final()]);
  writeFileSync(path, Buffer.concat([aad, nonce, body, c.getAuthTag()]), { mode: 0o600 });
}
