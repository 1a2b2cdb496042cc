/**
 * Unblinding: the readers' results sheet comes back with each row's source identity beside
 * it, and optionally the columns of another sheet joined on that identity (a treatment-group
 * list kept by PatientID or PatientName). Every row is kept; rows whose pseudonym the key does
 * not know are reported, never dropped.
 */
import { DcmblindError, type KeyPayload, normalizeName, type PatientRecord } from '@dcmblind/core';
import type ExcelJS from 'exceljs';
import { cellText, findColumn, headers, readWorkbook, sheetOf, writeWorkbook } from './sheets.js';

export interface UnblindOptions {
  readonly results: string;
  readonly column: string;
  readonly out: string;
  readonly sheet?: string;
  readonly with?: string;
  /** The column of the --with sheet holding the source identity; detected when absent. */
  readonly withColumn?: string;
}

export interface UnblindResult {
  readonly rows: number;
  readonly resolved: number;
  /** Rows (1-based sheet row numbers) whose pseudonym is empty or unknown, with the value. */
  readonly unknown: ReadonlyArray<{ readonly row: number; readonly value: string }>;
  /** Rows resolved whose patient has no row in the --with sheet. */
  readonly unjoined: number;
  /** Write the unblinded sheet to --out (after the audit entry is durable). */
  readonly write: () => Promise<void>;
}

const ID_HEADER = /^(source)?\s*_?patient\s*_?id$|^id$/i;
const NAME_HEADER = /^(source)?\s*_?patient\s*_?name$|^name$/i;

interface Join {
  readonly headers: string[];
  readonly byId: Map<string, string[]>;
  readonly byName: Map<string, string[]>;
  readonly on: 'id' | 'name';
}

async function loadJoin(path: string, column: string | undefined): Promise<Join> {
  const wb = await readWorkbook(path, '--with');
  const ws = sheetOf(wb, undefined, `--with ${path}`);
  const h = headers(ws);
  let keyCol: number | undefined;
  if (column) keyCol = findColumn(ws, column, `--with ${path}`);
  else
    keyCol =
      [...h].find(([, t]) => ID_HEADER.test(t))?.[0] ?? [...h].find(([, t]) => NAME_HEADER.test(t))?.[0];
  if (keyCol === undefined) {
    const found = [...h.values()].map((x) => `"${x}"`).join(', ');
    throw new DcmblindError(
      'E_USAGE',
      `--with ${path}: say which column holds the source PatientID or PatientName with --with-column ` +
        `(headers: ${found})`,
    );
  }
  const on: Join['on'] = NAME_HEADER.test(h.get(keyCol) ?? '') ? 'name' : 'id';
  const cols = [...h.keys()].filter((c) => c !== keyCol).sort((a, b) => a - b);
  const byId = new Map<string, string[]>();
  const byName = new Map<string, string[]>();
  ws.eachRow({ includeEmpty: false }, (row, n) => {
    if (n === 1) return;
    const k = cellText(row.getCell(keyCol)).trim();
    if (k === '') return;
    const values = cols.map((c) => cellText(row.getCell(c)));
    if (on === 'id') byId.set(k, values);
    else byName.set(normalizeName(k), values);
  });
  return { headers: cols.map((c) => h.get(c) ?? ''), byId, byName, on };
}

/**
 * Reads the results sheet (and the --with sheet) and adds the identity columns in memory; the
 * result counts the rows and writes the sheet only when asked, so the audit entry comes first.
 */
export async function unblind(p: KeyPayload, o: UnblindOptions): Promise<UnblindResult> {
  const wb = await readWorkbook(o.results, 'results');
  const ws: ExcelJS.Worksheet = sheetOf(wb, o.sheet, `results ${o.results}`);
  const col = findColumn(ws, o.column, `--column`);
  const join = o.with ? await loadJoin(o.with, o.withColumn) : undefined;
  const byPseudonym = new Map<string, PatientRecord>();
  for (const r of Object.values(p.patients)) byPseudonym.set(r.pseudonym.toLowerCase(), r);

  // New columns go after the last used one, so nothing of the readers' sheet moves.
  const first = Math.max(ws.actualColumnCount, ...headers(ws).keys()) + 1;
  const added = ['SourcePatientID', 'SourcePatientName', ...(join?.headers ?? [])];
  const head = ws.getRow(1);
  added.forEach((h, i) => {
    head.getCell(first + i).value = h;
  });
  head.commit();

  let rows = 0;
  let resolved = 0;
  let unjoined = 0;
  const unknown: Array<{ row: number; value: string }> = [];
  const last = ws.actualRowCount > 0 ? (ws.lastRow?.number ?? 1) : 1;
  for (let n = 2; n <= last; n++) {
    const row = ws.getRow(n);
    if (!row.hasValues) continue;
    rows += 1;
    const value = cellText(row.getCell(col)).trim();
    const rec = value === '' ? undefined : byPseudonym.get(value.toLowerCase());
    if (!rec) {
      unknown.push({ row: n, value });
      continue;
    }
    resolved += 1;
    const extra = join
      ? join.on === 'id'
        ? join.byId.get(rec.patientId)
        : join.byName.get(normalizeName(rec.patientName))
      : undefined;
    if (join && !extra) unjoined += 1;
    const values = [rec.patientId, rec.patientName, ...(join ? (extra ?? join.headers.map(() => '')) : [])];
    values.forEach((v, i) => {
      row.getCell(first + i).value = v;
    });
    row.commit();
  }
  return { rows, resolved, unknown, unjoined, write: () => writeWorkbook(wb, o.out, ws.name) };
}
