/**
 * `<out>/.dcmblind/outputs.list`: every file dcmblind placed in this output. It is how
 * `--force-rebuild` and the end-of-run sweeps know which files are dcmblind's to delete (never
 * a file the user put there), and how the verifier tells that an output went missing.
 *
 * One line per event, a JSON string after a sign: `+"site-A/ANON-…/IMG1.dcm"` when a file is
 * placed (appended and fsynced before its rename, like the key journal), `-"…"` when dcmblind
 * removes it. A shard keeps its own file (`outputs-s2.list`), so concurrent shards never
 * rewrite each other's lines. At the end of a run its own file is compacted: sorted, so the
 * order files were read in is not kept (blinded media promise that). Paths are the output's
 * own de-identified paths: the list tells nothing the tree does not.
 */
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { fsync, write } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeChunksAtomic } from '../key/atomic.js';
import { PathSet } from './path-table.js';
import { STATE_DIR } from './output.js';

const LIST_NAME = /^outputs(-s\d+)?\.list$/;
const listPath = (out: string, tag: string) =>
  join(out, STATE_DIR, tag ? `outputs-${tag}.list` : 'outputs.list');

const writeAsync = promisify(write);
const fsyncAsync = promisify(fsync);

/** The live and removed paths of one list file, read in order (a line at a time). */
function readOne(path: string): { live: PathSet; removed: PathSet } {
  const live = new PathSet();
  const removed = new PathSet();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { live, removed };
  }
  for (let at = 0; at < text.length; ) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const sign = text[at];
    const body = text.slice(at + 1, end);
    at = end + 1;
    if (sign !== '+' && sign !== '-') continue;
    let p: unknown;
    try {
      p = JSON.parse(body);
    } catch {
      continue; // a line torn by a crash mid-append describes no placed file
    }
    if (typeof p !== 'string') continue;
    if (sign === '+') {
      live.add(p);
      removed.delete(p);
    } else {
      live.delete(p);
      removed.add(p);
    }
  }
  return { live, removed };
}

/**
 * Every file dcmblind placed in `out` and did not remove since (relative paths, '/'-separated).
 * Across shard files a removal wins: the file is gone.
 */
export function readOutputList(out: string): PathSet {
  const dir = join(out, STATE_DIR);
  if (!existsSync(dir)) return new PathSet();
  const names = readdirSync(dir)
    .filter((n) => LIST_NAME.test(n))
    .sort();
  if (names.length === 1) return readOne(join(dir, names[0] as string)).live;
  const live = new PathSet();
  const removed = new PathSet();
  for (const name of names) {
    const one = readOne(join(dir, name));
    for (const p of one.live) live.add(p);
    for (const p of one.removed) removed.add(p);
  }
  for (const p of removed) live.delete(p);
  return live;
}

/**
 * The removals a compacted list keeps: only those that cancel a path another shard's list still
 * holds (across list files a removal wins). The others would only keep the name of a file that is
 * gone — and a file is removed because its path named a patient: the list must not keep it.
 */
function removalsStillNeeded(out: string, own: string, removed: PathSet): PathSet {
  const kept = new PathSet();
  const dir = join(out, STATE_DIR);
  for (const name of outputListFiles(out)) {
    if (join(dir, name) === own) continue;
    const theirs = readOne(join(dir, name)).live;
    for (const p of removed) if (theirs.has(p)) kept.add(p);
  }
  return kept;
}

/** The names of every list file of an output (for --force-rebuild, which starts them afresh). */
export function outputListFiles(out: string): string[] {
  const dir = join(out, STATE_DIR);
  return existsSync(dir) ? readdirSync(dir).filter((n) => LIST_NAME.test(n)) : [];
}

const line = (sign: '+' | '-', p: string) => `${sign}${JSON.stringify(p)}\n`;

/** A list file's lines, sorted (removals after the live paths), in chunks of about 1 MB. */
function* listChunks(own: { live: PathSet; removed: PathSet }): Generator<Buffer> {
  function* lines(): Generator<string> {
    for (const p of own.live.sorted()) yield line('+', p);
    for (const p of own.removed.sorted()) yield line('-', p);
  }
  let batch: string[] = [];
  let size = 0;
  for (const l of lines()) {
    batch.push(l);
    size += l.length;
    if (size >= 1 << 20) {
      yield Buffer.from(batch.join(''), 'utf8');
      batch = [];
      size = 0;
    }
  }
  if (batch.length) yield Buffer.from(batch.join(''), 'utf8');
}

/** A run's writer of its own list file (the shard's, or the output's). */
export class OutputList {
  readonly #out: string;
  readonly #path: string;
  #fd: number | undefined;
  #changed = false;

  constructor(out: string, tag = '') {
    this.#out = out;
    this.#path = listPath(out, tag);
  }

  /**
   * What the whole output's lists hold now, read from them (every list file): asked for only by
   * the rare end-of-run sweeps, so a run never holds the list of a million outputs.
   */
  listed(): PathSet {
    return readOutputList(this.#out);
  }

  /**
   * Durably note files about to be placed, before any of them is renamed. A path listed already
   * is listed again (the lists are sets; compaction drops the repeat).
   */
  async placing(paths: Iterable<string>): Promise<void> {
    const fresh = [...paths];
    if (fresh.length === 0) return;
    const buf = Buffer.from(fresh.map((p) => line('+', p)).join(''), 'utf8');
    const fd = this.#open();
    const size = fstatSync(fd).size;
    try {
      let off = 0;
      while (off < buf.length) off += (await writeAsync(fd, buf, off, buf.length - off)).bytesWritten;
      await fsyncAsync(fd);
    } catch (e) {
      // A full disk: none of these files will be placed, so none may stay listed.
      ftruncateSync(fd, size);
      throw e;
    }
    this.#changed = true;
  }

  /** As placing(), blocking: for the few files placed outside the batched commit (DICOMDIRs). */
  placingSync(paths: Iterable<string>): void {
    this.#appendSync('+', [...paths]);
  }

  /** Note files dcmblind removed from the output. */
  removed(paths: Iterable<string>): void {
    this.#appendSync('-', [...paths]);
  }

  #appendSync(sign: '+' | '-', paths: string[]): void {
    if (paths.length === 0) return;
    const buf = Buffer.from(paths.map((p) => line(sign, p)).join(''), 'utf8');
    const fd = this.#open();
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    this.#changed = true;
  }

  #open(): number {
    this.#fd ??= openSync(this.#path, constants.O_CREAT | constants.O_APPEND | constants.O_WRONLY, 0o644);
    return this.#fd;
  }

  /** Rewrite this run's own file: its live entries and removals, sorted (no reading order kept). */
  close(compact: boolean): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    if (!compact || !this.#changed) return;
    const own = readOne(this.#path);
    own.removed = removalsStillNeeded(this.#out, this.#path, own.removed);
    try {
      writeChunksAtomic(this.#path, listChunks(own), 0o644);
    } catch {
      // A full disk: the list stays as appended (complete, only unsorted); the next run compacts it.
    }
  }
}
