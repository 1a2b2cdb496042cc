/**
 * Walking a parsed data set and reading its values: every element at every depth with its
 * path and character set, its text, the dates and UIDs in it. Shared by the source and the
 * output scans, so both read a value the same way.
 */
import {
  decodedString,
  decodeText,
  dictionaryVR,
  type Element,
  formatTag,
  isPrivate,
  keywordOf,
  type ParsedFile,
  type Scheme,
  type Scope,
  schemeFor,
  T,
  type TypeCode,
} from '@dcmblind/core';

/** One element met on the walk: where it is (its path and depth) and the character set in force. */
export interface Visit {
  readonly el: Element;
  readonly path: string;
  readonly depth: number;
  readonly scheme: Scheme;
  /** A private data element's creator (its block's, in the same item), when it has one. */
  readonly creator?: string;
  /** The attribute's Type in the file's IOD where the IOD describes it (1, 1C, 2, 2C, 3). */
  readonly iodType?: TypeCode;
}

/** Text a person may have typed: read for names after titles, contacts, dates in any form. */
export const TYPED_VRS: ReadonlySet<string> = new Set(['LO', 'SH', 'ST', 'LT', 'UT', 'UC']);

/** UIDs the standard defines (transfer syntaxes, SOP classes): they identify nobody. */
const STANDARD_UID = /^1\.2\.840\.10008\./;

/** The UIDs a file defines of itself: compared with references to it. */
const DEFINING = new Set([
  T.SOPInstanceUID,
  T.SeriesInstanceUID,
  T.StudyInstanceUID,
  0x00200052 /* FrameOfReferenceUID */,
]);

/** The attribute's keyword, or its (gggg,eeee) tag when private or not in the dictionary. */
export function keyword(tag: number): string {
  return (isPrivate(tag) ? undefined : keywordOf(tag)) ?? formatTag(tag);
}

/** A private element's block: its group and the high byte of its element number. */
const blockOf = (tag: number): number => ((tag >>> 16) << 8) | ((tag >>> 8) & 0xff);

/**
 * The private creators of one item (PS3.5 7.8.1): (gggg,00xx) names block xx of group gggg. The
 * value is compared without its LO padding; case counts.
 */
function privateCreators(elements: readonly Element[], data: Uint8Array): Map<number, string> {
  const out = new Map<number, string>();
  for (const el of elements) {
    const e = el.tag & 0xffff;
    if (!isPrivate(el.tag) || e < 0x10 || e > 0xff || el.items) continue;
    const value = Buffer.from(data.subarray(el.valueStart, el.valueStart + el.valueLength)).toString(
      'latin1',
    );
    out.set(((el.tag >>> 16) << 8) | e, value.replace(/[\0 ]+$/, '').replace(/^ +/, ''));
  }
  return out;
}

/** Every element at every depth with its path, in file order (items inherit the character set). */
export function* visit(
  elements: readonly Element[],
  data: Uint8Array,
  scheme: Scheme,
  prefix = '',
  depth = 0,
  scope?: Scope,
): Generator<Visit> {
  let s = scheme;
  const cs = elements.find((e) => e.tag === T.SpecificCharacterSet);
  if (cs) s = schemeFor(textOf(data, cs, schemeFor([])).split('\\'));
  const creators = privateCreators(elements, data);
  for (const el of elements) {
    const path = prefix ? `${prefix}.${keyword(el.tag)}` : keyword(el.tag);
    const typed = scope?.lookup(el.tag);
    const creator = isPrivate(el.tag) ? creators.get(blockOf(el.tag)) : undefined;
    yield {
      el,
      path,
      depth,
      scheme: s,
      ...(typed ? { iodType: typed.type } : {}),
      ...(creator === undefined ? {} : { creator }),
    };
    if (el.items) {
      for (const [i, it] of el.items.entries())
        yield* visit(it.elements, data, s, `${path}[${i}]`, depth + 1, typed?.items);
    }
  }
}

/** Deepest element whose bytes hold `offset`; undefined when in no element (preamble, header bytes). */
export function locate(visits: readonly Visit[], offset: number): Visit | undefined {
  let best: Visit | undefined;
  for (const v of visits)
    if (offset >= v.el.start && offset < v.el.end && (!best || v.depth >= best.depth)) best = v;
  return best;
}

/** The element's VR, from the dictionary when the file says UN. */
export function vrOf(el: Element): string {
  return el.vr === 'UN' ? dictionaryVR(el.tag) : el.vr;
}

/** The element's value as text in its character set, trailing padding removed. */
export function textOf(data: Uint8Array, el: Element, scheme: Scheme): string {
  const bytes = data.subarray(el.valueStart, el.valueStart + el.valueLength);
  return decodedString(decodeText(bytes, scheme, vrOf(el) === 'PN')).replace(/[\0 ]+$/, '');
}

/** A top-level element's value as ASCII, '' when absent. */
export function topValue(parsed: ParsedFile, tag: number): string {
  const el = parsed.dataset.find((e) => e.tag === tag);
  if (!el || el.items || el.external) return '';
  return Buffer.from(parsed.data.subarray(el.valueStart, el.valueStart + el.valueLength))
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .trim();
}

/**
 * Dates systems write for "unknown" (the Unix and spreadsheet epochs, the first and last day
 * a DA can hold): no one's date of birth or of care.
 */
export const PLACEHOLDER_DATES: ReadonlySet<string> = new Set([
  '00010101',
  '18991230',
  '18991231',
  '19000101',
  '19700101',
  '99991231',
]);

/** The date (YYYYMMDD) a DA or DT value starts with, if it is a plausible one. */
function dateOf(v: string): string | undefined {
  // A legacy ACR-NEMA date (1958.09.27) too.
  const d = v.replace(/^(\d{4})\.(\d\d)\.(\d\d)/, '$1$2$3').slice(0, 8);
  return /^(19|20)\d{6}$/.test(d) && !PLACEHOLDER_DATES.has(d) ? d : undefined;
}

/** The dates of a (multi-valued) DA or DT value, in order. */
export function datesIn(value: string): string[] {
  const out: string[] = [];
  for (const v of value.split('\\')) {
    const d = dateOf(v.trim());
    if (d) out.push(d);
  }
  return out;
}

/** The UIDs of a (multi-valued) UI value that are not the standard's own, in order. */
export function siteUids(value: string): string[] {
  return value
    .split('\\')
    .map((x) => x.trim())
    .filter((u) => u && !STANDARD_UID.test(u));
}

/**
 * Adds a UI element's UIDs to the file's references (`Referenced…UID` attributes, by path)
 * and to the UIDs it defines of itself (top-level SOP instance, series, study, frame of reference).
 */
export function noteUids(
  v: Visit,
  uids: readonly string[],
  refs: Array<[string, string]>,
  defines: string[],
): void {
  const kw = keyword(v.el.tag);
  for (const u of uids) {
    if (/Referenced.*UID$/.test(kw)) refs.push([v.path, u]);
    if (DEFINING.has(v.el.tag) && v.depth === 0) defines.push(u);
  }
}
