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

export type JournalEntry =
  | { readonly type: 'patient'; readonly record: PatientRecord }
  | { readonly type: 'file'; readonly record: FileRecord }
  | { readonly type: 'run'; readonly record: RunRecord }
  | { readonly type: 'audit'; readonly record: AuditRecord };

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
}

export function fileRecordId(f: FileRecord): string {
  return `${f.sourceSha256}\u0000${f.outputPath}\u0000${f.profile}\u0000${f.engineVersion}`;
}

/** Apply journal entries to a payload; idempotent, so replaying a journal twice is harmless. */
export function applyEntries(p: KeyPayload, entries: readonly JournalEntry[]): void {
  const fileIds = new Set(p.files.map(fileRecordId));
  for (const e of entries) {
    if (e.type === 'patient') p.patients[e.record.pseudonym] ??= e.record;
    else if (e.type === 'file') {
      const id = fileRecordId(e.record);
      if (!fileIds.has(id)) {
        fileIds.add(id);
        p.files.push(e.record);
      }
    } else if (e.type === 'audit') {
      p.audit ??= [];
      if (!p.audit.some((a) => a.at === e.record.at && a.command === e.record.command && a.detail === e.record.detail)) p.audit.push(e.record);
    } else {
      const i = p.runs.findIndex((r) => r.runId === e.record.runId);
      if (i >= 0) p.runs[i] = { ...(p.runs[i] as RunRecord), ...Object.fromEntries(Object.entries(e.record).filter(([, v]) => v !== '' && v !== undefined)) };
      else p.runs.push(e.record);
    }
  }
}
