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

const CJK_NAME = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+$/u;

/**
 * PN → name tokens from every component group and component except prefix and suffix; for a
 * CJK group also family and given name written together (山田太郎, 太郎山田), as free text has them.
 */
export function nameTokens(pn: string): string[] {
  const out: string[] = [];
  for (const value of pn.split('\\')) {
    for (const group of value.split('=')) {
      const comps = group.split('^');
      for (let i = 0; i < comps.length && i < 3; i++) {
        for (const tok of (comps[i] as string).split(/[\s,.]+/)) if (tok.length >= 2) out.push(tok);
      }
      const [family = '', given = ''] = comps.map((c) => c.trim());
      if (CJK_NAME.test(family) && CJK_NAME.test(given)) out.push(family + given, given + family);
    }
  }
  return out;
}

export function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
}
