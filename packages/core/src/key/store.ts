/**
 * The encrypted key file and its journal.
 *
 * Key file: "DCMBKEY1" ‖ u32 header length ‖ header JSON (KDF parameters, cipher) ‖ sealed
 * payload; the header is the AEAD's associated data, so any changed byte fails the tag.
 * Journal (`<key>.journal`): one sealed record per line, appended and fsynced before the
 * output it describes becomes visible. A torn last line (crash mid-append) is ignored; it
 * describes no visible output. `compact()` folds the journal into the key file with
 * temp + fsync + rename, then removes the journal; replay is idempotent, so a crash between
 * the two loses nothing.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  fsync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  write,
  writeSync,
} from 'node:fs';
import { promisify } from 'node:util';
import { basename, dirname, join } from 'node:path';
import { hostname, userInfo } from 'node:os';
import { DcmblindError, InternalError } from '../errors.js';
import { deriveKey, deriveKeyAsync, journalKey, newKdf, open, seal, type KdfParams } from './crypto.js';
import { applyEntries, type JournalEntry, type KeyPayload, RecordIndex } from './records.js';

const MAGIC = Buffer.from('DCMBKEY1', 'ascii');

interface Header {
  readonly v: 1;
  readonly kdf: KdfParams;
  readonly cipher: 'aes-256-gcm';
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  }
}

/** Write a whole file atomically: owner-only temp file in the same folder, fsync, rename. */
export function writeFileAtomic(path: string, data: Uint8Array, mode = 0o600): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
  const fd = openSync(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, mode);
  try {
    try {
      let off = 0;
      while (off < data.length) off += writeSync(fd, data, off, data.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dirname(path));
}

/** Seal the payload under `key` (derived once from the passphrase; a fresh nonce every write). */
function encodeKeyFile(payload: KeyPayload, header: Header, key: Uint8Array): Buffer {
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(h.length);
  const aad = Buffer.concat([MAGIC, len, h]);
  return Buffer.concat([aad, seal(key, Buffer.from(JSON.stringify(payload), 'utf8'), aad)]);
}

function readKeyFile(path: string): { header: Header; aad: Buffer; body: Buffer } {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw new DcmblindError(
      'E_IO',
      `cannot read key file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
      { cause: e },
    );
  }
  return decodeHeader(raw, path);
}

function decodeHeader(raw: Buffer, path: string): { header: Header; aad: Buffer; body: Buffer } {
  if (raw.length < 12 || !raw.subarray(0, 8).equals(MAGIC)) {
    throw new DcmblindError('E_KEY_FORMAT', `${path} is not a dcmblind key file`);
  }
  const n = raw.readUInt32BE(8);
  if (12 + n > raw.length) throw new DcmblindError('E_KEY_PASSPHRASE', `${path} is truncated or damaged`);
  let header: Header;
  try {
    header = JSON.parse(raw.subarray(12, 12 + n).toString('utf8')) as Header;
  } catch {
    throw new DcmblindError('E_KEY_PASSPHRASE', `${path} is damaged (header unreadable)`);
  }
  if (header === null || typeof header !== 'object' || header.v !== 1 || header.cipher !== 'aes-256-gcm')
    throw new DcmblindError('E_KEY_FORMAT', `${path}: unsupported key format`);
  return { header, aad: raw.subarray(0, 12 + n), body: raw.subarray(12 + n) };
}

/** The shortest passphrase a new key (or a new passphrase) may have, wherever it comes from. */
export const MIN_PASSPHRASE = 12;

function checkNewPassphrase(passphrase: string): void {
  if ([...passphrase].length < MIN_PASSPHRASE) {
    throw new DcmblindError(
      'E_USAGE',
      `passphrase too short: a key's passphrase needs at least ${MIN_PASSPHRASE} characters ` +
        '(a few unrelated words are easiest to remember)',
    );
  }
}

function newPayload(project: string): KeyPayload {
  return {
    format: 1,
    project,
    createdAt: new Date().toISOString(),
    secret: randomBytes(32).toString('base64'),
    journalId: randomBytes(16).toString('hex'),
    patients: {},
    files: [],
    runs: [],
  };
}

const writeAsync = promisify(write);
const fsyncAsync = promisify(fsync);

export class KeyStore {
  readonly path: string;
  readonly payload: KeyPayload;
  /** The file key derived from the passphrase (kept so rewrites need no second scrypt). */
  #fileKey: Uint8Array;
  #header: Header;
  readonly #journalKey: Buffer;
  #journalFd: number | undefined;
  #appending: Promise<void> = Promise.resolve();
  #failed: Error | undefined;
  /** True when the journal had a torn last line (a crash mid-append); nothing visible was lost. */
  tornJournalTail = false;
  /** Opened to read only: the journal's torn tail is left as it is, and nothing is written. */
  #readOnly = false;
  /** Shared values and record identities of payload.files (see RecordIndex). */
  readonly #index = new RecordIndex();

