/**
 * Metadata segments out of one JPEG (ITU T.81) or JPEG-LS (ITU T.87) frame, without decoding:
 * encoders and the cameras, scanners and workstations behind them put Exif, XMP, Photoshop
 * IPTC records and comments (APPn, COM) into the bit stream, where patient names, IDs and
 * dates survive a de-identification of the DICOM attributes. Every other byte is kept, so
 * the pixels decode exactly as before.
 */
import { type Cut, type Patch, splice, trailingCut, u16 } from './splice.js';

export interface Stripped {
  /** The stream without the removed segments; the very same Uint8Array object when nothing was removed. */
  readonly bytes: Uint8Array;
  /** What was removed, in order, e.g. ['APP1', 'COM', 'APP13'] (never the content). */
  readonly removed: readonly string[];
}

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const COM = 0xfe;
const APP0 = 0xe0;
const APP8 = 0xe8;
const APP14 = 0xee;
const APP15 = 0xef;
/** SOF55: the frame is JPEG-LS, whose scan data follows other stuffing rules. */
const SOF55 = 0xf7;
/** JFIF APP0 without a thumbnail: identifier, version, units, densities, thumbnail size (T.871). */
const JFIF_LENGTH = 16;

/**
 * One JPEG (ITU T.81: baseline, extended, progressive, lossless) or JPEG-LS (T.87) frame;
 * undefined when it is not a stream that can be walked safely (no SOI, truncated segment,
 * no EOI reached...).
 */
export function stripJpeg(stream: Uint8Array): Stripped | undefined {
  if (stream.length < 4 || stream[0] !== 0xff || stream[1] !== SOI) return undefined;
  const cuts: Cut[] = [];
  const patches: Patch[] = [];
  let jpegLs = false;
  let at = 2;
  for (;;) {
    const m = markerAt(stream, at);
    if (m === undefined) return undefined;
    at = m.at;
    if (m.code === EOI) {
      const tail = trailingCut(stream, at + 2, 'bytes after EOI');
      if (tail) cuts.push(tail);
      break;
    }
    if (isStandalone(m.code)) {
      at += 2;
      continue;
    }
    if (at + 4 > stream.length) return undefined;
    const end = at + 2 + u16(stream, at + 2);
    if (end < at + 4 || end > stream.length) return undefined;
    if (m.code === SOF55) jpegLs = true;
    if (isMetadata(m.code) && !decoderNeeds(stream, m.code, at, end)) {
      cuts.push({ start: m.fill, end, name: segmentName(m.code) });
    } else if (m.code === APP0 && end - at > 2 + JFIF_LENGTH) {
      dropJfifThumbnail(at, end, cuts, patches);
    } else if (isMetadata(m.code)) {
      keepOnlyWhatDecodersRead(m.code, at, end, cuts, patches);
    }
    at = end;
    if (m.code === SOS) {
      const next = scanEnd(stream, at, jpegLs);
      if (next === undefined) return undefined;
      at = next;
    }
  }
  if (cuts.length === 0) return { bytes: stream, removed: [] };
  return { bytes: splice(stream, cuts, patches), removed: cuts.map((c) => c.name) };
}

/**
 * The marker at `at` after any 0xFF fill bytes (T.81 B.1.1.2): its code, where its own 0xFF
 * is and where the fill bytes before it begin (they go with a removed segment). Undefined
 * when `at` is not a marker: stray bytes between segments are not walked past.
 */
function markerAt(b: Uint8Array, at: number): { code: number; at: number; fill: number } | undefined {
  if (b[at] !== 0xff) return undefined;
  const fill = at;
  while (b[at + 1] === 0xff) at++;
  const code = b[at + 1];
  if (code === undefined || code === 0x00 || code === SOI) return undefined;
  return { code, at, fill };
}

/** TEM and RSTn carry no length field. */
function isStandalone(code: number): boolean {
  return code === 0x01 || (code >= 0xd0 && code <= 0xd7);
}

function isMetadata(code: number): boolean {
  return code === COM || (code >= APP0 && code <= APP15);
}

/**
 * The application segments a decoder reads to get the colours right: JFIF (YCbCr), Adobe
 * (the colour transform flag) and HP's mrfx (the JPEG-LS colour transform CharLS and DCMTK
 * apply). The identifier is at the start of the segment data.
 */
function decoderNeeds(b: Uint8Array, code: number, at: number, end: number): boolean {
  if (code === APP0) return startsWith(b, at + 4, end, 'JFIF\0');
  if (code === APP14) return startsWith(b, at + 4, end, 'Adobe');
  if (code === APP8) return startsWith(b, at + 4, end, 'mrfx');
  return false;
}

function startsWith(b: Uint8Array, from: number, end: number, id: string): boolean {
  if (end - from < id.length) return false;
  for (let k = 0; k < id.length; k++) if (b[from + k] !== id.charCodeAt(k)) return false;
  return true;
}

function segmentName(code: number): string {
  return code === COM ? 'COM' : `APP${code - APP0}`;
}

/**
 * A JFIF thumbnail is a small picture of the image, burnt-in annotations included, that no
 * decoder of the main image reads: it goes and the APP0 is rewritten as thumbnail-less.
 */
function dropJfifThumbnail(at: number, end: number, cuts: Cut[], patches: Patch[]): void {
  const thumbnailStart = at + 2 + JFIF_LENGTH;
  cuts.push({ start: thumbnailStart, end, name: 'APP0 thumbnail' });
  patches.push({ at: at + 2, bytes: Uint8Array.of(0, JFIF_LENGTH) });
  patches.push({ at: thumbnailStart - 2, bytes: Uint8Array.of(0, 0) });
}

/** Length fields of the kept segments as their specifications define them (no room for more). */
const CANONICAL_LENGTH: ReadonlyMap<number, number> = new Map([
  [APP14, 14], // "Adobe", version, flags0, flags1, transform
  [APP8, 7], // "mrfx", transform
]);

/** A kept Adobe or mrfx segment longer than its definition: the extra bytes go, the length follows. */
function keepOnlyWhatDecodersRead(
  code: number,
  at: number,
  end: number,
  cuts: Cut[],
  patches: Patch[],
): void {
  const canonical = CANONICAL_LENGTH.get(code);
  if (canonical === undefined || end - at - 2 <= canonical) return;
  cuts.push({ start: at + 2 + canonical, end, name: `${segmentName(code)} extra bytes` });
  patches.push({ at: at + 2, bytes: Uint8Array.of(0, canonical) });
}

/**
 * Where the entropy-coded data after an SOS header ends: the 0xFF (the first of any fill
 * bytes) that starts the next marker. indexOf keeps a multi-megabyte scan fast.
 */
function scanEnd(b: Uint8Array, from: number, jpegLs: boolean): number | undefined {
  let at = b.indexOf(0xff, from);
  while (at !== -1) {
    let last = at;
    while (b[last + 1] === 0xff) last++;
    const next = b[last + 1];
    if (next === undefined) return undefined;
    if (!isScanData(next, jpegLs)) return at;
    at = b.indexOf(0xff, last + 2);
  }
  return undefined;
}

/**
 * In T.81 scan data 0xFF is followed by 0x00 (byte stuffing) or RSTn (restart, part of the
 * scan); in JPEG-LS scan data also by any byte below 0x80 (bit stuffing, T.87 A.1).
 */
function isScanData(next: number, jpegLs: boolean): boolean {
  return next === 0x00 || (next >= 0xd0 && next <= 0xd7) || (jpegLs && next < 0x80);
}
