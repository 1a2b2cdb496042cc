/** piscina entry: source and output scans, with the seed matcher built once per thread. */
import { workerData } from 'piscina';
import type { OutputFacts, OutputTask, ScanContext, SourceFacts } from './facts.js';
import { scanOutput } from './output-scan.js';
import { Matcher } from './search.js';
import { patternsOf, type Seed } from './seeds.js';
import { scanSource } from './source-scan.js';

const data = (workerData ?? {}) as { seeds?: Seed[]; hashKey?: Uint8Array };
const ctx: ScanContext | undefined = data.seeds
  ? {
      seeds: data.seeds,
      matcher: new Matcher(patternsOf(data.seeds)),
      hashKey: Buffer.from(data.hashKey ?? new Uint8Array(32)),
    }
  : undefined;

/** A worker's job: read a source for what could leak, or an output for what did. */
export type WorkerTask =
  | { readonly kind: 'source'; readonly path: string }
  | ({ readonly kind: 'output' } & OutputTask);

/** One task, in a worker thread. */
export default function run(task: WorkerTask): SourceFacts | OutputFacts {
  if (task.kind === 'source') return scanSource(task.path);
  if (!ctx) throw new Error('output scan without seeds');
  return scanOutput(task, ctx);
}
