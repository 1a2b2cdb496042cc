/**
 * Stage 4, a tree check: output files (not DICOMDIRs) that carry the same SOP Instance UID,
 * one finding per UID.
 */
import { realpathSync } from 'node:fs';
import type { Finding, OutputFacts } from './facts.js';

/**
 * One finding per SOP Instance UID carried by several outputs. When their sources are known,
 * the detail says whether one source was written twice or distinct sources already shared
 * the UID (the same instance exported in two transfer syntaxes, say).
 */
export function duplicateInstances(
  outputs: readonly OutputFacts[],
  sourceOf: (file: string) => string | undefined,
): Finding[] {
  const bySop = new Map<string, OutputFacts[]>();
  for (const out of outputs) {
    if (!out.ok || out.dicomdir || !out.sopUID) continue;
    (bySop.get(out.sopUID) ?? bySop.set(out.sopUID, []).get(out.sopUID))?.push(out);
  }
  const findings: Finding[] = [];
  for (const same of bySop.values()) {
    if (same.length < 2) continue;
    // Outputs are sorted by path, so the finding lands on the same file on every run.
    const [first, ...others] = same as [OutputFacts, ...OutputFacts[]];
    const named =
      others
        .slice(0, 5)
        .map((x) => x.shown)
        .join(', ') + (others.length > 5 ? ` and ${others.length - 5} more` : '');
    const sources = same.map((x) => sourceOf(x.file));
    // The key holds real paths, pairing by pixels the path under --source: compare real paths.
    const distinct = new Set(sources.map((p) => p && realOrSame(p))).size;
    const cause = sources.includes(undefined)
      ? 'the same instance written twice?'
      : distinct === 1
        ? 'one source file written more than once'
        : `from ${distinct} source files that already share it`;
    findings.push({
      rule: 'duplicate-sop-instance',
      severity: 'integrity',
      file: first.shown,
      element: 'SOPInstanceUID',
      detail: `${same.length} output files carry this SOP Instance UID (${cause}): also ${named}`,
    });
  }
  return findings;
}

function realOrSame(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p; // gone since the run: its recorded path is all there is
  }
}
