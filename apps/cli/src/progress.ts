/**
 * Operator feedback while a run goes: a progress bar on a terminal (cli-progress), plain
 * periodic lines otherwise. Counts and rates only; never a header value.
 *
 * On a terminal every other line of the run (errors, notices) goes through `log`, which
 * clears the bar, prints the line whole (wrapping as the terminal does) and draws the bar
 * again below it. Line wrap is never switched off, and the bar is erased when the run ends,
 * so the summary and the shell prompt start on a clean line.
 */
import cliProgress from 'cli-progress';
import type { RunSummary } from '@dcmblind/core';

export interface Progress {
  update(s: RunSummary): void;
  /** Print one line above the bar (or plainly, without one). */
  log(line: string): void;
  stop(): void;
}

const processed = (s: RunSummary) => s.written + s.unchanged + s.done + s.quarantined + s.skipped + s.failed;

const SHOW_CURSOR = '\x1b[?25h';

export function startProgress(
  total: number | undefined,
  tty: boolean,
  write: (line: string) => void,
): Progress {
  const t0 = performance.now();
  const rates = (s: RunSummary) => {
    const secs = Math.max((performance.now() - t0) / 1000, 1e-3);
    return { fps: processed(s) / secs, mb: s.bytesIn / 1e6, mbps: s.bytesIn / 1e6 / secs };
  };
  if (tty) return terminalBar(total, rates);
  let last = performance.now();
  return {
    update(s) {
      if (performance.now() - last < 10_000) return;
      last = performance.now();
      const r = rates(s);
      write(
        `progress: ${processed(s)}${total ? `/${total}` : ''} files, ${r.mb.toFixed(0)} MB, ` +
          `${r.fps.toFixed(0)} files/s, ${r.mbps.toFixed(0)} MB/s, ${s.failed} failed`,
      );
    },
    log: write,
    stop() {},
  };
}

/** The text after the bar, at its widest (the bar takes what the terminal has left). */
const TEXT = ' 1000000/1000000 files | 1000000 failed | 10000 files/s | 1000000 MB | ETA 100h00m';

function terminalBar(
  total: number | undefined,
  rates: (s: RunSummary) => { fps: number; mb: number },
): Progress {
  const columns = process.stderr.columns || 80;
  const bars = new cliProgress.MultiBar(
    {
      // Failures first: the field that matters most must not be the one cut off.
      format: '{bar} {value}/{total} files | {errors} failed | {fps} files/s | {mb} MB | ETA {remaining}',
      barsize: Math.max(8, Math.min(40, columns - TEXT.length - 1)),
      stream: process.stderr,
      hideCursor: true,
      // Wrap stays on: a long error line wraps instead of being cut at the terminal's edge (the
      // bar itself is trimmed to the width by cli-progress).
      linewrap: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const eta = new Eta(total ?? 0);
  const bar = bars.create(total ?? 0, 0, { mb: '0', fps: '0', errors: 0, remaining: '…' });
  // A second Ctrl-C exits at once: the cursor must not stay hidden in the operator's shell.
  const restoreCursor = () => process.stderr.write(SHOW_CURSOR);
  process.on('exit', restoreCursor);
  let stopped = false;
  return {
    update(s) {
      const r = rates(s);
      const n = processed(s);
      bar.update(n, { mb: r.mb.toFixed(0), fps: r.fps.toFixed(0), errors: s.failed, remaining: eta.at(n) });
    },
    log(line) {
      if (stopped) {
        process.stderr.write(`${line}\n`);
        return;
      }
      bars.log(`${line}\n`);
      bars.update(); // clear the bar, print the line, draw the bar again: now, in order
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bars.update();
      bars.stop();
      process.off('exit', restoreCursor);
    },
  };
}

/**
 * Time left from the rate of the last 20 seconds (the whole run before that): steady enough to
 * read, and following the run when it speeds up (files already done are skipped fast) or
 * slows down (large files).
 */
class Eta {
  readonly #total: number;
  readonly #samples: Array<[ms: number, done: number]> = [[performance.now(), 0]];
  constructor(total: number) {
    this.#total = total;
  }

  at(done: number): string {
    const now = performance.now();
    const last = this.#samples.at(-1) as [number, number];
    if (now - last[0] >= 500) this.#samples.push([now, done]);
    while (this.#samples.length > 2 && now - (this.#samples[1] as [number, number])[0] > 20_000)
      this.#samples.shift();
    const [t0, d0] = this.#samples[0] as [number, number];
    const rate = (done - d0) / Math.max((now - t0) / 1000, 1e-3);
    if (done === 0 || rate <= 0 || now - t0 < 2000) return '…';
    const secs = Math.round(Math.max(0, this.#total - done) / rate);
    const h = Math.floor(secs / 3600);
    const m = Math.floor((secs % 3600) / 60);
    const sec = secs % 60;
    return h
      ? `${h}h${String(m).padStart(2, '0')}m`
      : m
        ? `${m}m${String(sec).padStart(2, '0')}s`
        : `${sec}s`;
  }
}
