/**
 * DICOM Part 10 / raw data set reader (PS3.10 §7.1, PS3.5 §7).
 *
 * Builds an index of element headers over the file bytes: offsets and lengths only, no
 * value decoding and no copies, so pixel data and other bulk values are never touched.
 * Sequences, items, undefined lengths, encapsulated pixel data and UN that hides a
 * sequence (PS3.5 §6.2.2, always implicit VR little endian inside) are indexed.
 */
import { inflateRawSync } from 'node:zlib';
import { DcmblindError, NotDicomContent } from '../errors.js';
import { groupOf, T } from './tag.js';
import {
  EXPLICIT_BE,
  EXPLICIT_LE,
  IMPLICIT_LE,
  TS,
  type TransferSyntaxInfo,
  transferSyntax,
  type Encoding,
} from './transfer-syntax.js';
import { type Element, type ParsedFile, UNDEFINED, NeedWholeFile } from './element.js';
import { isVRBytes, Parser } from './element-parser.js';

export { type Element, type Item, type ParsedFile, MAX_DEPTH, NeedWholeFile, UNDEFINED } from './element.js';

function text(bytes: Uint8Array, el: Element | undefined): string | undefined {
  if (!el) return undefined;
  let s = '';
  for (let i = el.valueStart; i < el.valueStart + el.valueLength; i++)
    s += String.fromCharCode(bytes[i] as number);
  return s.replace(/[\0 ]+$/, '').trim();
}

/** Is there a plausible data set element at `pos`, and how is it encoded? */
function sniff(bytes: Uint8Array, pos: number): Encoding | undefined {
  if (bytes.length - pos < 8) return undefined;
  const v = new DataView(bytes.buffer, bytes.byteOffset + pos, 8);
  const gLE = v.getUint16(0, true);
  const gBE = v.getUint16(0, false);
  const explicit = isVRBytes(bytes, pos + 4);
  // Data sets start with a low even group (0002..0010 in practice).
  if (gLE >= 0x0002 && gLE <= 0x0010 && gLE % 2 === 0) {
    if (explicit) return EXPLICIT_LE;
    const len = v.getUint32(4, true);
    if (len === UNDEFINED || pos + 8 + len <= bytes.length) return IMPLICIT_LE;
    return undefined;
  }
  if (gBE >= 0x0002 && gBE <= 0x0010 && gBE % 2 === 0 && explicit) return EXPLICIT_BE;
  return undefined;
}

/**
 * Parse from the first `file.length` bytes of a file that is `fileLength` long. When the head
 * is shorter than the file, a final bulk element (pixel data) may stay in the file (marked
 * `external`); anything else missing throws NeedWholeFile.
 */
export function parseHead(file: Uint8Array, fileLength: number): ParsedFile {
  if (fileLength <= file.length) return parseFile(file);
  try {
    return parseFileImpl(file, fileLength);
  } catch (e) {
    // Any shortfall in a head-only parse (a header straddling its end, a meta group cut short)
    // means the head was too short; the whole-file parse gives the real verdict.
    if (e instanceof RangeError || e instanceof DcmblindError) throw new NeedWholeFile();
    throw e;
  }
}

/** A tail (the elements after the pixel data) longer than this is read with the whole file. */
export const TAIL_MAX = 16 * 1024 * 1024;

/**
 * Parse a big file from its head and its tail: `head` is its first bytes, `tail` its bytes from
 * `tailAt` (where its final pixel data ends) to its end. The pixel data stays in the file
 * (`external`, file offsets); the elements after it are read from the tail, which `data` holds
 * right after the head. Memory is the head's and the tail's, whatever the file's size.
 */
export function parseHeadTail(head: Uint8Array, tail: Uint8Array, tailAt: number): ParsedFile {
  const bytes = new Uint8Array(head.length + tail.length);
  bytes.set(head, 0);
  bytes.set(tail, head.length);
  try {
    return parseFileImpl(bytes, bytes.length, { headLength: head.length, at: tailAt });
  } catch (e) {
    if (e instanceof RangeError || e instanceof DcmblindError) throw new NeedWholeFile();
    throw e;
  }
}

/**
 * Parse a whole file: preamble + "DICM" + meta group, or a bare "DICM" + meta, or a raw data
 * set with no meta information (detected from its first element). Throws E_NOT_DICOM when
 * none of these fits, and E_TRUNCATED / E_BAD_ENCODING with the byte offset on damage.
 */
export function parseFile(file: Uint8Array): ParsedFile {
  return parseFileImpl(file, file.length);
}

/** The 128-byte preamble and "DICM" (PS3.10 §7.1), a bare "DICM", or neither: where the meta group starts. */
function skipPreamble(file: Uint8Array): { pos: number; hasPreamble: boolean } {
  const isDICM = (p: number) =>
    file[p] === 0x44 && file[p + 1] === 0x49 && file[p + 2] === 0x43 && file[p + 3] === 0x4d;
  if (file.length >= 132 && isDICM(128)) return { pos: 132, hasPreamble: true };
  return { pos: isDICM(0) ? 4 : 0, hasPreamble: false };
}

