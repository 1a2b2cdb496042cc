/**
 * The verifier's own reading of a frame, by another road than the engine's: the engine reads
 * only the candidate lines its stroke filter finds (core pixels/text/), so a text that filter
 * misses would be missed twice if the verifier read the same lines. Here the whole frame is cut
 * into overlapping horizontal bands — 48 px enlarged twice for overlay text, 160 px as they are
 * for titles — each band stretched between its 2nd and 98th percentiles (text over anatomy
 * stands out of its own band, not of the whole frame) and turned dark on light, and read by OCR
 * as sparse text. What it reads that looks like a word, a date or an ID is kept.
 */
import { recognizePage } from '@dcmblind/core';

export interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

export type TokenKind = 'word' | 'date' | 'id';

/** A token read in a frame, its box in the frame's pixels. */
export interface ReadToken {
  /** Upper-cased, without the punctuation around it. */
  readonly text: string;
  readonly kind: TokenKind;
  readonly confidence: number;
  readonly box: Box;
}

/** Band heights (frame pixels) and how much each is enlarged before OCR. */
const BANDS: ReadonlyArray<readonly [height: number, scale: number]> = [
  [48, 2],
  [160, 1],
];
/** Frames wider than this are reduced first: a CR's text is large, and OCR time grows with area. */
const MAX_WIDTH = 1024;
/** Below this OCR confidence, a "word" is speckle or anatomy lined up. */
const MIN_CONFIDENCE = 50;
/**
 * A token's box is at least this wide per character, in units of its height: glyphs are about
 * half as wide as tall; noise stretched out of a flat band reads as a few letters in a sliver.
 */
const MIN_WIDTH_PER_CHAR = 0.25;
/** A band whose cells span fewer grey levels than this holds nothing to read (stretching it makes noise). */
const MIN_RANGE = 16;

const DATE = /^(\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}[-/. ]?\p{L}{3}[-/. ]?\d{2,4}|(19|20)\d{6})$/u;

/** What a token read looks like: a date, an ID (five digits or more), a word of 3+ letters; or nothing. */
export function tokenKind(text: string): TokenKind | undefined {
  if (DATE.test(text)) return 'date';
  if ((text.match(/\d/g)?.length ?? 0) >= 5) return 'id';
  if (/\p{L}{3,}/u.test(text)) return 'word';
  return undefined;
}

/** The frame reduced (box average) to at most MAX_WIDTH wide, and the factor it was reduced by. */
function reduced(l: Uint8Array, w: number, h: number): { l: Uint8Array; w: number; h: number; k: number } {
  if (w <= MAX_WIDTH) return { l, w, h, k: 1 };
  const k = MAX_WIDTH / w;
  const rw = MAX_WIDTH;
  const rh = Math.max(1, Math.round(h * k));
  const out = new Uint8Array(rw * rh);
  for (let y = 0; y < rh; y++) {
    const sy0 = Math.floor(y / k);
    const sy1 = Math.max(sy0 + 1, Math.min(h, Math.floor((y + 1) / k)));
    for (let x = 0; x < rw; x++) {
      const sx0 = Math.floor(x / k);
      const sx1 = Math.max(sx0 + 1, Math.min(w, Math.floor((x + 1) / k)));
      let sum = 0;
      for (let sy = sy0; sy < sy1; sy++) for (let sx = sx0; sx < sx1; sx++) sum += l[sy * w + sx] as number;
      out[y * rw + x] = Math.round(sum / ((sy1 - sy0) * (sx1 - sx0)));
    }
  }
  return { l: out, w: rw, h: rh, k };
}

/** One band, stretched, dark on light, enlarged `scale` times (nearest cell), as a PGM page; flat: undefined. */
function bandPage(l: Uint8Array, w: number, y0: number, rows: number, scale: number): Buffer | undefined {
  const band = l.subarray(y0 * w, (y0 + rows) * w);
  const sorted = Uint8Array.from(band).sort();
  if ((sorted[sorted.length - 1] as number) - (sorted[0] as number) < MIN_RANGE) return undefined;
  const lo = sorted[Math.floor(sorted.length * 0.02)] as number;
  const hi = sorted[Math.floor(sorted.length * 0.98)] as number;
  const median = sorted[sorted.length >> 1] as number;
  const span = Math.max(1, hi - lo);
  // Most of a band is its ground: a dark ground has light text, which OCR reads best inverted.
  const invert = median < (lo + hi) / 2;
  const pw = w * scale;
  const ph = rows * scale;
  const out = new Uint8Array(pw * ph);
  for (let y = 0; y < ph; y++) {
    const row = Math.floor(y / scale) * w;
    for (let x = 0; x < pw; x++) {
      const v = Math.max(
        0,
        Math.min(255, (((band[row + Math.floor(x / scale)] as number) - lo) * 255) / span),
      );
      out[y * pw + x] = invert ? 255 - v : v;
    }
  }
  return Buffer.concat([Buffer.from(`P5\n${pw} ${ph}\n255\n`, 'latin1'), out]);
}

/** The words, dates and IDs OCR reads in a frame (8-bit luminance, row by row). */
export async function readFrame(luma: Uint8Array, width: number, height: number): Promise<ReadToken[]> {
  const r = reduced(luma, width, height);
  const found: ReadToken[] = [];
  for (const [bandHeight, scale] of BANDS) {
    for (let y0 = 0; y0 < r.h; y0 += bandHeight / 2) {
      const rows = Math.min(bandHeight, r.h - y0);
      if (rows < 8) break;
      const page = bandPage(r.l, r.w, y0, rows, scale);
      if (!page) continue;
      for (const word of await recognizePage(page, 'sparse')) {
        const text = word.text.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '').toUpperCase();
        const kind = tokenKind(text);
        if (!kind || word.confidence < MIN_CONFIDENCE) continue;
        const { x0, y0: top, x1, y1 } = word.box;
        if (x1 - x0 < MIN_WIDTH_PER_CHAR * (y1 - top) * text.length) continue;
        const back = (v: number, offset: number, limit: number) =>
          Math.max(0, Math.min(limit, Math.round((v / scale + offset) / r.k)));
        found.push({
          text,
          kind,
          confidence: word.confidence,
          box: {
            x0: back(word.box.x0, 0, width),
            y0: back(word.box.y0, y0, height),
            x1: back(word.box.x1, 0, width),
            y1: back(word.box.y1, y0, height),
          },
        });
      }
    }
  }
  return found;
}
