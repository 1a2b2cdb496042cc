/**
 * Finding the text in a file's frames: candidate lines (candidates.ts) read by OCR (ocr.ts), and
 * a line OCR reads as text is blanked whole, padded, whether or not its words are identifying
 * (a name misread by one letter is still a name). A line already judged in an earlier frame with
 * the same pixels (a cine's overlay does not change) is not read again.
 */
import { createHash } from 'node:crypto';
import { type Line, candidateLines } from './candidates.js';
import { extendAlongRows } from './extend.js';
import { type Box, chroma, type Geometry, luminance } from './frames.js';
import { readLines, type Word } from './ocr.js';
import { type Blanking, frameOf, type ScanRequest } from './scan.js';

/** Around a line's glyphs: anti-aliased edges and glyph parts too faint to be ink. */
const PAD = 3;

const ALNUM = /[\p{L}\p{N}]/gu;

/**
 * Whether OCR's reading of a line says it is text. Tesseract reads speckle that lines up as a
 * few low-confidence letters; real text gives words. Small or unusual fonts read badly but still
 * give several characters, so confidence alone does not decide. A line of only two pieces of
 * ink that is tall (`tall`: over 15% of its frame's rows or 40 px — two blobs of anatomy in a row
 * on a 64×64 MR, read "nN" at 51) needs a word read with confidence; overlay text is small beside
 * its frame, and a short word there ("OX", read "ox" at 53) still counts.
 */
const SURE = 60;
export function readsAsText(words: readonly Word[], glyphs: number, tall = false): boolean {
  const chars = words.reduce((n, w) => n + (w.text.match(ALNUM)?.length ?? 0), 0);
  const enough = glyphs === 1 || (glyphs < 3 && tall) ? SURE : 30;
  if (words.some((w) => (w.text.match(ALNUM)?.length ?? 0) >= 2 && w.confidence >= enough)) return true;
  // One piece is a lone word on flat ground (candidates.ts): letters run together read badly.
  return chars >= 3 && glyphs !== 2;
}

/**
 * A line over this share of its frame's rows, or over TALL_PX, is tall for overlay text: two
 * blobs of bone 52 px high in a 512×512 CT's sinuses read "Fo" at 40.
 */
const TALL = 0.15;
const TALL_PX = 40;

const padded = (l: Line): Box => ({ x0: l.x0 - PAD, y0: l.y0 - PAD, x1: l.x1 + PAD, y1: l.y1 + PAD });

/** The pixels of a line (its luminance), as a key: equal pixels, equal verdict. */
function lineKey(l: Uint8Array, w: number, line: Line): string {
  const h = createHash('sha1');
  h.update(`${line.x0},${line.y0},${line.x1},${line.y1},${line.bright}`);
  for (let y = line.y0; y < line.y1; y++) h.update(l.subarray(y * w + line.x0, y * w + line.x1));
  return h.digest('base64');
}

/** The lines of one image of a frame read as text (verdicts kept by the lines' pixels). */
async function textLines(
  image: Uint8Array,
  g: Geometry,
  verdicts: Map<string, boolean>,
  skip: readonly Line[] = [],
  faint = true,
): Promise<{ lines: Line[]; text: Line[] }> {
  const lines = candidateLines(image, g.columns, g.rows, faint).filter(
    (c) => !skip.some((s) => covers(s, c)),
  );
  const keys = lines.map((line) => lineKey(image, g.columns, line));
  const unread = lines.filter((_, i) => !verdicts.has(keys[i] as string));
  if (unread.length > 0) {
    const words = await readLines(image, g.columns, g.rows, unread);
    const tall = (line: Line) => line.y1 - line.y0 > Math.min(TALL * g.rows, TALL_PX);
    const judged = unread.map((line, i) => readsAsText(words[i] ?? [], line.glyphs, tall(line)));
    // Tesseract lays the shared page out as one block, and a line beside another (white text on
    // grey next to a name half over bright ground) can come back with no word at all though it
    // reads well alone: such a line is read again on its own page, unless a line read as text
    // covers it (the other polarity of the same text gives most of these, and is not re-read).
    const text = unread.filter((_, i) => judged[i]);
    for (const [i, line] of unread.entries())
      if (unread.length > 1 && (words[i] ?? []).length === 0 && !text.some((t) => covers(t, line))) {
        const alone = (await readLines(image, g.columns, g.rows, [line]))[0] ?? [];
        judged[i] = readsAsText(alone, line.glyphs, tall(line));
      }
    for (const [i, line] of unread.entries())
      verdicts.set(keys[lines.indexOf(line)] as string, judged[i] as boolean);
  }
  const text = lines.filter((_, i) => verdicts.get(keys[i] as string));
  return { lines, text: text.map((t) => absorb(t, lines)) };
}

