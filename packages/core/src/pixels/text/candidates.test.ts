/**
 * Candidate lines: glyphs side by side make a line; a lone word-shaped piece of ink (bold letters
 * run together) is a candidate on flat ground only, where overlays stand, not over textured
 * anatomy, where lone pieces of every shape abound; so are letters too faint for the usual
 * contrast.
 */
import { describe, expect, it } from 'vitest';
import { candidateLines } from './candidates.js';

const W = 320;
const H = 120;

function frame(ground: (x: number, y: number) => number): Uint8Array {
  const l = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) l[y * W + x] = ground(x, y);
  return l;
}

/**
 * "Letters" drawn from (x, y), 15 px tall, each an "H" of 3-px stems: `touching` runs them into
 * one piece (each letter's right stem is the next one's left), else they stand 4 px apart.
 */
function word(l: Uint8Array, x: number, y: number, letters: number, touching: boolean, value = 255): void {
  const pitch = touching ? 8 : 15;
  for (let k = 0; k < letters; k++) {
    const gx = x + k * pitch;
    for (let dy = 0; dy < 15; dy++)
      for (let dx = 0; dx < 11; dx++) {
        const stem = dx < 3 || dx >= 8;
        const bar = dy >= 6 && dy < 9;
        if (stem || bar) l[(y + dy) * W + gx + dx] = value;
      }
  }
}

/** Candidates whose box holds the point (x, y). */
const at = (lines: ReturnType<typeof candidateLines>, x: number, y: number) =>
  lines.filter((c) => c.bright && c.x0 <= x && x < c.x1 && c.y0 <= y && y < c.y1);

describe('candidateLines', () => {
  it('finds letters set apart as a line of glyphs', () => {
    const l = frame(() => 10);
    word(l, 40, 20, 4, false);
    const found = at(candidateLines(l, W, H), 50, 27);
    expect(found).toHaveLength(1);
    expect(found[0]?.glyphs).toBe(4);
  });

  it('finds letters run into one piece, on flat ground, as a lone word', () => {
    const l = frame(() => 10);
    word(l, 40, 20, 4, true);
    const found = at(candidateLines(l, W, H), 50, 27);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ glyphs: 1, x0: 40, x1: 40 + 3 * 8 + 11, y0: 20, y1: 35 });
  });

  it('leaves the same piece over textured ground (anatomy)', () => {
    // A checker of 3-px squares, 40 levels apart: no ink of its own at the top-hat's contrast.
    const l = frame((x, y) => ((Math.floor(x / 3) + Math.floor(y / 3)) % 2 ? 60 : 100));
    word(l, 40, 20, 4, true);
    expect(at(candidateLines(l, W, H), 50, 27)).toHaveLength(0);
  });

  it('finds faint letters (30 levels) on flat ground: a margin, a grey bar', () => {
    const margin = frame(() => 0);
    word(margin, 40, 20, 4, false, 30);
    expect(at(candidateLines(margin, W, H), 50, 27)).toHaveLength(1);
    const bar = frame(() => 128);
    word(bar, 40, 20, 4, false, 98);
    expect(
      candidateLines(bar, W, H).filter((c) => c.x0 <= 50 && 50 < c.x1 && c.y0 <= 27 && 27 < c.y1),
    ).toHaveLength(1);
  });

  it('leaves faint letters over textured ground, and on flat ground when asked for no faint lines', () => {
    let seed = 5;
    const noisy = frame(() => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return 60 + (seed % 29);
    });
    word(noisy, 40, 20, 4, false, 110);
    expect(at(candidateLines(noisy, W, H), 50, 27)).toHaveLength(0);
    const margin = frame(() => 0);
    word(margin, 40, 20, 4, false, 30);
    expect(at(candidateLines(margin, W, H, false), 50, 27)).toHaveLength(0);
  });

  it('leaves a lone piece no wider than a letter', () => {
    const l = frame(() => 10);
    word(l, 40, 20, 1, true);
    expect(at(candidateLines(l, W, H), 45, 27)).toHaveLength(0);
  });
});
