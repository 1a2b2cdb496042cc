/** What the key holds besides the secret: the custodian's records. */

export interface PatientRecord {
  readonly pseudonym: string;
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
  readonly sourcePath: string;
  readonly sourceSha256: string;
  readonly sourceSize: number;
  readonly sourceMtimeMs: number;
  readonly outputPath: string;
  readonly outputSize: number;
  readonly sourceStudyUID: string;
  readonly sourceSeriesUID: string;
  readonly sourceSOPInstanceUID: string;
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

export type JournalEntry =
  | { readonly type: 'patient'; readonly record: PatientRecord }
  | { readonly type: 'file'; readonly record: FileRecord }
  | { readonly type: 'run'; readonly record: RunRecord };

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
    } else {
      const i = p.runs.findIndex((r) => r.runId === e.record.runId);
      if (i >= 0) p.runs[i] = { ...(p.runs[i] as RunRecord), ...Object.fromEntries(Object.entries(e.record).filter(([, v]) => v !== '' && v !== undefined)) };
      else p.runs.push(e.record);
    }
  }
}
