/**
 * Vitest global setup shared by every package: one scratch root per `vitest` run, handed to the
 * test workers through DCMBLIND_TEST_ROOT and removed when the run ends (workers are killed, not
 * exited, so their own exit hooks cannot be relied on). DCMBLIND_KEEP_TEST_DIRS=1 keeps it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'dcmblind-test-'));
  process.env.DCMBLIND_TEST_ROOT = root;
  return () => {
    if (process.env.DCMBLIND_KEEP_TEST_DIRS) {
      process.stderr.write(`test folders kept under ${root}\n`);
      return;
    }
    try {
      rmSync(root, { recursive: true, force: true, maxRetries: 2 });
    } catch (e) {
      process.stderr.write(`could not remove test folders under ${root}: ${(e as Error).message}\n`);
    }
  };
}
