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

/** The tag a keyword names in the data dictionary (`StudyDescription` → 0x00081030). */
export function tagOfKeyword(keyword: string): Tag | undefined {
  const names = data.DicomMetaDictionary.nameMap as Record<string, { tag: string } | undefined>;
  const m = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/i.exec(names[keyword]?.tag ?? '');
  return m ? ((parseInt(m[1] as string, 16) << 16) | parseInt(m[2] as string, 16)) >>> 0 : undefined;
}

/** UI attributes that name a class, not an instance: SOP classes, transfer syntaxes, coding schemes… */
const CLASS_KEYWORD =
  /SOPClass|TransferSyntax|CodingSchemeUID|ContextGroupExtensionCreatorUID|MappingResourceUID|ClassUID/;
let classTags: ReadonlySet<Tag> | undefined;

/**
 * Whether a UI attribute names a class (a SOP Class, a transfer syntax, a coding scheme, a
 * context group's or mapping resource's creator, …): such a UID identifies no one and is never
 * remapped, whoever defined it (a vendor's private SOP Class too). Derived from the dictionary.
 */
export function namesAClass(t: Tag): boolean {
  if (!classTags) {
    const names = data.DicomMetaDictionary.nameMap as Record<string, { tag: string; vr: string } | undefined>;
    const tags = new Set<Tag>();
    for (const [keyword, e] of Object.entries(names)) {
      if (e?.vr !== 'UI' || !CLASS_KEYWORD.test(keyword)) continue;
      const m = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/i.exec(e.tag);
      if (m) tags.add(((parseInt(m[1] as string, 16) << 16) | parseInt(m[2] as string, 16)) >>> 0);
    }
    classTags = tags;
  }
  return classTags.has(t);
}
