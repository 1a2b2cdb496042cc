/**
 * Seeds read out of a source's text: what a header attribute does not hold but free text does
 * (a relative's or a GP's name after a title, an e-mail, a web address and its host, a phone
 * number, an ID after its label). Any text value of a source is read this way, kept
 * attributes included: a value is identifying wherever it was typed.
 */
import { datesInText } from './dates-in-text.js';
import type { Category, Seed } from './seeds.js';
import { CJK } from './spellings.js';

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
const URL_TEXT = /\b(?:https?|ftp):\/\/[^\s\\"'<>]+|\bwww\.[^\s\\"'<>]+/giu;
/** A telephone number: seven digits or more, with the separators people write. */
const PHONE = /(?<![\p{L}\p{N}.])\+?\(?\d[\d ()./-]{6,}\d(?![\p{N}])/gu;
/** Titles before a name, in the languages sites write reports in. */
const TITLES = 'Dr|Mr|Mrs|Ms|Miss|Prof|Herr|Frau|Mme|Mlle|Madame|Monsieur|Sr|Sra|Srta|Dott|Dra';
const CAPITALISED = "\\p{Lu}[\\p{L}'’-]+";
// On one line: a capitalised word on the next line ("Dr Patel\r\nChest pain") is not the name's.
const TITLED = new RegExp(`\\b(?:${TITLES})\\.?[ \\t]+(${CAPITALISED}(?:[ \\t]+${CAPITALISED})?)`, 'gu');
/** Japanese and Korean honorifics after a name: 山田様, 山田先生, 김민준님. */
const CJK_HONORIFIC =
  /([\p{Script=Han}\p{Script=Hangul}\p{Script=Katakana}]{2,4})\s?(?:様|さま|さん|先生|氏|殿|님|씨|선생님)/gu;
/** An identifier after its label: "MRN: 4471923", "Patient ID 0048-2913". */
const LABELLED_ID = /\b(?:MRN|PID|ID|Nr|No|NHS|Accession)\.?\s*[:#]?\s*([A-Z0-9][A-Z0-9-]{4,})/gi;

const seed = (category: Category, text: string, token = false): Seed => ({
  category,
  keyword: '(free text)',
  tag: 0,
  text,
  ...(token ? { token } : {}),
});

/** The host of a web address, without its leading www. */
function hostOf(url: string): string | undefined {
  const m = /^(?:[a-z]+:\/\/)?([^/:?#\s]+)/i.exec(url);
  const host = m?.[1]?.replace(/^www\./i, '');
  return host?.includes('.') ? host : undefined;
}

/** Seeds in one text value of a source. */
export function textSeeds(text: string): Seed[] {
  const out: Seed[] = [];
  for (const [m] of text.matchAll(EMAIL)) {
    out.push(seed('email', m));
    const local = m.split('@')[0] ?? '';
    if (local.length >= 5) out.push(seed('email', local, true));
  }
  for (const [m] of text.matchAll(URL_TEXT)) {
    const url = m.replace(/[.,;:)]+$/, '');
    out.push(seed('url', url));
    const host = hostOf(url);
    if (host) out.push(seed('url', host));
  }
  for (const [m] of text.matchAll(PHONE)) {
    if (!phoneShaped(m)) continue;
    out.push(seed('phone', m.trim()), seed('phone', m.replace(/\D/g, ''), true));
  }
  for (const m of text.matchAll(TITLED)) {
    // The word after the title is a name; the next one may be ("Dr Jones Cardiology"): only
    // the two together are a seed.
    const [first = '', second] = (m[1] ?? '').split(/[ \t]+/);
    if (second) out.push(seed('name', `${first} ${second}`));
    if ([...first].length >= 3) out.push(seed('name', first, true));
  }
  for (const m of text.matchAll(CJK_HONORIFIC)) if (m[1] && CJK.test(m[1])) out.push(seed('name', m[1]));
  for (const m of text.matchAll(LABELLED_ID)) {
    const id = m[1] ?? '';
    if (/\d{4}/.test(id) && (!/^\d+$/.test(id) || specificDigits(id))) out.push(seed('id', id, true));
  }
  return out;
}

/**
 * A telephone number as people write it: 7 to 15 digits in two groups or more of two digits or
 * more (a leading country code may be one digit), not a date. A list of measurements ("13.5 (12.0-15.5)",
 * "5.0 / 2.5 / 1.25") has one-digit groups; "18. 02. 1971" is a date.
 */
function phoneShaped(m: string): boolean {
  const digits = m.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return false;
  const groups = m.split(/\D+/).filter(Boolean);
  // A country code may be one digit (+1); one run of digits alone is an ID more often than a
  // phone (MRN 00482913).
  const rest = m.startsWith('+') ? groups.slice(1) : groups;
  if (rest.some((g) => g.length < 2) || (groups.length < 2 && !m.startsWith('+'))) return false;
  return datesInText(m, false).length === 0;
}

/** An ID's digits alone, as people write it without its prefix: MRN00482913 → 00482913, 482913. */
export function idDigitSeeds(s: Seed): Seed[] {
  const out: Seed[] = [];
  for (const [run] of s.text.matchAll(/\d{6,}/g)) {
    if (!specificDigits(run)) continue;
    if (run !== s.text) out.push({ ...s, text: run, token: true });
    const bare = run.replace(/^0+/, '');
    if (bare !== run && bare.length >= 6) out.push({ ...s, text: bare, token: true });
  }
  return out;
}

/**
 * Digits specific enough to stand for an identifier alone: three different digits at least
 * (MRN100000's 100000 is any round number in any file; 00482913 is someone).
 */
export function specificDigits(digits: string): boolean {
  return new Set(digits).size >= 3;
}

/** Words that say what kind of street it is, in the languages of the addresses sites write. */
const STREET_WORDS = new Set(
  (
    'street st road rd lane ln avenue ave av avenida avda calle c rue r ulica ul strasse straße str ' +
    'caddesi cad cd sokak sok boulevard blvd bd drive dr way place pl via viale piazza plaza camino ' +
    'chemin weg gasse platz allee gatan gata vagen vägen vegen close court ct crescent square sq'
  ).split(' '),
);

/** Street-name endings that are written abbreviated: Lindenstraße → Lindenstr. → Linden. */
const STREET_SUFFIX = /(straße|strasse|str|gatan|gata|vägen|vagen|weg|gasse|platz|allee)$/iu;

/** A British or Canadian postcode (NW1 6XE, H3Z 2Y7), a Dutch one (1015 CJ): specific alone, space or not. */
const POSTCODE = /\b([A-Z]{1,2}\d[A-Z\d]?|[A-Z]\d[A-Z]|\d{4}) ?(\d[A-Z]{2}|\d[A-Z]\d|[A-Z]{2})\b/g;

/**
 * An address as its street's name near its house number: "12 Baker Street, Springfield" → Baker
 * (with 12 near), found in "12 Baker St."; "東京都千代田区桜町3-5-1" → 桜町 near 3-5-1. Every
 * comma-separated part with a number is read (Flat 3, 12 Baker Street); postcodes of letters
 * and digits are seeds of their own.
 */
export function addressSeeds(value: string, keyword: string, tag: number): Seed[] {
  const out: Seed[] = [];
  for (const part of value.split(/[,\n\\]/)) out.push(...streetSeeds(part, keyword, tag));
  for (const [, a, b] of value.matchAll(POSTCODE)) {
    if (/^\d+$/.test(`${a}${b}`)) continue;
    for (const text of [`${a} ${b}`, `${a}${b}`])
      out.push({ category: 'address', keyword, tag, text, token: true });
  }
  return out;
}

/** One part of an address: its street's name (and the name's stem) with its house number near. */
function streetSeeds(part: string, keyword: string, tag: number): Seed[] {
  // A house number stands alone (the 1 of NW1 is the postcode's).
  const number = /(?<![\dA-Za-z])\d+(?:-\d+)*(?![A-Za-z\d])/u.exec(part)?.[0];
  if (!number) return [];
  const near = number.replace(/-/g, '\\-');
  const out: Seed[] = [];
  const add = (text: string) => out.push({ category: 'address', keyword, tag, text, token: true, near });
  for (const w of part.split(/[\s\d,.\-/]+/u)) {
    if (w === '' || STREET_WORDS.has(w.toLowerCase())) continue;
    if (CJK.test(w)) {
      // Written without spaces: the characters just before the number name the street (葵 1-4-7).
      for (const n of [1, 2, 3]) if ([...w].length >= n) add([...w].slice(-n).join(''));
      continue;
    }
    if ([...w].length < 4) continue;
    add(w);
    const stem = w.replace(STREET_SUFFIX, '');
    if (stem !== w && [...stem].length >= 4) add(stem);
  }
  return out;
}

/** Words that say what an institution is, not which one. */
const INSTITUTION_WORDS = new RegExp(
  `\\b(${[
    'hospital\\w*|clinics?|infirmary|medical|cent(?:er|re)|health(?:care)?|universit\\w*|klinik(?:um)?',
    'krankenhaus|h[oô]pital|ospedale|ziekenhuis|szpital|trust|nhs|foundation|general|the|of',
  ].join('|')})\\b`,
  'giu',
);

/** An institution without the words that say what it is: Royal Free Hospital → Royal Free. */
export function institutionSeeds(value: string, keyword: string, tag: number): Seed[] {
  const core = value.replace(INSTITUTION_WORDS, ' ').replace(/\s+/g, ' ').trim();
  if (core === value.trim() || [...core].length < 6 || !/\s/.test(core)) return [];
  return [{ category: 'institution', keyword, tag, text: core }];
}
