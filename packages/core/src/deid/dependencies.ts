/**
 * Conditional attributes (Type 1C/2C) whose condition is another attribute having a value: when
 * de-identification removes or empties the partner, the dependent one must go too — a Type 1C
 * attribute whose condition is false shall not be present (PS3.5 §7.4) — or the object claims
 * a condition that no longer holds (what dciodvfy checks).
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

/** The output of one item (or the data set) without dependents whose partner lost its value. */
export function dropOrphans(w: Walk, input: readonly Element[], out: OutNode[]): OutNode[] {
  // Partners still holding a value: kept as they were, or replaced by a non-empty value.
  const valued = new Set(out.filter((n) => n.kind !== 'value' || n.value.length > 0).map((n) => n.tag));
  const had = new Set(input.map((e) => e.tag));
  return out.filter((n) => {
    const partner = REQUIRES.get(n.tag);
    if (partner === undefined || valued.has(partner) || !had.has(partner)) return true;
    fire(w, { action: 'X', source: 'Conditional attribute whose partner was removed or emptied' });
    return false;
  });
}
