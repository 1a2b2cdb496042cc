/**
 * Dates as people write them, read out of any text: 2023-05-04, 04.05.2023, 5/4/23, 230504,
 * 04052023, 4 May 2023, May 4th, 2023, 4. Mai 2023, 4 mai 2023, 4 de mayo de 2023, 2023年5月4日,
 * 2023년 5월 4일. Each match gives every date it can mean (04/05/2023 is 4 May or 5 April; a
 * two-digit year is 19xx or 20xx), as YYYYMMDD: the tree checks compare them with the paired
 * patient's dates. Written here, apart from the engine's date patterns, on purpose.
 */
import { PLACEHOLDER_DATES } from './elements.js';
import { foldAccents } from './spellings.js';

/** Month names and abbreviations: English, German, French, Spanish, Italian, Dutch, Portuguese,
 * Polish, Russian. */
const MONTH_NAMES: readonly (readonly string[])[] = [
  'january januar janvier enero gennaio januari janeiro jan ' +
    'jän janv ene gen stycznia styczen января январь янв',
  'february februar fevrier febrero febbraio februari fevereiro feb ' +
    'fev fevr febr lutego luty февраля февраль фев',
  'march marz maerz mars marzo maart marco mar mrt marca marzec марта март мар',
  'april avril abril aprile apr avr abr kwietnia kwiecien апреля апрель апр',
  'may mai mayo maggio mei maio mag maja maj мая май',
  'june juni juin junio giugno junho jun giu czerwca czerwiec июня июнь июн',
  'july juli juillet julio luglio julho jul juil lug lipca lipiec июля июль июл',
  'august aout agosto augustus aug ago sierpnia sierpien августа август авг',
  'september septembre septiembre settembre setembro sep sept set wrzesnia wrzesien сентября сентябрь сен',
  'october oktober octobre octubre ottobre outubro oct ' +
    'okt ott out pazdziernika pazdziernik октября октябрь окт',
  'november novembre noviembre novembro nov listopada listopad ноября ноябрь ноя',
  'december dezember decembre diciembre dicembre dezembro dec ' +
    'dez dic grudnia grudzien декабря декабрь дек',
].map((names) => names.split(' '));

/** Day names and their abbreviations (English, German, French, Spanish, Italian). */
const DAY_NAMES = (
  'monday mon tuesday tue tues wednesday wed thursday thu thur thurs friday fri saturday sat sunday sun ' +
  'montag dienstag mittwoch donnerstag freitag samstag sonntag lundi mardi mercredi jeudi vendredi ' +
  'samedi dimanche lunes martes miercoles jueves viernes sabado domingo lunedi martedi mercoledi ' +
  'giovedi venerdi sabato domenica'
).split(' ');

/** A month's or a day's name or abbreviation ("Jun", "Mai", "Thu"): words of a date, not of a name. */
export function isCalendarWord(word: string): boolean {
  const w = foldAccents(word).toLowerCase();
  return MONTH.has(w) || DAY_NAMES.includes(w);
}

const MONTH: ReadonlyMap<string, number> = new Map(
  MONTH_NAMES.flatMap((names, i) => names.map((n) => [foldAccents(n), i + 1] as const)),
);

const ORDINAL = '(?:st|nd|rd|th|er|e|o|º|\\.)?';
const WORD = '(\\p{L}{3,12})\\.?';
const GAP = '[\\s,./_-]*';
const OF = '(?:(?:of|de|del|the)\\s+)?';
/** Digits not inside a longer number or a dotted UID. */
const NOT_AFTER = '(?<![\\d.])';
const NOT_BEFORE = '(?!\\d|\\.\\d)';

/** A year: four digits, or two ('71, 71). */
const YEAR = "'?(\\d{4}|\\d{2})";
const NAMED_DMY = new RegExp(
  `(?<!\\d)(\\d{1,2})${ORDINAL}${GAP}${OF}${WORD}${GAP}${OF}${YEAR}${NOT_BEFORE}`,
  'gu',
);
/** Month, day, year; the gap before the year is captured: run together, the year has 4 digits (MAY042023). */
const NAMED_MDY = new RegExp(
  `(?<!\\p{L})${WORD}${GAP}${OF}(\\d{1,2})${ORDINAL}(,?[\\s,./_-]*)${YEAR}${NOT_BEFORE}`,
  'gu',
);
const NAMED_YMD = new RegExp(`(?<!\\d)(\\d{4})${GAP}${WORD}${GAP}(\\d{1,2})(?!\\d)`, 'gu');
/** Roman-numeral months: 18.II.1971, 18 II 1971. */
const ROMAN_DMY = /(?<!\d)(\d{1,2})[.\s/-]+(i{1,3}|iv|vi{0,3}|ix|xi{0,2})[.\s/-]+(\d{4})(?!\d)/g;
const ROMAN: Readonly<Record<string, number>> = {
  i: 1,
  ii: 2,
  iii: 3,
  iv: 4,
  v: 5,
  vi: 6,
  vii: 7,
  viii: 8,
  ix: 9,
  x: 10,
  xi: 11,
  xii: 12,
};
/** A dot and a space between the parts: 18. 02. 1971. */
const SPACED_DMY = /(?<![\d.])(\d{1,2})\.\s(\d{1,2})\.\s(\d{4}|\d{2})(?!\d)/g;
/** Japanese eras abbreviated by their initial: S46.2.18 (Shōwa 46), H1.1.8, R5.5.4. */
const ERA_INITIAL_YMD = /(?<![a-z\d])([mtshr])(\d{1,2})[./-](\d{1,2})[./-](\d{1,2})(?!\d)/g;
const ERA_INITIAL_START: Readonly<Record<string, number>> = { m: 1868, t: 1912, s: 1926, h: 1989, r: 2019 };
const SEPARATED_YMD = /(?<![\d.])(\d{4})([-/._])(\d{1,2})\2(\d{1,2})(?!\d|\.\d)/g;
const SEPARATED_DMY = /(?<![\d.])(\d{1,2})([-/._])(\d{1,2})\2(\d{4}|\d{2})(?!\d|\.\d)/g;
const CJK_YMD = /(\d{4}|\d{2})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?/g;
/** Japanese era years: 昭和27年4月29日 is 1952-04-29 (元年 is the first year). */
const ERA_YMD = /(明治|大正|昭和|平成|令和)\s*(\d{1,2}|元)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日/g;
const ERA_START: Readonly<Record<string, number>> = {
  明治: 1868,
  大正: 1912,
  昭和: 1926,
  平成: 1989,
  令和: 2019,
};
const RUN = new RegExp(`${NOT_AFTER}(\\d{6}|\\d{8}|\\d{12}|\\d{14})${NOT_BEFORE}`, 'g');

