/**
 * Serialises an output tree into Part 10 bytes (PS3.10 §7.1, PS3.5 §7).
 *
 * Kept elements are emitted as views on their original bytes (header and value), so pixel
 * data is never copied through an object model; only replaced values and the sequences
 * and items around them get new headers. Lengths are recomputed bottom-up: a defined-length
 * sequence or item stays defined, an undefined one keeps its delimiters.
 */
import { T, type Tag } from './tag.js';
import { EXPLICIT_LE, type Encoding } from './transfer-syntax.js';
import { hasLongLength, padByte, type VR } from './vr.js';
import { UNDEFINED } from './reader.js';
import type { CellMask } from '../pixels/unused-bits.js';

export type OutNode =
  | { readonly kind: 'raw'; readonly tag: Tag; readonly bytes: Uint8Array }
  | {
      readonly kind: 'value';
      readonly tag: Tag;
      readonly vr: VR;
      readonly enc: Encoding;
      readonly value: Uint8Array;
    }
  | {
      readonly kind: 'seq';
      readonly tag: Tag;
      readonly vr: VR;
      readonly enc: Encoding;
      readonly undefinedLength: boolean;
      readonly items: readonly OutItem[];
    }
  /** Undefined-length element whose body (fragments + delimiter) passes through as bytes. */
  | {
      readonly kind: 'open';
      readonly tag: Tag;
      readonly vr: VR;
      readonly enc: Encoding;
      readonly body: Uint8Array;
    }
  /** A whole element still in the source file (not read into memory): copied at write time. */
  | {
      readonly kind: 'range';
      readonly tag: Tag;
      readonly offset: number;
      readonly length: number;
      /** Pixel cells from `cellsAt` on: unused bits cleared while copied (pixels/unused-bits.ts). */
      readonly mask?: { readonly cells: CellMask; readonly cellsAt: number };
      /**
       * Bytes written instead of the file's at these file offsets (rows with burned-in text
       * blanked: deid/blanked-pixels.ts); in order, inside the value, not overlapping.
       */
      readonly patches?: readonly { readonly at: number; readonly bytes: Uint8Array }[];
    };

export interface OutItem {
  readonly enc: Encoding;
  readonly undefinedLength: boolean;
  readonly children: readonly OutNode[];
}

/** Pad a value to even length with the VR's padding byte (PS3.5 §7.1.1). */
export function padValue(vr: VR, value: Uint8Array): Uint8Array {
  if (value.length % 2 === 0) return value;
  const out = new Uint8Array(value.length + 1);
  out.set(value);
  out[value.length] = padByte(vr);
  return out;
}

export function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0x7f;
  return out;
}

function headerLength(vr: VR, enc: Encoding): number {
  return !enc.explicit || hasLongLength(vr) ? (enc.explicit ? 12 : 8) : 8;
}

/** A 16- or 32-bit unsigned value at `at`, in the encoding's byte order (no DataView per header). */
function put(h: Uint8Array, at: number, bytes: 2 | 4, value: number, littleEndian: boolean): void {
  for (let i = 0; i < bytes; i++) h[at + (littleEndian ? i : bytes - 1 - i)] = (value >>> (8 * i)) & 0xff;
}

function writeHeader(tag: Tag, vr: VR, length: number, enc: Encoding): Uint8Array {
  const h = new Uint8Array(headerLength(vr, enc));
  const le = enc.littleEndian;
  put(h, 0, 2, tag >>> 16, le);
  put(h, 2, 2, tag & 0xffff, le);
  if (!enc.explicit) {
    put(h, 4, 4, length, le);
  } else {
    h[4] = vr.charCodeAt(0);
    h[5] = vr.charCodeAt(1);
    if (hasLongLength(vr)) put(h, 8, 4, length, le);
    else put(h, 6, 2, length, le);
  }
  return h;
}

function marker(tag: Tag, length: number, enc: Encoding): Uint8Array {
  const h = new Uint8Array(8);
  put(h, 0, 2, tag >>> 16, enc.littleEndian);
  put(h, 2, 2, tag & 0xffff, enc.littleEndian);
  put(h, 4, 4, length, enc.littleEndian);
  return h;
}

/** Bytes of the source file that were never read into memory: [offset, offset + length). */
export interface SourceRange {
  readonly offset: number;
  readonly length: number;
  readonly mask?: CellMask;
}
export type Chunk = Uint8Array | SourceRange;
export const isRange = (c: Chunk): c is SourceRange => !(c instanceof Uint8Array);

/** Chunks of an output file plus their total length; write them in order. */
export class ChunkList {
  readonly chunks: Chunk[] = [];
  length = 0;
  push(c: Uint8Array): void {
    if (c.length === 0) return;
    this.chunks.push(c);
    this.length += c.length;
  }
  pushRange(r: SourceRange): void {
    if (r.length === 0) return;
    this.chunks.push(r);
    this.length += r.length;
  }
  /** The whole output in memory; only for outputs without source ranges. */
  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let p = 0;
    for (const c of this.chunks) {
      if (isRange(c)) throw new Error('ChunkList.concat: output refers to source bytes not in memory');
      out.set(c, p);
      p += c.length;
    }
    return out;
  }
}

