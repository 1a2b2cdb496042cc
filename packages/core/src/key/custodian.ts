/**
 * What the key's custodian asks of it: who is behind a pseudonym, which pseudonym a patient
 * got, the whole mapping as tables, and keys from several sites or runs brought together.
 * Pure functions over a decrypted payload; the tool that calls them prints or writes.
 */
import { DcmblindError } from '../errors.js';
import type { ProjectSecret } from '../identity/secret.js';
import {
  fileRecordId,
  type FileRecord,
  type JournalEntry,
  type KeyPayload,
  type PatientRecord,
} from './records.js';

export interface PatientRow {
  readonly pseudonym: string;
  readonly patientId: string;
  readonly patientName: string;
  readonly issuer: string;
  readonly birthDate: string;
  readonly dateOffsetDays: number;
  /** Source study dates (DA), earliest and latest; '' when no file recorded one. */
  readonly firstStudyDate: string;
  readonly lastStudyDate: string;
  readonly studies: number;
  readonly files: number;
}

/** One row per patient, sorted by pseudonym. */
export function patientRows(p: KeyPayload): PatientRow[] {
  const byPseudonym = new Map<string, FileRecord[]>();
  for (const f of p.files) {
    const list = byPseudonym.get(f.pseudonym);
    if (list) list.push(f);
    else byPseudonym.set(f.pseudonym, [f]);
  }
  return Object.values(p.patients)
    .sort((a, b) => (a.pseudonym < b.pseudonym ? -1 : a.pseudonym > b.pseudonym ? 1 : 0))
    .map((r) => {
      const files = byPseudonym.get(r.pseudonym) ?? [];
      const dates = files
        .map((f) => f.sourceStudyDate ?? '')
        .filter((d) => /^\d{8}$/.test(d))
        .sort();
      return {
        pseudonym: r.pseudonym,
        patientId: r.patientId,
        patientName: r.patientName,
        issuer: r.issuer,
        birthDate: r.birthDate,
        dateOffsetDays: r.dateOffsetDays,
        firstStudyDate: dates[0] ?? '',
        lastStudyDate: dates.at(-1) ?? '',
        studies: new Set(files.map((f) => f.sourceStudyUID)).size,
        files: new Set(files.map((f) => f.sourceSha256)).size,
      };
    });
}

/** Files sorted by pseudonym, then source path. */
export function fileRows(p: KeyPayload): FileRecord[] {
  return [...p.files].sort((a, b) =>
    a.pseudonym === b.pseudonym ? (a.sourcePath < b.sourcePath ? -1 : 1) : a.pseudonym < b.pseudonym ? -1 : 1,
  );
}

export interface LookupMatch {
  /** How the value matched: the pseudonym, a source PatientID or PatientName, an output UID or path. */
  readonly by: 'pseudonym' | 'patientId' | 'patientName' | 'outputUID' | 'outputPath';
  readonly patient: PatientRow;
  readonly studies: ReadonlyArray<{
    readonly studyUID: string;
    readonly studyDate: string;
    readonly files: number;
  }>;
  readonly sourcePaths: readonly string[];
  /** For a lookup by output UID or path: the files it named, output path → source path. */
  readonly matched?: ReadonlyArray<{ readonly outputPath: string; readonly sourcePath: string }>;
}

/**
 * PN values compare without case or accents (Müller = muller), with `^`, `=`, `_`, commas and
 * spaces as one separator (the forms folder names take: MULLER_JANE) and trailing empty
 * components dropped.
 */
export function normalizeName(v: string): string {
  return v
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\^=\s,_]+/g, ' ')
    .trim();
}

/** The same name in any order of its parts ("jane muller" = "muller jane"). */
const nameTokens = (v: string) => normalizeName(v).split(' ').sort().join(' ');

/**
 * Candidate relative output paths a value may end with (`/export/site-A/ANON-…/x.dcm` →
 * `ANON-…/x.dcm`, …).
 */
function pathTails(value: string): Set<string> {
  const parts = value
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p !== '' && p !== '.');
  const tails = new Set<string>();
  for (let i = Math.max(0, parts.length - 32); i < parts.length; i++) tails.add(parts.slice(i).join('/'));
  return tails;
}

interface OutputHits {
  readonly by: 'outputUID' | 'outputPath';
  readonly files: FileRecord[];
}

