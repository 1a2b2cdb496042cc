/**
 * What the stages of one run share: its settings, the key (once unlocked) and the first failure
 * to record in it, the opened output, the summary, and the bookkeeping that decides what is
 * accepted (patients, claimed output paths, folder owners). One object, passed from stage to
 * stage, so a reader sees who reads and who changes what.
 */
import type { ErrorCode } from '../errors.js';
import type { ProjectSecret } from '../identity/secret.js';
import type { KeyStore } from '../key/store.js';
import { count, type FileOutcome, type RunConfig, type RunSummary } from './config.js';
import type { InputRoot } from './input-roots.js';
import type { Layout } from './layout.js';
import type { OpenedOutput } from './open-output.js';
import { Claims } from './claims.js';
import { type InputFile, sha256File, type WalkProblem } from './walk.js';
import { statSync } from 'node:fs';

export interface RunSettings {
  readonly cfg: RunConfig;
  readonly layout: Layout;
  readonly dryRun: boolean;
  readonly secret: ProjectSecret;
  /** The secret's bytes: every task carries them (threads start before the key is unlocked). */
  readonly secretBytes: Uint8Array;
  /** "s2" for shard 2 of n ('' unsharded): names the shard's marker, part files and output list. */
  readonly shardTag: string;
  readonly runId: string;
  readonly startedAt: string;
  /** The inputs in the order they are read (a keyed order for blinded media), and where each lands. */
  readonly inputs: readonly string[];
  readonly roots: readonly InputRoot[];
}

export class RunState {
  readonly settings: RunSettings;
  readonly output: OpenedOutput;
  readonly summary: RunSummary;
  /** The key once it is unlocked (a key being created: once its file exists). */
  key: KeyStore | undefined;
  /** The first failure of the key or its journal: nothing more is recorded or placed. */
  keyFailure: unknown;
  /** The header pass met something only the work pass reports (a file it could not stat). */
  workPassNeeded = false;
  /** A worker thread died mid-file: its part file may be left, so the tree is swept at the end. */
  workerDied = false;
  /** Pseudonym → outputs of this run and done ones (the run's patients). */
  readonly patients = new Map<string, number>();
  /** Output path → the source content placed there by this run (see Claims). */
  readonly claimed = new Claims((outRel) => this.output.done.byOutput(outRel)?.sourceSha256);
  /**
   * Whether a folder name names a person or identifier of the run (set by the header pass): an
   * earlier run's output that kept such a name in clear is taken back at the end.
   */
  namesSomeone: (folderName: string) => boolean = () => false;
  /** Pseudonym → source patient key, this run. */
  readonly patientOwner = new Map<string, string>();
  readonly problems: WalkProblem[] = [];
  /** Archives read, and how many DICOM files each held: one without any is an error of its own. */
  readonly archiveDicom = new Map<string, number>();
  readonly #onFile: (o: FileOutcome, s: RunSummary) => void;

  constructor(
    settings: RunSettings,
    output: OpenedOutput,
    summary: RunSummary,
    key: KeyStore | undefined,
    onFile: (o: FileOutcome, s: RunSummary) => void,
  ) {
    this.settings = settings;
    this.output = output;
    this.summary = summary;
    this.key = key;
    this.#onFile = onFile;
  }

  get out(): string {
    return this.settings.cfg.out;
  }

  get outputId(): string {
    return this.output.manifest.outputId as string;
  }

  /** A site key names its site on every record (known once the key is open; a new key has none). */
  get site(): string | undefined {
    return this.key?.payload.site;
  }

  /** Count an outcome and tell the caller. */
  record(o: FileOutcome): void {
    count(this.summary, o);
    this.#onFile(o, this.summary);
  }

  /** Record a failure of one source file. */
  fail(source: string, code: ErrorCode | 'E_INTERNAL', reason: string, bytesIn = 0): void {
    this.record({ kind: 'failed', source, code, reason, bytesIn });
  }

  /**
   * An archive's SHA-256, computed once per run (both passes walk it), keyed by its size and
   * time too: an archive replaced between the passes is hashed again.
   */
  archiveHash(path: string): Promise<string> {
    let key = path;
    try {
      const s = statSync(path);
      key = `${path}\0${s.size}\0${s.mtimeMs}`;
    } catch {
      // unreadable: sha256File reports it
    }
    let hash = this.#archiveHashes.get(key);
    if (!hash) {
      hash = sha256File(path);
      this.#archiveHashes.set(key, hash);
      hash.catch(() => this.#archiveHashes.delete(key));
    }
    return hash;
  }
  readonly #archiveHashes = new Map<string, Promise<string>>();

  addPatient(pseudonym: string): void {
    this.patients.set(pseudonym, (this.patients.get(pseudonym) ?? 0) + 1);
  }

  /** One output of the patient was taken back (the folder sweep). */
  dropPatientOutput(pseudonym: string): void {
    const left = (this.patients.get(pseudonym) ?? 0) - 1;
    if (left > 0) this.patients.set(pseudonym, left);
    else this.patients.delete(pseudonym);
  }

  sawArchive(f: InputFile, dicom: boolean): void {
    if (!f.archive) return;
    this.archiveDicom.set(f.archive.path, (this.archiveDicom.get(f.archive.path) ?? 0) + (dicom ? 1 : 0));
  }
}
