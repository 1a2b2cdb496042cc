/**
 * A word written in two scripts at once (Ивaнов with a Latin a, Παπαδoπουλος with a Latin o,
 * Ѕmith with a Cyrillic Ѕ): a keyboard switched mid-word, a name pasted from another system, or
 * someone evading a filter. Such a word matches no name in either script, so before matching,
 * the letters of the word's other scripts that look like letters of its main script are read as
 * those (by their written form: Latin H is Cyrillic Н and Greek Η, Latin h is neither; an accented
 * letter by its base: the á of Ивáнов is а). The main script is the one whose look-alikes cover
 * every other letter of the word (ПETPOB is Cyrillic: П has no Latin look-alike, while E, T, P,
 * O, B all have Cyrillic ones); if several do, the one with most letters (ЅMITH with a Cyrillic
 * Ѕ is Latin), then a script other than Latin. Only matching sees this: edits are made on the characters as written.
 */

type Script = 'latin' | 'cyrillic' | 'greek';

/** Pairs "written letter target letter", targets folded (lower case). */
const pairs = (spec: string): ReadonlyMap<string, string> =>
  new Map(spec.split(' ').map((p) => [p[0] as string, p[1] as string]));

/** What a letter of another script reads as in a word of `script`. */
const READ_AS: Readonly<Record<Script, ReadonlyMap<string, string>>> = {
  cyrillic: pairs(
    'Aа aа Bв Cс cс Eе eе Hн Iі iі Kк kк Mм Oо oо Pр pр Tт Xх xх Yу yу ' +
      'Αа Βв Εе Ηн Ιі Κк Μм Οо οо Ρр Τт Χх Υу',
  ),
  greek: pairs(
    'Aα Bβ Eε Hη Iι iι Kκ kκ Mμ Nν vν Oο oο Pρ Tτ uυ Xχ xχ Yυ Zζ ' +
      'Аα Вβ Еε Нη Іι іι Кκ кκ Мμ Оο оο Рρ Тτ Хχ хχ',
  ),
  latin: pairs(
    'Аa аa Вb Сc сc Еe еe Нh һh Іi іi Јj јj Кk кk Мm Оo оo Рp рp Ѕs ѕs Тt Хx хx Уy уy ' +
      'Αa Βb Εe Ηh Ιi ιi Κk κk Μm Νn νv Οo οo Ρp Τt τt υu Χx Υy Ζz',
  ),
};

function scriptOf(c: string): Script | undefined {
  const u = c.codePointAt(0) as number;
  if (u >= 0x0400 && u <= 0x052f) return 'cyrillic';
  if (u >= 0x0370 && u <= 0x03ff) return 'greek';
  if ((u >= 0x41 && u <= 0x5a) || (u >= 0x61 && u <= 0x7a) || (u >= 0xc0 && u <= 0x24f)) return 'latin';
  return undefined;
}

/** Both Latin and Cyrillic or Greek letters somewhere: the only texts that can hold such a word. */
const LATIN = /[A-Za-z]/;
const OTHER = /[\u0370-\u03ff\u0400-\u052f]/;
export const mayMixScripts = (text: string): boolean => LATIN.test(text) && OTHER.test(text);

/**
 * The folded text with each mixed-script word's look-alike letters read in its main script.
 * `folded` maps one to one onto the written characters through `origin` (fold.ts); a folded unit
 * is replaced only where its written character is one letter folded to one unit.
 */
export function unmixScripts(folded: string, chars: readonly string[], origin: readonly number[]): string {
  const out = folded.split('');
  let runStart = -1;
  for (let i = 0; i <= out.length; i++) {
    const isLetter = i < out.length && /\p{L}/u.test(out[i] as string);
    if (isLetter && runStart < 0) runStart = i;
    if (!isLetter && runStart >= 0) {
      readRun(out, chars, origin, runStart, i);
      runStart = -1;
    }
  }
  return out.join('');
}

/** A written letter's look-alike in `script` (an accented letter by its base letter). */
function readAs(script: Script, written: string): string | undefined {
  const table = READ_AS[script];
  return table.get(written) ?? table.get(written.normalize('NFD').charAt(0));
}

function readRun(
  out: string[],
  chars: readonly string[],
  origin: readonly number[],
  from: number,
  to: number,
): void {
  const count: Record<Script, number> = { latin: 0, cyrillic: 0, greek: 0 };
  for (let i = from; i < to; i++) {
    const s = scriptOf(chars[origin[i] as number] as string);
    if (s) count[s]++;
  }
  const present = (Object.keys(count) as Script[]).filter((s) => count[s] > 0);
  if (present.length < 2) return;
  const covers = (main: Script): boolean => {
    for (let i = from; i < to; i++) {
      const written = chars[origin[i] as number] as string;
      const s = scriptOf(written);
      if (s !== undefined && s !== main && readAs(main, written) === undefined) return false;
    }
    return true;
  };
  // Covering first, then most letters, then a script other than Latin (ЅMITH is Latin: four of five).
  const rank = (s: Script) => (covers(s) ? 4096 : 0) + count[s] * 2 + (s === 'latin' ? 0 : 1);
  const main = present.reduce((a, b) => (rank(b) > rank(a) ? b : a));
  for (let i = from; i < to; i++) {
    const written = chars[origin[i] as number] as string;
    if (scriptOf(written) === main) continue;
    const as = readAs(main, written);
    if (as !== undefined && (i + 1 >= to || origin[i + 1] !== origin[i])) out[i] = as;
  }
}

/** Letters only other languages' Cyrillic has, each the look-alike of a Latin one (Ѕ, І, Ј, Һ). */
const DISGUISING = /[ЅѕІіЈјҺһ]/u;

/**
 * A word written wholly in Cyrillic look-alikes of Latin letters (ЅМІТН for SMITH), read as the
 * Latin word it shows; undefined for any other word. Only a word with a letter Russian does not
 * use (Ѕ, І, Ј, Һ) and four letters or more: ТОМ (volume) and СОК are Cyrillic words, not Tom or
 * Cok, and a Ukrainian word with і has letters without look-alikes (лікар).
 */
export function latinDisguise(written: string): string | undefined {
  if ([...written].length < 4 || !DISGUISING.test(written)) return undefined;
  let out = '';
  for (const c of written) {
    if (scriptOf(c) !== 'cyrillic') return undefined;
    const as = READ_AS.latin.get(c);
    if (as === undefined) return undefined;
    out += as;
  }
  return out;
}
