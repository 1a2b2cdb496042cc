/**
 * Conditional attributes (Type 1C/2C) whose condition is another attribute's presence: when
 * de-identification removes the partner, the dependent one must go too, or the object claims
 * a condition that no longer holds (PS3.3, and what dciodvfy checks).
 */
import type { Element } from '../dicom/reader.js';
import type { Tag } from '../dicom/tag.js';
import type { OutNode } from '../dicom/writer.js';
import { fire, type Walk } from './walk.js';

/** Dependent attribute → the attribute whose presence it requires (same item). */
export const REQUIRES: ReadonlyMap<Tag, Tag> = new Map([
  // Responsible Person Role (0010,2298), 1C: required if Responsible Person (0010,2297) is present.
  [0x00102298, 0x00102297],
]);

/** The output of one item (or the data set) without dependents whose partner was removed. */
export function dropOrphans(w: Walk, input: readonly Element[], out: OutNode[]): OutNode[] {
  const kept = new Set(out.map((n) => n.tag));
  const had = new Set(input.map((e) => e.tag));
  return out.filter((n) => {
    const partner = REQUIRES.get(n.tag);
    if (partner === undefined || kept.has(partner) || !had.has(partner)) return true;
    fire(w, { action: 'X', source: 'Conditional attribute whose partner was removed' });
    return false;
  });
}
