/**
 * Where a frame may show text, found cheaply so that OCR looks only there (OCR of a whole noisy
 * ultrasound frame takes seconds and reads speckle as words). Text on images is thin strokes,
 * brighter (or darker) than what is right around them, in rows of glyphs of one height:
 *   1. ink: a top-hat (the frame minus its opening with a small square) keeps strokes narrower
 *      than the square and drops anatomy, which is broader; one mask per polarity;
 *   2. glyphs: connected pieces of ink of a glyph's size and fill;
 *   3. lines: glyphs side by side, overlapping vertically, of similar height, close together.
 * A line of two glyphs or more is a candidate; speckle that happens to line up is left for the
 * OCR to reject.
 */
import type { Box } from './frames.js';

/** Strokes up to this wide are ink (the square is one more on each side). */
export const STROKE = 3;
/** How much brighter (darker) than its opening a stroke must be, in 8-bit levels. */
export const CONTRAST = 48;
const GLYPH_MIN_H = 5;
const GLYPH_MAX_H = 72;

export interface Line extends Box {
  /** Bright text on darker ground, or dark text on lighter ground. */
  readonly bright: boolean;
  /** The tallest glyph's height. */
  readonly glyphHeight: number;
  readonly glyphs: number;
}

/**
 * Working buffers, one set per thread, grown to the largest frame seen: a frame's passes would
 * otherwise leave ~7 MB of arrays behind each, which the garbage collector frees late (they are
 * outside the heap) and which each worker thread's resident set kept.
 */
const scratch = {
  a: new Uint8Array(0),
  b: new Uint8Array(0),
  ink: new Uint8Array(0),
  faint: new Uint8Array(0),
  label: new Int32Array(0),
};
function buffers(n: number): typeof scratch {
  if (scratch.a.length < n)
    Object.assign(scratch, {
      a: new Uint8Array(n),
      b: new Uint8Array(n),
      ink: new Uint8Array(n),
      faint: new Uint8Array(n),
      label: new Int32Array(n),
    });
  return scratch;
}

/** Sliding min (or max) over a window of 2r+1 along rows or columns, from `src` into `out`. */
function slide(
  src: Uint8Array,
  out: Uint8Array,
  w: number,
  h: number,
  horizontal: boolean,
  max: boolean,
): Uint8Array {
  const r = STROKE;
  const lines = horizontal ? h : w;
  const len = horizontal ? w : h;
  const step = horizontal ? 1 : w;
  for (let l = 0; l < lines; l++) {
    const base = horizontal ? l * w : l;
    for (let i = 0; i < len; i++) {
      let v = max ? 0 : 255;
      const a = Math.max(0, i - r);
      const b = Math.min(len - 1, i + r);
      for (let j = a; j <= b; j++) {
        const x = src[base + j * step] as number;
        if (max ? x > v : x < v) v = x;
      }
      out[base + i * step] = v;
    }
  }
  return out;
}

/**
 * How far each cell stands above (or below) its ground as a stroke narrower than the window:
 * the frame minus its opening (bright) or its closing minus the frame (dark), 0 where it does
 * not. The depths are the thread's buffer: valid until the next call.
 */
export function inkDepth(l: Uint8Array, w: number, h: number, bright: boolean): Uint8Array {
  const n = w * h;
  const { a, b, ink } = buffers(n);
  const [A, B] = [a.subarray(0, n), b.subarray(0, n)];
  slide(l, A, w, h, true, !bright);
  slide(A, B, w, h, false, !bright);
  slide(B, A, w, h, true, bright);
  const ground = slide(A, B, w, h, false, bright);
  const depth = ink.subarray(0, n);
  // The opening never exceeds the frame, nor the closing falls below it: no depth is negative.
  for (let i = 0; i < n; i++)
    depth[i] = bright ? (l[i] as number) - (ground[i] as number) : (ground[i] as number) - (l[i] as number);
  return depth;
}

export interface Piece {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  n: number;
  /** Sum and sum of squares of the ink's luminance: glyphs are drawn in one colour. */
  sum: number;
  sq: number;
}

/** Connected pieces of ink (8-neighbours), by union-find over a label image (typed arrays only). */
export function pieces(ink: Uint8Array, l: Uint8Array, w: number, h: number): Piece[] {
  const label = buffers(ink.length).label.subarray(0, ink.length).fill(-1);
  // At most one new label per ink pixel; grown when a frame is mostly ink.
  let parent = new Int32Array(1024);
  let count = 0;
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a] as number] as number;
      a = parent[a] as number;
    }
    return a;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  let first = -1;
  const join = (n: number) => {
    if (n < 0) return;
    if (first < 0) first = n;
    else if (n !== first) union(first, n);
  };
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!ink[i]) continue;
      first = -1;
      if (x > 0) join(label[i - 1] as number);
      if (y > 0) {
        if (x > 0) join(label[i - w - 1] as number);
        join(label[i - w] as number);
        if (x + 1 < w) join(label[i - w + 1] as number);
      }
      if (first < 0) {
        if (count === parent.length) {
          const grown = new Int32Array(parent.length * 2);
          grown.set(parent);
          parent = grown;
        }
        parent[count] = count;
        first = count++;
      }
      label[i] = first;
    }
  const byRoot = new Map<number, Piece>();
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if ((label[y * w + x] as number) < 0) continue;
      const r = find(label[y * w + x] as number);
      const v = l[y * w + x] as number;
      const p = byRoot.get(r);
      if (!p) byRoot.set(r, { x0: x, y0: y, x1: x + 1, y1: y + 1, n: 1, sum: v, sq: v * v });
      else {
        p.sum += v;
        p.sq += v * v;
        if (x < p.x0) p.x0 = x;
        if (x + 1 > p.x1) p.x1 = x + 1;
        if (y + 1 > p.y1) p.y1 = y + 1;
        p.n++;
      }
    }
  return [...byRoot.values()];
}

