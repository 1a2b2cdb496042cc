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

export function startProgress(total: number | undefined, tty: boolean, write: (line: string) => void): Progress {
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
      write(`progress: ${processed(s)}${total ? `/${total}` : ''} files, ${r.mb.toFixed(0)} MB, ${r.fps.toFixed(0)} files/s, ${r.mbps.toFixed(0)} MB/s, ${s.failed} failed`);
    },
    log: write,
    stop() {},
  };
}

function terminalBar(total: number | undefined, rates: (s: RunSummary) => { fps: number; mb: number }): Progress {
  const bars = new cliProgress.MultiBar(
    {
      format: '{bar} {value}/{total} files | {mb} MB | {fps} files/s | ETA {eta_formatted} | errors {errors}',
      stream: process.stderr,
      hideCursor: true,
      // Wrap stays on: a long error line wraps instead of being cut at the terminal's edge (the
      // bar itself is trimmed to the width by cli-progress).
      linewrap: true,
      clearOnComplete: true,
      etaBuffer: 200,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = bars.create(total ?? 0, 0, { mb: '0', fps: '0', errors: 0 });
  // A second Ctrl-C exits at once: the cursor must not stay hidden in the operator's shell.
  const restoreCursor = () => process.stderr.write(SHOW_CURSOR);
  process.on('exit', restoreCursor);
  let stopped = false;
  return {
    update(s) {
      const r = rates(s);
      bar.update(processed(s), { mb: r.mb.toFixed(0), fps: r.fps.toFixed(0), errors: s.failed });
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
