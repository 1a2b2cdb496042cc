#!/usr/bin/env node
/**
 * dcmblind-key: the custodian's tool. This first version has `info`; lookup, export, merge,
 * unblind, passwd and audit follow (issue 4).
 */
import { Command, CommanderError } from 'commander';
import { DcmblindError, ENGINE_VERSION, KeyStore, resolvePassphrase } from '@dcmblind/core';
import { read } from 'read';

function passphrase(): Promise<string> {
  const ask = (prompt: string) => read({ prompt, silent: true, replace: '*', output: process.stderr });
  return resolvePassphrase(ask, { confirm: false, purpose: 'the key', isTTY: Boolean(process.stdin.isTTY) });
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('dcmblind-key').description('Inspect and manage dcmblind keys.').version(ENGINE_VERSION).exitOverride();
  program
    .command('info')
    .argument('<keyfile>')
    .description('project, creation date and counts; prints no identifier')
    .action(async (keyfile: string) => {
      const k = KeyStore.open(keyfile, await passphrase());
      const p = k.payload;
      console.log(`project: ${p.project}`);
      console.log(`created: ${p.createdAt}`);
      console.log(`patients: ${Object.keys(p.patients).length}`);
      console.log(`files: ${p.files.length}`);
      console.log(`runs: ${p.runs.length}`);
      console.log(`profiles: ${[...new Set(p.runs.map((r) => r.profile))].join(', ') || '-'}`);
      console.log(`engine versions: ${[...new Set(p.runs.map((r) => r.engineVersion))].join(', ') || '-'}`);
      k.close();
    });
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof DcmblindError) {
      console.error(`dcmblind-key: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv);
