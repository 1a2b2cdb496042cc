/**
 * Phone numbers and IDs written with other separators than the source's: "+34 914 872 630" in
 * the header, "(914) 872-630" or "914.872.630" in a letter. Each text value's numbers are read
 * with their separators dropped (digits joined across spaces, dots, dashes, slashes and
 * brackets) and searched for the digits of every phone seed of seven digits or more, and every ID of six.
 */
import type { FileFindings, ScanContext } from './facts.js';
import { valueHash } from './hashing.js';
import type { Pattern } from './search.js';
import type { Seed } from './seeds.js';
import { specificDigits } from './text-seeds.js';

/** Digits seeds: phones of seven digits or more and IDs of six, as their digits alone. */
export function digitPatterns(seeds: readonly Seed[]): Pattern[] {
  const out: Pattern[] = [];
  seeds.forEach((s, i) => {
    if (s.category !== 'phone' && s.category !== 'id') return;
    const digits = s.text.replace(/\D/g, '');
    // An ID from six digits (MRN 482 913), a phone from seven.
    if (digits.length < (s.category === 'id' ? 6 : 7) || digits.length * 2 < s.text.replace(/\s/g, '').length)
      return;
    if (!specificDigits(digits)) return;
    out.push({ bytes: Buffer.from(digits, 'latin1'), seed: i });
    // A phone number is written with or without its country and trunk codes: its last seven
    // digits are the subscriber's.
    if (s.category === 'phone' && digits.length > 7)
      out.push({ bytes: Buffer.from(digits.slice(-7), 'latin1'), seed: i });
  });
  return out;
}

/** The text's numbers with the separators inside them dropped: "(914) 872-630" → "914872630". */
function joinedNumbers(text: string): string {
  return text.replace(/(\d)[ ()./-]{1,2}(?=\(?\d)/g, '$1');
}

const isDigit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39;

/** A phone's or an ID's digits in a text value, however they are grouped there. */
export function digitsInText(path: string, text: string, ctx: ScanContext, found: FileFindings): void {
  if (ctx.digits.empty || !/\d{2}/.test(text)) return;
  const joined = Buffer.from(joinedNumbers(text), 'latin1');
  const reported = new Set<string>();
  for (const h of ctx.digits.search(joined)) {
    const seed = ctx.seeds[h.seed] as Seed;
    // Found as written already (the seeded search ran first): one finding per element and kind.
    if (
      reported.has(seed.category) ||
      found.list.some((f) => f.element === path && f.category === seed.category)
    )
      continue;
    // An ID's digits stand alone; a phone's may follow a code the source wrote another way.
    if ((seed.category !== 'phone' && isDigit(joined[h.at - 1])) || isDigit(joined[h.at + h.length]))
      continue;
    found.add({
      rule: 'seed-match',
      severity: 'leak',
      element: path,
      category: seed.category,
      valueHash: valueHash(ctx, seed.text),
      detail: `the digits of a source ${seed.category} (from ${seed.keyword}) in ${path}, grouped otherwise`,
    });
    reported.add(seed.category);
  }
}
