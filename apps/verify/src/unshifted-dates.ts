/**
 * Stage 4: dates of the patient left in an output (`unshifted-date`). The patient's true dates
 * are its sources' (header and text) and its key records'; with the key, its outputs' header
 * dates moved back by its offset too (a date the key did not record). A date of the output
 * equal to one of them is a leak — unless it is the correct image of another true date: a
 * patient's studies a year apart, shifted, may land on each other's real dates. The key's
 * offset tells (moved back, it is a true date); with a source file and no key, a header date
 * counts only where the source had the same date at the same path.
 */
import type { Finding, OutputFacts } from './facts.js';
import type { TreeInputs } from './tree-checks.js';
import { shiftedBack } from './shift.js';

/** What one output is compared with. */
interface Truth {
  /** The patient's true dates. */
  readonly dates: ReadonlySet<string>;
  /** More true dates: the output's own header dates moved back by the key's offset. */
  readonly recovered: ReadonlySet<string>;
  /** Whether a date of the output is the correct image of a true date (only with the key's offset). */
  readonly isImage: (d: string) => boolean;
  /** Path → date of the paired source file's header (undefined: no source file paired). */
  readonly sourceHeader: ReadonlyMap<string, string> | undefined;
}

function truthOf(t: TreeInputs, out: OutputFacts, anyPatient: ReadonlySet<string>): Truth {
  const byPatient = t.sources.datesByPatient;
  const pair = t.pairing.pairOf.get(out.file);
  const keyPatient = t.key.byOutputPath.get(out.file)?.patient;
  // Unpaired (an SR without pixels, with --source only): whose it is is unknown; a date of any
  // patient written in its text does not belong in it.
  const dates = pair
    ? new Set([
        ...(byPatient.get(pair.patient) ?? []),
        ...(keyPatient ? (byPatient.get(keyPatient) ?? []) : []),
      ])
    : anyPatient;
  const offset = keyPatient === undefined ? undefined : t.key.offsets.get(keyPatient);
  const recovered = new Set(offset ? out.headerDates.map((d) => shiftedBack(d, offset)) : []);
  return {
    dates,
    recovered,
    isImage: (d) => offset !== undefined && offset !== 0 && dates.has(shiftedBack(d, offset)),
    sourceHeader: pair?.source ? new Map(pair.source.headerDates) : undefined,
  };
}

/** Whether a header date (DA/DT at `path`) is one of the patient's left as it was. */
function headerLeak(truth: Truth, path: string, d: string, withOffset: boolean): boolean {
  if (truth.isImage(d)) return false;
  if (truth.sourceHeader && !withOffset) return truth.sourceHeader.get(path) === d;
  return truth.dates.has(d);
}

export function unshiftedDates(t: TreeInputs): Finding[] {
  // Dates kept in full are what the declared option asks for.
  if (t.columns?.includes('rtnLongFullDatesOpt') ?? false) return [];
  const anyPatient = new Set([...t.sources.datesByPatient.values()].flatMap((d) => [...d]));
  const findings: Finding[] = [];
  for (const out of t.outputs) {
    const pair = t.pairing.pairOf.get(out.file);
    if (!pair && out.dicomdir) continue;
    const truth = truthOf(t, out, anyPatient);
    const withOffset = t.key.byOutputPath.has(out.file);
    const reported = new Set<string>();
    const report = (path: string) => {
      reported.add(path);
      findings.push({
        rule: 'unshifted-date',
        severity: 'leak',
        file: out.shown,
        element: path,
        category: 'date',
        detail: "a date of this patient's source, not removed or shifted",
      });
    };
    // Header dates of an unpaired output are not judged: one patient's shifted dates fall on
    // another's real ones by chance.
    if (pair)
      for (const [path, d] of out.dates)
        if (!reported.has(path) && headerLeak(truth, path, d, withOffset)) report(path);
    for (const [path, d] of out.textDates) {
      if (reported.has(path) || truth.isImage(d)) continue;
      if (truth.dates.has(d) || truth.recovered.has(d)) report(path);
    }
  }
  return findings;
}
