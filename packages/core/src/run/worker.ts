/** piscina worker entry: one TaskRunner per thread, built from the pool's workerData. */
import { workerData } from 'piscina';
import type { Batch } from './batches.js';
import type { Gathered, GatherTask } from './gather-task.js';
import { type Task, type TaskResult, TaskRunner, type WorkerConfig } from './task.js';

const runner = new TaskRunner(workerData as WorkerConfig);

type One = Task | GatherTask;

type Result = TaskResult | Gathered;

/** A header-pass task (run/gather.ts) or a file to de-identify (a promise when its pixels are OCR'd). */
function one(task: One): Result | Promise<Result> {
  return 'kind' in task && task.kind === 'gather' ? runner.gather(task) : runner.run(task as Task);
}

/** One task, or a batch of them (run/batches.ts): one result each, in order. */
export default function run(task: One | Batch<One>): Result | Result[] | Promise<Result | Result[]> {
  if (!('batch' in task)) return one(task);
  const results = task.batch.map(one);
  return results.some((r) => r instanceof Promise) ? Promise.all(results) : (results as Result[]);
}
