/**
 * The operator's terminal, read off a real one (tmux): every line of a run whole above the
 * progress bar, the summary on a clean screen, line wrap working again afterwards; Ctrl-C at
 * the passphrase prompt is an interruption (exit 130), not a crash.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeCohort } from '@dcmblind/test-utils';
import { CLI, PASSPHRASE, tmp } from './helpers.js';

const TMUX = spawnSync('tmux', ['-V']).status === 0;
if (!TMUX && process.env.CI) throw new Error('CI needs tmux (installed by .ci/run)');
if (!TMUX) console.warn('skipping terminal tests: needs tmux (apt-get install tmux)');

const WIDTH = 80;

/** A shell in a detached tmux session of a fixed size, on its own server socket. */
function terminal(dir: string) {
  const socket = join(dir, 'tmux.sock');
  const tmux = (...args: string[]) => execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
  tmux(
    'new-session',
    '-d',
    '-s',
    't',
    '-x',
    String(WIDTH),
    '-y',
    '40',
    'env -i PATH=/usr/bin:/bin HOME=/tmp TERM=xterm-256color bash --norc --noprofile',
  );
  return {
    type(line: string) {
      tmux('send-keys', '-t', 't', '-l', line);
      tmux('send-keys', '-t', 't', 'Enter');
    },
    key: (k: string) => tmux('send-keys', '-t', 't', k),
    /** The whole history; `joined` undoes the terminal's wrapping of long lines. */
    screen: (joined = true) => tmux('capture-pane', '-p', ...(joined ? ['-J'] : []), '-S', '-', '-t', 't'),
    async waitFor(re: RegExp, ms = 60_000): Promise<string> {
      for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 100))) {
        const s = this.screen();
        if (re.test(s)) return s;
      }
      throw new Error(`timed out waiting for ${re} on:\n${this.screen()}`);
    },
    close: () => spawnSync('tmux', ['-S', socket, 'kill-server']),
  };
}

const env = `DCMBLIND_PASSPHRASE='${PASSPHRASE}' DCMBLIND_KDF_LOG2N=14`;

describe.skipIf(!TMUX)('on a real terminal', () => {
  it('prints every failure whole above the bar, then the summary on a clean screen, with wrap restored', async () => {
    const dir = tmp('tty-');
    const input = join(dir, 'in');
    makeCohort(input, { patients: 3, studiesPerPatient: 2, seriesPerStudy: 2, instancesPerSeries: 60 });
    // Failures whose lines are longer than the terminal is wide.
    const broken = [1, 2, 3].map((i) =>
      join(input, 'site-A', `broken-export-file-with-a-long-name-number-${i}-from-the-scanner.dcm`),
    );
    for (const b of broken) writeFileSync(b, 'not an image at all');
    const t = terminal(dir);
    try {
      t.type(
        `${env} ${process.execPath} ${CLI} run ${input} --out ${join(dir, 'out')} --key ${join(dir, 'k.key')} --workers 1; echo EXIT=$?`,
      );
      // While it runs, the bar fits the 80 columns with its failures count and time left on it.
      const running = await t.waitFor(/ files \| \d+ failed/, 30_000);
      const barLine = running.split('\n').find((l) => / files \| \d+ failed/.test(l)) as string;
      expect(barLine.length).toBeLessThanOrEqual(WIDTH);
      expect(barLine).toMatch(/\d+\/723 files \| \d+ failed \| \d+ files\/s \| \d+ MB \| ETA \S+/);
      const done = await t.waitFor(/EXIT=\d+/);
      expect(done).toMatch(/EXIT=1/);
      const lines = done.split('\n');
      for (const b of broken)
        expect(lines).toContain(
          `error: ${b}: no DICM marker and no plausible DICOM data set at the start of the file [E_NOT_DICOM]`,
        );
      expect(lines).toContain(
        `created key ${join(dir, 'k.key')} (encrypted; keep it and its passphrase safe, away from the output)`,
      );
      expect(lines).toContain(
        'files: 720 written, 0 already done, 0 unchanged, 0 quarantined, 0 skipped, 3 failed',
      );
      // Nothing of the bar is left: not after the summary, not inside any line.
      expect(done).not.toMatch(/[░█]|files\/s \| ETA/);
      // Wrap is on again: a line wider than the terminal takes two rows, not one cut row.
      t.type('printf "%0150d\\n" 7; echo WRAPPED');
      await t.waitFor(/^WRAPPED$/m);
      const rows = t
        .screen(false)
        .split('\n')
        .filter((l) => /^0+7?$/.test(l.trim()) && l.trim().length > 0);
      expect(rows.map((r) => r.trim().length)).toEqual([WIDTH, 150 - WIDTH]);
    } finally {
      t.close();
    }
  });

  it('Ctrl-C at the passphrase prompt exits 130 without a stack trace, and creates nothing', async () => {
    const dir = tmp('tty-');
    const input = join(dir, 'in');
    makeCohort(input, { patients: 1, studiesPerPatient: 1, seriesPerStudy: 1, instancesPerSeries: 1 });
    const t = terminal(dir);
    try {
      t.type(
        `${process.execPath} ${CLI} run ${input} --out ${join(dir, 'out')} --key ${join(dir, 'new.key')}; echo EXIT=$?`,
      );
      await t.waitFor(/Passphrase for the new key .*new\.key: $/m);
      t.key('C-c');
      const s = await t.waitFor(/EXIT=\d+/);
      expect(s).toMatch(/^dcmblind: interrupted at the passphrase prompt; nothing was done$/m);
      expect(s).toMatch(/EXIT=130/);
      expect(s).not.toMatch(/^\s+at /m);
      expect(existsSync(join(dir, 'new.key'))).toBe(false);
      expect(existsSync(join(dir, 'out'))).toBe(false);
    } finally {
      t.close();
    }
  });
});
