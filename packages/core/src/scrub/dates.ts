/**
 * Dates written in free text, in the forms people type: numeric with `/ . -` (day-first,
 * month-first, year-first, two- or four-digit years), compact `YYYYMMDD`/`DDMMYYYY`/`YYMMDD`,
 * ordinal days and month names in six languages ("18th February 1971", "Feb. 18, 1971",
 * "18. Februar 1971", "18 février 1971"). Under date shifting each is moved back by the
 * patient's offset and written in its own form (same order, separators, padding, language and
 * case); where dates are not shifted — or the form is ambiguous (is 03/04/71 March or April?) —
 * the date is removed, with a time written right after it.
 *
 * Patterns run on the folded text (lower case, no accents), so "FÉVRIER" and "fevrier" are one
 * word; component positions come from the regex indices and map back to the original characters.
 */
import { daysBefore, fullYear, isCalendarDay, type YMD } from '../identity/dates.js';
import type { Edit } from './edit.js';
import { type Folded, originSpan } from './fold.js';
import { MONTH_PATTERN, MONTH_WORDS, type MonthWord, monthName, NEEDS_YEAR } from './months.js';

const B = '(?<![\\p{L}\\p{N}])'; // no letter or digit before
const E = '(?![\\p{L}\\p{N}])'; // none after
const DAY = '(\\d{1,2})(st|nd|rd|th|er|eme|e|o|º|°|ης|ησ|η)?';
const YEAR = "('?\\d{4}|'?\\d{2})";
const MONTH = `(${MONTH_PATTERN})`;

/** "18 February 1971", "18. Feb 71", "18-feb-1971", "18feb1971", "18 de febrero de 1971", "18 février". */
const DAY_MONTH = new RegExp(
  `${B}${DAY}\\.?[ \\t\\-/.]*(?:de |of )?${MONTH}\\.?(?:[ \\t\\-/.,]*(?:de )?${YEAR})?${E}`,
  'gud',
);
/** "February 18, 1971", "Feb. 18th 1971", "february 18". */
const MONTH_DAY = new RegExp(`${B}${MONTH}\\.?[ \\t]+${DAY}(?:[ \\t]*,?[ \\t]*('?\\d{4}))?${E}`, 'gud');
/** "February 1971", "févr. 1971", "March '61". */
const MONTH_YEAR = new RegExp(`${B}${MONTH}\\.?,?[ \\t]+(\\d{4}|'\\d{2})${E}`, 'gud');
/** "2/18/71", "18.02.1971", "1971/2/18", "1971-02-18". */
const NUMERIC =
  /(?<![\p{L}\p{N}.,/\-:])(\d{1,4})([/.-])(\d{1,2})\2(\d{1,4})(?![\p{L}\p{N}]|[.,/\-:]\p{N})/dgu;
/** "3/III/1961", "14.V.1931", "14-VII-1958": a Roman month between day and year. */
const ROMAN = new RegExp(
  `${B}(\\d{1,2})([-./ ])(xii|xi|x|ix|viii|vii|vi|v|iv|iii|ii|i)\\2(\\d{4}|\\d{2})${E}`,
  'gud',
);
const ROMAN_MONTHS = ['i', 'ii', 'iii', 'iv', 'v', 'vi', 'vii', 'viii', 'ix', 'x', 'xi', 'xii'];
/** An ISO week date ("1961-W09-5"): removed, never shifted. */
const ISO_WEEK = /(?<![\p{L}\p{N}])\d{4}-?w\d{2}(?:-?[1-7])?(?![\p{L}\p{N}])/gu;
/** "19710218", "18021971", "710218". */
const COMPACT = /(?<![\p{L}\p{N}.,])(\d{8}|\d{6})(?![\p{L}\p{N}]|[.,]\p{N})/gu;
/** "1966年10月1日", "1987년 1월 31일", "昭和27年4月29日" (a Japanese era year), "1966年10月". */
const EAST_ASIAN =
  /(?<![\p{N}])(?:(明治|大正|昭和|平成|令和) ?(\d{1,2}|元)|(\d{4})) ?[年년] ?(\d{1,2}) ?[月월](?: ?(\d{1,2}) ?[日일])?/dgu;
