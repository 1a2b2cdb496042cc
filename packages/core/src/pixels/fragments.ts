/**
 * Encapsulated Pixel Data (PS3.5 §A.4): a Basic Offset Table item, then fragment items, then a
 * sequence delimiter; a frame is one fragment or several. Read into frames here, and written
 * back with only the frames that changed re-fragmented (one fragment each, even length) and the
 * offset tables recomputed, so a decoder finds every frame where the tables say.
 */

export interface Fragment {
  /** Offset of the item tag, relative to the first byte after the Basic Offset Table item. */
  readonly at: number;
  readonly bytes: Uint8Array;
}

export interface Encapsulated {
  /** The Basic Offset Table's entries (empty table: none). */
  readonly offsets: readonly number[];
  readonly fragments: readonly Fragment[];
}

const ITEM = 0xe000;
const DELIMITER = 0xe0dd;
const ITEM_GROUP = 0xfffe;

/** The value of an encapsulated Pixel Data element (after its header); undefined if not well formed. */
export function readEncapsulated(value: Uint8Array): Encapsulated | undefined {
  const v = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const item = (at: number) =>
    at + 8 <= value.length && v.getUint16(at, true) === ITEM_GROUP ? v.getUint16(at + 2, true) : -1;
  if (item(0) !== ITEM) return undefined;
  const botLength = v.getUint32(4, true);
  if (botLength % 4 !== 0 || 8 + botLength > value.length) return undefined;
  const offsets = Array.from({ length: botLength / 4 }, (_, i) => v.getUint32(8 + i * 4, true));
  const first = 8 + botLength;
  const fragments: Fragment[] = [];
  for (let at = first; ; ) {
    const kind = item(at);
    if (kind === DELIMITER) return { offsets, fragments };
    if (kind !== ITEM) return undefined;
    const len = v.getUint32(at + 4, true);
    if (at + 8 + len > value.length) return undefined;
    fragments.push({ at: at - first, bytes: value.subarray(at + 8, at + 8 + len) });
    at += 8 + len;
  }
}

/** Does this fragment start a new frame in this syntax (JPEG SOI, J2K SOC, JP2 signature box)? */
export type FrameStart = (fragment: Uint8Array) => boolean;

/**
 * The fragments of each frame: by the Basic Offset Table when it has one entry per frame; one
 * frame of all fragments; one fragment per frame; else split where a fragment starts a frame.
 * Undefined when the frames cannot be told apart.
 */
export function framesOf(e: Encapsulated, frames: number, starts: FrameStart): Fragment[][] | undefined {
  const { offsets, fragments } = e;
  if (fragments.length === 0) return undefined;
  if (offsets.length === frames && frames > 0) {
    const index = offsets.map((o) => fragments.findIndex((f) => f.at === o));
    if (index.some((i, k) => i < 0 || (k > 0 && i <= (index[k - 1] as number)))) return undefined;
    return index.map((i, k) => fragments.slice(i, index[k + 1] ?? fragments.length));
  }
  if (frames === 1) return [[...fragments]];
  if (fragments.length === frames) return fragments.map((f) => [f]);
  const out: Fragment[][] = [];
  for (const f of fragments) {
    if (out.length === 0 || starts(f.bytes)) out.push([f]);
    else out[out.length - 1]?.push(f);
  }
  return out.length === frames ? out : undefined;
}

/** The bytes of a frame's fragments, joined (the fragment itself when it is alone). */
export function frameBytes(frame: readonly Fragment[]): Uint8Array {
  if (frame.length === 1) return (frame[0] as Fragment).bytes;
  return Buffer.concat(frame.map((f) => f.bytes));
}

function itemHeader(tag: number, length: number): Uint8Array {
  const h = new Uint8Array(8);
  const v = new DataView(h.buffer);
  v.setUint16(0, ITEM_GROUP, true);
  v.setUint16(2, tag, true);
  v.setUint32(4, length, true);
  return h;
}

export interface Rebuilt {
  /** The element's value: offset table, fragments, delimiter. */
  readonly value: Uint8Array[];
  readonly length: number;
  /** Per frame: offset of its first fragment item (after the offset table item) and its length. */
  readonly frameOffsets: readonly number[];
  readonly frameLengths: readonly number[];
}

/**
 * Pixel Data's value with `replaced` frames (by index) written as one even-length fragment
 * each; other frames keep their fragments. The Basic Offset Table is rewritten when it had
 * entries (and stays empty when it was).
 */
export function rebuild(
  frames: readonly (readonly Fragment[])[],
  replaced: ReadonlyMap<number, Uint8Array>,
  withTable: boolean,
): Rebuilt {
  const body: Uint8Array[] = [];
  const frameOffsets: number[] = [];
  const frameLengths: number[] = [];
  let at = 0;
  for (const [i, frame] of frames.entries()) {
    frameOffsets.push(at);
    const fresh = replaced.get(i);
    const parts = fresh
      ? [fresh.length % 2 ? Buffer.concat([fresh, Uint8Array.of(0)]) : fresh]
      : frame.map((f) => f.bytes);
    let frameLength = 0;
    for (const p of parts) {
      body.push(itemHeader(ITEM, p.length), p);
      at += 8 + p.length;
      frameLength += p.length;
    }
    frameLengths.push(frameLength);
  }
  const table = new Uint8Array(withTable ? frames.length * 4 : 0);
  const tv = new DataView(table.buffer);
  if (withTable) for (const [i, o] of frameOffsets.entries()) tv.setUint32(i * 4, o, true);
  const value = [itemHeader(ITEM, table.length), table, ...body, itemHeader(DELIMITER, 0)];
  return { value, length: 16 + table.length + at, frameOffsets, frameLengths };
}
