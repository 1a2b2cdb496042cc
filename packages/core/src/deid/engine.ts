/**
 * The de-identification engine: one pass over the element index of a parsed file that
 * decides per element (PS3.15 Annex E, recursively into every sequence item) and emits an
 * output tree in which kept elements are views on the source bytes.
 */
import { dictionaryVR, lookup as dictionaryEntry } from '../dicom/dictionary.js';
import { InternalError } from '../errors.js';
import { schemeFor } from '../dicom/charset.js';
import type { Element, Item, ParsedFile } from '../dicom/reader.js';
import type { Encoding } from '../dicom/transfer-syntax.js';
import { isGroupLength, isPrivate, T, type Tag } from '../dicom/tag.js';
import { isStandardUID } from '../dicom/transfer-syntax.js';
import { hasLongLength, isTextVR, MAX_LENGTH, type VR } from '../dicom/vr.js';
import { asciiBytes, padValue, type OutItem, type OutNode } from '../dicom/writer.js';
import { shiftDAValue, shiftDTValue } from '../identity/dates.js';
import type { ProjectSecret } from '../identity/secret.js';
import { BASIC_CODE, OPTIONS } from '../profile/options.js';
import type { Action, CompiledProfile, Rule } from '../profile/rules.js';
import { cleanText } from './clean.js';
import { dummyValue } from './dummy.js';
import type { FirstPass, IdentifyingValue } from './identifying.js';
import { DEFAULT_SCHEME, latin1, readText, splitValues, valueBytes, type Scheme } from './text.js';

export interface PatientIdentity {
  /** The string the pseudonym and date offset derive from ("id\0<PatientID>", …). */
  readonly key: string;
  readonly pseudonym: string;
  readonly dateOffsetDays: number;
}

export interface EngineContext {
  readonly profile: CompiledProfile;
  readonly secret: ProjectSecret;
  readonly patient: PatientIdentity;
  readonly pseudonymPrefix: string;
  readonly first: FirstPass;
  readonly engineVersion: string;
}

/** Counts of rules fired, by "ACTION source" (e.g. "X Patient's Address"), for reports. */
export type Fired = Map<string, number>;

interface Walk {
  readonly ctx: EngineContext;
  readonly data: Uint8Array;
  /** Set when headers must be re-encoded (a data set in implicit VR under an explicit transfer syntax). */
  readonly transcode?: Encoding;
  readonly fired: Fired;
  readonly cleanable: readonly IdentifyingValue[];
}

const PRIVATE_RULE: Rule = { action: 'X', source: 'Private attribute' };
const GROUP_LENGTH: Rule = { action: 'X', source: 'Group length (retired, stale after changes)' };
const PADDING: Rule = { action: 'X', source: 'Data Set Trailing Padding' };
const UNLISTED_UID: Rule = { action: 'U', source: 'UID outside the table' };
const UNLISTED_DATE: Rule = { action: 'C', source: 'Date/time outside the table' };
const UNLISTED_PN: Rule = { action: 'D', source: 'Person name outside the table' };
const KEEP: Rule = { action: 'K', source: 'Not in the profile' };
const UNKNOWN_PUBLIC: Rule = { action: 'X', source: 'Public tag unknown to the data dictionary' };
const MARKER_TAGS: ReadonlySet<Tag> = new Set([
  T.PatientIdentityRemoved,
  T.DeidentificationMethod,
  T.DeidentificationMethodCodeSequence,
  T.LongitudinalTemporalInformationModified,
]);

function fire(w: Walk, rule: Rule, action: Action = rule.action): void {
  const k = `${action} ${rule.source}`;
  w.fired.set(k, (w.fired.get(k) ?? 0) + 1);
}

function textNode(w: Walk, el: Element, vr: VR, s: string): OutNode {
  return {
    kind: 'value',
    tag: el.tag,
    vr: el.vr,
    enc: w.transcode ?? el.enc,
    value: padValue(vr, asciiBytes(s)),
  };
}

