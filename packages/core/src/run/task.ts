/**
 * One file's work, as run inside a worker thread: read, hash, de-identify, pick the output
 * path and write the result as a part file beside it. The main thread records it in the key
 * and only then renames it into place. Everything here derives from the task and the key
 * secret alone, so any number of workers agree without talking to each other.
 */
import { createHash, type Hash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, rmSync, utimesSync } from 'node:fs';
import { NeedWholeFile } from '../dicom/reader.js';
import type { ChunkList } from '../dicom/writer.js';
import { DcmblindError, NotDicomContent } from '../errors.js';
import { dirname, join } from 'node:path';
import { deidentify, type DeidentifyConfig, type FileFacts } from '../deid/deidentify.js';
import { describeError, type ErrorCode } from '../errors.js';
import type { PatientRecord } from '../key/records.js';
import { compileProfile } from '../profile/rules.js';
import type { OptionName } from '../profile/options.js';
import { ProjectSecret } from '../identity/secret.js';
import type { IdentifyingValue } from '../deid/identifying.js';
import { buildLexicon, type Lexicon } from '../scrub/lexicon.js';
import { decodeValue, sharedNames } from '../scrub/cohort.js';
import { type Gathered, type GatherTask, gatherOne } from './gather-task.js';
import { outputPath, type Layout } from './layout.js';
import { BLIND_TIME } from './media.js';
import { beyondHead, readExactly, type Tail } from './head-tail.js';
import { PART_SUFFIX, writeStaged } from './output.js';
import { UNUSED_BITS_SOURCE } from '../pixels/unused-bits.js';
import { findText } from '../pixels/text/find-text.js';
import { type PixelScan, readingFrom, type ScanRequest } from '../pixels/text/scan.js';
import { BUILT_IN_RULES, loadRules } from '../pixels/text/rules.js';
import { type CompiledRecipe, compileRecipe } from '../recipe/compile.js';
import { loadRecipe } from '../recipe/load.js';

export interface WorkerConfig {
  readonly profile: string;
  readonly options: readonly OptionName[];
  readonly pseudonymPrefix: string;
  readonly dateOffset: { readonly min: number; readonly max: number };
  readonly layout: Layout;
  /** The output folder; part files are written beside their final names. */
  readonly out: string;
  /** "s2" for shard 2 of n: its part files are its own to sweep. */
  readonly shardTag?: string;
  readonly patientScope?: 'global' | 'issuer';
  readonly dryRun: boolean;
  /** Clean Pixel Data: which files have their pixels scanned for burned-in text. */
  readonly pixelScan?: PixelScan;
  /** The run's OCR service (pixels/text/ocr-service.ts): the channel its pages go to. */
  readonly ocrChannel?: string;
  /** The user's region rules (`--pixel-rules`), besides the built-in ones. */
  readonly pixelRules?: string;
  /** The project's recipe (`--recipe`): its file, and the hash the run was started with. */
  readonly recipe?: { readonly file: string; readonly sha256: string };
}

export interface Task {
  /** The project secret (32 bytes); every task carries it so threads can start before the key is unlocked. */
  readonly secret: Uint8Array;
  readonly absPath: string;
  readonly relPath: string;
  /** Bytes already in memory (a zip entry); otherwise the worker reads absPath. */
  readonly bytes?: Uint8Array;
  /** The subject's name when it comes from outside the file (blinding by source zip SHA-256). */
  readonly subject?: string;
  /** The run's person names (shared memory, see run/gather.ts), and this file's patient's values. */
  readonly cohort?: {
    readonly id: string;
    readonly names: SharedArrayBuffer;
    /** Source folders named after some patient of the run (run/gather.ts). */
    readonly patientNamed?: SharedArrayBuffer;
    /** Identifier digits of every patient of the run. */
    readonly ids?: SharedArrayBuffer;
    /** Patient-named folders written as the pseudonym and a label. */
    readonly suffixed?: SharedArrayBuffer;
  };
  /** Components of relPath from this index on come from a zip entry name in a guessed code page. */
  readonly legacyFrom?: number;
  readonly patientValues?: readonly string[];
}

