#!/usr/bin/env node
// Scale benchmark (issue 19): a cohort of many tiny DICOM files, `dcmblind run` over it, then a
// no-op rerun (everything already written: the resume path). Prints wall time, peak RSS and
// files/s of both, and the rerun's share of the run; asserts nothing.
// Usage: node scale-bench.mjs [files=100000] [patients=files/100] [workers=cores]
// BENCH_DIR: where the cohort, output and key go (default /tmp); BENCH_KEEP=1 keeps them.
// The cohort is built once per size and reused (BENCH_DIR/dcmblind-scale-<files>/in).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDicom, ctInstance, patientOf } from '@dcmblind/test-utils';

const args = process.argv.slice(2).map(Number);
const files = args[0] || 100_000;
const patients = args[1] || Math.max(1, Math.round(files / 100));
const workers = args[2] || cpus().length;
const cli = fileURLToPath(new URL('../../apps/cli/dist/main.js', import.meta.url));
const work = join(process.env.BENCH_DIR ?? '/tmp', `dcmblind-scale-${files}`);
const input = join(work, 'in');
const env = { ...process.env, DCMBLIND_PASSPHRASE: 'scale bench passphrase', DCMBLIND_KDF_LOG2N: '14' };

/** patients × studies of 100 slices of 8 × 8 pixels: ~2 KB a file, real CT headers. */
function buildCohort() {
  if (
    existsSync(join(input, '.complete')) &&
    readFileSync(join(input, '.complete'), 'utf8').trim() === `${files}/${patients}`
  )
    return;
  rmSync(input, { recursive: true, force: true });
  const spec = {
    patients,
    studiesPerPatient: 1,
    seriesPerStudy: 1,
    instancesPerSeries: 100,
    rows: 8,
    columns: 8,
  };
  const perPatient = Math.ceil(files / patients);
  let n = 0;
  for (let pi = 0; pi < patients && n < files; pi++) {
    const p = patientOf(pi);
    for (let i = 0; i < perPatient && n < files; i++, n++) {
      const se = Math.floor(i / 100);
      // One folder per patient (names repeat every 100 patients; the index keeps folders apart).
      const dir = join(input, `${p.folder}_${pi + 1}`, `series-${se + 1}`);
      if (i % 100 === 0) mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, `IMG${String(i + 1).padStart(5, '0')}.dcm`),
        buildDicom(ctInstance(p, pi, 0, se, i, spec)),
      );
    }
  }
  writeFileSync(join(input, '.complete'), `${n}/${patients}\n`);
}

function timed(label, argv) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, cli, ...argv], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`${label} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const [secs, kb] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  console.log(
    `${label.padEnd(14)} ${secs.toFixed(1).padStart(7)} s  ${(files / secs).toFixed(0).padStart(6)} files/s  peak RSS ${(kb / 1024).toFixed(0)} MB`,
  );
  return secs;
}

const t0 = Date.now();
buildCohort();
console.log(
  `${files} files of ${patients} patients in ${input} (built in ${((Date.now() - t0) / 1000).toFixed(0)} s), ${workers} workers`,
);
const out = join(work, 'out');
const key = join(work, 'k.key');
rmSync(out, { recursive: true, force: true });
rmSync(key, { force: true });
rmSync(`${key}.journal`, { force: true });
const common = [
  input,
  '--out',
  out,
  '--key',
  key,
  '--workers',
  String(workers),
  '--quiet',
  '--exclude',
  '.complete',
];
const run = timed('run', ['run', ...common]);
const rerun = timed('no-op rerun', ['run', ...common]);
console.log(`rerun / run: ${((100 * rerun) / run).toFixed(0)}%`);
if (!process.env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
