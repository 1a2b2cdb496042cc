/**
 * The encrypted key file and its journal.
 *
 * Key file (format 2, key-log.ts): the header (KDF parameters, cipher; the associated data of
 * every seal), then a log of sealed blocks of records. File records are not held in memory:
 * they are read back from the log when asked for (file-records.ts). Journal (`<key>.journal`):
 * one sealed record per line, appended and fsynced before the output it describes becomes
 * visible. A torn last line (crash mid-append) is ignored; it describes no visible output.
 * Folding appends the journal's records to the log (committed, fsynced), then removes the
 * journal; replay is idempotent, so a crash between the two loses nothing. A run folds every
 * few thousand records, so neither the journal nor memory grows with the run.
 *
 * Format-1 keys (one sealed payload, every record in it) are read, and rewritten as format 2
 * by their first write.
 */
import {
  closeSync,
  constants,
  existsSync,
  fsync,
  fsyncSync,
  openSync,
  readFileSync,
  rmSync,
  truncateSync,
  write,
  writeSync,
} from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { DcmblindError, InternalError } from '../errors.js';
import { fsyncDir } from './atomic.js';
import { deriveKey, deriveKeyAsync, journalKey, newKdf, open } from './crypto.js';
import { FileRecords } from './file-records.js';
import { encodeJournal, readJournal } from './journal.js';
import {
  checkNewPassphrase,
  encodeHeader,
  type Header,
  newHeader,
  newPayload,
  openKeyFile,
  readHeader,
} from './key-file.js';
import {
  appendLog,
  dropUncommitted,
  type KeyLogSeal,
  type LogBlock,
  loadLog,
  readFileRecords,
  writeLog,
} from './key-log.js';
import {
  applyEntries,
  type FileRecord,
  headEntries,
  type JournalEntry,
  type KeyEntry,
  type KeyPayload,
} from './records.js';

/** Key files open for reading, closed once their store is garbage. */
const openFiles = new FinalizationRegistry<{ fd: number | undefined }>((held) => {
  if (held.fd !== undefined) closeSync(held.fd);
});

/** Records a run appends before they are folded into the key file (and leave memory). */
const FOLD_EVERY = 4096;

const writeAsync = promisify(write);
const fsyncAsync = promisify(fsync);

interface Opened {
  readonly payload: KeyPayload;
  readonly blocks: LogBlock[];
  readonly end: number;
  /** Entries not in a format-2 log yet (a format-1 key's whole contents). */
  readonly unfolded: Array<JournalEntry | KeyEntry>;
  /** The next fold writes the whole file (a format-1 key). */
  readonly whole: boolean;
}

export class KeyStore {
  readonly path: string;
  readonly payload: KeyPayload;
  /** The file key derived from the passphrase (kept so rewrites need no second scrypt). */
  #fileKey: Uint8Array;
  #header: Header;
  /** The header's bytes (associated data of every block). */
  #aad: Buffer;
  readonly #journalKey: Buffer;
  #journalFd: number | undefined;
  #appending: Promise<void> = Promise.resolve();
  #failed: Error | undefined;
  /** True when the journal had a torn last line (a crash mid-append); nothing visible was lost. */
  tornJournalTail = false;
  /** Opened to read only: the journal's torn tail is left as it is, and nothing is written. */
  #readOnly = false;
  /** The key file's committed E blocks, and where its log ends. */
  #blocks: LogBlock[];
  #end: number;
  /** Entries applied since the last fold: in the journal, not yet in the key file. */
  #unfolded: Array<JournalEntry | KeyEntry>;
  /** The next fold writes the whole file instead of appending. */
  #whole: boolean;

  private constructor(path: string, opened: Opened, fileKey: Uint8Array, header: Header) {
    this.path = path;
    this.payload = opened.payload;
    this.#fileKey = fileKey;
    this.#header = header;
    this.#aad = encodeHeader(header);
    this.#blocks = opened.blocks;
    this.#end = opened.end;
    this.#unfolded = opened.unfolded;
    this.#whole = opened.whole;
    this.#journalKey = journalKey(Buffer.from(opened.payload.secret, 'base64'), opened.payload.journalId);
    this.payload.files.readFrom((block) => this.#readFiles(block));
  }

  get journalPath(): string {
    return `${this.path}.journal`;
  }
  get secret(): Uint8Array {
    return Buffer.from(this.payload.secret, 'base64');
  }

  get #seal(): KeyLogSeal {
    return { fileKey: this.#fileKey, aad: this.#aad };
  }

  /** The file records of E block `block` (file-records.ts asks when a record is wanted). */
  #readFiles(block: number): FileRecord[] {
    const info = this.#blocks[block];
    if (!info) throw new InternalError(`${this.path}: no block ${block} in the key file`);
    const fd = this.#fd?.fd;
    if (fd === undefined) throw new InternalError(`${this.path}: the key file is not open`);
    return readFileRecords({ path: this.path, fd }, info, this.#seal);
  }

  /** Create a new key file; refuses to overwrite. */
  static create(path: string, passphrase: string, project: string): KeyStore {
    checkNewPassphrase(passphrase);
    if (existsSync(path))
      throw new DcmblindError('E_KEY_EXISTS', `${path} already exists; dcmblind never overwrites a key`);
    const header = newHeader(newKdf());
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
    const header = newHeader(newKdf());
    const store = deriveKeyAsync(passphrase, header.kdf).then((fileKey) => {
      // Checked again: another process may have created it while the derivation ran.
      if (existsSync(path))
        throw new DcmblindError('E_KEY_EXISTS', `${path} already exists; dcmblind never overwrites a key`);
      return KeyStore.#created(path, payload, header, fileKey);
    });
    return { secret: Buffer.from(payload.secret, 'base64'), store };
  }

  static #created(path: string, payload: KeyPayload, header: Header, fileKey: Buffer): KeyStore {
    writeLog(path, headEntries(payload), { fileKey, aad: encodeHeader(header) });
    return KeyStore.#unlock(path, header, fileKey, false);
  }

