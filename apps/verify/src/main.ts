#!/usr/bin/env node
/**
 * dcmblind-verify: a second, independent look at a de-identified tree before it leaves the
 * site. Exit codes: 0 clean, 1 findings, 2 usage error (or a key that cannot be opened).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, extname, resolve, sep } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import {
  DcmblindError,
  ENGINE_VERSION,
  boundHeapGrowth,
  ignoreClosedStdout,
  KeyStore,
  ProjectSecret,
  readManifest,
  resolvePassphrase,
  terminalAsk,
  writeFileAtomic,
} from '@dcmblind/core';
import { findingLine, html, jsonReport, summary } from './report.js';
import { PROFILE_COLUMNS } from './table.js';
import { recipeFor } from './recipe.js';
import { verify } from './verify.js';

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('dcmblind-verify')
    .description('Re-scan a de-identified tree for leaked PHI, profile conformance and integrity.')
    .version(ENGINE_VERSION)
    .argument('<output-dir>', 'the tree to check (a dcmblind run output)')
    .option('--source <input-dir>', 'the original input: every identifying value in it is searched for')
    .option(
      '--key <keyfile>',
      "the run's key: its identities are searched for, and outputs are paired with their sources",
    )
    .addOption(
      new Option(
        '--profile <name>',
        'hold every file to this profile (default: what each file declares)',
      ).choices(Object.keys(PROFILE_COLUMNS)),
    )
    .option(
      '--report <file>',
      'write the report: .json (machine-readable) or .html (one page); give it twice for both',
      (file: string, files: string[]) => [...files, file],
      [] as string[],
    )
    .option('--workers <n>', 'worker threads (default: one per core)')
    .option('--quiet', 'summary only, no finding lines')
    .option('--no-ocr', "do not read the text in at-risk outputs' pixels (reported as not judged)")
    .option('--no-thumbnails', 'no frame images in the HTML report (it then shows no pixels)')
    .option(
      '--recipe <file>',
      'the project recipe that made the output: what it kept or replaced is reported as its choice (review)',
    )
    .exitOverride()
    .action(
      async (
        outputDir: string,
        o: {
          source?: string;
          key?: string;
          profile?: string;
          report: string[];
          workers?: string;
          quiet?: boolean;
          ocr: boolean;
          thumbnails: boolean;
          recipe?: string;
        },
      ) => {
        if (!existsSync(outputDir) || !statSync(outputDir).isDirectory())
          throw new DcmblindError('E_USAGE', `${outputDir} is not a folder`);
        if (o.source && !isSourceInput(o.source))
          throw new DcmblindError('E_USAGE', `--source ${o.source} is not a folder or a .zip archive`);
        if (o.source) assertApart(outputDir, o.source);
        for (const file of o.report) {
          if (!['.json', '.html'].includes(extname(file).toLowerCase()))
            throw new DcmblindError('E_USAGE', `--report ${file}: name a .json or .html file`);
          // Said now, not after a scan of many minutes.
          const folder = dirname(resolve(file));
          if (!existsSync(folder) || !statSync(folder).isDirectory())
            throw new DcmblindError('E_USAGE', `--report ${file}: its folder does not exist`);
        }
        const workers = o.workers === undefined ? undefined : Number(o.workers);
        if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 256))
          throw new DcmblindError('E_USAGE', '--workers must be a whole number from 1 to 256');
        let key: { payload: KeyStore['payload']; secret: Uint8Array } | undefined;
        if (o.key) {
          if (!existsSync(o.key)) throw new DcmblindError('E_USAGE', `--key ${o.key} does not exist`);
          const pass = await resolvePassphrase(terminalAsk, {
            confirm: false,
            purpose: `key ${o.key}`,
            isTTY: Boolean(process.stdin.isTTY),
          });
          const k = await KeyStore.openAsync(o.key, pass, { readOnly: true });
          key = { payload: k.payload, secret: k.secret };
          k.close();
          assertKeyMadeOutput(o.key, key.secret, outputDir);
        }
        const r = await verify({
          output: resolve(outputDir),
          ...(o.source ? { source: resolve(o.source) } : {}),
          ...(key ? { key } : {}),
          ...(o.profile ? { profile: o.profile } : {}),
          ...(workers ? { workers } : {}),
          ...(o.key ? { keyPath: resolve(o.key) } : {}),
          ocr: o.ocr,
          thumbnails: o.thumbnails,
          ...(o.recipe ? { recipe: recipeFor(resolve(o.recipe), resolve(outputDir)) } : {}),
        });
        if (!o.quiet)
          for (const f of [...r.findings, ...r.review]) process.stdout.write(`${findingLine(f)}\n`);
        process.stdout.write(`${summary(r)}\n`);
        for (const file of o.report) {
          const body = extname(file).toLowerCase() === '.json' ? jsonReport(r) : html(r);
          writeFileAtomic(file, Buffer.from(body, 'utf8'), 0o644);
          process.stderr.write(`report: ${file}\n`);
        }
        code = r.clean ? 0 : 1;
      },
    );
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof DcmblindError) {
      process.stderr.write(`dcmblind-verify: ${e.message}\n`);
      return e.code === 'E_INTERRUPTED' ? 130 : 2;
    }
    process.stderr.write(
      `dcmblind-verify: internal error (please report): ${(e as Error).stack ?? String(e)}\n`,
    );
    return 2;
  }
}

/** A folder of inputs, or one zip archive as `dcmblind run` takes it. */
function isSourceInput(p: string): boolean {
  if (!existsSync(p)) return false;
  const st = statSync(p);
  return st.isDirectory() || (st.isFile() && extname(p).toLowerCase() === '.zip');
}

/** The output and its sources are different trees: one inside the other is a mistake in the command. */
function assertApart(output: string, source: string): void {
  const [a, b] = [resolve(output), resolve(source)];
  const inside = (x: string, y: string) => x === y || x.startsWith(y.endsWith(sep) ? y : `${y}${sep}`);
  if (inside(a, b) || inside(b, a))
    throw new DcmblindError(
      'E_USAGE',
      `the output ${output} and --source ${source} are the same tree or one holds the other: ` +
        'give the de-identified output first, then its original input',
    );
}

/**
 * The output's manifest names the key that made it. Another key pairs nothing and seeds the
 * search with other patients: every file would be reported without a source. Refuse it and
 * say what to do; an output without a manifest (or a fingerprint in it) is checked as given.
 */
function assertKeyMadeOutput(keyArg: string, secret: Uint8Array, outputDir: string): void {
  let made: string | undefined;
  try {
    made = readManifest(outputDir)?.keyFingerprint;
  } catch {
    return; // damaged: the scan notes it
  }
  const fingerprint = new ProjectSecret(secret).fingerprint();
  if (!made || made === fingerprint) return;
  throw new DcmblindError(
    'E_KEY_PROJECT',
    `${keyArg} did not make this output (key ${fingerprint}; the output was made with key ${made}): ` +
      'give the key that made it, or verify without --key',
  );
}

ignoreClosedStdout();
boundHeapGrowth();
process.exitCode = await main(process.argv);
