/**
 * Walking a tree: every regular file below a folder, and paths as the verifier names them
 * (relative, with forward slashes on every platform).
 */
import { opendirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Every regular file below `dir`, in directory order; dcmblind's state folder at the top is not output. */
export function* walk(dir: string, root = dir): Generator<string> {
  const d = opendirSync(dir);
  try {
    for (let e = d.readSync(); e; e = d.readSync()) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (dir === root && e.name === '.dcmblind') continue; // dcmblind's own state (manifest), not output
        yield* walk(p, root);
      } else if (e.isFile()) yield p;
    }
  } finally {
    d.closeSync();
  }
}

/** `p` relative to `root`, with `/` between components. */
export const rel = (root: string, p: string): string => relative(root, p).split(sep).join('/');
