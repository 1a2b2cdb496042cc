/**
 * Output files appear whole or not at all. Workers write into `<out>/.dcmblind/staging/`
 * (same filesystem as the output); the main thread renames a staged file into place only
 * after the key journal holds its record. Staging is emptied at the start and end of every
 * run, so an interrupted run leaves nothing half-written in the output tree.
 */
import { closeSync, constants, mkdirSync, openSync, renameSync, rmSync, writevSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ChunkList } from '../dicom/writer.js';

export const STATE_DIR = '.dcmblind';

export function stagingDir(out: string): string {
  return join(out, STATE_DIR, 'staging');
}

/** Write all chunks to a new file; views of the source are written as they are (no concatenated copy). */
export function writeStaged(path: string, data: ChunkList): void {
  const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
  try {
    let chunks = data.chunks.slice();
    while (chunks.length > 0) {
      const batch = chunks.slice(0, 1024);
      let n = writevSync(fd, batch);
      let k = 0;
      while (k < batch.length && n >= (batch[k] as Uint8Array).length) n -= (batch[k++] as Uint8Array).length;
      chunks = chunks.slice(k);
      if (n > 0) chunks[0] = (chunks[0] as Uint8Array).subarray(n);
    }
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
