/**
 * Output files appear whole or not at all. Workers write into `<out>/.dcmblind/staging/`
 * (same filesystem as the output); the main thread renames a staged file into place only
 * after the key journal holds its record. Staging is emptied at the start and end of every
 * run, so an interrupted run leaves nothing half-written in the output tree.
 */
import { closeSync, constants, mkdirSync, openSync, renameSync, rmSync, writevSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ChunkList, isRange } from '../dicom/writer.js';
import { copyRange, nativeCopyAvailable } from './native.js';

export const STATE_DIR = '.dcmblind';

export function stagingDir(out: string): string {
  return join(out, STATE_DIR, 'staging');
}

/** The open source file and its bytes in memory (all of it, or its head). */
export interface Source {
  readonly fd: number;
  readonly bytes: Uint8Array;
}

/** Views of the source this large or larger go file-to-file in the kernel when the helper is there. */
const KERNEL_COPY_MIN = 64 * 1024;

function writeAllv(fd: number, chunks: Uint8Array[], pos: number): void {
  let rest = chunks;
  while (rest.length > 0) {
    const batch = rest.slice(0, 1024);
    let n = writevSync(fd, batch, pos);
    pos += n;
    let k = 0;
    while (k < batch.length && n >= (batch[k] as Uint8Array).length) n -= (batch[k++] as Uint8Array).length;
    rest = rest.slice(k);
    if (n > 0) rest[0] = (rest[0] as Uint8Array).subarray(n);
  }
}

/**
 * Write all chunks to a new file. Small chunks go out with writev; ranges and large views of
 * the source file (pixel data) are copied from the source file descriptor, in the kernel when
 * the native helper is built — never concatenated in memory.
 */
export function writeStaged(path: string, data: ChunkList, source?: Source): void {
  const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
  try {
    let pos = 0;
    let batch: Uint8Array[] = [];
    let batchLen = 0;
    const flushBatch = () => {
      writeAllv(fd, batch, pos);
      pos += batchLen;
      batch = [];
      batchLen = 0;
    };
    const kernel = nativeCopyAvailable();
    for (const c of data.chunks) {
      if (isRange(c)) {
        if (!source) throw new Error('output refers to source bytes but no source file is open');
        flushBatch();
        copyRange(source.fd, c.offset, fd, pos, c.length);
        pos += c.length;
      } else if (kernel && source && c.buffer === source.bytes.buffer && c.length >= KERNEL_COPY_MIN) {
        flushBatch();
        copyRange(source.fd, c.byteOffset - source.bytes.byteOffset, fd, pos, c.length);
        pos += c.length;
      } else {
        batch.push(c);
        batchLen += c.length;
      }
    }
    flushBatch();
  } catch (e) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw e;
  }
  closeSync(fd);
}

export function publish(staged: string, finalPath: string): void {
  mkdirSync(dirname(finalPath), { recursive: true });
  renameSync(staged, finalPath);
}

export function resetStaging(out: string): void {
  const s = stagingDir(out);
  rmSync(s, { recursive: true, force: true });
  mkdirSync(s, { recursive: true });
}
