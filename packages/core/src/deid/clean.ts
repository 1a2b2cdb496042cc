/**
 * Clean Descriptors / Clean Structured Content text cleaning (PS3.15 E.3.5): keep the
 * text, remove every substring equal to an identifying value of the same file, in any
 * case. Short values (3 characters or fewer) only match as whole words, so a two-letter
 * surname does not eat every word it happens to be inside.
 */
import { decodeText, spliceOut } from '../dicom/charset.js';
import type { IdentifyingValue } from './identifying.js';
import { isWordChar, type Scheme } from './text.js';

function lowerChars(chars: readonly string[]): string[] {
  return chars.map((c) => {
    const l = c.toLowerCase();
    return l.length === c.length ? l : c;
  });
}

/** Character indexes of every match of `needle` (already lower-cased, as code points). */
function matches(
  hay: readonly string[],
  needle: readonly string[],
  wholeWord: boolean,
  out: Set<number>,
): void {
  const n = needle.length;
  if (n === 0) return;
  outer: for (let i = 0; i + n <= hay.length; i++) {
    for (let k = 0; k < n; k++) if (hay[i + k] !== needle[k]) continue outer;
    if (wholeWord && (isWordChar(hay[i - 1]) || isWordChar(hay[i + n]))) continue;
    for (let k = 0; k < n; k++) out.add(i + k);
  }
}

export interface Cleaned {
  readonly bytes: Uint8Array;
  readonly removed: number;
}

/** Remove identifying substrings from one text value, splicing the original bytes. */
export function cleanText(
  bytes: Uint8Array,
  scheme: Scheme,
  values: readonly IdentifyingValue[],
  isPN: boolean,
): Cleaned {
  const decoded = decodeText(bytes, scheme, isPN);
  const hay = lowerChars(decoded.chars);
  const drop = new Set<number>();
  for (const v of values) {
    const needle = lowerChars(Array.from(v.text));
    if (needle.length < 2) continue;
    matches(hay, needle, needle.length <= 3, drop);
  }
  if (drop.size === 0) return { bytes, removed: 0 };
  return { bytes: spliceOut(bytes, decoded, drop), removed: drop.size };
}
