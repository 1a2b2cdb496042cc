/**
 * Paths as reports show them. A path leaves the site with the report, so every seed in it
 * (names and IDs as whole words) is replaced by `[<category>]`; paths of files not in the
 * output tree (sources, folders scanned) have every date-shaped run masked too (see mask.ts).
 */
import type { ScanContext } from './facts.js';
import { maskDates } from './mask.js';
import { seedAccept } from './raw.js';
import { type Hit, Matcher } from './search.js';
import { patternsOf, type Seed } from './seeds.js';

/** The path with every matched span replaced by `[<category>]`. */
function redact(bytes: Uint8Array, hits: readonly Hit[], seeds: readonly Seed[]): string {
  if (hits.length === 0) return Buffer.from(bytes).toString('utf8');
  const sorted = [...hits].sort((a, b) => a.at - b.at || b.length - a.length);
  let out = '';
  let pos = 0;
  for (const h of sorted) {
    if (h.at < pos) continue;
    out += Buffer.from(bytes.subarray(pos, h.at)).toString('utf8') + `[${(seeds[h.seed] as Seed).category}]`;
    pos = h.at + h.length;
  }
  return out + Buffer.from(bytes.subarray(pos)).toString('utf8');
}

/** A path with every seed in it (names and IDs as whole words) replaced by `[<category>]`. */
export function maskPath(
  rel: string,
  ctx: Pick<ScanContext, 'seeds' | 'matcher'>,
): { shown: string; hits: Hit[] } {
  const bytes = Buffer.from(rel, 'utf8');
  const accept = seedAccept(ctx.seeds);
  const hits = ctx.matcher.search(bytes).filter((h) => accept(bytes, h));
  return { shown: redact(bytes, hits, ctx.seeds), hits };
}

/**
 * Masks for paths the orchestrator shows of files that are not in the tree (sources, missing
 * outputs) and of the folders scanned. The workers have their own matcher: this one is built
 * on first use only.
 */
export class PathMasks {
  #masker: Pick<ScanContext, 'seeds' | 'matcher'> | undefined;

  constructor(readonly seeds: readonly Seed[]) {}

  /** Seeds masked: a path relative to the output folder. */
  rel(p: string): string {
    this.#masker ??= { seeds: this.seeds, matcher: new Matcher(patternsOf(this.seeds)) };
    return maskPath(p, this.#masker).shown;
  }

  /** Seeds and date-shaped runs masked: source paths and folders may hold values no seed covers. */
  report(p: string): string {
    return maskDates(this.rel(p));
  }
}
