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
import { dictionaryVR } from './dictionary.js';
import { formatTag, groupOf, T, type Tag } from './tag.js';
import {
  EXPLICIT_BE,
  EXPLICIT_LE,
  IMPLICIT_LE,
  TS,
  transferSyntax,
  type Encoding,
} from './transfer-syntax.js';
import { hasLongLength, isVR, type VR } from './vr.js';

export const UNDEFINED = 0xffffffff;
/** Deeper nesting than this is refused: no real IOD comes near it, and it bounds recursion. */
export const MAX_DEPTH = 64;

export interface Element {
  readonly tag: Tag;
  readonly vr: VR;
  readonly enc: Encoding;
  /** Offset of the element header. */
  readonly start: number;
  readonly valueStart: number;
  /** Bytes of value (for undefined length: up to the sequence delimiter). */
  readonly valueLength: number;
  readonly undefinedLength: boolean;
  /** Offset just after the element, delimiter included. */
  readonly end: number;
  /** Items when the element is a sequence (SQ, or UN holding one). */
  readonly items?: readonly Item[];
  /** Encapsulated pixel data: an item sequence of fragments, never parsed further. */
  readonly encapsulated?: boolean;
  /** The value lies beyond the bytes in memory (head-only read of a big file); copy it from the file. */
  readonly external?: boolean;
}

export interface Item {
  readonly enc: Encoding;
  readonly start: number;
  readonly end: number;
  readonly undefinedLength: boolean;
  readonly elements: readonly Element[];
}

export interface ParsedFile {
  /** The file's bytes: meta element offsets refer to this. */
  readonly file: Uint8Array;
  /** The data set bytes: equal to `file` unless deflated. Data set offsets refer to this. */
  readonly data: Uint8Array;
  readonly hasPreamble: boolean;
  readonly meta: readonly Element[];
  /** The transfer syntax the output is written in (the declared one when it can hold the data). */
  readonly transferSyntaxUID: string;
  /** How the data set bytes are really encoded. */
  readonly encoding: Encoding;
  /** How the transfer syntax says they are; differs from `encoding` when the file lies. */
  readonly declaredEncoding: Encoding;
  readonly deflated: boolean;
  readonly dataset: readonly Element[];
}

class Cursor {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u16(pos: number, le: boolean): number {
    return this.view.getUint16(pos, le);
  }
  u32(pos: number, le: boolean): number {
    return this.view.getUint32(pos, le);
  }
  tag(pos: number, le: boolean): Tag {
    return ((this.u16(pos, le) << 16) | this.u16(pos + 2, le)) >>> 0;
  }
}

function truncated(at: number, what: string): DcmblindError {
  if (headOnly) throw new NeedWholeFile();
  return new DcmblindError(
    'E_TRUNCATED',
    `file ends inside ${what} at byte ${at}; the file is incomplete (re-export or re-copy it)`,
  );
}

function isVRBytes(bytes: Uint8Array, pos: number): boolean {
  const a = bytes[pos] ?? 0;
  const b = bytes[pos + 1] ?? 0;
  return a >= 0x41 && a <= 0x5a && b >= 0x41 && b <= 0x5a && isVR(String.fromCharCode(a, b));
}

/** Thrown in head-only mode when the head is not enough: the caller reads the whole file. */
export class NeedWholeFile extends Error {}

const BULK: ReadonlySet<Tag> = new Set([T.PixelData, T.FloatPixelData, T.DoubleFloatPixelData]);

class Parser {
  private readonly c: Cursor;
  /** Head-only mode: the file is longer than `bytes`. */
  constructor(
    readonly bytes: Uint8Array,
    readonly fileLength = bytes.length,
  ) {
    this.c = new Cursor(bytes);
  }
  private get partial(): boolean {
    return this.fileLength > this.bytes.length;
  }

