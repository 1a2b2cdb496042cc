/**
 * A name the source holds in Latin letters, written in Cyrillic or Greek in an output's text:
 * IVANOV^YURIY in the header, `Иванов`, `Юрия Ивановой` in a report. The byte search and the
 * folded search compare letters of one script; here each Cyrillic or Greek word is put in
 * Latin letters one common way and both sides are reduced to what romanisations disagree on
 * least (j, y and i one letter, doubled letters one, kh and h, ts and c, w and v), then a seed
 * is found at a word's start with at most a case ending after it (Иванов-ой, Юри-я), or its stem
 * is (Papadopoulos: Παπαδοπούλ-ου). This is
 * the verifier's own reading, not the engine's: it matches more loosely, as a reviewer would.
 */
import type { FileFinding, ScanContext } from './facts.js';
import { nameLeak } from './folded-names.js';
import type { Seed } from './seeds.js';
import { foldAccents, inLatinLetters } from './spellings.js';

/** A Latin name seed as a skeleton, with the seed it stands for. */
export interface NativeSeed {
  readonly skeleton: string;
  /** The skeleton without its ending (Papadopoulos → papadopul), when five letters or more are left. */
  readonly stem?: string;
  readonly seed: number;
}

const NATIVE = /[\p{Script=Cyrillic}\p{Script=Greek}]/u;
const WORD = /[\p{L}\p{M}]+/gu;
/** A case ending after a name: a vowel and at most two letters more (Иванов-ыми, Юри-ем; not -ский). */
const ENDING = /^(?:[aeiou][a-z]{0,2})?$/;
const SKELETON_MIN = 4;
/** Skeletons shorter than this are also words of Russian and Greek reports (Масса, Рана, Κάτω). */
const SHORT = 6;
const STEM_MIN = 5;

/** The letters romanisations of one name disagree on least (see the module comment). */
export function skeleton(latin: string): string {
  return latin
    .replace(/(.)[yj]([eo])/g, '$1e')
    .replace(/^[yj]e/, 'e')
    .replace(/[kc]h/g, 'h')
    .replace(/ph/g, 'f')
    .replace(/ts|tz/g, 'c')
    .replace(/th/g, 't')
    .replace(/x/g, 'ks')
    .replace(/w/g, 'v')
    .replace(/[eo]i/g, 'i')
    .replace(/ai/g, 'e')
    .replace(/([ae])f/g, '$1v')
    .replace(/[jy]/g, 'i')
    .replace(/ou/g, 'u')
    .replace(/(.)\1+/g, '$1');
}

/** The Latin name seeds (whole names' tokens included) as skeletons of four letters or more. */
export function nativeSeeds(seeds: readonly Seed[]): NativeSeed[] {
  const out: NativeSeed[] = [];
  seeds.forEach((s, i) => {
    if (s.category !== 'name') return;
    for (const token of foldAccents(s.text)
      .toLowerCase()
      .split(/[^a-z]+/)) {
      if (!/^[a-z]+$/.test(token)) continue;
      const k = skeleton(token);
      if (k.length < SKELETON_MIN) continue;
      const stem = k.replace(/(?:[aeiou]+s?|s)$/, '');
      out.push({ skeleton: k, ...(stem !== k && stem.length >= STEM_MIN ? { stem } : {}), seed: i });
    }
  });
  return out;
}

/** The finding for a Latin name seed written in Cyrillic or Greek in a value's text, if any. */
export function nativeNameIn(element: string, text: string, ctx: ScanContext): FileFinding | undefined {
  if (ctx.nativeNames.length === 0 || !NATIVE.test(text)) return undefined;
  for (const m of text.normalize('NFC').matchAll(WORD)) {
    if (!NATIVE.test(m[0])) continue;
    const word = skeleton(inLatinLetters(m[0].toLowerCase()));
    // A short name is also a word (Масса, Рана, Κάτω): only with its capital, inside a sentence.
    const nameLike = /^\p{Lu}\p{Ll}/u.test(m[0]) && !startsSentence(text, m.index ?? 0);
    for (const n of ctx.nativeNames) {
      const short = n.skeleton.length < SHORT;
      if (
        short
          ? !(nameLike && startsName(word, n.skeleton))
          : !startsName(word, n.skeleton) && !(n.stem && startsName(word, n.stem))
      )
        continue;
      return nameLeak(element, ctx.seeds[n.seed] as Seed, ctx, 'in Cyrillic or Greek letters');
    }
  }
  return undefined;
}

const startsName = (word: string, name: string): boolean =>
  word.startsWith(name) && ENDING.test(word.slice(name.length));

/** Whether the word at `at` begins its value or a sentence (after . ! ? : ; and spaces). */
function startsSentence(text: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && /[\s"'«»„“”([\-–—•*·]/u.test(text[i] as string)) i--;
  return i < 0 || /[.!?:;…)\]\n]/u.test(text[i] as string);
}
