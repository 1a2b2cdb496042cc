/** What the key holds besides the secret: the custodian's records. */
import type { FileRecords } from './file-records.js';

export interface PatientRecord {
  readonly pseudonym: string;
  /** The site whose key recorded it (site keys only). */
  readonly site?: string;
  /** Derivation input ("id\0<PatientID>", …): the pseudonym and offset follow from it. */
  readonly patientKey: string;
  readonly patientId: string;
  readonly patientName: string;
  readonly issuer: string;
  readonly birthDate: string;
  readonly dateOffsetDays: number;
}

export interface FileRecord {
  readonly pseudonym: string;
  readonly site?: string;
  readonly sourcePath: string;
  readonly sourceSha256: string;
  readonly sourceSize: number;
  readonly sourceMtimeMs: number;
  readonly outputPath: string;
  readonly outputSize: number;
  /** The output folder's id (its manifest's outputId); absent in records written before it existed. */
  readonly outputId?: string;
  readonly sourceStudyUID: string;
  readonly sourceSeriesUID: string;
  readonly sourceSOPInstanceUID: string;
  /** Source StudyDate (DA), '' when absent; older keys lack it. */
  readonly sourceStudyDate?: string;
  /** For a file read from a zip: the archive's path, and its SHA-256 when the run hashed archives. */
  readonly sourceArchive?: string;
  readonly sourceArchiveSha256?: string;
  readonly profile: string;
  readonly options: readonly string[];
  readonly engineVersion: string;
  /** Everything that shapes output bytes and paths (see run/manifest.ts). */
  readonly configId: string;
  readonly runId: string;
}

export interface RunRecord {
  readonly runId: string;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly profile: string;
  readonly options: readonly string[];
  readonly engineVersion: string;
  readonly written?: number;
  readonly failed?: number;
  /**
   * The output it wrote to (its id and its path then), and where each of its inputs landed there
   * (see run/input-roots.ts).
   */
  readonly outputId?: string;
  readonly out?: string;
  readonly inputs?: ReadonlyArray<{ readonly path: string; readonly prefix: string }>;
  /** The project's recipe the run followed: its file name and SHA-256 (with its subjects table's). */
  readonly recipe?: { readonly name: string; readonly sha256: string };
  /** The recipe's choices that keep a direct identifier, allowed by --allow-identifying. */
  readonly allowIdentifying?: readonly string[];
}

/** One use of the key's identifying contents (lookup, export, unblind, merge, passwd). */
export interface AuditRecord {
  readonly at: string;
  readonly command: string;
  /** What was done, without identifiers: "by pseudonym", "xlsx → /path/file.xlsx", … */
  readonly detail: string;
  /** Rows or records shown or written. */
  readonly rows: number;
  readonly user: string;
  readonly host: string;
}

/** An output dcmblind removed again (a folder sweep, --force-rebuild): its file record goes. */
export interface RemovedRecord {
  readonly outputId: string;
  /** The output's configuration, for records older than output ids. */
  readonly configId: string;
  readonly outputPath: string;
  /**
   * Only the record of this source content (a file that could not be placed); else any record of
   * the path.
   */
  readonly sourceSha256?: string;
}

/**
 * Identifying values the runs have seen, kept so that a later run or another shard cleans new
 * files' free text of them too: person names seen anywhere, and each patient's values by its
 * derivation key (category and text joined by NUL, as deid/identifying.ts finds them).
 */
export interface LexiconRecord {
  readonly names?: readonly string[];
  readonly patientKey?: string;
  readonly values?: readonly string[];
}

export interface Lexicon {
  names: string[];
  patients: Record<string, string[]>;
}

/** What a key is, whatever it recorded: the first entry of a key file (never in a journal). */
export interface KeyIdentity {
  readonly format: 1;
  readonly project: string;
  readonly createdAt: string;
  readonly secret: string;
  readonly journalId: string;
  readonly site?: string;
}

export type KeyEntry = { readonly type: 'key'; readonly record: KeyIdentity };

export type JournalEntry =
  | { readonly type: 'patient'; readonly record: PatientRecord }
  | { readonly type: 'file'; readonly record: FileRecord }
  | { readonly type: 'removed'; readonly record: RemovedRecord }
  | { readonly type: 'run'; readonly record: RunRecord }
  | { readonly type: 'audit'; readonly record: AuditRecord }
  | { readonly type: 'lexicon'; readonly record: LexiconRecord };

