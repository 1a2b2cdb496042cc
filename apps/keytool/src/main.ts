#!/usr/bin/env node
/**
 * dcmblind-key: the custodian's tool. Creates keys, answers who is behind a pseudonym,
 * exports the mapping, merges keys of several sites or runs, unblinds a results sheet and
 * changes the passphrase. Every use of identifying contents is logged inside the key.
 *
 * Exit codes: 0 done; 1 done, but some rows could not be resolved (lookup without a match,
 * unblind with unknown pseudonyms); 2 nothing done (usage, passphrase, damaged or foreign key,
 * conflicts, key in use).
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import {
  DcmblindError,
  describeOffset,
  ENGINE_VERSION,
  ignoreClosedStdout,
  KeyStore,
  lockKey,
  lookup,
  outputTreeOf,
  planMerge,
  ProjectSecret,
  resolvePassphrase,
  terminalAsk,
} from '@dcmblind/core';
import { blindingKeyText, writeBlindingKey, writeCsv, writeXlsx } from './export.js';
import { unblind } from './unblind.js';

const isTTY = () => Boolean(process.stdin.isTTY);

function passphrase(purpose: string, confirm = false, envVar?: string): Promise<string> {
  return resolvePassphrase(terminalAsk, { confirm, purpose, isTTY: isTTY(), ...(envVar ? { envVar } : {}) });
}

const err = (s: string) => process.stderr.write(`${s}\n`);
const out = (s: string) => process.stdout.write(`${s}\n`);

function mustExist(keyfile: string): void {
  if (!existsSync(keyfile)) throw new DcmblindError('E_USAGE', `${keyfile} does not exist`);
  if (statSync(keyfile).isDirectory())
    throw new DcmblindError('E_USAGE', `${keyfile} is a folder, not a key file`);
}

/** A new key's path: its folder must exist, it must not be a folder, nor lie in a de-identified output. */
function mayCreate(keyfile: string): void {
  if (existsSync(keyfile) && statSync(keyfile).isDirectory())
    throw new DcmblindError('E_USAGE', `${keyfile} is a folder; name the key file inside it`);
  if (!existsSync(dirname(resolve(keyfile))))
    throw new DcmblindError('E_USAGE', `the folder of ${keyfile} does not exist; create it first`);
  const tree = outputTreeOf(keyfile);
  if (tree)
    throw new DcmblindError(
      'E_USAGE',
      `${keyfile} is inside the de-identified output ${tree}: a key must never travel with the output. Keep it elsewhere`,
    );
}

/** Open a key to read only (no lock: nothing is written, a pending journal is read as it is). */
async function openToRead(keyfile: string): Promise<KeyStore> {
  mustExist(keyfile);
  return KeyStore.openAsync(keyfile, await passphrase(`key ${keyfile}`), { readOnly: true });
}

