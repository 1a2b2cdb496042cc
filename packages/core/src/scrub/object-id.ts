/**
 * A small number naming an object for as long as it lives: memo keys built from the identity
 * of immutable, shared objects (lexicons, schemes, needles) without holding them.
 */
const ids = new WeakMap<object, number>();
let next = 0;

export function objectId(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = next++));
  return id;
}

/** Recent contents and their numbers (a worker's recent series and patients). */
const byContent = new Map<string, number>();
const CONTENTS = 1024;
const contentIds = new WeakMap<object, number>();

/**
 * A small number naming what an immutable array holds: equal contents, equal numbers (while
 * recent). Memo keys built from it stay short, where the contents written out run to tens of
 * kilobytes (a patient's values) and would be hashed and compared on every file. `text` writes
 * the contents out; it is asked once per array.
 */
export function contentId(o: object, text: () => string): number {
  let id = contentIds.get(o);
  if (id === undefined) {
    const t = text();
    id = byContent.get(t);
    if (id === undefined) {
      // Forgetting only costs a miss: numbers are never reused, so no two contents share one.
      if (byContent.size >= CONTENTS) byContent.clear();
      byContent.set(t, (id = next++));
    }
    contentIds.set(o, id);
  }
  return id;
}