/** A piece the size and fill of a glyph (or of a few glyphs run together). */
function glyphLike(p: Piece): boolean {
  const w = p.x1 - p.x0;
  const h = p.y1 - p.y0;
  if (h < GLYPH_MIN_H || h > GLYPH_MAX_H || p.n < 6) return false;
  if (w > 8 * h) return false; // a rule or a border, not letters
  const fill = p.n / (w * h);
  // A narrow stroke (I, l, 1) fills its box: a glyph all the same, when it stands in a line.
  if (w * 3 <= h) return fill >= 0.08;
  return fill >= 0.08 && fill <= 0.9;
}

/** Glyphs joined into lines: side by side, overlapping vertically, of similar height. */
function lines(glyphs: Piece[], bright: boolean): Line[] {
  glyphs.sort((a, b) => a.x0 - b.x0);
  const parent = glyphs.map((_, i) => i);
  const find = (a: number): number => {
    while (parent[a] !== a) a = parent[a] = parent[parent[a] as number] as number;
    return a;
  };
  for (let i = 0; i < glyphs.length; i++) {
    const a = glyphs[i] as Piece;
    const ha = a.y1 - a.y0;
    for (let j = i - 1; j >= 0; j--) {
      const b = glyphs[j] as Piece;
      const hb = b.y1 - b.y0;
      const reach = 1.5 * Math.max(ha, hb);
      if (a.x0 - b.x0 > 12 * GLYPH_MAX_H) break;
      const gap = a.x0 - b.x1;
      if (gap > reach) continue;
      const overlap = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
      if (overlap < 0.5 * Math.min(ha, hb)) continue;
      if (Math.max(ha, hb) > 2.5 * Math.min(ha, hb)) continue;
      parent[find(i)] = find(j);
    }
  }
  const groups = new Map<number, Piece[]>();
  glyphs.forEach((g, i) => {
    const r = find(i);
    const list = groups.get(r) ?? [];
    list.push(g);
    groups.set(r, list);
  });
  const out: Line[] = [];
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const box = {
      x0: Math.min(...members.map((m) => m.x0)),
      y0: Math.min(...members.map((m) => m.y0)),
      x1: Math.max(...members.map((m) => m.x1)),
      y1: Math.max(...members.map((m) => m.y1)),
    };
    out.push({
      ...box,
      bright,
      glyphHeight: Math.max(...members.map((m) => m.y1 - m.y0)),
      glyphs: members.length,
    });
  }
  return out;
}

/** Lines found at one scale, both polarities; faint ones on flat ground too. */
function linesAt(l: Uint8Array, w: number, h: number, faint: boolean): Line[] {
  const out: Line[] = [];
  for (const bright of [true, false]) {
    const depth = inkDepth(l, w, h, bright);
    const faintInk = threshold(depth, FAINT_CONTRAST, buffers(w * h).faint);
    const glyphs = pieces(threshold(depth, CONTRAST, depth), l, w, h).filter(glyphLike);
    const found = lines(glyphs, bright);
    out.push(...found, ...loneWords(glyphs, found, l, w, h, bright));
    if (faint) out.push(...faintOnFlatGround(faintInk, out, l, w, h, bright));
  }
  return out;
}

/** 1 where `depth` is `contrast` or more, into `into` (which may be `depth` itself). */
function threshold(depth: Uint8Array, contrast: number, into: Uint8Array): Uint8Array {
  const mask = into.subarray(0, depth.length);
  for (let i = 0; i < depth.length; i++) mask[i] = (depth[i] as number) >= contrast ? 1 : 0;
  return mask;
}

/**
 * Text dimmer than CONTRAST is looked for where its ground is flat: an overlay's margin or bar.
 * Grey names 30 to 45 levels off a black margin or a grey bar were read by a reader and left
 * whole. Over anatomy, strokes this faint are everywhere; on ground this flat they are drawn.
 */
const FAINT_CONTRAST = 16;
/** The ground around a faint line varies by at most this (standard deviation, 8-bit levels). */
const FLAT_FOR_FAINT = 4;

