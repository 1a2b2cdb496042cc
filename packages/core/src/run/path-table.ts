/**
 * Output paths of a run, held by folder: `ANON-…/series-1/IMG00042.dcm` is its folder's entry
 * `IMG00042.dcm`. File names repeat in every folder of a cohort (IMG00001…, FILE0001…), so each
 * name is kept once for the whole table; a million paths cost tens of megabytes, not hundreds.
 * Exact: no hashing, a path is found only if it was added.
 */
export class PathTable<V> {
  readonly #folders = new Map<string, Map<string, V>>();
  readonly #names = new Map<string, string>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  static #split(path: string): [string, string] {
    const at = path.lastIndexOf('/');
    return at < 0 ? ['', path] : [path.slice(0, at), path.slice(at + 1)];
  }

  get(path: string): V | undefined {
    const [folder, name] = PathTable.#split(path);
    return this.#folders.get(folder)?.get(name);
  }

  has(path: string): boolean {
    const [folder, name] = PathTable.#split(path);
    return this.#folders.get(folder)?.has(name) ?? false;
  }

  set(path: string, value: V): void {
    const [folder, name] = PathTable.#split(path);
    let names = this.#folders.get(folder);
    if (!names) this.#folders.set(folder, (names = new Map()));
    let shared = this.#names.get(name);
    if (shared === undefined) this.#names.set(name, (shared = name));
    if (!names.has(shared)) this.#size++;
    names.set(shared, value);
  }

  delete(path: string): boolean {
    const [folder, name] = PathTable.#split(path);
    const names = this.#folders.get(folder);
    if (!names?.delete(name)) return false;
    this.#size--;
    if (names.size === 0) this.#folders.delete(folder);
    return true;
  }

  /** Every path, in no particular order. */
  *paths(): Generator<string> {
    for (const [folder, names] of this.#folders)
      for (const name of names.keys()) yield folder === '' ? name : `${folder}/${name}`;
  }

  /**
   * Every path in an order that depends only on the paths (folders by name, then names), not
   * on the order they were added.
   */
  *sortedPaths(): Generator<string> {
    for (const folder of [...this.#folders.keys()].sort()) {
      const names = [...(this.#folders.get(folder)?.keys() ?? [])].sort();
      for (const name of names) yield folder === '' ? name : `${folder}/${name}`;
    }
  }
}

/** A set of paths on a PathTable. */
export class PathSet {
  readonly #table = new PathTable<true>();
  get size(): number {
    return this.#table.size;
  }
  has(path: string): boolean {
    return this.#table.has(path);
  }
  add(path: string): void {
    this.#table.set(path, true);
  }
  delete(path: string): boolean {
    return this.#table.delete(path);
  }
  [Symbol.iterator](): Generator<string> {
    return this.#table.paths();
  }
  sorted(): Generator<string> {
    return this.#table.sortedPaths();
  }
}