/** Japanese eras: name, first day. */
const ERAS: ReadonlyArray<readonly [string, YMD]> = [
  ['令和', { y: 2019, m: 5, d: 1 }],
  ['平成', { y: 1989, m: 1, d: 8 }],
  ['昭和', { y: 1926, m: 12, d: 25 }],
  ['大正', { y: 1912, m: 7, d: 30 }],
  ['明治', { y: 1868, m: 1, d: 25 }],
];
const before = (a: YMD, b: YMD) => a.y * 10000 + a.m * 100 + a.d < b.y * 10000 + b.m * 100 + b.d;

/** A time right after a date: " 14:30", ", 2:05 pm", " um 14.30 Uhr", "T08:15:00". */
const TIME_AFTER =
  /^[ \t,T]*(?:at |a |um |à |om |alle )?\d{1,2}[:h.]\d{2}(?:[:.]\d{2})?(?: ?[ap]\.?m\.?| ?uhr)?(?![\p{N}])/u;

type Indices = Array<[number, number] | undefined>;

/** Where a component sits (folded indices) and how it was written, for writing it back. */
interface Part {
  readonly at: [number, number];
  readonly render: (date: YMD) => string;
}

interface Found {
  readonly start: number;
  readonly end: number;
  /** undefined: the form is ambiguous; the date can only be removed. */
  readonly date?: YMD;
  /** Without a year ("18 February"): shifted within a leap year, written without one. */
  readonly parts: readonly Part[];
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function yearPart(at: [number, number], written: string): Part {
  const apostrophe = written.startsWith("'") ? "'" : '';
  const digits = written.length - apostrophe.length;
  return { at, render: (d) => apostrophe + (digits === 2 ? pad(d.y % 100, 2) : pad(d.y, 4)) };
}

/** A day or month written back zero-padded when it was ("02"), or when `padded` says its partner was. */
function numberPart(at: [number, number], written: string, pick: (d: YMD) => number, padded = false): Part {
  const width = padded || written.startsWith('0') ? 2 : 1;
  return { at, render: (d) => pad(pick(d), width) };
}

function readYear(written: string): number {
  const digits = written.replace("'", '');
  return digits.length === 2 ? fullYear(Number(digits)) : Number(digits);
}

const ENGLISH_ORDINAL = (d: number) =>
  d % 10 === 1 && d !== 11 ? 'st' : d % 10 === 2 && d !== 12 ? 'nd' : d % 10 === 3 && d !== 13 ? 'rd' : 'th';

function dayParts(idx: Indices, m: RegExpExecArray, day: number, suffix: number): Part[] {
  const parts: Part[] = [numberPart(idx[day]!, m[day]!, (d) => d.d)];
  const s = m[suffix];
  if (s && ['st', 'nd', 'rd', 'th'].includes(s))
    parts.push({ at: idx[suffix]!, render: (d) => ENGLISH_ORDINAL(d.d) });
  if (s === 'er') parts.push({ at: idx[suffix]!, render: (d) => (d.d === 1 ? 'er' : '') });
  return parts;
}

function monthPart(at: [number, number], word: MonthWord, original: (at: [number, number]) => string): Part {
  return { at, render: (d) => monthName(d.m, word, original(at)) };
}

/** A match of one of the month-name patterns, as a date with its parts. */
function namedDate(
  m: RegExpExecArray,
  groups: { day?: number; suffix?: number; month: number; year?: number },
  original: (at: [number, number]) => string,
): Found | undefined {
  const idx = (m as unknown as { indices: Indices }).indices;
  const found = MONTH_WORDS.get(m[groups.month]!);
  if (!found) return undefined;
  // "8. Mai 1945" is German (a day with a dot), "8 mai 1945" French: written back as it was. So is
  // "Mai 1945" with its capital (German nouns have one; French months do not).
  const dotted = groups.day !== undefined && m[0].slice(idx[groups.day]![1] - idx[0]![0]).startsWith('.');
  const capital = /^\p{Lu}\p{Ll}/u.test(original(idx[groups.month]!));
  const word =
    (dotted || capital) && found.also.includes('de') ? { ...found, language: 'de' as const } : found;
  const yearText = groups.year !== undefined ? m[groups.year] : undefined;
  if (!yearText && (word.abbreviated || NEEDS_YEAR.has(m[groups.month]!))) return undefined;
  const day = groups.day !== undefined ? Number(m[groups.day]) : 15;
  const y = yearText ? readYear(yearText) : 2000;
  if (!isCalendarDay(y, word.month, day)) return undefined;
  const parts: Part[] = [monthPart(idx[groups.month]!, word, original)];
  if (groups.day !== undefined) parts.push(...dayParts(idx, m, groups.day, groups.suffix!));
  if (yearText) parts.push(yearPart(idx[groups.year!]!, yearText));
  const [start, end] = idx[0]!;
  return { start, end, date: { y, m: word.month, d: day }, parts };
}

/** A date with a Roman month, written back with the shifted month in Roman numerals (same case). */
function romanDate(m: RegExpExecArray, original: (at: [number, number]) => string): Found | undefined {
  const idx = (m as unknown as { indices: Indices }).indices;
  const month = ROMAN_MONTHS.indexOf(m[3]!) + 1;
  const y = readYear(m[4]!);
  if (!isCalendarDay(y, month, Number(m[1]))) return undefined;
  const [start, end] = idx[0]!;
  const roman: Part = {
    at: idx[3]!,
    render: (d) => {
      const r = ROMAN_MONTHS[d.m - 1]!;
      return original(idx[3]!) === original(idx[3]!).toLowerCase() ? r : r.toUpperCase();
    },
  };
  const parts = [numberPart(idx[1]!, m[1]!, (d) => d.d), roman, yearPart(idx[4]!, m[4]!)];
  return { start, end, date: { y, m: month, d: Number(m[1]) }, parts };
}

/** A numeric date: which order its numbers are in, when that can be told. */
function numericDate(m: RegExpExecArray): Found | undefined {
  const idx = (m as unknown as { indices: Indices }).indices;
  const [a, sep, b, c] = [m[1]!, m[2]!, m[3]!, m[4]!];
  const [start, end] = idx[0]!;
  const padded = b.startsWith('0') || (a.length <= 2 && a.startsWith('0'));
  const part = (i: number, pick: (d: YMD) => number) => numberPart(idx[i]!, m[i]!, pick, padded);
  if (a.length === 4) {
    if (c.length > 2) return undefined;
    const date = { y: Number(a), m: Number(b), d: Number(c) };
    if (!isCalendarDay(date.y, date.m, date.d) || date.y < 1850) return undefined;
    return { start, end, date, parts: [yearPart(idx[1]!, a), part(3, (d) => d.m), part(4, (d) => d.d)] };
  }
  if (a.length > 2 || c.length > 4 || c.length === 3) return undefined;
  // "61-03-03", "61.3.3": a two-digit year first; where a day-first reading fits too, nobody can tell.
  const yearFirst =
    a.length === 2 &&
    (c.length === 2 || Number(a) > 31) && // "10.2.3" is rather a version than 2010
    isCalendarDay(readYear(a), Number(b), Number(c));
  if (c.length === 1 && !yearFirst) return undefined;
  const y = readYear(c);
  const dayFirst = c.length !== 1 && isCalendarDay(y, Number(b), Number(a));
  const monthFirst = c.length !== 1 && isCalendarDay(y, Number(a), Number(b));
  if (yearFirst && !dayFirst && !monthFirst) {
    const date = { y: readYear(a), m: Number(b), d: Number(c) };
    return { start, end, date, parts: [yearPart(idx[1]!, a), part(3, (d) => d.m), part(4, (d) => d.d)] };
  }
  if (yearFirst && a !== c) return { start, end, parts: [] };
  if (!dayFirst && !monthFirst) return undefined;
  // Day and month both ≤ 12 and different: only a dotted date (never month-first) can be told.
  const order =
    dayFirst && monthFirst && a !== b ? (sep === '.' ? 'dmy' : undefined) : dayFirst ? 'dmy' : 'mdy';
  const year = yearPart(idx[4]!, c);
  if (!order) return { start, end, parts: [] };
  const date = order === 'dmy' ? { y, m: Number(b), d: Number(a) } : { y, m: Number(a), d: Number(b) };
  const [dayAt, monthAt] = order === 'dmy' ? [1, 3] : [3, 1];
  return { start, end, date, parts: [part(dayAt, (d) => d.d), part(monthAt, (d) => d.m), year] };
}

/** A compact date: shifted only when exactly one reading is a plausible day. */
function compactDate(m: RegExpExecArray): Found {
  const s = m[1]!;
  const start = m.index;
  const end = start + s.length;
  const n = (i: number, len: number) => Number(s.slice(i, i + len));
  const readings: Array<{ date: YMD; layout: string }> =
    s.length === 8
      ? [
          { date: { y: n(0, 4), m: n(4, 2), d: n(6, 2) }, layout: 'yyyymmdd' },
          { date: { y: n(4, 4), m: n(2, 2), d: n(0, 2) }, layout: 'ddmmyyyy' },
          { date: { y: n(4, 4), m: n(0, 2), d: n(2, 2) }, layout: 'mmddyyyy' },
        ]
      : [
          { date: { y: fullYear(n(0, 2)), m: n(2, 2), d: n(4, 2) }, layout: 'yymmdd' },
          { date: { y: fullYear(n(4, 2)), m: n(2, 2), d: n(0, 2) }, layout: 'ddmmyy' },
          { date: { y: fullYear(n(4, 2)), m: n(0, 2), d: n(2, 2) }, layout: 'mmddyy' },
        ];
  const plausible = readings.filter(
    (r) => isCalendarDay(r.date.y, r.date.m, r.date.d) && r.date.y >= 1850 && r.date.y <= 2100,
  );
  if (plausible.length !== 1) return { start, end, parts: [] };
  const { date, layout } = plausible[0]!;
  const render = (d: YMD) =>
    layout
      .replace(/y{4}|y{2}/, (y) => (y.length === 4 ? pad(d.y, 4) : pad(d.y % 100, 2)))
      .replace('mm', pad(d.m, 2))
      .replace('dd', pad(d.d, 2));
  return { start, end, date, parts: [{ at: [start, end], render }] };
}

/** An East Asian date; an era year is written back in the era the shifted day falls in. */
function eastAsianDate(m: RegExpExecArray): Found | undefined {
  const idx = (m as unknown as { indices: Indices }).indices;
  const era = ERAS.find(([name]) => name === m[1]);
  const eraYear = m[2] === '元' ? 1 : Number(m[2]);
  const y = era ? era[1].y + eraYear - 1 : Number(m[3]);
  const mo = Number(m[4]);
  const d = m[5] ? Number(m[5]) : 15;
  if (!isCalendarDay(y, mo, d)) return undefined;
  const [start, end] = idx[0]!;
  const parts: Part[] = [numberPart(idx[4]!, m[4]!, (x) => x.m)];
  if (m[5]) parts.push(numberPart(idx[5]!, m[5], (x) => x.d));
  if (!era) parts.push(yearPart(idx[3]!, m[3]!));
  else {
    parts.push({
      at: [idx[1]![0], idx[2]![1]],
      render: (x) => {
        const [name, first] = ERAS.find(([, from]) => !before(x, from)) ?? ERAS[ERAS.length - 1]!;
        return `${name}${x.y - first.y + 1}`;
      },
    });
  }
  return { start, end, date: { y, m: mo, d }, parts };
}

function* matches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) yield m;
}

