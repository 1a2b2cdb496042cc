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
