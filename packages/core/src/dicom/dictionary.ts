/**
 * Data dictionary look-ups (PS3.6), backed by dcmjs's dictionary and cached per tag.
 * Only the VR and keyword are needed: implicit VR files take their VR from here.
 */
import { data } from 'dcmjs';
import { hex8, isPrivate, type Tag } from './tag.js';
import { isVR, type VR } from './vr.js';

interface Entry {
  readonly vr: VR;
  readonly keyword: string;
}
const cache = new Map<Tag, Entry | null>();
const dict = data.DicomMetaDictionary.dictionary as Record<string, { vr: string; name: string } | undefined>;

/** Dictionary VRs such as "ox" (OB or OW) and "xs" (US or SS) resolve to the implicit VR default. */
function concreteVR(vr: string): VR {
  if (isVR(vr)) return vr;
  if (vr === 'ox' || vr === 'OB or OW' || vr === 'US or OW' || vr === 'US or SS or OW') return 'OW';
  if (vr === 'xs' || vr === 'US or SS') return 'US';
  return 'UN';
}

export function lookup(t: Tag): Entry | undefined {
  let e = cache.get(t);
  if (e === undefined) {
    const raw = isPrivate(t) ? undefined : dict[hex8(t)];
    e = raw ? { vr: concreteVR(raw.vr), keyword: raw.name } : null;
    cache.set(t, e);
  }
  return e ?? undefined;
}

/** The VR an implicit-VR reader must assume for a tag (PS3.5 §7.1.3); unknown tags are UN. */
export function dictionaryVR(t: Tag): VR {
  if ((t & 0xffff) === 0) return 'UL'; // group length (PS3.5 §7.2)
  // A private creator (PS3.5 §7.8.1).
  if (isPrivate(t) && (t & 0xff00) === 0 && (t & 0xffff) >= 0x10) return 'LO';
  return lookup(t)?.vr ?? 'UN';
}

export function keywordOf(t: Tag): string | undefined {
  return lookup(t)?.keyword;
}
