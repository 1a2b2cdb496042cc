/**
 * Profile options (PS3.15 E.3) with their Table E.1-1 column and CID 7050 code, and the
 * named profiles the CLI offers.
 */
import { DcmblindError } from '../errors.js';
import type { OptionColumn } from './table.js';

export const OPTIONS = {
  'retain-long-full-dates': {
    column: 'rtnLongFullDatesOpt',
    code: '113106',
    meaning: 'Retain Longitudinal Temporal Information Full Dates Option',
  },
  'retain-long-modified-dates': {
    column: 'rtnLongModifDatesOpt',
    code: '113107',
    meaning: 'Retain Longitudinal Temporal Information Modified Dates Option',
  },
  'retain-patient-characteristics': {
    column: 'rtnPatCharsOpt',
    code: '113108',
    meaning: 'Retain Patient Characteristics Option',
  },
  'retain-device-identity': {
    column: 'rtnDevIdOpt',
    code: '113109',
    meaning: 'Retain Device Identity Option',
  },
  'retain-institution-identity': {
    column: 'rtnInstIdOpt',
    code: '113112',
    meaning: 'Retain Institution Identity Option',
  },
  'retain-uids': { column: 'rtnUIDsOpt', code: '113110', meaning: 'Retain UIDs Option' },
  // Private elements on Table E.3.10-1 stay (deid/private.ts); every other private one goes.
  'retain-safe-private': {
    column: 'rtnSafePrivOpt',
    code: '113111',
    meaning: 'Retain Safe Private Option',
  },
  'clean-descriptors': { column: 'cleanDescOpt', code: '113105', meaning: 'Clean Descriptors Option' },
  'clean-structured-content': {
    column: 'cleanStructContOpt',
    code: '113104',
    meaning: 'Clean Structured Content Option',
  },
  'clean-graphics': { column: 'cleanGraphOpt', code: '113103', meaning: 'Clean Graphics Option' },
  // No column of Table E.1-1: it acts on the pixels (pixels/text/), not on attributes.
  'clean-pixel-data': { column: undefined, code: '113101', meaning: 'Clean Pixel Data Option' },
} as const satisfies Record<string, { column: OptionColumn | undefined; code: string; meaning: string }>;
export type OptionName = keyof typeof OPTIONS;
export const OPTION_NAMES = Object.keys(OPTIONS) as OptionName[];

export const BASIC_CODE = { code: '113100', meaning: 'Basic Application Confidentiality Profile' } as const;

export const PROFILES = {
  /** The Basic Application Level Confidentiality Profile alone: dates removed or dummied. */
  basic: [],
  /** Longitudinal research: shifted dates, patient characteristics kept, descriptors cleaned. */
  research: ['retain-long-modified-dates', 'retain-patient-characteristics', 'clean-descriptors'],
  /**
   * Reader blinding: basic, and besides PatientSex, PatientAge, PatientPosition, study and
   * series descriptions and every date and time emptied or removed (never shifted); subjects
   * are named by 64-hex pseudonyms (see rules.ts and the blinding layout). Readers look at the
   * images: text burned into them is scanned for and blanked (`--pixel-scan none` turns the
   * scan off; a file flagged YES is then quarantined).
   */
  blinding: ['clean-pixel-data'],
} as const satisfies Record<string, readonly OptionName[]>;
export type ProfileName = keyof typeof PROFILES;
export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

export function isOptionName(s: string): s is OptionName {
  return Object.hasOwn(OPTIONS, s);
}

/** The option set of a named profile plus extra options; rejects unknown names and contradictions. */
export function resolveOptions(profile: string, extra: readonly string[]): OptionName[] {
  if (!Object.hasOwn(PROFILES, profile)) {
    throw new DcmblindError(
      'E_USAGE',
      `unknown profile "${profile}"; choose one of: ${PROFILE_NAMES.join(', ')}`,
    );
  }
  const set = new Set<OptionName>(PROFILES[profile as ProfileName]);
  for (const o of extra) {
    if (!isOptionName(o))
      throw new DcmblindError('E_USAGE', `unknown option "${o}"; choose from: ${OPTION_NAMES.join(', ')}`);
    set.add(o);
  }
  if (set.has('retain-long-full-dates') && set.has('retain-long-modified-dates')) {
    throw new DcmblindError(
      'E_USAGE',
      'retain-long-full-dates and retain-long-modified-dates exclude each other; pick one',
    );
  }
  if (profile === 'blinding') {
    // Blinding empties every date and removes sex, age and position: an option that retains them
    // would be declared in the output's markers (0012,0064) while not applied.
    const contrary = (
      ['retain-long-full-dates', 'retain-long-modified-dates', 'retain-patient-characteristics'] as const
    ).filter((o) => set.has(o));
    if (contrary.length > 0) {
      throw new DcmblindError(
        'E_USAGE',
        `the blinding profile empties every date and removes the patient's sex, age and position; ` +
          `${contrary.join(', ')} would retain them: use the research or basic profile with it`,
      );
    }
  }
  return OPTION_NAMES.filter((o) => set.has(o));
}
