/**
 * Cleaning one text value: the lexicon's identifying values, then — for free text — the PHI
 * patterns (dates, contact details, titled and honorific names, identifying numbers). Edits are
 * made on the source bytes: removed characters' bytes are cut, a shifted date's text is encoded
 * in the value's character set and put in their place; escape sequences and delimiters stay, so
 * the value stays valid in its declared character set. A replacement the character set cannot
 * hold (a French month name in an ISO 2022 value) is removed instead.
 */
import { type DecodedText, decodeText, type Scheme } from '../dicom/charset.js';
import { ageEdits } from './ages.js';
import { contactEdits } from './contact.js';
import { dateEdits } from './dates.js';
import { type Edit, mergeEdits } from './edit.js';
import { fold } from './fold.js';
import type { Lexicon } from './lexicon.js';
import { lexiconEdits } from './lexicon-match.js';
import { numberEdits } from './numbers.js';
import { peopleEdits } from './people.js';

export interface ScrubOptions {
  /** The values to remove, in as many lexicons as there are sources (the file's, the run's). */
  readonly lexicons: readonly Lexicon[];
  /** Free text: look for dates, contact details, titled names and identifying numbers too. */
  readonly patterns: boolean;
  /** Days dates move back; undefined: dates found in text are removed. */
  readonly shiftDays?: number;
}

export interface Scrubbed {
  readonly bytes: Uint8Array;
  /** Spans changed (removed or replaced). */
  readonly edits: number;
}

/** Every edit for a decoded value, merged. */
export function findEdits(chars: readonly string[], opts: ScrubOptions): Edit[] {
  const folded = fold(chars);
  const edits = opts.lexicons.flatMap((lexicon) => lexiconEdits(chars, folded, lexicon));
  if (opts.patterns) {
    edits.push(
      ...dateEdits(chars, folded, opts.shiftDays),
      ...contactEdits(folded),
      ...peopleEdits(chars),
      ...numberEdits(folded),
      ...ageEdits(folded),
    );
  }
  return mergeEdits(edits);
}

const REVERSE = new WeakMap<readonly string[], Map<string, number>>();

/** `text` in the value's character set; undefined when it cannot be written there. */
function encode(text: string, scheme: Scheme): Uint8Array | undefined {
  if (/^[\x00-\x7f]*$/.test(text)) return Uint8Array.from(text, (c) => c.charCodeAt(0));
  if (scheme.multibyte === 'utf-8') return new TextEncoder().encode(text);
  const g1 = scheme.g1;
  if (scheme.multibyte || scheme.iso2022 || g1?.kind !== 'single') return undefined;
  let reverse = REVERSE.get(g1.table);
  if (!reverse) {
    reverse = new Map(g1.table.map((c, i) => [c, 0x80 + i]));
    REVERSE.set(g1.table, reverse);
  }
  const out: number[] = [];
  for (const c of text) {
    const b = c.charCodeAt(0) < 0x80 ? c.charCodeAt(0) : reverse.get(c);
    if (b === undefined) return undefined;
    out.push(b);
  }
  return Uint8Array.from(out);
}

/** The source bytes with each edit applied (see the module comment). */
function apply(bytes: Uint8Array, d: DecodedText, edits: readonly Edit[], scheme: Scheme): Uint8Array {
  const out: number[] = [];
  let pos = 0;
  for (const e of edits) {
    const from = d.starts[e.start] as number;
    const to = d.ends[e.end - 1] as number;
    for (let k = pos; k < from; k++) out.push(bytes[k] as number);
    // Escape sequences inside the span keep the code state of what follows: they stay.
    for (let c = e.start; c < e.end - 1; c++) {
      for (let k = d.ends[c] as number; k < (d.starts[c + 1] as number); k++) out.push(bytes[k] as number);
    }
    const r = e.replacement === undefined ? undefined : encode(e.replacement, scheme);
    if (r) for (const b of r) out.push(b);
    pos = to;
  }
  for (let k = pos; k < bytes.length; k++) out.push(bytes[k] as number);
  return Uint8Array.from(out);
}

export function scrubText(bytes: Uint8Array, scheme: Scheme, isPN: boolean, opts: ScrubOptions): Scrubbed {
  const decoded = decodeText(bytes, scheme, isPN);
  const edits = findEdits(decoded.chars, opts);
  if (edits.length === 0) return { bytes, edits: 0 };
  return { bytes: apply(bytes, decoded, edits, scheme), edits: edits.length };
}
