#!/usr/bin/env node
// Micro-benchmark of the de-identification core against a plain copy of the same files.
// Prints figures; asserts nothing. Usage: node core-bench.mjs [files=400] [rows=512]
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compileProfile, deidentify, ProjectSecret, resolveOptions } from '@dcmblind/core';
import { makeCohort } from '@dcmblind/test-utils';

const files = Number(process.argv[2] ?? 400);
const rows = Number(process.argv[3] ?? 512);
const work = mkdtempSync(join(tmpdir(), 'dcmblind-bench-'));
const input = join(work, 'in');
const perSeries = 50;
const series = Math.max(1, Math.ceil(files / perSeries));
const c = makeCohort(input, {
  patients: Math.max(1, Math.ceil(series / 4)),
  studiesPerPatient: 2,
  seriesPerStudy: 2,
  instancesPerSeries: perSeries,
  rows,
  columns: rows,
});

function list(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...list(p));
    else out.push(p);
  }
  return out;
}
const paths = list(input).slice(0, files);
const bytes = paths.reduce((s, p) => s + statSync(p).size, 0);
const mb = bytes / 1e6;

function timeIt(label, fn) {
  // Warm the page cache and the JIT once, then measure.
  fn(join(work, `${label}-warm`));
  const t0 = performance.now();
  fn(join(work, label));
  const s = (performance.now() - t0) / 1000;
  return { label, s, fps: paths.length / s, mbps: mb / s };
}

const copy = timeIt('copy', (out) => {
  paths.forEach((p, i) => {
    const d = join(out, String(i % 64));
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `${i}.dcm`), readFileSync(p));
  });
});
const profile = compileProfile('research', resolveOptions('research', []));
const secret = new ProjectSecret(new Uint8Array(32).fill(1));
const cfg = { profile, secret, pseudonymPrefix: 'ANON-', dateOffset: { min: 365, max: 1095 } };
const core = timeIt('core', (out) => {
  paths.forEach((p, i) => {
    const d = join(out, String(i % 64));
    mkdirSync(d, { recursive: true });
    const r = deidentify(readFileSync(p), cfg);
    if (r.status === 'written') writeFileSync(join(d, `${i}.dcm`), r.output.concat());
  });
});

// The whole CLI (walk, hashing, journal with fsync, atomic writes) against `cp -r`.
const cli = fileURLToPath(new URL('../../apps/cli/dist/main.js', import.meta.url));
const t1 = performance.now();
execFileSync('cp', ['-r', input, join(work, 'cp-out')]);
const cpS = (performance.now() - t1) / 1000;
const t2 = performance.now();
execFileSync(
  process.execPath,
  [
    cli,
    'run',
    input,
    '--out',
    join(work, 'cli-out'),
    '--key',
    join(work, 'bench.key'),
    '--profile',
    'research',
    '--json',
  ],
  {
    env: { ...process.env, DCMBLIND_PASSPHRASE: 'benchmark passphrase' },
  },
);
const cliS = (performance.now() - t2) / 1000;
const all = c.files;
const allMB = c.bytes / 1e6;

console.log(
  `cohort: ${paths.length} files for the core loop (${mb.toFixed(0)} MB, ${rows}x${rows} 16-bit), ${all} files (${allMB.toFixed(0)} MB) for the CLI`,
);
for (const r of [copy, core])
  console.log(
    `${r.label.padEnd(6)} ${r.fps.toFixed(0).padStart(6)} files/s ${r.mbps.toFixed(0).padStart(6)} MB/s  ${r.s.toFixed(2)} s`,
  );
console.log(`core / copy: ${(core.s / copy.s).toFixed(2)}x`);
console.log(
  `cp -r  ${(all / cpS).toFixed(0).padStart(6)} files/s ${(allMB / cpS).toFixed(0).padStart(6)} MB/s  ${cpS.toFixed(2)} s`,
);
console.log(
  `dcmblind run ${(all / cliS).toFixed(0)} files/s ${(allMB / cliS).toFixed(0)} MB/s  ${cliS.toFixed(2)} s (includes key derivation ~0.5 s)  ratio to cp -r: ${(cliS / cpS).toFixed(2)}x`,
);
rmSync(work, { recursive: true, force: true });
