/**
 * First pass over a data set: the source identity (PatientID, name, birth date) and every
 * identifying value of the file, by category. Clean Descriptors removes these values from
 * kept free text and the mirror layout keeps them out of output paths.
 */
import { dictionaryVR, keywordOf } from '../dicom/dictionary.js';
import type { Element } from '../dicom/reader.js';
import type { VR } from '../dicom/vr.js';
import { isPrivate, T } from '../dicom/tag.js';
import { isStandardUID } from '../dicom/transfer-syntax.js';
import { schemeFor } from '../dicom/charset.js';
import { writtenForms } from '../identity/dates.js';
import type { CompiledProfile } from '../profile/rules.js';
import { contentId } from '../scrub/object-id.js';
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

/**
 * A number naming a list's values other than its UIDs (scrub/object-id.ts contentId): the files
 * of a series differ in their UIDs only, so what is made from the rest is made once per series.
 */
export function valuesId(values: readonly IdentifyingValue[]): number {
  return contentId(values, () => valuesKey(values));
}

function valuesKey(values: readonly IdentifyingValue[]): string {
  let key = '';
  for (const v of values) key += keyPart(v.category, v.text);
  return key;
}

/** One value's part of valuesKey (none for a UID); Found writes the same as it goes. */
const keyPart = (category: Category, text: string): string =>
  category === 'uid' ? '' : `${category}\u0000${text}\u0001`;

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
  /** The patient's own names as PN values (name, other names, birth name), for initials. */
  readonly patientNames: readonly string[];
}

/** Top-level PN attributes that name the patient (besides PatientName). */
const OWN_NAMES: ReadonlySet<number> = new Set([0x00101001, 0x00101005]);

const ID_KEYWORD = /(ID|IDs|Number|Numbers|Identifier)$/;
const ADDRESS_KEYWORD = /Address/;
const PHONE_KEYWORD = /(Telephone|Phone)/;
const INSTITUTION_KEYWORD = /(Institution|Station|Organization|Department)/;

const categories = new WeakMap<CompiledProfile, Map<number, Category | null>>();

/**
 * Category of a public element whose values identify, given the profile; undefined if none.
 * It depends on the tag and VR alone: worked out once per profile (the keyword tests are most
 * of a header's first-pass time otherwise).
 */
function categoryOf(el: Element, vr: string, profile: CompiledProfile): Category | undefined {
  if (vr.length !== 2) return categoryOfTag(el.tag, vr, profile); // "US or SS": not kept apart below
  let known = categories.get(profile);
  if (!known) categories.set(profile, (known = new Map()));
  // Tag and the VR's two letters in one safe integer (tags are below 2^32).
  const key = el.tag * 1024 + (vr.charCodeAt(0) - 64) * 32 + (vr.charCodeAt(1) - 64);
  let c = known.get(key);
  if (c === undefined) known.set(key, (c = categoryOfTag(el.tag, vr, profile) ?? null));
  return c ?? undefined;
}

