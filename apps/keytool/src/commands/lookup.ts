/**
 * `lookup`: who is behind a pseudonym, output UID or output path, or which pseudonym a source
 * patient was given. Identifying, so every lookup is logged in the key, a miss too.
 */
import { describeOffset, type LookupMatch, lookup, ProjectSecret } from '@dcmblind/core';
import type { Command } from 'commander';
import { openLocked } from '../open-key.js';
import { err, out } from '../terminal.js';
import type { SetCode } from './register.js';

/** `lookup <keyfile> <value> [--json]`; exit code 1 when nothing matches. */
export function lookupCommand(p: Command, setCode: SetCode): void {
  p.command('lookup')
    .argument('<keyfile>')
    .argument(
      '<value>',
      'a pseudonym; a source PatientID or PatientName (any case, order, ^ _ or spaces); ' +
        'an output UID, file or folder path',
    )
    .option('--json', 'machine-readable')
    .description('pseudonym → source identity, or source PatientID/PatientName → pseudonym')
    .action(async (keyfile: string, value: string, o: { json?: boolean }) => {
      const { key, done } = await openLocked(keyfile, 'lookup');
      try {
        const matches = lookup(key.payload, value, new ProjectSecret(key.secret));
        key.recordAudit(
          'lookup',
          matches.length ? `by ${[...new Set(matches.map((m) => m.by))].join('+')}` : 'no match',
          matches.length,
        );
        if (o.json) out(JSON.stringify(matches, null, 2));
        else if (matches.length === 0)
          err('no pseudonym, PatientID, PatientName, output UID or output path in this key matches');
        else for (const m of matches) printMatch(m);
        if (matches.length === 0) setCode(1);
      } finally {
        done();
      }
    });
}

/** One match as the custodian reads it: identity, studies, the files matched and the source paths. */
function printMatch(m: LookupMatch): void {
  const r = m.patient;
  out(`pseudonym:        ${r.pseudonym}`);
  out(`PatientID:        ${r.patientId}${r.issuer ? ` (issuer ${r.issuer})` : ''}`);
  out(`PatientName:      ${r.patientName}`);
  out(`PatientBirthDate: ${r.birthDate}`);
  out(`dates:            ${describeOffset(r.dateOffsetDays)}`);
  out(`studies:          ${m.studies.length}`);
  for (const s of m.studies) out(`  ${s.studyDate || '(no date)'}  ${s.studyUID}  ${s.files} file(s)`);
  if (m.matched) {
    out(`matched file(s):  ${m.matched.length} (output ← source)`);
    for (const f of m.matched) out(`  ${f.outputPath} ← ${f.sourcePath}`);
  }
  out(`source paths:     ${m.sourcePaths.length}`);
  for (const sp of m.sourcePaths) out(`  ${sp}`);
  out('');
}
