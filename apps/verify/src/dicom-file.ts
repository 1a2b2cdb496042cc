/**
 * Opening files as DICOM: parsing (a big file from its head only), the DICM marker, and what
 * kind of file it says it is. The verifier shares dcmblind's parser, nothing of its
 * de-identification.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { type Element, type ParsedFile, readDicomFile, schemeFor, scopeOfClass, T } from '@dcmblind/core';
import { textOf, topValue, type Visit, visit } from './elements.js';

/** Pixel Data, Float Pixel Data, Double Float Pixel Data: compared with the source, not searched. */
export const PIXEL_TAGS = new Set([0x7fe00010, 0x7fe00008, 0x7fe00009]);

/** The SOP class of a DICOMDIR. */
export const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

/** Files above this are read head-first; their pixel data is hashed as it streams from disk. */
const HEAD_ONLY_ABOVE = 32 * 1024 * 1024;
const HEAD_BYTES = 4 * 1024 * 1024;
const paths = new WeakMap<ParsedFile, string>();

/** Parse a file; a big one from its head only (the final pixel data stays on disk). */
export function load(path: string): ParsedFile {
  const p = readDicomFile(path, { headOnlyAbove: HEAD_ONLY_ABOVE, headBytes: HEAD_BYTES });
  paths.set(p, path);
  return p;
}

/**
 * An element's value still on disk (a big file read head-first), handed over in 4 MiB chunks
 * (a whole number of 1-, 2- and 4-byte cells but the last) until `take` returns true. Returns
 * false when the file it was read from is not known.
 */
export function streamValue(
  parsed: ParsedFile,
  el: Element,
  take: (chunk: Buffer) => boolean | undefined,
): boolean {
  const path = paths.get(parsed);
  if (!path) return false;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(4 * 1024 * 1024);
    for (let pos = el.valueStart, end = el.valueStart + el.valueLength; pos < end; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
      if (n === 0 || take(buf.subarray(0, n))) break;
      pos += n;
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

/** The path a parsed file was loaded from: where its external (unread) pixel data still is. */
export function pathOf(parsed: ParsedFile): string | undefined {
  return paths.get(parsed);
}

/** "DICM" at byte 128 (after the preamble) or at byte 0: the file claims to be DICOM. */
export function hasDicmMarker(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(132);
    const n = readSync(fd, b, 0, 132, 0);
    return (
      (n >= 132 && b.toString('latin1', 128, 132) === 'DICM') ||
      (n >= 4 && b.toString('latin1', 0, 4) === 'DICM')
    );
  } finally {
    closeSync(fd);
  }
}

/** The file meta's MediaStorageSOPClassUID as stored (padding and all); undefined without one. */
export function metaSopClass(parsed: ParsedFile): string | undefined {
  const meta = parsed.meta.find((e) => e.tag === 0x00020002);
  return meta
    ? Buffer.from(parsed.file.subarray(meta.valueStart, meta.valueStart + meta.valueLength)).toString(
        'latin1',
      )
    : undefined;
}

/** A DICOMDIR, by its file meta's SOP class (or the data set's, for one without meta). */
export function isDicomdirFile(parsed: ParsedFile): boolean {
  const metaClass = metaSopClass(parsed) ?? '';
  return (
    metaClass.replace(/[\0 ]+$/, '') === MEDIA_STORAGE_DIRECTORY ||
    topValue(parsed, T.SOPClassUID) === MEDIA_STORAGE_DIRECTORY
  );
}

/** A parsed file with its walk done once: every stage of an output's scan reads from it. */
export interface WalkedFile {
  readonly parsed: ParsedFile;
  /** Every element of the data set, at every depth, in file order. */
  readonly visits: readonly Visit[];
  /** Every element of the file meta. */
  readonly metaVisits: readonly Visit[];
  /** Top-level elements by tag. */
  readonly top: ReadonlyMap<number, Element>;
  /** A top-level element's text in the file's character set, trimmed; '' when absent or a sequence. */
  readonly topText: (tag: number) => string;
}

/** Walks a parsed file's data set and meta. */
export function walkFile(parsed: ParsedFile): WalkedFile {
  // Attribute Types come from the IOD of the file's SOP Class (standard data, as the dictionary).
  const sopClass = parsed.dataset.find((e) => e.tag === T.SOPClassUID);
  const scope = sopClass ? scopeOfClass(textOf(parsed.data, sopClass, schemeFor([])).trim()) : undefined;
  const visits = [...visit(parsed.dataset, parsed.data, schemeFor([]), '', 0, scope)];
  const top = new Map<number, Element>(parsed.dataset.map((e) => [e.tag, e]));
  const topText = (tag: number) => {
    const el = top.get(tag);
    return el && !el.items ? textOf(parsed.data, el, visits[0]?.scheme ?? schemeFor([])).trim() : '';
  };
  const metaVisits = [...visit(parsed.meta, parsed.file, schemeFor([]))];
  return { parsed, visits, metaVisits, top, topText };
}
