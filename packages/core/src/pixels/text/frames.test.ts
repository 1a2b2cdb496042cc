/**
 * Blanking paints what a viewer shows as black: for a grey frame of more than 8 bits, its own
 * darkest cell (a viewer windows the frame to its range), not the type's extreme — a signed MR
 * blanked with -32768 washes out under auto-windowing.
 */
import { describe, expect, it } from 'vitest';
import { blank, type Geometry } from './frames.js';

const geometry = (over: Partial<Geometry>): Geometry => ({
  rows: 4,
  columns: 4,
  samples: 1,
  bytes: 2,
  bitsStored: 16,
  signed: true,
  photometric: 'MONOCHROME2',
  planar: false,
  frames: 1,
  littleEndian: true,
  ...over,
});

function frame(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const v = new DataView(out.buffer);
  for (const [i, x] of values.entries()) v.setInt16(i * 2, x, true);
  return out;
}
const cells = (b: Uint8Array) => Array.from(new Int16Array(b.buffer, b.byteOffset, b.length / 2));
const box = { x0: 0, y0: 0, x1: 2, y1: 1 };
const data = [127, 900, 2145, 400, 300, 500, 600, 700, 800, 1000, 1100, 1200, 1300, 1400, 1500, 1600];

describe('blank', () => {
  it('a signed 16-bit MONOCHROME2 frame: with its lowest cell', () => {
    const f = frame(data);
    expect(blank(geometry({}), f, 0, [box])).toBe(1); // the first cell already is the lowest
    expect(cells(f).slice(0, 3)).toEqual([127, 127, 2145]);
  });

  it('MONOCHROME1: with its highest cell (the darkest shown)', () => {
    const f = frame(data);
    blank(geometry({ photometric: 'MONOCHROME1' }), f, 0, [box]);
    expect(cells(f).slice(0, 3)).toEqual([2145, 2145, 2145]);
  });

  it('negative cells stay negative, written as stored', () => {
    const f = frame(data.map((x) => x - 1000));
    blank(geometry({}), f, 0, [{ x0: 2, y0: 0, x1: 3, y1: 1 }]);
    expect(cells(f)[2]).toBe(-873);
  });

  it('8-bit unsigned grey: 0', () => {
    const f = Uint8Array.from(data.map((x) => x % 250));
    blank(geometry({ bytes: 1, bitsStored: 8, signed: false }), f, 0, [box]);
    expect(Array.from(f.slice(0, 3))).toEqual([0, 0, 145]);
  });
});
