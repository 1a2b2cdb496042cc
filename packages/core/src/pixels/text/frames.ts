/**
 * Native pixel data as frames a text finder can look at, and blanking boxes in it in its own
 * layout. A frame is seen as 8-bit luminance (what a reader of the screen sees: RGB weighted,
 * YBR's Y, MONOCHROME1 inverted, 16-bit cells scaled from their range); boxes are blanked in
 * the stored cells, every sample, so nothing of the text is left in any channel.
 */
import type { Element, ParsedFile } from '../../dicom/reader.js';
import { latin1 } from '../../deid/text.js';
import { numberOfFrames } from '../encapsulated.js';
import { usValue } from '../unused-bits.js';

const ROWS = 0x00280010;
const COLUMNS = 0x00280011;
const SAMPLES = 0x00280002;
const PHOTOMETRIC = 0x00280004;
const PLANAR = 0x00280006;
const BITS_ALLOCATED = 0x00280100;
const BITS_STORED = 0x00280101;
const PIXEL_REPRESENTATION = 0x00280103;

export interface Geometry {
  readonly rows: number;
  readonly columns: number;
  readonly samples: 1 | 3;
  /** 1 (8-bit cells) or 2 (16-bit). */
  readonly bytes: 1 | 2;
  readonly bitsStored: number;
  readonly signed: boolean;
  readonly photometric: string;
  /** Colour by plane (RRR…GGG…BBB…) rather than by pixel (RGBRGB…). */
  readonly planar: boolean;
  readonly frames: number;
  readonly littleEndian: boolean;
}

/** Palette indexes say nothing of brightness, YBR_FULL_422 shares chroma between cells: not read here. */
export const PHOTOMETRICS_READ = new Set(['MONOCHROME1', 'MONOCHROME2', 'RGB', 'YBR_FULL']);

const us = (p: ParsedFile, tag: number): number | undefined =>
  usValue(
    p.data,
    p.dataset.find((e) => e.tag === tag),
    p.encoding.littleEndian,
  );

function text(p: ParsedFile, tag: number): string {
  const el = p.dataset.find((e) => e.tag === tag);
  if (!el || el.items || el.external) return '';
  return latin1(p.data.subarray(el.valueStart, el.valueStart + el.valueLength))
    .replace(/[\0 ]+$/, '')
    .trim();
}

/**
 * Colour models of compressed frames that decode to RGB: JPEG's subsampled YCbCr, JPEG 2000's
 * irreversible and reversible component transforms.
 */
const DECODED_TO_RGB = new Set(['YBR_FULL_422', 'YBR_ICT', 'YBR_RCT']);

/**
 * The frames' layout, or why they cannot be read here. `compressed`: the header of encapsulated
 * frames (its value is not native cells; YBR_FULL_422 is decoded to RGB).
 */
export function geometryOf(
  p: ParsedFile,
  pixels: Element,
  opts: { readonly compressed?: boolean } = {},
): Geometry | { readonly unreadable: string } {
  const rows = us(p, ROWS);
  const columns = us(p, COLUMNS);
  const samples = us(p, SAMPLES) ?? 1;
  const allocated = us(p, BITS_ALLOCATED);
  const stored = us(p, BITS_STORED) ?? allocated;
  const photometric = text(p, PHOTOMETRIC).toUpperCase();
  const frames = numberOfFrames(p);
  if (!rows || !columns) return { unreadable: 'no Rows or Columns' };
  if (samples !== 1 && samples !== 3) return { unreadable: `${samples} samples per pixel` };
  if (allocated !== 8 && allocated !== 16) return { unreadable: `${allocated ?? 'no'} bits allocated` };
  const rgbLike =
    photometric === 'RGB' ||
    photometric === 'YBR_FULL' ||
    (opts.compressed === true && DECODED_TO_RGB.has(photometric));
  if (!PHOTOMETRICS_READ.has(photometric) && !rgbLike)
    return {
      unreadable: `photometric interpretation ${photometric || '(missing)'} is not read by this version`,
    };
  if ((samples === 3) !== rgbLike) return { unreadable: `${samples} samples with ${photometric}` };
  const g: Geometry = {
    rows,
    columns,
    samples,
    bytes: allocated === 8 ? 1 : 2,
    bitsStored: Math.min(stored ?? allocated, allocated),
    signed: us(p, PIXEL_REPRESENTATION) === 1,
    photometric,
    planar: samples === 3 && us(p, PLANAR) === 1,
    frames,
    littleEndian: p.encoding.littleEndian,
  };
  if (!opts.compressed && pixels.valueLength < frameBytes(g) * frames)
    return { unreadable: `pixel data holds ${pixels.valueLength} bytes, ${frameBytes(g) * frames} expected` };
  return g;
}

