/**
 * `dcmblind run`: stream the inputs into a worker pool, record each result in the key
 * journal (group commit: one fsync per batch), then rename the batch into place. One bad
 * file is reported and skipped; the run goes on. Reruns skip what is done.
 *
 * The stages, each in its own file: start (pool, key, output) → plan (walk, shard, resume; once
 * per pass) → gather (header pass: the cohort's identifying values) → dispatch (work pass:
 * pool) → accept (checks) → commit (journal) → publish (output list, renames) → finish
 * (sweeps, DICOMDIRs, key, summary).
 * They share one RunState.
 */
import { Committer } from './commit.js';
import type { FileOutcome, RunConfig, RunSummary } from './config.js';
import { dispatchAll } from './dispatch.js';
import { finishRun } from './finish.js';
import { gatherCohort } from './gather.js';
import { planInputs } from './plan.js';
import { startRun } from './start.js';

export type { FileOutcome, RunConfig, RunSummary } from './config.js';
export { shardOf } from './plan.js';

export async function runDeidentify(
  cfg: RunConfig,
  onFile: (o: FileOutcome, s: RunSummary) => void = () => {},
): Promise<RunSummary> {
  const t0 = performance.now();
  const { state, pool, keyReady, ocr } = await startRun(cfg, onFile);
  try {
    const committer = new Committer(state, keyReady);
    // Two streaming walks (see plan.ts): no list of the inputs is held.
    const cohort = await gatherCohort(state, pool, planInputs(state, 'header'), committer);
    state.claimed.reserve(cohort.planned);
    if (cohort.planned > 0 || state.workPassNeeded)
      await dispatchAll(state, pool, committer, planInputs(state, 'work'), cohort);
    else await committer.drained(); // a no-op rerun: nothing to hand to the workers
  } finally {
    await pool.destroy();
    await ocr?.close();
  }
  return finishRun(state, t0);
}
