/**
 * Private elements under the Retain Safe Private Option (PS3.15 E.3.10): an element is kept
 * only when its private creator and its offset in the creator's block are on the safe list for
 * its group (profile/safe-private.ts) and its VR is known (the list's, else the element's own
 * explicit VR); a kept text value is cleaned as public text is. Everything else private goes:
 * unlisted offsets, elements whose block has no creator (orphans), group lengths, and creators
 * of which nothing is kept. Blocks keep their numbers: a kept element stays where its creator
 * put it, so nothing is renumbered.
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
const SAFE: Rule = { action: 'K', source: 'Safe private attribute (Table E.3.10-1)' };
const SAFE_TEXT: Rule = { action: 'C', source: 'Safe private attribute (Table E.3.10-1), text cleaned' };
const CREATOR_KEPT: Rule = { action: 'K', source: 'Private creator of retained safe attributes' };
const CREATOR_DROPPED: Rule = { action: 'X', source: 'Private creator with nothing of its block retained' };

/** Text VRs whose kept values are cleaned as public text is. */
const TEXT: ReadonlySet<VR> = new Set(['LO', 'SH', 'ST', 'LT', 'UT', 'UC', 'PN']);

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
 * list's, else the element's own when explicit.
 */
export function safePrivateRule(el: Element, creators: Creators): { rule: Rule; vr?: VR } {
  const e = elementOf(el.tag);
  if (e < 0x10) return { rule: RESERVED };
  const creator = creators.get(blockKey(el.tag));
  if (creator === undefined) return { rule: ORPHAN };
  const entry = safePrivateTable().get(safeKey(groupOf(el.tag), creator, e & 0xff));
  if (!entry) return { rule: NOT_SAFE };
  const vr: VR | undefined = entry.vr || (el.vr === 'UN' ? undefined : el.vr);
  if (vr === undefined) return { rule: NO_VR };
  return { rule: TEXT.has(vr) ? SAFE_TEXT : SAFE, vr };
}

/**
 * The output of one item without the creators of blocks nothing was kept from; those kept are
 * reported as such. `out` holds the creators as they were (`keptCreators`: their nodes).
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
