/**
 * Contact details in free text: e-mail addresses, URLs (with a scheme or starting "www."),
 * and phone numbers in the shapes people write them — international (+44 20 7946 0958),
 * with an area code in brackets ((555) 123-4567), North American groups (555-123-4567,
 * 555.123.4567, 555 123 4567), European national numbers with their trunk 0 (01 23 45 67 89,
 * 020 7946 0958) and local 123-4567. Bare runs of small numbers ("120 140 160 kVp") are not
 * phone numbers and stay.
 */
import type { Edit } from './edit.js';
import { type Folded, originSpan } from './fold.js';

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
/** Spelt out to dodge filters: "john dot smith at example dot org", "jsmith [at] example [dot] org". */
const DOT = ' ?[([]?dot[)\\]]? ?';
const SPELT_EMAIL = new RegExp(
  `[\\p{L}\\p{N}._-]+(?:${DOT}[\\p{L}\\p{N}_-]+)* ?[([]?(?:at|@)[)\\]]? ?` +
    `\\p{L}[\\p{L}\\p{N}-]*(?:${DOT}[\\p{L}\\p{N}-]+)*${DOT}\\p{L}{2,6}(?!\\p{L})`,
  'gu',
);
const URL = /\b(?:(?:https?|ftp|file|dicomweb):\/\/|www\.)[^\s<>"'\\]+/gu;
const PHONES = [
  /\+\d{1,3}[ .-]?(?:\(0?\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}/gu,
  /\(\d{2,5}\) ?\d{3,4}[ .-]?\d{3,4}/gu,
  /(?<![\p{N}.,])\d{3}([-. ])\d{3}\1\d{4}(?![\p{N}]|[.,]\p{N})/gu,
  /(?<![\p{N}.,])0\d{1,4}(?:[ .-]\d{2,4}){2,4}(?![\p{N}]|[.,]\p{N})/gu,
  /(?<![\p{N}.,/-])\d{3}-\d{4}(?![\p{N}]|[.,/-]\p{N})/gu,
  // Groups under one separator (914-872-630, 58-301-44-67, 06.12.34.56.78), area code then slash
  // (030/8837-2641); the digit count (9–12, one group of 3 or more) keeps dates out.
  /(?<![\p{N}.,/-])\d{2,4}([-./])\d{2,4}(?:\1\d{2,4}){1,3}(?![\p{N}]|[.,/-]\p{N})/gu,
  /(?<![\p{N}.,/-])0\d{2,5}\/\d{3,5}(?:-\d{1,5})?(?![\p{N}]|[.,/-]\p{N})/gu,
];
const GROUPED = 5;

function digitCount(s: string): number {
  return s.replace(/\D/g, '').length;
}

function spans(re: RegExp, f: Folded, kind: Edit['kind'], keep: (m: string) => boolean, out: Edit[]): void {
  re.lastIndex = 0;
  for (let m = re.exec(f.text); m; m = re.exec(f.text)) {
    // A URL or address ends before trailing punctuation of the sentence.
    const text = kind === 'phone' ? m[0] : m[0].replace(/[.,;:!?)\]]+$/, '');
    if (keep(text)) out.push({ ...originSpan(f, m.index, m.index + text.length), kind });
  }
}

function phoneLike(m: string, grouped: boolean): boolean {
  const n = digitCount(m);
  if (!grouped) return n >= 7 && n <= 15;
  return n >= 9 && n <= 12 && m.split(/\D/).some((g) => g.length >= 3);
}

export function contactEdits(f: Folded): Edit[] {
  const out: Edit[] = [];
  spans(EMAIL, f, 'email', () => true, out);
  spans(SPELT_EMAIL, f, 'email', (m) => / ?[([]?(?:at|@)[)\]]? /.test(m) && /dot/.test(m), out);
  spans(URL, f, 'url', () => true, out);
  PHONES.forEach((re, i) => {
    const grouped = i === GROUPED;
    spans(re, f, 'phone', (m) => phoneLike(m, grouped), out);
  });
  return out;
}
