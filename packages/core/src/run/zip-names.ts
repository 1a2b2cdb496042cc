/**
 * Zip entry names as their makers meant them. APPNOTE.TXT (§4.4.4 bit 11, Appendix D): a name is
 * UTF-8 when the entry's flag says so, or when an Info-ZIP Unicode Path extra field (0x7075)
 * carries it; otherwise it is in whatever code page the maker's system used — CP437 for DOS and
 * old Windows tools, Shift-JIS on Japanese Windows, GBK on Chinese, CP1252 for Western Windows —
 * and nothing records which. Reading such a name as CP437 (what unzip libraries do) turns
 * 山田太郎 into `ÄRôcæ╛ÿY`, which compares equal to no patient name yet decodes straight back.
 * So: the extra field when present; plain ASCII as is; valid UTF-8 as UTF-8, flagged or not
 * (many tools write it without the flag, and a few set the flag on names in their own code
 * page, which then do not decode as UTF-8); anything else is a guess — the code page whose decoding is
 * plausible — and is marked legacy, so that the layout never keeps such a component in clear.
 */
import { crc32 } from 'node:zlib';
import iconv from 'iconv-lite';

export interface EntryName {
  readonly name: string;
  /** Decoded by guessing a legacy code page: components that are not plain ASCII are not to be trusted. */
  readonly legacy: boolean;
}

const UNICODE_PATH = 0x7075;
const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Double-byte code pages of East Asian Windows, most common first. */
const DBCS = ['shift_jis', 'gbk', 'big5', 'euc-kr'].map((label) => new TextDecoder(label, { fatal: true }));
/** ASCII, CJK letters and punctuation, full-width forms: what an East Asian file name holds. */
const CJK_SCRIPTS = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
const EAST_ASIAN = new RegExp(`^[\\x20-\\x7e${CJK_SCRIPTS}\\u3000-\\u303f\\uff01-\\uff5e]*$`, 'u');
const CJK_LETTER = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
/** Half-width katakana: Shift-JIS reads most single high bytes as these, so they prove nothing. */
const HALF_WIDTH_KANA = /[\uff61-\uff9f]/u;

/** A CJK letter inside a Latin word (`M乴ler`): a Latin byte pair misread, not a name. */
const INSIDE_LATIN =
  /[A-Za-z][\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}][A-Za-z]/u;
const HANGUL = /\p{Script=Hangul}/u;

/** Reads as East Asian text: CJK letters, no half-width katakana, none inside a Latin word. */
const plausible = (s: string) =>
  EAST_ASIAN.test(s) && CJK_LETTER.test(s) && !HALF_WIDTH_KANA.test(s) && !INSIDE_LATIN.test(s);

function isAscii(raw: Uint8Array): boolean {
  for (const b of raw) if (b >= 0x80) return false;
  return true;
}

function unicodePath(raw: Uint8Array, extra: readonly { id: number; data: Buffer }[]): string | undefined {
  const f = extra.find((e) => e.id === UNICODE_PATH);
  if (!f || f.data.length < 5 || f.data[0] !== 1) return undefined;
  // The field is valid only for the name it was written for (a later tool may have renamed).
  if (f.data.readUInt32LE(1) !== crc32(raw)) return undefined;
  try {
    return utf8.decode(f.data.subarray(5));
  } catch {
    return undefined;
  }
}

function decodeAs(d: InstanceType<typeof TextDecoder>, raw: Uint8Array): string | undefined {
  try {
    return d.decode(raw);
  } catch {
    return undefined; // not this code page
  }
}

/**
 * The most plausible legacy decoding (see the module comment). The double-byte code pages
 * overlap: Korean names are Hangul, which only EUC-KR yields (GBK reads the same bytes as rare
 * ideographs), so a Hangul reading wins; otherwise the first plausible one, Shift-JIS first
 * (GBK reads Japanese kanji as other ideographs, Shift-JIS reads most GBK bytes as half-width
 * katakana, which do not count).
 */
function guessLegacy(raw: Uint8Array): string {
  const readings = DBCS.map((d) => decodeAs(d, raw)).filter(
    (s): s is string => s !== undefined && plausible(s),
  );
  const east = readings.find((s) => HANGUL.test(s)) ?? readings[0];
  if (east !== undefined) return east;
  // DOS code pages put accented letters at 0x80–0xA5; CP1252 has punctuation there.
  const dos = [...raw].every((b) => b < 0x80 || b <= 0xa5);
  return iconv.decode(Buffer.from(raw), dos ? 'cp437' : 'win1252');
}

export function decodeEntryName(
  raw: Uint8Array,
  extra: readonly { id: number; data: Buffer }[] = [],
): EntryName {
  const unicode = unicodePath(raw, extra);
  if (unicode !== undefined) return { name: unicode, legacy: false };
  if (isAscii(raw)) return { name: Buffer.from(raw).toString('latin1'), legacy: false };
  try {
    return { name: utf8.decode(raw), legacy: false };
  } catch {
    // Not UTF-8, whatever the flag says (some tools set it for names in their own code page).
    return { name: guessLegacy(raw), legacy: true };
  }
}
