#!/usr/bin/env node
/** dcmblind-verify: the independent PHI leak scanner. Not built yet (issue 5); says so and exits 2. */
import { Command, CommanderError } from 'commander';
import { ENGINE_VERSION } from '@dcmblind/core';

const program = new Command('dcmblind-verify')
  .description('Re-scan a de-identified output tree for leaked PHI (arrives with issue 5).')
  .version(ENGINE_VERSION)
  .argument('<output-dir>')
  .exitOverride()
  .action(() => {
    console.error('dcmblind-verify: not implemented yet in this version; see issue 5');
    process.exitCode = 2;
  });
try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.exitCode = e instanceof CommanderError && e.exitCode === 0 ? 0 : 2;
}
