/**
 * Private elements under the Retain Safe Private Option (PS3.15 E.3.10): an element is kept
 * only when its private creator and its offset in the creator's block are on the safe list for
 * its group (profile/safe-private.ts) and its VR is known (the list's, else the element's own
 * explicit VR, and never another than the list's); a kept value is then treated as a public one
 * of its VR would be (text cleaned, dates shifted, UIDs remapped, numbers checked). Everything else private goes:
 * unlisted offsets, elements whose block has no creator (orphans), group lengths, and creators
 * of which nothing is kept. Blocks keep their numbers: a kept element stays where its creator
 * put it, so nothing is renumbered. A project recipe may list more entries (recipe/schema.ts).
 */
import type { Element } from '../dicom/reader.js';
import { elementOf, groupOf, isPrivate } from '../dicom/tag.js';
import type { VR } from '../dicom/vr.js';
import type { OutNode } from '../dicom/writer.js';
import type { Rule } from '../profile/rules.js';
import { creatorName, safeKey, safePrivateTable } from '../profile/safe-private.js';
import { latin1, valueBytes } from './text.js';
import { fire, type Walk } from './walk.js';

const RESERVED: Rule = { action: 'X', source: 'Private group length or reserved element' };
const ORPHAN: Rule = { action: 'X', source: 'Private element without its private creator' };
const NOT_SAFE: Rule = { action: 'X', source: 'Private attribute not on the safe list' };
const NO_VR: Rule = {
  action: 'X',
  source: 'Safe private attribute of unknown VR (implicit, the list gives none)',
};
const OTHER_VR: Rule = {
  action: 'X',
  source: "Safe private attribute written with another VR than the list's",
};
const NOT_ITS_VR: Rule = { action: 'X', source: 'Safe private attribute whose value is not of its VR' };
const UNREAD_SEQUENCE: Rule = {
  action: 'X',
  source: 'Safe private sequence not readable as one (implicit VR or UN of defined length)',
};
const ADDRESS: Rule = {
  action: 'X',
  source: 'Safe private attribute of VR AE, UR or AS (removed as public ones are)',
};
const SAFE: Rule = { action: 'K', source: 'Safe private attribute (Table E.3.10-1)' };
const SAFE_CLEANED: Rule = {
  action: 'C',
  source: 'Safe private attribute (Table E.3.10-1): text cleaned, dates shifted as public ones',
};
const SAFE_UID: Rule = { action: 'U', source: 'Safe private attribute (Table E.3.10-1): UIDs remapped' };
const CREATOR_KEPT: Rule = { action: 'K', source: 'Private creator of retained safe attributes' };
const CREATOR_DROPPED: Rule = { action: 'X', source: 'Private creator with nothing of its block retained' };

/**
 * What a kept value's VR asks, as for a public attribute of that VR: text and codes cleaned,
 * dates shifted or removed by the date policy (C), UIDs remapped (U), addresses removed; numbers
 * and binary values kept when they are what their VR says (a name in a DS is not a number).
 */
const CLEANED: ReadonlySet<VR> = new Set(['LO', 'SH', 'ST', 'LT', 'UT', 'UC', 'PN', 'CS', 'DA', 'DT', 'TM']);
const REMOVED: ReadonlySet<VR> = new Set(['AE', 'UR', 'AS']);
const NUMBER = /^ *[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)? *$/;
const INTEGER = /^ *[+-]?\d+ *$/;
/** UIDs, several values allowed: digits and dots. */
const UID = /^[0-9.\\]*$/;
const BINARY_SIZE: Partial<Record<VR, number>> = {
  FD: 8,
  FL: 4,
  SL: 4,
  SS: 2,
  UL: 4,
  US: 2,
  SV: 8,
  UV: 8,
  AT: 4,
  OD: 8,
  OF: 4,
  OL: 4,
  OW: 2,
  OV: 8,
};

