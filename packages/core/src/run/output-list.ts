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
import { writeFileAtomic } from '../key/atomic.js';
import { STATE_DIR } from './output.js';

const LIST_NAME = /^outputs(-s\d+)?\.list$/;
const listPath = (out: string, tag: string) =>
  join(out, STATE_DIR, tag ? `outputs-${tag}.list` : 'outputs.list');

const writeAsync = promisify(write);
const fsyncAsync = promisify(fsync);

/** The live and removed paths of one list file, read in order. */
function readOne(path: string): { live: Set<string>; removed: Set<string> } {
  const live = new Set<string>();
  const removed = new Set<string>();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { live, removed };
  }
  for (const line of text.split('\n')) {
    const sign = line[0];
    if (sign !== '+' && sign !== '-') continue;
    let p: unknown;
    try {
      p = JSON.parse(line.slice(1));
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
export function readOutputList(out: string): Set<string> {
  const dir = join(out, STATE_DIR);
  if (!existsSync(dir)) return new Set();
  const live = new Set<string>();
  const removed = new Set<string>();
  for (const name of readdirSync(dir)
    .filter((n) => LIST_NAME.test(n))
    .sort()) {
    const one = readOne(join(dir, name));
    for (const p of one.live) live.add(p);
    for (const p of one.removed) removed.add(p);
  }
  for (const p of removed) live.delete(p);
  return live;
}

/** The names of every list file of an output (for --force-rebuild, which starts them afresh). */
export function outputListFiles(out: string): string[] {
  const dir = join(out, STATE_DIR);
  return existsSync(dir) ? readdirSync(dir).filter((n) => LIST_NAME.test(n)) : [];
}

const line = (sign: '+' | '-', p: string) => `${sign}${JSON.stringify(p)}\n`;

/** A run's writer of its own list file (the shard's, or the output's). */
export class OutputList {
  readonly #path: string;
  /** What the whole output holds now (every list file), kept current by this run. */
  readonly #live: Set<string>;
  #fd: number | undefined;
  #changed = false;

  constructor(out: string, tag = '') {
    this.#path = listPath(out, tag);
    this.#live = readOutputList(out);
  }

  has(path: string): boolean {
    return this.#live.has(path);
  }

  get paths(): ReadonlySet<string> {
    return this.#live;
  }

  /** Durably note files about to be placed (those not noted yet), before any of them is renamed. */
  async placing(paths: Iterable<string>): Promise<void> {
    const fresh = [...paths].filter((p) => !this.#live.has(p));
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
    for (const p of fresh) this.#live.add(p);
    this.#changed = true;
  }

  /** As placing(), blocking: for the few files placed outside the batched commit (DICOMDIRs). */
  placingSync(paths: Iterable<string>): void {
    this.#appendSync(
      '+',
      [...paths].filter((p) => !this.#live.has(p)),
    );
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
    for (const p of paths) {
      if (sign === '+') this.#live.add(p);
      else this.#live.delete(p);
    }
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
    const lines = [
      ...[...own.live].map((p) => line('+', p)),
      ...[...own.removed].map((p) => line('-', p)),
    ].sort();
    try {
      writeFileAtomic(this.#path, Buffer.from(lines.join(''), 'utf8'), 0o644);
    } catch {
      // A full disk: the list stays as appended (complete, only unsorted); the next run compacts it.
    }
  }
}
