/**
 * The identifying values known for a file (its own, its patient's other files', every person
 * name of the run) as needles for free text. Each kind matches the way such values reappear
 * when people retype them:
 * - name tokens as whole words, accent-folded, with the apostrophe or hyphen dropped or kept
 *   (`OBrien`, `O'Brien`), either half of a double-barrelled name; CJK tokens anywhere (those
 *   scripts have no spaces between words), never a single ideograph alone;
 * - identifiers and phone numbers also by their digits, whatever the separators or prefix
 *   (`MRN 004-829-13`, `(555) 123 4567`), with and without leading zeros;
 * - addresses and institutions whole, and by their distinctive words (not "Street", "Hospital");
 * - the patient's initials (`J.S.`, `JS`) in capitals only.
 */
import type { IdentifyingValue } from '../deid/identifying.js';
import type { FindingKind } from './edit.js';
import { foldString } from './fold.js';
import { NameVariants } from './name-variants.js';
import { NativeSpellings } from './native-spellings.js';
import { nicknamesOf } from './nicknames.js';

export type Boundary = 'letter' | 'alnum' | 'uid' | 'digit';

export interface Phrase {
  readonly text: string;
  readonly kind: FindingKind;
  readonly boundary: Boundary;
}

export interface Lexicon {
  /** Folded single words, apostrophes and hyphens dropped: matched as whole words. */
  readonly words: ReadonlyMap<string, FindingKind>;
  /** Folded values with spaces or punctuation, matched where they stand. */
  readonly phrases: readonly Phrase[];
  /** CJK name tokens (two characters or more) matched inside any run of CJK text. */
  readonly cjk: ReadonlySet<string>;
  readonly cjkLongest: number;
  /** Digit strings (six or more) of identifiers and phone numbers. */
  readonly digits: ReadonlySet<string>;
  /** The patient's initials, case-sensitive, on the original text. */
  readonly initials: readonly RegExp[];
  /** Cyrillic and Greek names in the spellings no romanisation system gives (`Iurii`, `Παπαδοπούλου`). */
  readonly variants: NameVariants;
  /** Latin names as text writes them in Cyrillic or Greek (`Иванов` for IVANOV). */
  readonly nativeSpellings: NativeSpellings;
  /** Other forms of its given names (`bob` for Robert, folded): found only written as a name (`Bob`). */
  readonly nicknames: ReadonlySet<string>;
  readonly size: number;
}

/**
 * A lexicon of phrases only (no words, digit runs, CJK tokens or initials), such as a file's
 * own UIDs: a few substring searches. What is worked out under the other lexicons of a series
 * is remembered (scrub/scrub.ts, run/layout.ts); these are searched on every use.
 */
export const phrasesOnly = (l: Lexicon): boolean =>
  l.words.size === 0 && l.digits.size === 0 && l.cjk.size === 0 && l.initials.length === 0;

export const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Words of addresses and institution names that identify nothing on their own. */
const COMMON_WORDS = new Set(
  (
    'street st road rd avenue ave lane ln drive dr boulevard blvd way court ct place pl square sq ' +
    'rue avenue chemin strasse str platz weg calle avenida via viale piazza straat laan plein ' +
    'north south east west upper lower new old saint the and of de la le du des der die das van ' +
    'hospital hopital klinik clinic clinique clinica ospedale ziekenhuis hospitalier university ' +
    'universitat universite universidad universita medical medicine center centre centrum health ' +
    'healthcare care general royal national regional county city community memorial children ' +
    'childrens women womens imaging radiology department dept service services institute ' +
    'foundation trust group unit floor suite building apartment apt box room'
  ).split(' '),
);

/** After these a CJK address moves to its next, smaller unit (prefecture, city, ward, town, street). */
const CJK_ADDRESS_UNIT = /(?<=[都道府県市区町村郡省县區路街巷号號丁目])/u;

/** A street name as people shorten it: Lindenstraße → Lindenstr, Rue → (stays). */
function streetVariants(word: string): string[] {
  const m = /^(.{3,}?)(strasse|straße|strase)$/.exec(word);
  return m ? [`${m[1]}str`] : [];
}

