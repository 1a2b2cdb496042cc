/**
 * A line of text runs on past where it was found when its ground changes under it: white letters
 * that start over bright anatomy and end over a dark margin stand out only over the margin, so
 * the candidate finder (candidates.ts, strokes 48 levels above their ground) sees only that
 * half, while a reader, who windows the image, still reads the other. Once OCR has said a line
 * is text, its blank is carried along its own rows over faint glyphs that continue it: pieces
 * of thin ink (either polarity, a few levels off their ground) that lie within the line's rows,
 * stand at least half its height and are no wider than a few glyphs (anatomy's edges and
 * texture run on above or below the line, or are flat), until a gap wider than a word space.
 */
import { inkMask, type Piece, pieces, STROKE } from './candidates.js';

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
  const crop = l.subarray(top * w, bottom * w);
  const found: Piece[] = [];
  for (const bright of [true, false])
    found.push(...pieces(inkMask(crop, w, bottom - top, bright, FAINT), crop, w, bottom - top));
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
