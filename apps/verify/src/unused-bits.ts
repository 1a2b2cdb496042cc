/**
 * Bits of native pixel data outside Bits Stored/High Bit. A viewer never shows them, so a
 * name drawn there (an old overlay in the high bits) leaves unseen. Set bits there are
 * reported; signed pixels may repeat their sign bit above High Bit (two's complement), which
 * carries nothing. The verifier's own reading of PS3.5 §8.1.1, apart from the engine's.
 */
import type { Element, ParsedFile } from '@dcmblind/core';
import { streamValue } from './dicom-file.js';

/** The cell layout of native pixel data; undefined when every bit of a cell is used or it is not native. */
interface Cells {
  readonly bytes: 1 | 2 | 4;
  readonly littleEndian: boolean;
  /** Lowest and highest bit of the stored value. */
  readonly low: number;
  readonly high: number;
  readonly signed: boolean;
}

function usValue(parsed: ParsedFile, tag: number): number | undefined {
  const el = parsed.dataset.find((e) => e.tag === tag);
  if (!el || el.items || el.valueLength < 2) return undefined;
  const view = new DataView(parsed.data.buffer, parsed.data.byteOffset + el.valueStart, 2);
  return view.getUint16(0, parsed.encoding.littleEndian);
}

function cellsOf(parsed: ParsedFile): Cells | undefined {
  const allocated = usValue(parsed, 0x00280100);
  const stored = usValue(parsed, 0x00280101);
  const high = usValue(parsed, 0x00280102);
  if (allocated === undefined || stored === undefined || high === undefined) return undefined;
  if (allocated !== 8 && allocated !== 16 && allocated !== 32) return undefined;
  if (stored < 1 || high >= allocated || high + 1 < stored) return undefined;
  if (stored === allocated) return undefined;
  return {
    bytes: (allocated / 8) as 1 | 2 | 4,
    littleEndian: parsed.encoding.littleEndian,
    low: high + 1 - stored,
    high,
    signed: usValue(parsed, 0x00280103) === 1,
  };
}

/** Whether any cell in `b` has a bit set outside the stored ones (sign extension aside). */
function anySet(b: Uint8Array, c: Cells): boolean {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const bits = c.bytes * 8;
  const lowMask = c.low === 0 ? 0 : (1 << c.low) - 1;
  for (let i = 0; i + c.bytes <= b.length; i += c.bytes) {
    const v =
      c.bytes === 1
        ? (b[i] as number)
        : c.bytes === 2
          ? view.getUint16(i, c.littleEndian)
          : view.getUint32(i, c.littleEndian);
    if (lowMask && (v & lowMask) !== 0) return true;
    if (c.high + 1 >= bits) continue;
    const above = Math.floor(v / 2 ** (c.high + 1));
    if (above === 0) continue;
    const sign = Math.floor(v / 2 ** c.high) % 2;
    const allOnes = 2 ** (bits - c.high - 1) - 1;
    if (!(c.signed && sign === 1 && above === allOnes)) return true;
  }
  return false;
}

/** Native pixel data with set bits outside Bits Stored/High Bit (read from disk when not in memory). */
export function hasUnusedBitsSet(parsed: ParsedFile, el: Element): boolean {
  if (el.encapsulated || el.items) return false;
  const c = cellsOf(parsed);
  if (!c) return false;
  if (!el.external) return anySet(parsed.data.subarray(el.valueStart, el.valueStart + el.valueLength), c);
  let set = false;
  streamValue(parsed, el, (chunk) => {
    set = anySet(chunk, c);
    return set;
  });
  return set;
}
