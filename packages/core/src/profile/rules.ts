/**
 * Compiles Table E.1-1 plus a set of options into per-tag actions (PS3.15 E.1.1, E.3).
 *
 * Combined codes depend on the attribute's type in its IOD (profile/iod.ts); the engine
 * resolves them where it knows the type (profile/resolve.ts). Where it does not (a private
 * SOP Class, an attribute no module of the IOD lists), the variant that keeps any IOD valid
 * stands — D over Z over X — so X/Z → Z, X/D → D, X/Z/D → D, Z/D → D, and X/Z/U* → U (keep
 * the reference sequence, replace its UIDs).
 */
import { groupOf, elementOf, type Tag } from '../dicom/tag.js';
import { OPTIONS, type OptionName } from './options.js';
import { NOT_PATIENT_DATES } from './not-patient-dates.js';
import { loadTable, type ActionCode, type TableRow } from './table.js';

export const ACTIONS = ['X', 'Z', 'D', 'K', 'C', 'U'] as const;
export type Action = (typeof ACTIONS)[number];

export interface Rule {
  readonly action: Action;
  /** Table row name, for reports ("Patient's Name"), or a dcmblind rule name. */
  readonly source: string;
  /**
   * The table's combined code (X/Z, X/D, X/Z/D, Z/D, X/Z/U*), for the IOD to decide; `action` is
   * its fallback.
   */
  readonly code?: ActionCode;
  /** Why the IOD changed the action ("X/Z → X: Type 3 in General Study"), for reports. */
  readonly why?: string;
  /** C on text: only the known identifying values are removed, no patterns (codes, versions). */
  readonly verbatim?: boolean;
  /** A project recipe's action (recipe/): it decides even PatientName and PatientID. */
  readonly recipe?: boolean;
  /** A recipe's replace: the value written, its templates filled (recipe/compile.ts). */
  readonly replace?: string;
}

export function resolveCombined(code: ActionCode): Action {
  switch (code) {
    case 'X/Z':
      return 'Z';
    case 'X/D':
    case 'X/Z/D':
    case 'Z/D':
      return 'D';
    case 'X/Z/U*':
      return 'U';
    default:
      return code;
  }
}

export type DatePolicy = 'remove' | 'shift' | 'keep';

export interface CompiledProfile {
  readonly name: string;
  readonly options: readonly OptionName[];
  readonly dates: DatePolicy;
  readonly retainUIDs: boolean;
  /** Retain Safe Private: private elements on Table E.3.10-1 stay (deid/private.ts). */
  readonly retainSafePrivate: boolean;
  readonly cleanGraphics: boolean;
  /**
   * The blinding profile: dates and times emptied, not shifted or dummied; subjects named by 64-hex
   * pseudonyms.
   */
  readonly blinding: boolean;
  /** Rule for a public tag named in the table (overlay/curve groups resolved here too). */
  ruleFor(t: Tag): Rule | undefined;
  /** Rule for private attributes (the "(GGGG,EEEE) WHERE GGGG IS ODD" row). */
  readonly privateRule: Rule;
}

function rowRule(row: TableRow, options: readonly OptionName[], tag?: Tag): Rule {
  const chosen: Array<'K' | 'C'> = [];
  // A date not about the patient is never shifted (it would give the offset away): its C
  // (modified dates) does not count, the Basic Profile's action or another option's K does.
  const notPatient = tag === undefined ? undefined : NOT_PATIENT_DATES.get(tag);
  for (const o of options) {
    const column = OPTIONS[o].column;
    const a = column === undefined ? undefined : row.options[column];
    if (a && !(a === 'C' && notPatient)) chosen.push(a);
  }
  const source = notPatient ? `${row.name} (${notPatient}: never shifted)` : row.name;
  // No row of the table has K and C from two options at once; if one ever does, clean.
  if (chosen.includes('C')) return { action: 'C', source };
  if (chosen.includes('K')) return { action: 'K', source };
  const action = resolveCombined(row.basicProfile);
  return action === row.basicProfile ? { action, source } : { action, source, code: row.basicProfile };
}

const HEX = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/;
const REPEATING = /^\(([0-9A-F]{2})XX,([0-9A-FX]{4})\)$/;

export function compileProfile(name: string, options: readonly OptionName[]): CompiledProfile {
  const byTag = new Map<Tag, Rule>();
  const repeating: Array<{ groupHigh: number; element: number | null; rule: Rule }> = [];
  let privateRule: Rule | undefined;
  for (const row of loadTable()) {
    const m = HEX.exec(row.tag);
    if (m) {
      const tag = ((parseInt(m[1] as string, 16) << 16) | parseInt(m[2] as string, 16)) >>> 0;
      byTag.set(tag, rowRule(row, options, tag));
      continue;
    }
    const rule = rowRule(row, options);
    const r = REPEATING.exec(row.tag);
    if (r) {
      const el = r[2] as string;
      repeating.push({
        groupHigh: parseInt(r[1] as string, 16),
        element: el === 'XXXX' ? null : parseInt(el, 16),
        rule,
      });
      continue;
    }
    if (row.tag.startsWith('(GGGG,EEEE)')) privateRule = rule;
    else throw new Error(`Table E.1-1: unrecognised tag pattern ${row.tag}`);
  }
  if (!privateRule) throw new Error('Table E.1-1 has no private attributes row');
  const cleanGraphics = options.includes('clean-graphics');
  // Overlay groups: rows name Overlay Data and Comments; the rest of a 60xx group describes the
  // overlay and goes with it (removed), or stays when graphics are cleaned.
  const overlayRest: Rule = { action: cleanGraphics ? 'K' : 'X', source: 'Overlay group' };
  const blinding = name === 'blinding';
  // What blinding removes beyond the Basic profile: emptied when the attribute is Type 2 in
  // most IODs (Z keeps it present), removed otherwise.
  const blinded = new Map<Tag, Rule>([
    [0x00100040, { action: 'Z', source: "Patient's Sex (blinding)" }],
    [0x00101010, { action: 'X', source: "Patient's Age (blinding)" }],
    [0x00185100, { action: 'Z', source: 'Patient Position (blinding)' }],
    [0x00081030, { action: 'X', source: 'Study Description (blinding)' }],
    [0x0008103e, { action: 'X', source: 'Series Description (blinding)' }],
  ]);
  return {
    name,
    options,
    blinding,
    dates: blinding
      ? 'remove'
      : options.includes('retain-long-full-dates')
        ? 'keep'
        : options.includes('retain-long-modified-dates')
          ? 'shift'
          : 'remove',
    retainUIDs: options.includes('retain-uids'),
    retainSafePrivate: options.includes('retain-safe-private'),
    cleanGraphics,
    privateRule,
    ruleFor(t: Tag): Rule | undefined {
      if (blinding) {
        const b = blinded.get(t);
        if (b) return b;
      }
      const hit = byTag.get(t);
      if (hit) return hit;
      const g = groupOf(t);
      if ((g & 0xff00) === 0x5000 || (g & 0xff00) === 0x6000) {
        if (g & 1) return undefined; // odd: private, handled by the caller
        for (const r of repeating) {
          if (g >> 8 === r.groupHigh && (r.element === null || r.element === elementOf(t))) return r.rule;
        }
        if ((g & 0xff00) === 0x6000) return overlayRest;
      }
      return undefined;
    },
  };
}
