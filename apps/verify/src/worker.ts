/** piscina entry: source and output scans, with the seed matcher built once per thread. */
import { workerData } from 'piscina';
import type { OutputFacts, OutputTask, ScanContext, SourceFacts } from './facts.js';
import { scanOutput } from './output-scan.js';
import { digitPatterns } from './digits.js';
import { foldedPatterns } from './folded-names.js';
import { nativeSeeds } from './native-names.js';
import { Matcher } from './search.js';
import { patternsOf, type Seed } from './seeds.js';
import { addSafeEntries } from './safe-private.js';
import { scanSource } from './source-scan.js';
import { scanZipSource } from './zip-source.js';

const data = (workerData ?? {}) as {
  seeds?: Seed[];
  dates?: string[];
  hashKey?: Uint8Array;
  pseudonymPrefix?: string;
  safeExtra?: Array<[string, string]>;
  subjectIds?: string[];
};
if (data.safeExtra) addSafeEntries(data.safeExtra);
const ctx: ScanContext | undefined = data.seeds
  ? {
      seeds: data.seeds,
      matcher: new Matcher(patternsOf(data.seeds)),
      digits: new Matcher(digitPatterns(data.seeds)),
      folded: new Matcher(foldedPatterns(data.seeds)),
      nativeNames: nativeSeeds(data.seeds),
      dates: new Set(data.dates ?? []),
      hashKey: Buffer.from(data.hashKey ?? new Uint8Array(32)),
      ...(data.pseudonymPrefix === undefined ? {} : { pseudonymPrefix: data.pseudonymPrefix }),
      ...(data.subjectIds ? { subjectIds: new Set(data.subjectIds) } : {}),
    }
  : undefined;

/** A worker's job: read a source for what could leak, or an output for what did. */
export type WorkerTask =
  | { readonly kind: 'source'; readonly path: string }
  | { readonly kind: 'source-zip'; readonly path: string }
  | ({ readonly kind: 'output' } & OutputTask);

/** One task, in a worker thread. A zip that does not open is scanned as a file (it is reported so). */
export default async function run(task: WorkerTask): Promise<SourceFacts | SourceFacts[] | OutputFacts> {
  if (task.kind === 'source') return scanSource(task.path);
  if (task.kind === 'source-zip') return (await scanZipSource(task.path)) ?? scanSource(task.path);
  if (!ctx) throw new Error('output scan without seeds');
  return scanOutput(task, ctx);
}
