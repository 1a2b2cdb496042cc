/**
 * Keyed derivations from the project secret (HMAC-SHA-256). Every derived value depends on
 * the secret and the source value alone, so workers, runs and machines agree without
 * sharing any state. Domain strings keep the derivations independent of each other.
 */
import { createHmac } from 'node:crypto';
import { memo } from '../scrub/memo.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A UID under the 2.25 arc (PS3.5 §B.2): the decimal form of a 128-bit UUID made from the
 * first 16 bytes given, marked version 8 ("custom", RFC 9562 §5.8).
 */
export function uuidUID(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = ((b[6] as number) & 0x0f) | 0x80;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${b.toString('hex')}`).toString(10)}`;
}

/**
 * HMACs remembered per secret (scrub/memo.ts): what repeats is a series' study, series and frame
 * of reference UIDs, its patient and its folders' labels, file after file; instance UIDs come
 * once or twice. A few thousand are plenty; more only fill a worker's capped heap.
 */
const REMEMBERED = 8192;

export class ProjectSecret {
  readonly #key: Uint8Array;
  constructor(key: Uint8Array) {
    if (key.length < 32) throw new Error('project secret must be at least 256 bits');
    this.#key = key;
  }

  mac(domain: string, ...parts: string[]): Buffer {
    const h = createHmac('sha256', this.#key);
    h.update(domain);
    for (const p of parts) {
      h.update('\u0000');
      h.update(p, 'utf8');
    }
    return h.digest();
  }

  /**
   * A short public name of the key (16 hex): outputs record which key made them, and the key
   * tool prints it, without revealing anything of the secret.
   */
  fingerprint(): string {
    return this.mac('fingerprint').toString('hex').slice(0, 16);
  }

  /** The new UID of a source UID: a 2.25 UID from its HMAC. */
  readonly uid: (source: string) => string = memo((source) => uuidUID(this.mac('uid', source)), REMEMBERED);

  /** A pseudonym: prefix + 16 Crockford base-32 characters (80 bits) of the patient's HMAC. */
  pseudonym(patientKey: string, prefix: string): string {
    return prefix + this.#base32(patientKey);
  }

  readonly #base32 = memo((patientKey: string): string => {
    const b = this.mac('patient', patientKey);
    let bits = 0;
    let acc = 0;
    let out = '';
    for (let i = 0; i < 10; i++) {
      acc = (acc << 8) | (b[i] as number);
      bits += 8;
      while (bits >= 5) {
        out += CROCKFORD[(acc >>> (bits - 5)) & 31];
        bits -= 5;
      }
      acc &= (1 << bits) - 1;
    }
    return out;
  }, REMEMBERED);

  readonly #offsetWord = memo(
    (patientKey: string): number => this.mac('date-offset', patientKey).readUInt32BE(0),
    REMEMBERED,
  );

  /** Whole days in [min, max], uniform enough for any realistic range (32-bit modulus). */
  dateOffsetDays(patientKey: string, min: number, max: number): number {
    return min + (this.#offsetWord(patientKey) % (max - min + 1));
  }

  /** A short non-identifying label for a path component (12 base-32 characters). */
  label(domain: string, value: string): string {
    return this.pseudonym(`${domain}\u0000${value}`, '').slice(0, 12);
  }
}
