import type { PixelScan } from '../pixels/text/scan.js';
/** What a run is asked to do, what it says about each file, and what it reports at the end. */
import type { ErrorCode } from '../errors.js';
import type { KeyStore } from '../key/store.js';
import type { OptionName } from '../profile/options.js';
import type { Layout } from './layout.js';
import type { Cleared } from './rebuild.js';

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
  /** With the clean-pixel-data option: which files have their pixels scanned (default at-risk). */
  readonly pixelScan?: PixelScan;
  /** With the clean-pixel-data option: a file of region rules besides the built-in ones. */
  readonly pixelRules?: string;
  readonly pseudonymPrefix: string;
  readonly dateOffset: { readonly min: number; readonly max: number };
  readonly layout?: Layout;
  readonly workers?: number;
  readonly dryRun?: boolean;
  readonly forceRebuild?: boolean;
  /** Abort to stop cleanly: in-flight files finish and are recorded, nothing new starts. */
  readonly signal?: AbortSignal;
  /**
   * Blinding: name subjects by the keyed hash of the patient (default) or by the SHA-256 of their
   * source zip.
   */
  readonly subjectIds?: 'hmac' | 'source-sha256';
  /** Process only shard `index` (1-based) of `count`: a deterministic part of the inputs. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** `issuer`: equal PatientIDs under different IssuerOfPatientID are different patients. */
  readonly patientScope?: 'global' | 'issuer';
  /** Globs of input paths not to read (besides operating-system debris, always left out). */
  readonly exclude?: readonly string[];
  /** The project's recipe (recipe/load.ts): its file, name and content hash. */
  readonly recipe?: { readonly file: string; readonly name: string; readonly sha256: string };
  /** The recipe's identifying choices the operator allowed (--allow-identifying), recorded. */
  readonly allowIdentifying?: readonly string[];
}

export type FileOutcome =
  | {
      readonly kind: 'written' | 'unchanged' | 'done';
      readonly source: string;
      readonly output: string;
      readonly bytesIn: number;
      readonly bytesOut: number;
      /** A dry run's account of the actions its IOD decided ("X/Z → X: Type 3 in General Study — …"). */
      readonly explained?: readonly string[];
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
  /**
   * --force-rebuild: files of the earlier configuration removed, files kept (not dcmblind's),
   * and the log naming them.
   */
  rebuild?: { removed: number; kept: number; log: string };
}

/** An empty summary (with what --force-rebuild did, when it ran). */
export function newSummary(dryRun: boolean, cleared: Cleared | undefined): RunSummary {
  return {
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
    ...(cleared
      ? { rebuild: { removed: cleared.removed.length, kept: cleared.kept.length, log: cleared.log } }
      : {}),
  };
}

/** Add one file's outcome to the summary. */
export function count(summary: RunSummary, o: FileOutcome): void {
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
}
