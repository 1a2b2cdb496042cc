/**
 * Comparing path components with identifying values. People name folders and files after
 * patients in every way they can type them, and file systems store those names in their own
 * ways, so both sides are brought to one form first:
 * - Unicode: composed (Linux, Windows) or decomposed (macOS, zips made on a Mac) → one form,
 *   accents folded (Müller = Muller = Müller), compatibility forms unified (full-width digits);
 * - common transliterations (scrub/romanise.ts): ü→ue, ß→ss, ø→o/oe, æ→ae, ł→l, Cyrillic to
 *   Latin (Иванов = Ivanov);
 * - separators and case dropped (`Mueller_Juergen`, `mueller-juergen`, `MUELLER JUERGEN`);
 * - a compound family name also by its parts (`Lopez` for GARCIA-LOPEZ);
 * - identifiers also by their digits (`4471923` for MRN-4471923), dates by the digit forms people
 *   write in names (`710218`, `180271`, `04.05.23`, `20230504`).
 */
import { parseDA } from '../identity/dates.js';
import { memo } from '../scrub/memo.js';
import { romanisations } from '../scrub/romanise.js';
import { foldString } from '../scrub/fold.js';
import { MONTH_WORDS } from '../scrub/months.js';

const NOT_ALNUM = /[^\p{L}\p{N}]+/gu;

/** One spelling: composed, folded, lower case, letters and digits only. */
export function pathFold(s: string): string {
  return foldString(s.normalize('NFC')).replace(NOT_ALNUM, '');
}

/**
 * Every spelling of a text. Digits and dots (a UID, new with every file) have one, worked out
 * without the memo: remembering them would only fill it.
 */
export const spellings = (text: string): string[] =>
  /^[\d.]+$/.test(text) ? [text.replace(NOT_ALNUM, '')] : romanisations(text);

/** An ASCII name as it would be written with its letters: oe → o (Oestergaard ~ Østergaard, Ostergaard). */
const undoDigraphs = (f: string) => f.replace(/ae/g, 'a').replace(/oe/g, 'o').replace(/ue/g, 'u');

/** The forms of one value to look for: its spellings, and the parts of a compound name. */
export function valueForms(value: string, minLength: number): string[] {
  return (minLength === 2 ? formsFrom2 : minLength === 3 ? formsFrom3 : (v: string) => formsOf(v, minLength))(
    value,
  );
}
const formsFrom2 = memo((v) => formsOf(v, 2));
const formsFrom3 = memo((v) => formsOf(v, 3));