class LexiconBuilder {
  readonly words = new Map<string, FindingKind>();
  readonly phrases = new Map<string, Phrase>();
  readonly cjk = new Set<string>();
  readonly digits = new Set<string>();
  readonly initials: RegExp[] = [];
  readonly variants = new NameVariants();
  readonly nativeSpellings = new NativeSpellings();
  readonly nicknames = new Set<string>();

  /**
   * The short forms of the patient's own names (PatientName, OtherPatientNames, birth name: PN
   * values), each part's of a double one (Anna-Maria: Ania, Marysia). Not of a physician's or an
   * operator's: one William among them would cut `Will` from every file they appear in.
   */
  addShortForms(pn: string): void {
    for (const token of foldString(pn).split(/[\s^=,.\\'’-]+/))
      for (const form of nicknamesOf(token) ?? []) if (!this.words.has(form)) this.nicknames.add(form);
  }

  addWord(word: string, kind: FindingKind): void {
    const w = foldString(word);
    const joined = w.replace(/['’-]/g, '');
    if (joined.length >= 2 && !this.words.has(joined)) this.words.set(joined, kind);
    for (const part of w.split(/['’-]/))
      if (part.length >= 2 && !this.words.has(part)) this.words.set(part, kind);
  }

  addPhrase(text: string, kind: FindingKind, boundary: Boundary): void {
    const t = foldString(text).trim();
    if (t.length >= 4 && !this.phrases.has(t)) this.phrases.set(t, { text: t, kind, boundary });
  }

  addDigits(text: string): void {
    const d = text.replace(/\D/g, '');
    if (d.length >= 6) this.digits.add(d);
    const unpadded = d.replace(/^0+/, '');
    if (unpadded.length >= 6) this.digits.add(unpadded);
  }

  addName(token: string): void {
    if (CJK.test(token)) {
      if ([...token].length >= 2) this.cjk.add(token);
      return;
    }
    // A name in parts ("gil dong") stands as a phrase; a single token as a word.
    if (/\s/.test(token.trim())) this.addPhrase(token, 'name', 'letter');
    else {
      this.addWord(token, 'name');
      this.variants.add(token, 'name');
      this.nativeSpellings.add(token, 'name');
    }
  }

  addValue(v: IdentifyingValue): void {
    switch (v.category) {
      case 'name':
        this.addName(v.text);
        break;
      case 'id':
        if (v.text.trim().length >= 4) this.addPhrase(v.text, 'id', 'alnum');
        this.addDigits(v.text);
        break;
      case 'phone': {
        this.addPhrase(v.text, 'phone', 'alnum');
        // Written without the country code or the trunk 0: the number's last 7 digits or more.
        const d = v.text.replace(/\D/g, '');
        for (let n = 7; n <= d.length; n++) this.digits.add(d.slice(-n));
        break;
      }
      case 'address':
      case 'institution':
        this.addPhrase(v.text, v.category, 'letter');
        this.addDistinctiveWords(v.text, v.category);
        break;
      case 'date':
        this.addPhrase(v.text, 'date', 'alnum');
        break;
      case 'uid':
        this.addPhrase(v.text, 'uid', 'uid');
        break;
    }
  }

  addDistinctiveWords(text: string, kind: FindingKind): void {
    const toks = foldString(text).split(/[^\p{L}\p{N}'’-]+/u);
    // A postcode in two parts is also written as one: "1015 CJ" → 1015cj, "SW1A 1AA" → sw1a1aa.
    toks.forEach((tok, i) => {
      const next = toks[i + 1] ?? '';
      if (/\d/.test(tok + next) && tok.length <= 4 && next.length >= 2 && next.length <= 3)
        this.addPhrase(tok + next, kind, 'alnum');
    });
    if (kind === 'institution') this.addAcronym(toks);
    for (const tok of toks) {
      // A postcode or a house number with its letter (SW1A, 12b, 75004, 62704-1234).
      if (/\d/.test(tok) && tok.length >= 4) this.addPhrase(tok, kind, 'alnum');
      // 東区葵1-4-7 is also written 葵1-4-7: the smallest unit with its house number.
      const house = /^(\p{L}*?)(\d[\d-]*)$/u.exec(tok);
      if (house && CJK.test(house[1] as string)) {
        const unit = (house[1] as string).split(CJK_ADDRESS_UNIT).pop() as string;
        this.addPhrase(unit + house[2], kind, 'digit');
      }
      // Letters and numbers apart: 桜町3-5-1 is the word 桜町 and a house number.
      for (const word of tok.split(/[\d'’-]+/)) {
        if (CJK.test(word)) {
          // Written without spaces: 東京都千代田区桜町 is also said 千代田区 or 桜町 alone.
          for (const part of [word, ...word.split(CJK_ADDRESS_UNIT)])
            if ([...part].length >= 2) this.cjk.add(part);
        } else if (word.length >= 3 && !COMMON_WORDS.has(word)) {
          this.addWord(word, kind);
          for (const v of streetVariants(word)) this.addWord(v, kind);
        }
      }
    }
  }

  /** An institution by its initials: St Mary's Hospital → SMH, Onze Lieve Vrouwe Gasthuis → OLVG. */
  addAcronym(toks: readonly string[]): void {
    const initials = toks
      .filter((t) => /^\p{L}/u.test(t) && !['of', 'the', 'and', 'de', 'la', 'le', 'der', 'van'].includes(t))
      .map((t) => t[0])
      .join('');
    if (initials.length >= 3 && !CJK.test(initials)) this.addWord(initials, 'institution');
  }

  /** J.S., J. S., JS, N.T.L. for "SMITH^JOHN", "Nguyễn^Thị Lan": given names first or family first. */
  addInitials(pn: string): void {
    const [family = '', given = '', middle = ''] = (pn.split('=')[0] ?? '').split('^');
    // First letters as written and folded: Ç or C, Ł or L.
    const firsts = (s: string) =>
      s
        .split(/[\s.,]+/)
        .map((t) => [...t][0])
        .filter((c): c is string => !!c && /\p{L}/u.test(c) && !CJK.test(c))
        .map((c) => {
          const both = new Set([c.toUpperCase(), foldString(c).toUpperCase()]);
          return `[${[...both].map((x) => x.replace(/[\\\]^-]/g, '\\$&')).join('')}]`;
        });
    const givens = [...firsts(given), ...firsts(middle)];
    const fam = firsts(family).slice(0, 1);
    if (givens.length === 0 || fam.length === 0) return;
    for (const order of [
      [...givens, ...fam],
      [...fam, ...givens],
    ]) {
      const body = order.join('\\.? ?');
      this.initials.push(new RegExp(`(?<![\\p{L}\\p{N}])${body}\\.?(?![\\p{L}\\p{N}])`, 'gu'));
    }
  }

  build(): Lexicon {
    const cjkLongest = Math.max(0, ...[...this.cjk].map((t) => [...t].length));
    return {
      words: this.words,
      phrases: [...this.phrases.values()],
      cjk: this.cjk,
      cjkLongest,
      digits: this.digits,
      initials: this.initials,
      variants: this.variants,
      nativeSpellings: this.nativeSpellings,
      nicknames: this.nicknames,
      size: this.words.size + this.phrases.size + this.cjk.size + this.digits.size,
    };
  }
}

/**
 * A lexicon from identifying values (see deid/identifying.ts) and the patient's own names
 * (PatientName, OtherPatientNames, PatientBirthName as PN values, for initials).
 */
export function buildLexicon(
  values: Iterable<IdentifyingValue>,
  patientNames: readonly string[] = [],
  opts: { readonly shortForms?: boolean } = {},
): Lexicon {
  const b = new LexiconBuilder();
  for (const v of values) b.addValue(v);
  for (const pn of patientNames) for (const value of pn.split('\\')) b.addInitials(value);
  if (opts.shortForms) for (const pn of patientNames) b.addShortForms(pn);
  return b.build();
}
