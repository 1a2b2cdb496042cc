/**
 * Compressed pixel data, read the way a decoder would: the verifier's own walk over JPEG
 * (baseline to lossless, JPEG-LS), JPEG 2000 codestreams and JP2 files, apart from the
 * engine's. It returns the byte ranges that are not image data (marker segments, boxes, bytes
 * after the end of a codestream) so that they can be searched for seeds, and names the
 * segments that carry text (comments, Exif, XMP, Photoshop, JP2 XML/UUID boxes) whatever
 * they hold: an encoder's comment can carry a name no seed knows.
 */

/** A range of the fragment bytes to search, and what it is. */
export interface MetadataRange {
  readonly from: number;
  readonly to: number;
  readonly what: string;
  /** A segment or box made to carry text: reported even when no seed is in it. */
  readonly text: boolean;
  /** Bytes outside any codestream (after its end, between frames): anything may be in them. */
  readonly stray?: boolean;
}

const u16 = (b: Uint8Array, i: number) => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
const u32 = (b: Uint8Array, i: number) => u16(b, i) * 65536 + u16(b, i + 2);

/** APPn segments that describe the image only, by identifier: JFIF, ICC profile, Adobe, JPEG-LS mrfx. */
const IMAGE_ONLY_APP: ReadonlyMap<number, string> = new Map([
  [0xe0, 'JFIF\0'],
  [0xe2, 'ICC_PROFILE\0'],
  [0xe8, 'mrfx'],
  [0xee, 'Adobe'],
]);

/** The name of a JPEG segment that carries text (COM, APPn but the image-only ones), or undefined. */
function jpegTextSegment(b: Uint8Array, at: number, marker: number): string | undefined {
  if (marker === 0xfe) return 'COM';
  if (marker < 0xe0 || marker > 0xef) return undefined;
  const id = IMAGE_ONLY_APP.get(marker);
  const says = id && Buffer.from(b.subarray(at + 4, at + 4 + id.length)).toString('latin1') === id;
  return says ? undefined : `APP${marker - 0xe0}`;
}

/** After SOS: the offset of the next marker (FF then not a stuffed byte, a restart or fill). */
function afterEntropyData(b: Uint8Array, i: number, ls: boolean): number {
  for (let p = i; p + 1 < b.length; p++) {
    if (b[p] !== 0xff) continue;
    const n = b[p + 1] as number;
    if (n === 0x00 || n === 0xff || (n >= 0xd0 && n <= 0xd7)) continue;
    // JPEG-LS stuffs a zero bit instead: FF followed by a byte below 0x80 is data.
    if (ls && n < 0x80) continue;
    return p;
  }
  return b.length;
}

/** One JPEG codestream from SOI at `at`: its marker segments; returns where it ends. */
function jpeg(b: Uint8Array, at: number, out: MetadataRange[]): number {
  let i = at + 2;
  let isLs = false;
  while (i + 1 < b.length) {
    if (b[i] !== 0xff) return i;
    const marker = b[i + 1] as number;
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    if (marker === 0xd9) return i + 2; // EOI
    if (marker >= 0xd0 && marker <= 0xd7) {
      i += 2;
      continue;
    }
    const length = u16(b, i + 2);
    const end = Math.min(b.length, i + 2 + length);
    if (marker === 0xf7) isLs = true; // SOF55: JPEG-LS
    const text = jpegTextSegment(b, i, marker);
    out.push({
      from: i,
      to: end,
      what: text ?? `JPEG marker FF${marker.toString(16).toUpperCase()}`,
      text: !!text,
    });
    i = marker === 0xda ? afterEntropyData(b, end, isLs) : end;
  }
  return i;
}

/** One JPEG 2000 codestream from SOC at `at`: its main and tile-part headers; returns where it ends. */
function j2k(b: Uint8Array, at: number, out: MetadataRange[]): number {
  let i = at + 2;
  while (i + 1 < b.length && b[i] === 0xff) {
    const marker = b[i + 1] as number;
    if (marker === 0xd9) return i + 2; // EOC
    if (marker === 0x90) {
      // SOT: its header segments up to SOD, then the tile-part's data (Psot bytes from SOT).
      const psot = u32(b, i + 6);
      let p = i + 2 + u16(b, i + 2);
      while (p + 1 < b.length && b[p] === 0xff && b[p + 1] !== 0x93) {
        const end = Math.min(b.length, p + 2 + u16(b, p + 2));
        out.push(j2kSegment(b, p, end));
        p = end;
      }
      out.push({ from: i, to: Math.min(b.length, i + 2 + u16(b, i + 2)), what: 'J2K SOT', text: false });
      const next = psot === 0 ? b.length - 2 : i + psot;
      if (next <= i) return b.length;
      i = next;
      continue;
    }
    const end = Math.min(b.length, i + 2 + u16(b, i + 2));
    out.push(j2kSegment(b, i, end));
    i = end;
  }
  return i;
}

