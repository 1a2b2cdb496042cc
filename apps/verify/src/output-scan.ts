/**
 * Stage 2 (in a worker): what one output file holds that it should not, and the facts the tree
 * checks need. In order: the seeded search of its path and bytes (seeded-search.ts), its
 * de-identification markers and every element against the profile (conformance.ts), the
 * heuristics that need no source (heuristics.ts); a file that does not parse is searched raw
 * (unparsed-output.ts).
 */
import { type ParsedFile, T } from '@dcmblind/core';
import { declaredOptions, elementConformance, markerChecks } from './conformance.js';
import {
  load,
  MEDIA_STORAGE_DIRECTORY,
  metaSopClass,
  PIXEL_TAGS,
  type WalkedFile,
  walkFile,
} from './dicom-file.js';
import { datesIn, noteUids, siteUids, textOf, vrOf } from './elements.js';
import { FileFindings, noFileFacts, type OutputFacts, type OutputTask, type ScanContext } from './facts.js';
import { fingerprint, pixelHash } from './hashing.js';
import { burnedInChecks, freeTextHeuristics, isFreeText, saysBurnedIn } from './heuristics.js';
import { maskPath } from './path-mask.js';
import { seededSearch, seedsInPath } from './seeded-search.js';
import { notParsed } from './unparsed-output.js';

/** What the walk over an output's elements gathers for the tree checks. */
interface ElementFacts {
  /** Element path → date (YYYYMMDD): DA and DT values, and dates in free text. */
  readonly dates: Array<[string, string]>;
  /** Element path → referenced UID. */
  readonly refs: Array<[string, string]>;
  /** UIDs the file defines of itself. */
  readonly defines: string[];
  /** BurnedInAnnotation is YES. */
  burned: boolean;
}

/** What one output file holds that it should not, and the facts the cross-file checks need. */
export function scanOutput(task: OutputTask, ctx: ScanContext): OutputFacts {
  // The path first: it leaves the site too. Whatever matched is masked in every report line.
  const { shown, hits } = maskPath(task.rel, ctx);
  const found = new FileFindings(shown);
  seedsInPath(ctx, hits, found);
  let parsed: ParsedFile;
  try {
    parsed = load(task.abs);
  } catch (e) {
    for (const f of notParsed(task.abs, (e as Error).message, ctx)) found.add(f);
    return withoutFacts(task, found, { ok: false });
  }
  const file = walkFile(parsed);
  const declared = declaredOptions(file);
  // The options the file is held to: what --profile says, else what the file declares.
  const columns = task.columns ?? declared.options;
  seededSearch(ctx, file, columns, found);
  // A DICOMDIR carries no de-identification markers (it describes files that do); its bytes
  // were searched above.
  if (isDicomdirOutput(parsed)) return withoutFacts(task, found, { ok: true, dicomdir: true });
  markerChecks(file, declared, task, columns, found);
  const facts = elementChecks(file, columns, ctx, found);
  burnedInChecks(file, facts.burned, found);
  const pix = parsed.dataset.find((e) => PIXEL_TAGS.has(e.tag));
  const patientId = file.topText(T.PatientID);
  const idLeak = found.list.find((f) => f.element === 'PatientID' && f.severity === 'leak');
  return {
    file: task.rel,
    shown,
    patientLabel: idLeak ? `[leaked ${idLeak.category} ${idLeak.valueHash}]` : patientId,
    ok: true,
    patientId,
    sopUID: file.topText(T.SOPInstanceUID),
    pixelSha: pix ? pixelHash(parsed, pix) : '',
    fingerprint: fingerprint(parsed),
    dates: facts.dates,
    refs: facts.refs,
    defines: facts.defines,
    findings: found.list,
  };
}

/** Every element at every depth: conformance, then its dates and UIDs, or the free-text heuristics. */
function elementChecks(
  file: WalkedFile,
  columns: readonly string[],
  ctx: ScanContext,
  found: FileFindings,
): ElementFacts {
  const facts: ElementFacts = { dates: [], refs: [], defines: [], burned: false };
  const data = file.parsed.data;
  for (const v of file.visits) {
    if (!elementConformance(v, columns, found)) continue;
    const { el } = v;
    if (el.items || el.encapsulated || el.valueLength === 0) continue;
    const vr = vrOf(el);
    if (vr === 'DA' || vr === 'DT') {
      for (const d of datesIn(textOf(data, el, v.scheme))) facts.dates.push([v.path, d]);
    } else if (vr === 'UI') {
      noteUids(v, siteUids(textOf(data, el, v.scheme)), facts.refs, facts.defines);
    } else if (isFreeText(v, vr)) {
      freeTextHeuristics(v, data, ctx, facts.dates, found);
    }
    if (saysBurnedIn(v, data)) facts.burned = true;
  }
  return facts;
}

/** A DICOMDIR, by its file meta's SOP class. */
function isDicomdirOutput(parsed: ParsedFile): boolean {
  return metaSopClass(parsed)?.replace(/\0/g, '').trim() === MEDIA_STORAGE_DIRECTORY;
}

/** The facts of an output that has none to pair or compare: unparsed, or a DICOMDIR. */
function withoutFacts(
  task: OutputTask,
  found: FileFindings,
  kind: { ok: boolean; dicomdir?: true },
): OutputFacts {
  return {
    file: task.rel,
    shown: found.file,
    patientLabel: '',
    ...kind,
    patientId: '',
    ...noFileFacts(),
    findings: found.list,
  };
}
