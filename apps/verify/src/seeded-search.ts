/**
 * Stage 2a (in a worker): the seeded search of one output file. Every seed is looked for in
 * the file's path and raw bytes (the file meta, then the data set, inflated when deflated,
 * except pixel data, which is compared with its source instead); a hit is reported at the
 * element that holds it.
 */
import { namesAClass, T, textAttributeDecision } from '@dcmblind/core';
import { PIXEL_TAGS, type WalkedFile } from './dicom-file.js';
import { locate, TYPED_VRS, textOf, type Visit, vrOf } from './elements.js';
import { foldedNameIn } from './folded-names.js';
import { nativeNameIn } from './native-names.js';
import type { Claim, FileFinding, FileFindings, ScanContext } from './facts.js';
import { lowerLatin1, valueHash } from './hashing.js';
import type { Hit } from './search.js';
import { fits, type Seed } from './seeds.js';
import { expectationFor } from './table.js';

/** What the hits in one output file are judged against, and where findings go. */
interface SearchScope {
  readonly ctx: ScanContext;
  /** Option columns the file is held to: an attribute they keep may hold its own source value. */
  readonly columns: readonly string[];
  /** The file's own PatientID: its pseudonym. */
  readonly pseudonym: string;
  readonly found: FileFindings;
  /** Hits in attributes the profile keeps, for the tree checks to judge against the source. */
  readonly claims: Claim[];
  /** `element|category` already reported: one finding per element and kind of value. */
  readonly seen: Set<string>;
}

/**
 * Whether a path hit lies inside a folder named by the file's own pseudonym (`ANON-8JANE2C…`, or
 * the pseudonym and a label): a keyed hash's letters that happen to spell a name, as the same
 * letters in the PatientID are (see counts).
 */
function insidePseudonym(path: Uint8Array, h: Hit, pseudonym: string): boolean {
  const own = Buffer.from(pseudonym, 'utf8');
  if (own.length === 0 || h.length >= own.length) return false;
  const start = path.lastIndexOf(0x2f, h.at - 1) + 1; // the component's first byte
  return (
    Buffer.from(path.subarray(start, start + own.length)).equals(own) &&
    (path[start + own.length] === undefined ||
      path[start + own.length] === 0x2f ||
      path[start + own.length] === 0x2d) &&
    h.at + h.length <= start + own.length
  );
}

/**
 * Seeds in the output file's path (hits from maskPath): the path leaves the site too. With the
 * file's pseudonym (its PatientID), a hit inside a folder it names is no leak.
 */
export function seedsInPath(
  ctx: ScanContext,
  rel: string,
  hits: readonly Hit[],
  found: FileFindings,
  pseudonym = '',
): void {
  const path = Buffer.from(rel, 'utf8');
  const reported = new Set<string>();
  for (const h of hits) {
    if (pseudonym && insidePseudonym(path, h, pseudonym)) continue;
    const s = ctx.seeds[h.seed] as Seed;
    const hash = valueHash(ctx, s.text);
    // One finding per value and kind: its spellings and the seeds of several attributes are one leak.
    if (reported.has(`${s.category}|${hash}`)) continue;
    reported.add(`${s.category}|${hash}`);
    found.add({
      rule: 'seed-in-path',
      severity: 'leak',
      element: '(file path)',
      category: s.category,
      valueHash: hash,
      detail: `a source ${s.category} (from ${s.keyword}) in the output file path`,
    });
  }
}

/**
 * Seeds in the file's bytes, reported at the element that holds each; a hit in an attribute the
 * profile keeps is returned as a claim instead (allowed only where the source held the same value).
 */
export function seededSearch(
  ctx: ScanContext,
  file: WalkedFile,
  columns: readonly string[],
  found: FileFindings,
): Claim[] {
  const { parsed, visits, metaVisits } = file;
  const scope: SearchScope = {
    ctx,
    columns,
    pseudonym: file.topText(T.PatientID),
    found,
    claims: [],
    seen: new Set(),
  };
  const inMeta = (at: number) => locate(metaVisits, at);
  // Not deflated, the file meta and the data set are one run of bytes: a hit may be in either.
  const inData = (at: number) => locate(visits, at) ?? (parsed.deflated ? undefined : locate(metaVisits, at));
  if (parsed.deflated) {
    const metaEnd = parsed.meta.at(-1)?.end ?? 0;
    judgeHits(scope, ctx.matcher.search(parsed.file, 0, metaEnd), parsed.file, inMeta);
  }
  let pos = 0;
  for (const e of parsed.dataset.filter((x) => PIXEL_TAGS.has(x.tag))) {
    judgeHits(scope, ctx.matcher.search(parsed.data, pos, e.valueStart), parsed.data, inData);
    pos = e.end;
  }
  judgeHits(scope, ctx.matcher.search(parsed.data, pos, parsed.data.length), parsed.data, inData);
  foldedNames(scope, file);
  return scope.claims;
}

