/** piscina worker entry: one TaskRunner per thread, built from the pool's workerData. */
import { workerData } from 'piscina';
import type { Batch } from './batches.js';
import type { Gathered, GatherTask } from './gather-task.js';
import { type Task, type TaskResult, TaskRunner, type WorkerConfig } from './task.js';

const runner = new TaskRunner(workerData as WorkerConfig);

type One = Task | GatherTask;

/** A header-pass task (run/gather.ts) or a file to de-identify. */
function one(task: One): TaskResult | Gathered {
  return 'kind' in task && task.kind === 'gather' ? runner.gather(task) : runner.run(task as Task);
}

/** One task, or a batch of them (run/batches.ts): one result each, in order. */
export default function run(task: One | Batch<One>): TaskResult | Gathered | (TaskResult | Gathered)[] {
  return 'batch' in task ? task.batch.map(one) : one(task);
}
