/**
 * The prefetch hint runs on the main thread for every queued input: whatever the path turns
 * out to be by then (gone, a folder, a FIFO nobody writes to, unreadable), it must return at
 * once and never throw; and it must not change a byte of what is read.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testDir } from '@dcmblind/test-utils';
import { describe, expect, it } from 'vitest';
import { nativeCopyAvailable, willNeed } from './native.js';

describe('willNeed', () => {
  it('returns at once and never throws, whatever the path is', () => {
    const dir = testDir('prefetch-');
    const file = join(dir, 'f.dcm');
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) & 0xff));
    writeFileSync(file, bytes);
    mkdirSync(join(dir, 'folder'));
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const locked = join(dir, 'locked');
    writeFileSync(locked, 'x');
    chmodSync(locked, 0);
    const paths = [
      file,
      join(dir, 'missing'),
      join(dir, 'folder'),
      fifo,
      locked,
      '',
      'x'.repeat(5000),
      `${dir}/\u00e9\u4e2d.dcm`,
    ];
    // In a child with a deadline: a FIFO opened for reading without a writer would block a
    // plain open(2) forever, and with it the whole thread.
    const built = fileURLToPath(new URL('../../dist/run/native.js', import.meta.url));
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(built)}); ` +
          `for (const p of ${JSON.stringify(paths)}) m.willNeed(p); console.log('ok');`,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(r.error, 'willNeed blocked').toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ok');
    for (const p of paths) expect(() => willNeed(p)).not.toThrow();
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('is backed by the native helper when it is built', () => {
    // The build compiles it wherever a C compiler and Node headers exist (CI has both).
    if (process.env.CI) expect(nativeCopyAvailable()).toBe(true);
  });
});
