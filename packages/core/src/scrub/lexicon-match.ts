/** Where a lexicon's needles stand in a folded text (see lexicon.ts for how each kind matches). */
import type { Edit, FindingKind } from './edit.js';
import { type Folded, joined, originSpan } from './fold.js';
import { type Boundary, CJK, type Lexicon } from './lexicon.js';
import { nominativesOf } from './case-forms.js';
import { latinDisguise } from './homoglyphs.js';
import {
  AS_A_NAME,
  type Beside,
  IN_CAPITALS,
  takenInContext,
  wordsBeside,
  writtenAsName,
} from './native-context.js';
import { MONTH_WORDS } from './months.js';
import { outsideProtected } from './protected-phrases.js';
import { RUSSIAN_CASE_ENDINGS } from './name-variants.js';
import { WORD_NAMES } from './word-names.js';

// A word may be hyphenated across a line break ("Hend-\nrika").
const WORD_RUN = /[\p{L}\p{M}]+(?:(?:['’-]|-\r?\n)[\p{L}\p{M}]+)*/gu;
const JOINERS = /['’\-\r\n]/g;
const PART = /[\p{L}\p{M}]+/gu;
const DIGIT_RUN = /\d(?:[\d \-.()/]*\d)?/gu;
const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;

/**
 * Whether `ch` ends a match; `beyond` is the character past it (away from the match). A UID ends
 * at anything but a digit or a dot that goes on with a digit: `….4.5` is a longer UID, while
 * `<uid>.` ends a sentence and `<uid>.dcm`, `MR.<uid>` are file names.
 */
function isBoundary(ch: string | undefined, b: Boundary, beyond?: string): boolean {
  if (ch === undefined) return true;
  if (b === 'letter') return !/\p{L}/u.test(ch);
  if (b === 'alnum') return !/[\p{L}\p{N}]/u.test(ch);
  if (b === 'digit') return !/\d/.test(ch);
  if (ch === '.') return beyond === undefined || !/\d/.test(beyond);
  return !/\d/.test(ch);
}

/**
 * A word as it stands, or inflected: Arabic and Hebrew attach one-letter prefixes (وال, ل, ב, ו,
 * ה…), Russian and Polish add case endings (Ивана, Kowalskiego). Tried only for those scripts.
 */
function lookup(lex: Lexicon, word: string): FindingKind | undefined {
  const hit = lex.words.get(word);
  if (hit || word.length < 4) return hit;
  if (/^[\p{Script=Arabic}\p{Script=Hebrew}]/u.test(word)) {
    for (let k = 1; k <= 3 && word.length - k >= 3; k++) {
      const h = lex.words.get(word.slice(k));
      if (h && /^[وفبلكالהובכלמש]+$/u.test(word.slice(0, k))) return h;
    }
  }
  // A name of four letters or more with a case ending: Лев + ой is левой (left), not a case of
  // Лев; Семён + ные is семенные (seminal), no case at all.
  if (/^\p{Script=Cyrillic}/u.test(word)) {
    for (let k = 1; k <= 3 && word.length - k >= 4; k++) {
      if (RUSSIAN_CASE_ENDINGS.has(word.slice(-k)) && lex.words.get(word.slice(0, -k)) === 'name')
        return 'name';
    }
  }
  // Polish case endings on a name of four letters or more (Kowalskiego, Nowakowi, Nowakiem, Piotrem).
  const polish = /(ego|emu|iem|owi|ow|em|a|u|e)$/.exec(word);
  if (
    polish &&
    word.length - polish[0].length >= 4 &&
    lex.words.get(word.slice(0, -polish[0].length)) === 'name'
  )
    return 'name';
  return lex.variants.size > 0 ? lex.variants.match(word) : undefined;
}

const NATIVE_START = /^[\p{Script=Cyrillic}\p{Script=Greek}]/u;

/** The folded word at [start, end) of `f` as a finding: a known word, or a given name's other form. */
function wordAt(
  f: Folded,
  chars: readonly string[],
  lex: Lexicon,
  word: string,
  start: number,
  end: number,
): Edit | undefined {
  const kind = lookup(lex, word);
  const span = () => originSpan(f, start, end);
  if (kind) {
    if (kind !== 'name' || !WORD_NAMES.has(word)) return { ...span(), kind };
    // A name that is a word of reports (`white matter`, `Head CT`, `лев.` for left, `May 3`):
    // only where the words around say it is a name (native-context.ts).
    if (MONTH_WORDS.has(word) && digitBeside(f.text, start, end)) return undefined;
    const at = span();
    const taken = takenInContext(
      chars,
      at,
      writtenAt(chars, f, start, end),
      beside(f, chars, start, end),
      isNameIn(lex),
      {
        capitalEnough: !MONTH_WORDS.has(word),
      },
    );
    return taken ? { ...at, kind } : undefined;
  }
  const cyrillicOrGreek = NATIVE_START.test(word);
  // A Latin name in Cyrillic look-alikes (ЅМІТН): matched as the word it shows.
  const shown = cyrillicOrGreek ? latinDisguise(writtenAt(chars, f, start, end)) : undefined;
  if (shown !== undefined && lookup(lex, shown) === 'name') return { ...span(), kind: 'name' };
  // A short form as it stands (with an s it would be Hals for Hal, Lens for Len, Basis), a
  // surname declined as an adjective or a Polish name's case (Kowalskiej, Высоцкого, Piotrze):
  // only written as a name (`will` is no William).
  // What follows counts only for a word with a capital: the rest of a text's words end here.
  if (!/\p{Lu}/u.test(chars[originSpan(f, start, end).start] ?? '')) return undefined;
  const nickname = lex.nicknames.has(word);
  const declined = nominativesOf(word).some((n) => lex.words.get(n) === 'name');
  if (nickname || declined) {
    const written = writtenAt(chars, f, start, end);
    if (AS_A_NAME.test(written) || (declined && IN_CAPITALS.test(written)))
      return { ...span(), kind: 'name' };
  }
  return cyrillicOrGreek && lex.nativeSpellings.size > 0
    ? nativeAt(f, chars, lex, word, start, end)
    : undefined;
}

/** A Latin name of the lexicon written in Cyrillic or Greek (`Иванов` for IVANOV), where it counts. */
function nativeAt(
  f: Folded,
  chars: readonly string[],
  lex: Lexicon,
  word: string,
  start: number,
  end: number,
): Edit | undefined {
  const written = writtenAt(chars, f, start, end);
  // Spelling a word in every romanisation costs ~60 µs: only words written as names are.
  if (!writtenAsName(written)) return undefined;
  const hit = lex.nativeSpellings.match(written, word);
  if (!hit) return undefined;
  const span = originSpan(f, start, end);
  if (!hit.short) return { ...span, kind: hit.kind };
  const taken = takenInContext(chars, span, written, beside(f, chars, start, end), isNameIn(lex));
  return taken ? { ...span, kind: hit.kind } : undefined;
}

/** Whether a folded word is a name of the lexicon, in Latin letters or written in Cyrillic or Greek. */
const isNameIn =
  (lex: Lexicon) =>
  (w: string): boolean =>
    lookup(lex, w) === 'name' || lex.nativeSpellings.match(w, w) !== undefined;

/** The words beside [start, end) of folded text: as written (for their case) and folded (look-alikes unmixed). */
function beside(f: Folded, chars: readonly string[], start: number, end: number): Beside {
  const ranges = wordsBeside(f.text, start, end);
  return {
    written: ranges.map(([s, e]) => writtenAt(chars, f, s, e)),
    folded: ranges.map(([s, e]) => f.text.slice(s, e)),
  };
}

/** A digit right beside [start, end) of a text (a space between): `May 3`, `3 May`. */
function digitBeside(text: string, start: number, end: number): boolean {
  return (
    /^[\s,.]{0,2}\d/.test(text.slice(end, end + 3)) ||
    /\d[\s,.]{0,2}$/.test(text.slice(Math.max(0, start - 3), start))
  );
}

/** The characters written for [start, end) of the folded text, invisible ones left out. */
function writtenAt(chars: readonly string[], f: Folded, start: number, end: number): string {
  const span = originSpan(f, start, end);
  return chars.slice(span.start, span.end).join('').replace(INVISIBLE, '');
}

/** Soft hyphens, zero-width spaces and joiners: a name written with one inside is the name. */
const INVISIBLE = /\p{Cf}/gu;

/** Whole words (and each part of a hyphenated or apostrophised word), CJK runs aside. */
function words(f: Folded, chars: readonly string[], lex: Lexicon, out: Edit[]): void {
  WORD_RUN.lastIndex = 0;
  for (let m = WORD_RUN.exec(f.text); m; m = WORD_RUN.exec(f.text)) {
    if (CJK.test(m[0])) continue;
    const whole = wordAt(f, chars, lex, m[0].replace(JOINERS, ''), m.index, m.index + m[0].length);
    if (whole) {
      out.push(whole);
      continue;
    }
    if (!/['’-]/.test(m[0])) continue;
    PART.lastIndex = 0;
    for (let p = PART.exec(m[0]); p; p = PART.exec(m[0])) {
      const at = m.index + p.index;
      const part = wordAt(f, chars, lex, p[0], at, at + p[0].length);
      if (part) out.push(part);
    }
  }
}

function phrases(f: Folded, lex: Lexicon, out: Edit[]): void {
  for (const p of lex.phrases) {
    for (let i = f.text.indexOf(p.text); i >= 0; i = f.text.indexOf(p.text, i + 1)) {
      const end = i + p.text.length;
      if (
        isBoundary(f.text[i - 1], p.boundary, f.text[i - 2]) &&
        isBoundary(f.text[end], p.boundary, f.text[end + 1])
      )
        out.push({ ...originSpan(f, i, end), kind: p.kind });
    }
  }
}

/** A run of digits and separators holding an identifier's or phone number's digits. */
function digits(f: Folded, lex: Lexicon, out: Edit[]): void {
  if (lex.digits.size === 0) return;
  DIGIT_RUN.lastIndex = 0;
  for (let m = DIGIT_RUN.exec(f.text); m; m = DIGIT_RUN.exec(f.text)) {
    const d = m[0].replace(/\D/g, '');
    if (d.length < 6) continue;
    for (const needle of lex.digits) {
      if (d.includes(needle)) {
        out.push({ ...originSpan(f, m.index, m.index + m[0].length), kind: 'id' });
        break;
      }
    }
  }
}

/** CJK tokens inside runs of CJK text, longest first at each position. */
function cjk(f: Folded, lex: Lexicon, out: Edit[]): void {
  if (lex.cjk.size === 0) return;
  CJK_RUN.lastIndex = 0;
  for (let m = CJK_RUN.exec(f.text); m; m = CJK_RUN.exec(f.text)) {
    const run = [...m[0]];
    let offset = m.index;
    for (let i = 0; i < run.length; ) {
      let hit = 0;
      for (let n = Math.min(lex.cjkLongest, run.length - i); n >= 2 && !hit; n--) {
        if (lex.cjk.has(run.slice(i, i + n).join(''))) hit = n;
      }
      const width = run.slice(i, i + Math.max(hit, 1)).join('').length;
      if (hit) out.push({ ...originSpan(f, offset, offset + width), kind: 'name' });
      offset += width;
      i += Math.max(hit, 1);
    }
  }
}

function initials(chars: readonly string[], lex: Lexicon, out: Edit[]): void {
  if (lex.initials.length === 0) return;
  const { text, at } = joined(chars);
  for (const re of lex.initials) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text))
      out.push({ start: at[m.index] as number, end: at[m.index + m[0].length] as number, kind: 'name' });
  }
}

export function lexiconEdits(chars: readonly string[], f: Folded, lex: Lexicon): Edit[] {
  const out: Edit[] = [];
  if (lex.words.size > 0) words(f, chars, lex, out);
  phrases(f, lex, out);
  digits(f, lex, out);
  cjk(f, lex, out);
  initials(chars, lex, out);
  // `pouch of Douglas`, `aortic root`: a name inside an eponym or anatomy phrase stays.
  return outsideProtected(f, out);
}
