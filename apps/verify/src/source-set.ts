/**
 * Stage 1, gathered: what the sources hold, taken in as the workers' results arrive. Seeds
 * are deduplicated, dates are kept by patient, and each source keeps only what the tree
 * checks need.
 */
import { excluder, namedLikeDicom } from '@dcmblind/core';
import type { SourceFacts } from './facts.js';
import { PLACEHOLDER, type Seed } from './seeds.js';
import { rel } from './walk.js';

/** Operating-system debris (`.DS_Store`, `__MACOSX/`, …): `dcmblind run` skips it unread. */
const osDebris = excluder([]);

/**
 * A source that does not parse is judged as `dcmblind run` judges it: DICOM by its marker, or
 * by its name (IMG9999.dcm holding garbage), is a failure of the run, so it must have an
 * output; bytes plainly not DICOM under another name (README.txt) are skipped by the run.
 */
function judgedAsDicom(f: SourceFacts, relPath: string): boolean {
  if (osDebris(relPath)) return false;
  return Boolean(f.dicm) || namedLikeDicom(relPath);
}

/** A seed's identity: equal seeds from many files are searched for once. */
const seedKey = (s: Seed) =>
  `${s.category}|${s.tag}|${s.text}|${s.token ? 1 : 0}|${s.raw ? Buffer.from(s.raw).toString('hex') : ''}`;

/** The sources under --source, as far as the checks after the scan need them. */
export class SourceSet {
  /** Sources that parsed, each without its seeds, dates and kept values (taken in here). */
  readonly parsed: SourceFacts[] = [];
  /** Sources that do not parse and are judged as DICOM (by marker or by name). */
  readonly broken: SourceFacts[] = [];
  /** Sources that do not parse and are not judged: plainly not DICOM, or operating-system debris. */
  nonDicom = 0;
  /** Every date each patient's sources (and the key's records) hold, by patient. */
  readonly datesByPatient = new Map<string, Set<string>>();
  /** Each patient's initials (initials.ts), by patient. */
  readonly initialsByPatient = new Map<string, Set<string>>();
  readonly #seeds = new Map<string, Seed>();

  /**
   * `root`: the --source folder ('' without one). `scope`: how the run told patients apart
   * (its manifest's patientScope): by PatientID alone, or by PatientID and its issuer.
   */
  constructor(
    readonly root: string,
    readonly scope: 'global' | 'issuer' = 'global',
  ) {}

  /** Takes in one source's scan. */
  add(scanned: SourceFacts): void {
    const f =
      this.scope === 'issuer' && scanned.issuer
        ? { ...scanned, patientKey: `id:${scanned.issuer}:${scanned.patientKey.slice(3)}` }
        : scanned;
    for (const s of f.seeds) this.#seeds.set(seedKey(s), s);
    if (f.error) {
      if (judgedAsDicom(f, rel(this.root, f.path))) this.broken.push({ ...f, seeds: [] });
      else this.nonDicom += 1;
      return;
    }
    this.addDates(f.patientKey, f.dates);
    this.addInitials(f.patientKey, f.initials);
    this.parsed.push({ ...f, seeds: [], dates: [], initials: [] });
  }

  /** Initials of a patient (`id:…`, `name:…`, or the key's `key:<pseudonym>`). */
  addInitials(patient: string, initials: Iterable<string>): void {
    const set = this.initialsByPatient.get(patient) ?? new Set<string>();
    for (const i of initials) set.add(i);
    this.initialsByPatient.set(patient, set);
  }

  /** Dates (YYYYMMDD) of a patient (`id:…`, `name:…`, or the key's `key:<pseudonym>`). */
  addDates(patient: string, ds: Iterable<string>): void {
    const set = this.datesByPatient.get(patient) ?? new Set<string>();
    for (const d of ds) set.add(d);
    this.datesByPatient.set(patient, set);
  }

  /**
   * The seeds to search for: the sources', then `more` (the key's), each once; not the
   * placeholders a de-identifier writes. No seed is dropped for being kept somewhere: where an
   * output may hold one is decided by the attribute it stands in (see Claim in facts.ts).
   */
  seedList(more: readonly Seed[]): Seed[] {
    for (const s of more) this.#seeds.set(seedKey(s), s);
    return [...this.#seeds.values()].filter((s) => !PLACEHOLDER.test(s.text.trim()));
  }
}
