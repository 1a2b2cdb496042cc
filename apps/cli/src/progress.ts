/**
 * Operator feedback while a run goes: a progress bar on a terminal (cli-progress), plain
 * periodic lines otherwise. Counts and rates only; never a header value.
 */
import cliProgress from 'cli-progress';
import type { RunSummary } from '@dcmblind/core';

export interface Progress {
  update(s: RunSummary): void;
  stop(): void;
}

const processed = (s: RunSummary) => s.written + s.unchanged + s.done + s.quarantined + s.skipped + s.failed;

export function startProgress(total: number | undefined, tty: boolean, write: (line: string) => void): Progress {
  const t0 = performance.now();
  const rates = (s: RunSummary) => {
    const secs = Math.max((performance.now() - t0) / 1000, 1e-3);
    return { fps: processed(s) / secs, mb: s.bytesIn / 1e6, mbps: s.bytesIn / 1e6 / secs };
  };
  if (tty) {
    const bar = new cliProgress.SingleBar(
      {
        format: '{bar} {value}/{total} files | {mb} MB | {fps} files/s | ETA {eta_formatted} | errors {errors}',
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 200,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total ?? 0, 0, { mb: '0', fps: '0', errors: 0 });
    return {
      update(s) {
        const r = rates(s);
        bar.update(processed(s), { mb: r.mb.toFixed(0), fps: r.fps.toFixed(0), errors: s.failed });
      },
      stop: () => bar.stop(),
    };
  }
  let last = performance.now();
  return {
    update(s) {
      if (performance.now() - last < 10_000) return;
      last = performance.now();
      const r = rates(s);
      write(`progress: ${processed(s)}${total ? `/${total}` : ''} files, ${r.mb.toFixed(0)} MB, ${r.fps.toFixed(0)} files/s, ${r.mbps.toFixed(0)} MB/s, ${s.failed} failed`);
    },
    stop() {},
  };
}
