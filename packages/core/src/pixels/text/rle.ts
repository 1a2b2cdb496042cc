/**
 * DICOM RLE Lossless (PS3.5 Annex G): a frame is a 64-byte header (the number of segments and
 * their offsets) and one PackBits segment per byte of each sample, most significant byte first.
 * Decoded here into the native layout (samples interleaved, cells little endian) and encoded
 * back from it after blanking, so an RLE source is written as RLE again, losslessly.
 */
import type { Geometry } from './frames.js';

/** A frame's cells in the native layout (interleaved, little endian); undefined if malformed. */
export function decodeRleFrame(frame: Uint8Array, g: Geometry): Uint8Array | undefined {
  if (frame.length < 64) return undefined;
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = v.getUint32(0, true);
  const expected = g.samples * g.bytes;
  if (segments !== expected) return undefined;
  const pixels = g.rows * g.columns;
  const out = new Uint8Array(pixels * expected);
  for (let s = 0; s < segments; s++) {
    const start = v.getUint32(4 + s * 4, true);
    const end = s + 1 < segments ? v.getUint32(8 + s * 4, true) : frame.length;
    if (start < 64 || end > frame.length || start > end) return undefined;
    const sample = Math.floor(s / g.bytes);
    // Segment k of a sample holds its k-th byte from the most significant: little endian puts it last.
    const byte = g.bytes - 1 - (s % g.bytes);
    let i = start;
    let n = 0;
    const put = (b: number) => {
      if (n < pixels) out[(n * g.samples + sample) * g.bytes + byte] = b;
      n++;
    };
    while (i < end && n < pixels) {
      const h = frame[i++] as number;
      if (h < 128) {
        for (let k = 0; k <= h && i < end; k++) put(frame[i++] as number);
      } else if (h > 128) {
        const b = frame[i++] as number;
        for (let k = 0; k < 257 - h; k++) put(b);
      }
    }
    if (n < pixels) return undefined;
  }
  return out;
}

/** PackBits of one run of bytes (a row of a segment): repeats of 3 or more as runs, the rest literal. */
function packBits(src: Uint8Array, out: number[]): void {
  let i = 0;
  while (i < src.length) {
    let run = 1;
    while (i + run < src.length && run < 128 && src[i + run] === src[i]) run++;
    if (run >= 3) {
      out.push(257 - run, src[i] as number);
      i += run;
      continue;
    }
    let lit = 0;
    while (i + lit < src.length && lit < 128) {
      const a = src[i + lit];
      if (i + lit + 2 < src.length && a === src[i + lit + 1] && a === src[i + lit + 2]) break;
      lit++;
    }
    out.push(lit - 1);
    for (let k = 0; k < lit; k++) out.push(src[i + k] as number);
    i += lit;
  }
}

/** A frame in the native layout encoded as RLE Lossless, each row of each segment on its own. */
export function encodeRleFrame(cells: Uint8Array, g: Geometry): Uint8Array {
  const segments = g.samples * g.bytes;
  const bodies: Uint8Array[] = [];
  const row = new Uint8Array(g.columns);
  for (let s = 0; s < segments; s++) {
    const sample = Math.floor(s / g.bytes);
    const byte = g.bytes - 1 - (s % g.bytes);
    const out: number[] = [];
    for (let y = 0; y < g.rows; y++) {
      for (let x = 0; x < g.columns; x++)
        row[x] = cells[((y * g.columns + x) * g.samples + sample) * g.bytes + byte] as number;
      packBits(row, out);
    }
    if (out.length % 2) out.push(128); // a no-op byte keeps each segment even
    bodies.push(Uint8Array.from(out));
  }
  const header = new Uint8Array(64);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, segments, true);
  let at = 64;
  bodies.forEach((b, s) => {
    hv.setUint32(4 + s * 4, at, true);
    at += b.length;
  });
  return Buffer.concat([header, ...bodies]);
}
