/**
 * Stage 4, a tree check: files dcmblind placed in this output that are not there. The key's
 * records carrying the output's id, and dcmblind's own list of placed files (DICOMDIRs
 * included), say what should be; records older than output ids are only counted.
 */
import { configId, type FileRecord, type Manifest, readManifest, readOutputList } from '@dcmblind/core';
import type { Finding } from './facts.js';
import type { NotJudged } from './rules.js';

/** What the missing-output check found and compared. */
export interface MissingOutputs {
  readonly findings: Finding[];
  readonly notJudged: NotJudged[];
  /** The missing files, relative to the output folder (sorted). */
  readonly paths: readonly string[];
  /** The output's id from its manifest, when it has one that reads. */
  readonly outputId: string | undefined;
  /** What was compared, for the report's checks ('' when the output has no record of its files). */
  readonly judged: string;
}

/** The output's manifest, if it has one that reads; a damaged one is noted, not fatal. */
function manifestOf(out: string): { value: Manifest | undefined; notJudged: NotJudged[] } {
  try {
    return { value: readManifest(out), notJudged: [] };
  } catch {
    return {
      value: undefined,
      notJudged: [
        {
          check: 'missing-output',
          count: 1,
          reason: 'damaged .dcmblind/manifest.json: key records cannot be matched to this output',
        },
      ],
    };
  }
}

/**
 * Files dcmblind placed in `output` that are not there (`outputHas` says what is), by the
 * key's `records` and dcmblind's own output list; `mask` masks a path for reports.
 */
export function missingOutputs(
  output: string,
  records: Iterable<FileRecord> | undefined,
  outputHas: (rel: string) => boolean,
  mask: (rel: string) => string,
): MissingOutputs {
  const manifest = manifestOf(output);
  const listed = readOutputList(output);
  const id = manifest.value?.outputId;
  const recorded = new Set<string>();
  let legacy = 0;
  const config = manifest.value ? configId(manifest.value) : undefined;
  for (const r of records ?? []) {
    if (id && r.outputId === id) recorded.add(r.outputPath);
    else if (r.outputId === undefined && r.configId === config) legacy += 1;
  }
  const paths = [...new Set([...recorded, ...listed])].filter((p) => !outputHas(p)).sort();
  const findings = paths.map((p) => missingFinding(mask(p), listed.has(p), recorded.has(p)));
  const notJudged: NotJudged[] = [...manifest.notJudged];
  if (legacy > 0)
    notJudged.push({
      check: 'missing-output',
      count: legacy,
      reason: "key records written before outputs had an id (only dcmblind's output list judges those files)",
    });
  const judged =
    listed.size > 0 || recorded.size > 0
      ? `${recorded.size} key record(s), ${listed.size} listed file(s)`
      : '';
  return { findings, notJudged, paths, outputId: id, judged };
}

function missingFinding(shown: string, listed: boolean, recorded: boolean): Finding {
  const by = [recorded ? 'the key records it' : '', listed ? "dcmblind's output list names it" : '']
    .filter(Boolean)
    .join(' and ');
  return {
    rule: 'missing-output',
    severity: 'integrity',
    file: shown,
    element: '(missing file)',
    detail: `${by}, but the file is not in the output`,
  };
}
