/**
 * The verifier's own reading of PS3.15 Table E.1-1 (the repository's copy of the JSON, read
 * here, not through the engine's compiled rules) and of CID 7050, the codes a de-identified
 * file uses to say which profile and options were applied. Deliberately simple: for each
 * tag, what the file may still hold.
 */
import { readFileSync } from 'node:fs';
import { TABLE_URL } from '@dcmblind/core';

/** CID 7050 "De-identification Method": code → Table E.1-1 option column (113100 = the Basic profile). */
export const CID7050: Readonly<Record<string, string>> = {
  '113100': 'basic',
  '113101': 'cleanPixelOpt',
  '113102': 'cleanRecogOpt',
  '113103': 'cleanGraphOpt',
  '113104': 'cleanStructContOpt',
  '113105': 'cleanDescOpt',
  '113106': 'rtnLongFullDatesOpt',
  '113107': 'rtnLongModifDatesOpt',
  '113108': 'rtnPatCharsOpt',
  '113109': 'rtnDevIdOpt',
  '113110': 'rtnUIDsOpt',
  '113111': 'rtnSafePrivOpt',
  '113112': 'rtnInstIdOpt',
};

/** The named profiles of `dcmblind run`, as option columns (the README is the contract). */
export const PROFILE_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  basic: [],
  research: ['rtnLongModifDatesOpt', 'rtnPatCharsOpt', 'cleanDescOpt'],
  blinding: [],
};

/** What the profile allows an element to be in the output. */
export type Expect = 'absent' | 'empty' | 'replaced' | 'uid' | 'kept' | 'cleaned';

interface Row {
  readonly name: string;
  readonly basic: string;
  readonly options: Record<string, string>;
  /** Exact tag, or a mask/value pair for patterns such as (50XX,XXXX). */
  readonly mask: number;
  readonly value: number;
  readonly oddGroup: boolean;
}

let rows: Row[] | undefined;

function load(): Row[] {
  if (rows) return rows;
  const raw = JSON.parse(readFileSync(TABLE_URL, 'utf8')) as Array<Record<string, string>>;
  rows = [];
  for (const r of raw) {
    const tag = r.tag ?? '';
    const m = /^\(([0-9A-FX]{4}),([0-9A-FX]{4})\)/i.exec(tag);
    if (!m) continue;
    const hex = `${m[1]}${m[2]}`.toUpperCase();
    let mask = 0;
    let value = 0;
    for (const ch of hex) {
      mask = mask * 16 + (ch === 'X' ? 0 : 15);
      value = value * 16 + (ch === 'X' ? 0 : Number.parseInt(ch, 16));
    }
    const options: Record<string, string> = {};
    for (const [k, v] of Object.entries(r))
      if (k.endsWith('Opt') && typeof v === 'string' && v !== '') options[k] = v;
    rows.push({
      name: r.name ?? '',
      basic: r.basicProfile ?? '',
      options,
      mask,
      value,
      oddGroup: /IS ODD/i.test(tag),
    });
  }
  return rows;
}

/** The table row for a tag: an exact row wins over a pattern row. */
function rowFor(tag: number): Row | undefined {
  let pattern: Row | undefined;
  for (const r of load()) {
    if (r.oddGroup) continue; // private groups are judged on their own (see isPrivateTag)
    if ((tag & r.mask) >>> 0 !== r.value) continue;
    if (r.mask === 0xffffffff) return r;
    pattern ??= r;
  }
  return pattern;
}

const cache = new Map<string, Expect | null>();

/**
 * What `tag` may be after de-identification under these option columns; undefined when the
 * table does not name it (then only the seeded search judges it).
 */
export function expectationFor(tag: number, columns: readonly string[]): Expect | undefined {
  const k = `${tag}|${columns.join(',')}`;
  const hit = cache.get(k);
  if (hit !== undefined) return hit ?? undefined;
  const r = rowFor(tag);
  let e: Expect | null = null;
  if (r) {
    let action = r.basic;
    for (const c of columns) if (r.options[c]) action = r.options[c] as string;
    e =
      action === 'K'
        ? 'kept'
        : action === 'C'
          ? 'cleaned'
          : action === 'X'
            ? 'absent'
            : action === 'Z'
              ? 'empty'
              : action === 'U'
                ? 'uid'
                : action === 'D'
                  ? 'replaced'
                  : 'replaced';
  }
  cache.set(k, e);
  return e ?? undefined;
}

export function isPrivateTag(tag: number): boolean {
  return ((tag >>> 16) & 1) === 1;
}

/** Curves (50xx) and overlay comments/data (60xx,3000 / 60xx,4000) are patterns; group lengths are fine. */
export function isGroupLength(tag: number): boolean {
  return (tag & 0xffff) === 0;
}
