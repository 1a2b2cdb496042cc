/**
 * Parse a DICOM file from disk, reading only its head when it is big: the final bulk element
 * (pixel data) then stays on disk, marked `external`; elements after it are read from the
 * file's tail. Falls back to the whole file when that cannot stand alone (deflated,
 * encapsulated past the head, a tail over TAIL_MAX).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import {
  type Element,
  NeedWholeFile,
  parseFile,
  parseHead,
  parseHeadTail,
  type ParsedFile,
  TAIL_MAX,
} from './reader.js';

function readAt(fd: number, buf: Buffer, pos: number): number {
  let off = 0;
  while (off < buf.length) {
    const n = readSync(fd, buf, off, buf.length - off, pos + off);
    if (n === 0) break;
    off += n;
  }
  return off;
}

/** The file parsed from its head and its tail after the pixel data; undefined when that is not enough. */
function withTail(fd: number, head: Buffer, tailAt: number, size: number): ParsedFile | undefined {
  if (size - tailAt > TAIL_MAX) return undefined;
  const tail = Buffer.alloc(size - tailAt);
  readAt(fd, tail, tailAt);
  try {
    return parseHeadTail(head, tail, tailAt);
  } catch (e) {
    if (e instanceof NeedWholeFile) return undefined;
    throw e;
  }
}

export function readDicomFile(path: string, opts: { headOnlyAbove: number; headBytes: number }): ParsedFile {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > opts.headOnlyAbove) {
      const head = Buffer.alloc(Math.min(opts.headBytes, size));
      readAt(fd, head, 0);
      try {
        return parseHead(head, size);
      } catch (e) {
        if (!(e instanceof NeedWholeFile)) throw e;
        const tailed = e.tailAt === undefined ? undefined : withTail(fd, head, e.tailAt, size);
        if (tailed) return tailed;
      }
    }
    const all = Buffer.alloc(size);
    readAt(fd, all, 0);
    return parseFile(all);
  } finally {
    closeSync(fd);
  }
}

/** A short text element's value (Latin-1, padding trimmed); '' when absent, empty or a sequence. */
export function textOf(el: Element | undefined, data: Uint8Array): string {
  if (!el || el.items || el.external || el.valueLength === 0) return '';
  return Buffer.from(data.subarray(el.valueStart, el.valueStart + el.valueLength))
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .trim();
}
