/**
 * De-identify one file held in memory: parse, first pass, engine, serialise. Pure apart from
 * hashing: bytes in, bytes out, so the same input and key always give the same output.
 */
import { planPixels } from './pixels.js';
import { type RegionRule, regionsFor } from '../pixels/text/rules.js';
import {
  type Blanking,
  type PixelScan,
  type ScanRequest,
  scanFacts,
  scanRequest,
  shouldScan,
} from '../pixels/text/scan.js';
import { deflateRawSync } from 'node:zlib';
import { DcmblindError } from '../errors.js';
import { parseFile, parseHead, parseHeadTail, type ParsedFile } from '../dicom/reader.js';
import { T } from '../dicom/tag.js';
import { latin1 } from './text.js';
import { type ChunkList, fileHeader, serialize } from '../dicom/writer.js';
import type { ProjectSecret } from '../identity/secret.js';
import type { CompiledProfile } from '../profile/rules.js';
import type { CompiledRecipe } from '../recipe/compile.js';
import { ENGINE_VERSION, IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../version.js';
import { deidentifyDataset, type Fired, type PatientIdentity } from './engine.js';
import { planDocument } from './document.js';
import { buildLexicon, type Lexicon } from '../scrub/lexicon.js';
import { Recent } from './recent.js';
import {
  firstPass,
  type FirstPass,
  type IdentifyingValue,
  type SourceIdentity,
  valuesId,
} from './identifying.js';

export interface DeidentifyConfig {
  readonly profile: CompiledProfile;
  readonly secret: ProjectSecret;
  /** Pseudonym prefix, e.g. "ANON-". */
  readonly pseudonymPrefix: string;
  /** Whole days the dates move back, inclusive range. */
  readonly dateOffset: { readonly min: number; readonly max: number };
  /** The subject's name when it comes from outside the file (blinding by source zip SHA-256). */
  readonly subject?: string;
  /** `issuer`: PatientID counts together with IssuerOfPatientID (equal IDs of two hospitals stay apart). */
  readonly patientScope?: 'global' | 'issuer';
  /** Person names seen anywhere in the run (scrub/cohort.ts), cleaned from every free text. */
  readonly runLexicon?: Lexicon;
  /** The identifying values of the patient's other files (the header pass). */
  readonly patientValues?: readonly IdentifyingValue[];
  /** Clean Pixel Data: which files have their pixels scanned for burned-in text. */
  readonly pixelScan?: PixelScan;
  /** Region rules (pixels/text/rules.ts): a file that matches one is scanned, its rectangles blanked. */
  readonly pixelRules?: readonly RegionRule[];
  /** A scan's answer for this file (the second call, after `status: 'scan'`). */
  readonly scanned?: { readonly request: ScanRequest; readonly blanking: Blanking };
  /** The project's recipe (recipe/): attribute actions, safe private entries, trial values, subjects. */
  readonly recipe?: CompiledRecipe;
}

export interface FileFacts {
  readonly source: SourceIdentity;
  readonly patient: PatientIdentity;
  readonly first: FirstPass;
  readonly transferSyntaxUID: string;
  /** UIDs after de-identification. */
  readonly sopInstanceUID: string;
  readonly studyUID: string;
  readonly seriesUID: string;
  readonly isDicomDir: boolean;
}

export type DeidentifyResult =
  | {
      readonly status: 'written';
      readonly output: ChunkList;
      readonly facts: FileFacts;
      readonly fired: Fired;
      /** The identifying values the file was cleaned of (its own, its patient's, the run's names). */
      readonly lexicons: readonly Lexicon[];
    }
  | { readonly status: 'quarantined'; readonly reason: string; readonly facts: FileFacts }
  /** The pixels must be scanned for burned-in text first (asynchronous OCR): call again with `scanned`. */
  | {
      readonly status: 'scan';
      readonly reason: string;
      readonly request: ScanRequest;
      readonly facts: FileFacts;
    }
  | { readonly status: 'skipped'; readonly reason: string; readonly facts: FileFacts };

export const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

/**
 * What a patient's pseudonym and date offset derive from. Patients without PatientID get a
 * stable identity from what does identify them, never a shared empty one.
 */
export function patientKey(s: SourceIdentity, scope: 'global' | 'issuer' = 'global'): string {
  if (s.patientId && scope === 'issuer' && s.issuer) return `id\u0000${s.issuer}\u0000${s.patientId}`;
  if (s.patientId) return `id\u0000${s.patientId}`;
  if (s.patientName)
    return `name\u0000${s.patientName.toUpperCase().replace(/\s+/g, ' ')}\u0000${s.birthDate}`;
  if (s.studyUID) return `study\u0000${s.studyUID}`;
  if (s.sopInstanceUID) return `sop\u0000${s.sopInstanceUID}`;
  throw new DcmblindError(
    'E_NOT_DICOM',
    'no PatientID, PatientName, StudyInstanceUID or SOPInstanceUID: ' +
      'nothing identifies what this file belongs to',
  );
}

/**
 * The trial's subject ID for a patient, from the recipe's subjects table; a patient the table
 * does not list is an error (never the keyed pseudonym instead: two naming schemes in one trial).
 */
function subjectFromTable(cfg: DeidentifyConfig, patientId: string): string | undefined {
  const table = cfg.recipe?.subjects;
  if (!table) return undefined;
  const subject = table.get(patientId);
  if (subject === undefined)
    throw new DcmblindError(
      'E_USAGE',
      `its PatientID is not in the subjects table of the recipe ${cfg.recipe?.name} (${cfg.recipe?.subjectsFile}): add the patient to it`,
    );
  return subject;
}

export function patientIdentity(key: string, cfg: DeidentifyConfig, patientId = ''): PatientIdentity {
  return {
    key,
    // Blinding names subjects by 64 hex digits: the keyed hash of the patient, or what the run
    // says (source zip SHA-256); a trial's subjects table names its patients itself.
    pseudonym:
      cfg.subject ??
      subjectFromTable(cfg, patientId) ??
      (cfg.profile.blinding
        ? cfg.secret.mac('subject', key).toString('hex')
        : cfg.secret.pseudonym(key, cfg.pseudonymPrefix)),
    dateOffsetDays: cfg.secret.dateOffsetDays(key, cfg.dateOffset.min, cfg.dateOffset.max),
  };
}

function facts(parsed: ParsedFile, first: FirstPass, cfg: DeidentifyConfig): FileFacts {
  const s = first.identity;
  const mapUID = (u: string) => (u === '' || cfg.profile.retainUIDs ? u : cfg.secret.uid(u));
  const metaClass = parsed.meta.find((e) => e.tag === T.MediaStorageSOPClassUID);
  const sopClass =
    s.sopClassUID ||
    (metaClass
      ? latin1(
          parsed.file.subarray(metaClass.valueStart, metaClass.valueStart + metaClass.valueLength),
        ).replace(/[\0 ]+$/, '')
      : '');
  const isDicomDir = sopClass === MEDIA_STORAGE_DIRECTORY;
  return {
    source: s,
    // A DICOMDIR names no patient of its own; it is skipped, never written.
    patient: isDicomDir
      ? { key: '', pseudonym: '', dateOffsetDays: 0 }
      : patientIdentity(patientKey(s, cfg.patientScope), cfg, s.patientId),
    first,
    transferSyntaxUID: parsed.transferSyntaxUID,
    sopInstanceUID: mapUID(s.sopInstanceUID),
    studyUID: mapUID(s.studyUID),
    seriesUID: mapUID(s.seriesUID),
    isDicomDir,
  };
}

const sharedLexicons = new Recent<Lexicon>();

/**
 * The lexicons of a file's values and its patient's: one of everything but the UIDs, shared by
 * the files of a series (they differ in their UIDs only; see Recent), and one of its UIDs.
 */
function fileLexicons(
  values: readonly IdentifyingValue[],
  patientValues: readonly IdentifyingValue[],
  patientNames: readonly string[],
): Lexicon[] {
  const uids = values.filter((v) => v.category === 'uid');
  const key = `${valuesId(values)} ${valuesId(patientValues)} ${JSON.stringify(patientNames)}`;
  const lexicon = sharedLexicons.get(key, () =>
    buildLexicon(
      [...values, ...patientValues].filter((v) => v.category !== 'uid'),
      patientNames,
      // Short forms of the patient's own names only (scrub/nicknames.ts): of every name of a run,
      // one William among the physicians would cut `Will` from the whole cohort.
      { shortForms: true },
    ),
  );
  return uids.length ? [lexicon, buildLexicon(uids)] : [lexicon];
}

/**
 * `bytes` is the file, or only its head when `fileLength` says the file is longer: the final
 * pixel data element then stays in the file and the output refers to it as a range. With
 * `tail` (the file's bytes after its pixel data, from `at`), the elements there are read from it.
 */
export function deidentify(
  bytes: Uint8Array,
  cfg: DeidentifyConfig,
  fileLength = bytes.length,
  tail?: { readonly bytes: Uint8Array; readonly at: number },
): DeidentifyResult {
  const parsed = tail
    ? parseHeadTail(bytes, tail.bytes, tail.at)
    : fileLength > bytes.length
      ? parseHead(bytes, fileLength)
      : parseFile(bytes);
  const first = firstPass(parsed.data, parsed.dataset, cfg.profile);
  const f = facts(parsed, first, cfg);
  if (f.isDicomDir)
    return { status: 'skipped', reason: 'DICOMDIR (directory records are rebuilt, never copied)', facts: f };
  // A document dcmblind cannot clean is quarantined whatever it says of burned-in text; a PDF is
  // replaced whole, so its BurnedInAnnotation (YES for most reports) no longer applies.
  const document = planDocument(parsed);
  if (document.kind === 'quarantine') return { status: 'quarantined', reason: document.reason, facts: f };
  const regions =
    cfg.pixelScan !== undefined && cfg.pixelScan !== 'none' && cfg.pixelRules
      ? regionsFor(parsed, cfg.pixelRules)
      : [];
  const scan =
    document.kind !== 'replace' &&
    cfg.pixelScan !== undefined &&
    (regions.length > 0 ||
      shouldScan(cfg.pixelScan, scanFacts(parsed, first.identity.sopClassUID, first.identity.burnedIn)));
  if (first.identity.burnedIn && document.kind !== 'replace' && !scan) {
    return {
      status: 'quarantined',
      reason: 'BurnedInAnnotation is YES: pixel data may show identifying text',
      facts: f,
    };
  }
  if (!f.sopInstanceUID)
    throw new DcmblindError('E_NOT_DICOM', 'no SOPInstanceUID (0008,0018): not a composite instance');
  if (scan && !cfg.scanned) {
    const request = scanRequest(parsed, regions);
    if (request && 'quarantine' in request)
      return { status: 'quarantined', reason: request.quarantine, facts: f };
    if (request)
      return { status: 'scan', reason: 'pixel data to be scanned for burned-in text', request, facts: f };
  }
  const planned = planPixels(parsed, scan ? cfg.scanned : undefined);
  if (planned && 'quarantine' in planned)
    return { status: 'quarantined', reason: planned.quarantine, facts: f };
  const pixels = planned;
  const lexicons = [
    ...fileLexicons(first.values, cfg.patientValues ?? [], first.patientNames),
    ...(cfg.runLexicon ? [cfg.runLexicon] : []),
  ];
  const { dataset, fired } = deidentifyDataset(parsed, {
    profile: cfg.profile,
    secret: cfg.secret,
    patient: f.patient,
    pseudonymPrefix: cfg.pseudonymPrefix,
    first,
    lexicons,
    engineVersion: ENGINE_VERSION,
    ...(document.kind === 'replace' ? { document: document.bytes } : {}),
    ...(pixels ? { pixels } : {}),
    ...(cfg.recipe ? { recipe: cfg.recipe } : {}),
  });
  const output = fileHeader({
    sopClassUID: first.identity.sopClassUID,
    sopInstanceUID: f.sopInstanceUID,
    // Compressed frames with text blanked may be written back native (deid/blanked-pixels.ts).
    transferSyntaxUID: pixels?.blanked?.transferSyntaxUID ?? parsed.transferSyntaxUID,
    implementationClassUID: IMPLEMENTATION_CLASS_UID,
    implementationVersionName: IMPLEMENTATION_VERSION_NAME,
  });
  if (parsed.deflated) {
    output.push(deflateRawSync(serialize(dataset).concat()));
  } else {
    serialize(dataset, output);
  }
  return { status: 'written', output, facts: f, fired, lexicons };
}
