/**
 * `export`: the key's mapping written out as a workbook, a CSV or the classic BlindingKey.txt,
 * for people who work outside dcmblind. The file identifies patients: logged and warned about.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { DcmblindError } from '@dcmblind/core';
import { type Command, Option } from 'commander';
import { blindingKeyText, writeBlindingKey, writeCsv, writeXlsx } from '../export.js';
import { openLocked } from '../open-key.js';
import { checkTarget } from '../paths.js';
import { err, identifyingWarning } from '../terminal.js';

interface ExportOptions {
  xlsx?: string;
  csv?: string;
  blindingKey?: string;
  force?: boolean;
}

/** `export <keyfile> --xlsx|--csv|--blinding-key <file> [--force]`. */
export function exportCommand(p: Command): void {
  p.command('export')
    .argument('<keyfile>')
    .addOption(
      new Option('--xlsx <file>', 'Excel workbook: README, Patients, Files').conflicts([
        'csv',
        'blindingKey',
      ]),
    )
    .addOption(new Option('--csv <file>', 'the patients table as CSV').conflicts(['blindingKey']))
    .option('--blinding-key <file>', 'classic BlindingKey.txt: "<64-hex>  <source file>" lines')
    .option('--force', 'replace an existing output file')
    .description('write the mapping out (identifying: keep it with the key)')
    .action(exportMapping);
}

async function exportMapping(keyfile: string, o: ExportOptions): Promise<void> {
  const target = o.xlsx ?? o.csv ?? o.blindingKey;
  if (!target)
    throw new DcmblindError(
      'E_USAGE',
      'say what to write: --xlsx <file>, --csv <file> or --blinding-key <file>',
    );
  if (o.xlsx && !o.xlsx.toLowerCase().endsWith('.xlsx'))
    throw new DcmblindError('E_USAGE', '--xlsx: the file name must end in .xlsx');
  if (o.csv && !o.csv.toLowerCase().endsWith('.csv'))
    throw new DcmblindError('E_USAGE', '--csv: the file name must end in .csv');
  checkTarget(target, keyfile, Boolean(o.force));
  const { key, done } = await openLocked(keyfile, 'export');
  try {
    const kind = o.xlsx ? 'xlsx' : o.csv ? 'csv' : 'blinding-key';
    // Logged before the file exists: the audit trail may over-report, never under-report.
    key.recordAudit(
      'export',
      `${kind} → ${resolve(target)}`,
      kind === 'blinding-key' ? blindingKeyText(key.payload).lines : Object.keys(key.payload.patients).length,
    );
    const rows = o.xlsx
      ? await writeXlsx(key.payload, realpathSync(keyfile), o.xlsx)
      : o.csv
        ? await writeCsv(key.payload, o.csv)
        : writeBlindingKey(key.payload, target);
    identifyingWarning(target);
    err(`wrote ${target}: ${rows} ${kind === 'blinding-key' ? 'line' : 'patient'}(s)`);
  } finally {
    done();
  }
}
