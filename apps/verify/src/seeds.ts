/**
 * Seeds: the identifying values the sources (and the key) hold, each searched for in every
 * output file's bytes and path. Here are what a seed is, the written forms a name takes, and
 * the byte patterns a seed is searched as (every spelling, in every character set a DICOM
 * file or an operating system writes it in).
 */
import iconv from 'iconv-lite';
import { isCalendarWord } from './dates-in-text.js';
import { isDigitByte, isLetterByte, isWordByte, type Pattern } from './search.js';
import { CJK, foldAccents, spellings } from './spellings.js';
import { shortFormsOf, WORD_NAMES } from '@dcmblind/core';

/** The kind of identifying value a seed is. */
export type Category = 'name' | 'id' | 'uid' | 'date' | 'address' | 'phone' | 'institution' | 'email' | 'url';

/** One identifying value to search every output for. */
export interface Seed {
  readonly category: Category;
  /** Keyword of the source attribute it came from (`(free text)` for one read out of text). */
  readonly keyword: string;
  readonly tag: number;
  readonly text: string;
  /** The value's bytes as the source stored them (its character set), when not plain ASCII. */
  readonly raw?: Uint8Array;
  /** A name token (matched as a whole word only). */
  readonly token?: boolean;
  /**
   * A house number that must stand within a few bytes of the match: a street's name alone is
   * a common word ("Mill", "Baker"), with its number it is an address. Such a seed need not end
   * a word (`Lindenstr.` is Lindenstraße).
   */
  readonly near?: string;
  /** A given name's short form (Johnny for John): searched only as a name is written, `Johnny`. */
  readonly titleCase?: boolean;
  /**
   * A name token that is a word of reports (White, Ward, Head, Лев: the engine's list): searched
   * only with a capital first (`White`, `WHITE`), as the engine removes it; `white matter` stays.
   */
  readonly wordName?: boolean;
}

/** Placeholders that other tools (or the source itself) put where identifiers were: never a leak. */
const PLACEHOLDER_WORDS = [
  'anon(ymi[sz]ed|ymous|ymi[sz]ation)?',
  'de-?identified',
  'removed',
  'redacted',
  'unknown',
  'none',
  'null',
  'n\\/?a',
  'x+',
  'test',
  'phantom',
  'patient',
  'name',
  'id',
];
export const PLACEHOLDER = new RegExp(`^(${PLACEHOLDER_WORDS.join('|')})$`, 'i');

/** Not a placeholder: worth searching for. */
export const usable = (t: string): boolean => !PLACEHOLDER.test(t.trim());

/**
 * Names, IDs, institutions, addresses, phones and name tokens count only as whole words (a
 * token "TEXT" is not in "CONTEXT");
 * CJK names are written without spaces, so inside other text they count anywhere.
 */
export const needsWord = (s: Seed): boolean =>
  (Boolean(s.token) || WORDS.has(s.category)) && !CJK.test(s.text);

/** Categories whose values are words: an institution "Here" is not in "there". */
const WORDS: ReadonlySet<Category> = new Set(['name', 'id', 'institution', 'address', 'phone']);

/** How far from a street's name its house number may stand, in bytes. */
const NEAR = 32;

/**
 * Whether a match of `s` at bytes[at, at + length) counts: a name or an ID must be a whole
 * word (bytes[from, to) bound the value it is in: the bytes beyond belong to something else),
 * and a street's name must have its house number near.
 */
