/**
 * Where each input's files land in the output (mirror and patient layouts start from the
 * input-relative path). By default one input maps to the output root and several inputs each
 * to a folder of their own name — so the same files given another way (`run /data` then
 * `run /data/site-A`, or `run A B` then `run A`) would land at other paths and the output would
 * hold them twice. Runs record their inputs and where they went; a later run into the same
 * output places a known input, or a folder inside one, where it went before, and refuses an
 * input that holds an earlier input inside it (its other files would have no consistent place).
 */
import { statSync } from 'node:fs';
import { basename, relative, resolve, sep } from 'node:path';
import { DcmblindError } from '../errors.js';
import type { RunRecord } from '../key/records.js';

export interface InputRoot {
  /** Absolute path of the input as given (resolved, not following links). */
  readonly path: string;
  /**
   * A folder input: the output folder its files go under ('' for the output root). A file or
   * zip input: its own relative path (a zip's entries go under it without `.zip`).
   */
  readonly prefix: string;
}

const inside = (child: string, parent: string) => {
  const r = relative(parent, child);
  return r !== '' && !r.startsWith('..') && !r.startsWith(sep);
};

const joinPrefix = (prefix: string, rel: string) =>
  [prefix, rel.split(sep).join('/')].filter(Boolean).join('/');

/** The roots of this run's inputs, consistent with the earlier runs into the same output. */
export function planInputRoots(inputs: readonly string[], earlier: readonly InputRoot[]): InputRoot[] {
  const several = inputs.length > 1;
  return inputs.map((input) => {
    const path = resolve(input);
    const same = earlier.find((e) => e.path === path);
    if (same) return same;
    const parent = earlier.find((e) => inside(path, e.path));
    if (parent) return { path, prefix: joinPrefix(parent.prefix, relative(parent.path, path)) };
    const child = earlier.find((e) => inside(e.path, path));
    if (child) {
      throw new DcmblindError(
        'E_OUTPUT_MISMATCH',
        `input ${input} holds ${child.path}, which an earlier run into this output read as an input of ` +
          'its own; the files around it would land at other paths than before. Give the same inputs as ' +
          'the earlier runs (or folders inside them), or use a new --out',
      );
    }
    const folder = statSync(path).isDirectory();
    return { path, prefix: folder && !several ? '' : basename(path) };
  });
}

/** The input roots earlier runs recorded for the output with this id. */
export function earlierRoots(runs: readonly RunRecord[], outputId: string): InputRoot[] {
  const seen = new Map<string, InputRoot>();
  for (const r of runs) if (r.outputId === outputId) for (const i of r.inputs ?? []) seen.set(i.path, i);
  return [...seen.values()];
}
