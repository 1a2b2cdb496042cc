/** `dcmblind run <input...> --out <dir> --key <file>`: the site operator's main job. */
import { existsSync, mkdirSync, realpathSync, rmdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import {
  assertUnlocked,
  countInputs,
  DcmblindError,
  excluder,
  type FileOutcome,
  KeyStore,
  type Layout,
  looseDicomFile,
  lockKey,
  type OptionName,
  outputTreeOf,
  preflightOutput,
  type RunSummary,
  resolveOptions,
  runDeidentify,
  STATE_DIR,
} from '@dcmblind/core';
import { getPassphrase } from './passphrase.js';
import { startProgress } from './progress.js';

export interface RunCommandOptions {
  out: string;
  key: string;
  profile: string;
  option: string[];
  prefix: string;
  dateOffset: string;
  project?: string;
  json?: boolean;
  quiet?: boolean;
  layout?: Layout;
  subjectId: 'hmac' | 'source-sha256';
  shard?: string;
  patientScope: 'global' | 'issuer';
  workers?: string;
  dryRun?: boolean;
  forceRebuild?: boolean;
  exclude: string[];
}

/** Real path of p, or of its nearest existing ancestor joined with the rest. */
function realish(p: string): string {
  const abs = resolve(p);
  if (existsSync(abs)) return realpathSync(abs);
  return resolve(realish(dirname(abs)), basename(abs));
}
function inside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !r.startsWith(sep) && r !== '..');
}

function parseOffset(s: string): { min: number; max: number } {
  const m = /^(\d+):(\d+)$/.exec(s);
  const min = Number(m?.[1]);
  const max = Number(m?.[2]);
  if (!m || min > max || max > 36500)
    throw new DcmblindError(
      'E_USAGE',
      `--date-offset must be MIN:MAX whole days, MIN <= MAX <= 36500 (got "${s}")`,
    );
  return { min, max };
}

