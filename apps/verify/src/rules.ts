/**
 * What the report says about its rules: a one-line meaning of each (the legend), what to do
 * when it fires (next steps), the verdict a reviewer signs, and the list of checks that ran
 * given the inputs. Kept in one table so the legend can never miss a rule the scan reports.
 */
import type { Finding, Severity } from './facts.js';

export interface RuleInfo {
  readonly severity: Severity;
  readonly meaning: string;
  readonly next: string;
}

const RERUN = 'do not release until a rerun of dcmblind-verify is clean';

export const RULES: Readonly<Record<string, RuleInfo>> = {
  'seed-match': {
    severity: 'leak',
    meaning: "a value of a source (name, ID, address, phone, institution) is in an output file's bytes",
    next: `remove the file, or fix what put the value there and re-run dcmblind into a new --out; ${RERUN}`,
  },
  'seed-in-path': {
    severity: 'leak',
    meaning: 'a source value is in an output file or folder name',
    next: `rename or remove it (or re-run dcmblind: --layout patient names nothing after a source); ${RERUN}`,
  },
  'source-uid': {
    severity: 'leak',
    meaning: 'a source UID is still in an output file',
    next: `re-run dcmblind without the retain-uids option (unless the study agreed to keep UIDs); ${RERUN}`,
  },
  'unshifted-date': {
    severity: 'leak',
    meaning: "a date of the patient's sources is in the output unchanged (not removed or shifted)",
    next: `re-run dcmblind with the profile the study agreed on; ${RERUN}`,
  },
  'key-in-output': {
    severity: 'leak',
    meaning: "dcmblind's key file, its journal or its lock is in the output tree",
    next:
      'the re-identification key (encrypted or not) must never travel with the output: remove it ' +
      'and keep it with its custodian',
  },
  'profile-removed-present': {
    severity: 'violation',
    meaning: 'an attribute the profile removes (X in PS3.15 Table E.1-1) is present',
    next: `re-run dcmblind with the intended --profile, or find who edited the file after the run; ${RERUN}`,
  },
  'private-element': {
    severity: 'violation',
    meaning: 'a private element is present; the profile removes them',
    next: `re-run dcmblind (it removes private elements), or find what added them after the run; ${RERUN}`,
  },
  'marker-identity-removed': {
    severity: 'violation',
    meaning: 'PatientIdentityRemoved is not YES',
    next: `not made by dcmblind, or edited afterwards: re-run dcmblind on its source; ${RERUN}`,
  },
  'marker-method': {
    severity: 'violation',
    meaning: 'the de-identification method codes (CID 7050) lack the Basic profile or hold unknown codes',
    next: `re-run dcmblind on its source (it writes the codes); ${RERUN}`,
  },
  'marker-profile': {
    severity: 'violation',
    meaning: 'the options the file declares differ from --profile',
    next: 'check which profile the study agreed on; re-run dcmblind with it, or verify with that --profile',
  },
  'marker-dates': {
    severity: 'violation',
    meaning: 'dates are declared modified but LongitudinalTemporalInformationModified is not MODIFIED',
    next: `re-run dcmblind on its source; ${RERUN}`,
  },
  'seed-in-kept': {
    severity: 'suspect',
    meaning:
      'a source value in an attribute the profile keeps, with no source file to tell whether it is ' +
      "that attribute's own value (say a manufacturer also typed as the institution)",
    next: 'verify again with --source; or read the attribute: a name, ID or address there is a leak',
  },
  'offset-exposed': {
    severity: 'leak',
    meaning:
      'a published version date (context group, template) was shifted: its true value is public, ' +
      'so the change gives the date offset away',
    next: `re-run dcmblind (it keeps published versions as they are); ${RERUN}`,
  },
  'initials-in-text': {
    severity: 'suspect',
    meaning: "the output's own patient's initials stand as a word in its text",
    next: 'read the attribute: initials of the patient (not an abbreviation) are a leak; remove, re-run',
  },
  'contact-in-text': {
    severity: 'suspect',
    meaning: 'an e-mail or web address in a free-text attribute',
    next: "read the attribute: a person's or a site's address is a leak; remove it, re-run",
  },
  'bitstream-metadata': {
    severity: 'suspect',
    meaning:
      'a segment made to carry text (COM, Exif/XMP APPn, a JP2 XML or UUID box) inside compressed ' +
      'pixel data',
    next: `re-run dcmblind (it removes them); or check the segment's text by eye; ${RERUN}`,
  },
  'pixel-unused-bits': {
    severity: 'suspect',
    meaning: 'native pixel data has set bits outside Bits Stored/High Bit (never displayed: an old overlay?)',
    next: `re-run dcmblind (it clears them), or look at the high bits of the image; ${RERUN}`,
  },
  'date-in-text': {
    severity: 'suspect',
    meaning: 'date-shaped text in a free-text attribute',
    next: 'read the attribute (with the custodian if needed): a real date of care is a leak; remove, re-run',
  },
  'name-in-text': {
    severity: 'suspect',
    meaning: 'person-name-shaped text in a free-text attribute',
    next: "read the attribute (with the custodian if needed): a real person's name is a leak; remove, re-run",
  },
  'burned-in-annotation': {
    severity: 'suspect',
    meaning: 'the file says its pixels carry burned-in text (BurnedInAnnotation = YES)',
    next: 'look at the pixels; remove the file or have its pixels cleaned before release',
  },
  unreadable: {
    severity: 'integrity',
    meaning: 'a DICOM output (DICM marker) that does not parse, or a file that cannot be read',
    next: `remove it and re-run dcmblind into the same --out (it rewrites what is missing); ${RERUN}`,
  },
  'pixel-data-changed': {
    severity: 'integrity',
    meaning: "an output's pixel data differs from its source's",
    next: `find what changed the output after the run; re-run dcmblind on its source; ${RERUN}`,
  },
  'no-source': {
    severity: 'integrity',
    meaning: 'an output that no source file and no key record explains',
    next: 'find where the file came from; remove it if it does not belong to this export',
  },
  'reference-broken': {
    severity: 'integrity',
    meaning: 'a reference that resolved in the sources resolves to nothing or to other files',
    next: 'check that the referenced files were written (see source-not-written) and no output was edited',
  },
  'patients-share-pseudonym': {
    severity: 'integrity',
    meaning: 'two source patients carry the same pseudonym',
    next: 'do not release: ask the operator (outputs of different keys or projects mixed in one tree?)',
  },
  'patient-split': {
    severity: 'integrity',
    meaning: 'one source patient carries several pseudonyms',
    next: 'ask the operator (several keys, or --patient-scope issuer on purpose?); re-run with one key',
  },
  'seed-in-pixels': {
    severity: 'leak',
    meaning: "OCR read a source's name or ID (a seed) in an output's pixels",
    next:
      're-run dcmblind with --option clean-pixel-data into a new --out (or remove the file); ' +
      "look at the HTML report's thumbnail; do not release until a rerun of dcmblind-verify is clean",
  },
  'pixel-text': {
    severity: 'suspect',
    meaning: "OCR read a word, a date or an ID in an at-risk output's pixels (its text hashed)",
    next:
      "look at the frame (the HTML report's thumbnail): a name, ID or date of care is a leak — " +
      're-run dcmblind with --option clean-pixel-data into a new --out, or remove the file',
  },
  'kept-by-recipe': {
    severity: 'review',
    meaning:
      "an attribute the project's recipe (--recipe) kept, replaced, emptied or dummied: what would " +
      "otherwise be a finding on it is the recipe's choice (the recipe and its line named)",
    next: 'check that the recipe is the one the project agreed to; a kept identifier needs the consent it assumes',
  },
  'recipe-not-given': {
    severity: 'review',
    meaning: 'the output was made with a project recipe, and the scan was not given it (--recipe)',
    next: "rerun dcmblind-verify with --recipe and the recipe's file, so its choices are told from leaks",
  },
  'pixel-scan-off': {
    severity: 'review',
    meaning:
      'the run was given clean-pixel-data with --pixel-scan none: its at-risk outputs were written ' +
      'with their pixels as they were, and do not declare Clean Pixel Data',
    next:
      "look at the images (this scan's pixel-text findings and thumbnails); to have the text " +
      'blanked, re-run dcmblind with the scan on into a new --out',
  },
  'review-burned-in': {
    severity: 'review',
    meaning:
      'a modality or SOP class that often carries burned-in text (look at the pixels), or an ' +
      'encapsulated document (read it)',
    next: 'look at the images and documents; remove any that show a name, ID or date of care',
  },
  'non-dicom-file': {
    severity: 'suspect',
    meaning: 'a file that is not DICOM would leave with the output (its bytes and zip entries were searched)',
    next: 'remove it from the output unless it is meant to go (then check it by eye); a seed-match is a leak',
  },
  'duplicate-sop-instance': {
    severity: 'integrity',
    meaning: 'several output files carry the same SOP Instance UID (the same instance written twice)',
    next: `remove the extra copies (two runs into one --out with overlapping inputs?); ${RERUN}`,
  },
  'source-not-written': {
    severity: 'integrity',
    meaning: 'a source DICOM file has no output (dcmblind failed it, or its output was removed)',
    next: "see dcmblind's error line for it; fix or re-export the source and re-run, or note why it is out",
  },
  'source-quarantined': {
    severity: 'review',
    meaning:
      'a source dcmblind quarantines (not written): BurnedInAnnotation = YES, or an encapsulated ' +
      'document other than a PDF',
    next:
      'expected: it is left out; to include it, have its pixels (or document) cleaned and process ' +
      'the cleaned file',
  },
  'missing-output': {
    severity: 'integrity',
    meaning: 'a file dcmblind recorded as written to this output is not there',
    next: `re-run dcmblind into the same --out (it rewrites missing files), or find who removed it; ${RERUN}`,
  },
};

