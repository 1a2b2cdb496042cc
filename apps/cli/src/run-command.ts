/** `dcmblind run <input...> --out <dir> --key <file>`: the site operator's main job. */
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  assertUnlocked,
  countInputs,
  excluder,
  type FileOutcome,
  KeyStore,
  lockKey,
  preflightOutput,
  type RunSummary,
  runDeidentify,
  SKIPPABLE,
  STATE_DIR,
  skippedSteps,
} from '@dcmblind/core';
import { type Checked, checkCommandLine, type RunCommandOptions } from './command-line.js';
import { getPassphrase } from './passphrase.js';
import { type Progress, startProgress } from './progress.js';
import { formatSummary } from './summary.js';

export type { RunCommandOptions } from './command-line.js';

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export async function runCommand(
  inputs: string[],
  o: RunCommandOptions,
  io: Io,
  signal?: AbortSignal,
): Promise<{ code: number; interrupted: boolean }> {
  const checked = checkCommandLine(inputs, o);
  const { out, key, shard } = checked;
  warnSkippedSteps(io);
  // Allowed by --allow-identifying: each choice said (and recorded in the manifest and the key).
  for (const choice of checked.recipe?.identifying ?? [])
    io.err(`WARNING: --allow-identifying: the recipe keeps a direct identifier, ${choice}`);
  if (checked.recipe)
    io.err(`recipe: ${checked.recipe.file} (sha256 ${checked.recipe.sha256.slice(0, 16)}…)`);
  if (o.pixelScan === 'none')
    io.err(
      'WARNING: --pixel-scan none: no pixels are scanned for burned-in text; text in ultrasound, ' +
        'screen captures and other at-risk images is written as it is (files flagged YES are quarantined)',
    );
  // Refusals that need no passphrase come first, and leave no trace: an output another run is
  // writing, a folder that is not a dcmblind output, an existing output with a key that does not exist.
  const outLock = join(out, STATE_DIR, shard ? `output-shard-${shard.index}-of-${shard.count}` : 'output');
  const lockPurpose = shard ? `dcmblind run --shard ${shard.index}/${shard.count}` : 'dcmblind run';
  if (!o.dryRun) assertUnlocked(outLock, o.out);
  preflightOutput({ out, keyPath: o.key, keyExists: existsSync(key) });

  // One writer per key: a custodian's rewrite must not fold the journal away under this run.
  const release = o.dryRun ? () => {} : lockKey(key, 'dcmblind run');
  const made = { out: !existsSync(out), state: !existsSync(join(out, STATE_DIR)) };
  try {
    // And one run per output folder (two keys writing one tree would mix their pseudonyms).
    let releaseOut = () => {};
    if (!o.dryRun) {
      mkdirSync(join(out, STATE_DIR), { recursive: true });
      // Shards of one run share the output; each holds its own lock, two copies of one shard cannot run.
      releaseOut = lockKey(outLock, lockPurpose);
    }
    try {
      return await runLocked(inputs, o, io, signal, checked);
    } finally {
      releaseOut();
    }
  } catch (e) {
    // A refused run (passphrase, another configuration…) leaves no folder it made behind.
    removeIfEmpty(made.state ? join(out, STATE_DIR) : undefined, made.out ? out : undefined);
    throw e;
  } finally {
    release();
  }
}

/** Cleaning steps a test switched off (DCMBLIND_TEST_SKIP): said loudly, before anything is read. */
function warnSkippedSteps(io: Io): void {
  for (const step of skippedSteps())
    io.err(`WARNING: test switch DCMBLIND_TEST_SKIP: ${step} cleaning is OFF (${SKIPPABLE[step]} stays)`);
}

/** Remove folders this run made, if they are still empty (rmdir never removes anything else). */
function removeIfEmpty(...dirs: Array<string | undefined>): void {
  for (const d of dirs) {
    if (!d) continue;
    try {
      rmdirSync(d);
    } catch {
      return;
    }
  }
}

/**
 * The key: opened (its unlocking takes a deliberate half second of scrypt), or created with a
 * new random secret.
 */
