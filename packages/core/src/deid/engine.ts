/**
 * The de-identification engine: one pass over the element index of a parsed file that
 * decides per element (PS3.15 Annex E, recursively into every sequence item) and emits an
 * output tree in which kept elements are views on the source bytes. Each element's rule is
 * settled by its Type in the file's IOD where that is known (profile/resolve.ts), so combined
 * codes take the variant that keeps the object valid.
 */
import { schemeFor } from '../dicom/charset.js';
import { dictionaryVR } from '../dicom/dictionary.js';
import type { Element, Item, ParsedFile } from '../dicom/reader.js';
import { isPrivate, T } from '../dicom/tag.js';
import type { VR } from '../dicom/vr.js';
import type { OutItem, OutNode } from '../dicom/writer.js';
import { InternalError } from '../errors.js';
import { type Scope, scopeOfClass, type Typed } from '../profile/iod.js';
import { resolveByType } from '../profile/resolve.js';
import type { Rule } from '../profile/rules.js';
import { dropOrphans } from './dependencies.js';
import { type Creators, creatorsOf, isCreator, safePrivateRule, settleCreators } from './private.js';
import { leaf } from './leaf.js';
import { MARKER_TAGS, markers, mergeByTag, TRIAL_TAGS } from './markers.js';
import { type FreeText, codeSchemeOf, textRuleHere } from './free-text.js';
import { plannedPixels, plannedTable } from './pixels.js';
import { versionRuleHere } from './published.js';
import { ruleFor } from './rule-for.js';
import { subjectItem } from './subject.js';
import { DEFAULT_SCHEME, latin1, splitValues, valueBytes, type Scheme } from './text.js';
import { type EngineContext, type Fired, fire, keep, type Walk } from './walk.js';

export type { EngineContext, Fired, PatientIdentity } from './walk.js';

/** A sequence's items, less the content items that restate what the profile removes (subject.ts). */
function walkItems(
  w: Walk,
  items: readonly Item[],
  scheme: Scheme,
  free: FreeText,
  scope: Scope | undefined,
): OutItem[] {
  const out: OutItem[] = [];
  for (const it of items) {
    const subject = subjectItem(it, w.data, w.ctx.profile);
    if (subject?.kind === 'drop') {
      fire(w, SUBJECT_ITEM_REMOVED);
      continue;
    }
    if (subject?.kind === 'cap') w.overrides.set(subject.value, subject.to);
    out.push({
      enc: w.transcode ?? it.enc,
      undefinedLength: it.undefinedLength,
      children: walkElements(w, it.elements, scheme, false, free, scope),
    });
  }
  return out;
}

const EMPTIED_SEQUENCE: Rule = { action: 'X', source: 'Sequence whose every item was removed' };

const SUBJECT_ITEM_REMOVED: Rule = {
  action: 'X',
  source: 'Subject characteristic content item (follows the rule of the attribute it restates)',
};

/** A sequence under its rule: removed, emptied (zero items), or its items walked. */
function sequence(
  w: Walk,
  el: Element,
  rule: Rule,
  scheme: Scheme,
  free: FreeText,
  typed: Typed | undefined,
) {
  fire(w, rule);
  if (rule.action === 'X') return null;
  const inner: FreeText = rule.action === 'D' ? 'dummy' : rule.action === 'C' ? 'clean' : free;
  w.within.push(el.tag);
  const items = rule.action === 'Z' ? [] : walkItems(w, el.items ?? [], scheme, inner, typed?.items);
  w.within.pop();
  // Every item gone (content items that restated removed subject characteristics): a sequence
  // that must have items when present (Content Sequence, 1C) goes rather than stays empty.
  const mayBeEmpty = typed?.type === '2' || typed?.type === '2C';
  if (items.length === 0 && (el.items?.length ?? 0) > 0 && rule.action !== 'Z' && !mayBeEmpty) {
    fire(w, EMPTIED_SEQUENCE);
    return null;
  }
  // Re-encoded, a sequence is SQ: its items are then in the target encoding too.
  const node: OutNode = {
    kind: 'seq',
    tag: el.tag,
    vr: w.transcode ? 'SQ' : el.vr,
    enc: w.transcode ?? el.enc,
    undefinedLength: el.undefinedLength,
    items,
  };
  return node;
}

