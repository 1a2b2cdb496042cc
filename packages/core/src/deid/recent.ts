/**
 * The last few results of a costly function of a file's values, by a key made of those values.
 * The files of one series carry the same patient, names and dates, so a worker meets the same
 * inputs file after file: they are worked out once per series, not once per file. Results must
 * not be changed by their users (they are shared).
 */
export class Recent<V> {
  readonly #map = new Map<string, V>();
  readonly #limit: number;

  constructor(limit = 16) {
    this.#limit = limit;
  }

  get(key: string, make: () => V): V {
    const hit = this.#map.get(key);
    if (hit !== undefined) {
      // Most recently used last: the first one is the one to drop.
      this.#map.delete(key);
      this.#map.set(key, hit);
      return hit;
    }
    const made = make();
    this.#map.set(key, made);
    if (this.#map.size > this.#limit) this.#map.delete(this.#map.keys().next().value as string);
    return made;
  }
}
