/** What the key holds besides the secret: the custodian's records. */

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
  files: FileRecord[];
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
export function recordOfOutput(f: FileRecord, outputId: string, configId: string): boolean {
  return f.outputId === undefined ? f.configId === configId : f.outputId === outputId;
}

/**
 * Keeps a payload's file records small in memory and cheap to extend. The same pseudonyms,
 * UIDs, dates and run settings repeat across thousands of records, and JSON.parse or a worker
 * message gives every record its own copy (1.7 KB a record measured; 0.5 KB shared). The set of
 * record identities is kept, not rebuilt for every batch a run appends.
 */
export class RecordIndex {
  readonly #strings = new Map<string, string>();
  readonly #lists = new Map<string, readonly string[]>();
  /** Record identity → its index in payload.files. */
  #ids: Map<string, number> | undefined;

  #one<T extends string | undefined>(s: T): T {
    if (s === undefined) return s;
    const c = this.#strings.get(s);
    if (c !== undefined) return c as T;
    this.#strings.set(s, s);
    return s;
  }

  /** The record with its repeated values shared (a new object; the fields are unchanged). */
  share(f: FileRecord): FileRecord {
    const key = f.options.join('\u0000');
    let options = this.#lists.get(key);
    if (!options) {
      options = [...f.options];
      this.#lists.set(key, options);
    }
    const out: { -readonly [K in keyof FileRecord]: FileRecord[K] } = {
      ...f,
      pseudonym: this.#one(f.pseudonym),
      sourceStudyUID: this.#one(f.sourceStudyUID),
      sourceSeriesUID: this.#one(f.sourceSeriesUID),
      profile: this.#one(f.profile),
      options,
      engineVersion: this.#one(f.engineVersion),
      configId: this.#one(f.configId),
      runId: this.#one(f.runId),
    };
    if (f.site !== undefined) out.site = this.#one(f.site);
    if (f.sourceStudyDate !== undefined) out.sourceStudyDate = this.#one(f.sourceStudyDate);
    if (f.sourceArchive !== undefined) out.sourceArchive = this.#one(f.sourceArchive);
    if (f.sourceArchiveSha256 !== undefined) out.sourceArchiveSha256 = this.#one(f.sourceArchiveSha256);
    return out;
  }

  /** Share the repeated values of every record already in the payload (after it was parsed). */
  shareAll(p: KeyPayload): void {
    for (let i = 0; i < p.files.length; i++) p.files[i] = this.share(p.files[i] as FileRecord);
  }

  ids(p: KeyPayload): Map<string, number> {
    this.#ids ??= new Map(p.files.map((f, i) => [fileRecordId(f), i]));
    return this.#ids;
  }

  /** Forget the identities (after records were removed and the list re-indexed). */
  reset(): void {
    this.#ids = undefined;
  }
}

function removes(g: RemovedRecord, f: FileRecord): boolean {
  return (
    recordOfOutput(f, g.outputId, g.configId) &&
    (g.sourceSha256 === undefined || g.sourceSha256 === f.sourceSha256)
  );
}

/** Drop the file records of outputs dcmblind removed. */
function removeRecords(p: KeyPayload, gone: readonly RemovedRecord[], index: RecordIndex): void {
  const byPath = new Map<string, RemovedRecord[]>();
  for (const g of gone) byPath.set(g.outputPath, [...(byPath.get(g.outputPath) ?? []), g]);
  const before = p.files.length;
  p.files = p.files.filter((f) => !byPath.get(f.outputPath)?.some((g) => removes(g, f)));
  if (p.files.length !== before) index.reset();
}

/** Apply journal entries to a payload; idempotent, so replaying a journal twice is harmless. */
export function applyEntries(
  p: KeyPayload,
  entries: readonly JournalEntry[],
  index = new RecordIndex(),
): void {
  const removals: RemovedRecord[] = [];
  for (const e of entries) {
    if (e.type === 'patient') p.patients[e.record.pseudonym] ??= e.record;
    else if (e.type === 'file') {
      if (removals.length) removeRecords(p, removals.splice(0), index);
      const fileIds = index.ids(p);
      const id = fileRecordId(e.record);
      const at = fileIds.get(id);
      if (at === undefined) {
        fileIds.set(id, p.files.length);
        p.files.push(index.share(e.record));
      } else {
        // Seen again (a rerun after the source got a new time or path): the newest facts win,
        // so the next run finds it done by its current size and time.
        p.files[at] = index.share(e.record);
      }
    } else if (e.type === 'removed') {
      removals.push(e.record);
    } else if (e.type === 'lexicon') {
      addLexicon(p, e.record);
    } else if (e.type === 'audit') {
      p.audit ??= [];
      if (
        !p.audit.some(
          (a) => a.at === e.record.at && a.command === e.record.command && a.detail === e.record.detail,
        )
      )
        p.audit.push(e.record);
    } else {
      const i = p.runs.findIndex((r) => r.runId === e.record.runId);
      if (i >= 0)
        p.runs[i] = {
          ...(p.runs[i] as RunRecord),
          ...Object.fromEntries(Object.entries(e.record).filter(([, v]) => v !== '' && v !== undefined)),
        };
      else p.runs.push(e.record);
    }
  }
  if (removals.length) removeRecords(p, removals, index);
}
