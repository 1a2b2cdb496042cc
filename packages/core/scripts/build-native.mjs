#!/usr/bin/env node
// Build the optional native helper (kernel range copy, prefetch, flock) with the system C
// compiler against Node's own N-API headers (no node-gyp, nothing downloaded). Failure is not
// an error: dcmblind then copies through a bounded buffer and judges key locks from /proc.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'native', 'build', 'fs_helper.node');
const candidates = [
  join(dirname(dirname(process.execPath)), 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
];
const headers = candidates.find((d) => existsSync(join(d, 'node_api.h')));
if (process.platform !== 'linux' || !headers) {
  console.log('native helper: skipped (needs Linux and Node headers); using the portable copy');
  process.exit(0);
}
mkdirSync(dirname(out), { recursive: true });
try {
  execFileSync(
    process.env.CC ?? 'cc',
    ['-O2', '-shared', '-fPIC', '-Wall', `-I${headers}`, join(root, 'native', 'fs_helper.c'), '-o', out],
    { stdio: 'inherit' },
  );
  console.log('native helper: built');
} catch {
  console.log('native helper: not built (no C compiler?); using the portable copy');
}
