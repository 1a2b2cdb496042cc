/** Which rule an element meets before its IOD type is considered (profile, VR, dictionary). */
import { lookup as dictionaryEntry } from '../dicom/dictionary.js';
import type { Element } from '../dicom/reader.js';
import { isGroupLength, isPrivate, T } from '../dicom/tag.js';
import type { VR } from '../dicom/vr.js';
import type { CompiledProfile, Rule } from '../profile/rules.js';
import { NOT_PATIENT_DATES } from '../profile/not-patient-dates.js';
import { unlistedTextRule } from '../profile/text-attributes.js';

const PRIVATE_RULE: Rule = { action: 'X', source: 'Private attribute' };
const GROUP_LENGTH: Rule = { action: 'X', source: 'Group length (retired, stale after changes)' };
const PADDING: Rule = { action: 'X', source: 'Data Set Trailing Padding' };
const UNLISTED_UID: Rule = { action: 'U', source: 'UID outside the table' };
const UNLISTED_DATE: Rule = { action: 'C', source: 'Date/time outside the table' };
const UNLISTED_PN: Rule = { action: 'D', source: 'Person name outside the table' };
const UNLISTED_TEXT_VRS: ReadonlySet<VR> = new Set(['LO', 'SH', 'ST', 'LT', 'UT', 'UC', 'UR']);
export const KEEP: Rule = { action: 'K', source: 'Not in the profile' };
const UNKNOWN_PUBLIC: Rule = { action: 'X', source: 'Public tag unknown to the data dictionary' };
const blindedDates = new Map<number, Rule>();

/** Blinding's emptying of one date or time, named after the attribute ("Content Date (blinding)"). */
function blindedDate(tag: number): Rule {
  let r = blindedDates.get(tag);
  if (!r) {
    const keyword = dictionaryEntry(tag)?.keyword;
    const name = keyword ? keyword.replace(/([a-z])([A-Z])/g, '$1 $2') : 'Date or time';
    r = { action: 'Z', source: `${name} (blinding)` };
    blindedDates.set(tag, r);
  }
  return r;
}

/** A date outside the table that is not about the patient: removed (or emptied or dummied by Type). */
function notPatientDate(tag: number): Rule {
  return { action: 'X', source: `Date outside the table (${NOT_PATIENT_DATES.get(tag)}: never shifted)` };
}

export function ruleFor(el: Element, vr: VR, profile: CompiledProfile): Rule {
  if (isGroupLength(el.tag)) return GROUP_LENGTH;
  if (el.tag === T.TrailingPadding) return PADDING;
  if (isPrivate(el.tag)) return profile.privateRule.action === 'X' ? profile.privateRule : PRIVATE_RULE;
  const listed = profile.ruleFor(el.tag);
  // Blinding: every date and time the table would keep, clean or shift is emptied; what the table
  // itself removes, empties or replaces keeps its rule (and its Type decides X, Z or a dummy).
  if (profile.blinding && (vr === 'DA' || vr === 'DT' || vr === 'TM'))
    return listed && (listed.code || listed.action === 'X' || listed.action === 'Z' || listed.action === 'D')
      ? listed
      : blindedDate(el.tag);
  if (listed) return listed;
  if (vr === 'UI') return profile.retainUIDs ? KEEP : UNLISTED_UID;
  if (vr === 'DA' || vr === 'DT' || vr === 'TM')
    return profile.dates === 'keep'
      ? KEEP
      : NOT_PATIENT_DATES.has(el.tag)
        ? notPatientDate(el.tag)
        : profile.dates === 'shift'
          ? UNLISTED_DATE
          : { action: 'D', source: UNLISTED_DATE.source };
  if (vr === 'PN') return UNLISTED_PN;
  // A public tag the data dictionary does not know (a corrupt tag, or a vendor's misuse of a
  // standard group) may hold anything: removed, never passed through.
  if (!dictionaryEntry(el.tag)) return UNKNOWN_PUBLIC;
  // Text the table does not list: kept and cleaned, or removed by its Type (a reviewed list).
  if (UNLISTED_TEXT_VRS.has(vr)) return unlistedTextRule(el.tag);
  return KEEP;
}