export function fits(
  s: Seed,
  bytes: Uint8Array,
  at: number,
  length: number,
  from = 0,
  to = bytes.length,
): boolean {
  const before = at > from && !escapeEndsAt(bytes, at - 1) ? bytes[at - 1] : undefined;
  const after = at + length < to ? bytes[at + length] : undefined;
  // A number stands alone among digits (CT00482913 holds the ID); a name among letters
  // (Smith1971 holds the name); anything else among letters and digits.
  const joins = /^\d+$/.test(s.text) ? isDigitByte : s.category === 'name' ? isLetterByte : isWordByte;
  if (needsWord(s) && (joins(before) || (!s.near && joins(after)))) return false;
  if (s.titleCase && !asNameAt(bytes, at, length)) return false;
  if (isWordName(s) && !wordNameFits(bytes, at, length, from, to)) return false;
  if (!s.near) return true;
  const around = Buffer.from(bytes.subarray(Math.max(from, at - NEAR), Math.min(to, at + length + NEAR)));
  return new RegExp(`(?<!\\d)${s.near}(?!\\d)`).test(around.toString('latin1'));
}

/**
 * Whether the bytes at [at, at + length) are written as a name is, a capital then small letters:
 * the search folds ASCII case, so `JANIE` and `janie` match a short form's `Janie` (other
 * scripts' bytes are matched as they are).
 */
function asNameAt(bytes: Uint8Array, at: number, length: number): boolean {
  const upper = (b: number | undefined) => b !== undefined && b >= 0x41 && b <= 0x5a;
  const first = bytes[at] as number;
  if (first < 0x80 && !upper(first)) return false;
  for (let i = at + 1; i < at + length; i++) if (upper(bytes[i])) return false;
  return true;
}

/** A name seed of one word that is a word of reports (the engine's WORD_NAMES), however it came. */
const isWordName = (s: Seed): boolean =>
  s.category === 'name' && (s.wordName === true || WORD_NAMES.has(foldAccents(s.text).toLowerCase()));

/**
 * Where a word's name counts as the name, as the engine removes it: with its capital, not at a
 * sentence's start (`White matter is normal`), not beside a number (a shifted `August 2018` for
 * someone called August).
 */
