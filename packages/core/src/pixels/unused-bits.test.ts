import { describe, expect, it } from 'vitest';
import { type CellMask, clearUnusedBits, hasUnusedBits } from './unused-bits.js';

const u16 = (values: number[], le = true) => {
  const b = new Uint8Array(values.length * 2);
  const v = new DataView(b.buffer);
  for (const [i, x] of values.entries()) v.setUint16(i * 2, x, le);
  return b;
};
const read16 = (b: Uint8Array, le = true) => {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: b.length / 2 }, (_, i) => v.getUint16(i * 2, le));
};

describe('unused bits of pixel cells', () => {
  const unsigned12: CellMask = { bytes: 2, littleEndian: true, keep: 0x0fff };
  const signed12: CellMask = { bytes: 2, littleEndian: true, keep: 0x0fff, signBit: 11 };

  it('clears bits above HighBit of unsigned cells, values unchanged', () => {
    const b = u16([0x8123, 0x0fff, 0x7000, 0x0000, 0xf001]);
    expect(hasUnusedBits(b, unsigned12)).toBe(true);
    expect(clearUnusedBits(b, unsigned12)).toBe(3);
    expect(read16(b)).toEqual([0x0123, 0x0fff, 0x0000, 0x0000, 0x0001]);
    expect(hasUnusedBits(b, unsigned12)).toBe(false);
  });

  it('gives signed cells the sign extension of their stored value, nothing else', () => {
    // -1 sign-extended (0xffff) stays; -1 stored with bit 13 cleared is restored; a positive
    // value carrying bits above becomes the plain value.
    const b = u16([0xffff, 0xdfff, 0x7005, 0x0005, 0x0800]);
    expect(clearUnusedBits(b, signed12)).toBe(3);
    expect(read16(b)).toEqual([0xffff, 0xffff, 0x0005, 0x0005, 0xf800]);
  });

  it('big endian cells and an odd trailing byte', () => {
    const b = new Uint8Array([...u16([0x9001, 0x0001], false), 0xff]);
    const m: CellMask = { bytes: 2, littleEndian: false, keep: 0x0fff };
    expect(clearUnusedBits(b, m)).toBe(1);
    expect(Array.from(b)).toEqual([0x00, 0x01, 0x00, 0x01, 0xff]);
  });

  it('does not touch the bytes it was asked about (a Buffer view stays the source)', () => {
    const src = Buffer.from(u16([0x8000, 0x0001, 0x0002]));
    const view = src.subarray(0, 6);
    expect(hasUnusedBits(view, signed12)).toBe(true);
    expect(read16(src)).toEqual([0x8000, 0x0001, 0x0002]);
  });

  it('finds a set bit anywhere in a large unsigned buffer (the fast path)', () => {
    const b = new Uint8Array(1 << 20);
    expect(hasUnusedBits(b, unsigned12)).toBe(false);
    b[(1 << 20) - 1] = 0x10;
    expect(hasUnusedBits(b, unsigned12)).toBe(true);
  });
});
