/**
 * Seeded mutations of real DICOM files, for fuzzing the engine: byte flips, truncations,
 * insertions, huge/odd/undefined lengths written over element length fields, duplicated
 * and swapped slices, zeroed regions. Deterministic per seed, so a failing case replays.
 */

export class Rng {
  #x: number;
  constructor(seed: number) {
    this.#x = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) || 1;
  }
  next(): number {
    let x = this.#x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#x = x;
    return (x >>> 0) / 0x100000000;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

export const MUTATIONS = [
  'flip',
  'truncate',
  'insert',
  'huge-length',
  'odd-length',
  'undefined-length',
  'duplicate',
  'zero',
  'swap',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

/** Offsets just past a plausible explicit-VR element header (tag, two letters): where a length field sits. */
function lengthFields(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 132; i + 8 < b.length && out.length < 4096; i++) {
    const v0 = b[i + 4] as number;
    const v1 = b[i + 5] as number;
    if (v0 >= 0x41 && v0 <= 0x5a && v1 >= 0x41 && v1 <= 0x5a && (b[i + 1] as number) < 0x80) out.push(i + 6);
  }
  return out;
}

export function mutate(src: Uint8Array, rng: Rng): { bytes: Uint8Array; mutation: Mutation } {
  const mutation = MUTATIONS[rng.int(MUTATIONS.length)] as Mutation;
  const b = Uint8Array.from(src);
  const at = () => rng.int(Math.max(1, b.length));
  switch (mutation) {
    case 'flip': {
      const n = 1 + rng.int(8);
      for (let i = 0; i < n; i++) {
        const p = at();
        b[p] = (b[p] as number) ^ (1 << rng.int(8));
      }
      return { bytes: b, mutation };
    }
    case 'truncate':
      return { bytes: b.subarray(0, at()), mutation };
    case 'insert': {
      const p = at();
      const junk = Uint8Array.from({ length: 1 + rng.int(64) }, () => rng.int(256));
      return { bytes: Buffer.concat([b.subarray(0, p), junk, b.subarray(p)]), mutation };
    }
    case 'huge-length':
    case 'odd-length':
    case 'undefined-length': {
      const fields = lengthFields(b);
      if (fields.length === 0) return { bytes: b.subarray(0, at()), mutation: 'truncate' };
      const p = fields[rng.int(fields.length)] as number;
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      if (mutation === 'huge-length') {
        // A 2-byte length maxed, or (long VRs) a 4-byte one near 4 GiB.
        if (p + 6 <= b.length && b[p] === 0 && b[p + 1] === 0)
          dv.setUint32(p + 2, 0xfffffff0 - rng.int(1024), true);
        else dv.setUint16(p, 0xffff, true);
      } else if (mutation === 'odd-length') {
        dv.setUint16(p, (dv.getUint16(p, true) | 1) >>> 0, true);
      } else if (p + 6 <= b.length) {
        dv.setUint32(p + 2, 0xffffffff, true);
      }
      return { bytes: b, mutation };
    }
    case 'duplicate': {
      const p = at();
      const n = 1 + rng.int(256);
      return { bytes: Buffer.concat([b.subarray(0, p), b.subarray(p, p + n), b.subarray(p)]), mutation };
    }
    case 'zero': {
      const p = at();
      b.fill(0, p, p + 1 + rng.int(64));
      return { bytes: b, mutation };
    }
    case 'swap': {
      const p = at();
      const q = at();
      const n = Math.min(1 + rng.int(32), b.length - Math.max(p, q));
      if (n > 0) {
        const t = b.slice(p, p + n);
        b.copyWithin(p, q, q + n);
        b.set(t, q);
      }
      return { bytes: b, mutation };
    }
  }
}