export const frameBytes = (g: Geometry): number => g.rows * g.columns * g.samples * g.bytes;

/** One frame as 8-bit luminance, row by row (`value`: the whole Pixel Data value). */
export function luminance(g: Geometry, value: Uint8Array, frame: number): Uint8Array {
  const n = g.rows * g.columns;
  const out = new Uint8Array(n);
  const base = frame * frameBytes(g);
  if (g.bytes === 2) {
    const view = new DataView(value.buffer, value.byteOffset + base, n * 2 * g.samples);
    const cell = (i: number) => {
      const raw = view.getUint16(i * 2, g.littleEndian);
      const mask = g.bitsStored >= 16 ? 0xffff : (1 << g.bitsStored) - 1;
      let v = raw & mask;
      if (g.signed && g.bitsStored < 16 && v & (1 << (g.bitsStored - 1))) v -= 1 << g.bitsStored;
      else if (g.signed && g.bitsStored >= 16 && v & 0x8000) v -= 0x10000;
      return v;
    };
    // Scaled from the frame's own range, between its 0.5th and 99.5th percentiles: a reader
    // windows the image, and one stray cell at the extreme (a hot pixel, a padding value) would
    // otherwise squeeze everything else, text included, into a few grey levels. Text drawn at or
    // beyond the brightest level of the anatomy comes out white.
    const vals = new Int32Array(n);
    const histogram = new Uint32Array(0x20000);
    for (let i = 0; i < n; i++) {
      const v = g.samples === 1 ? cell(i) : cell(i * 3); // 16-bit colour is rare: its first sample
      vals[i] = v;
      histogram[v + 0x10000] = (histogram[v + 0x10000] as number) + 1;
    }
    const percentile = (p: number) => {
      let seen = 0;
      for (let v = 0; v < histogram.length; v++) {
        seen += histogram[v] as number;
        if (seen > p * n) return v - 0x10000;
      }
      return 0xffff;
    };
    const lo = percentile(0.005);
    const hi = percentile(0.995);
    const scale = 255 / (hi > lo ? hi - lo : 1);
    for (let i = 0; i < n; i++)
      out[i] = Math.max(0, Math.min(255, Math.round(((vals[i] as number) - lo) * scale)));
  } else if (g.samples === 1) {
    out.set(value.subarray(base, base + n));
  } else if (g.photometric === 'YBR_FULL') {
    for (let i = 0; i < n; i++) out[i] = value[base + (g.planar ? i : i * 3)] as number;
  } else {
    for (let i = 0; i < n; i++) {
      const [r, gr, b] = g.planar
        ? [value[base + i], value[base + n + i], value[base + 2 * n + i]]
        : [value[base + i * 3], value[base + i * 3 + 1], value[base + i * 3 + 2]];
      out[i] = ((r as number) * 77 + (gr as number) * 150 + (b as number) * 29) >> 8;
    }
  }
  if (g.photometric === 'MONOCHROME1') for (let i = 0; i < n; i++) out[i] = 255 - (out[i] as number);
  return out;
}

/**
 * One colour frame as 8-bit chroma (the spread between its strongest and weakest primary; YBR's
 * distance from grey): coloured text over grey anatomy — a cyan date over a CT, a yellow caliper
 * label — stands out here even where its brightness is the anatomy's. Undefined for grey frames.
 */