  /** Elements from `pos` until `end`, or until an item delimiter when `inItem` is undefined-length. */
  elements(
    pos: number,
    end: number,
    enc: Encoding,
    depth: number,
    untilItemDelimiter: boolean,
  ): { elements: Element[]; pos: number } {
    const out: Element[] = [];
    while (pos < end) {
      if (this.partial && pos + 16 > this.bytes.length) throw new NeedWholeFile();
      if (end - pos < 8) {
        if (this.bytes.subarray(pos, end).every((b) => b === 0)) return { elements: out, pos: end }; // trailing padding
        throw truncated(pos, 'an element header');
      }
      const t = this.c.tag(pos, enc.littleEndian);
      if (t === T.ItemDelimitation) {
        if (!untilItemDelimiter)
          throw new DcmblindError('E_BAD_ENCODING', `unexpected item delimiter at byte ${pos}`);
        return { elements: out, pos: pos + 8 };
      }
      if (t === T.SequenceDelimitation || t === T.Item) {
        throw new DcmblindError(
          'E_BAD_ENCODING',
          `unexpected ${formatTag(t)} at byte ${pos} outside a sequence`,
        );
      }
      const el = this.element(pos, end, enc, depth);
      out.push(el);
      pos = el.end;
    }
    if (untilItemDelimiter) throw truncated(pos, 'an item without its delimiter');
    return { elements: out, pos };
  }

  element(pos: number, limit: number, enc: Encoding, depth: number): Element {
    const le = enc.littleEndian;
    const t = this.c.tag(pos, le);
    let vr: VR;
    let length: number;
    let valueStart: number;
    if (enc.explicit && isVRBytes(this.bytes, pos + 4)) {
      vr = String.fromCharCode(this.bytes[pos + 4] as number, this.bytes[pos + 5] as number) as VR;
      if (hasLongLength(vr)) {
        if (limit - pos < 12) throw truncated(pos, `the header of ${formatTag(t)}`);
        length = this.c.u32(pos + 8, le);
        valueStart = pos + 12;
      } else {
        length = this.c.u16(pos + 6, le);
        valueStart = pos + 8;
      }
    } else if (enc.explicit) {
      // A VR field that is not a VR: some writers emit implicit headers in explicit files.
      // Read it as implicit (4-byte length) only if that length is plausible.
      length = this.c.u32(pos + 4, le);
      if (length !== UNDEFINED && pos + 8 + length > limit) {
        throw new DcmblindError('E_BAD_ENCODING', `element ${formatTag(t)} at byte ${pos} has no valid VR`);
      }
      vr = dictionaryVR(t);
      valueStart = pos + 8;
    } else {
      vr = dictionaryVR(t);
      length = this.c.u32(pos + 4, le);
      valueStart = pos + 8;
    }

    if (length === UNDEFINED) {
      if (depth >= MAX_DEPTH)
        throw new DcmblindError('E_TOO_DEEP', `sequences nested deeper than ${MAX_DEPTH} at byte ${pos}`);
      if (vr === 'SQ' || vr === 'UN' || (t !== T.PixelData && this.looksLikeItem(valueStart, limit, enc))) {
        // UN of undefined length is a sequence in implicit VR little endian (PS3.5 §6.2.2).
        const itemEnc = vr === 'UN' ? IMPLICIT_LE : enc;
        const seq = this.items(valueStart, limit, itemEnc, depth + 1, true);
        return {
          tag: t,
          vr,
          enc,
          start: pos,
          valueStart,
          valueLength: seq.contentEnd - valueStart,
          undefinedLength: true,
          end: seq.pos,
          items: seq.items,
        };
      }
      const endPos = this.skipFragments(valueStart, limit, enc, t);
      return {
        tag: t,
        vr,
        enc,
        start: pos,
        valueStart,
        valueLength: endPos - 8 - valueStart,
        undefinedLength: true,
        end: endPos,
        encapsulated: true,
      };
    }

    const valueEnd = valueStart + length;
    if (valueEnd > limit)
      throw truncated(
        pos,
        `the value of ${formatTag(t)} (declares ${length} bytes, ${limit - valueStart} remain)`,
      );
    if (valueEnd > this.bytes.length) {
      // Head-only read: only a final top-level bulk element may stay in the file.
      if (depth === 0 && BULK.has(t) && valueEnd === this.fileLength) {
        return {
          tag: t,
          vr,
          enc,
          start: pos,
          valueStart,
          valueLength: length,
          undefinedLength: false,
          end: valueEnd,
          external: true,
        };
      }
      throw new NeedWholeFile();
    }
    if (vr === 'SQ') {
      if (depth >= MAX_DEPTH)
        throw new DcmblindError('E_TOO_DEEP', `sequences nested deeper than ${MAX_DEPTH} at byte ${pos}`);
      const seq = this.items(valueStart, valueEnd, enc, depth + 1, false);
      return {
        tag: t,
        vr,
        enc,
        start: pos,
        valueStart,
        valueLength: length,
        undefinedLength: false,
        end: valueEnd,
        items: seq.items,
      };
    }
    if (
      vr === 'UN' &&
      length > 0 &&
      dictionaryVR(t) === 'SQ' &&
      this.looksLikeItem(valueStart, valueEnd, IMPLICIT_LE)
    ) {
      // A known sequence that passed through a system which did not know it: index its items
      // so the rules reach inside; if it does not parse as items, it stays an opaque value.
      try {
        const seq = this.items(valueStart, valueEnd, IMPLICIT_LE, depth + 1, false);
        return {
          tag: t,
          vr,
          enc,
          start: pos,
          valueStart,
          valueLength: length,
          undefinedLength: false,
          end: valueEnd,
          items: seq.items,
        };
      } catch (e) {
        if (e instanceof DcmblindError && e.code === 'E_TOO_DEEP') throw e;
      }
    }
    return {
      tag: t,
      vr,
      enc,
      start: pos,
      valueStart,
      valueLength: length,
      undefinedLength: false,
      end: valueEnd,
    };
  }

