/**
 * Where a recipe's attribute action applies: `StudyDescription` (top level),
 * `RequestAttributesSequence/RequestedProcedureDescription` (in the items of a top-level
 * sequence, deeper with more steps), or with `**` as its first step, at any depth. A step is a
 * keyword of the data dictionary or a tag, `(0008,1030)` or `00081030`.
 */
import { lookup, tagOfKeyword } from '../dicom/dictionary.js';
import { formatTag, isPrivate, type Tag } from '../dicom/tag.js';

export interface Selector {
  /** The sequences the attribute stands in, outermost first (empty: the top level). */
  readonly within: readonly Tag[];
  readonly tag: Tag;
  /** `**` as the first step: at any depth (`within` then holds nothing). */
  readonly anyDepth: boolean;
}

const PAREN = /^\(([0-9A-Fa-f]{4}),([0-9A-Fa-f]{4})\)$/;
const BARE = /^([0-9A-Fa-f]{4})([0-9A-Fa-f]{4})$/;

/** A step as a tag, or why it is not one. */
function stepTag(step: string): Tag | string {
  const m = PAREN.exec(step) ?? BARE.exec(step);
  if (m) return ((parseInt(m[1] as string, 16) << 16) | parseInt(m[2] as string, 16)) >>> 0;
  const t = tagOfKeyword(step);
  return t ?? `"${step}" is no keyword of the DICOM dictionary nor a tag such as (0008,1030)`;
}

export function parseSelector(text: string): Selector | string {
  const steps = text.split('/').map((s) => s.trim());
  const anyDepth = steps[0] === '**';
  if (anyDepth) steps.shift();
  if (steps.length === 0 || steps.some((s) => s === '')) return `"${text}" names no attribute`;
  if (anyDepth && steps.length > 1) return `"${text}": after ** give one attribute`;
  const tags: Tag[] = [];
  for (const s of steps) {
    const t = stepTag(s);
    if (typeof t === 'string') return t;
    tags.push(t);
  }
  for (const t of tags) {
    if (isPrivate(t)) return `${formatTag(t)} is private: list safe private elements under safePrivate`;
    if (t >>> 16 === 0x0002) return `${formatTag(t)} is file meta information, which dcmblind writes`;
  }
  for (const t of tags.slice(0, -1))
    if (lookup(t)?.vr !== 'SQ') return `${formatTag(t)} is not a sequence, so nothing stands in it`;
  return { within: tags.slice(0, -1), tag: tags[tags.length - 1] as Tag, anyDepth };
}
