/** Small text helpers shared by the engine's passes. */
import { decodeText, decodedString, schemeFor } from '../dicom/charset.js';
import type { Element } from '../dicom/reader.js';
import { usesCharset, type VR } from '../dicom/vr.js';

export type Scheme = ReturnType<typeof schemeFor>;
export const DEFAULT_SCHEME: Scheme = schemeFor([]);

/** Bytes as latin-1 (default repertoire VRs: UI, DA, CS, …). */
export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i] as number);
  return s;
}

export function valueBytes(data: Uint8Array, el: Element): Uint8Array {
  return data.subarray(el.valueStart, el.valueStart + el.valueLength);
}

/** A text value decoded per the character set in force, trailing padding removed. */
export function readText(data: Uint8Array, el: Element, vr: VR, scheme: Scheme): string {
  const b = valueBytes(data, el);
  const s = usesCharset(vr) ? decodedString(decodeText(b, scheme, vr === 'PN')) : latin1(b);
  return s.replace(/[\0 ]+$/, '');
}

/** Values of a multi-valued text element, trimmed (PS3.5 §6.4: backslash delimits values). */
export function splitValues(s: string): string[] {
  return s.split('\\').map((v) => v.trim());
}

const CJK_LETTER = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * A romanised Japanese name as it is also written: long vowels spelt ou, oh, oo or not at all
 * (Satō, Sato, Satou, Satoh), uu or u (Yuuki, Yuki).
 */
function romajiVariants(token: string): string[] {
  const base = token.replace(/ou|oh|oo/gi, 'o').replace(/uu/gi, 'u');
  return [base, base.replace(/o(?=[^aeiou]|$)/gi, 'ou'), base.replace(/o(?=[^aeiou]|$)/gi, 'oh')];
}

/**
 * PN → name tokens from every component group and component except prefix and suffix, and the
 * forms free text writes a name in: family and given name run together (SmithJohn, 山田太郎,
 * Wangjianguo), and for a name that also has an ideographic group, its romanisation's spelling
 * variants (Satou for Sato).
 */
export function nameTokens(pn: string): string[] {
  const out: string[] = [];
  for (const value of pn.split('\\')) {
    const groups = value.split('=');
    const ideographic = groups.slice(1).some((g) => CJK_LETTER.test(g));
    for (const group of groups) {
      const comps = group.split('^');
      for (let i = 0; i < comps.length && i < 3; i++) {
        for (const tok of (comps[i] as string).split(/[\s,.]+/)) {
          if (tok.length < 2) continue;
          out.push(tok);
          if (ideographic && !CJK_LETTER.test(tok)) out.push(...romajiVariants(tok));
        }
      }
      const [family = '', given = ''] = comps.map((c) => c.trim().replace(/\s+/g, ''));
      if (family && given) out.push(family + given, given + family);
    }
  }
  return [...new Set(out)];
}

export function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
}
