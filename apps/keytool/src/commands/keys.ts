/**
 * The key itself: create a project key (init) or a site's key (issue-site-key), describe it
 * without naming anyone (info) and change its passphrase (passwd).
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { DcmblindError, KeyStore, lockKey, ProjectSecret } from '@dcmblind/core';
import type { Command } from 'commander';
import { openLocked, passphrase } from '../open-key.js';
import { mustBeNew, mustExist } from '../paths.js';
import { err, out } from '../terminal.js';
import { reportCommand } from './read-only.js';

/** `init <keyfile>`: a new key with a random project secret and no records; never overwrites. */
export function initCommand(p: Command): void {
  p.command('init')
    .argument('<keyfile>')
    .option('--project <name>', 'project name recorded in the key')
    .description('create a new key: a random 256-bit project secret, no records; never overwrites')
    .action(async (keyfile: string, o: { project?: string }) => {
      mustBeNew(keyfile);
      const release = lockKey(keyfile, 'dcmblind-key init');
      try {
        const pass = await passphrase(`the new key ${keyfile}`, true);
        KeyStore.create(keyfile, pass, o.project ?? basename(keyfile).replace(/\.[^.]*$/, '')).close();
      } finally {
        release();
      }
      err(
        `created ${keyfile} (encrypted). Keep it and its passphrase safe, away from any output; ` +
          'losing either loses the mapping.',
      );
    });
}

/** `issue-site-key <project-keyfile> <site-keyfile> --site <name>`: the project secret, no records. */
export function issueSiteKeyCommand(p: Command): void {
  p.command('issue-site-key')
    .argument('<project-keyfile>')
    .argument('<site-keyfile>')
    .requiredOption('--site <name>', 'the site that will run with it (recorded on every record it makes)')
    .description(
      'a key for one site: the project secret (so pseudonyms, UIDs and offsets agree everywhere) ' +
        'and no records of other sites',
    )
    .action(issueSiteKey);
}

async function issueSiteKey(projectKey: string, siteKey: string, o: { site: string }): Promise<void> {
  mustExist(projectKey);
  if (!/^[\p{L}\p{N} ._-]{1,64}$/u.test(o.site))
    throw new DcmblindError('E_USAGE', '--site: 1 to 64 letters, digits, spaces, ".", "_" or "-"');
  mustBeNew(siteKey);
  const project = await KeyStore.openAsync(projectKey, await passphrase(`key ${projectKey}`), {
    readOnly: true,
  });
  const release = lockKey(siteKey, 'dcmblind-key issue-site-key');
  try {
    // The site's own passphrase (DCMBLIND_NEW_PASSPHRASE or a prompt):
    // the project's stays with the custodian.
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
    `created ${siteKey} for site ${o.site}: the project secret, no records. ` +
      'Runs at the site record into it; merge it back with dcmblind-key merge.',
  );
}

/** `info <keyfile> [--json]`: what the key holds, counted; no identifier. */
export function infoCommand(p: Command): void {
  reportCommand(
    p,
    'info',
    'project, creation date, counts, profiles, engine versions and the recipe of each run; no identifier',
    describeKey,
    (info) => {
      out(`project: ${info.project}`);
      out(`fingerprint: ${info.fingerprint}`);
      out(`created: ${info.created}`);
      out(`patients: ${info.patients}`);
      out(`files: ${info.files}`);
      out(`runs: ${info.runs}`);
      out(`profiles: ${info.profiles.join(', ') || '-'}`);
      out(`engine versions: ${info.engineVersions.join(', ') || '-'}`);
      // Which recipe made each run that had one (its file name and hash: no identifier in it).
      for (const r of info.recipes)
        out(
          `recipe: ${r.name} sha256 ${r.sha256} (run ${r.runId})` +
            (r.allowIdentifying.length ? `; kept identifiers allowed: ${r.allowIdentifying.join('; ')}` : ''),
        );
      out(`audit entries: ${info.auditEntries}`);
      out(
        `kept for cleaning free text: ${info.lexiconNames} person names, ` +
          `values of ${info.lexiconPatients} patients`,
      );
      if (info.journalPending)
        out('journal: records of an unfinished run are pending (folded in by the next run or write)');
    },
  );
}

/** The facts `info` prints, in the order of its --json output. */
function describeKey(k: KeyStore) {
  const pl = k.payload;
  const profiles = new Set(pl.runs.map((r) => r.profile));
  const engines = new Set(pl.runs.map((r) => r.engineVersion));
  for (const f of pl.files) {
    profiles.add(f.profile);
    engines.add(f.engineVersion);
  }
  return {
    project: pl.project,
    // The same fingerprint an output's .dcmblind/manifest.json names: which key made it.
    fingerprint: new ProjectSecret(k.secret).fingerprint(),
    created: pl.createdAt,
    patients: Object.keys(pl.patients).length,
    files: pl.files.size,
    runs: pl.runs.length,
    profiles: [...profiles].sort(),
    engineVersions: [...engines].sort(),
    recipes: pl.runs.flatMap((r) =>
      r.recipe ? [{ runId: r.runId, ...r.recipe, allowIdentifying: [...(r.allowIdentifying ?? [])] }] : [],
    ),
    auditEntries: pl.audit?.length ?? 0,
    // What runs saw and clean later files' text with (counts only).
    lexiconNames: pl.lexicon?.names.length ?? 0,
    lexiconPatients: Object.keys(pl.lexicon?.patients ?? {}).length,
    journalPending: existsSync(k.journalPath),
  };
}

/** `passwd <keyfile>`: a new passphrase; the records are untouched. */
export function passwdCommand(p: Command): void {
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
}
