/**
 * Comments out of one JPEG 2000 or HTJ2K codestream (ISO 15444-1 Annex A, 15444-15) without
 * decoding it. Encoders write their name in COM segments, and the software around them can
 * put anything there, a patient name too; no decoder reads them. Tile-part lengths (Psot)
 * are fixed where a comment left a tile-part header, and the TLM index, which would then be
 * wrong, goes (decoders do not need it). JP2-wrapped streams are handed to the box walk.
 */
import { stripJp2 } from './jp2.js';
import type { Stripped } from './jpeg.js';
import { be32, type Cut, type Patch, splice, trailingCut, u16, u32 } from './splice.js';

const SOC = 0xff4f;
const SIZ = 0xff51;
const TLM = 0xff55;
const COM = 0xff64;
const SOT = 0xff90;
const SOD = 0xff93;
const EOC = 0xffd9;

/**
 * JPEG 2000 / HTJ2K codestream, or a JP2 file wrapped around one (which some vendors put in
 * DICOM though the standard asks for the raw codestream). Undefined for anything malformed.
 */
export function stripJ2k(stream: Uint8Array): Stripped | undefined {
  if (u16Safe(stream, 0) === SOC) return stripCodestream(stream);
  return stripJp2(stream, stripCodestream);
}

/** The codestream without COM segments; undefined when it cannot be walked from SOC to EOC. */
function stripCodestream(cs: Uint8Array): Stripped | undefined {
  // SIZ must follow SOC at once (A.5.1): anything else is not a codestream.
  if (u16Safe(cs, 0) !== SOC || u16Safe(cs, 2) !== SIZ) return undefined;
  const cuts: Cut[] = [];
  const tlm: Cut[] = [];
  const main = walkHeader(cs, 2, SOT, cuts, tlm);
  if (main === undefined) return undefined;
  const mainCuts = cuts.length;
  const psot: Patch[] = [];
  let at = main;
  while (u16Safe(cs, at) === SOT) {
    const end = tilePart(cs, at, cuts, psot);
    if (end === undefined) return undefined;
    at = end;
  }
  if (u16Safe(cs, at) !== EOC) return undefined;
  const tail = trailingCut(cs, at + 2, 'bytes after EOC');
  if (tail) cuts.push(tail);
  // TLM gives each tile-part's length, wrong once one shrinks (its Psot changed, or it is a
  // last tile-part with Psot 0, whose TLM entry still counts its bytes).
  if (cuts.length > mainCuts) cuts.push(...tlm);
  if (cuts.length === 0) return { bytes: cs, removed: [] };
  cuts.sort((a, b) => a.start - b.start);
  return { bytes: splice(cs, cuts, psot), removed: cuts.map((c) => c.name) };
}

/**
 * Marker segments from `at` up to the marker `stop` (SOT for the main header, SOD for a
 * tile-part header): COM goes to `cuts`, TLM to `tlm`. Returns where `stop` is.
 */
function walkHeader(cs: Uint8Array, at: number, stop: number, cuts: Cut[], tlm: Cut[]): number | undefined {
  for (;;) {
    const marker = u16Safe(cs, at);
    if (marker === undefined || marker < 0xff00) return undefined;
    if (marker === stop) return at;
    if (marker === SOC || marker === SOT || marker === SOD || marker === EOC) return undefined;
    // 0xFF30–0xFF3F are reserved for markers without parameters, which decoders skip (A.1.3).
    if (marker >= 0xff30 && marker <= 0xff3f) {
      at += 2;
      continue;
    }
    const length = u16Safe(cs, at + 2);
    if (length === undefined || length < 2 || at + 2 + length > cs.length) return undefined;
    const end = at + 2 + length;
    if (marker === COM) cuts.push({ start: at, end, name: 'COM' });
    else if (marker === TLM) tlm.push({ start: at, end, name: 'TLM' });
    at = end;
  }
}

/**
 * One tile-part from its SOT: comments in its header are cut and, when some were, Psot is
 * patched to the shorter length. Returns where the tile-part ends. A last tile-part with Psot
 * 0 (it runs to EOC, A.4.2) that lost a comment gets its length written out: with Psot 0,
 * OpenJPEG takes the pad byte a shorter, odd-length stream then needs for part of the tile.
 */
function tilePart(cs: Uint8Array, at: number, cuts: Cut[], psot: Patch[]): number | undefined {
  if (at + 12 > cs.length || u16(cs, at + 2) !== 10) return undefined;
  const length = u32(cs, at + 6);
  const before = cuts.length;
  const sod = walkHeader(cs, at + 12, SOD, cuts, []);
  if (sod === undefined) return undefined;
  const end = length === 0 ? lastEoc(cs) : at + length;
  if (end < sod + 2 || end > cs.length) return undefined;
  const shrink = cuts.slice(before).reduce((n, c) => n + (c.end - c.start), 0);
  if (shrink > 0) psot.push({ at: at + 6, bytes: be32((length === 0 ? end - at : length) - shrink) });
  return end;
}

/** The EOC that ends the codestream: its last one, since DICOM may pad a byte after it. */
function lastEoc(cs: Uint8Array): number {
  for (let at = cs.length - 2; at >= 0; at--) if (cs[at] === 0xff && cs[at + 1] === 0xd9) return at;
  return -1;
}

function u16Safe(b: Uint8Array, at: number): number | undefined {
  return at + 2 <= b.length ? u16(b, at) : undefined;
}