/** A kept element: its original bytes, or its original value under a re-encoded header. */
function keep(w: Walk, el: Element, vr: VR): OutNode {
  if (el.end > w.data.length)
    throw new InternalError(`element ends at ${el.end}, past the ${w.data.length} bytes in memory`);
  if (!w.transcode) return { kind: 'raw', tag: el.tag, bytes: w.data.subarray(el.start, el.end) };
  // An explicit VR with a 16-bit length cannot hold a longer value: such values travel as UN.
  const outVR: VR = el.valueLength > 0xffff && !hasLongLength(vr) ? 'UN' : vr;
  return { kind: 'value', tag: el.tag, vr: outVR, enc: w.transcode, value: valueBytes(w.data, el) };
}

const BLINDED_DATE: Rule = { action: 'Z', source: 'Date or time (blinding)' };

function ruleFor(el: Element, vr: VR, profile: CompiledProfile): Rule {
  if (isGroupLength(el.tag)) return GROUP_LENGTH;
  if (el.tag === T.TrailingPadding) return PADDING;
  if (isPrivate(el.tag)) return profile.privateRule.action === 'X' ? profile.privateRule : PRIVATE_RULE;
  // Blinding: every date and time is emptied (zero length keeps Type 2 attributes present).
  if (profile.blinding && (vr === 'DA' || vr === 'DT' || vr === 'TM')) return BLINDED_DATE;
  const listed = profile.ruleFor(el.tag);
  if (listed) return listed;
  if (vr === 'UI') return profile.retainUIDs ? KEEP : UNLISTED_UID;
  if (vr === 'DA' || vr === 'DT' || vr === 'TM')
    return profile.dates === 'keep'
      ? KEEP
      : profile.dates === 'shift'
        ? UNLISTED_DATE
        : { action: 'D', source: UNLISTED_DATE.source };
  if (vr === 'PN') return UNLISTED_PN;
  // A public tag the data dictionary does not know (a corrupt tag, or a vendor's misuse of a
  // standard group) may hold anything: removed, never passed through.
  if (!dictionaryEntry(el.tag)) return UNKNOWN_PUBLIC;
  return KEEP;
}

/** Map each non-standard UID of a (multi-valued) UI value; undefined when nothing changes. */
function remapUIDs(w: Walk, el: Element): string | undefined {
  const values = splitValues(latin1(valueBytes(w.data, el)).replace(/[\0 ]+$/, ''));
  let changed = false;
  const out = values.map((v) => {
    if (v === '' || isStandardUID(v)) return v;
    changed = true;
    return w.ctx.secret.uid(v);
  });
  return changed ? out.join('\\') : undefined;
}

function shiftDates(w: Walk, el: Element, vr: VR): string | undefined {
  const days = w.ctx.patient.dateOffsetDays;
  const text = latin1(valueBytes(w.data, el)).replace(/[\0 ]+$/, '');
  const out: string[] = [];
  for (const v of splitValues(text)) {
    if (v === '') {
      out.push('');
      continue;
    }
    const s = vr === 'DA' ? shiftDAValue(v, days) : shiftDTValue(v, days);
    if (s === undefined) return undefined;
    out.push(s);
  }
  return out.join('\\');
}

