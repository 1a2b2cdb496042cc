/** The end-of-run summary as the operator reads it. */
import type { RunSummary } from '@dcmblind/core';

/** The counts of every kind of outcome, in one line. */
function countsLine(s: RunSummary): string {
  const counts = [
    `${s.written} ${s.dryRun ? 'would be written' : 'written'}`,
    `${s.done} already done`,
    `${s.unchanged} unchanged`,
    `${s.quarantined} quarantined`,
    `${s.skipped} skipped`,
    `${s.failed} failed${s.interrupted ? ' (interrupted)' : ''}`,
  ];
  return `${s.dryRun ? 'dry run (nothing written): ' : ''}files: ${counts.join(', ')}`;
}

/** Counts, rates, what --force-rebuild did, the rules a dry run would fire, failures by code. */
export function formatSummary(s: RunSummary): string {
  const secs = Math.max(s.elapsedMs / 1000, 1e-3);
  const files = s.written + s.done + s.unchanged + s.quarantined + s.skipped + s.failed;
  const mb = s.bytesIn / 1e6;
  const lines = [
    countsLine(s),
    `patients: ${s.patients}`,
    `elapsed: ${(s.elapsedMs / 1000).toFixed(1)} s, ${(files / secs).toFixed(1)} files/s, ` +
      `${(mb / secs).toFixed(1)} MB/s`,
  ];
  if (s.rebuild) {
    lines.unshift(
      `--force-rebuild: removed ${s.rebuild.removed} file(s) of the earlier configuration, ` +
        `kept ${s.rebuild.kept} file(s) dcmblind did not write (all listed in ${s.rebuild.log})`,
    );
  }
  if (s.dryRun) {
    lines.push('rules that would fire:');
    for (const [rule, n] of Object.entries(s.rules).sort((a, b) => b[1] - a[1])) {
      lines.push(`  ${String(n).padStart(7)}  ${rule}`);
    }
  }
  if (s.failures.length) {
    const byCode = new Map<string, number>();
    for (const f of s.failures) byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
    lines.push(`failures by reason: ${[...byCode].map(([c, n]) => `${c} ${n}`).join(', ')}`);
  }
  return lines.join('\n');
}
