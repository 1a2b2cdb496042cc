/**
 * The key's mapping, exported for people who need it outside dcmblind: an Excel workbook
 * (README, Patients, Files), a CSV of the patients, or the classic BlindingKey.txt.
 * Every export identifies patients; the tool says so each time.
 */
import {
  ENGINE_VERSION,
  type FileRecord,
  fileRows,
  type KeyPayload,
  patientRows,
  type PatientRow,
  writeFileAtomic,
} from '@dcmblind/core';
import { basename } from 'node:path';
import ExcelJS from 'exceljs';
import { writeWorkbook } from './sheets.js';

const PATIENT_COLUMNS: ReadonlyArray<[keyof PatientRow, string, number]> = [
  ['pseudonym', 'Pseudonym', 24],
  ['patientId', 'PatientID', 20],
  ['patientName', 'PatientName', 28],
  ['issuer', 'IssuerOfPatientID', 18],
  ['birthDate', 'PatientBirthDate', 16],
  // Days the patient's dates were moved back: output date = source date − DaysShiftedBack.
  ['dateOffsetDays', 'DaysShiftedBack', 16],
  ['firstStudyDate', 'FirstStudyDate', 15],
  ['lastStudyDate', 'LastStudyDate', 15],
  ['studies', 'Studies', 9],
  ['files', 'Files', 9],
];

/** A file record with the output folder its run wrote to (one key can serve several outputs). */
type FileRow = FileRecord & { readonly outputFolder: string };

const FILE_COLUMNS: ReadonlyArray<[keyof FileRow, string, number]> = [
  ['pseudonym', 'Pseudonym', 24],
  ['sourcePath', 'SourcePath', 60],
  ['sourceSha256', 'SourceSHA256', 66],
  ['outputFolder', 'OutputFolder', 40],
  ['outputPath', 'OutputPath', 60],
  ['sourceStudyDate', 'SourceStudyDate', 15],
  ['sourceStudyUID', 'SourceStudyInstanceUID', 40],
  ['sourceSeriesUID', 'SourceSeriesInstanceUID', 40],
  ['sourceSOPInstanceUID', 'SourceSOPInstanceUID', 40],
  ['profile', 'Profile', 10],
  ['engineVersion', 'EngineVersion', 14],
  ['runId', 'RunID', 34],
];

function textRow(values: ReadonlyArray<string | number>): Array<string | number> {
  // Identifiers stay text: Excel must not turn "00123" into 123 or a date into a serial.
  return values.map((v) => (typeof v === 'number' ? v : String(v)));
}

