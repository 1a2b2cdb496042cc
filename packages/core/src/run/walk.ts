/**
 * Streams the files under the inputs without holding the tree in memory: one directory
 * handle at a time per level (fs.opendir). Directory symlinks are not followed (no loops);
 * file symlinks are read.
 */
import type { Dir } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

export interface InputFile {
  readonly absPath: string;
  /** Path relative to the output root, '/'-separated (input name first when several inputs). */
  readonly relPath: string;
}

export type WalkProblem = { readonly path: string; readonly message: string };

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
    if (ent.isDirectory()) yield* walkDir(abs, r, problems);
    else if (ent.isFile()) yield { absPath: abs, relPath: r };
    else if (ent.isSymbolicLink()) {
      try {
        const s = await stat(abs);
        if (s.isFile()) yield { absPath: abs, relPath: r };
        else problems.push({ path: abs, message: 'symbolic link to a folder not followed' });
      } catch {
        problems.push({ path: abs, message: 'broken symbolic link' });
      }
    }
  }
}

export async function* walkInputs(inputs: readonly string[], problems: WalkProblem[]): AsyncGenerator<InputFile> {
  const several = inputs.length > 1;
  for (const input of inputs) {
    const abs = resolve(input);
    const s = await stat(abs);
    const root = several ? basename(abs) : '';
    if (s.isDirectory()) yield* walkDir(abs, root, problems);
    else yield { absPath: abs, relPath: basename(abs) };
  }
}

/** Count the files under the inputs (for a progress total); streams, holds only a number. */
export async function countInputs(inputs: readonly string[]): Promise<number> {
  let n = 0;
  for await (const _ of walkInputs(inputs, [])) n++;
  return n;
}
