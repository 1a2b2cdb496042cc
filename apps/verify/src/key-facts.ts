/**
 * Stage 1, from the run's key: the identities it holds are seeds too (a patient's name and
 * ID, the source UIDs), its birth and study dates are source dates, and its records say which
 * source each output file was written from.
 */
import type { FileRecord, KeyPayload } from '@dcmblind/core';
import { nameSeeds, type Seed } from './seeds.js';

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
}

/** What the key gives the checks; nothing without a key. */
export function keyFacts(p: KeyPayload | undefined): KeyFacts {
  const seeds: Seed[] = [];
  const dates: Array<[string, string]> = [];
  const byOutputPath = new Map<string, KeyedOutput>();
  for (const r of Object.values(p?.patients ?? {})) {
    seeds.push(...nameSeeds(r.patientName, 'PatientName', 0x00100010));
    if (r.patientId.length >= 4)
      seeds.push({ category: 'id', keyword: 'PatientID', tag: 0x00100020, text: r.patientId });
    const d = r.birthDate.slice(0, 8);
    if (/^\d{8}$/.test(d)) dates.push([`key:${r.pseudonym}`, d]);
  }
  for (const f of p?.files ?? []) {
    for (const u of [f.sourceStudyUID, f.sourceSeriesUID, f.sourceSOPInstanceUID])
      if (u && u.length >= 8) seeds.push({ category: 'uid', keyword: 'UID', tag: 0, text: u });
    if (f.sourceStudyDate && /^\d{8}$/.test(f.sourceStudyDate))
      dates.push([`key:${f.pseudonym}`, f.sourceStudyDate]);
    byOutputPath.set(f.outputPath, { record: f, patient: `key:${f.pseudonym}` });
  }
  return { seeds, dates, byOutputPath };
}
