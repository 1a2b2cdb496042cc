/**
 * Names written with accents or letters their source's header lacks: ΠΑΠΑΔΟΠΟΥΛΟΣ in the
 * header and Παπαδόπουλος in a report, MULLER and Müller. The byte search folds ASCII case
 * only, and no list of spellings can guess where a writer puts an accent; so each text value
 * that is not plain ASCII is read, folded (marks dropped, lower case, final sigma as sigma) and
 * searched for every name seed folded the same way.
 */
import type { FileFinding, ScanContext } from './facts.js';
import { valueHash } from './hashing.js';
import type { Pattern } from './search.js';
import { CJK, foldAccents } from './spellings.js';
import type { Seed } from './seeds.js';

/**
 * Cyrillic and Greek letters that look like Latin ones, as those: a name written with a letter
 * of another script inside (Ивaнов with a Latin a, Ѕmith with a Cyrillic Ѕ) folds like the name.
 * Applied to seeds and text alike, so a name in one script still folds like itself. Greek υ is
 * read as y, as its capital Υ looks (MΠOYMΠOYΛHΣ with Latin O, Y, H).
 */
const LOOKS_LATIN: Readonly<Record<string, string>> = Object.fromEntries(
  [...'аaвbеeкkмmнhһhоoрpсcтtуyхxіiјjѕsαaβbεeηhιiκkμmνvοoρpτtυyχxζz'.matchAll(/../gu)].map((m) => [
    (m[0] as string)[0],
    (m[0] as string)[1],
  ]),
);
const LOOK_ALIKE = new RegExp(`[${Object.keys(LOOKS_LATIN).join('')}]`, 'gu');

/**
 * Lower case without marks, final sigma as sigma, look-alike letters as Latin ones: Παπαδόπουλος,
 * ΠΑΠΑΔΟΠΟΥΛΟΣ and Παπαδoπουλος fold alike.
 */
export function foldName(s: string): string {
  return foldAccents(s)
    .toLowerCase()
    .replace(/ς/g, 'σ')
    .replace(LOOK_ALIKE, (c) => LOOKS_LATIN[c] as string);
}

/** The name seeds folded (three letters or more, not CJK: those have no case or accents). */
export function foldedPatterns(seeds: readonly Seed[]): Pattern[] {
  const out: Pattern[] = [];
  seeds.forEach((s, i) => {
    // A name that is a word (Лев, лев. left) and a short form (Peg, Will: PEG tube, WILL) are
    // matched by their byte forms only, written as names are: folding would lose the case.
    if (s.category !== 'name' || s.wordName || s.titleCase || CJK.test(s.text)) return;
    const f = foldName(s.text).trim();
    if ([...f].length >= 3) out.push({ bytes: Buffer.from(f, 'utf8'), seed: i });
  });
  return out;
}

/**
 * The finding for a name seed in a value's folded text (one at most: one per element and kind);
 * undefined when the text is plain ASCII (the byte search sees all of it) or holds no name.
 */
export function foldedNameIn(element: string, text: string, ctx: ScanContext): FileFinding | undefined {
  if (ctx.folded.empty || /^[\x00-\x7f]*$/.test(text)) return undefined;
  const bytes = Buffer.from(foldName(text), 'utf8');
  for (const h of ctx.folded.search(bytes)) {
    // A name is a word: not inside a longer one.
    if (letterAt(bytes, h.at, -1) || letterAt(bytes, h.at + h.length, 1)) continue;
    return nameLeak(element, ctx.seeds[h.seed] as Seed, ctx, 'with other accents or case');
  }
  return undefined;
}

/** A source name found in an element's text, written `how` (other accents, another script). */
export function nameLeak(element: string, seed: Seed, ctx: ScanContext, how: string): FileFinding {
  return {
    rule: 'seed-match',
    severity: 'leak',
    element,
    category: 'name',
    valueHash: valueHash(ctx, seed.text),
    detail: `a source name (from ${seed.keyword}) in ${element}, written ${how}`,
  };
}

/** Whether the character just before (`side` -1) or from (`side` 1) byte `at` of UTF-8 text is a letter. */
function letterAt(bytes: Buffer, at: number, side: -1 | 1): boolean {
  const near = side < 0 ? bytes.subarray(Math.max(0, at - 4), at) : bytes.subarray(at, at + 4);
  const chars = [...near.toString('utf8')].filter((c) => c !== '\ufffd');
  const c = side < 0 ? chars.at(-1) : chars[0];
  return c !== undefined && /[\p{L}\p{N}]/u.test(c);
}
