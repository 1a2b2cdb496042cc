/**
 * OCR of candidate lines (the engine: ocr-engine.ts, one for the run: ocr-service.ts). The lines
 * of a frame are read in one call: each cut out, turned dark-on-light, enlarged to a height
 * tesseract reads well, and stacked into one page; the words found are given back to their lines.
 */
import type { Line } from './candidates.js';
import { recognize } from './ocr-service.js';

export interface Word {
  readonly text: string;
  readonly confidence: number;
}

/** Lines are enlarged so their glyphs are about this tall (tesseract's sweet spot is 20–40 px). */
const TARGET_HEIGHT = 32;
const MARGIN = 6;
const GAP = 24;

interface Placed {
  readonly line: Line;
  readonly top: number;
  readonly bottom: number;
}

/** A crop whose levels span less than this is stretched to the full range. */
const NARROW = 160;

/**
 * How a crop's levels are put on the page: a faint line (grey on a grey bar, 35 levels) stretched
 * to black on white. Left as it was, its text and ground both fell on the dark side of the
 * threshold tesseract drew between them and the page's white, and it read nothing.
 */
function stretchOf(
  l: Uint8Array,
  w: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): { lo: number; gain: number } {
  let lo = 255;
  let hi = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const v = l[y * w + x] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  return hi - lo >= NARROW || hi <= lo ? { lo: 0, gain: 1 } : { lo, gain: 255 / (hi - lo) };
}

/** The lines cut out of the frame, dark-on-light and enlarged, stacked as one PGM page. */
function page(
  l: Uint8Array,
  w: number,
  h: number,
  lines: readonly Line[],
): { pgm: Uint8Array; placed: Placed[] } {
  const crops = lines.map((line) => {
    const x0 = Math.max(0, line.x0 - MARGIN);
    const x1 = Math.min(w, line.x1 + MARGIN);
    const y0 = Math.max(0, line.y0 - MARGIN);
    const y1 = Math.min(h, line.y1 + MARGIN);
    // Enlarged (small glyphs) or reduced (big ones) to about TARGET_HEIGHT.
    const k = Math.max(0.25, Math.min(4, TARGET_HEIGHT / line.glyphHeight));
    const levels = stretchOf(l, w, x0, y0, x1, y1);
    return { line, x0, x1, y0, y1, k, levels, cw: Math.ceil((x1 - x0) * k), ch: Math.ceil((y1 - y0) * k) };
  });
  const width = Math.max(...crops.map((c) => c.cw)) + 2 * GAP;
  const height = crops.reduce((a, c) => a + c.ch + GAP, GAP);
  const header = Buffer.from(`P5\n${width} ${height}\n255\n`, 'latin1');
  // Shared memory: the page crosses to the run's OCR thread and on into tesseract's by reference.
  // Copied, each page of a few hundred KB was cloned three to five times across threads, and
  // the copies, freed only when each thread next collected, held ~30 MB of a run's peak (100 ultrasound frames, 2 threads).
  const pgm = new Uint8Array(new SharedArrayBuffer(header.length + width * height));
  pgm.set(header);
  const out = pgm.subarray(header.length).fill(255);
  const placed: Placed[] = [];
  let top = GAP;
  for (const c of crops) {
    // Enlarged by bilinear interpolation: blocky glyphs read worse than smooth ones.
    const at = (x: number, y: number) => l[Math.min(h - 1, y) * w + Math.min(w - 1, x)] as number;
    for (let y = 0; y < c.ch; y++) {
      const fy = c.y0 + (y + 0.5) / c.k - 0.5;
      const y0 = Math.max(c.y0, Math.floor(fy));
      const ty = Math.max(0, fy - y0);
      for (let x = 0; x < c.cw; x++) {
        const fx = c.x0 + (x + 0.5) / c.k - 0.5;
        const x0 = Math.max(c.x0, Math.floor(fx));
        const tx = Math.max(0, fx - x0);
        const v =
          (at(x0, y0) * (1 - tx) + at(x0 + 1, y0) * tx) * (1 - ty) +
          (at(x0, y0 + 1) * (1 - tx) + at(x0 + 1, y0 + 1) * tx) * ty;
        const u = Math.min(255, Math.max(0, (v - c.levels.lo) * c.levels.gain));
        out[(top + y) * width + GAP + x] = c.line.bright ? 255 - u : u;
      }
    }
    placed.push({ line: c.line, top, bottom: top + c.ch });
    top += c.ch + GAP;
  }
  return { pgm, placed };
}

/** The words read on each line (same order as `lines`), all lines on one page. */
export async function readLines(
  l: Uint8Array,
  w: number,
  h: number,
  lines: readonly Line[],
): Promise<Word[][]> {
  if (lines.length === 0) return [];
  const { pgm, placed } = page(l, w, h, lines);
  const words = await recognize(pgm);
  const out: Word[][] = lines.map(() => []);
  for (const word of words) {
    const i = placed.findIndex((p) => word.middle >= p.top && word.middle < p.bottom);
    if (i >= 0) (out[i] as Word[]).push({ text: word.text, confidence: word.confidence });
  }
  return out;
}
