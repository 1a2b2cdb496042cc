/**
 * `dcmblind run`: stream the inputs into a worker pool, record each result in the key
 * journal (group commit: one fsync per batch), then rename the batch into place. One bad
 * file is reported and skipped; the run goes on. Reruns skip what is done.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Dirent, existsSync, readdirSync, statSync } from 'node:fs';
import { access, readFile, rename } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { describeError, type ErrorCode } from '../errors.js';
import { ProjectSecret } from '../identity/secret.js';
import type { FileRecord, JournalEntry } from '../key/records.js';
import type { KeyStore } from '../key/store.js';
import type { OptionName } from '../profile/options.js';
import { ENGINE_VERSION } from '../version.js';
import type { Layout } from './layout.js';
import { excluder, namedLikeDicom } from './exclude.js';
import type { Manifest } from './manifest.js';
import { rebuildDicomdir, settleTimes } from './media.js';
import { willNeed } from './native.js';
import { readDicomFile, textOf } from '../dicom/read-file.js';
import { T } from '../dicom/tag.js';
import { earlierRoots, type InputRoot, planInputRoots } from './input-roots.js';
import { openOutput } from './open-output.js';
import { beginOutput, discardPart, endOutput, PART_SUFFIX, STATE_DIR } from './output.js';
import { HEAD_ONLY_ABOVE, type Task, type TaskResult, type WorkerConfig, type Written } from './task.js';
import { type InputFile, walkInputs, type WalkProblem } from './walk.js';

export interface RunConfig {
  readonly inputs: readonly string[];
  readonly out: string;
  /** The key, or its unlocking in progress: the worker threads start meanwhile. */
  readonly key: KeyStore | Promise<KeyStore>;
  /**
   * Set when `key` is a key being created (empty, so nothing is done yet): its secret, known
   * before the passphrase derivation ends, so work starts at once.
   */
  readonly newKeySecret?: Uint8Array;
  readonly profile: string;
  readonly options: readonly OptionName[];
  readonly pseudonymPrefix: string;
  readonly dateOffset: { readonly min: number; readonly max: number };
  readonly layout?: Layout;
  readonly workers?: number;
  readonly dryRun?: boolean;
  readonly forceRebuild?: boolean;
  /** Abort to stop cleanly: in-flight files finish and are recorded, nothing new starts. */
  readonly signal?: AbortSignal;
  /** Blinding: name subjects by the keyed hash of the patient (default) or by the SHA-256 of their source zip. */
  readonly subjectIds?: 'hmac' | 'source-sha256';
  /** Process only shard `index` (1-based) of `count`: a deterministic part of the inputs. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** `issuer`: equal PatientIDs under different IssuerOfPatientID are different patients. */
  readonly patientScope?: 'global' | 'issuer';
  /** Globs of input paths not to read (besides operating-system debris, always left out). */
  readonly exclude?: readonly string[];
}

/**
 * Which shard an input belongs to: by archive (a zip is one subject), or for the blinding
 * layout by top-level folder (a subject's DICOMDIR needs all of it), else by file.
 */
export function shardOf(f: InputFile, layout: Layout, count: number): number {
  const unit = f.archive?.path ?? (layout === 'blinding' ? (f.relPath.split('/')[0] as string) : f.relPath);
  return (createHash('sha256').update(unit).digest().readUInt32BE(0) % count) + 1;
}

export type FileOutcome =
  | {
      readonly kind: 'written' | 'unchanged' | 'done';
      readonly source: string;
      readonly output: string;
      readonly bytesIn: number;
      readonly bytesOut: number;
    }
  | {
      readonly kind: 'quarantined' | 'skipped';
      readonly source: string;
      readonly reason: string;
      readonly bytesIn: number;
      /** A folder left out whole: how many files it holds (counted among the skipped). */
      readonly files?: number;
    }
  | {
      readonly kind: 'failed';
      readonly source: string;
      readonly code: ErrorCode | 'E_INTERNAL';
      readonly reason: string;
      readonly bytesIn: number;
    };