function formsOf(value: string, minLength: number): string[] {
  const out = new Set<string>();
  const add = (v: string) => {
    for (const f of spellings(v)) {
      if (f.length < minLength) continue;
      out.add(f);
      // Written in ASCII in the header (MUELLER), natively in the path (Müller → muller).
      if (/^[a-z0-9]+$/.test(f)) {
        const plain = undoDigraphs(f);
        if (plain !== f && plain.length >= Math.max(minLength, 4)) out.add(plain);
      }
    }
  };
  add(value);
  const parts = value.split(/[-'’\s]+/u).filter(Boolean);
  if (parts.length > 1) for (const p of parts) if (pathFold(p).length >= 3) add(p);
  return [...out];
}

/** A date read out of a path component (day absent: a month and year; y < 100: a two-digit year). */
export interface PathDate {
  readonly y: number;
  readonly m: number;
  readonly d?: number;
}

/** A path component in the forms it is compared in: folded, and transliterated. */
export interface ComponentForms {
  readonly folded: readonly string[];
  /** Its words (folded, every spelling), for short values that must stand alone. */
  readonly words: readonly string[];
  /**
   * Digit runs and their first 8 and 6 digits (a DT's date), runs of short digit groups joined
   * (`04.05.23` → `040523`, `4.5.23` → `040523`), and a year and month joined (`2023-05` → `202305`).
   */
  readonly digits: readonly string[];
  /** Dates written with a month name (`May_4_2023`, `18-Feb-71`, `2023May04`, `Feb1971`). */
  readonly named: readonly PathDate[];
  /** A DOS 8.3 short name's kept prefix (`LUKASI` of `LUKASI~1`). */
  readonly shortName?: string;
}

const pad2 = (g: string) => (g.length === 1 ? `0${g}` : g);

function digitForms(nfc: string): string[] {
  const digits = new Set<string>();
  const runs = nfc.match(/\p{N}+(?:[._\-/ ]\p{N}+)*/gu) ?? [];
  for (const run of runs) {
    const groups = foldString(run).split(/[._\-/ ]/);
    for (const g of groups) {
      digits.add(g);
      if (g.length > 8) digits.add(g.slice(0, 8));
      if (g.length > 6) digits.add(g.slice(0, 6));
    }
    for (let i = 0; i + 2 <= groups.length; i++) {
      const [a = '', b = ''] = groups.slice(i, i + 2);
      // A year and a month (2023-05, 05.2023).
      if ((a.length === 4 && b.length <= 2) || (b.length === 4 && a.length <= 2))
        digits.add(pad2(a) + pad2(b));
      // Three groups of a date (d.m.yy, yyyy-m-d): joined with one- and two-digit groups padded.
      const c = groups[i + 2];
      if (c !== undefined && [a, b, c].every((g) => g.length <= 4)) digits.add([a, b, c].map(pad2).join(''));
    }
  }
  return [...digits];
}

/** A year token: four digits, or two (kept below 100: either century may be meant). */
const year = (t: string) => (t.length === 4 || t.length === 2 ? Number(t) : undefined);
const day = (t: string) => (t.length <= 2 && Number(t) >= 1 && Number(t) <= 31 ? Number(t) : undefined);

/** Day and year packed after a month name: `042023` (DDYYYY), `181971`, `1871` (DDYY). */
function packed(t: string): { d: number; y: number } | undefined {
  const d = day(t.slice(0, 2));
  const y = t.length === 6 ? year(t.slice(2)) : t.length === 4 ? year(t.slice(2)) : undefined;
  return d !== undefined && y !== undefined ? { d, y } : undefined;
}

/** Dates around month names: the tokens are runs of letters or of digits. */
function namedDates(nfc: string): PathDate[] {
  const tokens = foldString(nfc).match(/\p{L}+|\p{N}+/gu) ?? [];
  const out: PathDate[] = [];
  const push = (y: number | undefined, m: number, d?: number) => {
    if (y !== undefined) out.push(d === undefined ? { y, m } : { y, m, d });
  };
  tokens.forEach((t, i) => {
    const m = MONTH_WORDS.get(t)?.month;
    if (m === undefined) return;
    const before = tokens[i - 1] ?? '';
    const after = tokens[i + 1] ?? '';
    const next = tokens[i + 2] ?? '';
    if (day(after) !== undefined && year(next) !== undefined) push(year(next), m, day(after)); // May 4 2023
    // 4 May 2023
    if (day(before) !== undefined && year(after) !== undefined) push(year(after), m, day(before));
    if (before.length === 4 && day(after) !== undefined) push(year(before), m, day(after)); // 2023 May 04
    const p = packed(after);
    if (p) push(p.y, m, p.d); // MAY042023
    if (after.length === 4) push(year(after), m); // May2023
    if (before.length === 4) push(year(before), m); // 2023-May
  });
  return out;
}

export const componentForms: (component: string) => ComponentForms = memo(formsOfComponent);

function formsOfComponent(component: string): ComponentForms {
  const nfc = component.normalize('NFC');
  const words = foldString(nfc)
    .split(NOT_ALNUM)
    .filter(Boolean)
    .flatMap((w) => spellings(w));
  const short = /^([\p{L}\p{N}]{3,6})~\d+(?:\.\w{0,3})?$/u.exec(nfc);
  return {
    folded: spellings(nfc),
    words: [...new Set(words)],
    digits: digitForms(nfc),
    named: namedDates(nfc),
    ...(short ? { shortName: pathFold(short[1] as string) } : {}),
  };
}

/** The digit forms of a date people write in file and folder names (its month and year too). */
export function dateDigitForms(da: string): string[] {
  const d = parseDA(da);
  if (!d) return [];
  const y = String(d.y).padStart(4, '0');
  const yy = y.slice(2);
  const m = String(d.m).padStart(2, '0');
  const dd = String(d.d).padStart(2, '0');
  return [
    `${y}${m}${dd}`,
    `${dd}${m}${y}`,
    `${m}${dd}${y}`,
    `${yy}${m}${dd}`,
    `${dd}${m}${yy}`,
    `${m}${dd}${yy}`,
    `${y}${m}`,
    `${m}${y}`,
  ];
}

/** Whether a date read from a path is this (full) date: the same day, or month and year. */
export function sameDate(p: PathDate, da: string): boolean {
  const d = parseDA(da);
  if (!d) return false;
  const y = p.y < 100 ? d.y % 100 : d.y;
  return p.y === y && p.m === d.m && (p.d === undefined || p.d === d.d);
}

/**
 * The initials of a person name (PN), given then family and back, in capitals; a Cyrillic or
 * Greek name's also in the Latin letters its romanisations start with (ИВАНОВ^ЮРИЙ: ЮИ, YI, IY, JI…).
 */
export function initialsOf(pn: string): string[] {
  const [family = '', given = '', middle = ''] = pn.split('=')[0]?.split('^') ?? [];
  const fs = firstLetters(family);
  const ms = firstLetters(middle);
  const gs = firstLetters(given).flatMap((g) => (ms.length > 0 ? ms.map((m) => g + m) : [g]));
  return [...new Set(fs.flatMap((f) => gs.flatMap((g) => [g + f, f + g])))];
}

/** A name part's first letters, one per word, in every spelling of the part ([] for none). */
function firstLetters(part: string): string[] {
  let out = [''];
  for (const w of part.split(/[\s-]+/).filter(Boolean)) {
    const letters = new Set([(w[0] ?? '').toUpperCase()]);
    if (/[\p{Script=Cyrillic}\p{Script=Greek}]/u.test(w))
      for (const r of romanisations(w)) {
        if (r) letters.add((r[0] as string).toUpperCase());
        // A letter romanised as two is also written so as an initial: Ю as Yu (YuI_2023).
        if (/^(?:yu|ya|yo|ju|ja|jo|iu|ia|zh|kh|ch|sh|ts|th|ps)/.test(r))
          letters.add(r.slice(0, 2).toUpperCase());
      }
    out = out.flatMap((o) => [...letters].map((l) => o + l));
  }
  return out.filter(Boolean);
}

/** The digits of an identifier worth looking for alone: a run of five or more. */
export function idDigits(id: string): string[] {
  return (id.match(/\d{5,}/g) ?? []).flatMap((d) => {
    const unpadded = d.replace(/^0+/, '');
    return unpadded.length >= 5 && unpadded !== d ? [d, unpadded] : [d];
  });
}