function leaf(w: Walk, el: Element, vr: VR, rule: Rule, scheme: Scheme, top: boolean): OutNode | null {
  const { ctx } = w;
  const raw: OutNode = keep(w, el, vr);

  // PatientID and PatientName become the pseudonym wherever they hold the patient's identity.
  if (el.tag === T.PatientID || el.tag === T.PatientName) {
    const v = readText(w.data, el, vr, scheme).trim();
    const src = el.tag === T.PatientID ? ctx.first.identity.patientId : ctx.first.identity.patientName;
    if (top || (v !== '' && v === src)) {
      fire(w, { action: 'D', source: 'Patient pseudonym' });
      return textNode(w, el, vr, ctx.patient.pseudonym);
    }
    if (el.tag === T.PatientID && v !== '') {
      fire(w, { action: 'D', source: 'Other patient pseudonym' });
      return textNode(w, el, vr, ctx.secret.pseudonym(`id\u0000${v}`, ctx.pseudonymPrefix));
    }
  }
  if (el.tag === T.PatientBirthDate && ctx.profile.dates === 'shift' && rule.action !== 'K') {
    rule = { action: 'C', source: "Patient's Birth Date (shifted)" };
  }

  const action = rule.action;
  fire(w, rule);
  switch (action) {
    case 'X':
      return null;
    case 'K':
      return raw;
    case 'Z':
      return {
        kind: 'value',
        tag: el.tag,
        vr: w.transcode ? vr : el.vr,
        enc: w.transcode ?? el.enc,
        value: new Uint8Array(0),
      };
    case 'U': {
      if (vr !== 'UI' || ctx.profile.retainUIDs) return raw;
      const u = remapUIDs(w, el);
      return u === undefined ? raw : textNode(w, el, vr, u);
    }
    case 'D': {
      if (vr === 'UI') {
        const u = remapUIDs(w, el);
        return u === undefined ? raw : textNode(w, el, vr, u);
      }
      const d = dummyValue(vr);
      return typeof d === 'string'
        ? textNode(w, el, vr, d)
        : { kind: 'value', tag: el.tag, vr: w.transcode ? vr : el.vr, enc: w.transcode ?? el.enc, value: d };
    }
    case 'C': {
      if (vr === 'DA' || vr === 'DT') {
        if (ctx.profile.dates !== 'shift') return textNode(w, el, vr, String(dummyValue(vr)));
        const s = shiftDates(w, el, vr);
        if (s === undefined) fire(w, { action: 'Z', source: 'Unparseable date emptied' });
        return textNode(w, el, vr, s ?? '');
      }
      if (vr === 'TM') return raw; // whole-day shifts leave the time of day as it is
      if (vr === 'UI') {
        const u = remapUIDs(w, el);
        return u === undefined ? raw : textNode(w, el, vr, u);
      }
      if (isTextVR(vr)) {
        const c = cleanText(valueBytes(w.data, el), scheme, w.cleanable, vr === 'PN');
        if (c.removed === 0) return raw;
        return {
          kind: 'value',
          tag: el.tag,
          vr: w.transcode ? vr : el.vr,
          enc: w.transcode ?? el.enc,
          value: padValue(vr, c.bytes),
        };
      }
      return raw;
    }
  }
}

/**
 * Free text inside a sequence the profile replaces (D: Content Sequence, Graphic Annotation
 * Sequence, …) or cleans (C): the table does not list TextValue and its kin, yet they are
 * the content. Under D they become dummies, under C they are cleaned; structure, codes and
 * references stay so the object remains valid.
 */
export type FreeText = 'dummy' | 'clean' | undefined;
const FREE_TEXT_VRS: ReadonlySet<VR> = new Set(['UT', 'LT', 'ST', 'UC']);

function walkItems(w: Walk, items: readonly Item[], scheme: Scheme, free: FreeText): OutItem[] {
  return items.map((it) => ({
    enc: w.transcode ?? it.enc,
    undefinedLength: it.undefinedLength,
    children: walkElements(w, it.elements, scheme, false, free),
  }));
}

function walkElements(
  w: Walk,
  elements: readonly Element[],
  scheme: Scheme,
  top: boolean,
  free: FreeText = undefined,
): OutNode[] {
  const cs = elements.find((e) => e.tag === T.SpecificCharacterSet);
  if (cs) scheme = schemeFor(splitValues(latin1(valueBytes(w.data, cs)).replace(/[\0 ]+$/, '')));
  const out: OutNode[] = [];
  for (const el of elements) {
    if (top && MARKER_TAGS.has(el.tag)) continue; // replaced by this run's markers
    const vr: VR = el.vr === 'UN' && !el.items ? dictionaryVR(el.tag) : el.vr;
    let rule = ruleFor(el, el.items ? 'SQ' : vr, w.ctx.profile);
    if (el.items) {
      fire(w, rule);
      if (rule.action === 'X') continue;
      const inner: FreeText = rule.action === 'D' ? 'dummy' : rule.action === 'C' ? 'clean' : free;
      const items = rule.action === 'Z' ? [] : walkItems(w, el.items, scheme, inner);
      // Re-encoded, a sequence is SQ: its items are then in the target encoding too.
      out.push({
        kind: 'seq',
        tag: el.tag,
        vr: w.transcode ? 'SQ' : el.vr,
        enc: w.transcode ?? el.enc,
        undefinedLength: el.undefinedLength,
        items,
      });
      continue;
    }
    if (el.external) {
      // Bulk data left in the file (head-only read): kept as is, copied at write time.
      fire(w, rule);
      if (rule.action === 'X') continue;
      if (w.transcode) throw new InternalError('cannot re-encode an element that is not in memory');
      out.push({ kind: 'range', tag: el.tag, offset: el.start, length: el.end - el.start });
      continue;
    }
    if (el.encapsulated) {
      fire(w, rule);
      if (rule.action === 'X') continue;
      if (el.end > w.data.length)
        throw new InternalError(`element ends at ${el.end}, past the ${w.data.length} bytes in memory`);
      if (!w.transcode) out.push({ kind: 'raw', tag: el.tag, bytes: w.data.subarray(el.start, el.end) });
      else
        out.push({
          kind: 'open',
          tag: el.tag,
          vr: 'OB',
          enc: w.transcode,
          body: w.data.subarray(el.valueStart, el.end),
        });
      continue;
    }
    if (free && rule === KEEP && FREE_TEXT_VRS.has(vr)) {
      rule =
        free === 'dummy'
          ? { action: 'D', source: 'Free text in a replaced sequence' }
          : { action: 'C', source: 'Free text in a cleaned sequence' };
    }
    const node = leaf(w, el, vr, rule, scheme, top);
    if (node) out.push(node);
  }
  return out;
}

