/**
 * Files that ship with the core package (the standard's tables, the native helper, the worker),
 * found from the package's own root rather than from this module: the frontends are bundled
 * into one file each for start-up speed, and inside a bundle `import.meta.url` is the bundle's.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = pathToFileURL(require.resolve('@dcmblind/core/package.json'));

/** A file of the core package by its path from the package root (`data/standard/x.json`). */
export function coreFile(path: string): URL {
  return new URL(path, ROOT);
}
