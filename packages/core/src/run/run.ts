/**
 * `dcmblind run`: stream the inputs into a worker pool, record each result in the key
 * journal (group commit: one fsync per batch), then rename the batch into place. One bad
 * file is reported and skipped; the run goes on. Reruns skip what is done.
 *
 * The stages, each in its own file: start (pool, key, output) → plan (walk, shard, resume) →
 * dispatch (pool) → accept (checks) → commit (journal) → publish (output list, renames) →
 * finish (sweeps, DICOMDIRs, key, summary). They share one RunState.
 */
import { Committer } from './commit.js';
import type { FileOutcome, RunConfig, RunSummary } from './config.js';
import { dispatchAll } from './dispatch.js';
import { finishRun } from './finish.js';
import { startRun } from './start.js';

export type { FileOutcome, RunConfig, RunSummary } from './config.js';
export { shardOf } from './plan.js';

export async function runDeidentify(
  cfg: RunConfig,
  onFile: (o: FileOutcome, s: RunSummary) => void = () => {},
): Promise<RunSummary> {
  const t0 = performance.now();
  const { state, pool, keyReady } = await startRun(cfg, onFile);
  try {
    await dispatchAll(state, pool, new Committer(state, keyReady));
  } finally {
    await pool.destroy();
  }
  return finishRun(state, t0);
}
