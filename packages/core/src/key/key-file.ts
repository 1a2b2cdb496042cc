/**
 * The key file's format: "DCMBKEY1" ‖ u32 header length ‖ header JSON (KDF parameters,
 * cipher) ‖ sealed payload. The header is the AEAD's associated data, so any changed byte
 * fails the tag.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DcmblindError } from '../errors.js';
import { type KdfParams, seal } from './crypto.js';
import type { KeyPayload } from './records.js';

const MAGIC = Buffer.from('DCMBKEY1', 'ascii');

export interface Header {
  readonly v: 1;
  readonly kdf: KdfParams;
  readonly cipher: 'aes-256-gcm';
}

/** Seal the payload under `key` (derived once from the passphrase; a fresh nonce every write). */
export function encodeKeyFile(payload: KeyPayload, header: Header, key: Uint8Array): Buffer {
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(h.length);
  const aad = Buffer.concat([MAGIC, len, h]);
  return Buffer.concat([aad, seal(key, Buffer.from(JSON.stringify(payload), 'utf8'), aad)]);
}

export function readKeyFile(path: string): { header: Header; aad: Buffer; body: Buffer } {
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
    files: [],
    runs: [],
  };
}
