/** Small text helpers shared by the engine's passes. */
import { memo } from '../scrub/memo.js';
import { romanisations } from '../scrub/romanise.js';
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

/** Particles of a family name: never a name on their own ("le" or "van" cut everywhere would maim text). */
const PARTICLES = new Set(
  (
    'van der den de la le du da di del della des von ten ter mac mc o st y e ' +
    'bin ibn al el ben dos das do'
  ).split(' '),
);

const CYRILLIC_OR_GREEK = /[\p{Script=Cyrillic}\p{Script=Greek}]/u;

/**
 * How else a name token is written: ü as ue, Mc as Mac, hiragana as katakana and back, Cyrillic
 * and Greek in Latin letters.
 */
function spellings(tok: string): string[] {
  const out: string[] = [];
  if (/[äöüÄÖÜß]/.test(tok))
    out.push(tok.replace(/[äÄ]/g, 'ae').replace(/[öÖ]/g, 'oe').replace(/[üÜ]/g, 'ue').replace(/ß/g, 'ss'));
  const mc = /^(mc|mac)(.{3,})$/i.exec(tok);
  if (mc) out.push(mc[2] as string, `${(mc[1] as string).length === 2 ? 'mac' : 'mc'}${mc[2]}`);
  if (/^[\u3041-\u3096]+$/.test(tok))
    out.push(String.fromCharCode(...[...tok].map((c) => c.charCodeAt(0) + 0x60)));
  if (/^[\u30a1-\u30f6]+$/.test(tok))
    out.push(String.fromCharCode(...[...tok].map((c) => c.charCodeAt(0) - 0x60)));
  // Cyrillic and Greek as people write them in Latin letters (Ivanov, Iwanow, Papadopoulos).
  if (CYRILLIC_OR_GREEK.test(tok)) for (const r of romanisations(tok)) if (r.length >= 3) out.push(r);
  return out;
}

/**
 * A romanised East Asian given name is also written in its syllables ("Gil Dong" for Gildong):
 * each split into two parts of two letters or more, as a phrase.
 */
function syllableSplits(tok: string): string[] {
  const out: string[] = [];
  for (let i = 2; i <= tok.length - 2 && tok.length <= 12; i++)
    out.push(`${tok.slice(0, i)} ${tok.slice(i)}`);
  return out;
}

/**
 * PN → name tokens from every component group and component except prefix and suffix, and the
 * forms free text writes a name in: family and given name run together (SmithJohn, 山田太郎,
 * Wangjianguo), a family name with its particles run together (VanDerBerg), other spellings
 * (Mueller, MacAllister, カタカナ), and for a name that also has an ideographic group, its
 * romanisation's spelling variants (Satou for Sato).
 */
export const nameTokens: (pn: string) => readonly string[] = memo(tokensOfName, 1024);

function tokensOfName(pn: string): string[] {
  const out: string[] = [];
  for (const value of pn.split('\\')) {
    const groups = value.split('=');
    const ideographic = groups.slice(1).some((g) => CJK_LETTER.test(g));
    for (const group of groups) {
      const comps = group.split('^');
      for (let i = 0; i < comps.length && i < 3; i++) {
        for (const tok of (comps[i] as string).split(/[\s,.]+/)) {
          if (tok.length < 2 || PARTICLES.has(tok.toLowerCase())) continue;
          out.push(tok, ...spellings(tok));
          if (ideographic && !CJK_LETTER.test(tok)) out.push(...romajiVariants(tok), ...syllableSplits(tok));
        }
      }
      const [family = '', given = ''] = comps.map((c) => c.trim().replace(/\s+/g, ''));
      if (family !== (comps[0] ?? '').trim()) out.push(family);
      if (family && given) out.push(family + given, given + family);
    }
  }
  return [...new Set(out)];
}

export function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
}