/** YYYYMMDD when y/m/d is a real date in 1900–2099; undefined otherwise. */
function ymd(y: number, m: number, d: number): string | undefined {
  if (y < 1900 || y > 2099 || m < 1 || m > 12 || d < 1) return undefined;
  if (d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return undefined;
  const date = `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
  return PLACEHOLDER_DATES.has(date) ? undefined : date;
}

/** A year as written: four digits, or two (either century). */
const years = (y: string): number[] => (y.length === 4 ? [Number(y)] : [1900 + Number(y), 2000 + Number(y)]);

function add(into: Set<string>, ys: readonly number[], m: number, d: number): void {
  for (const y of ys) {
    const v = ymd(y, m, d);
    if (v) into.add(v);
  }
}

/** Dates written with a month name, in any order. */
function named(t: string, into: Set<string>): void {
  for (const [, d, w, y] of t.matchAll(NAMED_DMY)) {
    const m = MONTH.get(w ?? '');
    if (m) add(into, years(y ?? ''), m, Number(d));
  }
  for (const [, w, d, gap = '', y = ''] of t.matchAll(NAMED_MDY)) {
    const m = MONTH.get(w ?? '');
    if (m && (gap !== '' || y.length === 4)) add(into, years(y), m, Number(d));
  }
  for (const [, y, w, d] of t.matchAll(NAMED_YMD)) {
    const m = MONTH.get(w ?? '');
    if (m) add(into, [Number(y)], m, Number(d));
  }
}

/** Dates in digits with separators: year first, or day and month first (both readings). */
function separated(t: string, into: Set<string>, twoDigitYears: boolean): void {
  for (const [, y, , m, d] of t.matchAll(SEPARATED_YMD)) add(into, [Number(y)], Number(m), Number(d));
  for (const [, a, , b, y] of t.matchAll(SEPARATED_DMY)) {
    if (!twoDigitYears && (y ?? '').length === 2) continue;
    add(into, years(y ?? ''), Number(b), Number(a));
    add(into, years(y ?? ''), Number(a), Number(b));
  }
  for (const [, y = '', m, d] of t.matchAll(CJK_YMD)) add(into, years(y), Number(m), Number(d));
  for (const [, d, r = '', y] of t.matchAll(ROMAN_DMY)) add(into, [Number(y)], ROMAN[r] ?? 0, Number(d));
  for (const [, d, m, y = ''] of t.matchAll(SPACED_DMY)) add(into, years(y), Number(m), Number(d));
  for (const [, era = '', n, m, d] of t.matchAll(ERA_INITIAL_YMD))
    add(into, [(ERA_INITIAL_START[era] ?? 0) + Number(n) - 1], Number(m), Number(d));
  for (const [, era = '', n, m, d] of t.matchAll(ERA_YMD)) {
    const year = (ERA_START[era] ?? 0) + (n === '元' ? 1 : Number(n)) - 1;
    add(into, [year], Number(m), Number(d));
  }
}

/** Runs of digits alone: YYYYMMDD (and a DT's time after it), DDMMYYYY, MMDDYYYY, YYMMDD, DDMMYY, MMDDYY. */
function runs(t: string, into: Set<string>): void {
  for (const [run = ''] of t.matchAll(RUN)) {
    const n = (from: number, length: number) => Number(run.slice(from, from + length));
    if (run.length >= 8) {
      add(into, [n(0, 4)], n(4, 2), n(6, 2));
      if (run.length === 8) {
        add(into, [n(4, 4)], n(2, 2), n(0, 2));
        add(into, [n(4, 4)], n(0, 2), n(2, 2));
      }
    } else {
      add(into, years(run.slice(0, 2)), n(2, 2), n(4, 2));
      add(into, years(run.slice(4, 6)), n(2, 2), n(0, 2));
      add(into, years(run.slice(4, 6)), n(0, 2), n(2, 2));
    }
  }
}

/**
 * Every date `text` may hold (YYYYMMDD). `loose` reads digit runs and two-digit years too:
 * right for an output compared with its own patient's dates, too loose for taking a source's
 * dates (a dose or a count would become a date of the patient).
 */
export function datesInText(text: string, loose: boolean): string[] {
  // NFKC first: full-width digits (１９７１年) are digits.
  const t = foldAccents(text.normalize('NFKC')).toLowerCase();
  if (!/\d/.test(t)) return [];
  const found = new Set<string>();
  named(t, found);
  separated(t, found, loose);
  if (loose) runs(t, found);
  return [...found];
}