/** File Meta Information: always explicit VR little endian (PS3.10 §7.1); read while group = 0002. */
function readMeta(file: Uint8Array, parser: Parser, pos: number): { meta: Element[]; pos: number } {
  const meta: Element[] = [];
  while (
    pos + 8 <= file.length &&
    new DataView(file.buffer, file.byteOffset + pos, 2).getUint16(0, true) === 0x0002
  ) {
    const enc = isVRBytes(file, pos + 4) ? EXPLICIT_LE : IMPLICIT_LE;
    const el = parser.element(pos, file.length, enc, 0);
    meta.push(el);
    pos = el.end;
  }
  return { meta, pos };
}

/** Bytes that are not DICOM at all: said plainly (empty, gzip, something else). */
function refuseNotDicom(file: Uint8Array): never {
  if (file.length === 0) throw new NotDicomContent('the file is empty');
  if (file[0] === 0x1f && file[1] === 0x8b) {
    throw new DcmblindError('E_UNSUPPORTED', 'gzip-compressed file: decompress it (gunzip) and run again');
  }
  throw new NotDicomContent('no DICM marker and no plausible DICOM data set at the start of the file');
}

/** The data set's bytes: the file itself, or the inflated rest of it (Deflated Explicit VR LE). */
function dataSetBytes(file: Uint8Array, fileLength: number, pos: number, deflated: boolean) {
  if (!deflated) return { data: file, dataStart: pos };
  if (fileLength > file.length) throw new NeedWholeFile();
  try {
    return { data: inflateRawSync(file.subarray(pos)) as Uint8Array, dataStart: 0 };
  } catch (e) {
    throw new DcmblindError(
      'E_BAD_ENCODING',
      `deflated data set does not inflate (${(e as Error).message})`,
      {
        cause: e,
      },
    );
  }
}

/**
 * The declared transfer syntax may be missing or wrong; trust the bytes (explicit vs implicit,
 * little vs big endian) and record what was really found.
 */
function settleEncoding(declared: TransferSyntaxInfo, data: Uint8Array, dataStart: number, hasMeta: boolean) {
  let info = declared;
  let encoding = info.encoding;
  let declaredEncoding = info.encoding;
  const seen = sniff(data, dataStart);
  if (dataStart < data.length) {
    if (!seen) {
      if (!hasMeta) throw new DcmblindError('E_NOT_DICOM', 'no plausible DICOM data set after the header');
    } else if (seen.explicit !== encoding.explicit || seen.littleEndian !== encoding.littleEndian) {
      encoding = seen;
      // Compressed pixel data needs its (explicit VR) transfer syntax: keep it, re-encode headers.
      if (!(info.encapsulated && seen.littleEndian)) {
        const uid =
          seen === IMPLICIT_LE
            ? TS.ImplicitVRLittleEndian
            : seen === EXPLICIT_BE
              ? TS.ExplicitVRBigEndian
              : TS.ExplicitVRLittleEndian;
        info = transferSyntax(uid);
        declaredEncoding = seen;
      }
    }
  }
  return { info, encoding, declaredEncoding };
}

function parseFileImpl(
  file: Uint8Array,
  fileLength: number,
  tail?: { readonly headLength: number; readonly at: number },
): ParsedFile {
  const start = skipPreamble(file);
  const parser = new Parser(file, fileLength, tail);
  const { meta, pos } = readMeta(file, parser, start.pos);
  if (!start.hasPreamble && meta.length === 0 && !sniff(file, pos)) refuseNotDicom(file);
  const declared = transferSyntax(
    text(
      file,
      meta.find((e) => e.tag === T.TransferSyntaxUID),
    ) || TS.ExplicitVRLittleEndian,
  );
  const { data, dataStart } = dataSetBytes(file, fileLength, pos, declared.deflated);
  const { info, encoding, declaredEncoding } = settleEncoding(declared, data, dataStart, meta.length > 0);
  const dataParser = data === file ? parser : new Parser(data);
  const end = data === file ? fileLength : data.length;
  const { elements } = dataParser.elements(dataStart, end, encoding, 0, false);
  if (meta.length === 0 && elements.length === 0)
    throw new DcmblindError('E_NOT_DICOM', 'file holds no DICOM elements');
  if (elements.some((e) => groupOf(e.tag) === 0x0002)) {
    throw new DcmblindError('E_BAD_ENCODING', 'file meta elements (group 0002) found inside the data set');
  }
  return {
    file,
    data,
    hasPreamble: start.hasPreamble,
    meta,
    transferSyntaxUID: info.uid,
    encoding,
    declaredEncoding,
    deflated: info.deflated,
    dataset: elements,
  };
}
