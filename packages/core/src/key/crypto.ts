/**
 * Key file encryption: AES-256-GCM under a key derived from the passphrase with scrypt
 * (RFC 7914); the parameters and salt live in the authenticated header. Journal records
 * are sealed under a key derived from the project secret (HKDF-SHA-256, RFC 5869).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, scrypt, scryptSync } from 'node:crypto';
import { DcmblindError } from '../errors.js';

export interface KdfParams {
  readonly name: 'scrypt';
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: string; // base64
}

/** 2^17 × 8 × 1: 128 MiB and about half a second here, per OWASP's scrypt guidance. */
export const DEFAULT_KDF = { N: 2 ** 17, r: 8, p: 1 } as const;

export function newKdf(): KdfParams {
  // DCMBLIND_KDF_LOG2N lowers the cost for test suites only; the header records what was used.
  const logN = Number(process.env.DCMBLIND_KDF_LOG2N ?? 17);
  const N = Number.isInteger(logN) && logN >= 14 && logN <= 20 ? 2 ** logN : DEFAULT_KDF.N;
  return { name: 'scrypt', N, r: DEFAULT_KDF.r, p: DEFAULT_KDF.p, salt: randomBytes(16).toString('base64') };
}

const isInt = (v: unknown, lo: number, hi: number) =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

function scryptArgs(kdf: KdfParams | undefined) {
  // The header is authenticated only once the key is derived, so it is checked before use.
  if (
    kdf?.name !== 'scrypt' ||
    !isInt(kdf.N, 2, 2 ** 20) ||
    (kdf.N & (kdf.N - 1)) !== 0 ||
    !isInt(kdf.r, 1, 32) ||
    !isInt(kdf.p, 1, 16) ||
    typeof kdf.salt !== 'string'
  ) {
    throw new DcmblindError(
      'E_KEY_FORMAT',
      'the key file is damaged or not a dcmblind key (its key-derivation parameters are invalid)',
    );
  }
  return {
    salt: Buffer.from(kdf.salt, 'base64'),
    options: { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + 1024 * 1024 },
  };
}

export function deriveKey(passphrase: string, kdf: KdfParams): Buffer {
  const a = scryptArgs(kdf);
  return scryptSync(passphrase.normalize('NFC'), a.salt, 32, a.options);
}

/** The same derivation off the main thread (libuv pool), so other start-up work can overlap. */
export function deriveKeyAsync(passphrase: string, kdf: KdfParams): Promise<Buffer> {
  const a = scryptArgs(kdf);
  return new Promise((resolve, reject) =>
    scrypt(passphrase.normalize('NFC'), a.salt, 32, a.options, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** nonce(12) ‖ ciphertext ‖ tag(16) */
/**
 * Random nonces, drawn 12 bytes at a time from a block filled at once: a run seals one journal
 * record per file, and a call into the random generator per record cost ~20 µs of the main
 * thread (100 ms of a 5,000-file run). Each nonce is still fresh random bytes, used once.
 */
const NONCES = 256;
let nonceBlock = Buffer.alloc(0);
let nonceAt = 0;
function freshNonce(): Buffer {
  if (nonceAt >= nonceBlock.length) {
    nonceBlock = randomBytes(12 * NONCES);
    nonceAt = 0;
  }
  const n = nonceBlock.subarray(nonceAt, nonceAt + 12);
  nonceAt += 12;
  return n;
}

export function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const nonce = freshNonce();
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([nonce, body, c.getAuthTag()]);
}

export function open(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer | undefined {
  if (sealed.length < 28) return undefined;
  const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  try {
    return Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]);
  } catch {
    return undefined;
  }
}

export function journalKey(secret: Uint8Array, journalId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.from(journalId, 'utf8'), 'dcmblind journal v1', 32));
}
