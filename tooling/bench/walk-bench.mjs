#!/usr/bin/env node
// Lists a tree of many tiny files the way `dcmblind run` does (streaming opendir walk) and
// prints files/s and peak RSS: the walk must not hold the tree in memory.
// Usage: node walk-bench.mjs [files=1000000] [perFolder=1000]. Creates and removes its tree.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countInputs } from '@dcmblind/core';

const [files = 1_000_000, perFolder = 1000] = process.argv.slice(2).map(Number);
const root = mkdtempSync(join(process.env.BENCH_DIR ?? '/tmp', 'dcmblind-walk-'));
try {
  let t = performance.now();
  for (let i = 0; i < files; i++) {
    const d = join(root, `site-${Math.floor(i / (perFolder * 100))}`, `folder-${Math.floor(i / perFolder)}`);
    if (i % perFolder === 0) mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `f${i}.dcm`), '');
  }
  console.log(`created ${files} files in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const before = process.memoryUsage().rss;
  t = performance.now();
  const n = await countInputs([root]);
  const secs = (performance.now() - t) / 1000;
  console.log(
    `walked ${n} files in ${secs.toFixed(1)} s (${(n / secs).toFixed(0)} files/s); RSS before ${(before / 1e6).toFixed(0)} MB, peak ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
