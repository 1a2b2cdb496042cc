/**
 * Starting a run: the worker thread pool (its threads load with the first file that needs one; a
 * new key's work can start on its random secret before its file exists); then the output is opened
 * (refusals, --force-rebuild, manifest, resume index) and the inputs get their order and roots.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Piscina } from 'piscina';
import { holdYoungGeneration } from '../heap.js';
import { ProjectSecret } from '../identity/secret.js';
import type { KeyStore } from '../key/store.js';
import { ENGINE_VERSION } from '../version.js';
import { type FileOutcome, newSummary, type RunConfig, type RunSummary } from './config.js';
import { earlierRoots, planInputRoots } from './input-roots.js';
import type { Manifest } from './manifest.js';
import { type OpenedOutput, openOutput } from './open-output.js';
import { beginOutput, endOutput } from './output.js';
import { RunState } from './state.js';
import { SizeOrderedQueue } from './size-queue.js';
import type { PixelScan } from '../pixels/text/scan.js';
import { OcrService } from '../pixels/text/ocr-service.js';
import type { WorkerConfig } from './task.js';
import { coreFile } from '../package-files.js';

export interface Started {
  readonly state: RunState;
  readonly pool: Piscina;
  /** The run's one OCR engine, when pixels are scanned (pixels/text/ocr-service.ts). */
  readonly ocr: OcrService | undefined;
  /** Settles when the key is usable (a new key: when its file exists). */
  readonly keyReady: Promise<KeyStore>;
}

function startPool(cfg: RunConfig, ocr: OcrService | undefined): Piscina {
  const workerConfig: WorkerConfig = {
    profile: cfg.profile,
    options: cfg.options,
    pseudonymPrefix: cfg.pseudonymPrefix,
    dateOffset: cfg.dateOffset,
    layout: cfg.layout ?? 'mirror',
    out: cfg.out,
    dryRun: cfg.dryRun ?? false,
    patientScope: cfg.patientScope ?? 'global',
    ...(cfg.shard ? { shardTag: `s${cfg.shard.index}` } : {}),
    ...(pixelScanOf(cfg) ? { pixelScan: pixelScanOf(cfg) } : {}),
    ...(ocr ? { ocrChannel: ocr.name } : {}),
    ...(pixelScanOf(cfg) && cfg.pixelRules ? { pixelRules: cfg.pixelRules } : {}),
    ...(cfg.recipe ? { recipe: { file: cfg.recipe.file, sha256: cfg.recipe.sha256 } } : {}),
  };
  const threads = Math.max(1, cfg.workers ?? cpus().length);
  const youngMb = pixelScanOf(cfg) ? PIXEL_WORKER_YOUNG_MB : WORKER_YOUNG_MB;
  holdYoungGeneration(youngMb / 3);
  const pool = new Piscina({
    filename: coreFile('dist/run/worker.js').href,
    workerData: workerConfig,
    // Threads start with the first file that needs one, and stay: a no-op rerun starts none
    // (each costs ~40 MB and half a second of loading).
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: Number.POSITIVE_INFINITY,
    // A second task waits in each thread's queue, so a thread never idles for a round trip.
    concurrentTasksPerWorker: 2,
    // Biggest file first (run/size-queue.ts): no thread is left alone with a big file at the end.
    taskQueue: new SizeOrderedQueue(),
    // A file's live heap is a few MB (its bytes are outside the heap); without a ceiling V8
    // lets each thread's heap grow to ~150 MB over a long run. An outgrown ceiling fails
    // that one file (reported), never the run.
    resourceLimits: { maxOldGenerationSizeMb: WORKER_OLD_MB, maxYoungGenerationSizeMb: youngMb },
  });
  pool.on('workerCreate', () => holdYoungGeneration(youngMb / 3));
  return pool;
}

/**
 * Heap ceilings of a worker thread (MB): its live heap measured 30–40 MB on real CT headers, so
 * this is room to spare; 100,000 files peaked at 346 MB with these and 591 MB without.
 */
const WORKER_OLD_MB = 96;
const WORKER_YOUNG_MB = 12;
/**
 * A thread scanning pixels makes and drops a few MB of frames, planes and pages per frame, held
 * outside its heap until a collection frees their wrappers; a smaller young generation collects
 * them sooner. 100 ultrasound frames on 2 threads: peak 303–310 MB with 12, 290 MB with 6, no slower.
 * V8 splits a young generation into two semi-spaces of a third each (and a third for large
 * objects).
 */
const PIXEL_WORKER_YOUNG_MB = 6;