export interface RunSummary {
  written: number;
  unchanged: number;
  /** Skipped as already done by an earlier run (same source, configuration and engine). */
  done: number;
  quarantined: number;
  skipped: number;
  failed: number;
  patients: number;
  bytesIn: number;
  bytesOut: number;
  elapsedMs: number;
  interrupted: boolean;
  dryRun: boolean;
  /** Peak resident memory of the whole process (all worker threads), in MB. */
  peakRssMB: number;
  failures: Array<{ path: string; code: string; reason: string }>;
  quarantine: Array<{ path: string; reason: string }>;
  /** Rules fired, "ACTION source" → count (filled for --dry-run). */
  rules: Record<string, number>;
  /** Things the operator should know that are not about one file (an --exclude that matched nothing). */
  warnings: string[];
  /** --force-rebuild: files of the earlier configuration removed, files kept (not dcmblind's), and the log naming them. */
  rebuild?: { removed: number; kept: number; log: string };
}

const BATCH = 512;
const BATCH_MS = 1000;
/** Renames in flight at once (libuv's pool has four threads by default). */
const PUBLISH_CONCURRENCY = 8;

export async function runDeidentify(
  runCfg: RunConfig,
  onFile: (o: FileOutcome, s: RunSummary) => void = () => {},
): Promise<RunSummary> {
  const t0 = performance.now();
  const layout = runCfg.layout ?? 'mirror';
  const dryRun = runCfg.dryRun ?? false;
  // Threads load their code while the key is being unlocked; the secret travels with each task.
  const workerConfig: WorkerConfig = {
    profile: runCfg.profile,
    options: runCfg.options,
    pseudonymPrefix: runCfg.pseudonymPrefix,
    dateOffset: runCfg.dateOffset,
    layout,
    out: runCfg.out,
    dryRun,
    patientScope: runCfg.patientScope ?? 'global',
    ...(runCfg.shard ? { shardTag: `s${runCfg.shard.index}` } : {}),
  };
  const threads = Math.max(1, runCfg.workers ?? cpus().length);
  const pool = new Piscina({
    filename: new URL('./worker.js', import.meta.url).href,
    workerData: workerConfig,
    minThreads: threads,
    maxThreads: threads,
    // A second task waits in each thread's queue, so a thread never idles for a round trip.
    concurrentTasksPerWorker: 2,
  });
  // A key being created knows its secret at once: files are read and de-identified while the
  // passphrase is stretched, and nothing is recorded or placed until the key file exists.
  const keyReady = Promise.resolve(runCfg.key);
  let key: KeyStore | undefined = runCfg.key instanceof Promise ? undefined : runCfg.key;
  let keyFailure: unknown;
  let secretBytes: Uint8Array;
  try {
    if (runCfg.newKeySecret) {
      secretBytes = runCfg.newKeySecret;
      keyReady.catch((e: unknown) => {
        keyFailure ??= e;
      });
    } else {
      key = await keyReady;
      secretBytes = key.secret;
    }
  } catch (e) {
    await pool.destroy();
    throw e;
  }
  const cfg = runCfg;
  const secret = new ProjectSecret(secretBytes);
  const want: Manifest = {
    format: 1,
    keyFingerprint: secret.fingerprint(),
    profile: cfg.profile,
    options: cfg.options,
    layout,
    pseudonymPrefix: cfg.pseudonymPrefix,
    dateOffset: cfg.dateOffset,
    engineVersion: ENGINE_VERSION,
    ...(cfg.subjectIds === 'source-sha256' ? { subjectIds: 'source-sha256' } : {}),
    ...(cfg.patientScope === 'issuer' ? { patientScope: 'issuer' } : {}),
  };
  const shardTag = cfg.shard ? `s${cfg.shard.index}` : '';
  const runId = `${new Date().toISOString()}-${randomBytes(3).toString('hex')}`;
  let opened: ReturnType<typeof openOutput>;
  try {
    opened = openOutput({
      out: cfg.out,
      want,
      key: key?.payload,
      layout,
      forceRebuild: Boolean(cfg.forceRebuild),
      dryRun,
      shardTag,
      runId,
    });
    if (!dryRun) beginOutput(cfg.out, shardTag);
  } catch (e) {
    await pool.destroy();
    throw e;
  }
  const { config, outputs, doneBySource, doneByOutput, ledger } = opened;
  const outputId = opened.manifest.outputId as string;
  const blinding = layout === 'blinding';
  // Blinded runs read their inputs in an order keyed by the secret, not the order given.
  const inputs = blinding
    ? [...cfg.inputs].sort((a, b) => (secret.label('order', a) < secret.label('order', b) ? -1 : 1))
    : [...cfg.inputs];
  let roots: InputRoot[];
  try {
    roots = planInputRoots(inputs, earlierRoots(key?.payload.runs ?? [], outputId));
  } catch (e) {
    opened.outputs.close(false);
    if (!dryRun) endOutput(cfg.out, false, shardTag);
    await pool.destroy();
    throw e;
  }

  const summary: RunSummary = {
    written: 0,
    unchanged: 0,
    done: 0,
    quarantined: 0,
    skipped: 0,
    failed: 0,
    patients: 0,
    bytesIn: 0,
    bytesOut: 0,
    elapsedMs: 0,
    interrupted: false,
    dryRun,
    peakRssMB: 0,
    failures: [],
    quarantine: [],
    rules: {},
    warnings: [],
    ...(opened.cleared
      ? {
          rebuild: {
            removed: opened.cleared.removed.length,
            kept: opened.cleared.kept.length,
            log: opened.cleared.log,
          },
        }
      : {}),
  };
  const patients = new Map<string, number>(); // pseudonym → outputs of this run and done ones
  const addPatient = (p: string) => patients.set(p, (patients.get(p) ?? 0) + 1);
  const claimed = new Map<string, string>(); // output path → source sha256, this run
  const folderOwner = new Map<string, string>(); // source folder replaced by a pseudonym → that pseudonym
  const problems: WalkProblem[] = [];

  const record = (o: FileOutcome) => {
    summary.bytesIn += o.bytesIn;
    if (o.kind === 'written' || o.kind === 'unchanged' || o.kind === 'done') {
      summary[o.kind] += 1;
      summary.bytesOut += o.bytesOut;
    } else if (o.kind === 'failed') {
      summary.failed += 1;
      summary.failures.push({ path: o.source, code: o.code, reason: o.reason });
    } else {
      summary[o.kind] += ('files' in o ? o.files : undefined) ?? 1;
      if (o.kind === 'quarantined') summary.quarantine.push({ path: o.source, reason: o.reason });
    }
    onFile(o, summary);
  };

  // Results wait here until their journal records are durable, then become visible together.
  // Checks run at once on the main thread (they decide what is accepted); the journal write,
  // its fsync and the renames run off it, one batch after another, while workers carry on.
  let pending: Array<{ f: InputFile; r: Written; stat: { size: number; mtimeMs: number } }> = [];
  let lastFlush = performance.now();
  const startedAt = new Date().toISOString();
  let committing: Promise<void> = keyReady.then(
    async (k) => {
      key = k;
      site = siteOf();
      // Records of outputs --force-rebuild removed go with the run's start.
      if (!dryRun)
        await k.appendAsync([
          ...opened.dropped,
          {
            type: 'run',
            record: {
              runId,
              startedAt,
              profile: cfg.profile,
              options: cfg.options,
              engineVersion: ENGINE_VERSION,
              outputId,
              out: cfg.out,
              inputs: roots,
            },
          },
        ]);
    },
    (e: unknown) => {
      keyFailure ??= e;
    },
  );
  let outstanding = 0; // batches handed to `committing` and not yet done
  const patientOwner = new Map<string, string>(); // pseudonym → source patient key, this run
  // A site key names its site on every record (read when the key is open; a new key has none).
  const siteOf = () => key?.payload.site;
  let site: string | undefined;
  let workerDied = false;
  const flush = () => {
    const batch = pending;
    pending = [];
    lastFlush = performance.now();
    if (batch.length === 0) return;
    const entries: JournalEntry[] = [];
    const accepted: typeof batch = [];
    const duplicates: typeof batch = [];
    for (const item of batch) {
      const { f, r } = item;
      const fail = (code: ErrorCode, reason: string) => {
        if (r.staged) discardPart(cfg.out, r.staged);
        record({ kind: 'failed', source: f.absPath, code, reason, bytesIn: r.bytesIn });
      };
      // The same source placed by an earlier run under another path (given with another input
      // root, or changed since): writing it again would put a second copy in the output.
      const earlier = doneBySource.get(f.absPath);
      if (earlier && earlier.outputPath !== r.outRel && outputIntact(cfg.out, earlier)) {
        const changed = earlier.sourceSha256 !== r.sha256 ? ' (its content changed since)' : '';
        fail(
          'E_ALREADY_WRITTEN',
          `already written to ${earlier.outputPath} by an earlier run into this output${changed}; this run would write it again as ${r.outRel}. Give the inputs as that run did (the same folder, not its parent or a subfolder), or use a new --out`,
        );
        continue;
      }
      const prior = claimed.get(r.outRel);
      if (prior !== undefined && prior !== r.sha256) {
        fail(
          'E_PATH_CONFLICT',
          `another input file of this run maps to output ${r.outRel}; nothing overwritten`,
        );
        continue;
      }
      const owner =
        patientOwner.get(r.patient.pseudonym) ?? key?.payload.patients[r.patient.pseudonym]?.patientKey;
      if (owner !== undefined && owner !== r.patient.patientKey) {
        fail(
          'E_MIXED_PATIENTS',
          `pseudonym folder ${r.patient.pseudonym} already belongs to another source patient; nothing written`,
        );
        continue;
      }
      const mixed = [...folderOwnersOf(f.relPath)].find(([, p]) => p !== r.patient.pseudonym);
      if (mixed) {
        fail(
          'E_MIXED_PATIENTS',
          `folder ${mixed[0]} holds files of several patients and its name identifies one of them; move the files into per-patient folders or use --layout patient`,
        );
        continue;
      }
      const exposed = layout === 'mirror' ? ledger.exposes(f.relPath, r.outRel) : undefined;
      if (exposed) {
        fail(
          'E_MIXED_PATIENTS',
          `folder ${exposed} is named after a patient and this file does not carry that name (another patient's file, or one without names); nothing written: move it into its own patient's folder`,
        );
        continue;
      }
      if (layout === 'mirror') ledger.add(f.relPath, r.outRel, r.patient.pseudonym);
      for (const folder of r.patientFolders) folderOwner.set(folder, r.patient.pseudonym);
      if (owner === undefined) {
        patientOwner.set(r.patient.pseudonym, r.patient.patientKey);
        entries.push({ type: 'patient', record: site ? { ...r.patient, site } : r.patient });
      }
      entries.push({
        type: 'file',
        record: {
          pseudonym: r.patient.pseudonym,
          sourcePath: f.absPath,
          sourceSha256: r.sha256,
          sourceSize: item.stat.size,
          sourceMtimeMs: item.stat.mtimeMs,
          outputPath: r.outRel,
          outputSize: r.bytesOut,
          outputId,
          sourceStudyUID: r.sourceStudyUID,
          sourceStudyDate: r.sourceStudyDate,
          sourceSeriesUID: r.sourceSeriesUID,
          sourceSOPInstanceUID: r.sourceSOPInstanceUID,
          ...(site ? { site } : {}),
          ...(f.archive
            ? {
                sourceArchive: f.archive.path,
                ...(f.archive.sha256 ? { sourceArchiveSha256: f.archive.sha256 } : {}),
              }
            : {}),
          profile: cfg.profile,
          options: cfg.options,
          engineVersion: ENGINE_VERSION,
          configId: config,
          runId,
        },
      });
      // The same content reached one output path twice in this run (identical copies of a file).
      if (prior !== undefined) duplicates.push(item);
      else accepted.push(item);
      claimed.set(r.outRel, r.sha256);
      if (prior === undefined) addPatient(r.patient.pseudonym);
    }
    outstanding += 1;
    committing = committing
      .then(async () => {
        try {
          if (keyFailure !== undefined) throw keyFailure;
          // The key learns about every output before any of them exists.
          if (!dryRun) await (key as KeyStore).appendAsync(entries);
        } catch (e) {
          keyFailure ??= e;
          for (const { f, r } of [...accepted, ...duplicates]) {
            if (r.staged) discardPart(cfg.out, r.staged);
            record({
              kind: 'failed',
              source: f.absPath,
              code: 'E_IO',
              reason: `not written: the key journal could not record it (${describeError(e).message})`,
              bytesIn: r.bytesIn,
            });
          }
          return;
        }
        for (const { f, r } of duplicates) {
          if (r.staged) discardPart(cfg.out, r.staged);
          record({
            kind: 'unchanged',
            source: f.absPath,
            output: r.outRel,
            bytesIn: r.bytesIn,
            bytesOut: r.bytesOut,
          });
        }
        if (dryRun) {
          // What the real run would find: an output this source already made, in place, is unchanged.
          for (const { f, r } of accepted) {
            const same =
              doneByOutput.get(r.outRel)?.sourceSha256 === r.sha256 &&
              (await exists(join(cfg.out, r.outRel)));
            record({
              kind: same ? 'unchanged' : 'written',
              source: f.absPath,
              output: r.outRel,
              bytesIn: r.bytesIn,
              bytesOut: r.bytesOut,
            });
          }
          return;
        }
        await publish(accepted);
      })
      .finally(() => {
        outstanding -= 1;
      });
  };

  /**
   * Make a batch visible: the manifest first (a new output's), then the output list learns every
   * path about to be placed (a path already taken is not claimed: it may be the user's file),
   * then the renames. Identical outputs found in place are dcmblind's own: listed after the fact.
   * A file that could not be placed loses the key record its batch wrote for it.
   */
  const publish = async (batch: Array<{ f: InputFile; r: Written }>) => {
    const failed: Written[] = [];
    let taken: boolean[];
    try {
      opened.ensureManifest();
      taken = await Promise.all(batch.map(({ r }) => exists(join(cfg.out, r.outRel))));
      await outputs.placing(batch.filter((_, i) => !taken[i]).map(({ r }) => r.outRel));
    } catch (e) {
      for (const { f, r } of batch) {
        discardPart(cfg.out, r.staged);
        failed.push(r);
        record({
          kind: 'failed',
          source: f.absPath,
          code: 'E_IO',
          reason: `not written: the output list could not record it (${describeError(e).message})`,
          bytesIn: r.bytesIn,
        });
      }
      await unrecord(failed);
      return;
    }
    const found: string[] = [];
    await forEachLimit(
      batch.map((item, i) => ({ ...item, taken: taken[i] === true })),
      PUBLISH_CONCURRENCY,
      async ({ f, r, taken: there }) => {
        const o = await place(f, r, there);
        if (o.kind === 'unchanged' && !outputs.has(r.outRel)) found.push(r.outRel);
        if (o.kind === 'failed') failed.push(r);
        record(o);
      },
    );
    await outputs.placing(found).catch(() => {});
    await unrecord(failed);
  };

  /** Drop the records of files that were not placed (unless an earlier run had placed the same). */
  const unrecord = async (failed: readonly Written[]) => {
    const entries: JournalEntry[] = failed
      .filter((r) => doneByOutput.get(r.outRel)?.sourceSha256 !== r.sha256)
      .map((r) => ({
        type: 'removed',
        record: { outputId, configId: config, outputPath: r.outRel, sourceSha256: r.sha256 },
      }));
    if (entries.length)
      await (key as KeyStore).appendAsync(entries).catch((e: unknown) => void (keyFailure ??= e));
  };

  /** Rename one staged output into place, unless something is already there (`taken`, looked up just before). */
  const place = async (f: InputFile, r: Written, taken: boolean): Promise<FileOutcome> => {
    const finalPath = join(cfg.out, r.outRel);
    try {
      if (taken) {
        const same =
          doneByOutput.get(r.outRel)?.sourceSha256 === r.sha256 ||
          Buffer.compare(await readFile(finalPath), await readFile(r.staged)) === 0;
        discardPart(cfg.out, r.staged);
        if (same)
          return {
            kind: 'unchanged',
            source: f.absPath,
            output: r.outRel,
            bytesIn: r.bytesIn,
            bytesOut: r.bytesOut,
          };
        return {
          kind: 'failed',
          source: f.absPath,
          code: 'E_PATH_CONFLICT',
          reason: `output ${r.outRel} exists with other content; nothing overwritten`,
          bytesIn: r.bytesIn,
        };
      }
      await rename(r.staged, finalPath);
      return {
        kind: 'written',
        source: f.absPath,
        output: r.outRel,
        bytesIn: r.bytesIn,
        bytesOut: r.bytesOut,
      };
    } catch (e) {
      discardPart(cfg.out, r.staged);
      return {
        kind: 'failed',
        source: f.absPath,
        code: 'E_IO',
        reason: `cannot place output ${r.outRel}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
        bytesIn: r.bytesIn,
      };
    }
  };
  function* folderOwnersOf(rel: string): Generator<[string, string]> {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      const owner = folderOwner.get(folder);
      if (owner) yield [folder, owner];
    }
  }

  // Archives read, and how many DICOM files each held: one without any is an error of its own.
  const archiveDicom = new Map<string, number>();
  const sawArchive = (f: InputFile, dicom: boolean) => {
    if (f.archive)
      archiveDicom.set(f.archive.path, (archiveDicom.get(f.archive.path) ?? 0) + (dicom ? 1 : 0));
  };
  const handle = (f: InputFile, stat: { size: number; mtimeMs: number }, r: TaskResult) => {
    sawArchive(f, r.kind !== 'failed' || r.code !== 'E_NOT_DICOM');
    // Media archives carry other files too (viewers, autorun, READMEs): noted, not failures. So
    // does a folder (README.txt, notes.pdf): bytes plainly not DICOM under a name that does not
    // say DICOM are a note; a .dcm (or nameless) file that does not parse stays a failure.
    if (
      r.kind === 'failed' &&
      r.code === 'E_NOT_DICOM' &&
      (f.archive || (r.notDicom && !namedLikeDicom(f.relPath)))
    ) {
      record({ kind: 'skipped', source: f.absPath, reason: `not DICOM: ${r.reason}`, bytesIn: r.bytesIn });
      return;
    }
    if (r.kind === 'written') {
      for (const [k, n] of r.fired) summary.rules[k] = (summary.rules[k] ?? 0) + n;
      pending.push({ f, r, stat });
      if (pending.length >= BATCH || performance.now() - lastFlush > BATCH_MS) flush();
    } else if (r.kind === 'failed')
      record({ kind: 'failed', source: f.absPath, code: r.code, reason: r.reason, bytesIn: r.bytesIn });
    else record({ kind: r.kind, source: f.absPath, reason: r.reason, bytesIn: r.bytesIn });
  };

  const inflight = new Set<Promise<void>>();
  const limit = threads * 4;
  try {
    const exclude = excluder(cfg.exclude ?? []);
    const onSkip = (path: string, reason: string, files: number) =>
      record({
        kind: 'skipped',
        source: path,
        reason: files === 1 ? reason : `${reason} (a folder of ${files} file(s))`,
        bytesIn: 0,
        files,
      });
    for await (const f of walkInputs(inputs, problems, { hashArchives: blinding, exclude, onSkip }, roots)) {
      if (cfg.signal?.aborted) {
        summary.interrupted = true;
        break;
      }
      if (keyFailure !== undefined) break;
      // Bounded: at most two batches wait for the disk while workers go on.
      while (outstanding > 2) await committing;
      let stat: { size: number; mtimeMs: number };
      try {
        const s = f.stat ?? statSync(f.absPath);
        stat = { size: s.size, mtimeMs: s.mtimeMs };
      } catch (e) {
        record({
          kind: 'failed',
          source: f.absPath,
          code: 'E_IO',
          reason: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
          bytesIn: 0,
        });
        continue;
      }
      // Done before with this configuration, unchanged since (size and mtime), output in place: skip unread.
      const prev = doneBySource.get(f.absPath);
      if (
        prev &&
        prev.sourceSize === stat.size &&
        prev.sourceMtimeMs === stat.mtimeMs &&
        outputIntact(cfg.out, prev)
      ) {
        addPatient(prev.pseudonym);
        claimed.set(prev.outputPath, prev.sourceSha256);
        sawArchive(f, true);
        record({
          kind: 'done',
          source: f.absPath,
          output: prev.outputPath,
          bytesIn: 0,
          bytesOut: prev.outputSize,
        });
        continue;
      }
      if (cfg.shard && shardOf(f, layout, cfg.shard.count) !== cfg.shard.index) continue;
      let subject: string | undefined;
      if (cfg.subjectIds === 'source-sha256') {
        subject = f.archive?.sha256;
        // Files named like DICOM outside zips were refused before the run; the rest are notes.
        if (!subject) {
          record({
            kind: 'skipped',
            source: f.absPath,
            reason: 'not in a zip archive (--subject-id source-sha256 blinds zipped studies only)',
            bytesIn: 0,
          });
          continue;
        }
      }
      // Its bytes start coming into the page cache now, while the workers finish the files
      // ahead of it (~15% off a cold run of small files). Big files stream with readahead.
      if (!f.bytes && stat.size <= HEAD_ONLY_ABOVE) willNeed(f.absPath);
      const p: Promise<void> = (f.bytes ? f.bytes() : Promise.resolve(undefined))
        .then((bytes) =>
          pool.run({
            absPath: f.absPath,
            relPath: f.relPath,
            secret: secretBytes,
            ...(bytes ? { bytes } : {}),
            ...(subject ? { subject } : {}),
          } satisfies Task),
        )
        .then((r: TaskResult) => handle(f, stat, r))
        .catch((e: unknown) => {
          workerDied = true;
          const d = describeError(e);
          record({
            kind: 'failed',
            source: f.absPath,
            code: d.code,
            reason: d.code === 'E_INTERNAL' ? `worker failed: ${d.message}` : d.message,
            bytesIn: 0,
          });
        })
        .finally(() => inflight.delete(p));
      inflight.add(p);
      if (inflight.size >= limit) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    flush();
    if (!summary.interrupted) {
      for (const p of exclude.unmatched?.() ?? []) {
        summary.warnings.push(
          `--exclude ${p} left nothing out (a name pattern matches anywhere; one with / starts at each input's own root, without the input's name)`,
        );
      }
    }
  } finally {
    await Promise.all(inflight).catch(() => {});
    flush();
    await committing;
    await pool.destroy();
  }
  if (keyFailure !== undefined) {
    // Nothing was placed; remove what the workers wrote.
    outputs.close(false);
    if (!dryRun) endOutput(cfg.out, true, shardTag);
    throw keyFailure;
  }
  if (cfg.signal?.aborted) summary.interrupted = true;
  for (const [archive, n] of archiveDicom) {
    if (n === 0)
      record({
        kind: 'failed',
        source: archive,
        code: 'E_NOT_DICOM',
        reason: 'the archive holds no DICOM file',
        bytesIn: 0,
      });
  }
  for (const p of problems)
    record({
      kind: 'failed',
      source: p.path,
      code: (p.code as ErrorCode | undefined) ?? 'E_IO',
      reason: p.message,
      bytesIn: 0,
    });
  // Outputs that kept a folder name in clear before another file showed the name identifies a
  // patient (order of files, or an earlier run): removed now, before anything leaves the site.
  if (!dryRun && keyFailure === undefined) {
    const swept: JournalEntry[] = [];
    for (const [folder, outFolder] of ledger.exposed()) {
      // Only what dcmblind placed there: a file the user put in the output is not ours to delete,
      // but the folder's name must not leave the site with it: said once, as a failure.
      const files = filesUnder(cfg.out, outFolder);
      const ours = (p: string) => outputs.has(p) || doneByOutput.has(p);
      const theirs = files.filter((p) => !ours(p));
      if (theirs.length) {
        record({
          kind: 'failed',
          source: join(cfg.out, outFolder),
          code: 'E_MIXED_PATIENTS',
          reason: `output folder named after a patient (source folder ${folder}) still holds ${theirs.length} file(s) dcmblind did not write, left as they were: move them out and remove the folder before the output leaves the site`,
          bytesIn: 0,
        });
      }
      for (const outRel of files.filter(ours)) {
        const pseudonym = doneByOutput.get(outRel)?.pseudonym ?? patientIdOf(join(cfg.out, outRel));
        discardPart(cfg.out, join(cfg.out, outRel));
        outputs.removed([outRel]);
        swept.push({ type: 'removed', record: { outputId, configId: config, outputPath: outRel } });
        if (doneByOutput.has(outRel)) summary.done = Math.max(0, summary.done - 1);
        else summary.written = Math.max(0, summary.written - 1);
        const left = (patients.get(pseudonym) ?? 0) - 1;
        if (left > 0) patients.set(pseudonym, left);
        else patients.delete(pseudonym);
        record({
          kind: 'failed',
          source: join(cfg.out, outRel),
          code: 'E_MIXED_PATIENTS',
          reason: `output removed: source folder ${folder} is named after a patient and this file did not carry that name (another patient's file, or one without names); move it into its own patient's folder and run again`,
          bytesIn: 0,
        });
      }
    }
    // The key forgets them too: it lists what the output holds.
    if (swept.length && key) key.append(swept);
  }
  summary.patients = patients.size;
  summary.elapsedMs = performance.now() - t0;
  summary.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  if (!dryRun && layout === 'blinding' && keyFailure === undefined) {
    // Every subject this run wrote to gets its DICOMDIR rebuilt from what its folder now holds.
    for (const subject of [...patients.keys()].sort()) {
      try {
        // Listed before it appears; a subject left without files gets none (and is unlisted).
        outputs.placingSync([`${subject}/DICOMDIR`]);
        if (
          rebuildDicomdir(cfg.out, subject, secret) === 0 &&
          !existsSync(join(cfg.out, subject, 'DICOMDIR'))
        )
          outputs.removed([`${subject}/DICOMDIR`]);
        settleTimes(cfg.out, subject);
      } catch (e) {
        record({
          kind: 'failed',
          source: join(cfg.out, subject, 'DICOMDIR'),
          code: 'E_IO',
          reason: `cannot build the DICOMDIR: ${describeError(e).message}`,
          bytesIn: 0,
        });
      }
    }
  }
  if (!dryRun && key) {
    key.append([
      {
        type: 'run',
        record: {
          runId,
          startedAt: '',
          endedAt: new Date().toISOString(),
          profile: cfg.profile,
          options: cfg.options,
          engineVersion: ENGINE_VERSION,
          written: summary.written,
          failed: summary.failed,
        },
      },
    ]);
    key.compact();
    outputs.close(true);
    endOutput(cfg.out, workerDied, shardTag);
  }
  return summary;
}

/** The PatientID (a pseudonym) an output file carries; '' when it cannot be read. */
function patientIdOf(path: string): string {
  try {
    const p = readDicomFile(path, { headOnlyAbove: 1 << 20, headBytes: 1 << 20 });
    return textOf(
      p.dataset.find((e) => e.tag === T.PatientID),
      p.data,
    );
  } catch {
    return '';
  }
}

/** Output files under a folder of the output (relative to it), part files and dcmblind's state left out. */
function filesUnder(out: string, folder: string): string[] {
  const found: string[] = [];
  const walk = (rel: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(out, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (r !== STATE_DIR) walk(r);
      } else if (!e.name.endsWith(PART_SUFFIX)) found.push(r);
    }
  };
  walk(folder);
  return found.sort();
}

function outputIntact(out: string, rec: FileRecord): boolean {
  try {
    return statSync(join(out, rec.outputPath)).size === rec.outputSize;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Run fn over items with at most `limit` calls in flight. */
async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
