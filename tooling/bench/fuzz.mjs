#!/usr/bin/env node
// Longer fuzzing than the test suite's: seeded mutations of real files for a chosen time.
// Usage: node fuzz.mjs [seconds=60] [firstSeed=1]. Prints outcome counts; any case that ends
// in something other than a DcmblindError or a parseable output is printed with its seed,
// which replays it exactly (same mutation of the same file). Asserts nothing; exit 1 on crashes.
import { readFileSync, statSync } from 'node:fs';
import { compileProfile, DcmblindError, deidentify, parseFile, ProjectSecret } from '@dcmblind/core';
import { mutate, realDicomFiles, Rng } from '@dcmblind/test-utils';

const [seconds = 60, firstSeed = 1] = process.argv.slice(2).map(Number);
const cfg = {
  profile: compileProfile('basic', []),
  secret: new ProjectSecret(new Uint8Array(32).fill(9)),
  pseudonymPrefix: 'ANON-',
  dateOffset: { min: 365, max: 1095 },
};
const files = realDicomFiles().filter((f) => statSync(f).size <= 4 * 1024 * 1024);
const sources = files.map((f) => readFileSync(f));
const outcomes = new Map();
const crashes = [];
let slowest = 0;
const end = Date.now() + seconds * 1000;
let seed = firstSeed;
for (; Date.now() < end; seed++) {
  const rng = new Rng(seed);
  const k = rng.int(sources.length);
  const { bytes, mutation } = mutate(sources[k], rng);
  const t0 = performance.now();
  let status;
  try {
    const r = deidentify(bytes, cfg);
    status = r.status;
    if (r.status === 'written') parseFile(r.output.concat());
  } catch (e) {
    if (e instanceof DcmblindError) status = e.code;
    else {
      status = 'CRASH';
      crashes.push({
        seed,
        file: files[k],
        mutation,
        error: String(e?.stack ?? e)
          .split('\n')
          .slice(0, 3)
          .join(' | '),
      });
    }
  }
  slowest = Math.max(slowest, performance.now() - t0);
  const key = `${mutation} → ${status}`;
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
}
console.log(
  `${seed - firstSeed} cases (seeds ${firstSeed}–${seed - 1}) over ${files.length} real files in ${seconds} s; slowest case ${slowest.toFixed(0)} ms`,
);
for (const [k, v] of [...outcomes].sort()) console.log(`  ${k}: ${v}`);
for (const c of crashes.slice(0, 20))
  console.log(`CRASH seed ${c.seed} (${c.mutation} of ${c.file}): ${c.error}`);
process.exitCode = crashes.length ? 1 : 0;
