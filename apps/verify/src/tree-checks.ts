/**
 * Stage 4: the checks that need the whole tree, once every file is scanned and paired. Dates
 * left as they were, one pseudonym per patient and one patient per pseudonym, references that
 * resolve as they did, then duplicate instances, keys in the state folder, missing outputs and
 * unwritten sources (each in its own file).
 */
import type { FileRecord } from '@dcmblind/core';
import { duplicateInstances } from './duplicate-instances.js';
import type { Finding, OutputFacts, SourceFacts } from './facts.js';
import type { KeyFacts } from './key-facts.js';
import { keyInOutput, keysInStateFolder } from './key-in-output.js';
import { initialsInText } from './initials.js';
import { keptClaims } from './kept-claims.js';
import { offsetExposed } from './offset-exposed.js';
import { unshiftedDates } from './unshifted-dates.js';
import { missingOutputs } from './missing-outputs.js';
import { type Pair, type Pairing, sourcePathOf } from './pairing.js';
import type { PathMasks } from './path-mask.js';
import type { NotJudged } from './rules.js';
import type { SourceSet } from './source-set.js';
import { unwrittenSources } from './unwritten-sources.js';
import { rel } from './walk.js';

/** What the tree checks read: the scans, the pairing, and the run's inputs. */
export interface TreeInputs {
  readonly output: string;
  /** The --source folder, when given. */
  readonly source: string | undefined;
  readonly withKey: boolean;
  /** The key's records (undefined without a key). */
  readonly records: Iterable<FileRecord> | undefined;
  /** The option columns of --profile, when given. */
  readonly columns: readonly string[] | undefined;
  readonly sources: SourceSet;
  readonly key: KeyFacts;
  /** Every output's facts, sorted by path. */
  readonly outputs: readonly OutputFacts[];
  /** Whether a file (relative path) is in the output. */
  readonly outputHas: (rel: string) => boolean;
  readonly pairing: Pairing;
  readonly masks: PathMasks;
}

/** The tree checks' findings, what they could not judge, and what the missing-output check compared. */
export interface TreeResult {
  readonly findings: Finding[];
  readonly notJudged: NotJudged[];
  /** What the missing-output check compared ('' when nothing records the output's files). */
  readonly recordedOutputs: string;
}

/** Every tree-level check, its findings in a stable order. */
export function treeChecks(t: TreeInputs): TreeResult {
  const { pairOf } = t.pairing;
  const findings: Finding[] = [
    ...unshiftedDates(t),
    ...pseudonymChecks(t.outputs, pairOf),
    ...(t.sources.parsed.length > 0 ? brokenReferences(t.outputs, t.sources.parsed, pairOf) : []),
    ...keptClaims(t.outputs, pairOf),
    ...offsetExposed(t.outputs, t.sources.parsed, t.key, (file) => pairOf.has(file)),
    ...initialsInText(t.outputs, (file) => patientInitials(t, file)),
    ...duplicateInstances(t.outputs, (file) => sourcePathOf(t.pairing, t.key, file)),
  ];
  for (const { path, kind } of keysInStateFolder(t.output)) {
    findings.push({ file: t.masks.rel(rel(t.output, path)), ...keyInOutput(kind) });
  }
  const missing = missingOutputs(t.output, t.records, t.outputHas, (p) => t.masks.rel(p));
  findings.push(...missing.findings);
  const notJudged = [...missing.notJudged];
  if (t.source) {
    const unwritten = unwrittenSources({
      source: t.source,
      sources: t.sources,
      sourceIndex: t.pairing.sourceIndex,
      outputs: t.outputs,
      withKey: t.withKey,
      records: t.records,
      outputId: missing.outputId,
      outputHas: t.outputHas,
      missing: missing.paths,
      mask: (p) => t.masks.report(p),
    });
    findings.push(...unwritten.findings);
    notJudged.push(...unwritten.notJudged);
  }
  return { findings, notJudged, recordedOutputs: missing.judged };
}

