/**
 * SpecificCharacterSet decoding (PS3.3 C.12.1.1.2, PS3.5 §6.1 and Annex H–K).
 *
 * Text is decoded into code points that remember the byte range each came from, so that a
 * cleaner can drop characters by splicing the original bytes: escape sequences and
 * delimiters stay in place and the result is still valid in the declared character set,
 * with no encoder needed for any of them. Replacement values dcmblind writes are plain
 * ASCII, which every DICOM character set (ISO 2022 G0 included) represents as itself.
 */
export interface DecodedText {
  /** One entry per code point. */
  readonly chars: readonly string[];
  /** chars[i] came from bytes [starts[i], ends[i]). Bytes in no range are escape sequences. */
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

import { TextDecoder } from 'node:util';

type G1 =
  | { kind: 'single'; table: readonly string[] }
  | { kind: 'double'; decoder: string }
  | { kind: 'katakana' };
type G0 = 'ascii' | 'jisx0208' | 'jisx0212';

const decoders = new Map<string, TextDecoder>();
function decoder(label: string): TextDecoder {
  let d = decoders.get(label);
  if (!d) {
    d = new TextDecoder(label, { fatal: false });
    decoders.set(label, d);
  }
  return d;
}

/** Upper half (0x80–0xFF) of an ISO 8859 part as characters; latin-1 is exact by definition. */
const singleTables = new Map<string, readonly string[]>();
function singleTable(label: string): readonly string[] {
  let t = singleTables.get(label);
  if (!t) {
    const out: string[] = [];
    for (let b = 0x80; b <= 0xff; b++) {
      out.push(label === 'latin1' ? String.fromCharCode(b) : decoder(label).decode(new Uint8Array([b])));
    }
    t = out;
    singleTables.set(label, t);
  }
  return t;
}

/** Defined Terms (without and with code extensions) to the single-byte part they select. */
const SINGLE_BYTE: Record<string, string> = {
  'IR 100': 'latin1',
  'IR 101': 'iso-8859-2',
  'IR 109': 'iso-8859-3',
  'IR 110': 'iso-8859-4',
  'IR 144': 'iso-8859-5',
  'IR 127': 'iso-8859-6',
  'IR 126': 'iso-8859-7',
  'IR 138': 'iso-8859-8',
  'IR 148': 'iso-8859-9',
  'IR 203': 'iso-8859-15',
  'IR 166': 'windows-874',
};

/**
 * The single-byte character set (an ISO 8859 part or the like that DICOM names) in which each
 * byte of `pairs` reads as its character, when one does: the G1 set in force where text written
 * under ISO 2022 used those bytes (Cyrillic letters are ISO-IR 144's).
 */
export function singleByteSetOf(
  pairs: ReadonlyArray<readonly [number, string]>,
): readonly string[] | undefined {
  if (pairs.length === 0) return undefined;
  for (const label of new Set(Object.values(SINGLE_BYTE))) {
    const table = singleTable(label);
    if (pairs.every(([b, c]) => table[b - 0x80] === c)) return table;
  }
  return undefined;
}

/** ISO 2022 escape sequences DICOM allows (PS3.3 Table C.12-3, C.12-4) and what they select. */
const ESCAPES: ReadonlyArray<{ seq: readonly number[]; g0?: G0; g1?: () => G1 }> = [
  { seq: [0x28, 0x42], g0: 'ascii' }, // ESC ( B  ISO-IR 6
  { seq: [0x28, 0x4a], g0: 'ascii' }, // ESC ( J  ISO-IR 14 (JIS X 0201 Romaji)
  { seq: [0x29, 0x49], g1: () => ({ kind: 'katakana' }) }, // ESC ) I  ISO-IR 13
  { seq: [0x24, 0x42], g0: 'jisx0208' }, // ESC $ B  ISO-IR 87
  { seq: [0x24, 0x28, 0x44], g0: 'jisx0212' }, // ESC $ ( D  ISO-IR 159
  { seq: [0x24, 0x29, 0x43], g1: () => ({ kind: 'double', decoder: 'euc-kr' }) }, // ISO-IR 149
  { seq: [0x24, 0x29, 0x41], g1: () => ({ kind: 'double', decoder: 'gbk' }) }, // ISO-IR 58
  ...Object.entries({
    A: 'IR 100',
    B: 'IR 101',
    C: 'IR 109',
    D: 'IR 110',
    L: 'IR 144',
    G: 'IR 127',
    F: 'IR 126',
    H: 'IR 138',
    M: 'IR 148',
    T: 'IR 166',
    b: 'IR 203',
  }).map(([final, term]) => ({
    seq: [0x2d, final.charCodeAt(0)],
    g1: (): G1 => ({ kind: 'single', table: singleTable(SINGLE_BYTE[term] as string) }),
  })),
];

export interface Scheme {
  iso2022: boolean;
  g0: G0;
  g1: G1 | null;
  /** Non-ISO-2022 variable-length encodings. */
  multibyte?: 'utf-8' | 'gb18030' | 'gbk';
}

function g1ForTerm(term: string): G1 | null {
  const t = term.replace(/^ISO(_| 2022 )/, '').replace('_', ' ');
  if (t === 'IR 13') return { kind: 'katakana' };
  if (t === 'IR 149') return { kind: 'double', decoder: 'euc-kr' };
  if (t === 'IR 58') return { kind: 'double', decoder: 'gbk' };
  const label = SINGLE_BYTE[t];
  return label ? { kind: 'single', table: singleTable(label) } : null;
}

const schemes = new Map<string, Scheme>();

/**
 * Parse the (0008,0005) values into a decoding scheme; unknown terms fall back to latin-1. One
 * object per distinct value, shared (never changed): what is worked out per scheme
 * (scrub/scrub.ts) is then found again file after file.
 */
export function schemeFor(terms: readonly string[]): Scheme {
  const key = terms.join('\\');
  let s = schemes.get(key);
  if (!s) {
    s = makeScheme(terms);
    if (schemes.size < 64) schemes.set(key, s);
  }
  return s;
}

function makeScheme(terms: readonly string[]): Scheme {
  const first = (terms[0] ?? '').trim();
  const iso2022 = terms.some((t) => t.trim().startsWith('ISO 2022'));
  if (first === 'ISO_IR 192') return { iso2022: false, g0: 'ascii', g1: null, multibyte: 'utf-8' };
  if (first === 'GB18030') return { iso2022: false, g0: 'ascii', g1: null, multibyte: 'gb18030' };
  if (first === 'GBK') return { iso2022: false, g0: 'ascii', g1: null, multibyte: 'gbk' };
  if (first === '' || first === 'ISO_IR 6' || first === 'ISO 2022 IR 6') {
    // Default repertoire; bytes above 0x7F are invalid but common, read them as latin-1.
    return { iso2022, g0: 'ascii', g1: { kind: 'single', table: singleTable('latin1') } };
  }
  return { iso2022, g0: 'ascii', g1: g1ForTerm(first) ?? { kind: 'single', table: singleTable('latin1') } };
}

function utf8Length(lead: number): number {
  if (lead < 0xc0) return 1;
  if (lead < 0xe0) return 2;
  if (lead < 0xf0) return 3;
  return 4;
}

/**
 * Decode one text value. `resetAtDelimiters` applies PS3.5 §6.1.2.5.3: for PN the code
 * element state returns to the initial one after '^' and '='; all text resets at CR, LF,
 * FF, TAB and '\\'.
 */
export function decodeText(bytes: Uint8Array, scheme: Scheme, resetAtDelimiters = false): DecodedText {
  const chars: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const push = (ch: string, s: number, e: number) => {
    chars.push(ch);
    starts.push(s);
    ends.push(e);
  };
  let g0: G0 = scheme.g0;
  let g1: G1 | null = scheme.g1;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (scheme.iso2022 && b === 0x1b) {
      const esc = ESCAPES.find((e) => e.seq.every((x, k) => bytes[i + 1 + k] === x));
      if (esc) {
        if (esc.g0) g0 = esc.g0;
        if (esc.g1) g1 = esc.g1();
        i += 1 + esc.seq.length;
        continue;
      }
    }
    if (scheme.multibyte) {
      let n = 1;
      if (b >= 0x80) {
        if (scheme.multibyte === 'utf-8') n = utf8Length(b);
        else
          n =
            scheme.multibyte === 'gb18030' && (bytes[i + 1] ?? 0) >= 0x30 && (bytes[i + 1] ?? 0) <= 0x39
              ? 4
              : 2;
      }
      n = Math.min(n, bytes.length - i);
      const label = scheme.multibyte;
      push(
        n === 1 && b < 0x80 ? String.fromCharCode(b) : decoder(label).decode(bytes.subarray(i, i + n)),
        i,
        i + n,
      );
      i += n;
      continue;
    }
    if (b < 0x80) {
      if (g0 !== 'ascii' && b > 0x20 && b < 0x7f && i + 1 < bytes.length) {
        const b2 = bytes[i + 1] as number;
        const euc = g0 === 'jisx0208' ? [b | 0x80, b2 | 0x80] : [0x8f, b | 0x80, b2 | 0x80];
        push(decoder('euc-jp').decode(new Uint8Array(euc)), i, i + 2);
        i += 2;
        continue;
      }
      push(String.fromCharCode(b), i, i + 1);
      if (
        scheme.iso2022 &&
        (b === 0x0a ||
          b === 0x0d ||
          b === 0x09 ||
          b === 0x0c ||
          b === 0x5c ||
          (resetAtDelimiters && (b === 0x5e || b === 0x3d)))
      ) {
        g0 = scheme.g0;
        g1 = scheme.g1;
      }
      i += 1;
      continue;
    }
    if (!g1) {
      push(String.fromCharCode(b), i, i + 1);
      i += 1;
    } else if (g1.kind === 'single') {
      push(g1.table[b - 0x80] as string, i, i + 1);
      i += 1;
    } else if (g1.kind === 'katakana') {
      push(decoder('shift_jis').decode(new Uint8Array([b])), i, i + 1);
      i += 1;
    } else {
      const n = Math.min(2, bytes.length - i);
      push(decoder(g1.decoder).decode(bytes.subarray(i, i + n)), i, i + n);
      i += n;
    }
  }
  return { chars, starts, ends };
}

export function decodedString(d: DecodedText): string {
  return d.chars.join('');
}

/** Copy `bytes` without the byte ranges of the characters whose index is in `drop`. */
export function spliceOut(bytes: Uint8Array, d: DecodedText, drop: ReadonlySet<number>): Uint8Array {
  if (drop.size === 0) return bytes;
  const keep = new Uint8Array(bytes.length).fill(1);
  for (const i of drop) keep.fill(0, d.starts[i], d.ends[i]);
  const out: number[] = [];
  for (let k = 0; k < bytes.length; k++) if (keep[k]) out.push(bytes[k] as number);
  return Uint8Array.from(out);
}
