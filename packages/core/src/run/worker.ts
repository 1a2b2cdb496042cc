/** piscina worker entry: one TaskRunner per thread, built from the pool's workerData. */
import { workerData } from 'piscina';
import type { Batch } from './batches.js';
import type { Gathered, GatherTask } from './gather-task.js';
import { type Task, type TaskResult, TaskRunner, type WorkerConfig } from './task.js';
import { useOcrService } from '../pixels/text/ocr-service.js';

const config = workerData as WorkerConfig;
const runner = new TaskRunner(config);
// One OCR engine for the run, in its main thread: this thread sends it pages.
if (config.ocrChannel) useOcrService(config.ocrChannel);

type One = Task | GatherTask;

type Result = TaskResult | Gathered;

/** A header-pass task (run/gather.ts) or a file to de-identify (a promise when its pixels are OCR'd). */
function one(task: One): Result | Promise<Result> {
  return 'kind' in task && task.kind === 'gather' ? runner.gather(task) : runner.run(task as Task);
}

/**
 * One task, or a batch of them (run/batches.ts): one result each, in order. A file whose pixels
 * are OCR'd waits for the run's OCR engine: the batch's next file starts only when it is done,
 * so a thread holds one such file at a time, not a batch of them (each holds its pixels twice).
 */
export default function run(task: One | Batch<One>): Result | Result[] | Promise<Result | Result[]> {
  if (!('batch' in task)) return one(task);
  const results: Result[] = [];
  for (const [i, t] of task.batch.entries()) {
    const r = one(t);
    if (r instanceof Promise) return finishBatch(task.batch, i, r, results);
    results.push(r);
  }
  return results;
}

/** The rest of a batch after a file that must wait: one file at a time. */
async function finishBatch(
  batch: readonly One[],
  at: number,
  waiting: Promise<Result>,
  results: Result[],
): Promise<Result[]> {
  results.push(await waiting);
  for (const t of batch.slice(at + 1)) results.push(await one(t));
  return results;
}
