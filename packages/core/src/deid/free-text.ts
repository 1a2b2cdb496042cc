/**
 * Text rules that depend on where an element stands, not only on its tag:
 * - inside a sequence the profile replaces (D: Content Sequence, Person Identification Code
 *   Sequence, …) text kept elsewhere becomes a dummy: there it is the content being replaced;
 * - inside a sequence it cleans (C: Clean Structured Content, Clean Graphics) kept text is
 *   cleaned;
 * - in a code item, the value and meaning of a registered scheme's code stay verbatim, a local
 *   scheme's are free text (dummies in a replaced sequence, cleaned elsewhere).
 */
import type { Element } from '../dicom/reader.js';
import type { VR } from '../dicom/vr.js';
import type { Rule } from '../profile/rules.js';
import { CLEAN_TEXT, VERBATIM_TEXT } from '../profile/text-attributes.js';
import { CODE_TEXT, CODING_SCHEME_DESIGNATOR, isRegisteredScheme } from './codes.js';
import { KEEP } from './rule-for.js';
import { latin1, valueBytes } from './text.js';

export type FreeText = 'dummy' | 'clean' | undefined;

const TEXT_VRS: ReadonlySet<VR> = new Set(['LO', 'SH', 'ST', 'LT', 'UT', 'UC', 'UR']);
const IN_REPLACED: Rule = { action: 'D', source: 'Free text in a replaced sequence' };
const IN_CLEANED: Rule = { action: 'C', source: 'Free text in a cleaned sequence' };
const LOCAL_CODE: Rule = { action: 'C', source: 'Code of a local scheme (cleaned as text)' };
const LOCAL_CODE_REPLACED: Rule = { action: 'D', source: 'Code of a local scheme in a replaced sequence' };
const REGISTERED_CODE: Rule = { ...VERBATIM_TEXT, source: 'Code of a registered scheme (kept)' };

/** Whether an item's codes are of a registered scheme; undefined when it is no code item. */
export function codeSchemeOf(data: Uint8Array, elements: readonly Element[]): boolean | undefined {
  const d = elements.find((e) => e.tag === CODING_SCHEME_DESIGNATOR);
  if (!d) return undefined;
  return isRegisteredScheme(latin1(valueBytes(data, d)).replace(/[\0 ]+$/, ''));
}

export function textRuleHere(
  rule: Rule,
  el: Element,
  vr: VR,
  free: FreeText,
  registeredCode: boolean | undefined,
): Rule {
  if (!TEXT_VRS.has(vr)) return rule;
  const kept = rule === KEEP || rule === CLEAN_TEXT || rule === VERBATIM_TEXT;
  if (registeredCode !== undefined && CODE_TEXT.has(el.tag) && kept) {
    if (registeredCode) return REGISTERED_CODE;
    return free === 'dummy' ? LOCAL_CODE_REPLACED : LOCAL_CODE;
  }
  if (free === 'dummy' && (rule === KEEP || rule === CLEAN_TEXT)) return IN_REPLACED;
  if (free === 'clean' && rule === KEEP) return IN_CLEANED;
  return rule;
}
