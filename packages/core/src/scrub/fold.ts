import { mayMixScripts, unmixScripts } from './homoglyphs.js';

/**
 * A folded view of decoded text for matching: lower case, accents stripped (NFKD without
 * combining marks), Greek final sigma as σ, compatibility forms unified (full-width digits
 * become ASCII digits; CJK characters stay as they are: their decomposition would change
 * them), each folded UTF-16 unit pointing back at the decoded character it came from. Matching
 * happens on the folded string; edits are made on the original characters, so the bytes that
 * stay are the source's own.
 */
export interface Folded {
  /** The folded text. */
  readonly text: string;
  /** origin[i]: index (in the decoded characters) of the character folded text[i] came from. */
  readonly origin: readonly number[];
  /**
   * originEnd[i]: where that character ends, past the marks and invisible characters that follow
   * it (they fold to nothing): a span ending at text[i] takes them along.
   */
  readonly originEnd: readonly number[];
}

const MARKS = /\p{M}/gu;
/**
 * Characters that fold to nothing: combining marks standing alone (decomposed text, a stress
 * mark on a Cyrillic vowel: Ива́нов) and invisible format characters (soft hyphen, zero-width
 * space and joiners, word joiner, BOM, direction marks, invisible operators). They would
 * otherwise split a name into pieces no needle matches.
 */
const NOTHING = /^(?:\p{M}|\p{Cf})$/u;
/** Scripts whose decomposition would change the letters (だ → た, 최 → 최): left as they are. */
const KEEP_AS_IS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
/**
 * Letters with a stroke, which NFKD keeps whole: written without it in ASCII (Paweł is Pawel,
 * Đorđević is Dordevic, Søren is Soren).
 */
const STROKED: Readonly<Record<string, string>> = { ł: 'l', đ: 'd', ø: 'o', ħ: 'h', ŧ: 't', ƀ: 'b' };
const cache = new Map<string, string>();

/** One character folded (cached: text repeats the same few hundred characters). */
export function foldChar(c: string): string {
  let f = cache.get(c);
  if (f === undefined) {
    if (NOTHING.test(c)) f = '';
    else {
      f = KEEP_AS_IS.test(c) ? c : c.normalize('NFKD').replace(MARKS, '').toLowerCase();
      f = STROKED[f] ?? f;
      if (f === '') f = c.toLowerCase();
    }
    // Greek's final sigma is the same letter as σ (Σ lower-cases to σ, one character at a time).
    if (f === 'ς') f = 'σ';
    cache.set(c, f);
  }
  return f;
}

export function foldString(s: string): string {
  let out = '';
  for (const c of s) out += foldChar(c);
  return out;
}

export function fold(chars: readonly string[]): Folded {
  const f = foldOnly(chars);
  // A word in two scripts (Ивaнов with a Latin a) is read in its main one (homoglyphs.ts).
  return mayMixScripts(f.text) ? { ...f, text: unmixScripts(f.text, chars, f.origin) } : f;
}

function foldOnly(chars: readonly string[]): Folded {
  let text = '';
  const origin: number[] = [];
  const originEnd: number[] = [];
  for (let i = 0; i < chars.length; i++) {
    const f = foldChar(chars[i] as string);
    text += f;
    for (let k = 0; k < f.length; k++) {
      origin.push(i);
      originEnd.push(i + 1);
    }
    // Folded to nothing: it belongs to the character before it.
    if (f === '' && originEnd.length > 0) originEnd[originEnd.length - 1] = i + 1;
  }
  return { text, origin, originEnd };
}

/** A span of folded text, as the range of decoded characters it covers. */
export function originSpan(f: Folded, start: number, end: number): { start: number; end: number } {
  return { start: f.origin[start] as number, end: f.originEnd[end - 1] as number };
}

/** The decoded characters joined, and for each UTF-16 offset of that string its character index. */
export function joined(chars: readonly string[]): { text: string; at: readonly number[] } {
  const at: number[] = [];
  chars.forEach((c, i) => {
    for (let k = 0; k < c.length; k++) at.push(i);
  });
  at.push(chars.length);
  return { text: chars.join(''), at };
}
