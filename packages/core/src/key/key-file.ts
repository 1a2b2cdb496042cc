/**
 * The key file's header: "DCMBKEY1" ‖ u32 header length ‖ header JSON (format, KDF parameters,
 * cipher, a random file id). Format 1 follows it with one sealed payload (every record, read and
 * written whole); format 2 with a log of sealed blocks (blocks.ts), appended to in place. The
 * header is part of every seal's associated data, so any changed byte fails the tag.
 */
import { randomBytes } from 'node:crypto';
import { openSync, readSync } from 'node:fs';
import { DcmblindError } from '../errors.js';
import type { KdfParams } from './crypto.js';
import { FileRecords } from './file-records.js';
import type { KeyPayload } from './records.js';

const MAGIC = Buffer.from('DCMBKEY1', 'ascii');

export interface Header {
  readonly v: 1 | 2;
  readonly kdf: KdfParams;
  readonly cipher: 'aes-256-gcm';
  /** Format 2: random, so no block of another key file (or an older copy of this one) opens here. */
  readonly id?: string;
}

export function newHeader(kdf: KdfParams): Header {
  return { v: 2, kdf, cipher: 'aes-256-gcm', id: randomBytes(16).toString('hex') };
}

/** The header's bytes as written (and as associated data of every seal). */
export function encodeHeader(header: Header): Buffer {
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(h.length);
  return Buffer.concat([MAGIC, len, h]);
}

export function readAt(fd: number, at: number, n: number): Buffer {
  const buf = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    const r = readSync(fd, buf, got, n - got, at + got);
    if (r === 0) break;
    got += r;
  }
  return got === n ? buf : buf.subarray(0, got);
}

/** The header of the key file open on `fd`: its value, its bytes (`aad`), and where it ends. */
export function readHeader(fd: number, path: string): { header: Header; aad: Buffer } {
  const first = readAt(fd, 0, 12);
  if (first.length < 12 || !first.subarray(0, 8).equals(MAGIC)) {
    throw new DcmblindError('E_KEY_FORMAT', `${path} is not a dcmblind key file`);
  }
  const n = first.readUInt32BE(8);
  const rest = n > 1 << 20 ? Buffer.alloc(0) : readAt(fd, 12, n);
  if (rest.length !== n) throw new DcmblindError('E_KEY_PASSPHRASE', `${path} is truncated or damaged`);
  let header: Header;
  try {
    header = JSON.parse(rest.toString('utf8')) as Header;
  } catch {
    throw new DcmblindError('E_KEY_PASSPHRASE', `${path} is damaged (header unreadable)`);
  }
  if (
    header === null ||
    typeof header !== 'object' ||
    (header.v !== 1 && header.v !== 2) ||
    header.cipher !== 'aes-256-gcm'
  )
    throw new DcmblindError('E_KEY_FORMAT', `${path}: unsupported key format`);
  return { header, aad: Buffer.concat([first, rest]) };
}

/** Open a key file to read; a clear error when it cannot be. */
export function openKeyFile(path: string, flags: 'r' | 'r+' = 'r'): number {
  try {
    return openSync(path, flags);
  } catch (e) {
    throw new DcmblindError(
      'E_IO',
      `cannot read key file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
      { cause: e },
    );
  }
}

/** The shortest passphrase a new key (or a new passphrase) may have, wherever it comes from. */
export const MIN_PASSPHRASE = 12;

export function checkNewPassphrase(passphrase: string): void {
  if ([...passphrase].length < MIN_PASSPHRASE) {
    throw new DcmblindError(
      'E_USAGE',
      `passphrase too short: a key's passphrase needs at least ${MIN_PASSPHRASE} characters ` +
        '(a few unrelated words are easiest to remember)',
    );
  }
}

/** A new key's payload: a random 256-bit secret and journal id, no records. */
export function newPayload(project: string): KeyPayload {
  return {
    format: 1,
    project,
    createdAt: new Date().toISOString(),
    secret: randomBytes(32).toString('base64'),
    journalId: randomBytes(16).toString('hex'),
    patients: {},
    files: new FileRecords(),
    runs: [],
  };
}
