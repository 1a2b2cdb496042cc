/**
 * Streams the files under the inputs without holding the tree in memory: one directory
 * handle at a time per level (fs.opendir). Directory symlinks are not followed (no loops);
 * file symlinks are read. `.zip` files are opened and their entries listed as files
 * (`archive.zip!/entry`), relative to a folder named after the archive.
 */
import type { Dir } from 'node:fs';
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
}

export type WalkProblem = { readonly path: string; readonly message: string; readonly code?: string };

const isZip = (name: string) => name.toLowerCase().endsWith('.zip');

async function* zipEntries(abs: string, rel: string, problems: WalkProblem[]): AsyncGenerator<InputFile> {
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
  try {
    if (zip.entries.length === 0) problems.push({ path: abs, message: 'the archive is empty', code: 'E_ZIP' });
    for (const e of zip.entries) {
      yield { absPath: `${abs}!/${e.name}`, relPath: `${folder}/${e.name}`, bytes: e.read, stat: { size: e.size, mtimeMs: s.mtimeMs } };
    }
  } finally {
    zip.close();
  }
}

async function* walkDir(dir: string, rel: string, problems: WalkProblem[]): AsyncGenerator<InputFile> {
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
      yield* walkDir(abs, r, problems);
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
    if (isZip(ent.name)) yield* zipEntries(abs, r, problems);
    else yield { absPath: abs, relPath: r };
  }
}

export async function* walkInputs(inputs: readonly string[], problems: WalkProblem[]): AsyncGenerator<InputFile> {
  const several = inputs.length > 1;
  for (const input of inputs) {
    const abs = resolve(input);
    const s = await stat(abs);
    const root = several ? basename(abs) : '';
    if (s.isDirectory()) yield* walkDir(abs, root, problems);
    else if (isZip(abs)) yield* zipEntries(abs, basename(abs), problems);
    else yield { absPath: abs, relPath: basename(abs) };
  }
}

/** Count the files under the inputs (for a progress total); streams, holds only a number. */
export async function countInputs(inputs: readonly string[]): Promise<number> {
  let n = 0;
  for await (const _ of walkInputs(inputs, [])) n++;
  return n;
}