export interface KeyPayload {
  readonly format: 1;
  readonly project: string;
  readonly createdAt: string;
  /** The 256-bit project secret, base64. */
  readonly secret: string;
  /** Binds the journal file to this key. */
  readonly journalId: string;
  patients: Record<string, PatientRecord>;
  /** Read from the key file when asked for, not held (see file-records.ts). */
  readonly files: FileRecords;
  runs: RunRecord[];
  /** Absent in keys written before the audit log existed. */
  audit?: AuditRecord[];
  /** Set in a site key (issue-site-key): the site that runs with it. */
  readonly site?: string;
  /** Absent in keys written before runs kept what they saw (see LexiconRecord). */
  lexicon?: Lexicon;
}

/** Add what a lexicon record holds that the payload does not have yet. */
function addLexicon(p: KeyPayload, r: LexiconRecord): void {
  p.lexicon ??= { names: [], patients: {} };
  const merge = (into: string[], more: readonly string[] | undefined) => {
    if (!more?.length) return;
    const have = new Set(into);
    for (const v of more) if (!have.has(v)) into.push(v);
  };
  merge(p.lexicon.names, r.names);
  if (r.patientKey !== undefined) merge((p.lexicon.patients[r.patientKey] ??= []), r.values);
}

/**
 * What makes two file records the same: one source content placed at one path of one output
 * with one profile and engine. The source's path, size and time are not part of it: a record
 * seen again with new ones (files copied without their times) replaces the old one.
 */
export function fileRecordId(f: FileRecord): string {
  return [f.sourceSha256, f.outputPath, f.profile, f.engineVersion, f.outputId ?? ''].join('\u0000');
}

/**
 * Whether a record belongs to the output with this id (older records: to any output of their
 * configuration).
 */
export function recordOfOutput(
  f: Pick<FileRecord, 'outputId' | 'configId'>,
  outputId: string,
  configId: string,
): boolean {
  return f.outputId === undefined ? f.configId === configId : f.outputId === outputId;
}

/** Apply journal entries to a payload; idempotent, so replaying a journal twice is harmless. */
export function applyEntries(p: KeyPayload, entries: readonly JournalEntry[]): void {
  for (const e of entries) {
    if (e.type === 'file') p.files.add(e.record);
    else if (e.type === 'removed') p.files.remove(e.record);
    else applyHeadEntry(p, e);
  }
}

/** Apply an entry that is not about files (patients, runs, audit, lexicon, the key's identity). */
export function applyHeadEntry(p: KeyPayload, e: JournalEntry | KeyEntry): void {
  if (e.type === 'patient') p.patients[e.record.pseudonym] ??= e.record;
  else if (e.type === 'lexicon') addLexicon(p, e.record);
  else if (e.type === 'audit') {
    p.audit ??= [];
    if (
      !p.audit.some(
        (a) => a.at === e.record.at && a.command === e.record.command && a.detail === e.record.detail,
      )
    )
      p.audit.push(e.record);
  } else if (e.type === 'run') {
    const i = p.runs.findIndex((r) => r.runId === e.record.runId);
    if (i >= 0)
      p.runs[i] = {
        ...(p.runs[i] as RunRecord),
        ...Object.fromEntries(Object.entries(e.record).filter(([, v]) => v !== '' && v !== undefined)),
      };
    else p.runs.push(e.record);
  }
}

/**
 * Everything a payload holds but its file records, as entries: the first blocks of a key file
 * written whole (a new key, a rewrite).
 */
export function headEntries(p: KeyPayload): Array<JournalEntry | KeyEntry> {
  const out: Array<JournalEntry | KeyEntry> = [{ type: 'key', record: keyIdentity(p) }];
  for (const record of Object.values(p.patients)) out.push({ type: 'patient', record });
  for (const record of p.runs) out.push({ type: 'run', record });
  for (const record of p.audit ?? []) out.push({ type: 'audit', record });
  if (p.lexicon?.names.length) out.push({ type: 'lexicon', record: { names: p.lexicon.names } });
  for (const [patientKey, values] of Object.entries(p.lexicon?.patients ?? {}))
    out.push({ type: 'lexicon', record: { patientKey, values } });
  return out;
}

export function keyIdentity(p: KeyPayload): KeyIdentity {
  return {
    format: p.format,
    project: p.project,
    createdAt: p.createdAt,
    secret: p.secret,
    journalId: p.journalId,
    ...(p.site !== undefined ? { site: p.site } : {}),
  };
}
