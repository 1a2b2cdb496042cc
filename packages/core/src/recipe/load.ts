/**
 * A recipe read from its file, with its subjects table (CSV beside it: source PatientID → the
 * trial's subject ID, as CTP's lookup tables) and the content hash that joins the output's
 * configuration: a rerun with a changed recipe or table is refused like a changed profile.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { DcmblindError } from '../errors.js';
import { identifyingChoices } from './identifying.js';
import { parseRecipe, type RecipeBody } from './schema.js';

export interface SubjectsTable {
  readonly file: string;
  /** Source PatientID → subject ID. */
  readonly byPatientId: ReadonlyMap<string, string>;
}

export interface Recipe extends RecipeBody {
  readonly file: string;
  readonly name: string;
  /** SHA-256 of the recipe's bytes and its subjects table's. */
  readonly sha256: string;
  readonly subjectsTable?: SubjectsTable;
  /** Choices that keep a direct identifier (identifying.ts). */
  readonly identifying: readonly string[];
}

function readOrFail(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a folder, not a file'
          : (code ?? (e as Error).message);
    throw new DcmblindError('E_USAGE', `${what} ${path}: ${why}`);
  }
}

/** A subject ID stands where a pseudonym does: PatientID (LO) and PatientName (PN). */
const SUBJECT_ID = /^[^\\^=\r\n\t]{1,64}$/;

export function readSubjects(path: string, bytes: Buffer): SubjectsTable {
  let rows: Record<string, string>[];
  try {
    rows = parse(bytes, {
      columns: (h: string[]) => h.map((c) => c.trim()),
      skip_empty_lines: true,
      bom: true,
      trim: true,
    });
  } catch (e) {
    throw new DcmblindError('E_USAGE', `subjects table ${path}: ${(e as Error).message}`);
  }
  const byPatientId = new Map<string, string>();
  const patientOf = new Map<string, string>();
  rows.forEach((row, i) => {
    const line = i + 2;
    const pid = row.PatientID;
    const sid = row.SubjectID;
    if (pid === undefined || sid === undefined)
      throw new DcmblindError(
        'E_USAGE',
        `subjects table ${path}: its header must name PatientID and SubjectID`,
      );
    if (pid === '') throw new DcmblindError('E_USAGE', `subjects table ${path}:${line}: PatientID is empty`);
    if (!SUBJECT_ID.test(sid))
      throw new DcmblindError(
        'E_USAGE',
        `subjects table ${path}:${line}: subject ID must be 1 to 64 characters without \\ ^ = or line breaks`,
      );
    const had = byPatientId.get(pid);
    if (had !== undefined && had !== sid)
      throw new DcmblindError(
        'E_USAGE',
        `subjects table ${path}:${line}: a PatientID given twice with two subject IDs`,
      );
    const other = patientOf.get(sid);
    if (other !== undefined && other !== pid)
      throw new DcmblindError(
        'E_USAGE',
        `subjects table ${path}:${line}: subject ID ${sid} is given to two patients (their files would be mixed up)`,
      );
    byPatientId.set(pid, sid);
    patientOf.set(sid, pid);
  });
  // A subject ID that is some patient's PatientID would put a real identifier in the output.
  for (const [sid, pid] of patientOf)
    if (byPatientId.has(sid))
      throw new DcmblindError(
        'E_USAGE',
        `subjects table ${path}: the subject ID of the row for ${pid === sid ? 'a patient is its own PatientID' : "a patient is another patient's PatientID"}: subject IDs must not be source IDs`,
      );
  if (byPatientId.size === 0) throw new DcmblindError('E_USAGE', `subjects table ${path}: no rows`);
  return { file: path, byPatientId };
}

export function loadRecipe(path: string): Recipe {
  const bytes = readOrFail(path, 'recipe');
  const body = parseRecipe(bytes.toString('utf8'), path);
  const hash = createHash('sha256').update(bytes);
  let subjectsTable: SubjectsTable | undefined;
  if (body.subjects !== undefined) {
    const at = resolve(dirname(path), body.subjects);
    const table = readOrFail(at, 'subjects table');
    subjectsTable = readSubjects(at, table);
    hash.update('\0').update(table);
  }
  return {
    ...body,
    file: path,
    name: basename(path),
    sha256: hash.digest('hex'),
    ...(subjectsTable ? { subjectsTable } : {}),
    identifying: identifyingChoices(body),
  };
}