  /** An in-memory key that is never written (for --dry-run without a key). */
  static ephemeral(project: string): KeyStore {
    const payload = newPayload(project);
    return new KeyStore('', { payload, blocks: [], end: 0, unfolded: [], whole: false }, new Uint8Array(32), {
      v: 2,
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
    const header = newHeader(newKdf());
    return KeyStore.#created(path, payload, header, deriveKey(passphrase, header.kdf));
  }

  static open(path: string, passphrase: string, opts: { readOnly?: boolean } = {}): KeyStore {
    const header = KeyStore.#readHeaderOf(path);
    return KeyStore.#unlock(path, header, deriveKey(passphrase, header.kdf), opts.readOnly ?? false);
  }

  /** As open(), with the key derivation off the main thread. */
  static async openAsync(
    path: string,
    passphrase: string,
    opts: { readOnly?: boolean } = {},
  ): Promise<KeyStore> {
    const header = KeyStore.#readHeaderOf(path);
    return KeyStore.#unlock(
      path,
      header,
      await deriveKeyAsync(passphrase, header.kdf),
      opts.readOnly ?? false,
    );
  }

  static #readHeaderOf(path: string): Header {
    const fd = openKeyFile(path);
    try {
      return readHeader(fd, path).header;
    } finally {
      closeSync(fd);
    }
  }

  static #unlock(path: string, header: Header, fileKey: Buffer, readOnly: boolean): KeyStore {
    const fd = openKeyFile(path);
    let opened: Opened;
    try {
      const { header: now, aad } = readHeader(fd, path);
      // The file was replaced between reading its header and now (a rewrite by another process).
      if (JSON.stringify(now) !== JSON.stringify(header)) throw KeyStore.#altered(path);
      if (header.v === 1) opened = KeyStore.#readFormat1(path, aad, fileKey);
      else {
        const log = loadLog({ path, fd }, { fileKey, aad });
        if (log.uncommitted) KeyStore.#uncommitted(path, log.end, readOnly);
        opened = { payload: log.payload, blocks: log.blocks, end: log.end, unfolded: [], whole: false };
      }
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    const store = new KeyStore(path, opened, fileKey, header);
    store.#useFile(header.v === 2 ? fd : undefined);
    if (header.v === 1) closeSync(fd);
    store.#readOnly = readOnly;
    store.tornJournalTail = store.#replayJournal();
    return store;
  }