/** Whether a record's output is the file, or lies in the folder, that one of `tails` names. */
function underTail(f: FileRecord, tails: ReadonlySet<string>): boolean {
  const parts = f.outputPath.split('/');
  for (let n = parts.length; n >= 1; n--) if (tails.has(parts.slice(0, n).join('/'))) return true;
  return false;
}

/**
 * Pseudonyms whose files a value names (an output UID of a study, series or instance, or an
 * output file or folder), with those files.
 */
function byOutput(p: KeyPayload, value: string, secret: ProjectSecret | undefined): Map<string, OutputHits> {
  const found = new Map<string, OutputHits>();
  const uid = /^[0-9.]+$/.test(value) && value.includes('.');
  const tails = value.includes('/') || value.includes('\\') ? pathTails(value) : undefined;
  if (!uid && !tails) return found;
  for (const f of p.files) {
    let by: OutputHits['by'] | undefined;
    if (
      uid &&
      secret &&
      [f.sourceStudyUID, f.sourceSeriesUID, f.sourceSOPInstanceUID].some((u) => u && secret.uid(u) === value)
    )
      by = 'outputUID';
    else if (tails && underTail(f, tails)) by = 'outputPath';
    if (!by) continue;
    const hits = found.get(f.pseudonym) ?? { by, files: [] };
    hits.files.push(f);
    found.set(f.pseudonym, hits);
  }
  return found;
}

/** A pseudonym as typed with or without its prefix (`ANON-2CQP…` or `2CQP…`, any case). */
function samePseudonym(pseudonym: string, v: string): boolean {
  const a = pseudonym.toLowerCase();
  const b = v.toLowerCase();
  return a === b || (b.length >= 16 && a.endsWith(b) && /^[0-9a-z]+$/.test(b));
}

/**
 * Look a value up both ways: a pseudonym (exact, any case) gives its source identity; a
 * source PatientID (exact) or PatientName (any case, accents, order or separator) gives its
 * pseudonym(s); so does an output UID (with the key's secret) or an output path or folder.
 */
export function lookup(p: KeyPayload, value: string, secret?: ProjectSecret): LookupMatch[] {
  const v = value.trim();
  const rows = patientRows(p);
  const name = normalizeName(v);
  const tokens = nameTokens(v);
  const outputs = byOutput(p, v, secret);
  const hits: Array<{ by: LookupMatch['by']; patient: PatientRow }> = [];
  for (const r of rows) {
    if (samePseudonym(r.pseudonym, v)) hits.push({ by: 'pseudonym', patient: r });
    else if (r.patientId !== '' && r.patientId === v) hits.push({ by: 'patientId', patient: r });
    else if (name !== '' && (normalizeName(r.patientName) === name || nameTokens(r.patientName) === tokens))
      hits.push({ by: 'patientName', patient: r });
    else if (outputs.has(r.pseudonym))
      hits.push({ by: (outputs.get(r.pseudonym) as OutputHits).by, patient: r });
  }
  const filesOf = new Map<string, FileRecord[]>(hits.map((h) => [h.patient.pseudonym, []]));
  for (const f of p.files) filesOf.get(f.pseudonym)?.push(f);
  return hits.map(({ by, patient }) => {
    const named = outputs.get(patient.pseudonym);
    const files = filesOf.get(patient.pseudonym) ?? [];
    const studies = new Map<string, { studyUID: string; studyDate: string; files: Set<string> }>();
    for (const f of files) {
      const s = studies.get(f.sourceStudyUID) ?? {
        studyUID: f.sourceStudyUID,
        studyDate: f.sourceStudyDate ?? '',
        files: new Set<string>(),
      };
      s.files.add(f.sourceSha256);
      studies.set(f.sourceStudyUID, s);
    }
    return {
      by,
      patient,
      studies: [...studies.values()]
        .sort((a, b) => (a.studyDate < b.studyDate ? -1 : 1))
        .map((s) => ({ studyUID: s.studyUID, studyDate: s.studyDate, files: s.files.size })),
      sourcePaths: [...new Set(files.map((f) => f.sourcePath))].sort(),
      ...(named && (by === 'outputUID' || by === 'outputPath')
        ? { matched: named.files.map((f) => ({ outputPath: f.outputPath, sourcePath: f.sourcePath })) }
        : {}),
    };
  });
}

