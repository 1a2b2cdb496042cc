/**
 * Bits of native pixel cells outside the stored bits (PS3.5 §8.1.1, §8.2: BitsAllocated,
 * BitsStored, HighBit). Old equipment drew overlays into them (a name in bit 15 of 12-bit CT
 * pixel data, the habit the retired overlay-in-pixel-data encoding standardised), and nothing that
 * displays the image shows them, so they travel unseen. They carry no image information: an
 * unsigned cell's unused bits are cleared to zero; a signed cell's bits above HighBit become the
 * sign extension of its stored value (which many writers use for negative values and readers
 * expect), bits below the stored ones zero. Pixel values as the standard defines them are
 * unchanged.
 */
import type { Element } from '../dicom/reader.js';

export interface CellMask {
  /** Bytes per cell: 1, 2 or 4. */
  readonly bytes: 1 | 2 | 4;
  readonly littleEndian: boolean;
  /** The stored bits. */
  readonly keep: number;
  /** Signed cells stored from bit 0: the sign bit (HighBit) extended upwards; else undefined. */
  readonly signBit?: number;
}

const BITS_ALLOCATED = 0x00280100;
const BITS_STORED = 0x00280101;
const HIGH_BIT = 0x00280102;
const PIXEL_REPRESENTATION = 0x00280103;

export function usValue(data: Uint8Array, el: Element | undefined, le: boolean): number | undefined {
  if (!el || el.items || el.external || el.valueLength < 2) return undefined;
  return new DataView(data.buffer, data.byteOffset + el.valueStart, 2).getUint16(0, le);
}

/**
 * The mask for the file's native pixel data, or undefined when every allocated bit is stored
 * (most CT), when the attributes are missing or inconsistent, or for bit-packed cells.
 */
export function cellMaskOf(
  data: Uint8Array,
  dataset: readonly Element[],
  littleEndian: boolean,
): CellMask | undefined {
  const find = (t: number) => dataset.find((e) => e.tag === t);
  const allocated = usValue(data, find(BITS_ALLOCATED), littleEndian);
  const stored = usValue(data, find(BITS_STORED), littleEndian);
  const high = usValue(data, find(HIGH_BIT), littleEndian);
  const signed = usValue(data, find(PIXEL_REPRESENTATION), littleEndian) === 1;
  if (allocated !== 8 && allocated !== 16 && allocated !== 32) return undefined;
  if (stored === undefined || high === undefined || stored < 1 || high >= allocated || high + 1 < stored)
    return undefined;
  if (stored === allocated) return undefined;
  const low = high + 1 - stored;
  const keep = stored === 32 ? 0xffffffff : (((1 << stored) >>> 0) - 1) * 2 ** low;
  return {
    bytes: (allocated / 8) as 1 | 2 | 4,
    littleEndian,
    keep: keep >>> 0,
    ...(signed && low === 0 ? { signBit: high } : {}),
  };
}

/** The cell's value with its unused bits made information-free (see the module comment). */
function cleanCell(v: number, m: CellMask, full: number): number {
  const kept = (v & m.keep) >>> 0;
  if (m.signBit === undefined || !((kept >>> m.signBit) & 1)) return kept;
  return (kept | (full & ~m.keep)) >>> 0;
}

/**
 * Clears the unused bits of whole cells in `buf` (in place); returns how many cells changed.
 * A trailing partial cell (an odd-length value's padding) is left alone.
 */
export function clearUnusedBits(buf: Uint8Array, m: CellMask): number {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Math.floor(buf.length / m.bytes);
  let changed = 0;
  if (m.bytes === 1) {
    for (let i = 0; i < n; i++) {
      const v = buf[i] as number;
      const c = cleanCell(v, m, 0xff);
      if (c !== v) {
        buf[i] = c;
        changed++;
      }
    }
  } else if (m.bytes === 2) {
    for (let i = 0; i < n; i++) {
      const v = view.getUint16(i * 2, m.littleEndian);
      const c = cleanCell(v, m, 0xffff);
      if (c !== v) {
        view.setUint16(i * 2, c, m.littleEndian);
        changed++;
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = view.getUint32(i * 4, m.littleEndian);
      const c = cleanCell(v, m, 0xffffffff);
      if (c !== v) {
        view.setUint32(i * 4, c, m.littleEndian);
        changed++;
      }
    }
  }
  return changed;
}

/** Whether any cell needs cleaning (read only; the common case is a quick no). */
export function hasUnusedBits(buf: Uint8Array, m: CellMask): boolean {
  if (m.signBit === undefined && m.bytes === 2 && m.littleEndian && buf.byteOffset % 4 === 0) {
    // The fast path for unsigned 16-bit little endian, the usual case: two cells per word.
    const words = new Uint32Array(buf.buffer, buf.byteOffset, buf.length >>> 2);
    const outside = ~(m.keep | (m.keep << 16)) >>> 0;
    let any = 0;
    for (let i = 0; i < words.length; i++) any |= words[i] as number;
    if (((any >>> 0) & outside) !== 0) return true;
    return (
      buf.length % 4 >= 2 &&
      clearUnusedBits(new Uint8Array(buf.subarray(buf.length - (buf.length % 4))), m) > 0
    );
  }
  // A copy (a Buffer's slice() is a view): the source bytes stay as they are.
  return clearUnusedBits(new Uint8Array(buf), m) > 0;
}

/** How reports name the change. */
export const UNUSED_BITS_SOURCE = 'Pixel Data: bits outside Bits Stored/High Bit cleared (PS3.5 §8.1.1)';
