/**
 * Spreadsheets in and out, through exceljs: .xlsx and .csv read into one workbook model and
 * written back atomically (temp file + fsync + rename, owner-only: these files identify people).
 * CSV cells are read as text, never reinterpreted (a PatientID "00123" stays "00123"); written,
 * a cell that a spreadsheet would run as a formula is marked as text.
 */
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { DcmblindError, writeFileAtomic } from '@dcmblind/core';
import ExcelJS from 'exceljs';

export type Format = 'xlsx' | 'csv';

/** The format a path names by its extension; anything but .xlsx or .csv is refused. */
export function formatOf(path: string, what: string): Format {
  const ext = extname(path).toLowerCase();
  if (ext === '.xlsx') return 'xlsx';
  if (ext === '.csv') return 'csv';
  throw new DcmblindError('E_USAGE', `${what} ${path}: use a .xlsx or .csv file`);
}

/** A .xlsx or .csv file read into a workbook; `what` names it in errors ("results", "--with"). */
export async function readWorkbook(path: string, what: string): Promise<ExcelJS.Workbook> {
  const format = formatOf(path, what);
  if (!existsSync(path)) throw new DcmblindError('E_USAGE', `${what} ${path} does not exist`);
  const wb = new ExcelJS.Workbook();
  try {
    if (format === 'xlsx') await wb.xlsx.readFile(path);
    else await wb.csv.readFile(path, { map: (v: unknown) => v });
  } catch (e) {
    throw new DcmblindError(
      'E_USAGE',
      `${what} ${path} cannot be read as ${format}: ${(e as Error).message}`,
    );
  }
  return wb;
}

/** A workbook written atomically as .xlsx, or its sheet `sheetName` (default: the first) as CSV. */
export async function writeWorkbook(wb: ExcelJS.Workbook, path: string, sheetName?: string): Promise<void> {
  const format = formatOf(path, 'output');
  if (format === 'xlsx') {
    writeFileAtomic(path, new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer));
    return;
  }
  for (const ws of wb.worksheets) neutraliseFormulas(ws);
  const data = Buffer.from((await wb.csv.writeBuffer(sheetName ? { sheetName } : {})) as ArrayBuffer);
  writeFileAtomic(path, data.at(-1) === 0x0a ? data : Buffer.concat([data, Buffer.from('\n')]));
}

/** Text a spreadsheet would run as a formula when it opens a CSV (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A name like `=HYPERLINK(…)` in a CSV runs as a formula in Excel or LibreOffice. Such cells get
 * a leading apostrophe (shown as text, the value otherwise as written); xlsx stores text safely.
 */
function neutraliseFormulas(ws: ExcelJS.Worksheet): void {
  ws.eachRow((row) => {
    row.eachCell((cell) => {
      if (typeof cell.value === 'string' && FORMULA_START.test(cell.value)) cell.value = `'${cell.value}`;
    });
  });
}

/** A cell as the text a reader sees ('' when empty). */
export function cellText(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return cell.text ?? '';
}

/** The header row (row 1) as trimmed texts, by column number. */
export function headers(ws: ExcelJS.Worksheet): Map<number, string> {
  const out = new Map<number, string>();
  ws.getRow(1).eachCell({ includeEmpty: false }, (cell, col) => {
    out.set(col, cellText(cell).trim());
  });
  return out;
}

/** The column whose header is `name` (case and surrounding spaces ignored). */
export function findColumn(ws: ExcelJS.Worksheet, name: string, what: string): number {
  const h = headers(ws);
  for (const [col, text] of h) if (text.toLowerCase() === name.trim().toLowerCase()) return col;
  const found = [...h.values()].map((x) => `"${x}"`).join(', ') || 'none';
  throw new DcmblindError(
    'E_USAGE',
    `${what}: no column headed "${name}" in sheet "${ws.name}" (headers: ${found})`,
  );
}

/** The sheet named `name`, or the first when no name is given; `what` names the file in errors. */
export function sheetOf(wb: ExcelJS.Workbook, name: string | undefined, what: string): ExcelJS.Worksheet {
  const ws = name ? wb.getWorksheet(name) : wb.worksheets[0];
  if (!ws)
    throw new DcmblindError(
      'E_USAGE',
      name ? `${what}: no sheet named "${name}"` : `${what}: the workbook has no sheet`,
    );
  return ws;
}