/** One output file of one output folder (older records: of any folder with their configuration). */
const outputKey = (f: FileRecord) => `${f.configId}\u0000${f.outputId ?? ''}\u0000${f.outputPath}`;

export interface MergePlan {
  /** Entries to apply to the destination (records it lacks). */
  readonly entries: readonly JournalEntry[];
  readonly patientsAdded: number;
  readonly filesAdded: number;
  readonly runsAdded: number;
  /** Records that contradict each other; a plan with any is refused. */
  readonly conflicts: readonly string[];
}

/** What a source key saw (names, patients' values): merged too, so runs with the result clean with it. */
function lexiconEntries(payload: KeyPayload): JournalEntry[] {
  const lex = payload.lexicon;
  if (!lex) return [];
  const out: JournalEntry[] = [];
  if (lex.names.length) out.push({ type: 'lexicon', record: { names: lex.names } });
  for (const [patientKey, values] of Object.entries(lex.patients))
    out.push({ type: 'lexicon', record: { patientKey, values } });
  return out;
}

/**
 * Plan merging `sources` (each labelled, e.g. by file name) into `dest`. All must share the
 * project secret, or the pseudonyms would not mean the same thing. Identical records merge;
 * one pseudonym for two source patients, or one output path for two different sources under
 * one configuration, is a conflict.
 */
export function planMerge(
  dest: KeyPayload,
  sources: ReadonlyArray<{ label: string; payload: KeyPayload }>,
): MergePlan {
  const conflicts: string[] = [];
  const patients = new Map<string, { rec: PatientRecord; from: string }>(
    Object.entries(dest.patients).map(([k, rec]) => [k, { rec, from: 'the destination' }]),
  );
  const outputs = new Map<string, { sha: string; from: string }>();
  for (const f of dest.files) outputs.set(outputKey(f), { sha: f.sourceSha256, from: 'the destination' });
  const fileIds = new Set(Array.from(dest.files, fileRecordId));
  const runIds = new Set(dest.runs.map((r) => r.runId));
  const auditIds = new Set((dest.audit ?? []).map((a) => `${a.at}\u0000${a.command}\u0000${a.detail}`));
  const entries: JournalEntry[] = [];
  let patientsAdded = 0;
  let filesAdded = 0;
  let runsAdded = 0;
  for (const { label, payload } of sources) {
    if (payload.secret !== dest.secret) {
      throw new DcmblindError(
        'E_KEY_PROJECT',
        `${label} belongs to another project (its secret differs), so its pseudonyms mean ` +
          'something else; nothing merged',
      );
    }
    for (const rec of Object.values(payload.patients)) {
      const have = patients.get(rec.pseudonym);
      if (!have) {
        patients.set(rec.pseudonym, { rec, from: label });
        entries.push({ type: 'patient', record: rec });
        patientsAdded += 1;
      } else if (have.rec.patientKey !== rec.patientKey) {
        conflicts.push(`pseudonym ${rec.pseudonym}: one source patient in ${have.from}, another in ${label}`);
      }
    }
    for (const f of payload.files) {
      const k = outputKey(f);
      const have = outputs.get(k);
      if (have && have.sha !== f.sourceSha256) {
        conflicts.push(
          `output ${f.outputPath}: made from one source file in ${have.from}, from another in ${label}`,
        );
        continue;
      }
      outputs.set(k, { sha: f.sourceSha256, from: label });
      const id = fileRecordId(f);
      if (fileIds.has(id)) continue;
      fileIds.add(id);
      entries.push({ type: 'file', record: f });
      filesAdded += 1;
    }
    for (const r of payload.runs) {
      if (runIds.has(r.runId)) continue;
      runIds.add(r.runId);
      entries.push({ type: 'run', record: r });
      runsAdded += 1;
    }
    for (const a of payload.audit ?? []) {
      const id = `${a.at}\u0000${a.command}\u0000${a.detail}`;
      if (auditIds.has(id)) continue;
      auditIds.add(id);
      entries.push({ type: 'audit', record: a });
    }
    entries.push(...lexiconEntries(payload));
  }
  return { entries, patientsAdded, filesAdded, runsAdded, conflicts };
}
