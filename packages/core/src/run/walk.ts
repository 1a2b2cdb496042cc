/**
 * Streams the files under the inputs without holding the tree in memory: one directory
 * handle at a time per level (fs.opendir). Directory symlinks are not followed (no loops);
 * file symlinks are read. `.zip` files are opened and their entries listed as files
 * (`archive.zip!/entry`), relative to a folder named after the archive.
 */
import { createHash } from 'node:crypto';
import { createReadStream, type Dir } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { describeError } from '../errors.js';
import { openZip } from './zip.js';

export interface InputFile {
  /** Real path, or `<archive>!/<entry>` for a zip entry. */
  readonly absPath: string;
  /** Path relative to the output root, '/'-separated (input name first when several inputs). */
  readonly relPath: string;
  /** Zip entries come with their bytes and the archive's size/mtime identity. */
  readonly bytes?: () => Promise<Buffer>;
  readonly stat?: { readonly size: number; readonly mtimeMs: number };
  /** For a zip entry: the archive, and its SHA-256 when the walk was asked to hash archives. */
  readonly archive?: { readonly path: string; readonly sha256?: string };
}

export interface WalkOptions {
  /** Hash each zip archive (one extra streaming read): blinding names subjects by it, the key records it. */
  readonly hashArchives?: boolean;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

export type WalkProblem = { readonly path: string; readonly message: string; readonly code?: string };

const isZip = (name: string) => name.toLowerCase().endsWith('.zip');

async function* zipEntries(abs: string, rel: string, problems: WalkProblem[], opts: WalkOptions): AsyncGenerator<InputFile> {
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
    archive = opts.hashArchives ? { path: abs, sha256: await sha256File(abs) } : { path: abs };
  } catch (e) {
    zip.close();
    problems.push({ path: abs, message: `cannot read the archive: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, code: 'E_IO' });
    return;
  }
  try {
    if (zip.entries.length === 0) problems.push({ path: abs, message: 'the archive is empty', code: 'E_ZIP' });
    for (const e of zip.entries) {
      yield { absPath: `${abs}!/${e.name}`, relPath: `${folder}/${e.name}`, bytes: e.read, stat: { size: e.size, mtimeMs: s.mtimeMs }, archive };
    }
  } finally {
    zip.close();
  }
}

async function* walkDir(dir: string, rel: string, problems: WalkProblem[], opts: WalkOptions): AsyncGenerator<InputFile> {
  let handle: Dir;
  try {
    handle = await opendir(dir);
  } catch (e) {
    problems.push({ path: dir, message: `cannot list folder: ${(e as NodeJS.ErrnoException).code ?? String(e)}` });
    return;
  }
  for await (const ent of handle) {
    const abs = join(dir, ent.name);
    const r = rel ? `${rel}/${ent.name}` : ent.name;
    let isFile = ent.isFile();
    if (ent.isDirectory()) {
      yield* walkDir(abs, r, problems, opts);
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
    if (isZip(ent.name)) yield* zipEntries(abs, r, problems, opts);
    else yield { absPath: abs, relPath: r };
  }
}

export async function* walkInputs(inputs: readonly string[], problems: WalkProblem[], opts: WalkOptions = {}): AsyncGenerator<InputFile> {
  const several = inputs.length > 1;
  for (const input of inputs) {
    const abs = resolve(input);
    const s = await stat(abs);
    const root = several ? basename(abs) : '';
    if (s.isDirectory()) yield* walkDir(abs, root, problems, opts);
    else if (isZip(abs)) yield* zipEntries(abs, basename(abs), problems, opts);
    else yield { absPath: abs, relPath: basename(abs) };
  }
}

/** Count the files under the inputs (for a progress total); streams, holds only a number. */
export async function countInputs(inputs: readonly string[]): Promise<number> {
  let n = 0;
  for await (const _ of walkInputs(inputs, [])) n++;
  return n;
}
