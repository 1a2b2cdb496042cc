/**
 * Multi-pattern byte search (Aho–Corasick) with ASCII case folding: every seeded value is
 * looked for in one pass over a file's bytes, however many values there are.
 */

const fold = (b: number) => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b);

/**
 * Letters, digits and any non-ASCII byte (a letter in some character set): what a name or ID
 * must not touch to be a whole word. 0xFE and 0xFF are not: UTF-8 never has them, and in a bit
 * stream they start the next marker.
 */
export const isWordByte = (b: number | undefined): boolean =>
  b !== undefined &&
  ((b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    (b >= 0x30 && b <= 0x39) ||
    (b >= 0x80 && b < 0xfe));

/** A digit: what a number must not touch to stand alone. */
export const isDigitByte = (b: number | undefined): boolean => b !== undefined && b >= 0x30 && b <= 0x39;

/** A letter (or a non-ASCII byte, a letter in some character set): what a name must not touch. */
export const isLetterByte = (b: number | undefined): boolean => isWordByte(b) && !isDigitByte(b);

export interface Pattern {
  readonly bytes: Uint8Array;
  /** Index into the caller's seed list. */
  readonly seed: number;
}

export interface Hit {
  /** Offset of the match's first byte. */
  readonly at: number;
  readonly length: number;
  readonly seed: number;
}

export class Matcher {
  readonly #next: Array<Map<number, number>> = [new Map()];
  readonly #fail: number[] = [0];
  readonly #out: Array<Array<{ seed: number; length: number }>> = [[]];
  /** The longest pattern in bytes: how much a chunked search must carry from one chunk to the next. */
  readonly maxLength: number = 0;

  constructor(patterns: readonly Pattern[]) {
    for (const p of patterns) {
      if (p.bytes.length === 0) continue;
      if (p.bytes.length > this.maxLength) this.maxLength = p.bytes.length;
      let s = 0;
      for (const raw of p.bytes) {
        const b = fold(raw);
        let t = this.#next[s]?.get(b);
        if (t === undefined) {
          t = this.#next.length;
          this.#next.push(new Map());
          this.#fail.push(0);
          this.#out.push([]);
          this.#next[s]?.set(b, t);
        }
        s = t;
      }
      const outs = this.#out[s] as Array<{ seed: number; length: number }>;
      if (!outs.some((o) => o.seed === p.seed && o.length === p.bytes.length))
        outs.push({ seed: p.seed, length: p.bytes.length });
    }
    // Breadth-first failure links.
    const queue: number[] = [];
    for (const t of this.#next[0]?.values() ?? []) queue.push(t);
    for (let i = 0; i < queue.length; i++) {
      const s = queue[i] as number;
      for (const [b, t] of this.#next[s] ?? []) {
        queue.push(t);
        let f = this.#fail[s] as number;
        while (f !== 0 && !this.#next[f]?.has(b)) f = this.#fail[f] as number;
        const g = this.#next[f]?.get(b);
        this.#fail[t] = g !== undefined && g !== t ? g : 0;
        (this.#out[t] as Array<{ seed: number; length: number }>).push(
          ...(this.#out[this.#fail[t] as number] ?? []),
        );
      }
    }
  }

  get empty(): boolean {
    return this.#next.length === 1;
  }

  /** All matches in bytes[from, to). */
  search(bytes: Uint8Array, from = 0, to = bytes.length, hits: Hit[] = []): Hit[] {
    if (this.empty) return hits;
    let s = 0;
    for (let i = from; i < to; i++) {
      const b = fold(bytes[i] as number);
      let t = this.#next[s]?.get(b);
      while (t === undefined && s !== 0) {
        s = this.#fail[s] as number;
        t = this.#next[s]?.get(b);
      }
      s = t ?? 0;
      const outs = this.#out[s];
      if (outs && outs.length > 0)
        for (const o of outs) hits.push({ at: i - o.length + 1, length: o.length, seed: o.seed });
    }
    return hits;
  }
}
