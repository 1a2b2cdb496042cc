/**
 * Byte-level editing of marker-segment streams (JPEG, JPEG-LS, JPEG 2000): cut whole segments
 * out and overwrite a few fields (lengths) in one copy, so that the bytes between the edits,
 * entropy-coded data above all, reach the output exactly as they were.
 */

/** Bytes [start, end) of the input leave the output; `name` says what they were, for the report. */
export interface Cut {
  readonly start: number;
  readonly end: number;
  readonly name: string;
}

/** `bytes` overwrite the input from `at` on, in the output; never inside a cut. */
export interface Patch {
  readonly at: number;
  readonly bytes: Uint8Array;
}

/** Big-endian 16-bit value at `at`; the caller has checked that two bytes are there. */
export function u16(b: Uint8Array, at: number): number {
  return ((b[at] as number) << 8) | (b[at + 1] as number);
}

/** Big-endian 32-bit value at `at`; the caller has checked that four bytes are there. */
export function u32(b: Uint8Array, at: number): number {
  return u16(b, at) * 0x10000 + u16(b, at + 2);
}

/** Four bytes holding `value` big-endian, for a length field rewritten by a patch. */
export function be32(value: number): Uint8Array {
  return Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

/**
 * The input without the cuts and with the patches applied. Cuts may come in any order but
 * must not overlap. A patch's offset is moved back by the cut bytes before it.
 */
export function splice(input: Uint8Array, cuts: readonly Cut[], patches: readonly Patch[]): Uint8Array {
  const sorted = [...cuts].sort((a, b) => a.start - b.start);
  const dropped = sorted.reduce((n, c) => n + (c.end - c.start), 0);
  const out = new Uint8Array(input.length - dropped);
  let from = 0;
  let to = 0;
  for (const c of sorted) {
    out.set(input.subarray(from, c.start), to);
    to += c.start - from;
    from = c.end;
  }
  out.set(input.subarray(from), to);
  for (const p of patches) out.set(p.bytes, outputOffset(sorted, p.at));
  return out;
}

/** Where input offset `at` (outside every cut) lands once the sorted cuts are gone. */
function outputOffset(sorted: readonly Cut[], at: number): number {
  let shift = 0;
  for (const c of sorted) {
    if (c.start >= at) break;
    shift += c.end - c.start;
  }
  return at - shift;
}

/**
 * Bytes after EOC (or EOI), which no decoder reads and anything can be hidden in: cut, except a
 * single pad byte (0x00 or 0xFF) that keeps the fragment even.
 */
export function trailingCut(b: Uint8Array, from: number, name: string): Cut | undefined {
  const rest = b.length - from;
  if (rest <= 0 || (rest === 1 && (b[from] === 0x00 || b[from] === 0xff))) return undefined;
  return { start: from, end: b.length, name };
}
