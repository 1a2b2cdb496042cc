/**
 * The plain data the verifier's stages hand each other: what a source file could leak
 * (SourceFacts), what an output file holds (OutputFacts), and the findings reports are made of.
 * Facts cross the worker boundary, so they stay plain (structured-cloneable) objects.
 */
import type { NativeSeed } from './native-names.js';
import type { Matcher } from './search.js';
import type { Seed } from './seeds.js';

/** How bad a finding is: leaks, violations and integrity faults block a release. */
export type Severity = 'leak' | 'violation' | 'suspect' | 'integrity' | 'review';

/** One thing a check found, about one file (or the tree, with `file` ''). */
export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  /** Output file, relative to the output folder. */
  readonly file: string;
  /**
   * Element path (`RequestAttributesSequence[0].RequestedProcedureID`), `(file path)`, or ''
   * for the file.
   */
  readonly element: string;
  readonly category?: string;
  /** Short keyed hash of the leaked value: lets reviewers match occurrences without seeing it. */
  readonly valueHash?: string;
  readonly detail: string;
  /**
   * A source file's path relative to --source, in clear: the operator's terminal log names it
   * so the file can be found. Never written to a report (those may leave the site).
   */
  readonly operatorPath?: string;
}

/** A finding before it is stamped with the file it is about. */
export type FileFinding = Omit<Finding, 'file'>;

/** One file's findings as they are found, each stamped with the file's path as reports show it. */
export class FileFindings {
  readonly list: Finding[] = [];

  constructor(readonly file: string) {}

  /** Records a finding about this file. */
  add(f: FileFinding): void {
    this.list.push({ file: this.file, ...f });
  }
}

/** What the source scan learned of one source file (stage 1). */
export interface SourceFacts {
  readonly path: string;
  readonly error?: string;
  /** `id:<PatientID>`, or `name:<PatientName>` without an ID (see SourceSet for the issuer). */
  readonly patientKey: string;
  /** IssuerOfPatientID, when the file has one and a PatientID. */
  readonly issuer?: string;
  readonly sopUID: string;
  readonly pixelSha: string;
  /** Attributes the profiles keep (instance and series numbers, position): tell apart equal pixels. */
  readonly fingerprint: string;
  readonly seeds: Seed[];
  /** Every date (YYYYMMDD) the source holds, for the unshifted-date check. */
  readonly dates: string[];
  /** Element path → date of its DA and DT elements (an output's are compared path by path). */
  readonly headerDates: Array<[string, string]>;
  /** The patient's initials (initials.ts), compared with the capitals in its outputs' text. */
  readonly initials: string[];
  /** Element path → referenced UID. */
  readonly refs: Array<[string, string]>;
  /** UIDs this file defines (SOP instance, series, study, frame of reference). */
  readonly defines: string[];
  /** Element path → value of the attributes holding a public date (versions.ts). */
  readonly versions: Array<[string, string]>;
  /** A DICOMDIR: dcmblind skips it (directories are rebuilt), so no output is expected. */
  readonly dicomdir?: boolean;
  /** An entry of a zip archive (zip-source.ts). */
  readonly archive?: boolean;
  /** BurnedInAnnotation = YES: dcmblind quarantines it, so no output is expected. */
  readonly burnedIn?: boolean;
  /** The MIME type of an encapsulated document other than a PDF: dcmblind quarantines it. */
  readonly quarantinedDocument?: string;
  /** Did not parse but carries the DICM marker: DICOM that dcmblind cannot have written. */
  readonly dicm?: boolean;
}

/** The identity and reference facts of a file that has none: it does not parse, or is a DICOMDIR. */
export function noFileFacts() {
  return {
    sopUID: '',
    pixelSha: '',
    fingerprint: '',
    dates: [],
    textDates: [],
    refs: [],
    defines: [],
    versions: [],
    headerDates: [],
    capitals: [],
    claims: [],
  };
}

/** What the output scan learned of one output file (stage 2): its findings and facts to pair. */
export interface OutputFacts {
  /** Path relative to the output folder (for pairing; never printed). */
  readonly file: string;
  /** The same path with any leaked value masked: what reports show. */
  readonly shown: string;
  /** PatientID as reports may show it: the pseudonym, or a masked label when it is a source value. */
  readonly patientLabel: string;
  /** A DICOMDIR: searched like any file, but it has no source and no markers of its own. */
  readonly dicomdir?: boolean;
  readonly ok: boolean;
  readonly patientId: string;
  readonly sopUID: string;
  readonly pixelSha: string;
  readonly fingerprint: string;
  /** Element path → date (YYYYMMDD) of its DA and DT elements. */
  readonly dates: Array<[string, string]>;
  /** Element path (or `(file path)`, a pixel data segment) → a date written in its text, any form. */
  readonly textDates: Array<[string, string]>;
  readonly refs: Array<[string, string]>;
  readonly defines: string[];
  /** Element path → value of the attributes holding a public date (versions.ts). */
  readonly versions: Array<[string, string]>;
  /** The dates (YYYYMMDD) of its DA and DT elements: shifted back by the key's offset, the source's. */
  readonly headerDates: string[];
  /** Element path → a standalone word of two or three capitals in its text (initials.ts). */
  readonly capitals: Array<[string, string]>;
  /** Source values found in attributes the profile keeps: judged against the paired source. */
  readonly claims: Claim[];
  readonly findings: Finding[];
  /** A class that often carries burned-in text, or flagged YES: its pixels are read (pixel-text.ts). */
  readonly pixelsAtRisk?: true;
}

/**
 * A source value found in an attribute the profile keeps. It is allowed only if the paired
 * source file holds the same bytes in the same attribute, at the same path (kept as it was, not
 * brought there); anything else is a leak. Judged once outputs are paired (kept-claims.ts).
 */
export interface Claim {
  /** The finding to report when the claim does not hold. */
  readonly finding: Finding;
  readonly path: string;
  /** The matched bytes, ASCII letters lower-cased, as Latin-1 text. */
  readonly hit: string;
}

/** One output file to scan, as the orchestrator hands it to a worker. */
export interface OutputTask {
  readonly abs: string;
  readonly rel: string;
  /** Option columns to hold the file to; undefined: what its own de-identification markers declare. */
  readonly columns?: readonly string[];
  readonly profileName?: string;
}

/** What every output scan in a worker shares: the run's seeds, their matcher, the finding-hash key. */
export interface ScanContext {
  readonly seeds: readonly Seed[];
  readonly matcher: Matcher;
  /** The digits of phone and ID seeds, searched in text with its separators dropped (digits.ts). */
  readonly digits: Matcher;
  /** Name seeds folded (folded-names.ts), searched in folded text that is not plain ASCII. */
  readonly folded: Matcher;
  /** Latin name seeds as skeletons, looked for in Cyrillic and Greek words (native-names.ts). */
  readonly nativeNames: readonly NativeSeed[];
  /** Every patient's dates (YYYYMMDD), for files whose patient is unknown (not DICOM). */
  readonly dates: ReadonlySet<string>;
  readonly hashKey: Buffer;
  /** The run's pseudonym prefix (its manifest), when known. */
  readonly pseudonymPrefix?: string;
  /** The subject IDs of the recipe's subjects table (--recipe), shown as pseudonyms are. */
  readonly subjectIds?: ReadonlySet<string>;
}
