/**
 * Stage 4: published dates that give the research offset away (see versions.ts). With the
 * sources, a DCMR version in an output that no source holds, and no dummy, was moved (a
 * de-identifier does not invent versions). With the key only, the offsets are known: a version that differs
 * between two patients' outputs but comes to one value once each is shifted back by its
 * patient's offset was shifted with the patients' dates.
 */
import type { Finding, OutputFacts, SourceFacts } from './facts.js';
import { PLACEHOLDER_DATES } from './elements.js';
import type { KeyFacts } from './key-facts.js';
import { shiftedBack } from './shift.js';

const finding = (out: OutputFacts, path: string): Finding => ({
  rule: 'offset-exposed',
  severity: 'leak',
  file: out.shown,
  element: path,
  category: 'date',
  detail:
    'a published version date (DCMR context group or template) was changed: its true value is ' +
    'public, so the change reveals the date offset',
});

/**
 * Against the sources: a version no source holds. Judged in an output paired with a source
 * patient, or when the sources hold versions at all: a --source that holds none (one zip of a
 * bigger run) says nothing of the versions other files gave their outputs.
 */
function againstSources(
  outputs: readonly OutputFacts[],
  sources: readonly SourceFacts[],
  paired: (file: string) => boolean,
): Finding[] {
  const published = new Set(sources.flatMap((s) => s.versions.map(([, v]) => v)));
  const findings: Finding[] = [];
  for (const out of outputs)
    for (const [path, value] of paired(out.file) || published.size > 0 ? out.versions : []) {
      // A dummy (19000101) says nothing of the offset; only a moved date does.
      if (published.has(value) || PLACEHOLDER_DATES.has(value.slice(0, 8))) continue;
      findings.push(finding(out, path));
    }
  return findings;
}

/** With the key's offsets: versions that agree once shifted back, and only then. */
function againstOffsets(outputs: readonly OutputFacts[], key: KeyFacts): Finding[] {
  const seen: Array<{ out: OutputFacts; path: string; value: string; back: string; patient: string }> = [];
  for (const out of outputs) {
    const patient = key.byOutputPath.get(out.file)?.patient;
    const offset = patient === undefined ? undefined : key.offsets.get(patient);
    if (!patient || !offset) continue;
    for (const [path, value] of out.versions) {
      if (!/^\d{8}/.test(value)) continue;
      seen.push({ out, path, value, back: shiftedBack(value.slice(0, 8), offset), patient });
    }
  }
  const findings: Finding[] = [];
  for (const a of seen) {
    const exposed = seen.some((b) => b.patient !== a.patient && b.value !== a.value && b.back === a.back);
    if (exposed) findings.push(finding(a.out, a.path));
  }
  return findings;
}

export function offsetExposed(
  outputs: readonly OutputFacts[],
  sources: readonly SourceFacts[],
  key: KeyFacts,
  paired: (file: string) => boolean,
): Finding[] {
  return sources.length > 0 ? againstSources(outputs, sources, paired) : againstOffsets(outputs, key);
}