function wordNameFits(bytes: Uint8Array, at: number, length: number, from: number, to: number): boolean {
  if (isLowerAscii(bytes[at])) return false;
  let i = at - 1;
  while (i >= from && (bytes[i] === 0x20 || bytes[i] === 0x2c)) i--;
  if (i >= from && bytes[i]! >= 0x30 && bytes[i]! <= 0x39 && i >= at - 3) return false;
  let j = at + length;
  while (j < to && (bytes[j] === 0x20 || bytes[j] === 0x2c)) j++;
  if (j < to && bytes[j]! >= 0x30 && bytes[j]! <= 0x39 && j <= at + length + 2) return false;
  let k = at - 1;
  while (k >= from && /[\s"'(-]/.test(String.fromCharCode(bytes[k]!))) k--;
  return !(k < from || /[.!?:;)\n]/.test(String.fromCharCode(bytes[k]!)));
}

/** A small ASCII letter (other scripts' bytes: their small forms are not among the patterns). */
const isLowerAscii = (b: number | undefined): boolean => b !== undefined && b >= 0x61 && b <= 0x7a;

/** An ISO 2022 escape sequence (ESC, intermediates, final byte) ends at bytes[i]: a boundary, no letter. */
function escapeEndsAt(bytes: Uint8Array, i: number): boolean {
  for (let k = 1; k <= 3 && i - k >= 0; k++) {
    const b = bytes[i - k] as number;
    if (b === 0x1b) return true;
    if (b < 0x20 || b > 0x2f) return false;
  }
  return false;
}

/** Titles and honorifics: words of a name that name no one. */
const TITLE =
  /^(mr|mrs|ms|miss|dr|prof|sir|herr|frau|mme|mlle|sr|sra|srta|dott|dra|jr|sr|ii|iii|md|phd)\.?$/i;

/** Particles of family names (del Castillo, van Dijk): words of any text, never a name alone. */
const PARTICLES = new Set([
  ...'de del della dei der den des di da das do dos du la le les lo'.split(' '),
  ...'van von ten ter te zu bin ibn al el mac y e'.split(' '),
]);

/** A token worth searching for alone: three letters or more (two CJK characters), not a title. */
function isToken(t: string): boolean {
  // Letters only: "MR1" in CompressedSamples^MR1 is a series' name, not a person's. A short
  // token that is a month's or a day's name ("Jun" of Jun Ho, April) is read in every written date.
  if (TITLE.test(t) || !/^[\p{L}\p{M}'’]+$/u.test(t)) return false;
  if (isCalendarWord(t) || PARTICLES.has(t.toLowerCase())) return false;
  return CJK.test(t) ? [...t].length >= 2 : [...t].length >= 3;
}

/**
 * Names as people write them: "Doe^Jane" → also "Jane Doe", "Doe Jane", "Doe, Jane", "DOE_JANE",
 * and its tokens; each of the alphabetic, ideographic and phonetic groups.
 */
export function nameForms(pn: string): { whole: string[]; tokens: string[] } {
  const whole = new Set<string>();
  const tokens = new Set<string>();
  for (const group of pn.split('=')) {
    const comps = group.split('^').map((c) => c.trim());
    const [fam = '', giv = ''] = comps;
    if (group.replace(/\^+$/, '').trim()) whole.add(group.replace(/\^+$/, ''));
    // A family name of several words is a name alone too (van der Berg, Garcia-Lopez): its
    // spellings run together (vanderBerg, GarciaLopez) are found.
    if (/[\s'’-]/.test(fam.trim()) && [...fam].length >= 5) whole.add(fam.trim());
    if (fam && giv) {
      for (const f of [`${giv} ${fam}`, `${fam} ${giv}`, `${fam}, ${giv}`, `${fam}_${giv}`, `${giv}_${fam}`])
        whole.add(f);
      if (CJK.test(fam)) whole.add(`${fam}${giv}`);
      else latinForms(fam, giv, whole);
    }
    // Family, given and middle names; prefixes and suffixes (Dr., Jr.) name no one.
    for (const c of comps.slice(0, 3))
      for (const t of c.split(/[\s,.]+/)) {
        if (isToken(t)) tokens.add(t);
        for (const part of t.split('-')) if (part !== t && isToken(part)) tokens.add(part);
      }
  }
  return { whole: [...whole].filter((w) => [...w].length >= 4 || CJK.test(w)), tokens: [...tokens] };
}

/** Titles a two-letter family name is written after ("Mrs Li", "Dr Wu"): alone it is any two letters. */
const SHORT_NAME_TITLES = ['Mr', 'Mrs', 'Ms', 'Miss', 'Dr', 'Prof'];

/**
 * The Latin forms of a family and given name beyond the orders: dotted initials, given name
 * first ("J.D.", "J. D."; two bare capitals are too common); the given name's initial run into
 * the family name, as file and folder names have it (JSmith, SmithJ, and DOS's SMITHJ~1); a
 * two-letter family name after a title.
 */
function latinForms(fam: string, giv: string, into: Set<string>): void {
  const [g, f] = [[...giv][0] ?? '', [...fam][0] ?? ''];
  if (/\p{Lu}/u.test(g) && /\p{Lu}/u.test(f)) into.add(`${g}.${f}.`).add(`${g}. ${f}.`);
  const family = fam.replace(/[\s'’-]/g, '');
  if ([...family].length >= 4 && /\p{L}/u.test(g)) into.add(`${g}${family}`).add(`${family}${g}`);
  if ([...fam].length === 2) for (const t of SHORT_NAME_TITLES) into.add(`${t} ${fam}`).add(`${t}. ${fam}`);
}

/** The seeds of one person name: its whole written forms, then its tokens (whole words only). */
export function nameSeeds(pn: string, keyword: string, tag: number): Seed[] {
  const f = nameForms(pn);
  return [
    ...f.whole.map((text): Seed => ({ category: 'name', keyword, tag, text })),
    ...f.tokens.map(
      (text): Seed => ({
        category: 'name',
        keyword,
        tag,
        text,
        token: true,
        ...(WORD_NAMES.has(foldAccents(text).toLowerCase()) ? { wordName: true } : {}),
      }),
    ),
  ];
}

/**
 * The short and everyday forms of a patient's given names, from the engine's table (Johnny and
 * Jack for John, Юра for Юрий): searched only written as a name is (`Johnny`, not `johnny`), as
 * the engine removes them. A form the table lacks is found by neither.
 */
export function shortFormSeeds(pn: string, keyword: string, tag: number): Seed[] {
  const forms = new Set<string>();
  for (const group of pn.split('='))
    for (const comp of group.split('^').slice(0, 3))
      for (const token of comp.split(/[\s,.'’-]+/))
        for (const form of token ? shortFormsOf(token) : []) forms.add(asName(form));
  return [...forms].map(
    (text): Seed => ({ category: 'name', keyword, tag, text, token: true, titleCase: true }),
  );
}

/** A capital, then small letters. */
const asName = (form: string): string => {
  const [first = '', ...rest] = [...form];
  return first.toUpperCase() + rest.join('');
};

/** Character sets a value may be stored in besides UTF-8 (DICOM's ISO 2022 ones by their bytes). */
const CHARSETS = ['latin1', 'iso-8859-2', 'iso-8859-5', 'iso-8859-7', 'euc-kr', 'gb18030'] as const;

/** `s` in a character set, when every character is in it (iconv writes `?` for the others). */
function encoded(s: string, charset: string): Buffer | undefined {
  const b = iconv.encode(s, charset);
  return iconv.decode(b, charset) === s ? b : undefined;
}

/**
 * The bytes of `s` in the files and names that may hold it: UTF-8, the single-byte sets, and
 * the CJK sets. ISO 2022 IR 87 (Japanese) is searched as the JIS X 0208 bytes between its
 * escapes (EUC-JP with the high bit cleared), since the escapes move with the text around.
 */
function byteForms(s: string): Uint8Array[] {
  const out: Uint8Array[] = [Buffer.from(s, 'utf8')];
  if (/^[\x20-\x7e]*$/.test(s)) return out;
  for (const cs of CHARSETS) {
    const b = encoded(s, cs);
    if (b) out.push(b);
  }
  if (CJK.test(s)) {
    const euc = encoded(s, 'euc-jp');
    if (euc) out.push(Buffer.from(euc.map((x) => x & 0x7f)));
  }
  return out;
}

/** Shorter than this, a non-ASCII byte pattern matches random bytes: the CJK of two characters. */
const MIN_PATTERN = 3;

const titleCased = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();

/** The byte patterns one seed is searched as: every spelling, in every character set, and its own bytes. */
export function patternsOf(seeds: readonly Seed[]): Pattern[] {
  const out: Pattern[] = [];
  seeds.forEach((s, i) => {
    const seen = new Set<string>();
    const add = (bytes: Uint8Array) => {
      const hex = Buffer.from(bytes).toString('hex');
      if (bytes.length < (s.near ? 2 : MIN_PATTERN) || seen.has(hex)) return;
      seen.add(hex);
      out.push({ bytes, seed: i });
    };
    if (s.titleCase) {
      for (const b of byteForms(s.text)) add(b);
      return;
    }
    for (const spelt of spellings(s.text)) {
      // A word's name only with its capital (`White`, `WHITE`, `Лев`), never in small letters.
      const cases = isWordName(s)
        ? [titleCased(spelt), spelt.toUpperCase()]
        : [spelt, spelt.toUpperCase(), spelt.toLowerCase()];
      for (const f of new Set(cases)) {
        for (const b of byteForms(f)) add(b);
        // UTF-16 (Exif's XPAuthor, Windows' "Unicode text"): whole names, places and IDs long
        // enough to be specific (not UIDs: thousands of them, never written in UTF-16).
        if (!s.token && s.category !== 'uid' && [...f].length >= 6) add(Buffer.from(f, 'utf16le'));
      }
      if (s.category === 'url') add(Buffer.from(encodeURIComponent(spelt), 'utf8'));
    }
    if (s.raw && s.raw.length >= 4) add(s.raw);
  });
  return out;
}