async function openKey(o: RunCommandOptions, key: string, io: Io) {
  const creating = !existsSync(key);
  if (creating && o.dryRun) io.err(`dry run: ${o.key} does not exist; paths below use a throw-away key`);
  const passphrase =
    creating && o.dryRun
      ? ''
      : await getPassphrase({
          confirm: creating,
          purpose: creating ? `the new key ${o.key}` : `key ${o.key}`,
        });
  const pending =
    creating && !o.dryRun
      ? KeyStore.createPending(key, passphrase, o.project ?? basename(key).replace(/\.[^.]*$/, ''))
      : undefined;
  const store = pending
    ? pending.store
    : creating
      ? Promise.resolve(KeyStore.ephemeral(o.project ?? 'dry-run'))
      : KeyStore.openAsync(key, passphrase, { readOnly: Boolean(o.dryRun) });
  return { creating, pending, store };
}

/** What the operator sees while the run goes: every line whole above the bar (never cut, never overdrawn). */
function reporter(o: RunCommandOptions, io: Io, progress: Progress, tty: boolean) {
  const say = (line: string) => progress.log(line);
  const sayOut = (line: string) => (tty && process.stdout.isTTY ? progress.log(line) : io.out(line));
  const onFile = (f: FileOutcome, s: RunSummary) => {
    if (f.kind === 'failed') say(`error: ${f.source}: ${f.reason} [${f.code}]`);
    else if (f.kind === 'quarantined') say(`quarantined: ${f.source}: ${f.reason}`);
    else if (f.kind === 'skipped' && !o.quiet) say(`skipped: ${f.source}: ${f.reason}`);
    else if (f.kind === 'written' && o.dryRun && !o.json) {
      sayOut(`would write ${f.output}  <-  ${f.source}`);
      for (const e of f.explained ?? []) sayOut(`    ${e}`);
    }
    progress.update(s);
  };
  return { say, onFile };
}

async function runLocked(
  inputs: string[],
  o: RunCommandOptions,
  io: Io,
  signal: AbortSignal | undefined,
  { out, key, profile, options, recipe, dateOffset, workers, shard }: Checked,
): Promise<{ code: number; interrupted: boolean }> {
  const { creating, pending, store } = await openKey(o, key, io);
  const tty = Boolean(process.stderr.isTTY) && !o.json;
  const progress = startProgress(
    tty ? await countInputs(inputs, excluder(o.exclude)) : undefined,
    tty,
    io.err,
  );
  const { say, onFile } = reporter(o, io, progress, tty);
  if (creating && !o.dryRun) {
    store.then(
      () => say(`created key ${o.key} (encrypted; keep it and its passphrase safe, away from the output)`),
      () => {},
    );
  }
  // The key is derived before the worker threads load: scrypt's 128 MiB are freed by then, so
  // the run's peak memory is the larger of the two, not their sum. (A failure surfaces below.)
  await store.catch(() => {});
  const onAbort = () => say('interrupted: finishing files in flight (Ctrl-C again to quit at once)');
  signal?.addEventListener('abort', onAbort, { once: true });
  let summary: RunSummary;
  try {
    summary = await runDeidentify(
      {
        inputs,
        out,
        key: store,
        ...(pending ? { newKeySecret: pending.secret } : {}),
        profile,
        options,
        pseudonymPrefix: o.prefix,
        dateOffset,
        layout: o.layout ?? (profile === 'blinding' ? 'blinding' : 'mirror'),
        subjectIds: o.subjectId,
        patientScope: o.patientScope,
        ...(o.pixelScan ? { pixelScan: o.pixelScan } : {}),
        ...(o.pixelRules ? { pixelRules: resolve(o.pixelRules) } : {}),
        ...(shard ? { shard } : {}),
        ...(workers ? { workers } : {}),
        dryRun: Boolean(o.dryRun),
        forceRebuild: Boolean(o.forceRebuild),
        exclude: o.exclude,
        ...(recipe ? { recipe: { file: recipe.file, name: recipe.name, sha256: recipe.sha256 } } : {}),
        ...(recipe?.identifying.length ? { allowIdentifying: recipe.identifying } : {}),
        ...(signal ? { signal } : {}),
      },
      onFile,
    );
  } finally {
    progress.stop();
    await store.then((s) => s.close()).catch(() => {});
  }
  for (const w of summary.warnings) io.err(`warning: ${w}`);
  if (o.json) io.out(JSON.stringify({ ...summary, out: o.out }, null, 2));
  else io.out(formatSummary(summary));
  return { code: summary.failed > 0 ? 1 : 0, interrupted: summary.interrupted };
}