  private constructor(path: string, payload: KeyPayload, fileKey: Uint8Array, header: Header) {
    this.path = path;
    this.payload = payload;
    this.#fileKey = fileKey;
    this.#header = header;
    this.#journalKey = journalKey(Buffer.from(payload.secret, 'base64'), payload.journalId);
    this.#index.shareAll(payload);
  }

  get journalPath(): string {
    return `${this.path}.journal`;
  }
  get secret(): Uint8Array {
    return Buffer.from(this.payload.secret, 'base64');
  }

  /** Create a new key file; refuses to overwrite. */
  static create(path: string, passphrase: string, project: string): KeyStore {
    checkNewPassphrase(passphrase);
    if (existsSync(path))
      throw new DcmblindError('E_KEY_EXISTS', `${path} already exists; dcmblind never overwrites a key`);
    const header: Header = { v: 1, kdf: newKdf(), cipher: 'aes-256-gcm' };
    return KeyStore.#created(path, newPayload(project), header, deriveKey(passphrase, header.kdf));
  }

  /**
   * As create(), with the key derivation off the main thread. The new project secret is known
   * at once (it is random, not derived), so work keyed by it can start while the file key is
   * derived; the key file is written when `store` resolves.
   */
  static createPending(
    path: string,
    passphrase: string,
    project: string,
  ): { secret: Uint8Array; store: Promise<KeyStore> } {
    checkNewPassphrase(passphrase);
    if (existsSync(path))
      throw new DcmblindError('E_KEY_EXISTS', `${path} already exists; dcmblind never overwrites a key`);
    const payload = newPayload(project);
    const header: Header = { v: 1, kdf: newKdf(), cipher: 'aes-256-gcm' };
    const store = deriveKeyAsync(passphrase, header.kdf).then((fileKey) => {
      // Checked again: another process may have created it while the derivation ran.
      if (existsSync(path))
        throw new DcmblindError('E_KEY_EXISTS', `${path} already exists; dcmblind never overwrites a key`);
      return KeyStore.#created(path, payload, header, fileKey);
    });
    return { secret: Buffer.from(payload.secret, 'base64'), store };
  }

