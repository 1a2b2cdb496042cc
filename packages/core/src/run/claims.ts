/**
 * Which source content this run placed (or found done) at each output path. A million paths
 * must fit in a few tens of megabytes (issue 19), so paths are not kept: each path is two
 * independent 32-bit hashes (63 bits) in an open-addressing table. A file this run places is
 * 16 bytes: its path and the first 64 bits of its content's SHA-256. A file found done by an
 * earlier run is 8 bytes, its path alone: the key holds its record, read back in the rare case a
 * file of this run meets its path — which also settles a hash that only looked like it.
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

/** A path's two hashes, the second odd (so a used slot is never all zero). */
type PathHashes = readonly [number, number];
const pathHashes = (path: string): PathHashes => [hash32(path), (hash32b(path) | 1) >>> 0];

/**
 * Open addressing over one Uint32Array, `words` a slot: the path's two hashes first (the second
 * odd, so a used slot is never all zero), then the caller's. Linear probing; grown by doubling
 * before it is two thirds full. Any number of slots, not only powers of two (a hash is mapped
 * onto them by multiplication): a table sized for a million paths is 24 MB, not the 32 MB of the
 * next power of two.
 */
class Slots {
  #slots: Uint32Array;
  #count: number;
  #size = 0;
  readonly #w: number;

  constructor(words: number) {
    this.#w = words;
    this.#count = 1024;
    this.#slots = new Uint32Array(words * this.#count);
  }

  get size(): number {
    return this.#size;
  }

  get bytes(): number {
    return this.#slots.byteLength;
  }

  /** The slot of a path (by pathHashes), or undefined when it was never put. */
  find([a, b]: PathHashes): { slots: Uint32Array; at: number } | undefined {
    const at = this.#slotOf(a, b);
    return this.#slots[at + 1] === 0 ? undefined : { slots: this.#slots, at };
  }

  /** The slot of a path (by pathHashes), made if need be (the caller writes the rest). */
  put([a, b]: PathHashes): { slots: Uint32Array; at: number } {
    let at = this.#slotOf(a, b);
    if (this.#slots[at + 1] === 0) {
      if ((this.#size + 1) * 3 > this.#count * 2) {
        this.#grow(this.#count * 2);
        at = this.#slotOf(a, b);
      }
      this.#size++;
      this.#slots[at] = a;
      this.#slots[at + 1] = b;
    }
    return { slots: this.#slots, at };
  }

  #slotOf(a: number, b: number): number {
    const s = this.#slots;
    const n = this.#count;
    // The mixed 32-bit hash times n, over 2^32: a slot in [0, n) (exact in doubles).
    for (let i = Math.floor((((a ^ Math.imul(b, 0x9e3779b1)) >>> 0) * n) / 0x100000000); ; ) {
      const at = i * this.#w;
      if (s[at + 1] === 0 || (s[at] === a && s[at + 1] === b)) return at;
      i = i + 1 === n ? 0 : i + 1;
    }
  }

  /**
   * Room for `count` paths in all, made at once: a table doubled while a run fills it holds both
   * copies for a moment (16 and 32 MB at 700,000 paths), late in a run when memory is highest.
   */
  reserve(count: number): void {
    const slots = Math.ceil((count * 3) / 2) + 1;
    if (slots > this.#count) this.#grow(slots);
  }

  #grow(count: number): void {
    const old = this.#slots;
    this.#count = count;
    this.#slots = new Uint32Array(count * this.#w);
    for (let at = 0; at < old.length; at += this.#w) {
      if (old[at + 1] === 0) continue;
      const to = this.#slotOf(old[at] as number, old[at + 1] as number);
      this.#slots.set(old.subarray(at, at + this.#w), to);
    }
  }
}

export class Claims {
  /** Files this run places: path, content tag. */
  readonly #placed = new Slots(4);
  /** Files found done: path only (their content is in the key). */
  readonly #done = new Slots(2);
  readonly #doneContent: (outRel: string) => string | undefined;

  /** `doneContent`: the SHA-256 of the source an earlier run placed at a path (its key record). */
  constructor(doneContent: (outRel: string) => string | undefined) {
    this.#doneContent = doneContent;
  }

  get size(): number {
    return this.#placed.size + this.#done.size;
  }

  /** The header pass found `count` files to place: make room for them once (see Slots.reserve). */
  reserve(count: number): void {
    this.#placed.reserve(this.#placed.size + count);
  }

  /** Bytes the tables hold. */
  get bytes(): number {
    return this.#placed.bytes + this.#done.bytes;
  }

  /** Whether the path is claimed, and if so whether by this content. */
  get(outRel: string, sha256: string): 'same' | 'other' | undefined {
    const h = pathHashes(outRel);
    const p = this.#placed.find(h);
    if (p) {
      const [t1, t2] = tagOf(sha256);
      return p.slots[p.at + 2] === t1 && p.slots[p.at + 3] === t2 ? 'same' : 'other';
    }
    if (!this.#done.find(h)) return undefined;
    // Only the key knows what is there (and whether this was the path or a hash like it).
    const there = this.#doneContent(outRel);
    return there === undefined ? undefined : there === sha256 ? 'same' : 'other';
  }

  /** This run places `sha256`'s output at the path. */
  set(outRel: string, sha256: string): void {
    const { slots, at } = this.#placed.put(pathHashes(outRel));
    const [t1, t2] = tagOf(sha256);
    slots[at + 2] = t1;
    slots[at + 3] = t2;
  }

  /** An earlier run placed this output, and it is done (its key record says what content). */
  setDone(outRel: string): void {
    this.#done.put(pathHashes(outRel));
  }
}

/** The first 64 bits of a SHA-256 given in hex. */
function tagOf(sha256: string): [number, number] {
  return [Number.parseInt(sha256.slice(0, 8), 16) >>> 0, Number.parseInt(sha256.slice(8, 16), 16) >>> 0];
}
