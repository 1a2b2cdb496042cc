/**
 * Streams the files under the inputs without holding the tree in memory: one directory
 * handle at a time per level (fs.opendir). Directory symlinks are not followed (no loops);
 * file symlinks are read. `.zip` files are opened and their entries listed as files
 * (`archive.zip!/entry`), relative to a folder named after the archive.
 */
import { createHash } from 'node:crypto';
import { createReadStream, type Dir, opendirSync, readdirSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { describeError } from '../errors.js';
import { type ExcludeTest, namedLikeDicom } from './exclude.js';
import type { InputRoot } from './input-roots.js';
import { openZip } from './zip.js';

export interface InputFile {
  /** Real path, or `<archive>!/<entry>` for a zip entry. */
  readonly absPath: string;
  /** Path relative to the output root, '/'-separated (input name first when several inputs). */
  readonly relPath: string;
  /** relPath components from this index on were decoded from a zip entry name in a guessed code page. */
  readonly legacyFrom?: number;
  /** Zip entries come with their bytes and the archive's size/mtime identity. */
  readonly bytes?: () => Promise<Buffer>;
  readonly stat?: { readonly size: number; readonly mtimeMs: number };
  /** For a zip entry: the archive, and its SHA-256 when the walk was asked to hash archives. */
  readonly archive?: { readonly path: string; readonly sha256?: string };
}

export interface WalkOptions {
  /** Hash each zip archive (one extra streaming read): blinding names subjects by it, the key records it. */
  readonly hashArchives?: boolean;
  /** How to hash an archive (a run walks twice and hashes each once); SHA-256 of its bytes by default. */
  readonly hashOf?: (path: string) => Promise<string>;
  /** Paths (relative to their input) that are not read: OS debris and --exclude patterns. */
  readonly exclude?: ExcludeTest;
  /**
   * Told about each file or folder left out by `exclude`: a folder once, not entered, with the
   * number of files in it (counted, not read).
   */
  readonly onSkip?: (path: string, reason: string, files: number) => void;
}

/** Whether `exclude` leaves a path out; tells onSkip. `inputRel` is relative to its input. */
function excluded(abs: string, inputRel: string, opts: WalkOptions, folder = false): boolean {
  const why = inputRel && opts.exclude ? opts.exclude(inputRel) : undefined;
  if (why) opts.onSkip?.(abs, why, folder ? filesIn(abs) : 1);
  return why !== undefined;
}

function filesIn(dir: string): number {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
  } catch {
    return 0;
  }
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 }))
    h.update(chunk as Buffer);
  return h.digest('hex');
}

export type WalkProblem = { readonly path: string; readonly message: string; readonly code?: string };

const isZip = (name: string) => name.toLowerCase().endsWith('.zip');

