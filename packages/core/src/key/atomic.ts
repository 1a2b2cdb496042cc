/**
 * Whole-file writes that a crash can never leave half done: a temp file in the same folder,
 * written and fsynced, then renamed over the target (rename is atomic on one filesystem).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Make a rename in `dir` durable (where the filesystem allows). */
export function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  }
}

/** Write a whole file atomically: owner-only temp file in the same folder, fsync, rename. */
export function writeFileAtomic(path: string, data: Uint8Array, mode = 0o600): void {
  writeChunksAtomic(path, [data], mode);
}

/** As writeFileAtomic, from chunks made as they are written (a big file never whole in memory). */
export function writeChunksAtomic(path: string, chunks: Iterable<Uint8Array>, mode = 0o600): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
  const fd = openSync(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, mode);
  try {
    try {
      for (const data of chunks) {
        let off = 0;
        while (off < data.length) off += writeSync(fd, data, off, data.length - off);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dirname(path));
}