export type Verdict = 'release' | 'review' | 'do-not-release';

export const VERDICT_TEXT: Readonly<Record<Verdict, string>> = {
  release: 'RELEASE',
  review: 'REVIEW BEFORE RELEASE',
  'do-not-release': 'DO NOT RELEASE',
};

const BLOCKING: ReadonlySet<Severity> = new Set(['leak', 'violation', 'integrity']);

/** Any leak, violation or integrity finding blocks; suspect findings and review items ask for a look. */
export function verdictOf(findings: readonly Finding[], review: readonly Finding[]): Verdict {
  if (findings.some((f) => BLOCKING.has(f.severity))) return 'do-not-release';
  return findings.length > 0 || review.length > 0 ? 'review' : 'release';
}

export const SEVERITY_ORDER: readonly Severity[] = ['leak', 'violation', 'integrity', 'suspect', 'review'];
export const severityRank = (s: Severity): number => SEVERITY_ORDER.indexOf(s);

export interface Check {
  readonly name: string;
  readonly ran: boolean;
  readonly detail: string;
}

export interface NotJudged {
  readonly check: string;
  readonly count: number;
  readonly reason: string;
}

interface Inputs {
  readonly source: boolean;
  readonly key: boolean;
  readonly profile: string | undefined;
  readonly seeds: number;
  readonly seedCounts: Readonly<Record<string, number>>;
  /** What the missing-output check compared ('' when the output has no record of its files). */
  readonly recordedOutputs: string;
  /** How the run told patients apart (its manifest). */
  readonly scope: 'global' | 'issuer';
  /** The pixels of at-risk outputs were read by OCR (not --no-ocr), and how many. */
  readonly ocr: boolean;
  readonly pixelsRead: number;
}

