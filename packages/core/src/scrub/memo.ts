/**
 * Remembers results by their argument: the same folder names, values and names come with every
 * file of a series, and spelling them costs far more than looking them up. Cleared when it grows
 * large: file names are new with every file, and a long run would otherwise fill a worker's heap.
 */
export function memo<T>(fn: (key: string) => T, max = 8192): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let v = cache.get(key);
    if (v === undefined) {
      if (cache.size >= max) cache.clear();
      v = fn(key);
      cache.set(key, v);
    }
    return v;
  };
}
