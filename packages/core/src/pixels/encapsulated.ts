/**
 * Planning the metadata strip of a file's encapsulated Pixel Data (pixels/bitstream.ts): frames
 * found, each stripped, and — when any frame changed — the element's new value and new Extended
 * Offset Table values. A frame that cannot be walked cannot be checked: the file is quarantined
 * rather than written with whatever that frame may carry.
 */
import { textOf } from '../dicom/read-file.js';
import type { ParsedFile } from '../dicom/reader.js';
import { familyOf, startsFrame, stripFrame } from './bitstream.js';
import { type Fragment, frameBytes, framesOf, readEncapsulated, rebuild } from './fragments.js';

export interface StripPlan {
  readonly kind: 'strip';
  /** The new value of Pixel Data (offset table item, fragments, delimiter). */
  readonly value: Uint8Array;
  /** What was removed, by name ("APP1", "COM", "xml "), counted. */
  readonly removed: ReadonlyMap<string, number>;
  /** New Extended Offset Table and Extended Offset Table Lengths values (64-bit LE), per frame. */
  readonly extendedOffsets: Uint8Array;
  readonly extendedLengths: Uint8Array;
}

export type BitstreamPlan =
  | StripPlan
  | { readonly kind: 'quarantine'; readonly reason: string }
  | { readonly kind: 'unchecked'; readonly transferSyntaxUID: string }
  | undefined;

const NUMBER_OF_FRAMES = 0x00280008;

/** NumberOfFrames of the data set (IS), 1 when absent or unreadable. */
export function numberOfFrames(parsed: ParsedFile): number {
  const el = parsed.dataset.find((e) => e.tag === NUMBER_OF_FRAMES);
  const n = parseInt(textOf(el, parsed.data), 10);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

function uv(values: readonly number[]): Uint8Array {
  const b = new Uint8Array(values.length * 8);
  const v = new DataView(b.buffer);
  for (const [i, x] of values.entries()) v.setBigUint64(i * 8, BigInt(x), true);
  return b;
}

/** Each frame stripped; a frame's index → its new bytes when something was removed. */
function stripAll(
  family: 'jpeg' | 'j2k',
  frames: readonly (readonly Fragment[])[],
): { replaced: Map<number, Uint8Array>; removed: Map<string, number> } | number {
  const replaced = new Map<number, Uint8Array>();
  const removed = new Map<string, number>();
  for (const [i, frame] of frames.entries()) {
    const s = stripFrame(family, frameBytes(frame));
    if (!s) return i;
    if (s.removed.length === 0) continue;
    replaced.set(i, s.bytes);
    for (const r of s.removed) removed.set(r, (removed.get(r) ?? 0) + 1);
  }
  return { replaced, removed };
}

/**
 * `value`: the Pixel Data element's value (after its header); `frames`: NumberOfFrames (1 when
 * absent). Undefined when there is nothing to change.
 */
export function planBitstream(transferSyntaxUID: string, value: Uint8Array, frames: number): BitstreamPlan {
  const family = familyOf(transferSyntaxUID);
  if (family === 'rle') return undefined;
  if (family === 'unchecked') return { kind: 'unchecked', transferSyntaxUID };
  const e = readEncapsulated(value);
  const split = e && framesOf(e, frames, (f) => startsFrame(family, f));
  if (!e || !split) {
    return {
      kind: 'quarantine',
      reason:
        `compressed Pixel Data whose ${frames} frame(s) cannot be told apart: ` +
        'its bit streams cannot be checked for metadata',
    };
  }
  const done = stripAll(family, split);
  if (typeof done === 'number') {
    const what = family === 'jpeg' ? 'a JPEG' : 'a JPEG 2000';
    return {
      kind: 'quarantine',
      reason:
        `frame ${done + 1} of Pixel Data is not ${what} stream that can be walked: ` +
        'it cannot be checked for metadata segments',
    };
  }
  if (done.replaced.size === 0) return undefined;
  const r = rebuild(split, done.replaced, e.offsets.length > 0);
  return {
    kind: 'strip',
    value: Buffer.concat(r.value, r.length),
    removed: done.removed,
    extendedOffsets: uv(r.frameOffsets),
    extendedLengths: uv(r.frameLengths),
  };
}