export async function runCommand(
  inputs: string[],
  o: RunCommandOptions,
  io: { out: (s: string) => void; err: (s: string) => void },
  signal?: AbortSignal,
): Promise<{ code: number; interrupted: boolean }> {
  // Everything that can be wrong with the command line is checked before anything is written.
  const options = resolveOptions(o.profile, o.option);
  const shard = o.shard === undefined ? undefined : parseShard(o.shard, process.env);
  if (o.subjectId === 'source-sha256' && o.profile !== 'blinding')
    throw new DcmblindError('E_USAGE', '--subject-id source-sha256 goes with --profile blinding');
  if (o.subjectId === 'source-sha256') {
    const loose = inputs.every((i) => existsSync(i))
      ? looseDicomFile(inputs, excluder(o.exclude))
      : undefined;
    if (loose)
      throw new DcmblindError(
        'E_USAGE',
        `--subject-id source-sha256 names each subject by its zip file, and ${loose} is not in one: give zipped studies only (or drop the option)`,
      );
  }
  const dateOffset = parseOffset(o.dateOffset);
  if (!/^[A-Za-z0-9_-]{0,16}$/.test(o.prefix))
    throw new DcmblindError('E_USAGE', '--prefix: up to 16 letters, digits, "-" or "_"');
  const out = realish(o.out);
  const key = realish(o.key);
  const real: string[] = [];
  for (const i of inputs) {
    if (!existsSync(i)) throw new DcmblindError('E_USAGE', `input ${i} does not exist`);
    const ri = realpathSync(i);
    if (inside(out, ri) && statSync(ri).isDirectory())
      throw new DcmblindError(
        'E_USAGE',
        `--out ${o.out} is inside input ${i}; choose an output outside the inputs`,
      );
    if (inside(ri, out)) throw new DcmblindError('E_USAGE', `input ${i} is inside --out ${o.out}`);
    if (inside(key, ri))
      throw new DcmblindError(
        'E_USAGE',
        `--key ${o.key} is inside input ${i}: inputs are only read, and the key must not be read as one; keep it elsewhere`,
      );
    // Overlapping inputs would read (and write) the same files twice.
    const twice = real.findIndex((r) => inside(ri, r) || inside(r, ri));
    if (twice >= 0)
      throw new DcmblindError(
        'E_USAGE',
        `inputs ${inputs[twice]} and ${i} overlap (one is, or holds, the other): give each folder once`,
      );
    real.push(ri);
  }
  if (inside(key, out))
    throw new DcmblindError(
      'E_USAGE',
      `--key ${o.key} is inside --out: the key must never travel with the output`,
    );
  const keyTree = outputTreeOf(key);
  if (keyTree)
    throw new DcmblindError(
      'E_USAGE',
      `--key ${o.key} is inside the de-identified output ${keyTree}: the key must never travel with an output`,
    );
  if (existsSync(key) && statSync(key).isDirectory())
    throw new DcmblindError(
      'E_USAGE',
      `--key ${o.key} is a folder; name the key file (for example ${join(o.key, 'study.key')})`,
    );
  if (!existsSync(dirname(key)))
    throw new DcmblindError(
      'E_USAGE',
      `--key ${o.key}: its folder ${dirname(o.key)} does not exist (a typo?); create it first for a new key`,
    );
  const workers = o.workers === undefined ? undefined : Number(o.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 256))
    throw new DcmblindError('E_USAGE', '--workers must be a whole number from 1 to 256');
  for (const g of o.exclude)
    if (g.trim() === '' || g.startsWith('/'))
      throw new DcmblindError(
        'E_USAGE',
        `--exclude "${g}": give a name pattern (*.txt) or a path relative to the input (old/**)`,
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
      return await runLocked(inputs, o, io, signal, { out, key, options, dateOffset, workers, shard });
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

async function runLocked(
  inputs: string[],
  o: RunCommandOptions,
  io: { out: (s: string) => void; err: (s: string) => void },
  signal: AbortSignal | undefined,
  v: {
    out: string;
    key: string;
    options: OptionName[];
    dateOffset: { min: number; max: number };
    workers: number | undefined;
    shard: { index: number; count: number } | undefined;
  },
): Promise<{ code: number; interrupted: boolean }> {
  const { out, key, options, dateOffset, workers, shard } = v;
  const creating = !existsSync(key);
  if (creating && o.dryRun) io.err(`dry run: ${o.key} does not exist; paths below use a throw-away key`);
  const passphrase =
    creating && o.dryRun
      ? ''
      : await getPassphrase({
          confirm: creating,
          purpose: creating ? `the new key ${o.key}` : `key ${o.key}`,
        });
  // Unlocking takes a deliberate half second (scrypt); the worker threads start meanwhile.
  const pending =
    creating && !o.dryRun
      ? KeyStore.createPending(key, passphrase, o.project ?? basename(key).replace(/\.[^.]*$/, ''))
      : undefined;
  const storePromise = pending
    ? pending.store
    : creating
      ? Promise.resolve(KeyStore.ephemeral(o.project ?? 'dry-run'))
      : KeyStore.openAsync(key, passphrase, { readOnly: Boolean(o.dryRun) });
  const tty = Boolean(process.stderr.isTTY) && !o.json;
  const exclude = excluder(o.exclude);
  const progress = startProgress(tty ? await countInputs(inputs, exclude) : undefined, tty, io.err);
  // Every line of the run goes above the progress bar, whole (never cut, never overdrawn).
  const say = (line: string) => progress.log(line);
  const sayOut = (line: string) => (tty && process.stdout.isTTY ? progress.log(line) : io.out(line));
  if (creating && !o.dryRun) {
    storePromise.then(
      () => say(`created key ${o.key} (encrypted; keep it and its passphrase safe, away from the output)`),
      () => {},
    );
  }
  signal?.addEventListener(
    'abort',
    () => say('interrupted: finishing files in flight (Ctrl-C again to quit at once)'),
    { once: true },
  );
  const onFile = (f: FileOutcome, s: RunSummary) => {
    if (f.kind === 'failed') say(`error: ${f.source}: ${f.reason} [${f.code}]`);
    else if (f.kind === 'quarantined') say(`quarantined: ${f.source}: ${f.reason}`);
    else if (f.kind === 'skipped' && !o.quiet) say(`skipped: ${f.source}: ${f.reason}`);
    else if (f.kind === 'written' && o.dryRun && !o.json) sayOut(`would write ${f.output}  <-  ${f.source}`);
    progress.update(s);
  };
  let summary: RunSummary;
  try {
    summary = await runDeidentify(
      {
        inputs,
        out,
        key: storePromise,
        ...(pending ? { newKeySecret: pending.secret } : {}),
        profile: o.profile,
        options,
        pseudonymPrefix: o.prefix,
        dateOffset,
        layout: o.layout ?? (o.profile === 'blinding' ? 'blinding' : 'mirror'),
        subjectIds: o.subjectId,
        patientScope: o.patientScope,
        ...(shard ? { shard } : {}),
        ...(workers ? { workers } : {}),
        dryRun: Boolean(o.dryRun),
        forceRebuild: Boolean(o.forceRebuild),
        exclude: o.exclude,
        ...(signal ? { signal } : {}),
      },
      onFile,
    );
  } finally {
    progress.stop();
    await storePromise.then((s) => s.close()).catch(() => {});
  }
  for (const w of summary.warnings) io.err(`warning: ${w}`);
  if (o.json) io.out(JSON.stringify({ ...summary, out: o.out }, null, 2));
  else io.out(formatSummary(summary));
  return { code: summary.failed > 0 ? 1 : 0, interrupted: summary.interrupted };
}

function formatSummary(s: RunSummary): string {
  const secs = s.elapsedMs / 1000;
  const files = s.written + s.done + s.unchanged + s.quarantined + s.skipped + s.failed;
  const mb = s.bytesIn / 1e6;
  const lines = [
    `${s.dryRun ? 'dry run (nothing written): ' : ''}files: ${s.written} ${s.dryRun ? 'would be written' : 'written'}, ${s.done} already done, ${s.unchanged} unchanged, ${s.quarantined} quarantined, ${s.skipped} skipped, ${s.failed} failed${s.interrupted ? ' (interrupted)' : ''}`,
    `patients: ${s.patients}`,
    `elapsed: ${secs.toFixed(1)} s, ${(files / Math.max(secs, 1e-3)).toFixed(1)} files/s, ${(mb / Math.max(secs, 1e-3)).toFixed(1)} MB/s`,
  ];
  if (s.rebuild) {
    lines.unshift(
      `--force-rebuild: removed ${s.rebuild.removed} file(s) of the earlier configuration, kept ${s.rebuild.kept} file(s) dcmblind did not write (all listed in ${s.rebuild.log})`,
    );
  }
  if (s.dryRun) {
    lines.push('rules that would fire:');
    for (const [rule, n] of Object.entries(s.rules).sort((a, b) => b[1] - a[1]))
      lines.push(`  ${String(n).padStart(7)}  ${rule}`);
  }
  if (s.failures.length) {
    const byCode = new Map<string, number>();
    for (const f of s.failures) byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
    lines.push(`failures by reason: ${[...byCode].map(([c, n]) => `${c} ${n}`).join(', ')}`);
  }
  return lines.join('\n');
}

/**
 * `--shard i/n` (1-based), or `auto` / `auto/n`: the index from a scheduler — Slurm job arrays
 * (SLURM_ARRAY_TASK_ID, counted from SLURM_ARRAY_TASK_MIN; n from SLURM_ARRAY_TASK_COUNT) or
 * Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX, 0-based; n from auto/n or DCMBLIND_SHARDS).
 */
export function parseShard(spec: string, env: NodeJS.ProcessEnv): { index: number; count: number } {
  const m = /^(auto|\d+)(?:\/(\d+))?$/.exec(spec.trim());
  if (!m) throw new DcmblindError('E_USAGE', '--shard: write i/n (for example 2/8), auto or auto/n');
  let index: number;
  let count = m[2] ? Number(m[2]) : Number.NaN;
  if (m[1] === 'auto') {
    if (env.SLURM_ARRAY_TASK_ID !== undefined) {
      index = Number(env.SLURM_ARRAY_TASK_ID) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0) + 1;
      if (Number.isNaN(count)) count = Number(env.SLURM_ARRAY_TASK_COUNT);
    } else if (env.JOB_COMPLETION_INDEX !== undefined) {
      index = Number(env.JOB_COMPLETION_INDEX) + 1;
      if (Number.isNaN(count)) count = Number(env.DCMBLIND_SHARDS);
    } else {
      throw new DcmblindError(
        'E_USAGE',
        '--shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set',
      );
    }
    if (Number.isNaN(count))
      throw new DcmblindError(
        'E_USAGE',
        '--shard auto: the shard count is unknown; write auto/n or set DCMBLIND_SHARDS',
      );
  } else {
    index = Number(m[1]);
    if (!m[2]) throw new DcmblindError('E_USAGE', '--shard: write i/n (for example 2/8)');
  }
  if (
    !Number.isInteger(index) ||
    !Number.isInteger(count) ||
    count < 1 ||
    count > 100000 ||
    index < 1 ||
    index > count
  ) {
    throw new DcmblindError(
      'E_USAGE',
      `--shard: shard ${index} of ${count} does not exist (shards count from 1 to n)`,
    );
  }
  return { index, count };
}
