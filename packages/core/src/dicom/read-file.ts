/**
 * Parse a DICOM file from disk, reading only its head when it is big: the final bulk element
 * (pixel data) then stays on disk, marked `external`. Falls back to the whole file when the
 * head cannot stand alone (deflated, encapsulated past the head, elements after the pixels).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { NeedWholeFile, parseFile, parseHead, type ParsedFile } from './reader.js';

function readAt(fd: number, buf: Buffer, pos: number): number {
  let off = 0;
  while (off < buf.length) {
    const n = readSync(fd, buf, off, buf.length - off, pos + off);
    if (n === 0) break;
    off += n;
  }
  return off;
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
      }
    }
    const all = Buffer.alloc(size);
    readAt(fd, all, 0);
    return parseFile(all);
  } finally {
    closeSync(fd);
  }
}