/** A worker's view of the run's cohort (run/gather.ts), built once per thread. */
interface RunCohort {
  readonly id: string;
  readonly lexicon: Lexicon;
  readonly patientNamed: ReadonlySet<string>;
  readonly ids: ReadonlySet<string>;
  readonly suffixed: ReadonlySet<string>;
}

export interface Written {
  readonly kind: 'written';
  readonly staged: string;
  readonly outRel: string;
  readonly sha256: string;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly patient: PatientRecord;
  readonly sourceStudyUID: string;
  readonly sourceStudyDate: string;
  readonly sourceSeriesUID: string;
  readonly sourceSOPInstanceUID: string;
  /** Source folders (relative) whose name was replaced by this patient's pseudonym. */
  readonly patientFolders: readonly string[];
  readonly fired: ReadonlyArray<[string, number]>;
}
export type TaskResult =
  | Written
  | {
      readonly kind: 'quarantined' | 'skipped';
      readonly reason: string;
      readonly bytesIn: number;
      readonly sha256: string;
    }
  | {
      readonly kind: 'failed';
      readonly code: ErrorCode | 'E_INTERNAL';
      readonly reason: string;
      readonly bytesIn: number;
      /** The bytes are plainly not DICOM (not damaged DICOM): a note or a failure by the file's name. */
      readonly notDicom?: true;
    };

export class TaskRunner {
  readonly #cfg: WorkerConfig;
  readonly #profile: ReturnType<typeof compileProfile>;
  #secret: ProjectSecret | undefined;
  #secretBytes: Buffer | undefined;
  #dcfg: DeidentifyConfig | undefined;
  #cohort: RunCohort | undefined;
  readonly #madeDirs = new Set<string>();
  /** A patient's values, decoded once per batch (its files share one array after cloning). */
  readonly #decodedValues = new WeakMap<readonly string[], IdentifyingValue[]>();
  #partPrefix = '';
  #parts = 0;

