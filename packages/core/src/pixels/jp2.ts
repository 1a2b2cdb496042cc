/**
 * The JP2 file format (ISO 15444-1 Annex I) around a JPEG 2000 codestream, as some vendors
 * put it in DICOM: only the boxes a reader needs stay (signature, file type, header, reader
 * requirements), the codestream in each jp2c box loses its comments, the box length following;
 * every other box (XML such as XMP, UUID boxes, rights, labels, associations, free space) goes.
 */
import type { Stripped } from './jpeg.js';
import { be32, u32 } from './splice.js';

const SIGNATURE = [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a];
/**
 * The boxes a reader needs (Annex I.5: signature, file type, header with the image size,
 * colour and palette boxes, reader requirements) and the codestream. Every other top-level box
 * goes: XML (XMP), UUID and UUID info, rights (`jp2i`, `ipr `), labels and associations
 * (`lbl `, `asoc`), free space (`free`) — whatever a writer may put text in.
 */
const KEPT = new Set(['jP  ', 'ftyp', 'jp2h', 'rreq', 'jp2c']);

interface Box {
  readonly type: string;
  readonly start: number;
  /** Where the contents begin: after LBox and TBox, and XLBox when there is one. */
  readonly contents: number;
  readonly end: number;
  readonly extended: boolean;
  readonly toEnd: boolean;
}

type CodestreamStripper = (cs: Uint8Array) => Stripped | undefined;

/** A JP2 file, its codestreams cleaned by `codestream`; undefined when it is not one or is malformed. */
export function stripJp2(file: Uint8Array, codestream: CodestreamStripper): Stripped | undefined {
  if (file.length < SIGNATURE.length || SIGNATURE.some((v, k) => file[k] !== v)) return undefined;
  const chunks: Uint8Array[] = [];
  const removed: string[] = [];
  let codestreams = 0;
  let at = 0;
  while (at < file.length && !isPadding(file, at)) {
    const box = boxAt(file, at);
    if (box === undefined) return undefined;
    at = box.end;
    if (!KEPT.has(box.type)) {
      removed.push(box.type);
      continue;
    }
    if (box.type !== 'jp2c') {
      chunks.push(file.subarray(box.start, box.end));
      continue;
    }
    const cs = codestream(file.subarray(box.contents, box.end));
    if (cs === undefined) return undefined;
    codestreams++;
    removed.push(...cs.removed);
    chunks.push(boxHeader(file, box, cs.bytes.length), cs.bytes);
  }
  if (codestreams === 0) return undefined;
  if (removed.length === 0) return { bytes: file, removed };
  chunks.push(file.subarray(at));
  return { bytes: Buffer.concat(chunks), removed };
}

/**
 * The header of `box` for contents of `size` bytes: LBox, or XLBox when the box had one, set
 * to the new total; a length of 0, "to the end of the file", stays true.
 */
function boxHeader(file: Uint8Array, box: Box, size: number): Uint8Array {
  const header = file.slice(box.start, box.contents);
  const total = header.length + size;
  if (box.extended) header.set(be32(total), 12);
  else if (!box.toEnd) header.set(be32(total), 0);
  return header;
}

/** The box at `at`, checked to lie inside the file. */
function boxAt(b: Uint8Array, at: number): Box | undefined {
  if (at + 8 > b.length) return undefined;
  const lbox = u32(b, at);
  const type = String.fromCharCode(b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!);
  if (lbox === 0) return { type, start: at, contents: at + 8, end: b.length, extended: false, toEnd: true };
  if (lbox === 1) {
    if (at + 16 > b.length || u32(b, at + 8) !== 0) return undefined; // beyond 4 GiB: not in one frame
    const length = u32(b, at + 12);
    if (length < 16 || at + length > b.length) return undefined;
    return { type, start: at, contents: at + 16, end: at + length, extended: true, toEnd: false };
  }
  if (lbox < 8 || at + lbox > b.length) return undefined;
  return { type, start: at, contents: at + 8, end: at + lbox, extended: false, toEnd: false };
}

/** Zero bytes after the last box: DICOM's pad to an even length, not a box. */
function isPadding(b: Uint8Array, at: number): boolean {
  if (b.length - at >= 8) return false;
  for (let k = at; k < b.length; k++) if (b[k] !== 0) return false;
  return true;
}
