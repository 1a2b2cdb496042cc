/**
 * The verifier's reading of pixels, in parts: what a token read is taken for, which frames of a
 * cine are read, and the thumbnail a reviewer looks at (decoded again here: its size, the frame's
 * grey levels, red exactly along the boxes).
 */
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { tokenKind } from '../src/frame-reading.js';
import { framesToRead } from '../src/pixel-text.js';
import { thumbnail } from '../src/thumbnail.js';

describe('tokens read in the pixels', () => {
  it.each([
    ['SMITH', 'word'],
    ['MRN', 'word'],
    ['MÜLLER', 'word'],
    ['12-MAR-2023', 'date'],
    ['18/02/1971', 'date'],
    ['3.4.71', 'date'],
    ['20230312', 'date'],
    ['55501234', 'id'],
    ['AB12345', 'id'],
    ['12', undefined],
    ['CM', undefined],
    ['5.0', undefined],
    ['1234', undefined],
  ])('%s is %s', (text, kind) => expect(tokenKind(text)).toBe(kind));
});

describe('frames read', () => {
  it('all of a short file, the first, middle and last of a cine', () => {
    expect(framesToRead(1)).toEqual([0]);
    expect(framesToRead(3)).toEqual([0, 1, 2]);
    expect(framesToRead(100)).toEqual([0, 50, 99]);
  });
});

describe('thumbnail', () => {
  it('a 960×480 frame becomes 480×240 grey, red only along the box', () => {
    const w = 960;
    const h = 480;
    const luma = new Uint8Array(w * h);
    for (let i = 0; i < luma.length; i++) luma[i] = (i % w) % 200;
    const png = decode(thumbnail(luma, w, h, [{ x0: 100, y0: 100, x1: 300, y1: 140 }]));
    expect([png.width, png.height, png.channels]).toEqual([480, 240, 3]);
    const at = (x: number, y: number) =>
      Array.from(png.data.subarray((y * 480 + x) * 3, (y * 480 + x) * 3 + 3));
    // Box (50,50)–(150,70) at half size, drawn just outside: red on its edges, grey inside and out.
    expect(at(48, 60)).toEqual([230, 30, 30]);
    expect(at(100, 48)).toEqual([230, 30, 30]);
    expect(at(151, 60)).toEqual([230, 30, 30]);
    const grey = at(100, 60);
    expect(grey[0]).toBe(grey[1]);
    expect(grey[0]).toBe(luma[120 * w + 200]);
    const red = [...Array(240 * 480).keys()].filter(
      (i) => png.data[i * 3] === 230 && png.data[i * 3 + 1] === 30,
    );
    // Two-pixel lines around a ~104×24 box: about 2 × 2 × (104 + 24) pixels, nothing elsewhere.
    expect(red.length).toBeGreaterThan(450);
    expect(red.length).toBeLessThan(560);
  });
});
