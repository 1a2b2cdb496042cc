/**
 * Output files appear whole or not at all. A worker writes each output as a hidden part file
 * in its final folder (`.<random>.dcmblind-part`, the same folder so the rename is atomic and
 * files spread over the filesystem as a plain copy's would); the main thread renames it into
 * place only after the key journal holds its record. A marker in `<out>/.dcmblind/` says a
 * run is under way; a run that finds it (the last one was killed) sweeps part files first.
 */
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  opendirSync,
  readdirSync,
  readSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writevSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { type ChunkList, isRange, type SourceRange } from '../dicom/writer.js';
import { type CellMask, clearUnusedBits } from '../pixels/unused-bits.js';
import { copyRange, nativeCopyAvailable, startWriteback } from './native.js';

export const STATE_DIR = '.dcmblind';

export const PART_SUFFIX = '.dcmblind-part';
const PART_NAME = /^\.(s\d+-)?[0-9a-f]{18}\.dcmblind-part$/;
/** A part file a worker writes (a hidden name no other program uses). */
export const isPartName = (name: string): boolean => PART_NAME.test(name);

/** `tag` names a shard ("s2"): shards of one output keep their own marker and part files. */
const runningMarker = (out: string, tag = '') =>
  join(out, STATE_DIR, tag ? `run-in-progress-${tag}` : 'run-in-progress');

/**
 * Called at the start of a run that writes: when the last run did not end cleanly, remove
 * the part files it left (the output tree is walked once; nothing else is touched).
 * Returns how many were removed.
 */
export function beginOutput(out: string, tag = ''): number {
  let swept = 0;
  if (existsSync(runningMarker(out, tag))) swept = sweepParts(out, tag);
  mkdirSync(join(out, STATE_DIR), { recursive: true });
  sweepStateTemps(out, tag === '' ? 0 : 60_000);
  // Left by engine versions that staged under .dcmblind/.
  rmSync(join(out, STATE_DIR, 'staging'), { recursive: true, force: true });
  writeFileSync(runningMarker(out, tag), `${process.pid}\n`);
  return swept;
}

/**
 * Called at the end of a run. `sweep` when a worker thread died mid-file: a part file it was
 * writing may be left, so the tree is swept now rather than by the next run.
 */
export function endOutput(out: string, sweep: boolean, tag = ''): void {
  if (sweep) sweepParts(out, tag);
  rmSync(runningMarker(out, tag), { force: true });
}

/**
 * Temp files of atomic rewrites in the state folder (`.manifest.json.tmp-…`) that a killed run
 * left. A shard sweeps only old ones: another shard may be writing one right now.
 */
function sweepStateTemps(out: string, olderThanMs: number): void {
  const dir = join(out, STATE_DIR);
  for (const name of readdirSync(dir)) {
    if (!/^\..+\.tmp-[0-9a-f]{12}$/.test(name)) continue;
    const p = join(dir, name);
    try {
      if (Date.now() - statSync(p).mtimeMs >= olderThanMs) rmSync(p, { force: true });
    } catch {
      // gone meanwhile
    }
  }
}

/** Remove a part file that will not be placed, and the folders it leaves empty (up to out). */
export function discardPart(out: string, part: string): void {
  rmSync(part, { force: true });
  for (let dir = dirname(part); dir.length > out.length && dir.startsWith(out); dir = dirname(dir)) {
    try {
      rmdirSync(dir);
    } catch {
      return; // not empty (or gone): stop
    }
  }
}

/** Part files of this run's kind: a shard's own (`.s2-…`), or, unsharded, every one. */
function sweepParts(dir: string, tag: string): number {
  let n = 0;
  const d = opendirSync(dir);
  try {
    for (let e = d.readSync(); e; e = d.readSync()) {
      const p = join(dir, e.name);
      if (e.isDirectory()) n += sweepParts(p, tag);
      else if (PART_NAME.test(e.name) && (!tag || e.name.startsWith(`.${tag}-`))) {
        rmSync(p, { force: true });
        n += 1;
      }
    }
  } finally {
    d.closeSync();
  }
  return n;
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

/** Bytes of a masked range go through memory in pieces this large (a multiple of any cell size). */
const MASK_CHUNK = 4 * 1024 * 1024;
let maskBuffer: Buffer | undefined;

/** Copy a range of pixel cells, clearing their unused bits on the way; returns the cells changed. */
function copyMasked(source: Source, r: SourceRange & { mask: CellMask }, fd: number, pos: number): number {
  maskBuffer ??= Buffer.allocUnsafe(MASK_CHUNK);
  let changed = 0;
  for (let done = 0; done < r.length; ) {
    const piece = maskBuffer.subarray(0, Math.min(MASK_CHUNK, r.length - done));
    let got = 0;
    while (got < piece.length) {
      const n = readSync(source.fd, piece, got, piece.length - got, r.offset + done + got);
      if (n === 0) throw new Error(`source file ended at byte ${r.offset + done + got} while copying`);
      got += n;
    }
    changed += clearUnusedBits(piece, r.mask);
    writeAllv(fd, [piece], pos + done);
    done += piece.length;
  }
  return changed;
}

/**
 * Write all chunks to a new file. Small chunks go out with writev; ranges and large views of
 * the source file (pixel data) are copied from the source file descriptor, in the kernel when
 * the native helper is built — never concatenated in memory. Returns the pixel cells whose unused
 * bits a masked range cleared.
 */
export function writeStaged(path: string, data: ChunkList, source?: Source): number {
  const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
  let cellsCleared = 0;
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
        if (c.mask) cellsCleared += copyMasked(source, { ...c, mask: c.mask }, fd, pos);
        else copyRange(source.fd, c.offset, fd, pos, c.length);
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
    startWriteback(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw e;
  }
  closeSync(fd);
  return cellsCleared;
}

/** Whether an earlier run's output is still in place as it was written (its size). */
export function outputIntact(
  out: string,
  rec: { readonly outputPath: string; readonly outputSize: number },
): boolean {
  try {
    return statSync(join(out, rec.outputPath)).size === rec.outputSize;
  } catch {
    return false;
  }
}
