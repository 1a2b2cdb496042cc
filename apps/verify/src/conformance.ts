/**
 * Stage 2b (in a worker): profile conformance of one output file. The options it is held to
 * (--profile, else what its CID 7050 codes declare), its de-identification markers, and every
 * element at every depth against the Annex E table.
 */
import { safePrivateVR } from './safe-private.js';
import { schemeFor } from '@dcmblind/core';
import { PIXEL_TAGS, type WalkedFile } from './dicom-file.js';
import { textOf, type Visit } from './elements.js';
import type { FileFindings, OutputTask } from './facts.js';
import { CID7050, expectationFor, isGroupLength, isPrivateTag } from './table.js';

/** What the file declares of its de-identification. */
export interface Declared {
  /** The codes of its DeidentificationMethodCodeSequence. */
  readonly codes: readonly string[];
  /** The option columns those codes name (the Basic profile itself not among them). */
  readonly options: readonly string[];
}

/** The options the file declares: its DeidentificationMethodCodeSequence's CID 7050 codes. */
export function declaredOptions(file: WalkedFile): Declared {
  const codes: string[] = [];
  const method = file.top.get(0x00120064);
  if (method?.items) {
    for (const it of method.items) {
      const cv = it.elements.find((e) => e.tag === 0x00080100);
      if (cv) codes.push(textOf(file.parsed.data, cv, schemeFor([])).trim());
    }
  }
  const options = codes.map((c) => CID7050[c]).filter((c): c is string => c !== undefined && c !== 'basic');
  return { codes, options };
}

/** The de-identification markers: identity removed, the method's codes, modified dates. */
export function markerChecks(
  file: WalkedFile,
  declared: Declared,
  task: OutputTask,
  columns: readonly string[],
  found: FileFindings,
): void {
  const { codes, options } = declared;
  const method = { severity: 'violation', element: 'DeidentificationMethodCodeSequence' } as const;
  if (file.topText(0x00120062) !== 'YES')
    found.add({
      rule: 'marker-identity-removed',
      severity: 'violation',
      element: 'PatientIdentityRemoved',
      detail: 'PatientIdentityRemoved is not YES',
    });
  if (!codes.includes('113100'))
    found.add({
      rule: 'marker-method',
      ...method,
      detail: 'no Basic Application Confidentiality Profile code (113100)',
    });
  const unknown = codes.filter((c) => !CID7050[c]);
  if (unknown.length)
    found.add({ rule: 'marker-method', ...method, detail: `codes outside CID 7050: ${unknown.join(', ')}` });
  // Clean Pixel Data is declared only by the files whose pixels were scanned.
  const promised = task.columns?.filter((c) => c !== CID7050['113101'] || options.includes(c));
  if (promised && [...promised].sort().join() !== [...options].sort().join()) {
    found.add({
      rule: 'marker-profile',
      ...method,
      detail:
        `the file declares options [${options.join(', ') || 'none'}], ` +
        `profile ${task.profileName ?? ''} means [${promised.join(', ') || 'none'}]`,
    });
  }
  if (columns.includes('rtnLongModifDatesOpt') && file.topText(0x00280303) !== 'MODIFIED')
    found.add({
      rule: 'marker-dates',
      severity: 'violation',
      element: 'LongitudinalTemporalInformationModified',
      detail: 'dates are declared modified but LongitudinalTemporalInformationModified is not MODIFIED',
    });
}

/**
 * One element against the profile: private elements (unless kept by option) and attributes
 * the profile removes. False when the element is not to be looked into further (a group
 * length, or a private element, reported).
 */
export function elementConformance(
  v: Visit,
  columns: readonly string[],
  data: Uint8Array,
  found: FileFindings,
): boolean {
  const { el, path, depth } = v;
  if (isGroupLength(el.tag)) return false;
  if (isPrivateTag(el.tag) && !columns.includes('rtnSafePrivOpt')) {
    found.add({
      rule: 'private-element',
      severity: 'violation',
      element: path,
      detail: 'a private element is present; the profile removes them',
    });
    return false;
  }
  if (isPrivateTag(el.tag)) return safePrivateConformance(v, data, found);
  // PS3.15 E.1.1: an attribute the file's IOD needs present (Type 1 or 2) stays, with a dummy or
  // empty; a source value in it is the seeded search's to report.
  const needed = v.iodType !== undefined && v.iodType !== '3';
  if (expectationFor(el.tag, columns) === 'absent' && !needed && !(depth === 0 && PIXEL_TAGS.has(el.tag))) {
    found.add({
      rule: 'profile-removed-present',
      severity: 'violation',
      element: path,
      detail: 'the profile removes this attribute (X) but it is present',
    });
  }
  // Z allows "a zero length value, or a non-zero length value that may be a dummy value"
  // (PS3.15 Table E.1-1 legend): a value is wrong only when it is the source's, which the
  // seeded search reports.
  return true;
}

/**
 * Retain Safe Private: a private creator may stay; a private data element only with its creator
 * and on Table E.3.10-1 (safe-private.ts). A kept one's value is then searched as any other.
 */
function safePrivateConformance(v: Visit, data: Uint8Array, found: FileFindings): boolean {
  const e = v.el.tag & 0xffff;
  if (e >= 0x10 && e <= 0xff) return false; // a creator: its name is a vendor's, not a person's
  const listed = v.creator === undefined ? undefined : safePrivateVR(v.el.tag, v.creator);
  const explicit = v.el.items ? 'SQ' : v.el.vr === 'UN' ? undefined : v.el.vr;
  const value = () => textOf(data, v.el, schemeFor([])).trim();
  const why =
    e < 0x10
      ? 'a private group length or reserved element is present'
      : v.creator === undefined
        ? 'a private element without its private creator is present'
        : listed === undefined
          ? `a private element of ${v.creator} that is not on the safe list (PS3.15 Table E.3.10-1) is present`
          : listed && explicit && listed !== explicit
            ? `a safe private element of ${v.creator} written as ${explicit}, the table's VR being ${listed}`
            : (listed === 'DS' || listed === 'IS') && !/^[\d\s.+\-eE\\]*$/.test(value())
              ? `a safe private ${listed} of ${v.creator} that holds no number`
              : undefined;
  if (why === undefined) return true;
  found.add({ rule: 'private-element', severity: 'violation', element: v.path, detail: why });
  return false;
}
