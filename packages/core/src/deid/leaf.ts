/** One element's value under its rule: kept, removed, emptied, a dummy, remapped, shifted or cleaned. */
import { namesAClass } from '../dicom/dictionary.js';
import type { Element } from '../dicom/reader.js';
import { T } from '../dicom/tag.js';
import { isStandardUID } from '../dicom/transfer-syntax.js';
import { isTextVR, type VR } from '../dicom/vr.js';
import { padValue, type OutNode } from '../dicom/writer.js';
import { shiftDAValue, shiftDTValue } from '../identity/dates.js';
import type { Typed } from '../profile/iod.js';
import type { Rule } from '../profile/rules.js';
import { dummyValue } from './dummy.js';
import { latin1, readText, splitValues, valueBytes, type Scheme } from './text.js';
import { ENCAPSULATED_DOCUMENT, ENCAPSULATED_DOCUMENT_LENGTH, lengthValue } from './document.js';
import { scrubText } from '../scrub/scrub.js';
import { skipped } from '../testing/skip.js';
import { cappedAge } from './subject.js';
import { fire, keep, textNode, type Walk } from './walk.js';

const PATIENT_AGE = 0x00101010;

/** A replaced value in the element's own VR and encoding. */
function valueNode(w: Walk, el: Element, vr: VR, value: Uint8Array): OutNode {
  return { kind: 'value', tag: el.tag, vr: w.transcode ? vr : el.vr, enc: w.transcode ?? el.enc, value };
}

/**
 * Map each non-standard UID of a (multi-valued) UI value; undefined when nothing changes. A UID
 * that names a class (a SOP Class, a transfer syntax, a coding scheme…) identifies no one and
 * stays, a vendor's private one too.
 */
function remapUIDs(w: Walk, el: Element): string | undefined {
  if (namesAClass(el.tag)) return undefined;
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

/** A UI value with its UIDs remapped, or as it was when none changes. */
function remapped(w: Walk, el: Element, vr: VR, raw: OutNode): OutNode {
  const u = remapUIDs(w, el);
  return u === undefined ? raw : textNode(w, el, vr, u);
}

/** A Type 1 or 1C attribute of the IOD: present, it must hold a value. */
const needsValue = (typed: Typed | undefined) => typed?.type === '1' || typed?.type === '1C';

/** What a Type 1 attribute holds when cleaning or an unparseable date left nothing: a dummy. */
function refill(w: Walk, el: Element, vr: VR, why: string): OutNode {
  fire(w, { action: 'D', source: why });
  return textNode(w, el, vr, String(dummyValue(vr)));
}

/** Values dcmblind decides whatever the rule: pseudonyms, capped ages, a placeholder document's facts. */
function decided(
  w: Walk,
  el: Element,
  vr: VR,
  rule: Rule,
  scheme: Scheme,
  top: boolean,
): OutNode | undefined {
  const { ctx } = w;
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
  const override = w.overrides.get(el);
  if (override !== undefined) {
    fire(w, { action: 'D', source: 'Subject age above 89 years (capped at 90)' });
    return textNode(w, el, vr, override);
  }
  if (el.tag === PATIENT_AGE && (rule.action === 'K' || rule.action === 'C')) {
    const capped = cappedAge(readText(w.data, el, vr, scheme));
    if (capped) {
      fire(w, { action: 'D', source: "Patient's Age above 89 years (capped at 090Y)" });
      return textNode(w, el, vr, capped);
    }
  }
  const doc = ctx.document;
  if (doc && el.tag === ENCAPSULATED_DOCUMENT_LENGTH) {
    fire(w, { action: 'D', source: 'Encapsulated Document Length (of the placeholder)' });
    return valueNode(w, el, vr, lengthValue(doc, (w.transcode ?? el.enc).littleEndian));
  }
  if (ctx.pixels?.textChecked && el.tag === T.BurnedInAnnotation && top) {
    fire(w, {
      action: 'D',
      source: 'Burned In Annotation (NO: the pixels were scanned and their text blanked)',
    });
    return textNode(w, el, vr, 'NO');
  }
  if (doc && el.tag === T.BurnedInAnnotation && top) {
    fire(w, { action: 'D', source: 'Burned In Annotation (NO: the placeholder document shows nothing)' });
    return textNode(w, el, vr, 'NO');
  }
  return undefined;
}

/** C: dates shifted (or dummied), UIDs remapped, text cleaned (scrub/); anything else kept. */
function cleaned(
  w: Walk,
  el: Element,
  vr: VR,
  rule: Rule,
  scheme: Scheme,
  typed: Typed | undefined,
): OutNode {
  const { ctx } = w;
  const raw = keep(w, el, vr);
  if (vr === 'DA' || vr === 'DT') {
    if (ctx.profile.dates !== 'shift') return textNode(w, el, vr, String(dummyValue(vr)));
    const s = shiftDates(w, el, vr);
    if (s === undefined && needsValue(typed))
      return refill(w, el, vr, 'Unparseable Type 1 date replaced by a dummy');
    if (s === undefined) fire(w, { action: 'Z', source: 'Unparseable date emptied' });
    return textNode(w, el, vr, s ?? '');
  }
  if (vr === 'TM') return raw; // whole-day shifts leave the time of day as it is
  if (vr === 'UI') {
    return remapped(w, el, vr, raw);
  }
  if (!isTextVR(vr) || skipped('text')) return raw;
  const c = scrubText(valueBytes(w.data, el), scheme, vr === 'PN', {
    lexicons: ctx.lexicons,
    patterns: !rule.verbatim,
    ...(ctx.profile.dates === 'shift' ? { shiftDays: ctx.patient.dateOffsetDays } : {}),
  });
  if (c.edits === 0) return raw;
  if (needsValue(typed) && latin1(c.bytes).trim() === '')
    return refill(w, el, vr, 'Type 1 value cleaned away: a dummy');
  return valueNode(w, el, vr, padValue(vr, c.bytes));
}

export function leaf(
  w: Walk,
  el: Element,
  vr: VR,
  rule: Rule,
  scheme: Scheme,
  top: boolean,
  typed?: Typed,
): OutNode | null {
  const { ctx } = w;
  const raw: OutNode = keep(w, el, vr);
  // A recipe's keep or replace decides even what dcmblind otherwise always writes (pseudonyms).
  const own = rule.recipe ? undefined : decided(w, el, vr, rule, scheme, top);
  if (own) return own;
  if (rule.replace !== undefined && ctx.recipe) {
    fire(w, rule);
    return textNode(w, el, vr, ctx.recipe.expand(rule.replace, ctx.patient.pseudonym));
  }
  if (el.tag === T.PatientBirthDate && ctx.profile.dates === 'shift' && rule.action !== 'K') {
    rule = { action: 'C', source: "Patient's Birth Date (shifted)" };
  }
  fire(w, rule);
  switch (rule.action) {
    case 'X':
      return null;
    case 'K':
      return raw;
    case 'Z':
      return valueNode(w, el, vr, new Uint8Array(0));
    case 'U': {
      if (vr !== 'UI' || ctx.profile.retainUIDs) return raw;
      return remapped(w, el, vr, raw);
    }
    case 'D': {
      if (ctx.document && el.tag === ENCAPSULATED_DOCUMENT)
        return valueNode(w, el, vr, padValue(vr, ctx.document));
      if (vr === 'UI') {
        return remapped(w, el, vr, raw);
      }
      const d = dummyValue(vr);
      return typeof d === 'string' ? textNode(w, el, vr, d) : valueNode(w, el, vr, d);
    }
    case 'C':
      return cleaned(w, el, vr, rule, scheme, typed);
  }
}
