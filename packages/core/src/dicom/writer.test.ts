/**
 * A range of the source file written with patches (rows of a long cine whose burned-in text was
 * blanked): the chunks cover the range exactly once, in order — the file's bytes between the
 * patches (masked when the cells have unused bits), the patches' own bytes in their places.
 */
import { describe, expect, it } from 'vitest';
import { isRange, serialize } from './writer.js';

describe('serialize a source range with patches', () => {
  const mask = { bytes: 2, littleEndian: true, keep: 0x0fff } as const;
  const node = {
    kind: 'range' as const,
    tag: 0x7fe00010,
    offset: 1000,
    length: 112, // 12 bytes of header, then 100 of cells
    mask: { cells: mask, cellsAt: 1012 },
    patches: [
      { at: 1020, bytes: new Uint8Array(8).fill(1) },
      { at: 1100, bytes: new Uint8Array(12).fill(2) },
    ],
  };

  it('covers the range once, header unmasked, cells masked, patches in place', () => {
    const chunks = serialize([node]).chunks;
    let at = 1000;
    const seen: string[] = [];
    for (const c of chunks) {
      if (isRange(c)) {
        expect(c.offset).toBe(at);
        seen.push(`file ${c.offset}+${c.length}${c.mask ? ' masked' : ''}`);
        at += c.length;
      } else {
        seen.push(`patch ${at}+${c.length}`);
        at += c.length;
      }
    }
    expect(at).toBe(1112);
    expect(seen).toEqual([
      'file 1000+12',
      'file 1012+8 masked',
      'patch 1020+8',
      'file 1028+72 masked',
      'patch 1100+12',
    ]);
  });

  it('refuses a patch outside the value or before the last one', () => {
    const outside = { ...node, patches: [{ at: 1105, bytes: new Uint8Array(12) }] };
    expect(() => serialize([outside])).toThrow(/outside its value/);
    const backwards = { ...node, patches: [...node.patches].reverse() };
    expect(() => serialize([backwards])).toThrow(/outside its value/);
  });
});
