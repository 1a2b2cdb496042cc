/**
 * Stage 1, from the run's key: the identities it holds are seeds too (a patient's name and
 * ID, the source UIDs, and what the runs saw: every person's name met anywhere and each
 * patient's identifying values), its birth and study dates are source dates, and its records
 * say which source each output file was written from.
 */
import type { FileRecord, KeyPayload } from '@dcmblind/core';
import { datesInText } from './dates-in-text.js';
import { initialsOf } from './initials.js';
import { type Category, nameSeeds, type Seed, shortFormSeeds } from './seeds.js';
import { addressSeeds, idDigitSeeds, institutionSeeds } from './text-seeds.js';

/** An output file the key has a record of, and its patient as the key names it (`key:<pseudonym>`). */
export interface KeyedOutput {
  readonly record: FileRecord;
  readonly patient: string;
}

/** What the key gives the checks. */
export interface KeyFacts {
  readonly seeds: readonly Seed[];
  /** `key:<pseudonym>` and a date (YYYYMMDD) of that patient: birth and study dates. */
  readonly dates: ReadonlyArray<readonly [string, string]>;
  /** The key's records by output path (relative to the output folder). */
  readonly byOutputPath: ReadonlyMap<string, KeyedOutput>;
  /** `key:<pseudonym>` → the patient's initials (initials.ts). */
  readonly initials: ReadonlyArray<readonly [string, string]>;
  /** `key:<pseudonym>` → days its dates were moved by: moved back, its outputs' dates are the source's. */
  readonly offsets: ReadonlyMap<string, number>;
}

/** What the key gives the checks; nothing without a key. */
export function keyFacts(p: KeyPayload | undefined): KeyFacts {
  const seeds: Seed[] = [];
  const dates: Array<[string, string]> = [];
  const byOutputPath = new Map<string, KeyedOutput>();
  const offsets = new Map<string, number>();
  const initials: Array<[string, string]> = [];
  for (const r of Object.values(p?.patients ?? {})) {
    if (Number.isInteger(r.dateOffsetDays)) offsets.set(`key:${r.pseudonym}`, r.dateOffsetDays);
    for (const i of initialsOf(r.patientName)) initials.push([`key:${r.pseudonym}`, i]);
    seeds.push(...nameSeeds(r.patientName, 'PatientName', 0x00100010));
    seeds.push(...shortFormSeeds(r.patientName, 'PatientName', 0x00100010));
    if (r.patientId.length >= 4) {
      const id: Seed = { category: 'id', keyword: 'PatientID', tag: 0x00100020, text: r.patientId };
      seeds.push(id, ...idDigitSeeds(id));
    }
    const d = legacyToDA(r.birthDate).slice(0, 8);
    if (/^\d{8}$/.test(d)) dates.push([`key:${r.pseudonym}`, d]);
  }
  for (const f of p?.files ?? []) {
    for (const u of [f.sourceStudyUID, f.sourceSeriesUID, f.sourceSOPInstanceUID])
      if (u && u.length >= 8) seeds.push({ category: 'uid', keyword: 'UID', tag: 0, text: u });
    const study = legacyToDA(f.sourceStudyDate ?? '');
    if (/^\d{8}$/.test(study)) dates.push([`key:${f.pseudonym}`, study]);
    byOutputPath.set(f.outputPath, { record: f, patient: `key:${f.pseudonym}` });
  }
  lexiconFacts(p, seeds, dates);
  return { seeds, dates, byOutputPath, offsets, initials };
}

/** A legacy ACR-NEMA date (1958.09.27) as a DA: the key records dates as the source wrote them. */
const legacyToDA = (d: string): string => d.replace(/^(\d{4})\.(\d\d)\.(\d\d)/, '$1$2$3');

const LEXICON = 'the key (values the runs saw)';
const CATEGORIES = new Set<string>(['name', 'id', 'uid', 'address', 'phone', 'institution']);

/**
 * The key's lexicon: names of anyone the runs met (a GP, a relative), and each patient's values
 * (`category` NUL `text`), its dates taken as that patient's.
 */
function lexiconFacts(p: KeyPayload | undefined, seeds: Seed[], dates: Array<[string, string]>): void {
  const lex = p?.lexicon;
  if (!lex) return;
  for (const name of lex.names) seeds.push(...nameSeeds(name, LEXICON, 0));
  const pseudonymOf = new Map(Object.values(p.patients).map((r) => [r.patientKey, r.pseudonym]));
  for (const [patientKey, values] of Object.entries(lex.patients)) {
    const pseudonym = pseudonymOf.get(patientKey);
    for (const v of values) {
      const cut = v.indexOf('\0');
      const category = v.slice(0, cut);
      const text = v.slice(cut + 1).trim();
      if (cut < 0 || text === '') continue;
      if (category === 'date') {
        const ds = datesInText(text, false);
        for (const d of ds.length > 0 ? ds : datesInText(text, true))
          if (pseudonym) dates.push([`key:${pseudonym}`, d]);
      } else if (category === 'name') {
        seeds.push(...nameSeeds(text, LEXICON, 0));
      } else if (CATEGORIES.has(category) && [...text].length >= 4) {
        const s: Seed = { category: category as Category, keyword: LEXICON, tag: 0, text };
        seeds.push(s, ...(category === 'id' || category === 'phone' ? idDigitSeeds(s) : []));
        if (category === 'address') seeds.push(...addressSeeds(text, LEXICON, 0));
        if (category === 'institution') seeds.push(...institutionSeeds(text, LEXICON, 0));
      }
    }
  }
}