function categoryOfTag(tag: number, vr: string, profile: CompiledProfile): Category | undefined {
  if (vr === 'PN') return 'name';
  if (vr === 'UI') return profile.retainUIDs ? undefined : 'uid';
  if (vr === 'DA' || vr === 'DT') return profile.dates === 'keep' ? undefined : 'date';
  const rule = profile.ruleFor(tag);
  if (!rule || rule.action === 'K') return undefined;
  const kw = keywordOf(tag) ?? '';
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

/** Top-level attributes whose text is part of the source identity. */
const IDENTITY_FIELDS: ReadonlyMap<number, Exclude<keyof SourceIdentity, 'burnedIn' | 'charset'>> = new Map([
  [T.PatientID, 'patientId'],
  [T.PatientName, 'patientName'],
  [T.IssuerOfPatientID, 'issuer'],
  [T.PatientBirthDate, 'birthDate'],
  [T.StudyDate, 'studyDate'],
  [T.StudyInstanceUID, 'studyUID'],
  [T.SeriesInstanceUID, 'seriesUID'],
  [T.SOPInstanceUID, 'sopInstanceUID'],
  [T.SOPClassUID, 'sopClassUID'],
]);

function emptyIdentity(): SourceIdentity {
  return {
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
}

/** A file's dates repeat (study, series, acquisition, content) and so do a series' files'. */
const recentForms = new Map<string, readonly string[]>();

/** The written forms of a DA, or of a DT's date part. */
function datesWritten(v: string): readonly string[] {
  let forms = recentForms.get(v);
  if (!forms) {
    const own = writtenForms(v);
    forms = own.length ? own : writtenForms(v.slice(0, 8));
    if (recentForms.size >= 256) recentForms.clear();
    recentForms.set(v, forms);
  }
  return forms;
}

/** Identifying values, each once, in the order first met. */
class Found {
  readonly values: IdentifyingValue[] = [];
  /** Texts found, by category (no key string to build per value). */
  readonly #seen = new Map<Category, Set<string>>();
  /** Dates already expanded: a study's date recurs in a dozen attributes, each ~20 written forms. */
  readonly #datesSeen = new Set<string>();
  /** Everything found but UIDs, written out as found: what valuesId names (no second look). */
  key = '';

  add(category: Category, text: string): void {
    let seen = this.#seen.get(category);
    if (!seen) this.#seen.set(category, (seen = new Set()));
    if (seen.has(text)) return;
    seen.add(text);
    this.values.push({ category, text });
    this.key += keyPart(category, text);
  }

  /** One attribute's text: name tokens, every written form of a date, non-standard UIDs, or the values. */
  addText(category: Category, text: string): void {
    if (category === 'name') {
      for (const tok of nameTokens(text)) this.add('name', tok);
      return;
    }
    for (const v of splitValues(text)) {
      if (!v) continue;
      if (category === 'date') {
        if (this.#datesSeen.has(v)) continue;
        this.#datesSeen.add(v);
        // A DA in any legacy form, or the date part of a DT.
        for (const f of datesWritten(v)) this.add('date', f);
      } else if (category === 'uid') {
        if (!isStandardUID(v)) this.add('uid', v);
      } else {
        this.add(category, v);
      }
    }
  }
}

/** The whole first pass: one walk over every element at every depth (private ones are never read). */
class FirstPassWalk {
  readonly identity = emptyIdentity();
  readonly found = new Found();
  readonly ownNames: string[] = [];
  constructor(
    readonly data: Uint8Array,
    readonly profile: CompiledProfile,
  ) {}

  walk(elements: readonly Element[], scheme: Scheme, top: boolean): void {
    const cs = elements.find((e) => e.tag === T.SpecificCharacterSet);
    if (cs) {
      const terms = splitValues(latin1(valueBytes(this.data, cs)).replace(/[\0 ]+$/, ''));
      scheme = schemeFor(terms);
      if (top) this.identity.charset = terms;
    }
    for (const el of elements) {
      if (isPrivate(el.tag)) continue; // removed whole; never read
      if (el.items) {
        for (const it of el.items) this.walk(it.elements, scheme, false);
        continue;
      }
      if (el.encapsulated || el.valueLength === 0) continue;
      const vr = el.vr === 'UN' ? dictionaryVR(el.tag) : el.vr;
      if (top) this.noteIdentity(el, vr, scheme);
      const category = categoryOf(el, vr, this.profile);
      if (category) this.found.addText(category, readText(this.data, el, vr, scheme));
    }
  }

  noteIdentity(el: Element, vr: VR, scheme: Scheme): void {
    const field = IDENTITY_FIELDS.get(el.tag);
    if (field) this.identity[field] = readText(this.data, el, vr, scheme).trim();
    if (el.tag === T.PatientName || OWN_NAMES.has(el.tag))
      this.ownNames.push(readText(this.data, el, vr, scheme));
    else if (el.tag === T.BurnedInAnnotation) {
      this.identity.burnedIn = readText(this.data, el, vr, scheme).trim().toUpperCase() === 'YES';
    }
  }
}

export function firstPass(
  data: Uint8Array,
  dataset: readonly Element[],
  profile: CompiledProfile,
): FirstPass {
  const pass = new FirstPassWalk(data, profile);
  pass.walk(dataset, DEFAULT_SCHEME, true);
  const { identity } = pass;
  const values = pass.found.values;
  // Named now, from what the walk wrote out as it went (the same text valuesKey would write).
  contentId(values, () => pass.found.key);
  return {
    identity,
    values,
    patientTokens: [
      ...new Set([...nameTokens(identity.patientName), ...(identity.patientId ? [identity.patientId] : [])]),
    ],
    patientNames: pass.ownNames,
  };
}
