/**
 * `unblind`: the readers' results sheet written back with each row's source identity (the work
 * itself is in ../unblind.ts). Identifying: logged and warned about; unknown pseudonyms exit 1.
 */
import { resolve } from 'node:path';
import { DcmblindError } from '@dcmblind/core';
import type { Command } from 'commander';
import { openLocked } from '../open-key.js';
import { checkTarget } from '../paths.js';
import { err, identifyingWarning } from '../terminal.js';
import { unblind } from '../unblind.js';
import type { SetCode } from './register.js';

interface UnblindFlags {
  column: string;
  out: string;
  sheet?: string;
  with?: string;
  withColumn?: string;
  force?: boolean;
}

/** `unblind <keyfile> <results> --column <name> --out <file> [--sheet] [--with [--with-column]]`. */
export function unblindCommand(p: Command, setCode: SetCode): void {
  p.command('unblind')
    .argument('<keyfile>')
    .argument('<results>', "the readers' results sheet (.xlsx or .csv)")
    .requiredOption('--column <name>', 'header of the column holding the pseudonyms')
    .requiredOption('--out <file>', 'where to write the unblinded sheet (.xlsx or .csv)')
    .option('--sheet <name>', 'sheet of the results workbook (default: the first)')
    .option('--with <file>', 'a sheet to join on the source identity (e.g. treatment groups), .xlsx or .csv')
    .option(
      '--with-column <name>',
      'column of --with holding the source PatientID or PatientName (default: detected)',
    )
    .option('--force', 'replace an existing output file')
    .description(
      "add each row's source PatientID and PatientName (and --with columns); " +
        'unknown pseudonyms are listed, never dropped',
    )
    .action(async (keyfile: string, results: string, o: UnblindFlags) => {
      if (await unblindSheet(keyfile, results, o)) setCode(1);
    });
}

/** Writes the unblinded sheet; true when some rows' pseudonyms were unknown. */
async function unblindSheet(keyfile: string, results: string, o: UnblindFlags): Promise<boolean> {
  if (resolve(o.out) === resolve(results))
    throw new DcmblindError('E_USAGE', '--out must not be the results file itself (it is never modified)');
  checkTarget(o.out, keyfile, Boolean(o.force));
  const { key, done } = await openLocked(keyfile, 'unblind');
  try {
    const r = await unblind(key.payload, {
      results,
      column: o.column,
      out: o.out,
      ...(o.sheet ? { sheet: o.sheet } : {}),
      ...(o.with ? { with: o.with } : {}),
      ...(o.withColumn ? { withColumn: o.withColumn } : {}),
    });
    // Logged before the file exists: the audit trail may over-report, never under-report.
    key.recordAudit('unblind', `${resolve(results)} → ${resolve(o.out)}`, r.resolved);
    await r.write();
    identifyingWarning(o.out);
    const unjoined = r.unjoined ? `, ${r.unjoined} without a row in --with` : '';
    err(`wrote ${o.out}: ${r.resolved} of ${r.rows} row(s) unblinded${unjoined}`);
    for (const u of r.unknown)
      err(
        `unknown pseudonym on row ${u.row}: ${u.value === '' ? '(empty)' : JSON.stringify(u.value)} ` +
          '(row kept, identity left blank)',
      );
    return r.unknown.length > 0;
  } finally {
    done();
  }
}
