/**
 * RLE Lossless round trip: any frame (runs, literals, runs longer than 128, 8- and 16-bit cells,
 * one and three samples) decodes to exactly what was encoded, and the encoding follows PS3.5
 * Annex G: a segment per byte of each sample, each of even length, offsets in the header.
 */
import { describe, expect, it } from 'vitest';
import type { Geometry } from './frames.js';
import { decodeRleFrame, encodeRleFrame } from './rle.js';

const geometry = (samples: 1 | 3, bytes: 1 | 2, rows: number, columns: number): Geometry => ({
  rows,
  columns,
  samples,
  bytes,
  bitsStored: bytes * 8,
  signed: false,
  photometric: samples === 3 ? 'RGB' : 'MONOCHROME2',
  planar: false,
  frames: 1,
  littleEndian: true,
});

/** Cells with long runs, short runs and noise, deterministic. */
function cells(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; ) {
    x = (x * 1103515245 + 12345) >>> 0;
    const run = x % 7 === 0 ? 1 + (x % 300) : 1;
    const v = (x >>> 8) & 0xff;
    for (let k = 0; k < run && i < n; k++) out[i++] = v;
  }
  return out;
}

describe('RLE Lossless', () => {
  for (const [samples, bytes] of [
    [1, 1],
    [1, 2],
    [3, 1],
    [3, 2],
  ] as const) {
    it(`round-trips ${samples} sample(s) of ${bytes * 8} bits`, () => {
      const g = geometry(samples, bytes, 37, 301);
      const src = cells(g.rows * g.columns * samples * bytes, samples * 10 + bytes);
      const rle = encodeRleFrame(src, g);
      const v = new DataView(rle.buffer, rle.byteOffset, rle.byteLength);
      expect(v.getUint32(0, true)).toBe(samples * bytes);
      for (let s = 0; s < samples * bytes; s++) expect(v.getUint32(4 + 4 * s, true) % 2).toBe(0);
      expect(rle.length % 2).toBe(0);
      expect(Buffer.from(decodeRleFrame(rle, g) as Uint8Array).equals(Buffer.from(src))).toBe(true);
    });
  }

  it('refuses a frame whose segments do not match the header or run short', () => {
    const g = geometry(1, 1, 4, 4);
    const rle = encodeRleFrame(new Uint8Array(16).fill(7), g);
    expect(decodeRleFrame(rle, geometry(3, 1, 4, 4))).toBeUndefined();
    expect(decodeRleFrame(rle.subarray(0, 65), g)).toBeUndefined();
  });
});