/** The markers of PS3.15 E.1.1 / E.3 that say what was done, in the data set's encoding. */
function markers(ctx: EngineContext, enc: Encoding, present: ReadonlySet<Tag>): OutNode[] {
  const text = (tag: Tag, vr: VR, s: string): OutNode => ({
    kind: 'value',
    tag,
    vr,
    enc,
    value: padValue(vr, asciiBytes(s)),
  });
  const codes = [BASIC_CODE, ...ctx.profile.options.map((o) => OPTIONS[o])];
  const method = `dcmblind ${ctx.engineVersion} ${ctx.profile.name}`.slice(0, MAX_LENGTH.LO);
  const ltim =
    ctx.profile.dates === 'keep' ? 'UNMODIFIED' : ctx.profile.dates === 'shift' ? 'MODIFIED' : 'REMOVED';
  // Every output carries its pseudonym, even when the source had no PatientName or PatientID.
  const identity = [T.PatientName, T.PatientID]
    .filter((t) => !present.has(t))
    .map((t) => text(t, t === T.PatientName ? 'PN' : 'LO', ctx.patient.pseudonym));
  return [
    ...identity,
    text(T.PatientIdentityRemoved, 'CS', 'YES'),
    text(T.DeidentificationMethod, 'LO', method),
    {
      kind: 'seq',
      tag: T.DeidentificationMethodCodeSequence,
      vr: 'SQ',
      enc,
      undefinedLength: false,
      items: codes.map((c) => ({
        enc,
        undefinedLength: false,
        children: [
          text(T.CodeValue, 'SH', c.code),
          text(T.CodingSchemeDesignator, 'SH', 'DCM'),
          text(T.CodeMeaning, 'LO', c.meaning),
        ],
      })),
    },
    text(T.LongitudinalTemporalInformationModified, 'CS', ltim),
  ];
}

/** Insert nodes by tag order (sources are usually, not always, sorted). */
function mergeByTag(nodes: OutNode[], extra: readonly OutNode[]): OutNode[] {
  const out = nodes.slice();
  for (const m of extra) {
    const i = out.findIndex((n) => n.tag > m.tag);
    if (i < 0) out.push(m);
    else out.splice(i, 0, m);
  }
  return out;
}

export interface EngineOutput {
  readonly dataset: OutNode[];
  readonly fired: Fired;
}

export function deidentifyDataset(file: ParsedFile, ctx: EngineContext): EngineOutput {
  const cleanable = ctx.first.values;
  const transcode =
    file.encoding.explicit === file.declaredEncoding.explicit ? undefined : file.declaredEncoding;
  const w: Walk = { ctx, data: file.data, fired: new Map(), cleanable, ...(transcode ? { transcode } : {}) };
  const body = walkElements(w, file.dataset, DEFAULT_SCHEME, true);
  const present = new Set(body.map((n) => n.tag));
  return { dataset: mergeByTag(body, markers(ctx, transcode ?? file.encoding, present)), fired: w.fired };
}
