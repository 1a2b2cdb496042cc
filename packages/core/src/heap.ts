/**
 * How far V8 lets a heap grow past what is live before it collects it again. By default up to
 * about 3.5 times: a million-file rerun's main thread held 94 MB live in 328 MB of heap, and its
 * peak resident set was 539 MB. dcmblind's long-lived data is small and compact (indexes in typed
 * arrays, records in the key file) and its garbage short-lived, so a heap allowed to grow by half
 * costs a few more full collections (each a few milliseconds) and keeps the resident set near
 * what is live: the same rerun peaked at 369 MB, no slower; 5,000 vendor files took the same CPU.
 * The flag is process-wide: set it at start-up, before the worker threads' heaps exist.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

export function boundHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/**
 * A run's main thread keeps the young generation it starts with. V8 grows a heap's young
 * generation from 1 MB semi-spaces up to 16 MB (32 MB resident) as objects survive scavenges, and
 * only flags given at start cap it: a million-file run's main thread walks, journals and renames,
 * a few MB of its young space live, yet held 32 MB. The growth factor is read whenever V8 would
 * grow the space, so at 1 the main thread's stops growing. The flags are process-wide, and Node
 * resets them while each worker thread starts: the pool sets them again as each comes up
 * (run/start.ts); the main thread may grow meanwhile (8 MB at the end of a million-file run).
 * Worker threads are made with `semiSpaceMb` semi-spaces, the most their young-generation ceiling
 * allows, so they have no need to grow.
 */
export function holdYoungGeneration(semiSpaceMb: number): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString(`--min-semi-space-size=${semiSpaceMb}`);
}

/**
 * Start a thread whose isolate no option of ours reaches (tesseract.js makes its own) with
 * `semiSpaceMb` semi-spaces at most. The ceiling is read when a heap is set up, so it is lifted
 * again once the thread is up; threads started meanwhile with their own limits keep theirs.
 */
export async function startWithSmallYoungGeneration<T>(
  semiSpaceMb: number,
  start: () => Promise<T>,
): Promise<T> {
  setFlagsFromString(`--max-semi-space-size=${semiSpaceMb}`);
  try {
    return await start();
  } finally {
    // 0 is V8's "not set": heaps set up later get its computed default again.
    setFlagsFromString('--max-semi-space-size=0');
  }
}