/** Every date in the folded text, earliest first, overlapping finds left to the merge. */
function findAll(text: string, original: (at: [number, number]) => string): Found[] {
  const found: Found[] = [];
  const push = (f: Found | undefined) => f && found.push(f);
  for (const m of matches(DAY_MONTH, text))
    push(namedDate(m, { day: 1, suffix: 2, month: 3, year: 4 }, original));
  for (const m of matches(MONTH_DAY, text))
    push(namedDate(m, { month: 1, day: 2, suffix: 3, year: 4 }, original));
  for (const m of matches(MONTH_YEAR, text)) push(namedDate(m, { month: 1, year: 2 }, original));
  for (const m of matches(NUMERIC, text)) push(numericDate(m));
  for (const m of matches(COMPACT, text)) push(compactDate(m));
  for (const m of matches(EAST_ASIAN, text)) push(eastAsianDate(m));
  for (const m of matches(ROMAN, text)) push(romanDate(m, original));
  for (const m of matches(ISO_WEEK, text)) push({ start: m.index, end: m.index + m[0].length, parts: [] });
  return found;
}

/** The date written back shifted: the original span with each component replaced in place. */
function render(found: Found, shifted: YMD, original: (at: [number, number]) => string): string {
  let out = '';
  let at = found.start;
  for (const p of [...found.parts].sort((a, b) => a.at[0] - b.at[0])) {
    out += original([at, p.at[0]]) + p.render(shifted);
    at = p.at[1];
  }
  return out + original([at, found.end]);
}

