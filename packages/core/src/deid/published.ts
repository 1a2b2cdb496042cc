/**
 * Versions of standard resources where they stand: a Context Group Version in a code item of a
 * registered coding scheme or of the DICOM Content Mapping Resource, a Template Version of a DCMR
 * template. PS3.16 publishes them, so they identify no one; shifted with the patient's date
 * offset they would give the offset away (profile/not-patient-dates.ts). Where the profile would
 * shift them they stay as they are; elsewhere the table's own action applies.
 */
import type { Element } from '../dicom/reader.js';
import type { CompiledProfile, Rule } from '../profile/rules.js';
import { PUBLISHED_VERSIONS } from '../profile/not-patient-dates.js';
import { isRegisteredScheme } from './codes.js';
import { latin1, valueBytes } from './text.js';
import { skipped } from '../testing/skip.js';

const MAPPING_RESOURCE = 0x00080105;
const CODING_SCHEME_DESIGNATOR = 0x00080102;
const PUBLISHED: Rule = { action: 'K', source: 'Version of a standard resource (published; never shifted)' };

const textOf = (data: Uint8Array, el: Element | undefined) =>
  el
    ? latin1(valueBytes(data, el))
        .replace(/[\0 ]+$/, '')
        .trim()
    : '';

/** Whether an item names a concept, template or context group of a standard resource. */
export function isStandardResourceItem(data: Uint8Array, elements: readonly Element[]): boolean {
  let mapping: Element | undefined;
  let scheme: Element | undefined;
  for (const e of elements) {
    if (e.tag === MAPPING_RESOURCE) mapping = e;
    else if (e.tag === CODING_SCHEME_DESIGNATOR) scheme = e;
  }
  if (mapping) return textOf(data, mapping) === 'DCMR';
  return scheme !== undefined && isRegisteredScheme(textOf(data, scheme));
}

const SHIFTED_FOR_TEST: Rule = { action: 'C', source: 'test switch DCMBLIND_TEST_SKIP=published: shifted' };

/** `item`: the elements of the item `el` stands in (undefined at the top level). */
export function versionRuleHere(
  rule: Rule,
  el: Element,
  data: Uint8Array,
  item: readonly Element[] | undefined,
  profile: CompiledProfile,
): Rule {
  if (!item || profile.dates !== 'shift' || !PUBLISHED_VERSIONS.has(el.tag)) return rule;
  if (!isStandardResourceItem(data, item)) return rule;
  // The test switch: shifted as a patient's date would be, the mistake this rule prevents.
  return skipped('published') ? SHIFTED_FOR_TEST : PUBLISHED;
}
