#!/usr/bin/env node
/** dcmblind: argv → core → exit code. The only place that maps errors to exit codes. */
import { Command, CommanderError, Option } from 'commander';
import {
  DcmblindError,
  ENGINE_VERSION,
  boundHeapGrowth,
  ignoreClosedStdout,
  LAYOUTS,
  OPTION_NAMES,
  PROFILE_NAMES,
} from '@dcmblind/core';
import { recipeCommands } from './recipe-command.js';
import { runCommand, type RunCommandOptions } from './run-command.js';

export const EXIT = { ok: 0, failures: 1, usage: 2, interrupted: 130 } as const;

/** Refusals before anything is written: exit 2. */
const NOTHING_DONE = new Set<string>([
  'E_USAGE',
  'E_KEY_PASSPHRASE',
  'E_KEY_FORMAT',
  'E_KEY_EXISTS',
  'E_KEY_LOCKED',
  'E_KEY_PROJECT',
  'E_KEY_NOT_FOUND',
  'E_OUTPUT_MISMATCH',
  'E_OUTPUT_NOT_EMPTY',
]);

const collect = (value: string, previous: string[]) => [...previous, value];

export function buildProgram(
  io = { out: (s: string) => console.log(s), err: (s: string) => console.error(s) },
): { program: Command; result: { code: number } } {
  const result = { code: EXIT.ok as number };
  const program = new Command('dcmblind')
    .description(
      'De-identify DICOM cohorts for research (PS3.15 Annex E), keeping the re-identification key encrypted.',
    )
    .version(ENGINE_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  program
    .command('run')
    .description('write a de-identified copy of every DICOM file under the inputs into --out')
    .argument('<input...>', 'folders or files to read (never modified)')
    .requiredOption('--out <dir>', 'output folder (must not be inside an input)')
    .requiredOption('--key <file>', 'encrypted key file; created if missing (never inside --out)')
    .addOption(new Option('--profile <name>', 'named profile').choices(PROFILE_NAMES).default('basic'))
    .addOption(new Option('--option <name...>', 'extra PS3.15 options').choices(OPTION_NAMES).default([]))
    .option('--prefix <text>', 'pseudonym prefix', 'ANON-')
    .option('--date-offset <min:max>', 'whole days dates move back (Modified Dates option)', '365:1095')
    .option('--project <name>', 'project name recorded in a new key')
    .addOption(
      new Option(
        '--layout <name>',
        'output layout (default: mirror; blinding for --profile blinding)',
      ).choices(LAYOUTS),
    )
    .option(
      '--shard <i/n>',
      'process only shard i of n (1-based), or "auto"/"auto/n" from SLURM_ARRAY_TASK_ID or ' +
        'JOB_COMPLETION_INDEX',
    )
    .addOption(
      new Option(
        '--patient-scope <scope>',
        'global: one patient per PatientID; issuer: PatientID within IssuerOfPatientID',
      )
        .choices(['global', 'issuer'])
        .default('global'),
    )
    .addOption(
      new Option(
        '--pixel-scan <which>',
        'with --option clean-pixel-data: scan the pixels of all files, of those likely to show ' +
          'text (default: at-risk — US, SC/OT, XA/RF, DX/CR/MG… and any flagged YES), or none',
      ).choices(['all', 'at-risk', 'none']),
    )
    .option(
      '--pixel-rules <file>',
      'with --option clean-pixel-data: region rules of your devices (JSON, the format of the ' +
        'built-in data/pixel-rules.json) — their rectangles are blanked in every frame',
    )
    .addOption(
      new Option(
        '--subject-id <how>',
        'blinding: name subjects by a keyed hash of the patient, or by the SHA-256 of their source zip',
      )
        .choices(['hmac', 'source-sha256'])
        .default('hmac'),
    )
    .option('--workers <n>', 'worker threads (default: one per core)')
    .option('--dry-run', 'report what would be written and which rules would fire; write nothing')
    .option(
      '--force-rebuild',
      'delete an output made with another key, profile, options, recipe or engine version and redo it',
    )
    .option('--json', 'print the end summary as JSON')
    .option(
      '--exclude <glob>',
      'leave matching files or folders out (repeatable): a name pattern (*.txt) or a path from the input ' +
        '(old/**); OS debris (.DS_Store, Thumbs.db, __MACOSX) always is',
      collect,
      [],
    )
    .option('--quiet', 'do not list skipped files')
    .option(
      '--recipe <file>',
      "the project's recipe (YAML or JSON): attribute actions, safe private elements, date policy, " +
        'clinical-trial attributes, a subjects table (dcmblind recipe init writes a starter)',
    )
    .option('--allow-identifying', 'let the recipe keep direct identifiers (each printed and recorded)')
    .action(async (inputs: string[], o: RunCommandOptions, command: Command) => {
      o.profileGiven = command.getOptionValueSource('profile') === 'cli';
      // First Ctrl-C: finish or discard in-flight files, keep the journal consistent, stop.
      const ac = new AbortController();
      const onSigint = () => {
        if (ac.signal.aborted) process.exit(EXIT.interrupted);
        ac.abort(); // the run says so above its progress bar
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      try {
        const r = await runCommand(inputs, o, io, ac.signal);
        result.code = r.interrupted ? EXIT.interrupted : r.code;
      } finally {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
      }
    });
  recipeCommands(program, io);
  return { program, result };
}

export async function main(argv: string[]): Promise<number> {
  const { program, result } = buildProgram();
  try {
    await program.parseAsync(argv);
    return result.code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof DcmblindError) {
      console.error(`dcmblind: ${e.message}`);
      if (e.code === 'E_INTERRUPTED') return EXIT.interrupted;
      return NOTHING_DONE.has(e.code) ? EXIT.usage : EXIT.failures;
    }
    console.error(`dcmblind: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.failures;
  }
}

ignoreClosedStdout();
boundHeapGrowth();
process.exitCode = await main(process.argv);
