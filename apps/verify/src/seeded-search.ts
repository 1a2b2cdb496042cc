/**
 * Stage 2a (in a worker): the seeded search of one output file. Every seed is looked for in
 * the file's path and raw bytes (the file meta, then the data set, inflated when deflated,
 * except pixel data, which is compared with its source instead); a hit is reported at the
 * element that holds it.
 */
import { namesAClass, T } from '@dcmblind/core';
import { PIXEL_TAGS, type WalkedFile } from './dicom-file.js';
import { locate, textOf, type Visit } from './elements.js';
import type { FileFindings, ScanContext } from './facts.js';
import { valueHash } from './hashing.js';
import { type Hit, isWordByte } from './search.js';
import { needsWord, type Seed } from './seeds.js';
import { expectationFor } from './table.js';

/** What the hits in one output file are judged against, and where findings go. */
interface SearchScope {
  readonly ctx: ScanContext;
  /** Option columns the file is held to: an attribute they keep may hold its own source value. */
  readonly columns: readonly string[];
  /** The file's own PatientID: its pseudonym. */
  readonly pseudonym: string;
  readonly found: FileFindings;
  /** `element|category` already reported: one finding per element and kind of value. */
  readonly seen: Set<string>;
}

/** Seeds in the output file's path (hits from maskPath): the path leaves the site too. */
export function seedsInPath(ctx: ScanContext, hits: readonly Hit[], found: FileFindings): void {
  for (const h of hits) {
    const s = ctx.seeds[h.seed] as Seed;
    found.add({
      rule: 'seed-in-path',
      severity: 'leak',
      element: '(file path)',
      category: s.category,
      valueHash: valueHash(ctx, s.text),
      detail: `a source ${s.category} (from ${s.keyword}) in the output file path`,
    });
  }
}

/** Seeds in the file's bytes, reported at the element that holds each. */
export function seededSearch(
  ctx: ScanContext,
  file: WalkedFile,
  columns: readonly string[],
  found: FileFindings,
): void {
  const { parsed, visits, metaVisits } = file;
  const scope: SearchScope = { ctx, columns, pseudonym: file.topText(T.PatientID), found, seen: new Set() };
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
}

/** One finding per element and category for the hits that are leaks. */
function judgeHits(
  s: SearchScope,
  hits: readonly Hit[],
  bytes: Uint8Array,
  where: (at: number) => Visit | undefined,
): void {
  for (const h of hits) {
    const seed = s.ctx.seeds[h.seed] as Seed;
    const v = where(h.at);
    if (!isLeak(s, seed, h, bytes, v)) continue;
    const element = v?.path ?? `(byte ${h.at})`;
    const key = `${element}|${seed.category}`;
    if (s.seen.has(key)) continue;
    s.seen.add(key);
    const uid = seed.category === 'uid';
    s.found.add({
      rule: uid ? 'source-uid' : 'seed-match',
      severity: 'leak',
      element,
      category: seed.category,
      valueHash: valueHash(s.ctx, seed.text),
      detail: uid
        ? `a source UID (${seed.keyword}) is still in ${element}`
        : `a source ${seed.category} (from ${seed.keyword}) appears in ${element}`,
    });
  }
}

/** A hit is a leak unless it is part of a longer word, of the file's pseudonym, or an allowed value. */
function isLeak(s: SearchScope, seed: Seed, h: Hit, bytes: Uint8Array, v: Visit | undefined): boolean {
  // Names and IDs are words: a match inside a longer word or number ("TEXT" in "CONTEXT") is
  // not one. The value's own ends are word boundaries (the next bytes belong to another element).
  if (needsWord(seed)) {
    const from = v && !v.el.items ? v.el.valueStart : 0;
    const to = v && !v.el.items ? v.el.valueStart + v.el.valueLength : bytes.length;
    const before = h.at > from ? bytes[h.at - 1] : undefined;
    const after = h.at + h.length < to ? bytes[h.at + h.length] : undefined;
    if (isWordByte(before) || isWordByte(after)) return false;
  }
  // A source UID used as a root ("1.2.826.0.1.3680043.8.498", an InstanceCreatorUID) inside a
  // longer UID that names a class (a coding scheme under the same root): the class UID is kept
  // by design and names no one.
  if (seed.category === 'uid' && v && !v.el.items && namesAClass(v.el.tag)) {
    const next = h.at + h.length < v.el.valueStart + v.el.valueLength ? bytes[h.at + h.length] : undefined;
    if (next === 0x2e || (next !== undefined && next >= 0x30 && next <= 0x39)) return false;
  }
  // Part of this file's own pseudonym (say a source ID "ANON" inside "ANON-7Q…"): not a leak.
  if (
    v &&
    s.pseudonym &&
    !v.el.items &&
    textOf(bytes, v.el, v.scheme).trim() === s.pseudonym &&
    h.length < Buffer.byteLength(s.pseudonym, 'utf8')
  )
    return false;
  // An attribute the profile (with its options) keeps, holding its own source value, is allowed.
  const kept = (tag: number) => {
    const exp = expectationFor(tag, s.columns);
    return exp === 'kept' || exp === 'cleaned';
  };
  return !(v && v.el.tag === seed.tag && kept(v.el.tag));
}