export function chroma(g: Geometry, value: Uint8Array, frame: number): Uint8Array | undefined {
  if (g.samples !== 3 || g.bytes !== 1) return undefined;
  const n = g.rows * g.columns;
  const out = new Uint8Array(n);
  const base = frame * frameBytes(g);
  const at = (i: number, s: number) => value[base + (g.planar ? s * n + i : i * 3 + s)] as number;
  if (g.photometric === 'YBR_FULL') {
    for (let i = 0; i < n; i++)
      out[i] = Math.min(255, 2 * Math.max(Math.abs(at(i, 1) - 128), Math.abs(at(i, 2) - 128)));
    return out;
  }
  for (let i = 0; i < n; i++) {
    const r = at(i, 0);
    const gr = at(i, 1);
    const b = at(i, 2);
    out[i] = Math.max(r, gr, b) - Math.min(r, gr, b);
  }
  return out;
}

export interface Box {
  readonly x0: number;
  readonly y0: number;
  /** Exclusive. */
  readonly x1: number;
  readonly y1: number;
}

/**
 * The stored cell values that display as black, per sample. A grey frame of more than 8 bits is
 * shown windowed to its own range, so its black is its darkest cell (its lowest value, or its
 * highest in MONOCHROME1), not the lowest value the type can hold: a signed MR filled with
 * -32768 would stretch a viewer's auto-window and wash the image out.
 */
function blackOf(g: Geometry, value: Uint8Array, frame: number): number[] {
  if (g.photometric === 'YBR_FULL') return [0, 128, 128];
  if (g.samples === 3) return [0, 0, 0];
  if (g.bytes === 1 && !g.signed) return [g.photometric === 'MONOCHROME1' ? (1 << g.bitsStored) - 1 : 0];
  const n = g.rows * g.columns;
  const base = frame * frameBytes(g);
  const view = new DataView(value.buffer, value.byteOffset + base, n * g.bytes);
  const bits = g.bitsStored;
  const mask = bits >= 16 ? 0xffff : (1 << bits) - 1;
  // Cells as numbers (sign-extended), and back to the stored pattern of the darkest one.
  const numeric = (raw: number) => {
    const v = raw & mask;
    return g.signed && v & (1 << (bits - 1)) ? v - (1 << bits) : v;
  };
  const stored = (v: number) => (v < 0 ? v + (g.bytes === 2 ? 0x10000 : 0x100) : v);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = numeric(g.bytes === 2 ? view.getUint16(i * 2, g.littleEndian) : view.getUint8(i));
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [stored(g.photometric === 'MONOCHROME1' ? hi : lo)];
}

/**
 * Blank `boxes` of `frame` in `value` (changed in place), every sample; returns the cells changed.
 * Boxes are clipped to the frame.
 */
export function blank(g: Geometry, value: Uint8Array, frame: number, boxes: readonly Box[]): number {
  const n = g.rows * g.columns;
  const base = frame * frameBytes(g);
  const black = blackOf(g, value, frame);
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  let changed = 0;
  const put = (at: number, v: number) => {
    if (g.bytes === 1) {
      if (value[at] !== v) {
        value[at] = v;
        changed++;
      }
    } else if (view.getUint16(at, g.littleEndian) !== v) {
      view.setUint16(at, v, g.littleEndian);
      changed++;
    }
  };
  for (const b of boxes) {
    const x0 = Math.max(0, Math.floor(b.x0));
    const x1 = Math.min(g.columns, Math.ceil(b.x1));
    const y0 = Math.max(0, Math.floor(b.y0));
    const y1 = Math.min(g.rows, Math.ceil(b.y1));
    for (let y = y0; y < y1; y++)
      for (let x = x0; x < x1; x++) {
        const i = y * g.columns + x;
        for (let s = 0; s < g.samples; s++) {
          const cell = g.planar ? s * n + i : i * g.samples + s;
          put(base + cell * g.bytes, black[s] as number);
        }
      }
  }
  return changed;
}