/** Open the key under its lock (for commands that write to it); the lock is released on close. */
async function openLocked(keyfile: string, purpose: string): Promise<{ key: KeyStore; done: () => void }> {
  mustExist(keyfile);
  const release = lockKey(keyfile, `dcmblind-key ${purpose}`);
  try {
    const key = await KeyStore.openAsync(keyfile, await passphrase(`key ${keyfile}`));
    return {
      key,
      done: () => {
        key.close();
        release();
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}

/** An output file of an export or unblind: never the key itself, never silently overwritten. */
function checkTarget(target: string, keyfile: string, force: boolean): void {
  const abs = resolve(target);
  if (
    abs === resolve(keyfile) ||
    abs === `${resolve(keyfile)}.journal` ||
    abs === `${resolve(keyfile)}.lock`
  ) {
    throw new DcmblindError('E_USAGE', `${target} is the key's own file`);
  }
  if (!existsSync(dirname(abs))) throw new DcmblindError('E_USAGE', `folder of ${target} does not exist`);
  const tree = outputTreeOf(abs);
  if (tree)
    throw new DcmblindError(
      'E_USAGE',
      `${target} is inside the de-identified output ${tree}: an identifying file must never travel with the output. Write it next to the key instead`,
    );
  if (existsSync(abs) && !force)
    throw new DcmblindError('E_USAGE', `${target} exists; pass --force to replace it`);
}

function identifyingWarning(target: string): void {
  err(
    `warning: ${target} identifies patients. Keep it with the key, never with the de-identified data, and delete it when done.`,
  );
}

export function program(setCode: (c: number) => void): Command {
  const p = new Command('dcmblind-key')
    .description("The custodian's tool for dcmblind keys. Passphrase from DCMBLIND_PASSPHRASE or a prompt.")
    .version(ENGINE_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  p.command('init')
    .argument('<keyfile>')
    .option('--project <name>', 'project name recorded in the key')
    .description('create a new key: a random 256-bit project secret, no records; never overwrites')
    .action(async (keyfile: string, o: { project?: string }) => {
      mayCreate(keyfile);
      if (existsSync(keyfile))
        throw new DcmblindError('E_KEY_EXISTS', `${keyfile} already exists; dcmblind never overwrites a key`);
      const release = lockKey(keyfile, 'dcmblind-key init');
      try {
        const pass = await passphrase(`the new key ${keyfile}`, true);
        KeyStore.create(keyfile, pass, o.project ?? basename(keyfile).replace(/\.[^.]*$/, '')).close();
      } finally {
        release();
      }
      err(
        `created ${keyfile} (encrypted). Keep it and its passphrase safe, away from any output; losing either loses the mapping.`,
      );
    });

  p.command('issue-site-key')
    .argument('<project-keyfile>')
    .argument('<site-keyfile>')
    .requiredOption('--site <name>', 'the site that will run with it (recorded on every record it makes)')
    .description(
      'a key for one site: the project secret (so pseudonyms, UIDs and offsets agree everywhere) and no records of other sites',
    )
    .action(async (projectKey: string, siteKey: string, o: { site: string }) => {
      mustExist(projectKey);
      if (!/^[\p{L}\p{N} ._-]{1,64}$/u.test(o.site))
        throw new DcmblindError('E_USAGE', '--site: 1 to 64 letters, digits, spaces, ".", "_" or "-"');
      mayCreate(siteKey);
      if (existsSync(siteKey))
        throw new DcmblindError('E_KEY_EXISTS', `${siteKey} already exists; dcmblind never overwrites a key`);
      const project = await KeyStore.openAsync(projectKey, await passphrase(`key ${projectKey}`), {
        readOnly: true,
      });
      const release = lockKey(siteKey, 'dcmblind-key issue-site-key');
      try {
        // The site's own passphrase (DCMBLIND_NEW_PASSPHRASE or a prompt): the project's stays with the custodian.
        const sitePass = await passphrase(`the site key ${siteKey}`, true, 'DCMBLIND_NEW_PASSPHRASE');
        KeyStore.createFor(siteKey, sitePass, {
          project: project.payload.project,
          secret: project.payload.secret,
          site: o.site,
        }).close();
      } finally {
        release();
        project.close();
      }
      err(
        `created ${siteKey} for site ${o.site}: the project secret, no records. Runs at the site record into it; merge it back with dcmblind-key merge.`,
      );
    });

  p.command('info')
    .argument('<keyfile>')
    .option('--json', 'machine-readable')
    .description('project, creation date, counts, profiles and engine versions; no identifier')
    .action(async (keyfile: string, o: { json?: boolean }) => {
      const k = await openToRead(keyfile);
      const pl = k.payload;
      const info = {
        project: pl.project,
        // The same fingerprint an output's .dcmblind/manifest.json names: which key made it.
        fingerprint: new ProjectSecret(k.secret).fingerprint(),
        created: pl.createdAt,
        patients: Object.keys(pl.patients).length,
        files: pl.files.length,
        runs: pl.runs.length,
        profiles: [...new Set([...pl.runs.map((r) => r.profile), ...pl.files.map((f) => f.profile)])].sort(),
        engineVersions: [
          ...new Set([...pl.runs.map((r) => r.engineVersion), ...pl.files.map((f) => f.engineVersion)]),
        ].sort(),
        auditEntries: pl.audit?.length ?? 0,
        journalPending: existsSync(k.journalPath),
      };
      k.close();
      if (o.json) out(JSON.stringify(info, null, 2));
      else {
        out(`project: ${info.project}`);
        out(`fingerprint: ${info.fingerprint}`);
        out(`created: ${info.created}`);
        out(`patients: ${info.patients}`);
        out(`files: ${info.files}`);
        out(`runs: ${info.runs}`);
        out(`profiles: ${info.profiles.join(', ') || '-'}`);
        out(`engine versions: ${info.engineVersions.join(', ') || '-'}`);
        out(`audit entries: ${info.auditEntries}`);
        if (info.journalPending)
          out('journal: records of an unfinished run are pending (folded in by the next run or write)');
      }
    });

  p.command('lookup')
    .argument('<keyfile>')
    .argument(
      '<value>',
      'a pseudonym; a source PatientID or PatientName (any case, order, ^ _ or spaces); an output UID, file or folder path',
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
        else {
          for (const m of matches) {
            const r = m.patient;
            out(`pseudonym:        ${r.pseudonym}`);
            out(`PatientID:        ${r.patientId}${r.issuer ? ` (issuer ${r.issuer})` : ''}`);
            out(`PatientName:      ${r.patientName}`);
            out(`PatientBirthDate: ${r.birthDate}`);
            out(`dates:            ${describeOffset(r.dateOffsetDays)}`);
            out(`studies:          ${m.studies.length}`);
            for (const s of m.studies)
              out(`  ${s.studyDate || '(no date)'}  ${s.studyUID}  ${s.files} file(s)`);
            if (m.matched) {
              out(`matched file(s):  ${m.matched.length} (output ← source)`);
              for (const f of m.matched) out(`  ${f.outputPath} ← ${f.sourcePath}`);
            }
            out(`source paths:     ${m.sourcePaths.length}`);
            for (const sp of m.sourcePaths) out(`  ${sp}`);
            out('');
          }
        }
        if (matches.length === 0) setCode(1);
      } finally {
        done();
      }
    });

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
    .action(
      async (keyfile: string, o: { xlsx?: string; csv?: string; blindingKey?: string; force?: boolean }) => {
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
            kind === 'blinding-key'
              ? blindingKeyText(key.payload).lines
              : Object.keys(key.payload.patients).length,
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
      },
    );

  p.command('merge')
    .argument(
      '<dest-keyfile>',
      "the key to merge into (created with the sources' project secret if it does not exist)",
    )
    .argument('<src-keyfile...>')
    .description(
      'combine keys of one project (sites, shards, runs); conflicting records refuse the whole merge',
    )
    .action(async (dest: string, sources: string[]) => {
      for (const s of sources) {
        mustExist(s);
        if (resolve(s) === resolve(dest))
          throw new DcmblindError('E_USAGE', `${s} is the destination itself`);
      }
      if (existsSync(dest)) mustExist(dest);
      else mayCreate(dest);
      const release = lockKey(dest, 'dcmblind-key merge');
      try {
        const destPass = await passphrase(
          existsSync(dest) ? `key ${dest}` : `the new key ${dest}`,
          !existsSync(dest),
        );
        // Sources are read only; each opens with the destination's passphrase, else DCMBLIND_SOURCE_PASSPHRASE or a prompt.
        const loaded = [];
        for (const s of sources) {
          let k: KeyStore;
          try {
            k = await KeyStore.openAsync(s, destPass, { readOnly: true });
          } catch (e) {
            if (!(e instanceof DcmblindError) || e.code !== 'E_KEY_PASSPHRASE') throw e;
            k = await KeyStore.openAsync(
              s,
              await passphrase(`source key ${s}`, false, 'DCMBLIND_SOURCE_PASSPHRASE'),
              { readOnly: true },
            );
          }
          loaded.push({ label: s, payload: k.payload });
          k.close();
        }
        const first = loaded[0]?.payload;
        if (!first) throw new DcmblindError('E_USAGE', 'no source key given');
        // Everything is checked before the destination is created or changed.
        const destKey = existsSync(dest) ? await KeyStore.openAsync(dest, destPass) : undefined;
        const basis = destKey?.payload ?? { ...first, patients: {}, files: [], runs: [], audit: [] };
        const plan = planMerge(basis, loaded);
        if (plan.conflicts.length > 0) {
          destKey?.close();
          for (const c of plan.conflicts) err(`conflict: ${c}`);
          throw new DcmblindError(
            'E_KEY_CONFLICT',
            `${plan.conflicts.length} conflicting record(s); nothing merged, ${dest} unchanged`,
          );
        }
        const target =
          destKey ?? KeyStore.createFor(dest, destPass, { project: first.project, secret: first.secret });
        try {
          target.append(plan.entries);
          target.recordAudit(
            'merge',
            `${sources.length} key(s): ${sources.map((s) => basename(s)).join(', ')}`,
            plan.patientsAdded + plan.filesAdded,
          );
        } finally {
          target.close();
        }
        err(
          `merged into ${dest}: ${plan.patientsAdded} patient(s), ${plan.filesAdded} file record(s), ${plan.runsAdded} run(s) added`,
        );
      } finally {
        release();
      }
    });

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
      "add each row's source PatientID and PatientName (and --with columns); unknown pseudonyms are listed, never dropped",
    )
    .action(
      async (
        keyfile: string,
        results: string,
        o: {
          column: string;
          out: string;
          sheet?: string;
          with?: string;
          withColumn?: string;
          force?: boolean;
        },
      ) => {
        if (resolve(o.out) === resolve(results))
          throw new DcmblindError(
            'E_USAGE',
            '--out must not be the results file itself (it is never modified)',
          );
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
          err(
            `wrote ${o.out}: ${r.resolved} of ${r.rows} row(s) unblinded${r.unjoined ? `, ${r.unjoined} without a row in --with` : ''}`,
          );
          for (const u of r.unknown)
            err(
              `unknown pseudonym on row ${u.row}: ${u.value === '' ? '(empty)' : JSON.stringify(u.value)} (row kept, identity left blank)`,
            );
          if (r.unknown.length > 0) setCode(1);
        } finally {
          done();
        }
      },
    );

  p.command('passwd')
    .argument('<keyfile>')
    .description(
      'change the passphrase (new one from DCMBLIND_NEW_PASSPHRASE or a prompt); records untouched',
    )
    .action(async (keyfile: string) => {
      const { key, done } = await openLocked(keyfile, 'passwd');
      try {
        const next = await passphrase(`the new passphrase of ${keyfile}`, true, 'DCMBLIND_NEW_PASSPHRASE');
        key.recordAudit('passwd', 'passphrase changed', 0);
        key.changePassphrase(next);
      } finally {
        done();
      }
      err(`${keyfile}: passphrase changed`);
    });

  p.command('audit')
    .argument('<keyfile>')
    .option('--json', 'machine-readable')
    .description('every lookup, export, unblind, merge and passphrase change recorded in the key')
    .action(async (keyfile: string, o: { json?: boolean }) => {
      const k = await openToRead(keyfile);
      const log = k.payload.audit ?? [];
      k.close();
      if (o.json) out(JSON.stringify(log, null, 2));
      else
        for (const a of log)
          out(
            `${a.at}  ${a.command.padEnd(8)} ${String(a.rows).padStart(6)} row(s)  ${a.user}@${a.host}  ${a.detail}`,
          );
    });
  return p;
}

async function main(argv: string[]): Promise<number> {
  let code = 0;
  try {
    await program((c) => {
      code = Math.max(code, c);
    }).parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof DcmblindError) {
      err(`dcmblind-key: ${e.message}`);
      return e.code === 'E_INTERRUPTED' ? 130 : 2;
    }
    err(`dcmblind-key: internal error (please report): ${(e as Error).stack ?? String(e)}`);
    return 2;
  }
}

ignoreClosedStdout();
process.exitCode = await main(process.argv);
