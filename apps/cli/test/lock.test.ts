/**
 * A crashed run never locks the key or the output for good. Where nothing reaps orphans (a
 * container without an init, as in Kubernetes pods), a run killed with -9 stays a zombie, and
 * a plain "is its pid alive?" test says yes forever; a pid can also come back as another
 * process. The next run must start at once in both cases — with the native helper (the
 * kernel's flock) and without it (/proc) — while a live run still keeps others out.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeCohort } from '@dcmblind/test-utils';
import { CLI, dcmblind, warmKey, listTree, PASSPHRASE, tmp } from './helpers.js';

const PY = '/usr/bin/python3';

/** /proc state letter of a pid ('' when it has no entry). */
function procState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '';
  } catch {
    return '';
  }
}

/**
 * Start `dcmblind run` under a parent that never reaps it (as PID 1 of a bare container does),
 * kill it with -9 once it holds its locks, and return with it a zombie.
 */
async function zombieRun(
  args: string[],
  env: Record<string, string>,
): Promise<{ pid: number; parent: ReturnType<typeof spawn> }> {
  const code =
    'import subprocess, sys, time\np = subprocess.Popen(sys.argv[1:])\nprint(p.pid, flush=True)\ntime.sleep(600)';
  const parent = spawn(PY, ['-c', code, process.execPath, CLI, ...args], {
    env: { ...process.env, DCMBLIND_PASSPHRASE: PASSPHRASE, DCMBLIND_KDF_LOG2N: '14', ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const pid = await new Promise<number>((resolve) =>
    parent.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
  );
  return { pid, parent };
}

describe('locks of a run that died', () => {
  for (const native of [true, false]) {
    it(`a run killed with -9 and left a zombie does not block the next one (${native ? 'flock' : '/proc'})`, async () => {
      const dir = tmp('zombie-');
      const input = join(dir, 'in');
      const c = makeCohort(input, {
        patients: 3,
        studiesPerPatient: 2,
        seriesPerStudy: 2,
        instancesPerSeries: 25,
      });
      const out = join(dir, 'out');
      const key = join(dir, 'k.key');
      warmKey(dir, input, c.patients[0]?.folder as string, key);
      const env = native ? {} : { DCMBLIND_NO_NATIVE: '1' };
      const { pid, parent } = await zombieRun(
        ['run', input, '--out', out, '--key', key, '--workers', '1'],
        env,
      );
      try {
        for (let i = 0; i < 4000 && !existsSync(join(out, '.dcmblind', 'run-in-progress')); i++)
          await new Promise((r) => setTimeout(r, 5));
        expect(existsSync(`${key}.lock`)).toBe(true);
        process.kill(pid, 'SIGKILL');
        for (let i = 0; i < 400 && procState(pid) !== 'Z'; i++) await new Promise((r) => setTimeout(r, 5));
        expect(procState(pid)).toBe('Z'); // killed, unreaped: a pid that still "exists"
        const again = dcmblind(['run', input, '--out', out, '--key', key, '--json'], env);
        expect(again.code, again.stderr).toBe(0);
        expect(listTree(out)).toHaveLength(c.files);
      } finally {
        parent.kill('SIGKILL');
      }
    });
  }

  it('a lock naming a live process that is not its holder (a reused pid) is taken over', () => {
    const dir = tmp('reused-');
    const input = join(dir, 'in');
    makeCohort(input, { patients: 1, studiesPerPatient: 1, seriesPerStudy: 1, instancesPerSeries: 2 });
    const key = join(dir, 'k.key');
    expect(dcmblind(['run', input, '--out', join(dir, 'out'), '--key', key]).code).toBe(0);
    const sleeper = spawn('sleep', ['60']);
    try {
      // As a holder that died would have left it, its pid now taken by `sleep` (another start time).
      const holder = {
        pid: sleeper.pid,
        host: hostname(),
        purpose: 'dcmblind run',
        since: '2026-01-01T00:00:00.000Z',
        start: '1',
      };
      writeFileSync(`${key}.lock`, `${JSON.stringify(holder)}\n`);
      const r = dcmblind(['run', input, '--out', join(dir, 'out'), '--key', key]);
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(`${key}.lock`)).toBe(false);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('a live run still keeps a second one out', async () => {
    const dir = tmp('live-');
    const input = join(dir, 'in');
    makeCohort(input, { patients: 3, studiesPerPatient: 2, seriesPerStudy: 2, instancesPerSeries: 25 });
    const key = join(dir, 'k.key');
    const first = spawn(
      process.execPath,
      [CLI, 'run', input, '--out', join(dir, 'out'), '--key', key, '--workers', '1'],
      {
        env: { ...process.env, DCMBLIND_PASSPHRASE: PASSPHRASE, DCMBLIND_KDF_LOG2N: '14' },
        stdio: 'ignore',
      },
    );
    const exited = new Promise((r) => first.on('exit', r));
    for (let i = 0; i < 4000 && !existsSync(join(dir, 'out', '.dcmblind', 'run-in-progress')); i++)
      await new Promise((r) => setTimeout(r, 5));
    const second = spawnSync(
      process.execPath,
      [CLI, 'run', input, '--out', join(dir, 'other'), '--key', key],
      {
        encoding: 'utf8',
        env: { ...process.env, DCMBLIND_PASSPHRASE: PASSPHRASE, DCMBLIND_KDF_LOG2N: '14' },
      },
    );
    await exited;
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(/is in use by dcmblind run \(pid \d+/);
  });
});