/** The initials of an output's patient: its source patient's, and its key record's. */
function patientInitials(t: TreeInputs, file: string): ReadonlySet<string> | undefined {
  const pair = t.pairing.pairOf.get(file);
  if (!pair) return undefined;
  const keyPatient = t.key.byOutputPath.get(file)?.patient;
  const of = (p: string | undefined) => (p ? (t.sources.initialsByPatient.get(p) ?? []) : []);
  return new Set([...of(pair.patient), ...of(keyPatient)]);
}

/** One pseudonym per source patient, and one source patient per pseudonym. */
function pseudonymChecks(outputs: readonly OutputFacts[], pairOf: ReadonlyMap<string, Pair>): Finding[] {
  const pseudonymsOf = new Map<string, Set<string>>();
  const patientsOf = new Map<string, Set<string>>();
  for (const out of outputs) {
    const pair = pairOf.get(out.file);
    // Patients are told apart by PatientID; files without one are not judged here.
    if (!pair || (!pair.patient.startsWith('id:') && !pair.patient.startsWith('key:'))) continue;
    (pseudonymsOf.get(pair.patient) ?? pseudonymsOf.set(pair.patient, new Set()).get(pair.patient))?.add(
      out.patientLabel,
    );
    (
      patientsOf.get(out.patientLabel) ?? patientsOf.set(out.patientLabel, new Set()).get(out.patientLabel)
    )?.add(pair.patient);
  }
  const findings: Finding[] = [];
  const tree = { severity: 'integrity', file: '', element: 'PatientID' } as const;
  for (const [pseudonym, pats] of patientsOf) {
    if (pats.size > 1)
      findings.push({
        rule: 'patients-share-pseudonym',
        ...tree,
        detail: `pseudonym ${pseudonym} is carried by ${pats.size} different source patients`,
      });
  }
  let n = 0;
  for (const [, ps] of pseudonymsOf) {
    n += 1;
    if (ps.size > 1)
      findings.push({
        rule: 'patient-split',
        ...tree,
        detail: `source patient #${n} carries ${ps.size} pseudonyms: ${[...ps].sort().join(', ')}`,
      });
  }
  return findings;
}

/** References resolve to the outputs of the files they resolved to in the source. */
function brokenReferences(
  outputs: readonly OutputFacts[],
  sources: readonly SourceFacts[],
  pairOf: ReadonlyMap<string, Pair>,
): Finding[] {
  const srcDefines = new Map<string, string[]>();
  for (const s of sources)
    for (const u of s.defines) (srcDefines.get(u) ?? srcDefines.set(u, []).get(u))?.push(s.path);
  const outDefines = new Map<string, Set<string>>();
  for (const out of outputs)
    for (const u of out.defines) (outDefines.get(u) ?? outDefines.set(u, new Set()).get(u))?.add(out.file);
  const outputsOfSource = new Map<string, string[]>();
  for (const [file, { source }] of pairOf)
    if (source)
      (outputsOfSource.get(source.path) ?? outputsOfSource.set(source.path, []).get(source.path))?.push(file);
  const findings: Finding[] = [];
  for (const out of outputs) {
    const src = pairOf.get(out.file)?.source;
    if (!src) continue;
    const outRefs = new Map(out.refs);
    for (const [path, u] of src.refs) {
      const targets = srcDefines.get(u);
      if (!targets) continue; // pointed outside the source set: nothing to compare
      const now = outRefs.get(path);
      if (now === undefined) continue; // removed by the profile
      const expected = new Set(targets.flatMap((t) => outputsOfSource.get(t) ?? []));
      const actual = outDefines.get(now) ?? new Set<string>();
      const same = expected.size === actual.size && [...expected].every((x) => actual.has(x));
      if (!same)
        findings.push({
          rule: 'reference-broken',
          severity: 'integrity',
          file: out.shown,
          element: path,
          detail:
            actual.size === 0
              ? 'a reference that resolved in the source resolves to nothing in the output'
              : 'a reference resolves to other files than in the source',
        });
    }
  }
  return findings;
}
