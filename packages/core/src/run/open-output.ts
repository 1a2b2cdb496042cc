/**
 * The first stage of a run: make sure the output folder may be written by this run, clear it
 * for --force-rebuild, settle its manifest (and so its output id), and build the resume index
 * from the key's records of this output.
 */
import type { FileRecords } from '../key/file-records.js';
import { dirOf, type FolderGroup } from '../key/folder-groups.js';
import type { FileRecord, JournalEntry, KeyPayload } from '../key/records.js';
import { recordOfOutput } from '../key/records.js';
import { FolderLedger } from './folders.js';
import type { Layout } from './layout.js';
import {
  checkManifest,
  configId,
  createManifest,
  type Manifest,
  newOutputId,
  writeManifest,
} from './manifest.js';
import { OutputList } from './output-list.js';
import { preflightOutput } from './output-state.js';
import { type Cleared, clearForRebuild } from './rebuild.js';

export interface OutputPlan {
  readonly out: string;
  /** What this run would record in a new manifest (without an output id). */
  readonly want: Manifest;
  /** The key's records; undefined for a key being created (it has none). */
  readonly key: KeyPayload | undefined;
  readonly layout: Layout;
  readonly forceRebuild: boolean;
  readonly dryRun: boolean;
  readonly shardTag: string;
  readonly runId: string;
}

export interface OpenedOutput {
  /** The manifest in force (its output id goes on every record of this run). */
  readonly manifest: Manifest;
  readonly config: string;
  readonly outputs: OutputList;
  /** Resume index: what earlier runs placed in this output with this configuration. */
  readonly done: EarlierRecords;
  /** Which source folders earlier runs showed to be named after a patient, or kept (mirror layout). */
  readonly ledger: FolderLedger;
  /** What --force-rebuild removed and kept. */
  readonly cleared: Cleared | undefined;
  /** Records to drop from the key: outputs --force-rebuild removed. */
  readonly dropped: JournalEntry[];
  /** Write the manifest if it is not there yet: before the first output is placed. */
  ensureManifest(): void;
}

/** Open `plan.out` for writing (or, for a dry run, only read it). Throws when the run must not start. */
export function openOutput(plan: OutputPlan): OpenedOutput {
  const { out, want, key, dryRun } = plan;
  const state = preflightOutput({ out, keyPath: '(the key being created)', keyExists: key !== undefined });
  const config = configId(want);
  let manifest: Manifest;
  let cleared: Cleared | undefined;
  let dropped: JournalEntry[] = [];
  let written = false;
  if (state.manifest && plan.forceRebuild && !dryRun) {
    ({ cleared, dropped } = rebuild(plan, state.manifest));
    manifest = { ...want, outputId: newOutputId() };
    writeManifest(out, manifest);
    written = true;
  } else if (state.manifest) {
    checkManifest(out, state.manifest, want);
    manifest = state.manifest.outputId ? state.manifest : { ...state.manifest, outputId: newOutputId() };
    written = manifest === state.manifest || dryRun;
    if (!written) {
      writeManifest(out, manifest); // an output made before output ids existed gets one
      written = true;
    }
  } else {
    manifest = { ...want, outputId: newOutputId() };
    // A key being created is not on disk yet: its manifest waits for the first placed output,
    // so a run that fails before then leaves no claim on the folder.
    if (key !== undefined && !dryRun) {
      manifest = createManifest(out, manifest);
      checkManifest(out, manifest, want); // another shard may have made it first
      written = true;
    }
  }
  const outputs = new OutputList(out, plan.shardTag);
  const done = new EarlierRecords(key?.files, manifest.outputId as string, config, plan.runId);
  return {
    manifest,
    config,
    outputs,
    done,
    ledger: folderLedger(done, plan.layout),
    cleared,
    dropped,
    ensureManifest() {
      if (written || dryRun) return;
      const m = createManifest(out, manifest);
      checkManifest(out, m, want);
      written = true;
    },
  };
}

/** Clear the old output; returns what went and the key records to drop (when this key made it). */
function rebuild(plan: OutputPlan, old: Manifest): { cleared: Cleared; dropped: JournalEntry[] } {
  const oldConfig = configId(old);
  const sameKey = old.keyFingerprint === plan.want.keyFingerprint;
  const records =
    sameKey && plan.key
      ? Array.from(plan.key.files).filter((f) => recordOfOutput(f, old.outputId ?? '', oldConfig))
      : [];
  const cleared = clearForRebuild(
    plan.out,
    records.map((f) => f.outputPath),
    plan.runId,
  );
  const dropped: JournalEntry[] = records.map((f) => ({
    type: 'removed',
    record: { outputId: old.outputId ?? '', configId: oldConfig, outputPath: f.outputPath },
  }));
  return { cleared, dropped };
}

/**
 * The key's records of what earlier runs placed in this output with this configuration, asked
 * for one path at a time (the records stay in the key file). Records this run adds are not
 * among them: they are not "done before".
 */
export class EarlierRecords {
  readonly #files: FileRecords | undefined;
  readonly #outputId: string;
  readonly #config: string;
  readonly #runId: string;

  constructor(files: FileRecords | undefined, outputId: string, config: string, runId: string) {
    this.#files = files;
    this.#outputId = outputId;
    this.#config = config;
    this.#runId = runId;
  }

  #ours = (f: Pick<FileRecord, 'runId' | 'configId' | 'outputId'>): boolean =>
    f.runId !== this.#runId && f.configId === this.#config && recordOfOutput(f, this.#outputId, this.#config);

  /** The newest record of this source path, if an earlier run placed it here. */
  bySource(sourcePath: string): FileRecord | undefined {
    return this.#files?.bySource(sourcePath).filter(this.#ours).at(-1);
  }

  /** The newest record of this output path, if an earlier run placed it here. */
  byOutput(outputPath: string): FileRecord | undefined {
    return this.#files?.byOutput(outputPath).filter(this.#ours).at(-1);
  }

  /** Every such record, read from the key file one block at a time. */
  *[Symbol.iterator](): Generator<FileRecord> {
    for (const f of this.#files ?? []) if (this.#ours(f)) yield f;
  }

  /**
   * The folders of every such record, a group of records once (key/folder-groups.ts): no record
   * is read. A key that kept no groups (files one to a folder) is read record by record.
   */
  *folders(): Generator<Pick<FolderGroup, 'sourceFolder' | 'outputFolder' | 'pseudonym'>> {
    const groups = this.#files?.folderGroups();
    if (groups) {
      for (const g of groups) if (this.#ours(g)) yield g;
      return;
    }
    for (const f of this)
      yield { sourceFolder: dirOf(f.sourcePath), outputFolder: dirOf(f.outputPath), pseudonym: f.pseudonym };
  }
}

/** Which source folders earlier runs' outputs showed to be named after a patient (mirror layout). */
function folderLedger(done: EarlierRecords, layout: Layout): FolderLedger {
  const ledger = new FolderLedger();
  if (layout !== 'mirror') return ledger;
  for (const g of done.folders()) ledger.addFolder(g.sourceFolder, g.outputFolder, g.pseudonym);
  return ledger;
}
