/**
 * Publishing a batch whose key records are durable: the manifest first (a new output's), then
 * the output list learns every path about to be placed, then the part files are renamed into
 * place. A path already taken is not claimed (it may be the user's file); an identical output
 * found there is dcmblind's own and is listed after the fact. A file that could not be placed
 * loses the key record its batch wrote for it.
 */
import { access, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../errors.js';
import type { JournalEntry } from '../key/records.js';
import type { KeyStore } from '../key/store.js';
import type { Candidate } from './accept.js';
import type { FileOutcome } from './config.js';
import { discardPart } from './output.js';
import type { RunState } from './state.js';
import type { Written } from './task.js';

/** Renames in flight at once (libuv's pool has four threads by default). */
const PUBLISH_CONCURRENCY = 8;

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Run fn over items with at most `limit` calls in flight. */
async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * Rename one staged output into place, unless something is already there (`taken`, looked up just
 * before).
 */
async function place(state: RunState, { f, r }: Candidate, taken: boolean): Promise<FileOutcome> {
  const finalPath = join(state.out, r.outRel);
  const done = { source: f.absPath, output: r.outRel, bytesIn: r.bytesIn, bytesOut: r.bytesOut };
  try {
    if (taken) {
      const earlier = state.output.done.byOutput(r.outRel);
      const same =
        earlier?.sourceSha256 === r.sha256 ||
        Buffer.compare(await readFile(finalPath), await readFile(r.staged)) === 0;
      discardPart(state.out, r.staged);
      if (same) return { kind: 'unchanged', ...done };
      // The operator must find the other file: its source path (a log may name source paths).
      const from = earlier ? ` (written from ${earlier.sourcePath} by an earlier run)` : '';
      return {
        kind: 'failed',
        source: f.absPath,
        code: 'E_PATH_CONFLICT',
        reason: `output ${r.outRel} exists with other content${from}; nothing overwritten`,
        bytesIn: r.bytesIn,
      };
    }
    await rename(r.staged, finalPath);
    return { kind: 'written', ...done };
  } catch (e) {
    discardPart(state.out, r.staged);
    return {
      kind: 'failed',
      source: f.absPath,
      code: 'E_IO',
      reason: `cannot place output ${r.outRel}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      bytesIn: r.bytesIn,
    };
  }
}

/** Drop the records of files that were not placed (unless an earlier run had placed the same). */
async function unrecord(state: RunState, failed: readonly Written[]): Promise<void> {
  const entries: JournalEntry[] = failed
    .filter((r) => state.output.done.byOutput(r.outRel)?.sourceSha256 !== r.sha256)
    .map((r) => ({
      type: 'removed',
      record: {
        outputId: state.outputId,
        configId: state.output.config,
        outputPath: r.outRel,
        sourceSha256: r.sha256,
      },
    }));
  if (entries.length === 0) return;
  await (state.key as KeyStore).appendAsync(entries).catch((e: unknown) => void (state.keyFailure ??= e));
}

/** Which outputs are there already; the others are listed (durably) as about to be placed. */
async function claimPaths(state: RunState, batch: readonly Candidate[]): Promise<boolean[]> {
  state.output.ensureManifest();
  const taken = await Promise.all(batch.map(({ r }) => exists(join(state.out, r.outRel))));
  await state.output.outputs.placing(batch.filter((_, i) => !taken[i]).map(({ r }) => r.outRel));
  return taken;
}

/** Make a batch visible (see the file's comment). */
export async function publish(state: RunState, batch: readonly Candidate[]): Promise<void> {
  const failed: Written[] = [];
  let taken: boolean[];
  try {
    taken = await claimPaths(state, batch);
  } catch (e) {
    for (const { f, r } of batch) {
      discardPart(state.out, r.staged);
      failed.push(r);
      state.fail(
        f.absPath,
        'E_IO',
        `not written: the output list could not record it (${describeError(e).message})`,
        r.bytesIn,
      );
    }
    await unrecord(state, failed);
    return;
  }
  const found: string[] = [];
  const items = batch.map((item, i) => ({ item, taken: taken[i] === true }));
  await forEachLimit(items, PUBLISH_CONCURRENCY, async ({ item, taken: there }) => {
    const o = await place(state, item, there);
    // dcmblind's own output (identical bytes): listed, in case an earlier run's list lost it.
    if (o.kind === 'unchanged') found.push(item.r.outRel);
    if (o.kind === 'failed') failed.push(item.r);
    state.record(o);
  });
  await state.output.outputs.placing(found).catch(() => {});
  await unrecord(state, failed);
}