/** Names in text written with accents or a case their source lacks (folded-names.ts). */
function foldedNames(s: SearchScope, file: WalkedFile): void {
  for (const v of file.visits) {
    const vr = vrOf(v.el);
    if (v.el.items || (vr !== 'PN' && !TYPED_VRS.has(vr)) || s.seen.has(`${v.path}|name`)) continue;
    if (keptHere(s, v)) continue;
    const text = textOf(file.parsed.data, v.el, v.scheme);
    const finding = foldedNameIn(v.path, text, s.ctx) ?? nativeNameIn(v.path, text, s.ctx);
    if (!finding) continue;
    s.seen.add(`${v.path}|name`);
    s.found.add(finding);
  }
}

/** One finding per element and category for the hits that are leaks; a claim for those in kept attributes. */
function judgeHits(
  s: SearchScope,
  hits: readonly Hit[],
  bytes: Uint8Array,
  where: (at: number) => Visit | undefined,
): void {
  for (const h of hits) {
    const seed = s.ctx.seeds[h.seed] as Seed;
    const v = where(h.at);
    if (!counts(s, seed, h, bytes, v)) continue;
    const element = v?.path ?? `(byte ${h.at})`;
    const key = `${element}|${seed.category}`;
    if (s.seen.has(key)) continue;
    s.seen.add(key);
    const finding = seedFinding(s.ctx, seed, element);
    if (v && !v.el.items && keptHere(s, v)) {
      const hit = lowerLatin1(bytes.subarray(h.at, h.at + h.length));
      s.claims.push({ finding: { file: s.found.file, ...finding }, path: v.path, hit });
    } else {
      s.found.add(finding);
    }
  }
}

/** The finding for a source value where it should not be. */
function seedFinding(ctx: ScanContext, seed: Seed, element: string): FileFinding {
  const uid = seed.category === 'uid';
  return {
    rule: uid ? 'source-uid' : 'seed-match',
    severity: 'leak',
    element,
    category: seed.category,
    valueHash: valueHash(ctx, seed.text),
    detail: uid
      ? `a source UID (${seed.keyword}) is still in ${element}`
      : `a source ${seed.category} (from ${seed.keyword}) appears in ${element}`,
  };
}

/**
 * An attribute the profile (with its options) keeps as it is, or one the table does not list
 * that dcmblind keeps as written (coded and numeric values; vendor names and versions, cleaned of
 * nothing but the file's known values): it may hold its source's value, and only that. A cleaned
 * attribute (C) may not hold one, nor may free text outside the table that dcmblind cleans or
 * removes (its reviewed list): there a source value is a leak even when the output holds the
 * source's bytes unchanged (nothing was found to clean), and a name or unreviewed text outside
 * the table is removed.
 */
function keptHere(s: SearchScope, v: Visit): boolean {
  const exp = expectationFor(v.el.tag, s.columns);
  if (exp !== undefined) return exp === 'kept';
  const vr = vrOf(v.el);
  if (vr === 'PN') return false;
  if (!UNLISTED_TEXT_VRS.has(vr)) return true;
  return textAttributeDecision(v.el.tag) === 'verbatim';
}

/** Text VRs whose attributes outside the table dcmblind cleans, keeps verbatim or removes (reviewed). */
const UNLISTED_TEXT_VRS: ReadonlySet<string> = new Set(['LO', 'SH', 'ST', 'LT', 'UT', 'UC', 'UR']);

/** A hit counts unless it is part of a longer word, of a class UID, or of the file's pseudonym. */
function counts(s: SearchScope, seed: Seed, h: Hit, bytes: Uint8Array, v: Visit | undefined): boolean {
  // Names and IDs are words: a match inside a longer word or number ("TEXT" in "CONTEXT") is
  // not one. The value's own ends are word boundaries (the next bytes belong to another element).
  // Code strings hold defined terms (ValueType TEXT, Modality OT): a name or a street there is
  // one of those terms, never a person's (a name met as the word "text" is common enough).
  if (v && !v.el.items && vrOf(v.el) === 'CS' && (seed.category === 'name' || seed.category === 'address'))
    return false;
  const from = v && !v.el.items ? v.el.valueStart : 0;
  const to = v && !v.el.items ? v.el.valueStart + v.el.valueLength : bytes.length;
  if (!fits(seed, bytes, h.at, h.length, from, to)) return false;
  // A source UID used as a root ("1.2.826.0.1.3680043.8.498", an InstanceCreatorUID) inside a
  // longer UID that names a class (a coding scheme under the same root): the class UID is kept
  // by design and names no one.
  if (seed.category === 'uid' && v && !v.el.items && namesAClass(v.el.tag)) {
    const next = h.at + h.length < v.el.valueStart + v.el.valueLength ? bytes[h.at + h.length] : undefined;
    if (next === 0x2e || (next !== undefined && next >= 0x30 && next <= 0x39)) return false;
  }
  // Part of this file's own pseudonym (say a source ID "ANON" inside "ANON-7Q…"): not a leak.
  return !(
    v &&
    s.pseudonym &&
    !v.el.items &&
    textOf(bytes, v.el, v.scheme).trim() === s.pseudonym &&
    h.length < Buffer.byteLength(s.pseudonym, 'utf8')
  );
}
