/**
 * Conditional attributes (Type 1C/2C) whose condition is another attribute having a value: when
 * de-identification removes or empties the partner, the dependent one must go too — a Type 1C
 * attribute whose condition is false shall not be present (PS3.5 §7.4) — or the object claims
 * a condition that no longer holds (what dciodvfy checks).
 */
import type { Element } from '../dicom/reader.js';
import type { Tag } from '../dicom/tag.js';
import type { OutNode } from '../dicom/writer.js';
import type { Rule } from '../profile/rules.js';
import { fire, type Walk } from './walk.js';

interface Dependency {
  /** The attribute whose value the dependent one requires (same item). */
  readonly partner: Tag;
  readonly rule: Rule;
}

/** Dependent attribute → its partner, and how its removal is reported. */
export const REQUIRES: ReadonlyMap<Tag, Dependency> = new Map([
  [
    0x00102298,
    {
      partner: 0x00102297,
      rule: {
        action: 'X',
        source: 'Responsible Person Role',
        why: '1C → X: required only while Responsible Person has a value, which it no longer has',
      },
    },
  ],
]);

/** The output of one item (or the data set) without dependents whose partner lost its value. */
export function dropOrphans(w: Walk, input: readonly Element[], out: OutNode[]): OutNode[] {
  // Most items hold no dependent attribute: nothing to look at (this runs for every item).
  if (!out.some((n) => REQUIRES.has(n.tag))) return out;
  // Partners still holding a value: kept as they were, or replaced by a non-empty value.
  const valued = new Set(out.filter((n) => n.kind !== 'value' || n.value.length > 0).map((n) => n.tag));
  const had = new Set(input.map((e) => e.tag));
  return out.filter((n) => {
    const dependency = REQUIRES.get(n.tag);
    if (dependency === undefined || valued.has(dependency.partner) || !had.has(dependency.partner))
      return true;
    fire(w, dependency.rule);
    return false;
  });
}