/**
 * Words before a date that say it is not about the patient but public or known to the site (a
 * protocol or software version, a release, a calibration, an approval, an expiry): shifted with
 * the patient's offset, such a date would give the offset away, so it is removed instead.
 */
const PUBLIC_WORDS =
  'v|ver|version|rev|revision|release[ds]?|protocol|guidelines?|software|firmware|calibrat\\w*|' +
  'manufactur\\w*|install\\w*|effective|approv\\w*|expir\\w*|valid|copyright|updated?|amendment|edition';
const PUBLIC_DATE_CONTEXT = new RegExp(`(?:\\b(?:${PUBLIC_WORDS})\\b|©)[^.;\\n]{0,24}$`, 'u');

/**
 * Edits for every date in `chars` (decoded characters; `folded` their folded view): shifted by
 * `shiftDays` when given, the form is unambiguous and nothing before it says it is a public
 * date (PUBLIC_DATE_CONTEXT), removed (with a time after it) otherwise.
 */
export function dateEdits(chars: readonly string[], folded: Folded, shiftDays: number | undefined): Edit[] {
  const original = ([a, b]: [number, number]) => {
    if (a >= b) return '';
    const span = originSpan(folded, a, b);
    return chars.slice(span.start, span.end).join('');
  };
  const edits: Edit[] = [];
  for (const f of findAll(folded.text, original)) {
    const span = originSpan(folded, f.start, f.end);
    const publicDate = PUBLIC_DATE_CONTEXT.test(folded.text.slice(Math.max(0, f.start - 40), f.start));
    if (shiftDays !== undefined && f.date && f.parts.length > 0 && !publicDate) {
      const replacement = render(f, daysBefore(f.date, shiftDays), original);
      edits.push({ ...span, replacement, kind: 'date' });
      continue;
    }
    const time = TIME_AFTER.exec(folded.text.slice(f.end));
    const end = time ? originSpan(folded, f.end, f.end + time[0].length).end : span.end;
    edits.push({ start: span.start, end, kind: 'date' });
  }
  return edits;
}
