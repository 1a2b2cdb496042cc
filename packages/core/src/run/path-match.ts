/**
 * Comparing path components with identifying values. People name folders and files after
 * patients in every way they can type them, and file systems store those names in their own
 * ways, so both sides are brought to one form first:
 * - Unicode: composed (Linux, Windows) or decomposed (macOS, zips made on a Mac) → one form,
 *   accents folded (Müller = Muller = Müller), compatibility forms unified (full-width digits);
 * - common transliterations: ü→ue, ß→ss, ø→o/oe, æ→ae, ł→l, Cyrillic to Latin (Иванов = Ivanov);
 * - separators and case dropped (`Mueller_Juergen`, `mueller-juergen`, `MUELLER JUERGEN`);
 * - a compound family name also by its parts (`Lopez` for GARCIA-LOPEZ);
 * - identifiers also by their digits (`4471923` for MRN-4471923), dates by the digit forms people
 *   write in names (`710218`, `180271`, `04.05.23`, `20230504`).
 */
import { parseDA } from '../identity/dates.js';
import { foldString } from '../scrub/fold.js';

/** Letters NFKD leaves whole, as people write them in ASCII (first spelling is the usual one). */
const LATIN: Readonly<Record<string, readonly string[]>> = {
  ß: ['ss'],
  ø: ['o', 'oe'],
  æ: ['ae'],
  œ: ['oe'],
  ł: ['l'],
  đ: ['d'],
  ð: ['d'],
  þ: ['th'],
  ı: ['i'],
};

/** Cyrillic letters in the usual romanisation, then a second common one where they differ. */
const CYRILLIC: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  (
    'а a|б b|в v|г g|д d|е e|ё e yo|ж zh|з z|и i|й y i|к k|л l|м m|н n|о o|п p|р r|с s|т t|у u|' +
    'ф f|х kh h|ц ts|ч ch|ш sh|щ shch|ъ |ы y|ь |э e|ю yu iu|я ya ia|і i|ї yi|є ye|ґ g'
  )
    .split('|')
    .map((e) => {
      const [c, ...forms] = e.split(' ');
      return [c as string, forms.length ? forms : ['']];
    }),
);

const NOT_ALNUM = /[^\p{L}\p{N}]+/gu;

/** One spelling: composed, folded, lower case, letters and digits only. */
export function pathFold(s: string): string {
  return foldString(s.normalize('NFC')).replace(NOT_ALNUM, '');
}

/**
 * Every ASCII spelling of a folded string the tables give (at most a few: the first and the
 * alternative spelling of every letter, not their combinations).
 */
function spellingsOf(folded: string): string[] {
  const first: string[] = [];
  const second: string[] = [];
  let differs = false;
  for (const c of folded) {
    const t = LATIN[c] ?? CYRILLIC[c];
    first.push(t ? (t[0] as string) : c);
    second.push(t ? (t[1] ?? (t[0] as string)) : c);
    if (t?.[1] !== undefined) differs = true;
  }
  const a = first.join('');
  return differs ? [a, second.join('')] : [a];
}

/** The forms of one value to look for: its folded spellings, and the parts of a compound name. */
export function valueForms(value: string, minLength: number): string[] {
  const out = new Set<string>();
  const add = (s: string) => {
    const f = pathFold(s);
    if (f.length < minLength) return;
    out.add(f);
    for (const sp of spellingsOf(f)) if (sp.length >= minLength) out.add(sp);
  };
  add(value);
  // German umlauts written out (Müller → Mueller): NFKD would only drop the dots.
  const nfc = value.normalize('NFC');
  const german = nfc.replace(/[äÄ]/g, 'ae').replace(/[öÖ]/g, 'oe').replace(/[üÜ]/g, 'ue');
  if (german !== nfc) add(german);
  const parts = value.split(/[-'’\s]+/u).filter(Boolean);
  if (parts.length > 1) for (const p of parts) if (pathFold(p).length >= 3) add(p);
  return [...out];
}

/** A path component in the forms it is compared in: folded, and transliterated. */
export interface ComponentForms {
  readonly folded: readonly string[];
  /** Its words (folded), for short values that must stand alone. */
  readonly words: readonly string[];
  /** Digit runs, and runs of short digit groups joined (`04.05.23` → `040523`, `4.5.23` → `040523`). */
  readonly digits: readonly string[];
}

const pad2 = (g: string) => (g.length === 1 ? `0${g}` : g);

export function componentForms(component: string): ComponentForms {
  const nfc = component.normalize('NFC');
  const f = pathFold(nfc);
  const words = foldString(nfc)
    .split(NOT_ALNUM)
    .filter(Boolean)
    .flatMap((w) => [w, ...spellingsOf(w)]);
  const digits = new Set<string>();
  const runs = nfc.match(/\p{N}+(?:[._\-/ ]\p{N}+)*/gu) ?? [];
  for (const run of runs) {
    const groups = foldString(run).split(/[._\-/ ]/);
    for (const g of groups) digits.add(g);
    // Three groups of a date (d.m.yy, yyyy-m-d): joined with one- and two-digit groups padded.
    for (let i = 0; i + 3 <= groups.length; i++) {
      const three = groups.slice(i, i + 3);
      if (three.every((g) => g.length <= 4)) digits.add(three.map(pad2).join(''));
    }
  }
  return { folded: [...new Set([f, ...spellingsOf(f)])], words: [...new Set(words)], digits: [...digits] };
}

/** The digit forms of a date people write in file and folder names. */
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
  ];
}

/** The digits of an identifier worth looking for alone: a run of five or more. */
export function idDigits(id: string): string[] {
  return (id.match(/\d{5,}/g) ?? []).flatMap((d) => {
    const unpadded = d.replace(/^0+/, '');
    return unpadded.length >= 5 && unpadded !== d ? [d, unpadded] : [d];
  });
}
