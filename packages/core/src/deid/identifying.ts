/**
 * First pass over a data set: the source identity (PatientID, name, birth date) and every
 * identifying value of the file, by category. Clean Descriptors removes these values from
 * kept free text and the mirror layout keeps them out of output paths.
 */
import { dictionaryVR, keywordOf } from '../dicom/dictionary.js';
import type { Element } from '../dicom/reader.js';
import { isPrivate, T } from '../dicom/tag.js';
import { isStandardUID } from '../dicom/transfer-syntax.js';
import { schemeFor } from '../dicom/charset.js';
import { writtenForms } from '../identity/dates.js';
import type { CompiledProfile } from '../profile/rules.js';
import {
  DEFAULT_SCHEME,
  latin1,
  nameTokens,
  readText,
  splitValues,
  valueBytes,
  type Scheme,
} from './text.js';

export type Category = 'name' | 'id' | 'address' | 'phone' | 'institution' | 'date' | 'uid';

export interface IdentifyingValue {
  readonly category: Category;
  /** The value as text (one token of a name, one written form of a date, …). */
  readonly text: string;
}

export interface SourceIdentity {
  patientId: string;
  patientName: string;
  issuer: string;
  birthDate: string;
  studyDate: string;
  studyUID: string;
  seriesUID: string;
  sopInstanceUID: string;
  sopClassUID: string;
  burnedIn: boolean;
  charset: string[];
}

export interface FirstPass {
  readonly identity: SourceIdentity;
  readonly values: readonly IdentifyingValue[];
  /** Name tokens of PatientName only: path components holding them are the patient level. */
  readonly patientTokens: readonly string[];
}

const ID_KEYWORD = /(ID|IDs|Number|Numbers|Identifier)$/;
const ADDRESS_KEYWORD = /Address/;
const PHONE_KEYWORD = /(Telephone|Phone)/;
const INSTITUTION_KEYWORD = /(Institution|Station|Organization|Department)/;

/** Category of a public element whose values identify, given the profile; undefined if none. */
function categoryOf(el: Element, vr: string, profile: CompiledProfile): Category | undefined {
  if (vr === 'PN') return 'name';
  if (vr === 'UI') return profile.retainUIDs ? undefined : 'uid';
  if (vr === 'DA' || vr === 'DT') return profile.dates === 'keep' ? undefined : 'date';
  const rule = profile.ruleFor(el.tag);
  if (!rule || rule.action === 'K') return undefined;
  const kw = keywordOf(el.tag) ?? '';
  if (ADDRESS_KEYWORD.test(kw)) return 'address';
  if (PHONE_KEYWORD.test(kw)) return 'phone';
  if (INSTITUTION_KEYWORD.test(kw) && (vr === 'LO' || vr === 'SH' || vr === 'ST' || vr === 'AE'))
    return 'institution';
  if (
    ID_KEYWORD.test(kw) &&
    (vr === 'LO' || vr === 'SH' || vr === 'CS' || vr === 'IS' || vr === 'UC' || vr === 'ST')
  )
    return 'id';
  return undefined;
}

export function firstPass(
  data: Uint8Array,
  dataset: readonly Element[],
  profile: CompiledProfile,
): FirstPass {
  const identity: SourceIdentity = {
    patientId: '',
    patientName: '',
    issuer: '',
    birthDate: '',
    studyDate: '',
    studyUID: '',
    seriesUID: '',
    sopInstanceUID: '',
    sopClassUID: '',
    burnedIn: false,
    charset: [],
  };
  const values: IdentifyingValue[] = [];
  const seen = new Set<string>();
  const add = (category: Category, text: string) => {
    const key = `${category}\u0000${text}`;
    if (!seen.has(key)) {
      seen.add(key);
      values.push({ category, text });
    }
  };

  const walk = (elements: readonly Element[], scheme: Scheme, top: boolean) => {
    const cs = elements.find((e) => e.tag === T.SpecificCharacterSet);
    if (cs) {
      const terms = splitValues(latin1(valueBytes(data, cs)).replace(/[\0 ]+$/, ''));
      scheme = schemeFor(terms);
      if (top) identity.charset = terms;
    }
    for (const el of elements) {
      if (isPrivate(el.tag)) continue; // removed whole; never read
      if (el.items) {
        for (const it of el.items) walk(it.elements, scheme, false);
        continue;
      }
      if (el.encapsulated || el.valueLength === 0) continue;
      const vr = el.vr === 'UN' ? dictionaryVR(el.tag) : el.vr;
      if (top) {
        const str = () => readText(data, el, vr, scheme).trim();
        switch (el.tag) {
          case T.PatientID:
            identity.patientId = str();
            break;
          case T.PatientName:
            identity.patientName = str();
            break;
          case T.IssuerOfPatientID:
            identity.issuer = str();
            break;
          case T.PatientBirthDate:
            identity.birthDate = str();
            break;
          case T.StudyDate:
            identity.studyDate = str();
            break;
          case T.StudyInstanceUID:
            identity.studyUID = str();
            break;
          case T.SeriesInstanceUID:
            identity.seriesUID = str();
            break;
          case T.SOPInstanceUID:
            identity.sopInstanceUID = str();
            break;
          case T.SOPClassUID:
            identity.sopClassUID = str();
            break;
          case T.BurnedInAnnotation:
            identity.burnedIn = str().toUpperCase() === 'YES';
            break;
        }
      }
      const category = categoryOf(el, vr, profile);
      if (!category) continue;
      const text = readText(data, el, vr, scheme);
      if (category === 'name') {
        for (const tok of nameTokens(text)) add('name', tok);
        continue;
      }
      for (const v of splitValues(text)) {
        if (!v) continue;
        if (category === 'date') {
          for (const f of writtenForms(v.slice(0, 8))) add('date', f);
        } else if (category === 'uid') {
          if (!isStandardUID(v)) add('uid', v);
        } else {
          add(category, v);
        }
      }
    }
  };
  walk(dataset, DEFAULT_SCHEME, true);
  return {
    identity,
    values,
    patientTokens: [
      ...new Set([...nameTokens(identity.patientName), ...(identity.patientId ? [identity.patientId] : [])]),
    ],
  };
}
