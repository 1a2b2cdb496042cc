/**
 * Dispatching: each planned file goes to the worker pool in batches (run/batches.ts; at most four
 * batches per thread in flight, and no more while two commit batches wait for the disk); what
 * comes back is sorted and handed to the committer. A worker that dies takes only its file with it.
 */
import type { Piscina } from 'piscina';
import { ALONE_ABOVE, BATCH_FILES, Batches, InFlight } from './batches.js';
import { describeError } from '../errors.js';
import { sortResult } from './accept.js';
import type { Committer } from './commit.js';
import { willNeed } from './native.js';
import { weighted } from './size-queue.js';
import type { Cohort } from './gather.js';
import type { Planned } from './plan.js';
import type { RunState } from './state.js';
import { HEAD_ONLY_ABOVE, type Task, type TaskResult } from './task.js';

/** The identifying values of the file's patient (of each candidate, see PatientOf). */
function valuesOf(cohort: Cohort, absPath: string): readonly string[] {
  const keys = cohort.patientOf.keysOf(absPath);
  if (keys.length === 1) return cohort.patients.get(keys[0] as string) ?? [];
  return [...new Set(keys.flatMap((k) => cohort.patients.get(k) ?? []))];
}

/** Hand one file to the pool; the promise settles when its result is sorted. */
function dispatch(
  state: RunState,
  pool: Batches<Task, TaskResult>,
  committer: Committer,
  { f, stat, subject }: Planned,
  cohort: Cohort,
): Promise<void> {
  // Its bytes start coming into the page cache now, while the workers finish the files
  // ahead of it (~15% off a cold run of small files). Big files stream with readahead.
  if (!f.bytes && stat.size <= HEAD_ONLY_ABOVE) willNeed(f.absPath);
  const task = (bytes: Uint8Array | undefined): Task => ({
    absPath: f.absPath,
    relPath: f.relPath,
    ...(f.legacyFrom !== undefined ? { legacyFrom: f.legacyFrom } : {}),
    secret: state.settings.secretBytes,
    ...(bytes ? { bytes } : {}),
    ...(subject ? { subject } : {}),
    cohort: {
      id: cohort.id,
      names: cohort.names,
      patientNamed: cohort.patientNamed,
      ids: cohort.ids,
      suffixed: cohort.suffixed,
    },
    patientValues: valuesOf(cohort, f.absPath),
  });
  return (f.bytes ? f.bytes() : Promise.resolve(undefined))
    .then((bytes) =>
      bytes !== undefined || stat.size > ALONE_ABOVE
        ? // Alone, and weighed: the pool's queue hands out the biggest waiting file first.
          pool.run(weighted(task(bytes), bytes?.length ?? stat.size), true)
        : pool.run(task(bytes)),
    )
    .then((r: TaskResult) => {
      const written = sortResult(state, f, r);
      if (written) committer.add({ f, r: written, stat });
    })
    .catch((e: unknown) => {
      state.workerDied = true;
      const d = describeError(e);
      state.fail(f.absPath, d.code, d.code === 'E_INTERNAL' ? `worker failed: ${d.message}` : d.message);
    });
}

/** Run every planned file through the pool; returns when all are sorted and committed. */
export async function dispatchAll(
  state: RunState,
  pool: Piscina,
  committer: Committer,
  planned: AsyncIterable<Planned>,
  cohort: Cohort,
): Promise<void> {
  const batches = new Batches<Task, TaskResult>(pool, BATCH_FILES);
  const inflight = new InFlight(pool.options.maxThreads);
  try {
    for await (const p of planned) {
      if (!p.mine) continue;
      if (state.settings.cfg.signal?.aborted) {
        state.summary.interrupted = true;
        break;
      }
      if (state.keyFailure !== undefined) break;
      await committer.backpressure();
      inflight.add(dispatch(state, batches, committer, p, cohort), p.f.bytes !== undefined);
      await inflight.room();
    }
    await inflight.settled();
    committer.flush();
  } finally {
    await inflight.settled().catch(() => {});
    if (batches.died) state.workerDied = true;
    committer.flush();
    await committer.drained();
  }
}
