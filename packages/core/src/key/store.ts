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
import {
  closeSync,
  constants,
  existsSync,
  fsync,
  fsyncSync,
  openSync,
  rmSync,
  truncateSync,
  write,
  writeSync,
} from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { DcmblindError, InternalError } from '../errors.js';
import { fsyncDir, writeFileAtomic } from './atomic.js';
import { deriveKey, deriveKeyAsync, journalKey, newKdf, open } from './crypto.js';
import { encodeJournal, readJournal } from './journal.js';
import { checkNewPassphrase, encodeKeyFile, type Header, newPayload, readKeyFile } from './key-file.js';
import { applyEntries, type JournalEntry, type KeyPayload, RecordIndex } from './records.js';

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
    const read = readJournal(this.journalPath, this.#journalKey, this.payload.journalId);
    if (!read) return false;
    applyEntries(this.payload, read.entries, this.#index);
    // Drop the torn tail so the next append starts on a clean line.
    if (read.torn && !this.#readOnly) truncateSync(this.journalPath, read.good);
    return read.torn;
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
    return encodeJournal(entries, this.#journalKey, this.payload.journalId);
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