function j2kSegment(b: Uint8Array, from: number, to: number): MetadataRange {
  const comment = b[from + 1] === 0x64;
  return {
    from,
    to,
    what: comment ? 'J2K COM' : `J2K marker FF${(b[from + 1] ?? 0).toString(16).toUpperCase()}`,
    text: comment,
  };
}

/** JP2 boxes that describe the image; every other box is reported (XML, UUID, free text…). */
const IMAGE_BOXES = new Set([
  'jP  ',
  'ftyp',
  'jp2h',
  'rreq',
  'jp2c',
  'ihdr',
  'colr',
  'bpcc',
  'pclr',
  'cmap',
  'cdef',
  'res ',
  'resc',
  'resd',
]);
const SUPER_BOXES = new Set(['jp2h', 'res ']);

/** JP2 boxes from `at` to `end`; the codestream box is walked as a codestream. */
function jp2(b: Uint8Array, at: number, end: number, out: MetadataRange[]): void {
  for (let i = at; i + 8 <= end; ) {
    let length = u32(b, i);
    const type = String.fromCharCode(...b.subarray(i + 4, i + 8));
    let header = 8;
    if (length === 1) {
      length = u32(b, i + 8) * 2 ** 32 + u32(b, i + 12);
      header = 16;
    }
    const boxEnd = length === 0 ? end : Math.min(end, i + length);
    if (boxEnd <= i) return;
    if (type === 'jp2c') {
      if (u16(b, i + header) === 0xff4f) j2k(b, i + header, out);
    } else if (SUPER_BOXES.has(type)) {
      jp2(b, i + header, boxEnd, out);
    } else {
      out.push({ from: i, to: boxEnd, what: `JP2 box '${type.trim()}'`, text: !IMAGE_BOXES.has(type) });
    }
    i = boxEnd;
  }
}

const JP2_SIGNATURE = [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20];

/** The bytes of a frame (or of several) that are not image data. */
export function metadataRanges(b: Uint8Array): MetadataRange[] {
  const out: MetadataRange[] = [];
  let i = 0;
  while (i < b.length) {
    const start = i;
    if (JP2_SIGNATURE.every((x, k) => b[i + k] === x)) {
      jp2(b, i, b.length, out);
      return out;
    }
    if (b[i] === 0xff && b[i + 1] === 0xd8) i = jpeg(b, i, out);
    else if (b[i] === 0xff && b[i + 1] === 0x4f) i = j2k(b, i, out);
    else {
      // Not a codestream: bytes after the end of one (padding, or text appended to a frame).
      let next = i + 1;
      while (next + 1 < b.length && !(b[next] === 0xff && (b[next + 1] === 0xd8 || b[next + 1] === 0x4f)))
        next++;
      if (next + 1 >= b.length) next = b.length;
      if (b.subarray(i, next).some((x) => x !== 0))
        out.push({ from: i, to: next, what: 'bytes outside any codestream', text: false, stray: true });
      i = next;
    }
    if (i <= start) i = start + 1;
  }
  return out;
}

/**
 * The fragments of encapsulated pixel data, the basic offset table left out, joined: a segment
 * may be split across fragments. `value` starts at the first item tag.
 */
export function fragmentBytes(value: Uint8Array, littleEndian = true): Uint8Array {
  const parts: Uint8Array[] = [];
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  let first = true;
  for (let i = 0; i + 8 <= value.length; ) {
    const group = view.getUint16(i, littleEndian);
    const element = view.getUint16(i + 2, littleEndian);
    const length = view.getUint32(i + 4, littleEndian);
    if (group !== 0xfffe || element !== 0xe000) break; // the sequence delimiter, or damage
    const end = Math.min(value.length, i + 8 + length);
    if (!first) parts.push(value.subarray(i + 8, end));
    first = false;
    i = end;
  }
  return parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts);
}
