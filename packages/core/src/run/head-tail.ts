/**
 * Big files are read in part: their head, and the elements after their pixel data from their
 * tail; the pixel data stays in the file. Both passes (run/gather-task.ts, run/task.ts) read
 * them this way, so memory never depends on a file's size.
 */
import { readSync } from 'node:fs';
import { NeedWholeFile, TAIL_MAX } from '../dicom/reader.js';
import { DcmblindError } from '../errors.js';

/** A header longer than this is not read in part: only the whole file will do. */
const HEAD_MAX = 32 * 1024 * 1024;

export function readExactly(fd: number, buf: Uint8Array, pos: number): void {
  let off = 0;
  while (off < buf.length) {
    const n = readSync(fd, buf, off, buf.length - off, pos + off);
    if (n === 0)
      throw new DcmblindError(
        'E_TRUNCATED',
        `file ended at byte ${pos + off} while being read (changed during the run?)`,
      );
    off += n;
  }
}

/** Elements after a big file's pixel data, read from its tail (`at`: where the pixel data ends). */
export interface Tail {
  readonly bytes: Uint8Array;
  readonly at: number;
}

/**
 * What `attempt` makes of a big file its head could not stand for alone (`e`). A header that runs
 * past the head: a longer head (eightfold, up to 32 MB). Elements after the pixel data (a trailing
 * padding, a digital signature): read from the tail. Never the whole file; undefined when only
 * that will do. `head` in the answer is the head the result was made from.
 */
export function beyondHead<T>(
  fd: number,
  size: number,
  head: Uint8Array,
  e: NeedWholeFile,
  attempt: (head: Uint8Array, tail?: Tail) => T,
): { result: T; head: Uint8Array } | undefined {
  for (;;) {
    if (e.tailAt !== undefined) {
      if (size - e.tailAt > TAIL_MAX) return undefined;
      const tail = Buffer.allocUnsafe(size - e.tailAt);
      readExactly(fd, tail, e.tailAt);
      try {
        return { result: attempt(head, { bytes: tail, at: e.tailAt }), head };
      } catch (again) {
        if (again instanceof NeedWholeFile) return undefined;
        throw again;
      }
    }
    if (head.length >= Math.min(size, HEAD_MAX)) return undefined;
    const longer = Buffer.allocUnsafe(Math.min(size, HEAD_MAX, head.length * 8));
    readExactly(fd, longer, 0);
    head = longer;
    try {
      return { result: attempt(head), head };
    } catch (again) {
      if (!(again instanceof NeedWholeFile)) throw again;
      e = again;
    }
  }
}