/** Lines (and lone words) of faint ink that no line found at full contrast covers, on flat ground. */
function faintOnFlatGround(
  faint: Uint8Array,
  found: readonly Line[],
  l: Uint8Array,
  w: number,
  h: number,
  bright: boolean,
): Line[] {
  const glyphs = pieces(faint, l, w, h).filter(glyphLike);
  const faintLines = lines(glyphs, bright);
  const fresh = [...faintLines, ...loneWords(glyphs, faintLines, l, w, h, bright)].filter(
    (c) => !found.some((f) => overlap(f, c) > 0.5 * (c.x1 - c.x0) * (c.y1 - c.y0)),
  );
  return fresh.filter((c) => groundSpread(c, l, w, h) <= FLAT_FOR_FAINT);
}

/** A lone piece this much wider than tall may be letters run together. */
const WORD_ASPECT = 1.4;
/** The ground around a lone word varies by at most this (standard deviation, 8-bit levels). */
const FLAT_GROUND = 10;

/**
 * Bold, tightly set letters run into one piece of ink ("LEE", "1985" at −5 px spacing), so a
 * word can be one glyph and no line. Such a piece is a candidate when it is wider than a letter
 * and stands on flat ground — an overlay's margin or bar. Over anatomy, lone pieces of every
 * shape abound and OCR reads some as words, so a lone piece there is left (README).
 */
function loneWords(
  glyphs: readonly Piece[],
  found: readonly Line[],
  l: Uint8Array,
  w: number,
  h: number,
  bright: boolean,
): Line[] {
  const inLine = (p: Piece) =>
    found.some((f) => p.x0 >= f.x0 && p.x1 <= f.x1 && p.y0 >= f.y0 && p.y1 <= f.y1);
  return glyphs
    .filter((p) => p.x1 - p.x0 >= WORD_ASPECT * (p.y1 - p.y0) && !inLine(p) && onFlatGround(p, l, w, h))
    .map((p) => ({ x0: p.x0, y0: p.y0, x1: p.x1, y1: p.y1, bright, glyphHeight: p.y1 - p.y0, glyphs: 1 }));
}

/** Whether the ring around a piece's box (half its height wide) is all of one level. */
function onFlatGround(p: Piece, l: Uint8Array, w: number, h: number): boolean {
  return groundSpread(p, l, w, h) <= FLAT_GROUND;
}

/** The standard deviation of the ring around a box (half its height wide); Infinity if none. */
function groundSpread(p: Box, l: Uint8Array, w: number, h: number): number {
  const m = Math.max(3, Math.round((p.y1 - p.y0) / 2));
  const [x0, y0, x1, y1] = [
    Math.max(0, p.x0 - m),
    Math.max(0, p.y0 - m),
    Math.min(w, p.x1 + m),
    Math.min(h, p.y1 + m),
  ];
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      if (x >= p.x0 && x < p.x1 && y >= p.y0 && y < p.y1) continue;
      const v = l[y * w + x] as number;
      n++;
      sum += v;
      sq += v * v;
    }
  if (n === 0) return Number.POSITIVE_INFINITY;
  const mean = sum / n;
  return Math.sqrt(Math.max(0, sq / n - mean * mean));
}

/** Big fonts are looked for at a quarter of the size: their strokes are wider than the window. */
const COARSE = 4;

/** The frame at 1/COARSE of its size, each cell the mean of its block. */
function shrink(l: Uint8Array, w: number, h: number): { l: Uint8Array; w: number; h: number } {
  const sw = Math.floor(w / COARSE);
  const sh = Math.floor(h / COARSE);
  const out = new Uint8Array(sw * sh);
  for (let y = 0; y < sh; y++)
    for (let x = 0; x < sw; x++) {
      let sum = 0;
      for (let dy = 0; dy < COARSE; dy++)
        for (let dx = 0; dx < COARSE; dx++) sum += l[(y * COARSE + dy) * w + x * COARSE + dx] as number;
      out[y * sw + x] = Math.round(sum / (COARSE * COARSE));
    }
  return { l: out, w: sw, h: sh };
}

const overlap = (a: Line, b: Line): number =>
  Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0)) *
  Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));

/**
 * Candidate text lines of one frame (8-bit luminance, `w` × `h`), both polarities, at full size
 * and — for fonts whose strokes are wider than the window (bold 60 px and more) — at a quarter
 * of it; a coarse line that a full-size line mostly covers is the same text and is dropped.
 * With `faint`, also lines of faint strokes on flat ground (faintOnFlatGround).
 */
export function candidateLines(l: Uint8Array, w: number, h: number, faint = true): Line[] {
  const fine = linesAt(l, w, h, faint);
  if (w < COARSE * 16 || h < COARSE * 8) return fine;
  const small = shrink(l, w, h);
  const coarse = linesAt(small.l, small.w, small.h, faint)
    .map((c) => ({
      ...c,
      x0: c.x0 * COARSE,
      y0: c.y0 * COARSE,
      x1: c.x1 * COARSE,
      y1: c.y1 * COARSE,
      glyphHeight: c.glyphHeight * COARSE,
    }))
    .filter((c) => !fine.some((f) => overlap(c, f) > 0.5 * (c.x1 - c.x0) * (c.y1 - c.y0)));
  return [...fine, ...coarse];
}
