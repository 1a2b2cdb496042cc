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
import { datesInText } from './dates-in-text.js';
import { digitsInText } from './digits.js';
import { capitalWords } from './initials.js';
import { datesIn, noteUids, siteUids, TYPED_VRS, textOf, type Visit, vrOf } from './elements.js';
import { FileFindings, noFileFacts, type OutputFacts, type OutputTask, type ScanContext } from './facts.js';
import { contentHash, fingerprint } from './hashing.js';
import { burnedInChecks, freeTextHeuristics, isFreeText, saysBurnedIn } from './heuristics.js';
import { maskPathDates } from './mask.js';
import { maskPath } from './path-mask.js';
import { pixelChecks } from './pixel-scan.js';
import { seededSearch, seedsInPath } from './seeded-search.js';
import { notParsed } from './unparsed-output.js';
import { patientLabel } from './patient-label.js';
import { PublishedVersions } from './versions.js';

/** What the walk over an output's elements gathers for the tree checks. */
interface ElementFacts {
  /** Element path → date (YYYYMMDD) of DA and DT values. */
  readonly dates: Array<[string, string]>;
  /** Element path → date written in typed text. */
  readonly textDates: Array<[string, string]>;
  /** Element path → referenced UID. */
  readonly refs: Array<[string, string]>;
  /** UIDs the file defines of itself. */
  readonly defines: string[];
  /** The published versions the file holds. */
  readonly versions: PublishedVersions;
  /** Dates of DA and DT elements. */
  readonly headerDates: string[];
  /** Element path → a word of two or three capitals. */
  readonly capitals: Array<[string, string]>;
  /** BurnedInAnnotation is YES. */
  burned: boolean;
}

/** What one output file holds that it should not, and the facts the cross-file checks need. */
export function scanOutput(task: OutputTask, ctx: ScanContext): OutputFacts {
  // The path first: it leaves the site too. Whatever matched is masked in every report line.
  // Date-shaped runs are masked too: a date of care in a folder name must not reach the report.
  const masked = maskPath(task.rel, ctx);
  const shown = maskPathDates(masked.shown);
  const hits = masked.hits;
  const found = new FileFindings(shown);
  // Dates in the path are compared with the paired patient's, as any element's.
  const pathDates = datesInText(task.rel, true).map((d): [string, string] => ['(file path)', d]);
  let parsed: ParsedFile;
  try {
    parsed = load(task.abs);
  } catch (e) {
    seedsInPath(ctx, task.rel, hits, found);
    for (const f of notParsed(task.abs, (e as Error).message, ctx)) found.add(f);
    return withoutFacts(task, found, { ok: false });
  }
  const file = walkFile(parsed);
  seedsInPath(ctx, task.rel, hits, found, file.topText(T.PatientID));
  const declared = declaredOptions(file);
  // The options the file is held to: what --profile says, else what the file declares.
  const columns = task.columns ?? declared.options;
  const claims = seededSearch(ctx, file, columns, found);
  // A DICOMDIR carries no de-identification markers (it describes files that do); its bytes
  // were searched above.
  if (isDicomdirOutput(parsed)) return withoutFacts(task, found, { ok: true, dicomdir: true });
  markerChecks(file, declared, task, columns, found);
  const facts = elementChecks(file, columns, ctx, found);
  const pixelsAtRisk = burnedInChecks(file, facts.burned, found);
  const pixelDates = pixelChecks(parsed, ctx, found);
  const pix = parsed.dataset.find((e) => PIXEL_TAGS.has(e.tag));
  const patientId = file.topText(T.PatientID);
  const idLeak = found.list.find((f) => f.element === 'PatientID' && f.severity === 'leak');
  return {
    file: task.rel,
    shown,
    patientLabel: idLeak ? `[leaked ${idLeak.category} ${idLeak.valueHash}]` : patientLabel(ctx, patientId),
    ok: true,
    patientId,
    sopUID: file.topText(T.SOPInstanceUID),
    pixelSha: contentHash(parsed, pix),
    fingerprint: fingerprint(parsed),
    dates: facts.dates,
    textDates: [...pathDates, ...facts.textDates, ...pixelDates],
    refs: facts.refs,
    defines: facts.defines,
    versions: facts.versions.found,
    headerDates: facts.headerDates,
    capitals: facts.capitals,
    claims,
    ...(pixelsAtRisk ? { pixelsAtRisk: true as const } : {}),
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
  const facts: ElementFacts = {
    dates: [],
    textDates: [],
    refs: [],
    defines: [],
    versions: new PublishedVersions(),
    headerDates: [],
    capitals: [],
    burned: false,
  };
  const data = file.parsed.data;
  for (const v of file.visits) {
    if (!elementConformance(v, columns, data, found)) continue;
    const { el } = v;
    if (el.items || el.encapsulated || el.valueLength === 0) continue;
    const vr = vrOf(el);
    if (PublishedVersions.wants(el.tag)) facts.versions.note(v, textOf(data, el, v.scheme));
    if (vr === 'DA' || vr === 'DT') {
      for (const d of datesIn(textOf(data, el, v.scheme))) {
        facts.dates.push([v.path, d]);
        facts.headerDates.push(d);
      }
    } else if (vr === 'UI') {
      noteUids(v, siteUids(textOf(data, el, v.scheme)), facts.refs, facts.defines);
    } else if (TYPED_VRS.has(vr) || vr === 'PN') {
      typedText(v, data, ctx, facts, found);
    }
    if (saysBurnedIn(v, data)) facts.burned = true;
  }
  return facts;
}

/** Typed text: dates in any written form, numbers' digits across separators, the free-text heuristics. */
function typedText(
  v: Visit,
  data: Uint8Array,
  ctx: ScanContext,
  facts: ElementFacts,
  found: FileFindings,
): void {
  const text = textOf(data, v.el, v.scheme);
  for (const d of datesInText(text, true)) facts.textDates.push([v.path, d]);
  if (vrOf(v.el) !== 'PN') for (const w of capitalWords(text)) facts.capitals.push([v.path, w]);
  digitsInText(v.path, text, ctx, found);
  if (isFreeText(v, vrOf(v.el))) freeTextHeuristics(v, data, ctx, found);
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
