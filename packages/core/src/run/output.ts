/** Output files appear whole or not at all: temp file in the target folder, then rename. */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, mkdirSync, openSync, renameSync, rmSync, writevSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ChunkList } from '../dicom/writer.js';

export const TEMP_MARK = '.dcmblind-tmp-';

export function writeOutputAtomic(path: string, data: ChunkList): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}${TEMP_MARK}${randomBytes(6).toString('hex')}`);
  const fd = openSync(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
  try {
    try {
      // writev takes the kept source ranges as they are: no concatenated copy of the file.
      let chunks = data.chunks.slice();
      while (chunks.length > 0) {
        const batch = chunks.slice(0, 1024);
        let n = writevSync(fd, batch);
        let k = 0;
        while (k < batch.length && n >= (batch[k] as Uint8Array).length) n -= (batch[k++] as Uint8Array).length;
        chunks = chunks.slice(k);
        if (n > 0) chunks[0] = (chunks[0] as Uint8Array).subarray(n);
      }
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
