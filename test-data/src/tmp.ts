/**
 * Scratch folders for tests. Under vitest every folder lives in the run's root (vitest-setup.ts
 * makes it and removes it at the end), so repeated suite runs do not fill /tmp (a full run writes
 * ~1 GB). Outside vitest (benchmarks, scripts) a per-process root is removed on exit.
 * DCMBLIND_KEEP_TEST_DIRS=1 keeps them for a post-mortem.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let root: string | undefined;

function processRoot(): string {
  if (root) return root;
  if (process.env.DCMBLIND_TEST_ROOT) {
    root = process.env.DCMBLIND_TEST_ROOT;
    return root;
  }
  const made = mkdtempSync(join(tmpdir(), 'dcmblind-test-'));
  root = made;
  if (process.env.DCMBLIND_KEEP_TEST_DIRS) {
    process.stderr.write(`test folders kept under ${made}\n`);
  } else {
    process.on('exit', () => {
      try {
        rmSync(made, { recursive: true, force: true, maxRetries: 2 });
      } catch {
        // a folder a test left unwritable (permission tests) may survive; never fail the run for it
      }
    });
  }
  return made;
}

/** A new empty folder named `<prefix>XXXXXX` under this process's scratch root. */
export function testDir(prefix = 'dcmblind-'): string {
  const base = processRoot();
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, prefix));
}
