/**
 * Which file records may hold a given string (a source path, an output path, a record id),
 * in 8 bytes a record: sorted (32-bit hash, ordinal) pairs, plus a small map for the records
 * added since the pairs were last sorted. A hash names candidates only; the caller compares
 * the record's real value, so a collision costs a lookup, never a wrong answer.
 */

/** FNV-1a over UTF-16 code units, then murmur3's finaliser (paths differ in few characters). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Pairs collected in bulk (reading a key file), sorted once by build(). */
export class PairBuffer {
  hashes = new Uint32Array(1024);
  ords = new Uint32Array(1024);
  length = 0;

  push(hash: number, ord: number): void {
    if (this.length === this.hashes.length) {
      const grow = (a: Uint32Array) => {
        const b = new Uint32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.hashes = grow(this.hashes);
      this.ords = grow(this.ords);
    }
    this.hashes[this.length] = hash;
    this.ords[this.length++] = ord;
  }
}

export class HashIndex {
  #hashes: Uint32Array;
  #ords: Uint32Array;
  #length: number;
  /** Added since the last settle(): hash → ordinals. */
  #recent = new Map<number, number[]>();

  constructor(pairs: PairBuffer = new PairBuffer()) {
    // One native numeric sort of hash·2³² + ordinal, not a comparator call per pair.
    const packed = new BigUint64Array(pairs.length);
    for (let i = 0; i < pairs.length; i++)
      packed[i] = (BigInt(pairs.hashes[i] as number) << 32n) | BigInt(pairs.ords[i] as number);
    packed.sort();
    this.#hashes = new Uint32Array(pairs.length);
    this.#ords = new Uint32Array(pairs.length);
    for (let i = 0; i < packed.length; i++) {
      const v = packed[i] as bigint;
      this.#hashes[i] = Number(v >> 32n);
      this.#ords[i] = Number(v & 0xffffffffn);
    }
    this.#length = pairs.length;
  }

  add(hash: number, ord: number): void {
    const list = this.#recent.get(hash);
    if (list) list.push(ord);
    else this.#recent.set(hash, [ord]);
  }

  /** Ordinals whose string may be one with this hash, in no particular order. */
  *candidates(hash: number): Generator<number> {
    let lo = 0;
    let hi = this.#length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#hashes[mid] as number) < hash) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.#length && this.#hashes[i] === hash; i++) yield this.#ords[i] as number;
    const recent = this.#recent.get(hash);
    if (recent) yield* recent;
  }

  /** Ordinals that share a hash with another (sorted part): where duplicates may be. */
  *sharedHashes(): Generator<number[]> {
    for (let i = 0; i < this.#length; ) {
      let j = i + 1;
      while (j < this.#length && this.#hashes[j] === this.#hashes[i]) j++;
      if (j - i > 1) yield Array.from(this.#ords.subarray(i, j));
      i = j;
    }
  }

  /**
   * Merge the recent pairs into the sorted ones, in place from the end (the arrays grow by
   * doubling): a run's folds do not leave a dead copy of the index behind each time.
   */
  settle(): void {
    if (this.#recent.size === 0) return;
    const add: Array<[number, number]> = [];
    for (const [h, ords] of this.#recent) for (const o of ords) add.push([h, o]);
    add.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const n = this.#length + add.length;
    if (n > this.#hashes.length) {
      const capacity = Math.max(n, this.#hashes.length * 2, 1024);
      const hashes = new Uint32Array(capacity);
      const ords = new Uint32Array(capacity);
      hashes.set(this.#hashes.subarray(0, this.#length));
      ords.set(this.#ords.subarray(0, this.#length));
      this.#hashes = hashes;
      this.#ords = ords;
    }
    const hashes = this.#hashes;
    const ords = this.#ords;
    let i = this.#length - 1;
    let j = add.length - 1;
    for (let k = n - 1; j >= 0; k--) {
      const pair = add[j] as [number, number];
      const takeOld =
        i >= 0 &&
        ((hashes[i] as number) > pair[0] || (hashes[i] === pair[0] && (ords[i] as number) > pair[1]));
      if (takeOld) {
        hashes[k] = hashes[i] as number;
        ords[k] = ords[i--] as number;
      } else {
        hashes[k] = pair[0];
        ords[k] = pair[1];
        j--;
      }
    }
    this.#length = n;
    this.#recent.clear();
  }
}
