/**
 * A line of text runs on past where it was found when its ground changes under it: white letters
 * that start over bright anatomy and end over a dark margin stand out only over the margin, so
 * the candidate finder (candidates.ts, strokes 48 levels above their ground) sees only that
 * half, while a reader, who windows the image, still reads the other. Once OCR has said a line
 * is text, its blank is carried along its own rows over faint glyphs that continue it: pieces
 * of thin ink (either polarity, a few levels off their ground, more where the ground is noisy)
 * of the line's ink level, that lie within the line's rows, stand at least half its height and
 * are no wider than a few glyphs (anatomy's edges and texture run on above or below the line,
 * or are flat), until a gap wider than a word space.
 */
import { inkDepth, type Piece, pieces, STROKE } from './candidates.js';

/** Strokes this many levels off their ground still continue a line known to be text. */
export const FAINT = 6;
/** A gap this many glyph heights wide ends the line (a word space is about a third of one). */
const GAP = 1.5;

export interface TextLine {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  readonly glyphHeight: number;
}

/** Pieces of faint ink in the rows around the line that could be more of its glyphs. */
function faintGlyphs(l: Uint8Array, w: number, h: number, line: TextLine): Piece[] {
  const height = line.y1 - line.y0;
  const tolerance = Math.max(2, Math.round(0.2 * height));
  // Enough rows around the line that a piece running on above or below it is seen to.
  const top = Math.max(0, line.y0 - height - STROKE - 1);
  const bottom = Math.min(h, line.y1 + height + STROKE + 1);
  const rows = bottom - top;
  const crop = l.subarray(top * w, bottom * w);
  const needed = contrastNeeded(crop, w, rows, Math.max(16, 2 * line.glyphHeight));
  const colour = inkLevel(l, w, line);
  const found: Piece[] = [];
  for (const bright of [true, false]) {
    const mask = inkDepth(crop, w, rows, bright);
    for (let i = 0; i < mask.length; i++) mask[i] = (mask[i] as number) >= (needed[i % w] as number) ? 1 : 0;
    const inColour = (p: Piece) => Math.abs(extreme(crop, w, p, bright) - colour) <= SAME_COLOUR;
    found.push(...pieces(mask, crop, w, rows).filter(inColour));
  }
  return found
    .map((p) => ({ ...p, y0: p.y0 + top, y1: p.y1 + top }))
    .filter(
      (p) =>
        p.y0 >= line.y0 - tolerance &&
        p.y1 <= line.y1 + tolerance &&
        p.y1 - p.y0 >= 0.5 * height &&
        p.x1 - p.x0 <= 4 * line.glyphHeight,
    );
}

/**
 * Text is drawn in one colour, whatever the ground under it: a piece continues the line only if
 * its ink is within this many levels of the line's (anatomy beside a small CT's label, its bone
 * edges standing out over noisy tissue, is of other levels).
 */
const SAME_COLOUR = 40;

/** The level of a line's ink: the extreme of its box farther from the box's median (its ground). */
function inkLevel(l: Uint8Array, w: number, line: TextLine): number {
  const values: number[] = [];
  for (let y = line.y0; y < line.y1; y++)
    for (let x = line.x0; x < line.x1; x++) values.push(l[y * w + x] as number);
  values.sort((a, b) => a - b);
  const median = values[values.length >> 1] as number;
  const [lo, hi] = [values[0] as number, values.at(-1) as number];
  return hi - median >= median - lo ? hi : lo;
}

/** The brightest (bright ink) or darkest (dark ink) cell in a piece's box. */
function extreme(l: Uint8Array, w: number, p: Piece, bright: boolean): number {
  let v = bright ? 0 : 255;
  for (let y = p.y0; y < p.y1; y++)
    for (let x = p.x0; x < p.x1; x++) {
      const c = l[y * w + x] as number;
      if (bright ? c > v : c < v) v = c;
    }
  return v;
}

/**
 * The contrast a faint stroke needs in each column: FAINT over clean ground, four times the
 * ground's noise where it is noisy. A few levels of noise (ultrasound's, a scanner's) would
 * otherwise pass for faint ink all over the ground and join the glyphs into pieces too big to be
 * letters, ending the line where the ground turns noisy ("1975" after a name left whole). The
 * noise is measured in blocks of `block` columns along the rows, since the ground changes along
 * the line: the median step between neighbouring cells is ~0.95 of the noise's standard
 * deviation, and glyphs, a small part of the rows, do not move it.
 */
function contrastNeeded(l: Uint8Array, w: number, h: number, block: number): Uint8Array {
  const out = new Uint8Array(w);
  const counts = new Uint32Array(256);
  for (let bx = 0; bx < w; bx += block) {
    const ex = Math.min(w - 1, bx + block);
    counts.fill(0);
    let n = 0;
    for (let y = 0; y < h; y++)
      for (let x = bx; x < ex; x++) {
        const step = Math.abs((l[y * w + x + 1] as number) - (l[y * w + x] as number));
        counts[step] = (counts[step] as number) + 1;
        n++;
      }
    if (n === 0) {
      out.fill(FAINT, bx, Math.min(w, bx + block));
      continue;
    }
    let step = 0;
    for (let seen = 0; step < 255 && seen + (counts[step] as number) <= n / 2; step++)
      seen += counts[step] as number;
    const needed = Math.min(255, Math.max(FAINT, Math.ceil((4 * step) / 0.95)));
    out.fill(needed, bx, Math.min(w, bx + block));
  }
  return out;
}

/** The line carried left and right over the faint glyphs that continue it. */
export function extendAlongRows<L extends TextLine>(l: Uint8Array, w: number, h: number, line: L): L {
  const glyphs = faintGlyphs(l, w, h, line);
  const reach = Math.max(4, Math.round(GAP * line.glyphHeight));
  let { x0, x1 } = line;
  // Each glyph taken in brings the next within reach.
  for (let grown = true; grown; ) {
    grown = false;
    for (const g of glyphs) {
      if (g.x1 > x1 && g.x0 <= x1 + reach) {
        x1 = g.x1;
        grown = true;
      }
      if (g.x0 < x0 && g.x1 >= x0 - reach) {
        x0 = g.x0;
        grown = true;
      }
    }
  }
  return { ...line, x0, x1 };
}