/** The checks of this scan: which ran with these inputs, and for those that did not, what they need. */
export function checksRun(i: Inputs): Check[] {
  const paired = i.source || i.key;
  const by = [i.key ? "the key's records" : '', i.source ? 'identical pixel data' : '']
    .filter(Boolean)
    .join(', then ');
  const counts = Object.entries(i.seedCounts)
    .map(([c, n]) => `${n} ${c}`)
    .join(', ');
  const needs = (what: string) => `not run: needs ${what}`;
  const apart = i.scope === 'issuer' ? 'PatientID and its issuer' : 'PatientID';
  return [
    {
      name: 'seeded search',
      ran: paired,
      detail: paired
        ? `${i.seeds} seed(s) (${counts || 'none'}) over every file's bytes and path, in every ` +
          'spelling and character set; allowed only where a kept attribute holds its own source value'
        : needs('--source or --key'),
    },
    {
      name: 'profile conformance',
      ran: true,
      detail: i.profile
        ? `every file held to profile ${i.profile} (--profile, else the output's manifest)`
        : 'every file held to the profile it declares (CID 7050)',
    },
    {
      name: 'heuristics',
      ran: true,
      detail:
        'date-, name-, e-mail- and web-address-shaped free text, burned-in annotation, modalities to look at',
    },
    {
      name: 'pixel data carries only the image',
      ran: true,
      detail:
        'text segments of compressed frames (COM, APPn, JP2 boxes) reported and searched; ' +
        'no set bit outside Bits Stored/High Bit',
    },
    {
      name: 'text in the pixels',
      ran: i.ocr,
      detail: i.ocr
        ? `${i.pixelsRead} at-risk output(s) read by OCR (a cine by its first, middle and last frames), ` +
          'in overlapping bands: every word of 3+ letters, date or ID reported'
        : 'not run: --no-ocr',
    },
    {
      name: 'public dates',
      ran: paired,
      detail: i.source
        ? "no published version (DCMR context group, template) changed from every source's"
        : i.key
          ? "no published version that agrees across patients only once moved back by the key's offsets"
          : needs('--source or --key'),
    },
    {
      name: 'non-DICOM files',
      ran: true,
      detail:
        "every file that is not DICOM reported (dcmblind's key, its journal or lock as a leak), " +
        'its bytes and zip entries searched',
    },
    { name: 'outputs parse', ran: true, detail: 'every output file parses as DICOM' },
    { name: 'duplicate SOP instances', ran: true, detail: 'no SOP Instance UID carried by two output files' },
    {
      name: 'pairing with sources',
      ran: paired,
      detail: paired ? `by ${by}; no output without a source` : needs('--source or --key'),
    },
    {
      name: 'pseudonyms and dates',
      ran: paired,
      detail: paired
        ? `one pseudonym per source patient and back (patients told apart by ${apart}, as the run ` +
          'did); no date of the patient in any written form, in any element or path; its initials ' +
          'not in its text'
        : needs('--source or --key'),
    },
    {
      name: 'pixel data and references',
      ran: i.source,
      detail: i.source
        ? "pixel data equal to the source's; references resolve as in the sources"
        : needs('--source'),
    },
    {
      name: 'every source written',
      ran: i.source,
      detail: i.source ? 'every source DICOM file has an output (or was quarantined)' : needs('--source'),
    },
    {
      name: 'recorded outputs present',
      ran: i.recordedOutputs !== '',
      detail: i.recordedOutputs
        ? `every file dcmblind placed here is still here (${i.recordedOutputs})`
        : 'not run: the output has no list of the files dcmblind placed (an older dcmblind?) ' +
          'and no key record carries its id',
    },
  ];
}
