/**
 * Which patient each file of the header pass belongs to, so the work pass can clean it of that
 * patient's values: 8 bytes a file (a hash of its path → the patient's number), not the path.
 * Two paths sharing a hash both name their patients: such a file is cleaned of every
 * candidate's values — more cleaning, never less.
 */
import { HashIndex, hash32, PairBuffer } from '../key/hash-index.js';

export class PatientOf {
  readonly #keys: string[] = [];
  readonly #numbers = new Map<string, number>();
  #pairs: PairBuffer | undefined = new PairBuffer();
  #index: HashIndex | undefined;

  /** Note a file's patient (header pass). */
  set(absPath: string, patientKey: string): void {
    if (!this.#pairs) throw new Error('PatientOf: set after the header pass ended');
    let n = this.#numbers.get(patientKey);
    if (n === undefined) {
      n = this.#keys.push(patientKey) - 1;
      this.#numbers.set(patientKey, n);
    }
    this.#pairs.push(hash32(absPath), n);
  }

  /** The header pass is over: index what it found. */
  seal(): this {
    this.#index = new HashIndex(this.#pairs);
    this.#pairs = undefined;
    return this;
  }

  /** The patient keys a file may belong to (none when its head could not be read). */
  keysOf(absPath: string): string[] {
    if (!this.#index) return [];
    const out = new Set<string>();
    for (const n of this.#index.candidates(hash32(absPath))) out.add(this.#keys[n] as string);
    return [...out];
  }
}
