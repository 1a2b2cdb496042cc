#!/usr/bin/env node
/**
 * dcmblind-key: the custodian's tool. Creates keys, answers who is behind a pseudonym,
 * exports the mapping, merges keys of several sites or runs, unblinds a results sheet and
 * changes the passphrase. Every use of identifying contents is logged inside the key.
 *
 * Exit codes: 0 done; 1 done, but some rows could not be resolved (lookup without a match,
 * unblind with unknown pseudonyms); 2 nothing done (usage, passphrase, damaged or foreign key,
 * conflicts, key in use); 130 interrupted.
 *
 * This file only wires the program: each command lives in ./commands/, in the order of the help.
 */
import { DcmblindError, ENGINE_VERSION, ignoreClosedStdout, boundHeapGrowth } from '@dcmblind/core';
import { Command, CommanderError } from 'commander';
import { auditCommand } from './commands/audit.js';
import { exportCommand } from './commands/export.js';
import { infoCommand, initCommand, issueSiteKeyCommand, passwdCommand } from './commands/keys.js';
import { lookupCommand } from './commands/lookup.js';
import { mergeCommand } from './commands/merge.js';
import type { Register, SetCode } from './commands/register.js';
import { unblindCommand } from './commands/unblind.js';
import { err } from './terminal.js';

/** The commands, in the order `--help` lists them. */
const COMMANDS: readonly Register[] = [
  initCommand,
  issueSiteKeyCommand,
  infoCommand,
  lookupCommand,
  exportCommand,
  mergeCommand,
  unblindCommand,
  passwdCommand,
  auditCommand,
];

/** The dcmblind-key program; `setCode` raises the exit code of a command that ends normally. */
export function program(setCode: SetCode): Command {
  const p = new Command('dcmblind-key')
    .description("The custodian's tool for dcmblind keys. Passphrase from DCMBLIND_PASSPHRASE or a prompt.")
    .version(ENGINE_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of COMMANDS) register(p, setCode);
  return p;
}

/** Runs one command line and returns its exit code: 0, 1, 2 or 130 (see above). */
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
boundHeapGrowth();
process.exitCode = await main(process.argv);
