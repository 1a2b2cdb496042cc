/**
 * A Cyrillic or Greek name as people actually write it, beyond the romanisation systems of
 * romanise.ts: ЮРИЙ is also `Iurii`, `Youri`, `Juri`; АЛЕКСЕЙ `Aleksei`, `Alexey`; ФЁДОРОВ
 * `Fyodorov`, `Fedorov`; ΓΕΏΡΓΙΟΣ `Giorgos`, `Yiorgos`; ΠΑΠΑΔΌΠΟΥΛΟΣ `Papadopulos`, and inflected
 * (`Papadopoulou`, `Παπαδοπούλου`, `Ivanovoi`). No table can list every spelling, so a word of
 * text is compared with the name by a key that forgets what the spellings disagree on:
 * - Latin letters: j and y are i, w is v, x is ks, ph is f, kh and th are h and t, ou is u, a
 *   doubled letter is one; a leading g or i before e or i and a vowel is one i (Georgios,
 *   Giorgos, Yiorgos); io after a first consonant is e (Fyodorov, Fedorov); the old French
 *   ending -off is -ov (Smirnoff); -ios is -os (Georgios and Giorgos, Dimitrios); oy is ou
 *   (Papadopoylos); ye is e (Sergeyev, Sergeev; Yelena, Elena); gi before a vowel is i
 *   (Karagiannis, Karayannis);
 * - equal keys match; a word that is a name's stem (the name's last vowels and one s or m
 *   dropped) with a vowel-led ending matches (Ivanova, Papadopoulou) when the stem has six
 *   letters or more (five in Cyrillic or Greek); keys of seven letters or more one vowel apart
 *   (added, dropped or changed: Papadopolous) match. Consonants are where spellings of a name
 *   agree and words differ (`Polina` and `polling`); short words are where a vowel is all that
 *   tells a name from a word (`Timur`, `timer`; `Petros`, `petrous`).
 * Only names written in Cyrillic or Greek get these looser matches: for a Latin name the
 * spelling is the name (an edit away from `Hearn` is `heart`).
 */
import { foldString } from './fold.js';
import type { FindingKind } from './edit.js';
import { romanisations } from './romanise.js';

/**
 * Russian noun and adjective case endings (folded: й is и), and the -ов/-ев/-ин of a surname made
 * from a name: what follows a name in text (Иванова, Ивановым, Петровых, Семёнов).
 */
export const RUSSIAN_CASE_ENDINGS: ReadonlySet<string> = new Set(
  'а у ю е и ы ом ем ой еи ои ою ею ам ям ах ях ами ями ым им ых их ыми ими ого его ому ему ую юю ая яя ов ев ин ова ева ина'.split(
    ' ',
  ),
);

const CYRILLIC_OR_GREEK = /[\p{Script=Cyrillic}\p{Script=Greek}]/u;
const CYRILLIC = /\p{Script=Cyrillic}/u;
const LATIN_WORD = /^[a-z]+$/;

/** The key of a folded Latin word (see the module comment). */
export function latinKey(word: string): string {
  return word
    .replace(/x/g, 'ks')
    .replace(/ph/g, 'f')
    .replace(/kh/g, 'h')
    .replace(/th/g, 't')
    .replace(/ck/g, 'k')
    .replace(/w/g, 'v')
    .replace(/oy/g, 'ou')
    .replace(/ye/g, 'e')
    .replace(/[jy]/g, 'i')
    .replace(/ios$/, 'os')
    .replace(/g(?=i[aeiou])/g, '')
    .replace(/ou/g, 'u')
    .replace(/^[gi][ei](?=[aeiou])/, 'i')
    .replace(/^([^aeiou])io/, '$1e')
    .replace(/([oe])f+$/, '$1v')
    .replace(/(.)\1+/g, '$1');
}