  static #created(path: string, payload: KeyPayload, header: Header, fileKey: Buffer): KeyStore {
    writeFileAtomic(path, encodeKeyFile(payload, header, fileKey));
    return new KeyStore(path, payload, fileKey, header);
  }

  /** An in-memory key that is never written (for --dry-run without a key). */
  static ephemeral(project: string): KeyStore {
    return new KeyStore('', newPayload(project), new Uint8Array(32), {
      v: 1,
      kdf: { name: 'scrypt', N: 0, r: 0, p: 0, salt: '' },
      cipher: 'aes-256-gcm',
    });
  }

  /**
   * Create a key file holding an existing project secret (a merge target, a site key): records
   * start empty, the journal id is new, and it is sealed under its own passphrase.
   */
  static createFor(
    path: string,
    passphrase: string,
    from: { project: string; secret: string; site?: string },
  ): KeyStore {
    checkNewPassphrase(passphrase);
    if (existsSync(path))
      throw new DcmblindError('E_KEY_EXISTS', `${path} already exists; dcmblind never overwrites a key`);
    const payload: KeyPayload = {
      ...newPayload(from.project),
      secret: from.secret,
      ...(from.site ? { site: from.site } : {}),
    };
    const header: Header = { v: 1, kdf: newKdf(), cipher: 'aes-256-gcm' };
    return KeyStore.#created(path, payload, header, deriveKey(passphrase, header.kdf));
  }

  static open(path: string, passphrase: string, opts: { readOnly?: boolean } = {}): KeyStore {
    const { header, aad, body } = readKeyFile(path);
    return KeyStore.#unlock(
      path,
      header,
      aad,
      body,
      deriveKey(passphrase, header.kdf),
      opts.readOnly ?? false,
    );
  }

  /** As open(), with the key derivation off the main thread. */
  static async openAsync(
    path: string,
    passphrase: string,
    opts: { readOnly?: boolean } = {},
  ): Promise<KeyStore> {
    const { header, aad, body } = readKeyFile(path);
    return KeyStore.#unlock(
      path,
      header,
      aad,
      body,
      await deriveKeyAsync(passphrase, header.kdf),
      opts.readOnly ?? false,
    );
  }

  static #unlock(
    path: string,
    header: Header,
    aad: Buffer,
    body: Buffer,
    fileKey: Buffer,
    readOnly: boolean,
  ): KeyStore {
    const plain = open(fileKey, body, aad);
    if (!plain)
      throw new DcmblindError('E_KEY_PASSPHRASE', `wrong passphrase, or ${path} is damaged or was altered`);
    let payload: KeyPayload;
    try {
      payload = JSON.parse(plain.toString('utf8')) as KeyPayload;
    } catch {
      throw new DcmblindError('E_KEY_FORMAT', `${path}: its contents are not a dcmblind key`);
    } finally {
      plain.fill(0); // the decrypted records do not linger in freed memory (or a core file)
    }
    const store = new KeyStore(path, payload, fileKey, header);
    store.#readOnly = readOnly;
    store.tornJournalTail = store.#replayJournal();
    return store;
  }

  /** Seal the key under a new passphrase (fresh salt); the records are not touched. */
  changePassphrase(newPassphrase: string): void {
    this.#writable();
    checkNewPassphrase(newPassphrase);
    const header: Header = { v: 1, kdf: newKdf(), cipher: 'aes-256-gcm' };
    const fileKey = deriveKey(newPassphrase, header.kdf);
    this.#header = header;
    this.#fileKey = fileKey;
    this.compact();
  }

  /** Record one use of the key's identifying contents, durably, in the key file itself. */
  recordAudit(command: string, detail: string, rows: number): void {
    this.#writable();
    let user = '';
    try {
      user = userInfo().username;
    } catch {
      // no user name (container without passwd entry)
    }
    this.append([
      {
        type: 'audit',
        record: { at: new Date().toISOString(), command, detail, rows, user, host: hostname() },
      },
    ]);
    this.compact();
  }

  #writable(): void {
    if (this.#readOnly) throw new InternalError(`${this.path} was opened read-only`);
  }

  /** Apply the journal's records to the in-memory payload; returns whether its tail was torn. */
  #replayJournal(): boolean {
    if (!existsSync(this.journalPath)) return false;
    const lines = readFileSync(this.journalPath, 'utf8').split('\n');
    const entries: JournalEntry[] = [];
    const aad = Buffer.from(this.payload.journalId, 'utf8');
    let good = 0; // bytes of complete, authentic records (base64 lines are ASCII)
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      const complete = i < lines.length - 1; // followed by a newline
      if (line === '' && complete) {
        good += 1;
        continue;
      }
      const plain = complete ? open(this.#journalKey, Buffer.from(line, 'base64'), aad) : undefined;
      if (!plain) {
        if (i >= lines.length - 2) break; // the last line: torn by a crash mid-append
        throw new DcmblindError(
          'E_KEY_PASSPHRASE',
          `${this.journalPath} is damaged or was altered (record ${i + 1})`,
        );
      }
      entries.push(JSON.parse(plain.toString('utf8')) as JournalEntry);
      plain.fill(0);
      good += line.length + 1;
    }
    applyEntries(this.payload, entries, this.#index);
    const torn = good < statSync(this.journalPath).size;
    // Drop the torn tail so the next append starts on a clean line.
    if (torn && !this.#readOnly) truncateSync(this.journalPath, good);
    return torn;
  }

  /** Durably record entries (appended and fsynced) before the outputs they describe appear. */
  append(entries: readonly JournalEntry[]): void {
    this.#writable();
    if (entries.length === 0) return;
    const fd = this.#journal();
    const buf = this.#encode(entries);
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    applyEntries(this.payload, entries, this.#index);
  }

  /**
   * As append(), without blocking the thread: the write and fsync run on libuv's pool. Calls
   * are serialised, so records land in call order; the promise settles once they are durable.
   * After a failed write the store refuses to fold anything into the key file.
   */
  appendAsync(entries: readonly JournalEntry[]): Promise<void> {
    const run = async () => {
      this.#writable();
      if (this.#failed) throw this.#failed;
      if (entries.length === 0) return;
      const fd = this.#journal();
      const buf = this.#encode(entries);
      try {
        let off = 0;
        while (off < buf.length) off += (await writeAsync(fd, buf, off, buf.length - off)).bytesWritten;
        await fsyncAsync(fd);
      } catch (e) {
        this.#failed = e instanceof Error ? e : new Error(String(e));
        throw e;
      }
      applyEntries(this.payload, entries, this.#index);
    };
    const p = this.#appending.then(run);
    this.#appending = p.catch(() => {});
    return p;
  }

  #journal(): number {
    this.#journalFd ??= openSync(
      this.journalPath,
      constants.O_CREAT | constants.O_APPEND | constants.O_WRONLY,
      0o600,
    );
    return this.#journalFd;
  }

  #encode(entries: readonly JournalEntry[]): Buffer {
    const aad = Buffer.from(this.payload.journalId, 'utf8');
    return Buffer.from(
      entries
        .map(
          (e) =>
            `${seal(this.#journalKey, Buffer.from(JSON.stringify(e), 'utf8'), aad).toString('base64')}\n`,
        )
        .join(''),
      'utf8',
    );
  }

  /** Fold the journal into the key file (atomic) and remove the journal. */
  compact(): void {
    this.#writable();
    if (this.#failed)
      throw new DcmblindError(
        'E_IO',
        `${this.journalPath}: a record could not be written (${this.#failed.message}); ` +
          'the key file was left as it was',
      );
    this.close();
    writeFileAtomic(this.path, encodeKeyFile(this.payload, this.#header, this.#fileKey));
    rmSync(this.journalPath, { force: true });
    fsyncDir(dirname(this.path));
  }

  close(): void {
    if (this.#journalFd !== undefined) {
      closeSync(this.#journalFd);
      this.#journalFd = undefined;
    }
  }
}