/** Pixel data and other bulk values: kept as their bytes (or left in the file), or removed. */
function bulk(w: Walk, el: Element, rule: Rule): OutNode | null {
  fire(w, rule);
  if (rule.action === 'X') return null;
  const planned = plannedPixels(w, el, w.ctx.pixels);
  if (planned) return planned;
  if (el.external) {
    // Bulk data left in the file (head-only read): kept as is, copied at write time.
    if (w.transcode) throw new InternalError('cannot re-encode an element that is not in memory');
    // Its value's end, not `end`: with a tail read, `end` is where the tail starts in memory.
    return {
      kind: 'range',
      tag: el.tag,
      offset: el.start,
      length: el.valueStart + el.valueLength - el.start,
    };
  }
  if (el.end > w.data.length) {
    throw new InternalError(`element ends at ${el.end}, past the ${w.data.length} bytes in memory`);
  }
  if (!w.transcode) return { kind: 'raw', tag: el.tag, bytes: w.data.subarray(el.start, el.end) };
  return {
    kind: 'open',
    tag: el.tag,
    vr: 'OB',
    enc: w.transcode,
    body: w.data.subarray(el.valueStart, el.end),
  };
}

/**
 * The rule an element meets before its IOD Type decides: a private element's under Retain Safe
 * Private (with the VR the safe list reads it as), else the recipe's for where it stands, else
 * the profile's.
 */
function baseRule(w: Walk, el: Element, creators: Creators | undefined): { rule: Rule; vr: VR } {
  const vr: VR = el.vr === 'UN' && !el.items ? dictionaryVR(el.tag) : el.vr;
  if (creators && isPrivate(el.tag)) {
    const safe = safePrivateRule(el, creators, w.data, w.ctx.recipe?.safePrivate);
    return { rule: safe.rule, vr: safe.vr && !el.items ? safe.vr : vr };
  }
  const rule = w.ctx.recipe?.ruleAt(w.within, el.tag) ?? ruleFor(el, el.items ? 'SQ' : vr, w.ctx.profile);
  return { rule, vr };
}

function walkElements(
  w: Walk,
  elements: readonly Element[],
  scheme: Scheme,
  top: boolean,
  free: FreeText,
  scope: Scope | undefined,
): OutNode[] {
  const cs = elements.find((e) => e.tag === T.SpecificCharacterSet);
  if (cs) scheme = schemeFor(splitValues(latin1(valueBytes(w.data, cs)).replace(/[\0 ]+$/, '')));
  const registeredCode = top ? undefined : codeSchemeOf(w.data, elements);
  const out: OutNode[] = [];
  // Retain Safe Private: this item's private creators, and the creators' own nodes, settled once
  // the item's elements are (a creator stays only when something of its block does).
  const creators = w.ctx.profile.retainSafePrivate ? creatorsOf(w.data, elements) : undefined;
  const creatorNodes = new Set<OutNode>();
  for (const el of elements) {
    if (top && MARKER_TAGS.has(el.tag)) continue; // replaced by this run's markers
    if (top && w.ctx.recipe?.clinicalTrial && TRIAL_TAGS.has(el.tag)) continue; // the recipe's values
    const typed = scope?.lookup(el.tag);
    if (creators && isPrivate(el.tag) && isCreator(el.tag) && !el.items) {
      const node = keep(w, el, dictionaryVR(el.tag));
      creatorNodes.add(node);
      out.push(node);
      continue;
    }
    const { rule: base, vr } = baseRule(w, el, creators);
    let node: OutNode | null;
    const table = top ? plannedTable(w, el, w.ctx.pixels) : undefined;
    if (table !== undefined) node = table;
    else if (el.items) node = sequence(w, el, resolveByType(base, typed), scheme, free, typed);
    else if (el.external || el.encapsulated || el === w.ctx.pixels?.element)
      node = bulk(w, el, resolveByType(base, typed));
    else {
      const here = textRuleHere(base, el, vr, free, registeredCode);
      const rule = resolveByType(
        versionRuleHere(here, el, w.data, top ? undefined : elements, w.ctx.profile),
        typed,
      );
      node = leaf(w, el, vr, rule, scheme, top, typed);
    }
    if (node) out.push(node);
  }
  return dropOrphans(w, elements, settleCreators(w, out, creatorNodes));
}

export interface EngineOutput {
  readonly dataset: OutNode[];
  readonly fired: Fired;
}

export function deidentifyDataset(file: ParsedFile, ctx: EngineContext): EngineOutput {
  const transcode =
    file.encoding.explicit === file.declaredEncoding.explicit ? undefined : file.declaredEncoding;
  const w: Walk = {
    ctx,
    data: file.data,
    fired: new Map(),
    overrides: new Map(),
    within: [],
    ...(transcode ? { transcode } : {}),
  };
  const body = walkElements(
    w,
    file.dataset,
    DEFAULT_SCHEME,
    true,
    undefined,
    scopeOfClass(ctx.first.identity.sopClassUID),
  );
  const present = new Set(body.map((n) => n.tag));
  return { dataset: mergeByTag(body, markers(ctx, transcode ?? file.encoding, present)), fired: w.fired };
}
