/**
 * Cleaning one text value: the lexicon's identifying values, then — for free text — the PHI
 * patterns (dates, contact details, titled and honorific names, identifying numbers). Edits are
 * made on the source bytes: removed characters' bytes are cut, a shifted date's text is encoded
 * in the value's character set and put in their place; escape sequences and delimiters stay, so
 * the value stays valid in its declared character set. A replacement the character set cannot
 * hold (a French month name in an ISO 2022 value) is removed instead.
 */
import { Recent } from '../deid/recent.js';
import { type DecodedText, decodeText, type Scheme, singleByteSetOf } from '../dicom/charset.js';
import { ageEdits } from './ages.js';
import { contactEdits } from './contact.js';
import { dateEdits } from './dates.js';
import { type Edit, mergeEdits } from './edit.js';
import { withInitialsNear } from './initials-near.js';
import { type Folded, fold } from './fold.js';
import { objectId as idOf } from './object-id.js';
import { type Lexicon, phrasesOnly } from './lexicon.js';
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

/** The pattern edits of free text (dates, contact details, titled names, numbers, ages). */
function patternEdits(chars: readonly string[], folded: Folded, shiftDays: number | undefined): Edit[] {
  return [
    ...dateEdits(chars, folded, shiftDays),
    ...contactEdits(folded),
    ...peopleEdits(chars),
    ...numberEdits(folded),
    ...ageEdits(folded),
  ];
}

/** Whether a folded word is a short form of a patient's given name in one of the lexicons. */
const shortFormOf =
  (lexicons: readonly Lexicon[]) =>
  (folded: string): boolean =>
    lexicons.some((l) => l.nicknames.has(folded));

/** Every edit for a decoded value, merged. */
export function findEdits(chars: readonly string[], opts: ScrubOptions): Edit[] {
  const folded = fold(chars);
  const edits = opts.lexicons.flatMap((lexicon) => lexiconEdits(chars, folded, lexicon));
  if (opts.patterns) edits.push(...patternEdits(chars, folded, opts.shiftDays));
  return mergeEdits(withInitialsNear(chars, mergeEdits(edits), shortFormOf(opts.lexicons)));
}

const REVERSE = new WeakMap<readonly string[], Map<string, number>>();

/**
 * `text` in the value's character set; undefined when it cannot be written there. Under ISO 2022
 * only in `active`, the single-byte set the replaced span was itself written in (a shifted
 * `12 марта 2023` in ISO 2022 IR 144 text): its designation is in force there.
 */
function encode(text: string, scheme: Scheme, active?: readonly string[]): Uint8Array | undefined {
  if (/^[\x00-\x7f]*$/.test(text)) return Uint8Array.from(text, (c) => c.charCodeAt(0));
  if (scheme.multibyte === 'utf-8') return new TextEncoder().encode(text);
  if (scheme.multibyte) return undefined;
  const table = scheme.iso2022 ? active : scheme.g1?.kind === 'single' ? scheme.g1.table : undefined;
  if (!table) return undefined;
  let reverse = REVERSE.get(table);
  if (!reverse) {
    reverse = new Map(table.map((c, i) => [c, 0x80 + i]));
    REVERSE.set(table, reverse);
  }
  const out: number[] = [];
  for (const c of text) {
    const b = c.charCodeAt(0) < 0x80 ? c.charCodeAt(0) : reverse.get(c);
    if (b === undefined) return undefined;
    out.push(b);
  }
  return Uint8Array.from(out);
}

/**
 * Under ISO 2022, the single-byte set the span's own letters were written in, when no escape
 * sequence inside the span changes the code state; otherwise undefined.
 */
