/**
 * Initials standing beside a removed name go with it: `J. Smith`, `J.R. Smith`, `J.-P. Dupont`,
 * `J Smith`, `Smith, J.` would otherwise come out as `J. `, `J.R. `, `, J.` — a first letter
 * of the name beside the blank, and with a small cohort often enough to say who it was. Before
 * the name: capitals each followed by a dot (a hyphen may join two), or one capital alone;
 * after it: capitals each followed by a dot only (`Smith MR brain` keeps its modality).
 */
import type { Edit } from './edit.js';

const BEFORE = /(?<![\p{L}\p{N}])(?:(?:\p{Lu}\.-?){1,3} ?|\p{Lu} )$/u;
const AFTER = /^,? (?:\p{Lu}\.-?){1,3}(?![\p{L}\p{N}])/u;
/** How far from a name initials are looked for, in characters. */
const REACH = 12;

/** Name edits grown over the initials beside them (see the module comment); others as they are. */
export function withInitialsNear(chars: readonly string[], edits: readonly Edit[]): Edit[] {
  if (!edits.some(isName)) return [...edits];
  return edits.map((e) => {
    if (!isName(e)) return e;
    const before = BEFORE.exec(chars.slice(Math.max(0, e.start - REACH), e.start).join(''));
    const after = AFTER.exec(chars.slice(e.end, e.end + REACH).join(''));
    if (!before && !after) return e;
    return {
      ...e,
      start: e.start - (before ? [...before[0]].length : 0),
      end: e.end + (after ? [...after[0]].length : 0),
    };
  });
}

const isName = (e: Edit): boolean =>
  (e.kind === 'name' || e.kind === 'title-name') && e.replacement === undefined;