/** Whether a value is what its VR says: numbers in DS and IS, whole cells in binary VRs. */
function ofItsVR(vr: VR, value: Uint8Array): boolean {
  if (vr === 'DS' || vr === 'IS') {
    const text = latin1(value).replace(/[\0 ]+$/, '');
    return text === '' || text.split('\\').every((v) => (vr === 'DS' ? NUMBER : INTEGER).test(v));
  }
  const size = BINARY_SIZE[vr];
  return size === undefined || value.length % size === 0;
}

/** Private creators of one item (or the data set): (group << 8 | block) → creator. */
export type Creators = ReadonlyMap<number, string>;

const blockKey = (tag: number): number => (groupOf(tag) << 8) | (elementOf(tag) >> 8);

/** Whether a private tag is a creator element, (gggg,0010) to (gggg,00FF). */
export const isCreator = (tag: number): boolean => elementOf(tag) >= 0x10 && elementOf(tag) <= 0xff;

export function creatorsOf(data: Uint8Array, elements: readonly Element[]): Creators {
  const out = new Map<number, string>();
  for (const el of elements)
    if (isPrivate(el.tag) && isCreator(el.tag) && !el.items)
      out.set((groupOf(el.tag) << 8) | elementOf(el.tag), creatorName(latin1(valueBytes(data, el))));
  return out;
}

/**
 * The rule for a private data element (not a creator), and the VR its value is read as: the
 * list's, else the element's own when explicit. An explicit VR other than the list's, a value
 * that is not of its VR, or a listed sequence that was not read as one (its items unseen) go.
 */
export function safePrivateRule(
  el: Element,
  creators: Creators,
  data: Uint8Array,
  extra?: ReadonlyMap<string, VR>,
): { rule: Rule; vr?: VR } {
  const e = elementOf(el.tag);
  if (e < 0x10) return { rule: RESERVED };
  const creator = creators.get(blockKey(el.tag));
  if (creator === undefined) return { rule: ORPHAN };
  const key = safeKey(groupOf(el.tag), creator, e & 0xff);
  // A recipe's own entries (its safePrivate list) with the standard's.
  const listed = safePrivateTable().get(key)?.vr ?? extra?.get(key);
  if (listed === undefined) return { rule: NOT_SAFE };
  // A value read as items is a sequence whatever its header said (UN of undefined length).
  const explicit: VR | undefined = el.items ? 'SQ' : el.vr === 'UN' ? undefined : el.vr;
  if (listed && explicit && explicit !== listed) return { rule: OTHER_VR };
  const vr: VR | undefined = listed || explicit;
  if (vr === undefined) return { rule: NO_VR };
  if (vr === 'SQ') return el.items ? { rule: SAFE, vr } : { rule: UNREAD_SEQUENCE };
  if (REMOVED.has(vr)) return { rule: ADDRESS };
  if (vr === 'UI')
    return UID.test(latin1(valueBytes(data, el)).replace(/[\0 ]+$/, ''))
      ? { rule: SAFE_UID, vr }
      : { rule: NOT_ITS_VR };
  if (CLEANED.has(vr)) return { rule: SAFE_CLEANED, vr };
  // A bulk value left in the file (a payload of megabytes) is binary: nothing to check in it.
  if (el.external)
    return BINARY_SIZE[vr] !== undefined || vr === 'OB' ? { rule: SAFE, vr } : { rule: NOT_ITS_VR };
  return ofItsVR(vr, valueBytes(data, el)) ? { rule: SAFE, vr } : { rule: NOT_ITS_VR };
}

/**
 * The output of one item without the creators of blocks nothing was kept from; those kept are
 * reported as such. `out` holds the creators as they were (`creatorNodes`: their nodes).
 */
export function settleCreators(w: Walk, out: OutNode[], creatorNodes: ReadonlySet<OutNode>): OutNode[] {
  if (creatorNodes.size === 0) return out;
  const used = new Set<number>();
  for (const n of out) if (isPrivate(n.tag) && !isCreator(n.tag)) used.add(blockKey(n.tag));
  return out.filter((n) => {
    if (!creatorNodes.has(n)) return true;
    const kept = used.has((groupOf(n.tag) << 8) | elementOf(n.tag));
    fire(w, kept ? CREATOR_KEPT : CREATOR_DROPPED);
    return kept;
  });
}