function g1InSpan(bytes: Uint8Array, d: DecodedText, e: Edit, scheme: Scheme): readonly string[] | undefined {
  if (!scheme.iso2022) return undefined;
  const pairs: [number, string][] = [];
  for (let c = e.start; c < e.end; c++) {
    if (c < e.end - 1 && d.ends[c] !== d.starts[c + 1]) return undefined;
    const at = d.starts[c] as number;
    const b = bytes[at] as number;
    if ((d.ends[c] as number) - at === 1 && b >= 0xa0) pairs.push([b, d.chars[c] as string]);
  }
  return singleByteSetOf(pairs);
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
    const r =
      e.replacement === undefined ? undefined : encode(e.replacement, scheme, g1InSpan(bytes, d, e, scheme));
    if (r) for (const b of r) out.push(b);
    pos = to;
  }
  for (let k = pos; k < bytes.length; k++) out.push(bytes[k] as number);
  return Uint8Array.from(out);
}

export function scrubText(bytes: Uint8Array, scheme: Scheme, isPN: boolean, opts: ScrubOptions): Scrubbed {
  const seen = valueMemo(opts, scheme, isPN);
  const key = seen && bytes.length <= MEMO_MAX_BYTES ? latin1Key(bytes) : undefined;
  let found = key === undefined ? undefined : seen?.get(key);
  if (!found) {
    found = searched(bytes, scheme, isPN, opts);
    if (key !== undefined) seen?.set(key, found);
  }
  const { decoded, folded } = found;
  // Edits in the order findEdits makes them (mergeEdits keeps the first of two equal spans).
  const all: Edit[] = [];
  opts.lexicons.forEach((lexicon, i) => {
    all.push(...(found.byLexicon[i] ?? lexiconEdits(decoded.chars, folded, lexicon)));
  });
  all.push(...found.patterns);
  const edits = mergeEdits(withInitialsNear(decoded.chars, mergeEdits(all), shortFormOf(opts.lexicons)));
  if (edits.length === 0) return { bytes, edits: 0 };
  return { bytes: apply(bytes, decoded, edits, scheme), edits: edits.length };
}

/**
 * A value's decoded text and the edits of all but its lexicons of phrases only. Those are the same
 * for the same bytes under the same lexicons and options, and the files of a series repeat
 * most of their values under the same (shared) lexicons: they are searched once per series.
 * Lexicons of phrases only (a file's own UIDs) are searched on every use.
 */
interface Searched {
  readonly decoded: DecodedText;
  readonly folded: Folded;
  /** By lexicon position: its edits, undefined for a lexicon of phrases only (searched on every use). */
  readonly byLexicon: readonly (Edit[] | undefined)[];
  readonly patterns: readonly Edit[];
}

function searched(bytes: Uint8Array, scheme: Scheme, isPN: boolean, opts: ScrubOptions): Searched {
  const decoded = decodeText(bytes, scheme, isPN);
  const folded = fold(decoded.chars);
  return {
    decoded,
    folded,
    byLexicon: opts.lexicons.map((l) =>
      phrasesOnly(l) ? undefined : lexiconEdits(decoded.chars, folded, l),
    ),
    patterns: opts.patterns ? patternEdits(decoded.chars, folded, opts.shiftDays) : [],
  };
}

/** Longer values are rarely repeated (reports, comments): searched each time, never kept. */
const MEMO_MAX_BYTES = 1024;
/** Values kept per context, and contexts kept (a worker's recent series). */
const MEMO_VALUES = 1024;
const MEMO_CONTEXTS = 4;
const memos = new Recent<Map<string, Searched>>(MEMO_CONTEXTS);

/**
 * The values already searched under these lexicons and options (by object identity: lexicons
 * and schemes are never changed once built); undefined when no lexicon is worth remembering for.
 */
function valueMemo(opts: ScrubOptions, scheme: Scheme, isPN: boolean): Map<string, Searched> | undefined {
  if (opts.lexicons.every(phrasesOnly) && !opts.patterns) return undefined;
  const context = [
    ...opts.lexicons.map((l) => (phrasesOnly(l) ? 'c' : idOf(l))),
    idOf(scheme),
    isPN,
    opts.patterns,
    opts.shiftDays,
  ].join(' ');
  const m = memos.get(context, () => new Map());
  if (m.size >= MEMO_VALUES) m.clear();
  return m;
}

/** The bytes as a string of one character per byte: equal strings, equal bytes. */
function latin1Key(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}