/** A key without its case ending: its last vowels (Latin, Greek, Cyrillic) and one s, m or ν after them. */
export function stemOf(key: string): string {
  return key.replace(/[aeiouαεηιουωаеёиоуыэюяйь]+[sσmмν]?$|[sσ]$/u, '');
}

/** The letters of a declined form past what it shares with the name (Юрием: ем). */
function endingOf(form: string, native: string): string {
  let i = 0;
  while (i < form.length && form[i] === native[i]) i++;
  return form.slice(i);
}
const LATIN_WORTHY_ENDING = /^(?:..+|[яю])$/u;

/** A declined name's Latin spelling shorter than this is too often an English word's. */
const DECLINED_LATIN_MIN = 5;
/** Stems shorter than this are too often an English word's (`vital` for Vitaliy, `aleks` for alexia). */
const STEM_MIN_LATIN = 6;
const STEM_MIN_NATIVE = 5;
/** Keys a vowel apart from seven letters: shorter, too many words are (`petrous`, `median`, `melena`). */
const EDIT_MIN = 7;
const VOWEL_FIRST = /^[aeiouαεηιουωаеёиоуыэюяі]/u;
/** Past this many keys the one-vowel test is not made (each word meets every key of its consonants). */
const EDIT_KEYS_MAX = 65536;

/** A Latin key's consonants in order: keys a vowel apart have the same. */
const consonantsOf = (key: string): string => key.replace(/[aeiou]/g, '');

/** Whether a and b are at most `max` edits apart (insert, delete, substitute, swap two letters). */
export function withinEdits(a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  // Optimal string alignment distance, rows of the DP kept three at a time.
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (prev2[j - 2] as number) + 1);
      row.push(d);
      if (d < best) best = d;
    }
    if (best > max) return false;
    prev2 = prev;
    prev = row;
  }
  return (prev[b.length] as number) <= max;
}

/**
 * A Russian, Ukrainian or Greek name in its other cases, by the ending it has (folded: й is и,
 * accents gone, ς is σ): Юрий → Юрия, Юрием; Мария → Марии; Игорь → Игоря; Γιώργος → Γιώργου;
 * Ελένη → Ελένης. A name ending in a consonant (Иванов) is found with any ending already
 * (scrub/lexicon-match.ts), and surnames' stems by the stem rule.
 */
const DECLENSIONS: ReadonlyArray<readonly [RegExp, readonly string[]]> = [
  [/(?<=[аеиоуыэюя])и$/u, ['я', 'ю', 'ем', 'е']], // -ий, -ей, -ай
  [/ь$/u, ['я', 'ю', 'ем', 'е', 'и']],
  [/а$/u, ['ы', 'и', 'е', 'у', 'ои', 'еи', 'ою', 'ею']],
  [/я$/u, ['и', 'е', 'ю', 'еи', 'ею']],
  [/οσ$/u, ['ου', 'ο', 'ε', 'ων', 'οι', 'ουσ']],
  [/([ηα])σ$/u, ['$1', '$1ν']],
  [/([ηα])$/u, ['$1σ', '$1ν']],
];

/**
 * A Russian name whose last vowel drops when it is declined (a fleeting vowel): Павел → Павла,
 * Павлу, Павлом; Лев → Льва (after л the vowel leaves a soft sign); Орёл → Орла. Names of three
 * letters count here (Лев), where other endings are not tried.
 */
const FLEETING = /(?<=[бвгдзклмнпрстфхцчшщ])([ео])([лвнкр])$/u;
const FLEETING_ENDINGS = ['а', 'у', 'ом', 'е'];

function fleeting(native: string): string[] {
  const m = FLEETING.exec(native);
  if (!m || !/^\p{Script=Cyrillic}+$/u.test(native)) return [];
  const before = native.slice(0, m.index);
  const stem = `${before}${before.endsWith('л') && m[1] === 'е' ? 'ь' : ''}${m[2]}`;
  return FLEETING_ENDINGS.map((e) => stem + e);
}

