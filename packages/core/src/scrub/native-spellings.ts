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
/**
 * Names shorter than this are also words of Russian and Greek reports (Масса, Рана, Поле, Сила;
 * Κάτω, Σήμα, Ρίζα): such a name is taken only where the words around it say it is one
 * (scrub/native-context.ts).
 */
const SHORT_KEY = 6;
/** Keys are first screened by their first letters: most words of a report share none with a name. */
const PREFIX = 2;

/**
 * What a Latin spelling of a name and a romanisation of its native form may disagree on and
 * still be one spelling: ye, yo, je, jo and e (Sergeyev, Yegorov, Semyon, Fyodorov: Сергеев,
 * Егоров, Семен, Федоров — ё is mostly written е); j, y and i, and i doubled by them (Yuriy,
 * Jurij, Iurii, Yuri: Юрий; Maria: Мария); x and ks (Alexei); kh, ch and h (Khristos, Christos,
 * Hristos: Χρήστος); ph and f (Stephanos, Sophia); c and k before a, o, u or a consonant
 * (Constantinos); a doubled consonant
 * (Savvidis, Filippos, Kirill). Not w and v, nor doubled vowels: `Moore` would be море (sea),
 * `Wood` вод (of waters).
 */
export const spellingKey = (latin: string): string =>
  latin
    .replace(/(^|.)([yj])([eo])/g, (_, before: string, _y: string, v: string) =>
      before === '' && v === 'o' ? `${before}yo` : `${before}e`,
    )
    .replace(/[kc]h/g, 'h')
    .replace(/ph/g, 'f')
    .replace(/c(?![eiyz])/g, 'k')
    .replace(/[jy]/g, 'i')
    .replace(/i+/g, 'i')
    .replace(/x/g, 'ks')
    .replace(/([b-df-hj-np-tv-z])\1+/g, '$1');

/**
 * A name's cases and the nominative each comes from, on lower-case letters (й and ё kept; Greek
 * folded, σ for ς): the reverse of the declensions of name-variants.ts. Юрия, Юрием → Юрий;
 * Игоря → Игорь; Анны, Анной → Анна; Марии → Мария; Иванова, Ивановым → Иванов; Γεωργίου →
 * Γεωργιοσ; Ελένης → Ελένη.
 */
const VOWELS = 'аеиоуыэюяіїєё';
const HARD = 'бвгдзклмнпрстфхцчшщ';
const REVERSE: ReadonlyArray<readonly [RegExp, string]> = [
  // -ий, -ей, -ай, Ukrainian -ій names: Юрия, Юрием, Юрію, Юрієм → Юрий, Юрій
  [new RegExp(`(?<=[${VOWELS}])(?:я|ю|ем|єм|е|и|ї)$`, 'u'), 'й'],
  // -ь names: Игоря, Игорем → Игорь
  [new RegExp(`(?<=[${HARD}])(?:я|ю|ем|е|и)$`, 'u'), 'ь'],
  [/(?:ы|и|е|у|ой|ою|ей|ею|і)$/u, 'а'],
  [/(?:и|е|ю|ей|ею|ї|єю)$/u, 'я'],
  // consonant-final names and surnames: Иванова, Ивановым, Тарасові → Иванов, Тарас
  [new RegExp(`(?<=[${HARD}])(?:а|у|е|ом|ым|ой|ою|ых|ыми|ого|ому|ую|ая|ові|еві|і)$`, 'u'), ''],
  // Ukrainian -о names: Петра, Дмитра, Коваленка, Петрові → Петро, Дмитро, Коваленко
  [new RegExp(`(?<=[${HARD}])(?:а|у|ом|ові|і)$`, 'u'), 'о'],
  // surnames declined as adjectives: Сокольского → Сокольский, Ковальской → Ковальская,
  // Толстого → Толстой
  [/(?<=[сц]к)(?:ого|ому|им|ом|ие|их|ими)$/u, 'ий'],
  [/(?<=[сц]к)(?:ой|ую|ая)$/u, 'ая'],
  [/(?:ого|ому)$/u, 'ой'],
  // Greek: Γεωργίου → Γεωργιοσ, Ελένης → Ελένη
  [/(?:ου|ο|ε|ων|οι|ουσ)$/u, 'οσ'],
  // Ιωάννου, Ιωάννη → Ιωάννης
  [/(?:ου|η|ην)$/u, 'ησ'],
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
  // A fleeting vowel back in its place, the case ending dropped: Павла → Павел.
  const fleeting = new RegExp(`^(.+[${HARD}])([лвнкр])(?:а|у|ом|е)$`, 'u').exec(word);
  if (fleeting) out.add(`${fleeting[1]}е${fleeting[2]}`).add(`${fleeting[1]}о${fleeting[2]}`);
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

  /**
   * A name token: only one in Latin letters (accents folded) of four letters or more adds itself,
   * and each part of a double one (IVANOVA-SOKOLOVA: Соколовой).
   */
  add(token: string, kind: FindingKind): void {
    const folded = foldString(token.normalize('NFC'));
    for (const name of new Set([folded.replace(/['’-]/g, ''), ...folded.split(/['’-]/)])) {
      if (name.length < NAME_MIN || !LATIN_WORD.test(name)) continue;
      const key = spellingKey(name);
      if (this.#keys.has(key)) continue;
      this.#keys.set(key, kind);
      this.#prefixes.add(key.slice(0, PREFIX));
    }
  }

  /**
   * The kind of a Cyrillic or Greek word of text that spells one of these names, and whether the
   * name is short (under SHORT_KEY letters: Нина, Марк, Роза — such a name is also a word). The
   * word as written (a stress mark or a decomposed ё is dropped, ё and й kept), or, when it holds
   * letters of another script (Ивaнов with a Latin a), as folded text reads it.
   */
  match(written: string, folded: string): { kind: FindingKind; short: boolean } | undefined {
    if (this.#keys.size === 0) return undefined;
    const clean = written.normalize('NFC').replace(/\p{M}/gu, '').toLowerCase();
    // Folded text has й as и: a declined form's ending (Пeтровой with a Latin e) gets it back.
    const lower = NATIVE_WORD.test(clean)
      ? clean
      : NATIVE_WORD.test(folded)
        ? folded.replace(/(?<=[аеоуыэюя])и$/u, 'й')
        : undefined;
    if (lower === undefined || [...lower].length < NAME_MIN || CLINICAL_WORDS.has(lower)) return undefined;
    // Greek accents move as a name declines (Γεώργιος, Γεωργίου): compared without them.
    const word = GREEK.test(lower) ? foldString(lower).replace(/ς/g, 'σ') : lower;
    if (!keysOf(word).some((k) => this.#prefixes.has(k.slice(0, PREFIX)))) return undefined;
    for (const form of nominatives(word)) {
      for (const k of keysOf(form)) {
        const kind = this.#keys.get(k);
        if (kind) return { kind, short: k.length < SHORT_KEY };
      }
    }
    return undefined;
  }
}
