/**
 * Stage 4, a tree check: source DICOM files with no output. By the key's records when there
 * is a key, and by identical pixel data in any case, with the outputs no record gives another
 * source. Without a key, a source without pixel data cannot be paired and is only counted.
 * DICOMDIRs are never written.
 */
import type { FileRecord } from '@dcmblind/core';
import type { Finding, OutputFacts, SourceFacts } from './facts.js';
import type { SourceIndex } from './pairing.js';
import type { NotJudged } from './rules.js';
import type { SourceSet } from './source-set.js';
import { rel } from './walk.js';

/** What the check needs of the run. */
export interface UnwrittenInputs {
  /** The --source folder. */
  readonly source: string;
  readonly sources: SourceSet;
  readonly sourceIndex: SourceIndex;
  readonly outputs: readonly OutputFacts[];
  readonly withKey: boolean;
  /** The key's records (undefined without a key). */
  readonly records: Iterable<FileRecord> | undefined;
  /** The output's id, from its manifest. */
  readonly outputId: string | undefined;
  /** Whether a file (relative path) is in the output. */
  readonly outputHas: (rel: string) => boolean;
  /** Outputs reported missing. */
  readonly missing: readonly string[];
  /** Masks a source path for reports. */
  readonly mask: (p: string) => string;
}

/** Findings for the sources with no output, and what could not be judged. */
export function unwrittenSources(u: UnwrittenInputs): { findings: Finding[]; notJudged: NotJudged[] } {
  const id = u.outputId;
  // A key record is of this output when it carries its id; older records, when their output is
  // here or reported missing. Its source was written, whatever its state now; a missing
  // output is reported as such, not its source again.
  const missingPaths = new Set(u.missing);
  const ofThisOutput = (r: FileRecord) =>
    id && r.outputId ? r.outputId === id : u.outputHas(r.outputPath) || missingPaths.has(r.outputPath);
  const records = u.records ? Array.from(u.records).filter(ofThisOutput) : undefined;
  const keyed = records && new Set(records.flatMap((r) => u.sourceIndex.of(r) ?? []));
  const inKey = (s: SourceFacts) => keyed?.has(s) ?? false;
  // An output the key says another source made pairs with no source by its pixels: a quarantined
  // source with the same pixels as a written one (a CT flagged YES beside its unflagged twin)
  // was taken for written.
  const claimed = new Set(records?.map((r) => r.outputPath));
  const byPixels = writtenByPixels(
    u.sources.parsed,
    u.outputs.filter((o) => !claimed.has(o.file)),
  );
  const unwritten: Array<{ facts: SourceFacts; broken: boolean }> = [];
  let withoutPixels = 0;
  let inArchives = 0;
  for (const s of u.sources.parsed) {
    if (s.dicomdir || inKey(s) || byPixels.has(s)) continue;
    if (s.archive) {
      inArchives += 1;
      continue;
    }
    if (!keyed && !s.pixelSha) withoutPixels += 1;
    else unwritten.push({ facts: s, broken: false });
  }
  for (const s of u.sources.broken) if (!s.dicomdir && !inKey(s)) unwritten.push({ facts: s, broken: true });
  unwritten.sort((a, b) => (a.facts.path < b.facts.path ? -1 : 1));
  const findings = unwritten.map(({ facts, broken }) => {
    const clear = rel(u.source, facts.path);
    return sourceFinding(facts, broken, u.withKey, { file: u.mask(clear), operatorPath: clear });
  });
  const notJudged: NotJudged[] = [];
  const skipped = (count: number, reason: string) => {
    if (count > 0) notJudged.push({ check: 'source-not-written', count, reason });
  };
  skipped(withoutPixels, 'source files without pixel data: without --key they cannot be paired');
  skipped(
    inArchives,
    'files inside zip archives without an output of the same pixel data (searched for seeds)',
  );
  skipped(
    u.sources.nonDicom,
    'source files plainly not DICOM and not named like it, operating-system debris, or zip ' +
      'archives that do not open',
  );
  return { findings, notJudged };
}

/** Sources some output shares pixel data with (and, among sources with equal pixels, kept attributes). */
function writtenByPixels(sources: readonly SourceFacts[], outputs: readonly OutputFacts[]): Set<SourceFacts> {
  const outsByPixel = new Map<string, OutputFacts[]>();
  for (const out of outputs)
    if (out.ok && !out.dicomdir && out.pixelSha)
      (outsByPixel.get(out.pixelSha) ?? outsByPixel.set(out.pixelSha, []).get(out.pixelSha))?.push(out);
  const sharing = new Map<string, number>();
  for (const s of sources) if (s.pixelSha) sharing.set(s.pixelSha, (sharing.get(s.pixelSha) ?? 0) + 1);
  const written = new Set<SourceFacts>();
  for (const s of sources) {
    const outs = s.pixelSha ? outsByPixel.get(s.pixelSha) : undefined;
    if (outs && (sharing.get(s.pixelSha) === 1 || outs.some((x) => x.fingerprint === s.fingerprint)))
      written.add(s);
  }
  return written;
}

/**
 * The finding for a source with no output: its path relative to --source, masked for reports,
 * and in clear for the operator's terminal.
 */
function sourceFinding(
  s: SourceFacts,
  broken: boolean,
  withKey: boolean,
  shown: { file: string; operatorPath: string },
): Finding {
  const { file, operatorPath } = shown;
  if (s.burnedIn) {
    return {
      rule: 'source-quarantined',
      severity: 'review',
      file,
      operatorPath,
      element: '(source file)',
      detail:
        'BurnedInAnnotation is YES: quarantined by dcmblind, not written (its pixels need cleaning first)',
    };
  }
  if (s.quarantinedDocument) {
    return {
      rule: 'source-quarantined',
      severity: 'review',
      file,
      operatorPath,
      element: '(source file)',
      detail:
        `encapsulated ${s.quarantinedDocument}: ` +
        'quarantined by dcmblind, not written (it cannot clean its content)',
    };
  }
  const what = s.dicm ? 'a DICOM source' : 'a source named like DICOM';
  const why = broken
    ? `${what} that does not parse: dcmblind cannot have written it`
    : withKey
      ? 'no key record pairs it with a file of this output, and no output has its pixel data'
      : 'no output has its pixel data';
  return {
    rule: 'source-not-written',
    severity: 'integrity',
    file,
    operatorPath,
    element: '(source file)',
    detail: `this source has no output: ${why}`,
  };
}