  /**
   * 18 hex digits (what the sweep of a killed run's part files recognises, run/output.ts): 10
   * random per thread, 8 counting its files. Random bytes per file cost a call into OpenSSL
   * each. Part files are created O_EXCL: a name taken all the same fails that file, never
   * overwrites.
   */
  #partName(): string {
    if (this.#partPrefix === '' || this.#parts > 0xffffffff) {
      this.#partPrefix = randomBytes(5).toString('hex');
      this.#parts = 0;
    }
    return this.#partPrefix + (this.#parts++).toString(16).padStart(8, '0');
  }
  constructor(cfg: WorkerConfig) {
    this.#cfg = cfg;
    this.#profile = compileProfile(cfg.profile, cfg.options);
  }

  /** A new part file's path in the output's own folder (made if need be). */
  #partPath(outRel: string): string {
    const dir = dirname(join(this.#cfg.out, outRel));
    if (!this.#madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.#madeDirs.add(dir);
    }
    return join(
      dir,
      `.${this.#cfg.shardTag ? `${this.#cfg.shardTag}-` : ''}${this.#partName()}${PART_SUFFIX}`,
    );
  }

  /** The keyed derivations for this task's secret (built once per secret; its UID cache survives). */
  #configFor(secret: Uint8Array): { dcfg: DeidentifyConfig; secret: ProjectSecret } {
    if (!this.#secret || !this.#dcfg || !this.#secretBytes?.equals(secret)) {
      this.#secret = new ProjectSecret(secret);
      this.#secretBytes = Buffer.from(secret);
      this.#dcfg = {
        profile: this.#profile,
        secret: this.#secret,
        pseudonymPrefix: this.#cfg.pseudonymPrefix,
        dateOffset: this.#cfg.dateOffset,
        patientScope: this.#cfg.patientScope ?? 'global',
        ...(this.#cfg.pixelScan
          ? {
              pixelScan: this.#cfg.pixelScan,
              pixelRules: [
                ...loadRules(BUILT_IN_RULES),
                ...(this.#cfg.pixelRules ? loadRules(this.#cfg.pixelRules) : []),
              ],
            }
          : {}),
        ...(this.#cfg.recipe ? { recipe: workerRecipe(this.#cfg.recipe) } : {}),
      };
    }
    return { dcfg: this.#dcfg, secret: this.#secret };
  }

  /**
   * Writes the output as a part file beside its final name; the main thread renames it once the key
   * holds its record. A source that changed while it was read (grew, shrank, rewritten) would give
   * an output of neither version: discarded, reported.
   */
  #stage(
    outRel: string,
    output: ChunkList,
    source:
      | { fd: number; bytes: Uint8Array; before: { size: number; mtimeMs: number } | undefined }
      | undefined,
  ): { staged: string; cellsCleared: number } | { kind: 'failed'; code: 'E_IO'; reason: string } {
    let staged = this.#partPath(outRel);
    let cellsCleared: number;
    try {
      cellsCleared = writeStaged(staged, output, source);
    } catch (e) {
      // The folder was removed meanwhile (an earlier file there failed and it was empty).
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      this.#madeDirs.clear();
      staged = this.#partPath(outRel);
      cellsCleared = writeStaged(staged, output, source);
    }
    // Blinded media: file times carry no information (not when, not in which order).
    if (this.#cfg.layout === 'blinding') utimesSync(staged, BLIND_TIME, BLIND_TIME);
    if (source?.before) {
      const after = fstatSync(source.fd);
      if (after.size !== source.before.size || after.mtimeMs !== source.before.mtimeMs) {
        rmSync(staged, { force: true });
        return {
          kind: 'failed',
          code: 'E_IO',
          reason: 'the file changed while it was being read; nothing written (run again when it is complete)',
        };
      }
    }
    return { staged, cellsCleared };
  }

  /** The header pass's work for one file (run/gather-task.ts). */
  gather(task: GatherTask): Gathered {
    return gatherOne(task, this.#profile, this.#cfg.patientScope ?? 'global');
  }

  /** The run's names as a lexicon and its patient-named folders, built once per thread and cohort. */
  #cohortOf(task: Task): RunCohort | undefined {
    const c = task.cohort;
    if (!c) return undefined;
    if (this.#cohort?.id !== c.id) {
      const names = sharedNames(c.names).map((text) => ({ category: 'name' as const, text }));
      this.#cohort = {
        id: c.id,
        lexicon: buildLexicon(names),
        patientNamed: new Set(c.patientNamed ? sharedNames(c.patientNamed) : []),
        ids: new Set(c.ids ? sharedNames(c.ids) : []),
        suffixed: new Set(c.suffixed ? sharedNames(c.suffixed) : []),
      };
    }
    return this.#cohort;
  }

  #decoded(values: readonly string[]): IdentifyingValue[] {
    let d = this.#decodedValues.get(values);
    if (!d) this.#decodedValues.set(values, (d = values.map(decodeValue)));
    return d;
  }

  /** This task's configuration: the subject's name, the run's names, the patient's other values. */
  #taskConfig(task: Task): { dcfg: DeidentifyConfig; secret: ProjectSecret } {
    const { dcfg: base, secret } = this.#configFor(task.secret);
    const runLexicon = this.#cohortOf(task)?.lexicon;
    const dcfg: DeidentifyConfig = {
      ...base,
      ...(task.subject ? { subject: task.subject } : {}),
      ...(runLexicon ? { runLexicon } : {}),
      ...(task.patientValues?.length ? { patientValues: this.#decoded(task.patientValues) } : {}),
    };
    return { dcfg, secret };
  }

  /**
   * One file. Synchronous, except for a file whose pixels are scanned for burned-in text (OCR is
   * asynchronous): then a promise, and the file's bytes are copied first — the read buffer is
   * the thread's, and the next task may use it while this one waits.
   */
  run(task: Task): TaskResult | Promise<TaskResult> {
    const { dcfg, secret } = this.#taskConfig(task);
    let bytesIn = 0;
    let fd: number | undefined;
    let before: { size: number; mtimeMs: number } | undefined;
    try {
      let bytes: Uint8Array;
      let fileLength: number;
      const hash = createHash('sha256');
      if (task.bytes) {
        bytes = task.bytes;
        fileLength = bytes.length;
        hash.update(bytes);
      } else {
        fd = openSync(task.absPath, 'r');
        before = fstatSync(fd);
        fileLength = before.size;
        ({ bytes } = readSource(fd, fileLength, hash));
      }
      bytesIn = fileLength;
      const sha256 = hash.digest('hex');
      let r: ReturnType<typeof deidentify>;
      let tail: Tail | undefined;
      try {
        r = deidentify(bytes, dcfg, fileLength);
      } catch (e) {
        if (!(e instanceof NeedWholeFile) || fd === undefined) throw e;
        const big = beyondHead(fd, fileLength, bytes, e, (head, t) => {
          tail = t;
          return deidentify(head, dcfg, fileLength, t);
        });
        if (big) ({ result: r, head: bytes } = big);
        else {
          tail = undefined;
          bytes = readWhole(fd, fileLength);
          fileLength = bytes.length;
          r = deidentify(bytes, dcfg);
        }
      }
      if (r.status === 'scan') {
        // A copy: the read buffer is the thread's. The same parse again, with the scan's answer.
        const head = Uint8Array.from(bytes);
        const again = (c: DeidentifyConfig) => deidentify(head, c, fileLength, tail);
        const inFile = r.request.inFile && task.absPath ? { path: task.absPath, before } : undefined;
        const request = inFile ? readingFrom(r.request, inFile.path) : r.request;
        return this.#scanned(task, again, request, { dcfg, secret, sha256, bytesIn, head, inFile });
      }
      if (r.status !== 'written') return { kind: r.status, reason: r.reason, bytesIn, sha256 };
      return this.#write(
        task,
        r,
        { secret, sha256, bytesIn },
        fd === undefined ? undefined : { fd, bytes, before },
      );
    } catch (e) {
      return failure(e, bytesIn);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /**
   * The scan of a file's pixels (OCR), then its de-identification with the text blanked. A value
   * left in the file (`inFile`: a long cine) is copied from it again at write time, so the file is
   * opened again, and the write refuses it if it changed since it was first read.
   */
  async #scanned(
    task: Task,
    again: (c: DeidentifyConfig) => ReturnType<typeof deidentify>,
    request: ScanRequest,
    f: {
      dcfg: DeidentifyConfig;
      secret: ProjectSecret;
      sha256: string;
      bytesIn: number;
      head: Uint8Array;
      inFile: { path: string; before: { size: number; mtimeMs: number } | undefined } | undefined;
    },
  ): Promise<TaskResult> {
    let fd: number | undefined;
    try {
      const blanking = await findText(request);
      const r = again({ ...f.dcfg, scanned: { request, blanking } });
      if (r.status !== 'written')
        return {
          kind: r.status === 'scan' ? 'quarantined' : r.status,
          reason: r.reason,
          bytesIn: f.bytesIn,
          sha256: f.sha256,
        };
      if (!f.inFile) return this.#write(task, r, f, undefined); // all in memory now
      fd = openSync(f.inFile.path, 'r');
      return this.#write(task, r, f, { fd, bytes: f.head, before: f.inFile.before });
    } catch (e) {
      return failure(e, f.bytesIn);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** A de-identified file: its output path, its part file (unless a dry run), its record. */
  #write(
    task: Task,
    r: Extract<ReturnType<typeof deidentify>, { status: 'written' }>,
    f: { secret: ProjectSecret; sha256: string; bytesIn: number },
    source:
      | { fd: number; bytes: Uint8Array; before: { size: number; mtimeMs: number } | undefined }
      | undefined,
  ): TaskResult {
    const facts: FileFacts = r.facts;
    const { path: outRel, patientFolders } = outputPath(this.#cfg.layout, task.relPath, facts, f.secret, {
      lexicons: r.lexicons,
      ...(task.legacyFrom !== undefined ? { legacyFrom: task.legacyFrom } : {}),
      ...(this.#cohort
        ? {
            patientNamed: this.#cohort.patientNamed,
            runIds: this.#cohort.ids,
            suffixed: this.#cohort.suffixed,
          }
        : {}),
    });
    let staged = '';
    if (!this.#cfg.dryRun) {
      const stagedOrFailure = this.#stage(outRel, r.output, source);
      if ('kind' in stagedOrFailure) return { ...stagedOrFailure, bytesIn: f.bytesIn };
      staged = stagedOrFailure.staged;
      // Pixel data left in the file: its unused bits were found (and cleared) while copied.
      if (stagedOrFailure.cellsCleared > 0) r.fired.set(CLEARED_WHILE_COPIED, 1);
    }
    return writtenResult(
      facts,
      { staged, outRel, sha256: f.sha256, bytesIn: f.bytesIn, bytesOut: r.output.length, patientFolders },
      r.fired,
    );
  }
}

/** A file that could not be done, as the main thread reports it. */
function failure(e: unknown, bytesIn: number): TaskResult {
  const d = describeError(e);
  return {
    kind: 'failed',
    code: d.code,
    reason: d.message,
    bytesIn,
    ...(e instanceof NotDicomContent ? { notDicom: true as const } : {}),
  };
}

/** What the main thread needs to record a written file: its output, and the source facts for the key. */
function writtenResult(
  facts: FileFacts,
  out: Pick<Written, 'staged' | 'outRel' | 'sha256' | 'bytesIn' | 'bytesOut' | 'patientFolders'>,
  fired: Iterable<[string, number]>,
): Written {
  const s = facts.source;
  return {
    kind: 'written',
    ...out,
    patient: {
      pseudonym: facts.patient.pseudonym,
      patientKey: facts.patient.key,
      patientId: s.patientId,
      patientName: s.patientName,
      issuer: s.issuer,
      birthDate: s.birthDate,
      dateOffsetDays: facts.patient.dateOffsetDays,
    },
    sourceStudyUID: s.studyUID,
    sourceStudyDate: s.studyDate,
    sourceSeriesUID: s.seriesUID,
    sourceSOPInstanceUID: s.sopInstanceUID,
    fired: [...fired],
  };
}

const CLEARED_WHILE_COPIED = `C ${UNUSED_BITS_SOURCE}`;

/** Files above this are read head-first: their pixel data stays in the file (bounded memory). */
export const HEAD_ONLY_ABOVE = 32 * 1024 * 1024;
const HEAD_BYTES = 4 * 1024 * 1024;
const STREAM_CHUNK = 4 * 1024 * 1024;
let streamBuffer: Buffer | undefined;

/**
 * One read buffer per thread, reused from file to file (grown as needed, at most
 * HEAD_ONLY_ABOVE): allocating a fresh half-megabyte buffer per file costs an mmap, page
 * faults that zero every page, and an munmap — more kernel time than the read itself.
 * Nothing that outlives a task refers to it (outputs are written before run() returns).
 */
let readBuffer: Buffer | undefined;

function readWhole(fd: number, size: number): Buffer {
  if (size > HEAD_ONLY_ABOVE) {
    const b = Buffer.allocUnsafe(size);
    readExactly(fd, b, 0);
    return b;
  }
  if (!readBuffer || readBuffer.length < size)
    readBuffer = Buffer.allocUnsafe(
      Math.min(HEAD_ONLY_ABOVE, Math.max(size, 2 * (readBuffer?.length ?? 0), 1 << 20)),
    );
  const b = readBuffer.subarray(0, size);
  readExactly(fd, b, 0);
  return b;
}

/** Whole small files; the head of big ones, hashing the rest as it streams past. */
function readSource(fd: number, size: number, hash: Hash): { bytes: Buffer } {
  if (size <= HEAD_ONLY_ABOVE) {
    const b = readWhole(fd, size);
    hash.update(b);
    return { bytes: b };
  }
  const head = Buffer.allocUnsafe(HEAD_BYTES);
  readExactly(fd, head, 0);
  hash.update(head);
  streamBuffer ??= Buffer.allocUnsafe(STREAM_CHUNK);
  for (let pos = HEAD_BYTES; pos < size; ) {
    const n = readSync(fd, streamBuffer, 0, Math.min(STREAM_CHUNK, size - pos), pos);
    if (n === 0)
      throw new DcmblindError(
        'E_TRUNCATED',
        `file ended at byte ${pos} while being read (changed during the run?)`,
      );
    hash.update(streamBuffer.subarray(0, n));
    pos += n;
  }
  return { bytes: head };
}

/** The recipe read again in a worker thread, refused when it is no longer what the run started with. */
function workerRecipe(r: { readonly file: string; readonly sha256: string }): CompiledRecipe {
  const recipe = loadRecipe(r.file);
  if (recipe.sha256 !== r.sha256)
    throw new DcmblindError(
      'E_USAGE',
      `recipe ${r.file} (or its subjects table) changed while the run was going`,
    );
  return compileRecipe(recipe);
}
