#!/usr/bin/env node
// Burned-in text benchmark: at-risk 640×480 frames per second through `dcmblind run --option
// clean-pixel-data` (issue 20's target: ≥5 on 2 cores), for frames with text and without, next to
// the same files without the option. The frames are test-data/python/burned_in.py's ultrasound
// (real pydicom header and pixels, a name, an MRN and a date drawn in), copied N times.
// Prints figures, asserts nothing. Needs python3-pydicom and python3-pil.
// Usage: node pixel-bench.mjs [copies=40] [workers=cores]
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [copies = 40, workers = cpus().length] = process.argv.slice(2).map(Number);
const cli = fileURLToPath(new URL('../../apps/cli/dist/main.js', import.meta.url));
const generator = fileURLToPath(new URL('../../test-data/python/burned_in.py', import.meta.url));
const work = mkdtempSync(join(process.env.BENCH_DIR ?? '/tmp', 'dcmblind-pixel-bench-'));

execFileSync('/usr/bin/python3', [generator, join(work, 'made')], { stdio: 'ignore' });
for (const kind of ['us-mono', 'us-clean']) {
  const dir = join(work, kind);
  mkdirSync(dir);
  for (let i = 0; i < copies; i++) copyFileSync(join(work, 'made', `${kind}.dcm`), join(dir, `f${i}.dcm`));
}

function run(input, options) {
  const out = join(work, 'out');
  const key = join(work, 'k.key');
  rmSync(out, { recursive: true, force: true });
  rmSync(key, { force: true });
  const r = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%e %M',
      process.execPath,
      cli,
      'run',
      input,
      '--out',
      out,
      '--key',
      key,
      '--profile',
      'research',
      '--workers',
      String(workers),
      ...options,
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, DCMBLIND_PASSPHRASE: 'pixel-bench-passphrase', DCMBLIND_KDF_LOG2N: '14' },
    },
  );
  if (r.status !== 0) throw new Error(r.stderr.slice(-2000));
  const [secs, kb] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { secs, rssMB: Math.round(kb / 1024) };
}

console.log(`${copies} files of one 640×480 frame each, ${workers} workers (median of 3)`);
for (const kind of ['us-mono', 'us-clean']) {
  for (const options of [['--option', 'clean-pixel-data'], []]) {
    const runs = [0, 1, 2].map(() => run(join(work, kind), options)).sort((a, b) => a.secs - b.secs);
    const m = runs[1];
    const label = `${kind === 'us-mono' ? 'with text   ' : 'without text'} ${options.length ? 'clean-pixel-data' : 'no option       '}`;
    console.log(
      `${label}  ${m.secs.toFixed(2)} s  ${(copies / m.secs).toFixed(1)} frames/s  peak RSS ${m.rssMB} MB`,
    );
  }
}
rmSync(work, { recursive: true, force: true });