/** What a new manifest of this run says (its output id is settled when the output is opened). */
function wantedManifest(cfg: RunConfig, secret: ProjectSecret): Manifest {
  return {
    format: 1,
    keyFingerprint: secret.fingerprint(),
    profile: cfg.profile,
    options: cfg.options,
    layout: cfg.layout ?? 'mirror',
    pseudonymPrefix: cfg.pseudonymPrefix,
    dateOffset: cfg.dateOffset,
    engineVersion: ENGINE_VERSION,
    ...(cfg.subjectIds === 'source-sha256' ? { subjectIds: 'source-sha256' } : {}),
    ...(cfg.patientScope === 'issuer' ? { patientScope: 'issuer' } : {}),
    ...(pixelScanOf(cfg) ? { pixelScan: pixelScanOf(cfg) } : {}),
    // The user's rules shape the output: a changed file is a changed configuration.
    ...(pixelScanOf(cfg) && cfg.pixelRules
      ? { pixelRules: createHash('sha256').update(readFileSync(cfg.pixelRules)).digest('hex').slice(0, 16) }
      : {}),
    // The recipe shapes the output: a changed recipe (or subjects table) is a changed configuration.
    ...(cfg.recipe ? { recipe: { name: cfg.recipe.name, sha256: cfg.recipe.sha256 } } : {}),
    ...(cfg.allowIdentifying?.length ? { allowIdentifying: cfg.allowIdentifying } : {}),
  };
}

/** Which files have their pixels scanned: only with the Clean Pixel Data Option (at-risk by default). */
function pixelScanOf(cfg: RunConfig): PixelScan | undefined {
  return cfg.options.includes('clean-pixel-data') ? (cfg.pixelScan ?? 'at-risk') : undefined;
}

/** Open the output; a run that must not start throws before anything of it stays behind. */
function open(
  cfg: RunConfig,
  secret: ProjectSecret,
  key: KeyStore | undefined,
  shardTag: string,
  runId: string,
) {
  const dryRun = cfg.dryRun ?? false;
  const output: OpenedOutput = openOutput({
    out: cfg.out,
    want: wantedManifest(cfg, secret),
    key: key?.payload,
    layout: cfg.layout ?? 'mirror',
    forceRebuild: Boolean(cfg.forceRebuild),
    dryRun,
    shardTag,
    runId,
  });
  if (!dryRun) beginOutput(cfg.out, shardTag);
  const outputId = output.manifest.outputId as string;
  // Blinded runs read their inputs in an order keyed by the secret, not the order given.
  const inputs =
    cfg.layout === 'blinding'
      ? [...cfg.inputs].sort((a, b) => (secret.label('order', a) < secret.label('order', b) ? -1 : 1))
      : [...cfg.inputs];
  try {
    return { output, inputs, roots: planInputRoots(inputs, earlierRoots(key?.payload.runs ?? [], outputId)) };
  } catch (e) {
    output.outputs.close(false);
    if (!dryRun) endOutput(cfg.out, false, shardTag);
    throw e;
  }
}

/** Start the pool, settle the secret, open the output: everything the stages need, or a refusal. */
export async function startRun(
  cfg: RunConfig,
  onFile: (o: FileOutcome, s: RunSummary) => void,
): Promise<Started> {
  // Named per run and process: two runs in one process (tests) each have their own.
  const ocr = pixelScanOf(cfg)
    ? new OcrService(`dcmblind-ocr-${process.pid}-${randomBytes(6).toString('hex')}`)
    : undefined;
  const pool = startPool(cfg, ocr);
  try {
    // A key being created knows its secret at once: files are read and de-identified while the
    // passphrase is stretched, and nothing is recorded or placed until the key file exists.
    const keyReady = Promise.resolve(cfg.key);
    const key = cfg.newKeySecret ? undefined : await keyReady;
    const secretBytes = cfg.newKeySecret ?? (key as KeyStore).secret;
    const secret = new ProjectSecret(secretBytes);
    const shardTag = cfg.shard ? `s${cfg.shard.index}` : '';
    const runId = `${new Date().toISOString()}-${randomBytes(3).toString('hex')}`;
    const { output, inputs, roots } = open(cfg, secret, key, shardTag, runId);
    const layout = cfg.layout ?? 'mirror';
    const dryRun = cfg.dryRun ?? false;
    const settings = { cfg, layout, dryRun, secret, secretBytes, shardTag, runId, inputs, roots };
    const state = new RunState(
      { ...settings, startedAt: new Date().toISOString() },
      output,
      newSummary(dryRun, output.cleared),
      key,
      onFile,
    );
    // A key that fails to come (its creation failed) stops the run at its next step.
    keyReady.catch((e: unknown) => {
      state.keyFailure ??= e;
    });
    return { state, pool, keyReady, ocr };
  } catch (e) {
    await pool.destroy();
    await ocr?.close();
    throw e;
  }
}