/** The whole mapping as a workbook: a README that says what it is, then Patients and Files. */
export function exportWorkbook(p: KeyPayload, keyPath: string): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = `dcmblind ${ENGINE_VERSION}`;
  const readme = wb.addWorksheet('README');
  readme.columns = [{ width: 110 }];
  // One line a row; a long line is written in pieces (joined with +) that make the same row.
  const lines = [
    'dcmblind re-identification key export — CONFIDENTIAL: this workbook identifies patients.',
    '',
    'DO NOT EDIT. This is a copy of the mapping held in the encrypted dcmblind key; ' +
      'changes here change nothing there.',
    'Keep it where the key is kept, never with the de-identified images, ' +
      'and delete it when it is no longer needed.',
    '',
    `Key file: ${keyPath}`,
    `Project: ${p.project}`,
    `Key created: ${p.createdAt}`,
    `Exported: ${new Date().toISOString()} by dcmblind ${ENGINE_VERSION}`,
    '',
    'Sheet "Patients": one row per source patient — the pseudonym the images carry, ' +
      'the source PatientID, PatientName,',
    "  issuer and birth date, DaysShiftedBack (the whole days that patient's dates were moved back), " +
      'the first and last',
    '  source study dates, and how many studies and files were de-identified.',
    '  Dates: output date = source date − DaysShiftedBack; ' +
      'to recover a source date, add DaysShiftedBack to the output date.',
    'Sheet "Files": one row per de-identified file — source path and SHA-256, ' +
      'the output folder and the path in it,',
    '  source UIDs, profile, run.',
  ];
  for (const l of lines) readme.addRow([l]);
  readme.getRow(1).font = { bold: true };
  readme.getRow(3).font = { bold: true, color: { argb: 'FFC00000' } };

  const patients = wb.addWorksheet('Patients');
  patients.columns = PATIENT_COLUMNS.map(([key, header, width]) => ({ key, header, width }));
  for (const r of patientRows(p)) patients.addRow(textRow(PATIENT_COLUMNS.map(([k]) => r[k])));
  const files = wb.addWorksheet('Files');
  files.columns = FILE_COLUMNS.map(([key, header, width]) => ({ key, header, width }));
  const folderOf = new Map(p.runs.map((r) => [r.runId, r.out ?? '']));
  for (const f of fileRows(p)) {
    const row: FileRow = { ...f, outputFolder: folderOf.get(f.runId) ?? '' };
    files.addRow(textRow(FILE_COLUMNS.map(([k]) => (row[k] ?? '') as string | number)));
  }
  for (const ws of [patients, files]) {
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: 'frozen', ySplit: 1 }];
    // Text format on identifier columns so a later edit in Excel keeps leading zeros.
    ws.columns.forEach((c) => {
      if (c.key !== 'dateOffsetDays' && c.key !== 'studies' && c.key !== 'files') c.numFmt = '@';
    });
  }
  return wb;
}

/** The workbook of {@link exportWorkbook} written to `out`; returns the number of patients. */
export async function writeXlsx(p: KeyPayload, keyPath: string, out: string): Promise<number> {
  await writeWorkbook(exportWorkbook(p, keyPath), out);
  return Object.keys(p.patients).length;
}

/** The Patients sheet as CSV; returns the number of patients. */
export async function writeCsv(p: KeyPayload, out: string): Promise<number> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Patients');
  ws.columns = PATIENT_COLUMNS.map(([key, header]) => ({ key, header }));
  const rows = patientRows(p);
  for (const r of rows) ws.addRow(textRow(PATIENT_COLUMNS.map(([k]) => r[k])));
  await writeWorkbook(wb, out, 'Patients');
  return rows.length;
}

const HEX64 = /^[0-9a-f]{64}$/i;

/**
 * The classic `BlindingKey.txt`: `<64-hex>  <source file name>` per line. When the subjects
 * were named by 64-hex pseudonyms (the blinding profile), each line pairs that pseudonym with
 * the name of the source archive or file it came from (with `--subject-id source-sha256` that is
 * exactly `sha256sum *.zip`). Otherwise each line is the SHA-256 of a source file
 * and its path — `sha256sum` format, so `sha256sum -c` checks the sources are still intact.
 */
export function blindingKeyText(p: KeyPayload): { text: string; lines: number } {
  const lines = new Set<string>();
  for (const f of p.files) {
    const unit =
      f.sourceArchive ??
      (f.sourcePath.includes('!/') ? f.sourcePath.slice(0, f.sourcePath.indexOf('!/')) : f.sourcePath);
    // The classic file names the archive as the script saw it: its name, in the folder it ran in.
    if (HEX64.test(f.pseudonym)) lines.add(`${f.pseudonym.toLowerCase()}  ${basename(unit)}`);
    else lines.add(`${f.sourceSha256}  ${f.sourcePath}`);
  }
  const sorted = [...lines].sort((a, b) =>
    a.slice(66) < b.slice(66) ? -1 : a.slice(66) > b.slice(66) ? 1 : 0,
  );
  return { text: sorted.map((l) => `${l}\n`).join(''), lines: sorted.length };
}

/** {@link blindingKeyText} written to `out`; returns the number of lines. */
export function writeBlindingKey(p: KeyPayload, out: string): number {
  const { text, lines } = blindingKeyText(p);
  writeFileAtomic(out, Buffer.from(text, 'utf8'));
  return lines;
}
