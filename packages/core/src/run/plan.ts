/**
 * Planning the inputs: walk them (exclusions, zip entries, each input where it landed before),
 * keep this shard's share, and skip unread what an earlier run already did. What is left is
 * handed on as work; everything else is recorded here.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { excluder } from './exclude.js';
import type { FileRecord } from '../key/records.js';
import type { Layout } from './layout.js';
import { outputIntact } from './output.js';
import type { RunState } from './state.js';
import { type InputFile, walkInputs } from './walk.js';

export interface Planned {
  readonly f: InputFile;
  readonly stat: { readonly size: number; readonly mtimeMs: number };
  /**
   * False for another shard's input: only read for its identifying values (the header pass), so
   * that every shard knows the whole cohort and writes what one run would.
   */
  readonly mine: boolean;
  /** The subject's name when it comes from outside the file (blinding by source zip SHA-256). */
  readonly subject?: string;
}

/**
 * Which shard an input belongs to: by archive (a zip is one subject), or for the blinding
 * layout by top-level folder (a subject's DICOMDIR needs all of it), else by file.
 */
export function shardOf(f: InputFile, layout: Layout, count: number): number {
  const unit = f.archive?.path ?? (layout === 'blinding' ? (f.relPath.split('/')[0] as string) : f.relPath);
  return (createHash('sha256').update(unit).digest().readUInt32BE(0) % count) + 1;
}

function statOf(state: RunState, f: InputFile, pass: Pass): Planned['stat'] | undefined {
  try {
    const s = f.stat ?? statSync(f.absPath);
    return { size: s.size, mtimeMs: s.mtimeMs };
  } catch (e) {
    // Said in the work pass (a file can vanish between the two); the header pass asks for one.
    if (pass === 'header') state.workPassNeeded = true;
    else state.fail(f.absPath, 'E_IO', `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return undefined;
  }
}

/**
 * The record of this file when it was done before with this configuration, is unchanged since
 * (size and mtime) and its output is in place.
 */
function doneBefore(state: RunState, f: InputFile, stat: Planned['stat']): FileRecord | undefined {
  const prev = state.output.done.bySource(f.absPath);
  if (!prev || prev.sourceSize !== stat.size || prev.sourceMtimeMs !== stat.mtimeMs) return undefined;
  return outputIntact(state.out, prev) ? prev : undefined;
}

/** Count a file done before as done in this run: its patient and output path are this run's too. */
function recordDone(state: RunState, f: InputFile, prev: FileRecord): void {
  state.addPatient(prev.pseudonym);
  state.claimed.setDone(prev.outputPath);
  state.sawArchive(f, true);
  state.record({
    kind: 'done',
    source: f.absPath,
    output: prev.outputPath,
    bytesIn: 0,
    bytesOut: prev.outputSize,
  });
}

/** With `--subject-id source-sha256`, a file's subject is its zip; `null`: not in one (noted). */
function subjectOf(state: RunState, f: InputFile, pass: Pass): string | undefined | null {
  if (state.settings.cfg.subjectIds !== 'source-sha256') return undefined;
  if (f.archive?.sha256) return f.archive.sha256;
  // Files named like DICOM outside zips were refused before the run; the rest are notes.
  if (pass === 'work') return null;
  state.record({
    kind: 'skipped',
    source: f.absPath,
    reason: 'not in a zip archive (--subject-id source-sha256 blinds zipped studies only)',
    bytesIn: 0,
  });
  return null;
}

/**
 * A run walks its inputs twice, streaming, so memory does not grow with the number of files:
 * the header pass (gather.ts) reads the head of every file that needs work, and records
 * everything else once (done, skipped, walk problems, unused --exclude patterns); the work
 * pass hands the same files to the workers and tells only what it cannot read. When the header pass
 * found no work (a no-op rerun), there is no work pass.
 */
export type Pass = 'header' | 'work';

/** The files of this run that need a worker, in order; in the header pass the rest is recorded on the way. */
export async function* planInputs(state: RunState, pass: Pass): AsyncGenerator<Planned> {
  const { cfg, layout, inputs, roots } = state.settings;
  const exclude = excluder(cfg.exclude ?? []);
  const onSkip = (path: string, reason: string, files: number) => {
    if (pass === 'work') return;
    state.record({
      kind: 'skipped',
      source: path,
      reason: files === 1 ? reason : `${reason} (a folder of ${files} file(s))`,
      bytesIn: 0,
      files,
    });
  };
  const walkOptions = {
    hashArchives: layout === 'blinding',
    hashOf: (path: string) => state.archiveHash(path),
    exclude,
    onSkip,
  };
  const problems = pass === 'header' ? state.problems : [];
  for await (const f of walkInputs(inputs, problems, walkOptions, roots)) {
    if (cfg.signal?.aborted) {
      state.summary.interrupted = true;
      return;
    }
    if (state.keyFailure !== undefined) return;
    if (cfg.shard && shardOf(f, layout, cfg.shard.count) !== cfg.shard.index) {
      yield { f, stat: { size: 0, mtimeMs: 0 }, mine: false };
      continue;
    }
    const stat = statOf(state, f, pass);
    if (!stat) continue;
    const prev = doneBefore(state, f, stat);
    if (prev) {
      if (pass === 'header') recordDone(state, f, prev);
      continue;
    }
    const subject = subjectOf(state, f, pass);
    if (subject === null) continue;
    yield subject ? { f, stat, subject, mine: true } : { f, stat, mine: true };
  }
  if (pass === 'work') return;
  for (const p of exclude.unmatched?.() ?? []) {
    state.summary.warnings.push(
      `--exclude ${p} left nothing out (a name pattern matches anywhere; ` +
        "one with / starts at each input's own root, without the input's name)",
    );
  }
}