/**
 * A text line grown over the lone words (one piece of ink, candidates.ts) that are the same text
 * seen otherwise: bold letters run together are one bright piece, while the gaps between their
 * strokes make a dark line that OCR may read where the bright piece did not ("DOE" read as "DOK"
 * from its counters). Lines of several pieces are left to their own verdicts: the other
 * polarity's line around small text is mostly its ground.
 */
function absorb(t: Line, lines: readonly Line[]): Line {
  let out = t;
  for (const c of lines) {
    if (c === t || c.glyphs !== 1 || !sameText(out, c)) continue;
    out = {
      ...out,
      x0: Math.min(out.x0, c.x0),
      y0: Math.min(out.y0, c.y0),
      x1: Math.max(out.x1, c.x1),
      y1: Math.max(out.y1, c.y1),
    };
  }
  return out;
}

/** Two candidates share most of the rows and a good part of the area of the smaller. */
function sameText(a: Line, b: Line): boolean {
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  if (w <= 0 || h <= 0) return false;
  const smaller = Math.min((a.x1 - a.x0) * (a.y1 - a.y0), (b.x1 - b.x0) * (b.y1 - b.y0));
  const rows = Math.min(a.y1 - a.y0, b.y1 - b.y0);
  return h >= 0.5 * rows && w * h >= 0.3 * smaller;
}

/** Most of `c` lies inside `s`. */
function covers(s: Line, c: Line): boolean {
  const w = Math.min(s.x1, c.x1) - Math.max(s.x0, c.x0);
  const h = Math.min(s.y1, c.y1) - Math.max(s.y0, c.y0);
  return w > 0 && h > 0 && w * h > 0.5 * (c.x1 - c.x0) * (c.y1 - c.y0);
}

/**
 * Boxes to blank in each frame of the request; its region rules' rectangles in every frame. A
 * colour frame is also looked at by its chroma (frames.ts): lines found there that its
 * luminance did not show as text are read from the chroma image. A line read as text is carried
 * along its rows over faint strokes that continue it (extend.ts).
 */
export async function findText(req: ScanRequest): Promise<Blanking> {
  const extra = req.regions ?? [];
  const g = req.geometry;
  const verdicts = new Map<string, boolean>();
  const frames: Box[][] = [];
  for (let f = 0; f < g.frames; f++) {
    const cells = frameOf(req, f);
    const lum = luminance(g, cells, 0);
    const bright = await textLines(lum, g, verdicts);
    const c = chroma(g, cells, 0);
    // A line the luminance showed but OCR could not read there (too little contrast) is read
    // again from the chroma image.
    // Not for faint strokes on flat ground: luminance finds those, and a chroma image's flat
    // ground is most of a grey frame, where its faint strokes are colour fringes.
    const coloured = c ? (await textLines(c, g, verdicts, bright.text, false)).text : [];
    const text = [...bright.text, ...coloured].map((l) => extendAlongRows(lum, g.columns, g.rows, l));
    frames.push([...extra, ...text.map(padded)]);
  }
  return { frames };
}
