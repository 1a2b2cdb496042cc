/**
 * The subject's characteristics as SR content items (TID 1007 Subject Context, Patient
 * Characteristics): age, sex, birth date, weight, height, name and ID said again inside the
 * Content Sequence or an acquisition context. Each follows the profile's rule for the matching
 * top-level attribute — removed where Patient's Age is removed, kept where it is kept — so a
 * document does not restate in its content what its header no longer says. A kept age above
 * 89 years becomes 90 (HIPAA Safe Harbor: ages over 89 are identifying), here and in
 * Patient's Age.
 */
import type { Element, Item } from '../dicom/reader.js';
import type { Tag } from '../dicom/tag.js';
import type { CompiledProfile } from '../profile/rules.js';
import { latin1, valueBytes } from './text.js';

const PATIENT_AGE: Tag = 0x00101010;

/** "scheme code" → the top-level attribute the concept restates. */
const CONCEPTS: ReadonlyMap<string, Tag> = new Map([
  ['DCM 121033', PATIENT_AGE], // Subject Age
  ['LN 30525-0', PATIENT_AGE], // Age
  ['LN 21612-7', PATIENT_AGE], // Age Patient Reported
  ['SCT 397669002', PATIENT_AGE], // Age
  ['DCM 121032', 0x00100040], // Subject Sex
  ['LN 46098-0', 0x00100040], // Sex
  ['SCT 184100006', 0x00100040], // Patient sex
  ['DCM 121031', 0x00100030], // Subject Birth Date
  ['LN 21112-8', 0x00100030], // Birth date
  ['LN 29463-7', 0x00101030], // Body weight
  ['LN 3141-9', 0x00101030], // Body weight Measured
  ['SCT 27113001', 0x00101030], // Body weight
  ['LN 8302-2', 0x00101020], // Body height
  ['SCT 50373000', 0x00101020], // Body height
  ['DCM 121029', 0x00100010], // Subject Name
  ['DCM 121030', 0x00100020], // Subject ID
]);

const CONCEPT_NAME = 0x0040a043;
const MEASURED_VALUE = 0x0040a300;
const NUMERIC_VALUE = 0x0040a30a;
const UNITS = 0x004008ea;
const CODE_VALUE = 0x00080100;
const SCHEME = 0x00080102;

function text(data: Uint8Array, el: Element | undefined): string {
  return el
    ? latin1(valueBytes(data, el))
        .replace(/[\0 ]+$/, '')
        .trim()
    : '';
}

function code(data: Uint8Array, seq: Element | undefined): string {
  const item = seq?.items?.[0]?.elements;
  if (!item) return '';
  return `${text(
    data,
    item.find((e) => e.tag === SCHEME),
  )} ${text(
    data,
    item.find((e) => e.tag === CODE_VALUE),
  )}`;
}

export type SubjectItem =
  | { readonly kind: 'drop'; readonly restates: Tag }
  | { readonly kind: 'cap'; readonly value: Element; readonly to: string }
  | undefined;

/** Units of an age (UCUM) per year. */
const PER_YEAR: Readonly<Record<string, number>> = { a: 1, mo: 12, wk: 52.1775, d: 365.25 };

/** What becomes of one item if it is a subject characteristic content item. */
export function subjectItem(item: Item, data: Uint8Array, profile: CompiledProfile): SubjectItem {
  const concept = item.elements.find((e) => e.tag === CONCEPT_NAME);
  if (!concept) return undefined;
  const restates = CONCEPTS.get(code(data, concept).replace(/^SRT |^SNM3 /, 'SCT '));
  if (restates === undefined) return undefined;
  const rule = profile.ruleFor(restates);
  if (rule && rule.action !== 'K' && rule.action !== 'C') return { kind: 'drop', restates };
  if (restates !== PATIENT_AGE) return undefined;
  const measured = item.elements.find((e) => e.tag === MEASURED_VALUE)?.items?.[0]?.elements ?? [];
  const value = measured.find((e) => e.tag === NUMERIC_VALUE);
  const unit =
    code(
      data,
      measured.find((e) => e.tag === UNITS),
    ).split(' ')[1] ?? '';
  const perYear = PER_YEAR[unit];
  if (!value || perYear === undefined || !(Number(text(data, value)) / perYear > 89)) return undefined;
  return { kind: 'cap', value, to: String(Math.round(90 * perYear)) };
}

/** Patient's Age (AS) capped at 090Y when it says more than 89 years. */
export function cappedAge(as: string): string | undefined {
  const m = /^(\d{3})([DWMY])$/.exec(as.trim());
  if (!m) return undefined;
  const perYear = PER_YEAR[{ Y: 'a', M: 'mo', W: 'wk', D: 'd' }[m[2] as 'Y']] as number;
  return Number(m[1]) / perYear > 89 ? '090Y' : undefined;
}
