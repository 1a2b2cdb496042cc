/**
 * A name the header holds in Latin letters, written in Cyrillic or Greek in text: IVANOV^YURIY
 * and `Иванов`, `Юрия`, `Ивановой`; PAPADOPOULOS and `Παπαδόπουλος`, `Παπαδοπούλου`. Registries
 * and foreign systems often store only a romanised name, while the report is typed in the
 * patient's own script. Guessing the native spelling from the Latin one is ambiguous (ks or кс,
 * e or е or э), so the other direction is taken: a Cyrillic or Greek word of text is spelled in
 * Latin letters by every romanisation system (romanise.ts), from its own form and from its
 * nominatives (a case ending swapped for the endings names have: Юрия → Юрий, Анны → Анна),
 * and compared with the Latin names by the loose key of name-variants.ts (Yuriy, Yuri and
 * Iurii alike). Only equal keys match — no stem, no vowel apart: a Latin name's spelling is all
 * there is to go on, and Russian and Greek words meet far more Latin names than the reverse.
 */
import type { FindingKind } from './edit.js';
import { foldString } from './fold.js';
import { memo } from './memo.js';
import { romanisations } from './romanise.js';

const LATIN_WORD = /^[a-z]+$/;
const NATIVE_WORD = /^[\p{Script=Cyrillic}\p{Script=Greek}]+$/u;
const GREEK = /\p{Script=Greek}/u;

/** Names and words shorter than this are not compared (Мая, of May, would be a Maya). */
const NAME_MIN = 4;
/** Keys are first screened by their first letters: most words of a report share none with a name. */
const PREFIX = 2;

/**
 * What a Latin spelling of a name and a romanisation of its native form may disagree on and
 * still be one spelling: j, y and i, and i doubled by them (Yuriy, Jurij, Iurii, Yuri: Юрий;
 * Maria: Мария), x and ks (Alexei, Алексей).
 * Nothing looser: with doubled letters or w and v made one, `Moore` would be море (sea) and
 * `Sammy` самый (most), `Wood` вод (of waters).
 */
export const spellingKey = (latin: string): string =>
  latin.replace(/[jy]/g, 'i').replace(/i+/g, 'i').replace(/x/g, 'ks');

/**
 * A name's cases and the nominative each comes from, on lower-case letters (й and ё kept; Greek
 * folded, σ for ς): the reverse of the declensions of name-variants.ts. Юрия, Юрием → Юрий;
 * Игоря → Игорь; Анны, Анной → Анна; Марии → Мария; Иванова, Ивановым → Иванов; Γεωργίου →
 * Γεωργιοσ; Ελένης → Ελένη.
 */
const REVERSE: ReadonlyArray<readonly [RegExp, string]> = [
  [/(?<=[аеиоуыэюя])(?:я|ю|ем|е|и)$/u, 'й'],
  [/(?<=[бвгдзклмнпрстфхцчшщ])(?:я|ю|ем|е|и)$/u, 'ь'],
  [/(?:ы|и|е|у|ой|ою|ей|ею)$/u, 'а'],
  [/(?:и|е|ю|ей|ею)$/u, 'я'],
  [/(?<=[бвгдзклмнпрстфхцчшщ])(?:а|у|е|ом|ым|ой|ою|ых|ым|ыми|ого|ому|ой|ую|ая)$/u, ''],
  [/(?:ου|ο|ε|ων|οι|ουσ)$/u, 'οσ'],
  [/(?<=[ηα])(?:σ|ν)$/u, ''],
  [/(?<=[ηα])ν$/u, 'σ'],
  [/(?<=[ηα])$/u, 'σ'],
];

/** The Latin keys of a native word, one per romanisation. */
const keysOf = memo((word: string): string[] => [
  ...new Set(
    romanisations(word)
      .filter((r) => LATIN_WORD.test(r))
      .map(spellingKey),
  ),
]);

/** The word and the nominatives it may be a case of (NAME_MIN letters or more). */
function nominatives(word: string): string[] {
  const out = new Set([word]);
  for (const [ending, nominative] of REVERSE) {
    const form = word.replace(ending, nominative);
    if (form !== word && [...form].length >= NAME_MIN) out.add(form);
  }
  return [...out];
}

/**
 * Common words of Russian reports that are also someone's Latin name: `В норме` (normal) for a
 * Norma. Kept: a name this common as a word cannot be told from the word.
 */
const CLINICAL_WORDS = new Set(['норма', 'нормы', 'норме', 'норму', 'нормой', 'вена', 'вены', 'вене']);

/** The Latin names of one lexicon, found where text writes them in Cyrillic or Greek. */
export class NativeSpellings {
  readonly #keys = new Map<string, FindingKind>();
  readonly #prefixes = new Set<string>();

  get size(): number {
    return this.#keys.size;
  }

  /** A name token: only one in Latin letters (accents folded) of four letters or more adds itself. */
  add(token: string, kind: FindingKind): void {
    const folded = foldString(token.normalize('NFC')).replace(/['’-]/g, '');
    if (folded.length < NAME_MIN || !LATIN_WORD.test(folded)) return;
    const key = spellingKey(folded);
    if (this.#keys.has(key)) return;
    this.#keys.set(key, kind);
    this.#prefixes.add(key.slice(0, PREFIX));
  }

  /** The kind of a Cyrillic or Greek word of text (as written) that spells one of these names. */
  match(written: string): FindingKind | undefined {
    if (this.#keys.size === 0 || written.length < NAME_MIN || !NATIVE_WORD.test(written)) return undefined;
    const lower = written.normalize('NFC').toLowerCase();
    if (CLINICAL_WORDS.has(lower)) return undefined;
    // Greek accents move as a name declines (Γεώργιος, Γεωργίου): compared without them.
    const word = GREEK.test(lower) ? foldString(lower).replace(/ς/g, 'σ') : lower;
    if (!keysOf(word).some((k) => this.#prefixes.has(k.slice(0, PREFIX)))) return undefined;
    for (const form of nominatives(word)) {
      for (const k of keysOf(form)) {
        const hit = this.#keys.get(k);
        if (hit) return hit;
      }
    }
    return undefined;
  }
}
