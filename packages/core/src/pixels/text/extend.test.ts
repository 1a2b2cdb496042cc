/**
 * A line known to be text is carried along its rows over the faint glyphs that continue it (the
 * half of a name drawn over bright ground), and not over anatomy that happens to cross its rows.
 */
import { describe, expect, it } from 'vitest';
import { extendAlongRows } from './extend.js';

const W = 320;
const H = 80;
/** The found line: glyphs 14 px tall at rows 30–44, from x = 200 to 260. */
const LINE = { x0: 200, y0: 30, x1: 260, y1: 44, glyphHeight: 14 };

/** A frame whose ground is `ground(x, y)`. */
function frame(ground: (x: number, y: number) => number): Uint8Array {
  const l = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) l[y * W + x] = ground(x, y);
  return l;
}

/** Letter-like glyphs (an "H": two 2-px stems and a bar) every 12 px from `from` to `to`, in white. */
function glyphs(l: Uint8Array, from: number, to: number, value = 255): void {
  for (let gx = from; gx + 8 <= to; gx += 12)
    for (let y = LINE.y0; y < LINE.y1; y++)
      for (let x = gx; x < gx + 8; x++) {
        const stem = x < gx + 2 || x >= gx + 6;
        const bar = y >= LINE.y0 + 6 && y < LINE.y0 + 8;
        if (stem || bar) l[y * W + x] = value;
      }
}

describe('extendAlongRows', () => {
  it('takes in the glyphs over bright ground that the line runs on from', () => {
    // Dark ground right of x = 200 (where the line was found), bright (213) left of it, where
    // the white glyphs stand out by 42 levels only.
    const l = frame((x) => (x < 200 ? 213 : 41));
    glyphs(l, 80, 260);
    const e = extendAlongRows(l, W, H, LINE);
    expect(e.x0).toBeLessThanOrEqual(80);
    expect(e.x1).toBe(260);
  });

  it('carries on over near-white ground (a few levels of contrast)', () => {
    const l = frame((x) => (x < 140 ? 247 : x < 200 ? 213 : 41));
    glyphs(l, 92, 260);
    expect(extendAlongRows(l, W, H, LINE).x0).toBeLessThanOrEqual(92);
  });

  it('carries on over noisy bright ground (ultrasound speckle of a few levels)', () => {
    // Glyphs 35 levels over bright ground with noise of σ ≈ 3 (a sum of three uniforms): at a
    // fixed threshold of a few levels the noise joins them into pieces too big to be letters.
    let seed = 11;
    const uniform = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return (seed % 1000) / 1000 - 0.5;
    };
    const l = frame((x) => (x < 200 ? Math.round(220 + 6 * (uniform() + uniform() + uniform())) : 41));
    glyphs(l, 80, 260);
    expect(extendAlongRows(l, W, H, LINE).x0).toBeLessThanOrEqual(80);
  });

  it('does not take strokes of another colour than the line (text is drawn in one)', () => {
    // Grey strokes of glyph size beside the white line, over ground they stand out from: edges of
    // bone beside a small CT's label.
    const l = frame((x) => (x < 200 ? 110 : 41));
    glyphs(l, 80, 200, 170);
    glyphs(l, 200, 260);
    expect(extendAlongRows(l, W, H, LINE).x0).toBe(LINE.x0);
  });

  it('stops at a gap wider than a word space', () => {
    const l = frame((x) => (x < 200 ? 213 : 41));
    glyphs(l, 20, 100);
    glyphs(l, 200, 260);
    expect(extendAlongRows(l, W, H, LINE).x0).toBe(LINE.x0);
  });

  it('does not run over an edge of anatomy crossing the rows', () => {
    // A thin bright arc through the line's rows just left of it, running on above and below them.
    const l = frame((x, y) => {
      if (x >= 200) return 41;
      return Math.abs((x - 160) ** 2 / 60 + 8 - y) < 1.5 ? 250 : 160;
    });
    glyphs(l, 200, 260);
    expect(extendAlongRows(l, W, H, LINE)).toEqual(LINE);
  });

  it('does not run over textured tissue beside the line', () => {
    let seed = 7;
    const noise = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % 40;
    };
    const l = frame((x) => (x >= 200 ? 41 : 120 + noise()));
    glyphs(l, 200, 260);
    expect(extendAlongRows(l, W, H, LINE)).toEqual(LINE);
  });
});