  private looksLikeItem(pos: number, limit: number, enc: Encoding): boolean {
    if (limit - pos < 8) return false;
    const t = this.c.tag(pos, enc.littleEndian);
    return t === T.Item || t === T.SequenceDelimitation;
  }

  items(
    pos: number,
    end: number,
    enc: Encoding,
    depth: number,
    undefinedLength: boolean,
  ): { items: Item[]; pos: number; contentEnd: number } {
    const le = enc.littleEndian;
    const items: Item[] = [];
    while (pos < end) {
      if (end - pos < 8) throw truncated(pos, 'a sequence item header');
      const t = this.c.tag(pos, le);
      const length = this.c.u32(pos + 4, le);
      if (t === T.SequenceDelimitation) {
        if (!undefinedLength)
          throw new DcmblindError(
            'E_BAD_ENCODING',
            `sequence delimiter inside a defined-length sequence at byte ${pos}`,
          );
        return { items, pos: pos + 8, contentEnd: pos };
      }
      if (t !== T.Item)
        throw new DcmblindError(
          'E_BAD_ENCODING',
          `expected an item (FFFE,E000) at byte ${pos}, found ${formatTag(t)}`,
        );
      const start = pos;
      if (length === UNDEFINED) {
        const r = this.elements(pos + 8, end, enc, depth, true);
        items.push({ enc, start, end: r.pos, undefinedLength: true, elements: r.elements });
        pos = r.pos;
      } else {
        const itemEnd = pos + 8 + length;
        if (itemEnd > end) throw truncated(pos, `an item (declares ${length} bytes)`);
        const r = this.elements(pos + 8, itemEnd, enc, depth, false);
        items.push({ enc, start, end: itemEnd, undefinedLength: false, elements: r.elements });
        pos = itemEnd;
      }
    }
    if (undefinedLength) throw truncated(pos, 'a sequence without its delimiter');
    return { items, pos, contentEnd: pos };
  }

  /** Encapsulated fragments: items of defined length up to the sequence delimiter (PS3.5 §A.4). */
  private skipFragments(pos: number, limit: number, enc: Encoding, t: Tag): number {
    const le = enc.littleEndian;
    while (pos + 8 <= limit) {
      const it = this.c.tag(pos, le);
      const len = this.c.u32(pos + 4, le);
      if (it === T.SequenceDelimitation) return pos + 8;
      if (it !== T.Item || len === UNDEFINED)
        throw new DcmblindError('E_BAD_ENCODING', `bad fragment in ${formatTag(t)} at byte ${pos}`);
      if (pos + 8 + len > limit) throw truncated(pos, `a fragment of ${formatTag(t)}`);
      pos += 8 + len;
    }
    throw truncated(pos, `the fragments of ${formatTag(t)} (no sequence delimiter)`);
  }
}

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
 * Parse a whole file: preamble + "DICM" + meta group, or a bare "DICM" + meta, or a raw data
 * set with no meta information (detected from its first element). Throws E_NOT_DICOM when
 * none of these fits, and E_TRUNCATED / E_BAD_ENCODING with the byte offset on damage.
 */
/** Set while a head-only parse runs, so any shortfall asks for the whole file instead of failing. */
let headOnly = false;

/**
 * Parse from the first `file.length` bytes of a file that is `fileLength` long. When the head
 * is shorter than the file, a final bulk element (pixel data) may stay in the file (marked
 * `external`); anything else missing throws NeedWholeFile.
 */