  /**
   * Bytes after the last commit: a fold a crash cut short, whose entries the journal still
   * holds (a writer cuts them off). Without a journal nothing explains them: the file was cut
   * or damaged, and records may be missing.
   */
  static #uncommitted(path: string, end: number, readOnly: boolean): void {
    if (!existsSync(`${path}.journal`))
      throw new DcmblindError(
        'E_KEY_PASSPHRASE',
        `${path} is truncated or damaged: it ends inside a block of records`,
      );
    if (!readOnly) dropUncommitted(path, end);
  }

  /** Read blocks through `fd` from now on (closed when this store is no longer referenced). */
  #useFile(fd: number | undefined): void {
    const old = this.#fd;
    this.#fd = { fd };
    if (fd !== undefined) openFiles.register(this, this.#fd, this.#fd);
    if (old?.fd !== undefined) {
      openFiles.unregister(old);
      closeSync(old.fd);
    }
  }
  #fd: { fd: number | undefined } | undefined;

  static #altered(path: string): DcmblindError {
    return new DcmblindError('E_KEY_PASSPHRASE', `wrong passphrase, or ${path} is damaged or was altered`);
  }

  /** A format-1 key: one sealed payload with every record; written again as format 2 by the next fold. */
  static #readFormat1(path: string, aad: Buffer, fileKey: Buffer): Opened {
    const raw = readFileSync(path);
    const plain = open(fileKey, raw.subarray(aad.length), aad);
    if (!plain) throw KeyStore.#altered(path);
    let old: Omit<KeyPayload, 'files'> & { files: FileRecord[] };
    try {
      old = JSON.parse(plain.toString('utf8')) as typeof old;
    } catch {
      throw new DcmblindError('E_KEY_FORMAT', `${path}: its contents are not a dcmblind key`);
    } finally {
      plain.fill(0); // the decrypted records do not linger in freed memory (or a core file)
    }
    const files = new FileRecords();
    for (const f of old.files ?? []) files.add(f);
    const payload: KeyPayload = { ...old, files };
    return { payload, blocks: [], end: 0, unfolded: [], whole: true };
  }

  /** Seal the key under a new passphrase (fresh salt); the records are not touched. */
  changePassphrase(newPassphrase: string): void {
    this.#writable();
    checkNewPassphrase(newPassphrase);
    const header = newHeader(newKdf());
    this.#rewrite(header, deriveKey(newPassphrase, header.kdf));
    this.#dropJournal();
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

  /** Apply the journal's records to the payload; returns whether its tail was torn. */
  #replayJournal(): boolean {
    const read = readJournal(this.journalPath, this.#journalKey, this.payload.journalId);
    if (!read) return false;
    this.#apply(read.entries);
    // Drop the torn tail so the next append starts on a clean line.
    if (read.torn && !this.#readOnly) truncateSync(this.journalPath, read.good);
    return read.torn;
  }

  #apply(entries: readonly JournalEntry[]): void {
    applyEntries(this.payload, entries);
    this.#unfolded.push(...entries);
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
    this.#apply(entries);
    this.#foldWhenFull();
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
      this.#apply(entries);
      this.#foldWhenFull();
    };
    const p = this.#appending.then(run);
    this.#appending = p.catch(() => {});
    return p;
  }

  /** Fold once enough records wait: memory and the journal stay small however long the run. */
  #foldWhenFull(): void {
    if (this.path === '' || this.#unfolded.length < FOLD_EVERY) return;
    try {
      this.#fold();
      this.#dropJournal();
    } catch (e) {
      this.#failed = e instanceof Error ? e : new Error(String(e));
      throw e;
    }
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

  /** Append what the journal holds to the key file's log (committed and fsynced). */
  #fold(): void {
    if (this.#whole) {
      // A format-1 key: the same passphrase and salt (so the same file key), a format-2 header.
      this.#rewrite(newHeader(this.#header.kdf), this.#fileKey);
      return;
    }
    if (this.#unfolded.length === 0) return;
    const written = appendLog(this.path, this.#end, this.#unfolded as JournalEntry[], this.#seal);
    this.#end = written.end;
    for (const b of written.blocks) {
      this.#blocks.push(b);
      this.payload.files.persisted(this.#blocks.length - 1, b.files);
    }
    this.#unfolded = [];
  }

  /**
   * Write the whole key file anew (next to it, then renamed over): its entries, and the live
   * file records only. Then read it again, so block numbers and the indexes are its own.
   */
  #rewrite(header: Header, fileKey: Uint8Array): void {
    const seal = { fileKey, aad: encodeHeader(header) };
    const files = this.payload.files;
    function* entries(p: KeyPayload): Generator<JournalEntry | KeyEntry> {
      yield* headEntries(p);
      for (const record of files) yield { type: 'file', record };
    }
    writeLog(this.path, entries(this.payload), seal);
    this.#header = header;
    this.#fileKey = fileKey;
    this.#aad = seal.aad;
    const fd = openKeyFile(this.path);
    let log: ReturnType<typeof loadLog>;
    try {
      log = loadLog({ path: this.path, fd }, seal);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    this.#useFile(fd);
    this.#blocks = log.blocks;
    this.#end = log.end;
    files.adopt(log.payload.files);
    files.readFrom((block) => this.#readFiles(block));
    this.#unfolded = [];
    this.#whole = false;
  }

  #dropJournal(): void {
    this.close();
    rmSync(this.journalPath, { force: true });
    fsyncDir(dirname(this.path));
  }

  /**
   * Fold the journal into the key file and remove the journal. When many of the key file's
   * records are dead (superseded, or of outputs removed), the file is written anew without them.
   */
  compact(): void {
    this.#writable();
    if (this.#failed)
      throw new DcmblindError(
        'E_IO',
        `${this.journalPath}: a record could not be written (${this.#failed.message}); ` +
          'the key file was left as it was',
      );
    if (this.path === '') return;
    const files = this.payload.files;
    if (files.deadCount > Math.max(1024, files.size)) this.#rewrite(this.#header, this.#fileKey);
    else this.#fold();
    this.#dropJournal();
  }

  close(): void {
    if (this.#journalFd !== undefined) {
      closeSync(this.#journalFd);
      this.#journalFd = undefined;
    }
  }
}
