/**
 * `merge`: keys of one project (site keys, shards, runs) combined into one. Every record is
 * checked before the destination is created or changed: a single conflict refuses the whole merge.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { DcmblindError, FileRecords, type KeyPayload, KeyStore, lockKey, planMerge } from '@dcmblind/core';
import type { Command } from 'commander';
import { passphrase } from '../open-key.js';
import { mayCreate, mustExist } from '../paths.js';
import { err } from '../terminal.js';

/** `merge <dest-keyfile> <src-keyfile...>`: the destination is made if it does not exist. */
export function mergeCommand(p: Command): void {
  p.command('merge')
    .argument(
      '<dest-keyfile>',
      "the key to merge into (created with the sources' project secret if it does not exist)",
    )
    .argument('<src-keyfile...>')
    .description(
      'combine keys of one project (sites, shards, runs); conflicting records refuse the whole merge',
    )
    .action(merge);
}

async function merge(dest: string, sources: string[]): Promise<void> {
  for (const s of sources) {
    mustExist(s);
    if (resolve(s) === resolve(dest)) throw new DcmblindError('E_USAGE', `${s} is the destination itself`);
  }
  if (existsSync(dest)) mustExist(dest);
  else mayCreate(dest);
  const release = lockKey(dest, 'dcmblind-key merge');
  try {
    const destPass = await passphrase(
      existsSync(dest) ? `key ${dest}` : `the new key ${dest}`,
      !existsSync(dest),
    );
    const loaded = await loadSources(sources, destPass);
    const first = loaded[0]?.payload;
    if (!first) throw new DcmblindError('E_USAGE', 'no source key given');
    // Everything is checked before the destination is created or changed.
    const destKey = existsSync(dest) ? await KeyStore.openAsync(dest, destPass) : undefined;
    const basis = destKey?.payload ?? {
      ...first,
      patients: {},
      files: new FileRecords(),
      runs: [],
      audit: [],
    };
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
      `merged into ${dest}: ${plan.patientsAdded} patient(s), ${plan.filesAdded} file record(s), ` +
        `${plan.runsAdded} run(s) added`,
    );
  } finally {
    release();
  }
}

/**
 * The sources' contents, read only. Each opens with the destination's passphrase, else
 * DCMBLIND_SOURCE_PASSPHRASE or a prompt (a site key usually has its own).
 */
async function loadSources(
  sources: readonly string[],
  destPass: string,
): Promise<Array<{ label: string; payload: KeyPayload }>> {
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
  return loaded;
}