export function parseHead(file: Uint8Array, fileLength: number): ParsedFile {
  if (fileLength <= file.length) return parseFile(file);
  headOnly = true;
  try {
    return parseFileImpl(file, fileLength);
  } catch (e) {
    // Any shortfall in a head-only parse (a header straddling its end, a meta group cut short)
    // means the head was too short; the whole-file parse gives the real verdict.
    if (e instanceof RangeError || e instanceof DcmblindError) throw new NeedWholeFile();
    throw e;
  } finally {
    headOnly = false;
  }
}

export function parseFile(file: Uint8Array): ParsedFile {
  return parseFileImpl(file, file.length);
}

function parseFileImpl(file: Uint8Array, fileLength: number): ParsedFile {
  const isDICM = (p: number) =>
    file[p] === 0x44 && file[p + 1] === 0x49 && file[p + 2] === 0x43 && file[p + 3] === 0x4d;
  let pos: number;
  let hasPreamble = false;
  if (file.length >= 132 && isDICM(128)) {
    pos = 132;
    hasPreamble = true;
  } else if (isDICM(0)) {
    pos = 4;
  } else {
    pos = 0;
  }

  const meta: Element[] = [];
  const parser = new Parser(file, fileLength);
  // File Meta Information is always explicit VR little endian (PS3.10 §7.1); read while group = 0002.
  while (
    pos + 8 <= file.length &&
    new DataView(file.buffer, file.byteOffset + pos, 2).getUint16(0, true) === 0x0002
  ) {
    const enc = isVRBytes(file, pos + 4) ? EXPLICIT_LE : IMPLICIT_LE;
    const el = parser.element(pos, file.length, enc, 0);
    meta.push(el);
    pos = el.end;
  }
  if (!hasPreamble && meta.length === 0 && !sniff(file, pos)) {
    if (file.length === 0) throw new NotDicomContent('the file is empty');
    if (file[0] === 0x1f && file[1] === 0x8b)
      throw new DcmblindError('E_UNSUPPORTED', 'gzip-compressed file: decompress it (gunzip) and run again');
    throw new NotDicomContent('no DICM marker and no plausible DICOM data set at the start of the file');
  }

  const declared = text(
    file,
    meta.find((e) => e.tag === T.TransferSyntaxUID),
  );
  let info = transferSyntax(declared || TS.ExplicitVRLittleEndian);
  let data = file;
  let dataStart = pos;
  if (info.deflated) {
    if (fileLength > file.length) throw new NeedWholeFile();
    try {
      data = inflateRawSync(file.subarray(pos));
    } catch (e) {
      throw new DcmblindError(
        'E_BAD_ENCODING',
        `deflated data set does not inflate (${(e as Error).message})`,
        { cause: e },
      );
    }
    dataStart = 0;
  }

  // The declared transfer syntax may be missing or wrong; trust the bytes (explicit vs
  // implicit, little vs big endian) and record what was really found.
  let encoding = info.encoding;
  let declaredEncoding = info.encoding;
  const seen = sniff(data, dataStart);
  if (dataStart < data.length) {
    if (!seen) {
      if (meta.length === 0)
        throw new DcmblindError('E_NOT_DICOM', 'no plausible DICOM data set after the header');
    } else if (seen.explicit !== encoding.explicit || seen.littleEndian !== encoding.littleEndian) {
      encoding = seen;
      if (info.encapsulated && seen.littleEndian) {
        // Compressed pixel data needs its (explicit VR) transfer syntax: keep it, re-encode headers.
      } else {
        info = transferSyntax(
          seen === IMPLICIT_LE
            ? TS.ImplicitVRLittleEndian
            : seen === EXPLICIT_BE
              ? TS.ExplicitVRBigEndian
              : TS.ExplicitVRLittleEndian,
        );
        declaredEncoding = seen;
      }
    }
  }
  const dataParser = data === file ? parser : new Parser(data);
  const { elements } = dataParser.elements(
    dataStart,
    data === file ? fileLength : data.length,
    encoding,
    0,
    false,
  );
  if (meta.length === 0 && elements.length === 0)
    throw new DcmblindError('E_NOT_DICOM', 'file holds no DICOM elements');
  if (elements.some((e) => groupOf(e.tag) === 0x0002)) {
    throw new DcmblindError('E_BAD_ENCODING', 'file meta elements (group 0002) found inside the data set');
  }
  return {
    file,
    data,
    hasPreamble,
    meta,
    transferSyntaxUID: info.uid,
    encoding,
    declaredEncoding,
    deflated: info.deflated,
    dataset: elements,
  };
}