async function* zipEntries(
  abs: string,
  rel: string,
  inputRel: string,
  problems: WalkProblem[],
  opts: WalkOptions,
): AsyncGenerator<InputFile> {
  let zip: Awaited<ReturnType<typeof openZip>>;
  try {
    zip = await openZip(abs);
  } catch (e) {
    const d = describeError(e);
    problems.push({ path: abs, message: d.message, code: d.code });
    return;
  }
  const s = await stat(abs);
  const folder = rel.replace(/\.zip$/i, '');
  let archive: InputFile['archive'];
  try {
    archive = opts.hashArchives
      ? { path: abs, sha256: await (opts.hashOf ?? sha256File)(abs) }
      : { path: abs };
  } catch (e) {
    zip.close();
    problems.push({
      path: abs,
      message: `cannot read the archive: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      code: 'E_IO',
    });
    return;
  }
  try {
    if (zip.entries.length === 0)
      problems.push({ path: abs, message: 'the archive is empty', code: 'E_ZIP' });
    const inside = inputRel.replace(/\.zip$/i, '');
    for (const e of zip.entries) {
      if (excluded(`${abs}!/${e.name}`, inside ? `${inside}/${e.name}` : e.name, opts)) continue;
      yield {
        absPath: `${abs}!/${e.name}`,
        relPath: `${folder}/${e.name}`,
        ...(e.legacyName ? { legacyFrom: folder.split('/').length } : {}),
        bytes: e.read,
        stat: { size: e.size, mtimeMs: s.mtimeMs },
        archive,
      };
    }
  } finally {
    zip.close();
  }
}

/** An open folder of the walk, and where it stands in the output and in its input. */
interface Level {
  readonly handle: Dir;
  readonly dir: string;
  readonly rel: string;
  readonly inputRel: string;
}

/** Entries read between two turns of the event loop (a long walk must not hold off Ctrl-C). */
const ENTRIES_PER_TURN = 512;

/**
 * Depth first, in the order the folders list their entries: one generator and a stack of open
 * folders (not a generator per folder level, each of which cost every file a round of promises),
 * entries read synchronously 32 at a time (`Dir.readSync`: no thread-pool round trip per batch).
 */
async function* walkDir(
  dir: string,
  rel: string,
  inputRel: string,
  problems: WalkProblem[],
  opts: WalkOptions,
): AsyncGenerator<InputFile> {
  const stack: Level[] = [];
  const enter = (dir: string, rel: string, inputRel: string) => {
    try {
      stack.push({ handle: opendirSync(dir), dir, rel, inputRel });
    } catch (e) {
      problems.push({
        path: dir,
        message: `cannot list folder: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      });
    }
  };
  enter(dir, rel, inputRel);
  let read = 0;
  try {
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as Level;
      const ent = top.handle.readSync();
      if (ent === null) {
        top.handle.closeSync();
        stack.pop();
        continue;
      }
      if (++read % ENTRIES_PER_TURN === 0) await new Promise((r) => setImmediate(r));
      const abs = join(top.dir, ent.name);
      const r = top.rel ? `${top.rel}/${ent.name}` : ent.name;
      const ir = top.inputRel ? `${top.inputRel}/${ent.name}` : ent.name;
      if (excluded(abs, ir, opts, ent.isDirectory())) continue;
      let isFile = ent.isFile();
      if (ent.isDirectory()) {
        enter(abs, r, ir);
        continue;
      }
      if (ent.isSymbolicLink()) {
        try {
          const s = await stat(abs);
          if (!s.isFile()) {
            problems.push({ path: abs, message: 'symbolic link to a folder not followed' });
            continue;
          }
          isFile = true;
        } catch {
          problems.push({ path: abs, message: 'broken symbolic link' });
          continue;
        }
      }
      if (!isFile) continue;
      if (isZip(ent.name)) yield* zipEntries(abs, r, ir, problems, opts);
      else yield { absPath: abs, relPath: r };
    }
  } finally {
    // A consumer that stops early (an interrupted run) leaves folders open: closed here.
    for (const level of stack) level.handle.closeSync();
  }
}

/**
 * `roots[i]` (from planInputRoots) says where input i lands in the output; by default a lone
 * folder at the root, several folders each under its own name, a file or zip under its name.
 */
export async function* walkInputs(
  inputs: readonly string[],
  problems: WalkProblem[],
  opts: WalkOptions = {},
  roots?: readonly InputRoot[],
): AsyncGenerator<InputFile> {
  const several = inputs.length > 1;
  for (const [i, input] of inputs.entries()) {
    const abs = resolve(input);
    const s = await stat(abs);
    const prefix = roots?.[i]?.prefix ?? (s.isDirectory() && !several ? '' : basename(abs));
    if (s.isDirectory()) yield* walkDir(abs, prefix, '', problems, opts);
    else if (isZip(abs)) yield* zipEntries(abs, prefix, '', problems, opts);
    else yield { absPath: abs, relPath: prefix };
  }
}

/**
 * Count what a run will report on (for a progress total): the files it reads, and each file or
 * folder it skips as excluded. Streams; holds only a number.
 */
export async function countInputs(inputs: readonly string[], exclude?: ExcludeTest): Promise<number> {
  let n = 0;
  const onSkip = (_path: string, _reason: string, files: number) => {
    n += files;
  };
  for await (const _ of walkInputs(inputs, [], exclude ? { exclude, onSkip } : {})) n++;
  return n;
}

/**
 * A file outside any zip archive that is named like DICOM (blinding by `--subject-id
 * source-sha256` names subjects by their zip, so such a file has no subject: bad usage, said
 * before anything is written). Returns the first one found, or undefined.
 */
export function looseDicomFile(inputs: readonly string[], exclude: ExcludeTest): string | undefined {
  for (const input of inputs) {
    const abs = resolve(input);
    const s = statSync(abs);
    if (!s.isDirectory()) {
      if (!isZip(abs) && namedLikeDicom(basename(abs))) return abs;
      continue;
    }
    for (const e of readdirSync(abs, { recursive: true, withFileTypes: true })) {
      if (!e.isFile() || isZip(e.name)) continue;
      const rel = relative(abs, join(e.parentPath, e.name)).split(sep).join('/');
      if (!exclude(rel) && namedLikeDicom(rel)) return join(e.parentPath, e.name);
    }
  }
  return undefined;
}
