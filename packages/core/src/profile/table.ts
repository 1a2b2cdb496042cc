/**
 * PS3.15 Table E.1-1, loaded from the copy shipped in `data/standard/` (see its README for
 * provenance and licence). Rows are data: nothing here retypes the standard.
 */
import { readFileSync } from 'node:fs';
import { coreFile } from '../package-files.js';

export const ACTION_CODES = ['D', 'Z', 'X', 'K', 'C', 'U', 'X/Z', 'X/D', 'X/Z/D', 'Z/D', 'X/Z/U*'] as const;
export type ActionCode = (typeof ACTION_CODES)[number];

/** The option columns of Table E.1-1, as keyed in the JSON. */
export const OPTION_COLUMNS = [
  'rtnSafePrivOpt',
  'rtnUIDsOpt',
  'rtnDevIdOpt',
  'rtnInstIdOpt',
  'rtnPatCharsOpt',
  'rtnLongFullDatesOpt',
  'rtnLongModifDatesOpt',
  'cleanDescOpt',
  'cleanStructContOpt',
  'cleanGraphOpt',
] as const;
export type OptionColumn = (typeof OPTION_COLUMNS)[number];

export interface TableRow {
  readonly name: string;
  /** "(0008,0050)", or a pattern such as "(60XX,3000)", "(50XX,XXXX)", "(GGGG,EEEE) WHERE GGGG IS ODD". */
  readonly tag: string;
  readonly basicProfile: ActionCode;
  readonly options: Partial<Record<OptionColumn, 'K' | 'C'>>;
}

export const TABLE_URL = coreFile('data/standard/confidentiality_profile_attributes.json');

let cached: readonly TableRow[] | undefined;

export function loadTable(): readonly TableRow[] {
  if (cached) return cached;
  const raw = JSON.parse(readFileSync(TABLE_URL, 'utf8')) as Array<Record<string, string>>;
  cached = raw.map((r) => {
    const options: Partial<Record<OptionColumn, 'K' | 'C'>> = {};
    for (const col of OPTION_COLUMNS) {
      const v = r[col];
      if (v === 'K' || v === 'C') options[col] = v;
    }
    if (!(ACTION_CODES as readonly string[]).includes(r.basicProfile ?? '')) {
      throw new Error(`Table E.1-1 row ${r.tag}: unknown action ${r.basicProfile}`);
    }
    return { name: r.name ?? '', tag: r.tag ?? '', basicProfile: r.basicProfile as ActionCode, options };
  });
  return cached;
}
