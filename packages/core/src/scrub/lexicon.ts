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

export type Boundary = 'letter' | 'alnum' | 'uid';

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
  readonly size: number;
}

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

class LexiconBuilder {
  readonly words = new Map<string, FindingKind>();
  readonly phrases = new Map<string, Phrase>();
  readonly cjk = new Set<string>();
  readonly digits = new Set<string>();
  readonly initials: RegExp[] = [];

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
    this.addWord(token, 'name');
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
      case 'phone':
        this.addPhrase(v.text, 'phone', 'alnum');
        this.addDigits(v.text);
        break;
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
    for (const tok of foldString(text).split(/[^\p{L}\p{N}'’-]+/u)) {
      if (/\d/.test(tok)) {
        if (tok.length >= 4) this.addPhrase(tok, kind, 'alnum'); // a postcode, a house number with a letter
      } else if (tok.length >= 3 && !COMMON_WORDS.has(tok)) this.addWord(tok, kind);
    }
  }

  /** J.S., J. S., JS (and with the middle initial) for a patient "SMITH^JOHN^PETER". */
  addInitials(family: string, given: readonly string[]): void {
    const letters = [...given, family].map((n) => n.trim()[0]).filter((c): c is string => !!c);
    if (letters.length < 2 || letters.some((c) => !/\p{Lu}|\p{Ll}/u.test(c))) return;
    const orders = [letters, [letters[letters.length - 1] as string, ...letters.slice(0, -1)]];
    for (const order of orders) {
      const body = order.map((c) => c.toUpperCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\.? ?');
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
      size: this.words.size + this.phrases.size + this.cjk.size + this.digits.size,
    };
  }
}

/**
 * A lexicon from identifying values (see deid/identifying.ts) and the patient's name
 * ("FAMILY^GIVEN^MIDDLE", for initials).
 */
export function buildLexicon(values: Iterable<IdentifyingValue>, patientName = ''): Lexicon {
  const b = new LexiconBuilder();
  for (const v of values) b.addValue(v);
  const alphabetic = patientName.split('=')[0] ?? '';
  const [family = '', given = '', middle = ''] = alphabetic.split('^');
  if (family && given) b.addInitials(family, [given, ...(middle ? [middle] : [])]);
  return b.build();
}