/** Three-letter names whose fleeting-vowel forms are looked for (Сон would find сном, sleep). */
const SHORT_FLEETING = new Set(['лев']);

function declined(native: string): string[] {
  if ([...native].length < 4) return SHORT_FLEETING.has(native) ? fleeting(native) : [];
  for (const [ending, forms] of DECLENSIONS)
    if (ending.test(native)) return forms.map((f) => native.replace(ending, f));
  return fleeting(native);
}

/** The loose keys of the Cyrillic and Greek names of one lexicon. */
export class NameVariants {
  private readonly keys = new Map<string, FindingKind>();
  private readonly stems = new Map<string, FindingKind>();
  /** Keys of six letters or more by their consonants, for the one-vowel-apart test. */
  private readonly byConsonants = new Map<string, string[]>();
  private editable = 0;

  get size(): number {
    return this.keys.size;
  }

  /** A name token: only one with Cyrillic or Greek letters adds anything. */
  add(token: string, kind: FindingKind): void {
    if (!CYRILLIC_OR_GREEK.test(token)) return;
    const native = foldString(token.normalize('NFC')).replace(/[^\p{L}]/gu, '');
    this.addKey(native, kind);
    for (const r of romanisations(token)) if (LATIN_WORD.test(r)) this.addKey(latinKey(r), kind);
    // Its other cases, as written and, for a Cyrillic name, in Latin letters (Юрием, Yuriem; Игоря,
    // Igorya). The Latin ones are matched as they are (no stem, no vowel apart: `alexia` is one
    // vowel from Alekseia) and from five letters (Веры and Вере would be `very` and `were`).
    const cyrillic = CYRILLIC.test(native);
    for (const form of declined(native)) {
      this.addKey(form, kind);
      // A one-vowel ending reads as an English, German or French word's (Марине marine, Кларе
      // klare): only the longer ones and я, ю are looked for in Latin letters.
      if (!cyrillic || !LATIN_WORTHY_ENDING.test(endingOf(form, native))) continue;
      for (const r of romanisations(form)) {
        const key = LATIN_WORD.test(r) ? latinKey(r) : '';
        if (key.length >= DECLINED_LATIN_MIN && !this.keys.has(key)) this.keys.set(key, kind);
      }
    }
  }

  private addKey(key: string, kind: FindingKind): void {
    if (key.length < 3 || this.keys.has(key)) return;
    this.keys.set(key, kind);
    const stem = stemOf(key);
    if (stem.length >= (LATIN_WORD.test(key) ? STEM_MIN_LATIN : STEM_MIN_NATIVE) && !this.stems.has(stem))
      this.stems.set(stem, kind);
    if (key.length >= EDIT_MIN && LATIN_WORD.test(key)) {
      const consonants = consonantsOf(key);
      const list = this.byConsonants.get(consonants) ?? [];
      list.push(key);
      this.byConsonants.set(consonants, list);
      this.editable++;
    }
  }

  /** The kind of a folded word of text written as one of these names, if it is. */
  match(word: string): FindingKind | undefined {
    if (word.length < 4) return undefined;
    const latin = LATIN_WORD.test(word);
    const key = latin ? latinKey(word) : word;
    const exact = this.keys.get(key);
    if (exact) return exact;
    // A case ending: the word is the stem and a vowel-led ending (Ivanov-a, Papadopoul-ou), never
    // the stem alone or with an s (`vital`, `vitals` for Vitaliy).
    const stem = stemOf(key);
    if (VOWEL_FIRST.test(key.slice(stem.length))) {
      const s = this.stems.get(stem);
      if (s) return s;
    }
    if (!latin || key.length < EDIT_MIN || this.editable > EDIT_KEYS_MAX) return undefined;
    const consonants = consonantsOf(key);
    for (const k of this.byConsonants.get(consonants) ?? []) {
      if (withinEdits(key, k, 1)) return this.keys.get(k);
    }
    return undefined;
  }
}
