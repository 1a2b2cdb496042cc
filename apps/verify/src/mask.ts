/**
 * Source paths and folder names in reports. Sites name folders after studies and patients
 * (`20240310_CT`, `DOE_JANE`), and reports may leave the site: what they show of a source
 * path has every seed masked (see maskPath) and every date-shaped run of digits too, since a
 * date of care identifies a patient as well as a name does, whether or not it is a seed.
 */

const D2 = '(?:0[1-9]|[12]\\d|3[01])';
const M2 = '(?:0[1-9]|1[0-2])';
const D1 = '(?:0?[1-9]|[12]\\d|3[01])';
const M1 = '(?:0?[1-9]|1[0-2])';
const Y4 = '(?:19|20)\\d\\d';
const Y = `(?:${Y4}|\\d\\d)`;
/** Digits only: YYYYMMDD (with a time of day, as in a DT), DDMMYYYY, MMDDYYYY, and 6-digit forms. */
const RUN = [
  `${Y4}${M2}${D2}(?:\\d\\d){0,3}`,
  `${D2}${M2}${Y4}`,
  `${M2}${D2}${Y4}`,
  `\\d\\d${M2}${D2}`,
  `${D2}${M2}\\d\\d`,
];
/** With one separator, used twice: 2024-03-10, 10.03.2024, 3/10/24. */
const SEPARATED = [
  `${Y4}(?<a>[-/.])${M1}\\k<a>${D1}`,
  `${D1}(?<b>[-/.])${M1}\\k<b>${Y}`,
  `${M1}(?<c>[-/.])${D1}\\k<c>${Y}`,
];
/**
 * A run must be whole: no digit on either side, and a separated date no digit beyond a
 * separator either (so the parts of a UID, 1.2.840.10008, are not read as dates).
 */
const DATE = new RegExp(
  `(?<!\\d)(?<!\\d[-/.])(?:${SEPARATED.join('|')})(?![-/.]?\\d)|(?<!\\d)(?:${RUN.join('|')})(?!\\d)`,
  'g',
);

/** The text with every date-shaped run of digits replaced by `[date]`. */
export function maskDates(text: string): string {
  return text.replace(DATE, '[date]');
}

/** The same, standing apart from letters too: a pseudonym's `R571125S` holds no date. */
const DATE_APART = new RegExp(`(?<![A-Za-z])(?:${DATE.source})(?![A-Za-z])`, 'g');

/** An output path with its date-shaped runs that stand apart (`MAS_710218.dcm`) replaced by `[date]`. */
export function maskPathDates(text: string): string {
  return text.replace(DATE_APART, '[date]');
}
