/**
 * The optional native helper (native/fs_helper.c): in-kernel range copy, prefetch, early
 * writeback and flock. Absent (not built, not Linux, DCMBLIND_NO_NATIVE=1, or a filesystem pair
 * that refuses the copy) → copy through a 4 MiB buffer, no prefetch, writeback left to the
 * kernel, locks judged from /proc.
 */
import { readSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { coreFile } from '../package-files.js';

type CopyRange = (fdIn: number, offIn: number, fdOut: number, offOut: number, length: number) => number;

interface Helper {
  copyRange: CopyRange;
  willNeed?: (path: string) => void;
  tryLock?: (fd: number) => boolean;
  startWriteback?: (fd: number) => void;
}

let native: CopyRange | undefined;
let willNeedNative: Helper['willNeed'];
let tryLockNative: Helper['tryLock'];
let startWritebackNative: Helper['startWriteback'];
if (process.env.DCMBLIND_NO_NATIVE !== '1') {
  try {
    const m = createRequire(import.meta.url)(
      fileURLToPath(coreFile('native/build/fs_helper.node')),
    ) as Helper;
    native = m.copyRange;
    willNeedNative = m.willNeed;
    tryLockNative = m.tryLock;
    startWritebackNative = m.startWriteback;
  } catch {
    native = undefined;
  }
}

/**
 * Take an exclusive flock on an open file without waiting: true when taken, false when
 * another open file holds it, undefined when the helper is absent (no kernel lock then).
 */
export function tryLock(fd: number): boolean | undefined {
  return tryLockNative?.(fd);
}

/**
 * Ask the kernel to start reading a file that a worker will read shortly (a no-op without
 * the helper). Workers then find inputs in the page cache instead of each waiting on the disk.
 */
export function willNeed(path: string): void {
  if (process.env.DCMBLIND_NO_PREFETCH !== '1') willNeedNative?.(path);
}

/**
 * Start writing a finished output to disk now instead of when the kernel's dirty threshold is
 * reached (a no-op without the helper): the disk works while dcmblind computes the next files,
 * and the outputs are on disk soon after the run ends rather than seconds later.
 */
export function startWriteback(fd: number): void {
  if (writeback) startWritebackNative?.(fd);
}
const writeback = process.env.DCMBLIND_NO_WRITEBACK !== '1';

export const nativeCopyAvailable = (): boolean => native !== undefined;

const BUF = 4 * 1024 * 1024;
let buffer: Buffer | undefined;

/** Copy `length` bytes from fdIn@offIn to fdOut@offOut; in the kernel when possible. */
export function copyRange(fdIn: number, offIn: number, fdOut: number, offOut: number, length: number): void {
  if (native) {
    try {
      const n = native(fdIn, offIn, fdOut, offOut, length);
      if (n === length) return;
      throw Object.assign(
        new Error(`source ended after ${n} of ${length} bytes (file changed while read?)`),
        { code: 'E_TRUNCATED' },
      );
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOTSUP') throw e;
      native = undefined; // this filesystem pair refuses: fall back from now on
    }
  }
  buffer ??= Buffer.allocUnsafe(BUF);
  let done = 0;
  while (done < length) {
    const n = readSync(fdIn, buffer, 0, Math.min(BUF, length - done), offIn + done);
    if (n === 0)
      throw Object.assign(
        new Error(`source ended after ${done} of ${length} bytes (file changed while read?)`),
        { code: 'E_TRUNCATED' },
      );
    let w = 0;
    while (w < n) w += writeSync(fdOut, buffer, w, n - w, offOut + done + w);
    done += n;
  }
}