function nodeLength(n: OutNode): number {
  switch (n.kind) {
    case 'raw':
      return n.bytes.length;
    case 'value':
      return headerLength(n.vr, n.enc) + n.value.length;
    case 'open':
      return headerLength(n.vr, n.enc) + n.body.length;
    case 'range':
      return n.length;
    case 'seq': {
      const body = n.items.reduce((s, it) => s + itemLength(it), 0);
      return headerLength(n.vr, n.enc) + body + (n.undefinedLength ? 8 : 0);
    }
  }
}
function itemLength(it: OutItem): number {
  return 8 + childrenLength(it.children) + (it.undefinedLength ? 8 : 0);
}
function childrenLength(children: readonly OutNode[]): number {
  let s = 0;
  for (const c of children) s += nodeLength(c);
  return s;
}

/** A range of the source file: its header, then its cells between the patches (masked), and the patches. */
function serializeRange(n: Extract<OutNode, { kind: 'range' }>, out: ChunkList): void {
  const end = n.offset + n.length;
  const cellsAt = n.mask ? n.mask.cellsAt : n.offset;
  const mask = n.mask ? { mask: n.mask.cells } : {};
  out.pushRange({ offset: n.offset, length: cellsAt - n.offset });
  let at = cellsAt;
  for (const p of n.patches ?? []) {
    if (p.at < at || p.at + p.bytes.length > end) throw new Error('a pixel patch outside its value');
    out.pushRange({ offset: at, length: p.at - at, ...mask });
    out.push(p.bytes);
    at = p.at + p.bytes.length;
  }
  out.pushRange({ offset: at, length: end - at, ...mask });
}

export function serialize(nodes: readonly OutNode[], out: ChunkList = new ChunkList()): ChunkList {
  for (const n of nodes) {
    if (n.kind === 'raw') out.push(n.bytes);
    else if (n.kind === 'range') serializeRange(n, out);
    else if (n.kind === 'value') {
      out.push(writeHeader(n.tag, n.vr, n.value.length, n.enc));
      out.push(n.value);
    } else if (n.kind === 'open') {
      out.push(writeHeader(n.tag, n.vr, UNDEFINED, n.enc));
      out.push(n.body);
    } else {
      const body = n.items.reduce((s, it) => s + itemLength(it), 0);
      out.push(writeHeader(n.tag, n.vr, n.undefinedLength ? UNDEFINED : body, n.enc));
      for (const it of n.items) {
        out.push(marker(T.Item, it.undefinedLength ? UNDEFINED : childrenLength(it.children), it.enc));
        serialize(it.children, out);
        if (it.undefinedLength) out.push(marker(T.ItemDelimitation, 0, it.enc));
      }
      if (n.undefinedLength) out.push(marker(T.SequenceDelimitation, 0, n.enc));
    }
  }
  return out;
}

/** An explicit-VR-little-endian text element for the file meta group. */
function metaText(tag: Tag, vr: VR, s: string): OutNode {
  return { kind: 'value', tag, vr, enc: EXPLICIT_LE, value: padValue(vr, asciiBytes(s)) };
}

export interface MetaInfo {
  readonly sopClassUID: string;
  readonly sopInstanceUID: string;
  readonly transferSyntaxUID: string;
  readonly implementationClassUID: string;
  readonly implementationVersionName: string;
}

/**
 * The 128-byte preamble (all zero: nothing from the source is kept), "DICM" and a rebuilt
 * File Meta Information group with a correct group length (PS3.10 §7.1).
 */
export function fileHeader(m: MetaInfo): ChunkList {
  const elements: OutNode[] = [
    { kind: 'value', tag: T.FileMetaVersion, vr: 'OB', enc: EXPLICIT_LE, value: Uint8Array.of(0, 1) },
    metaText(T.MediaStorageSOPClassUID, 'UI', m.sopClassUID),
    metaText(T.MediaStorageSOPInstanceUID, 'UI', m.sopInstanceUID),
    metaText(T.TransferSyntaxUID, 'UI', m.transferSyntaxUID),
    metaText(T.ImplementationClassUID, 'UI', m.implementationClassUID),
    metaText(T.ImplementationVersionName, 'SH', m.implementationVersionName),
  ];
  const groupLength = childrenLength(elements);
  const gl = new Uint8Array(4);
  new DataView(gl.buffer).setUint32(0, groupLength, true);
  const out = new ChunkList();
  const preamble = new Uint8Array(132);
  preamble.set(asciiBytes('DICM'), 128);
  out.push(preamble);
  serialize(
    [{ kind: 'value', tag: T.FileMetaGroupLength, vr: 'UL', enc: EXPLICIT_LE, value: gl }, ...elements],
    out,
  );
  return out;
}
