/**
 * The index a reader builds over a file's bytes (PS3.5 §7): element headers as offsets and
 * lengths, items of sequences, and what the file as a whole turned out to be.
 */
import type { Tag } from './tag.js';
import type { Encoding } from './transfer-syntax.js';
import type { VR } from './vr.js';

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

/**
 * Thrown in head-only mode when the head is not enough: the caller reads the whole file — or,
 * when `tailAt` says where the pixel data ends and other elements follow (a trailing padding, a
 * digital signature), only the file's tail from there (see parseHeadTail).
 */
export class NeedWholeFile extends Error {
  constructor(readonly tailAt?: number) {
    // A signal to read more, caught by the reader's caller: thrown for every slice with a
    // trailing padding, where capturing a stack cost more than the tail's read and parse.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super('the head of the file is not enough');
    Error.stackTraceLimit = limit;
  }
}
