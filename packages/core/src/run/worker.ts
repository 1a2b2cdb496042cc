/** piscina worker entry: one TaskRunner per thread, built from the pool's workerData. */
import { workerData } from 'piscina';
import { type Task, type TaskResult, TaskRunner, type WorkerConfig } from './task.js';

const runner = new TaskRunner(workerData as WorkerConfig);

export default function run(task: Task): TaskResult {
  return runner.run(task);
}
