/**
 * Which source content this run placed (or found done) at each output path. A million paths
 * must fit in a few tens of megabytes (issue 19), so neither paths nor digests are kept: each
 * claim is 16 bytes in one open-addressing table, the path as two independent 32-bit hashes
 * (63 bits) and the content as the first 64 bits of its SHA-256.
 *
 * Two different paths sharing 63 bits is a 1 in 10¹⁹ event per pair (about 1 in 10⁷ for a run of
 * a million outputs); two different contents at one path sharing 64 bits, 1 in 10¹⁹. Either
 * would show as a refused file (a path conflict) or a missed one (taken for a duplicate), so the
 * table is kept this wide rather than smaller.
 */
import { hash32 } from '../key/hash-index.js';

/** A second 32-bit hash of a path, independent of hash32 (a different mix and seed). */
function hash32b(s: string): number {
  let h = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Words per slot: path hash (2), content tag (2). A slot's second word is odd once used. */
const W = 4;

export class Claims {
  #slots = new Uint32Array(W * 1024);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Bytes the table holds. */
  get bytes(): number {
    return this.#slots.byteLength;
  }

  /** Whether the path is claimed, and if so whether by this content. */
  get(outRel: string, sha256: string): 'same' | 'other' | undefined {
    const at = this.#slotOf(hash32(outRel), (hash32b(outRel) | 1) >>> 0);
    const s = this.#slots;
    if (s[at + 1] === 0) return undefined;
    const [t1, t2] = tagOf(sha256);
    return s[at + 2] === t1 && s[at + 3] === t2 ? 'same' : 'other';
  }

  set(outRel: string, sha256: string): void {
    const a = hash32(outRel);
    const b = (hash32b(outRel) | 1) >>> 0;
    let at = this.#slotOf(a, b);
    if (this.#slots[at + 1] === 0) {
      // Grown before it is a third full past half: probes stay short.
      if ((this.#size + 1) * 3 > (this.#slots.length / W) * 2) {
        this.#grow();
        at = this.#slotOf(a, b);
      }
      this.#size++;
    }
    const [t1, t2] = tagOf(sha256);
    const s = this.#slots;
    s[at] = a;
    s[at + 1] = b;
    s[at + 2] = t1;
    s[at + 3] = t2;
  }

  /** The slot holding this path, or the empty one it would go to (linear probing). */
  #slotOf(a: number, b: number): number {
    const s = this.#slots;
    const mask = s.length / W - 1;
    for (let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
      const at = i * W;
      if (s[at + 1] === 0 || (s[at] === a && s[at + 1] === b)) return at;
    }
  }

  #grow(): void {
    const old = this.#slots;
    this.#slots = new Uint32Array(old.length * 2);
    for (let at = 0; at < old.length; at += W) {
      if (old[at + 1] === 0) continue;
      const to = this.#slotOf(old[at] as number, old[at + 1] as number);
      this.#slots.set(old.subarray(at, at + W), to);
    }
  }
}

/** The first 64 bits of a SHA-256 given in hex. */
function tagOf(sha256: string): [number, number] {
  return [Number.parseInt(sha256.slice(0, 8), 16) >>> 0, Number.parseInt(sha256.slice(8, 16), 16) >>> 0];
}
