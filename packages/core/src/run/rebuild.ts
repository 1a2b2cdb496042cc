/**
 * `--force-rebuild`: clear an output made with another configuration so it can be redone.
 * Only files dcmblind is known to have placed there are deleted — those its output list
 * names, and those the key records for this output — never a file the user put in the folder.
 * Every deletion is written to a log in `.dcmblind/` (de-identified output paths only).
 */
import { lstatSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { outputListFiles, readOutputList } from './output-list.js';
import { isPartName, STATE_DIR } from './output.js';

export interface Cleared {
  /** Output paths deleted (relative). */
  readonly removed: readonly string[];
  /** Files left because dcmblind did not write them (relative). */
  readonly kept: readonly string[];
  /** The log listing both, inside the output's state folder. */
  readonly log: string;
}

/** Files under `out` (relative), dcmblind's state folder left out; part files are removed on the way. */
function filesOf(out: string): string[] {
  const found: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(rel ? join(out, rel) : out, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (r !== STATE_DIR) walk(r);
      } else if (isPartName(e.name)) {
        rmSync(join(out, r)); // an unfinished output of an earlier run: dcmblind's own
      } else found.push(r);
    }
  };
  walk('');
  return found.sort();
}

/** Remove the folders a deletion left empty, up to (not including) the output root. */
function pruneEmpty(out: string, rel: string): void {
  for (let d = dirname(rel); d !== '.' && d !== ''; d = dirname(d)) {
    try {
      rmdirSync(join(out, d));
    } catch {
      return; // not empty: stop
    }
  }
}

/**
 * Delete what dcmblind placed in `out` (its output list, plus `recorded`: the key's records of
 * this output), and dcmblind's state of the old configuration. Returns what was done.
 */
export function clearForRebuild(out: string, recorded: Iterable<string>, runId: string): Cleared {
  const ours = readOutputList(out);
  for (const p of recorded) ours.add(p);
  const removed: string[] = [];
  for (const rel of [...ours].sort()) {
    try {
      if (!lstatSync(join(out, rel)).isFile()) continue;
    } catch {
      continue; // already gone
    }
    rmSync(join(out, rel));
    removed.push(rel);
    pruneEmpty(out, rel);
  }
  const kept = filesOf(out);
  // The old configuration's state goes too; locks (held by this run) and logs stay.
  for (const name of [...outputListFiles(out), 'manifest.json'])
    rmSync(join(out, STATE_DIR, name), { force: true });
  const log = join(out, STATE_DIR, `rebuild-${runId.replace(/[^0-9A-Za-z-]/g, '')}.log`);
  const lines = [
    `# dcmblind --force-rebuild ${new Date().toISOString()}: ` +
      `${removed.length} file(s) removed, ${kept.length} kept`,
    ...removed.map((p) => `removed ${JSON.stringify(p)}`),
    ...kept.map((p) => `kept (not written by dcmblind) ${JSON.stringify(p)}`),
  ];
  writeFileSync(log, `${lines.join('\n')}\n`, { mode: 0o644 });
  return { removed, kept, log };
}
