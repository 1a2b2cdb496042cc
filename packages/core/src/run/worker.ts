/** piscina worker entry: one TaskRunner per thread, built from the pool's workerData. */
import { workerData } from 'piscina';
import type { Gathered, GatherTask } from './gather-task.js';
import { type Task, type TaskResult, TaskRunner, type WorkerConfig } from './task.js';

const runner = new TaskRunner(workerData as WorkerConfig);

/** A header-pass task (run/gather.ts) or a file to de-identify. */
export default function run(task: Task | GatherTask): TaskResult | Gathered {
  return 'kind' in task && task.kind === 'gather' ? runner.gather(task) : runner.run(task as Task);
}
