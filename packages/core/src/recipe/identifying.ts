/**
 * The choices of a recipe that leave a direct identifier in the output: keeping the patient's
 * names, IDs, birth date, addresses or telephone numbers, an accession number, or the source's
 * instance UIDs (a kept UID attribute, or the Retain UIDs option), a date kept unshifted. Refused unless the operator
 * says `--allow-identifying`; then each is printed and recorded (run/recipe-setup in the CLI).
 */
import { namesAClass, tagOfKeyword } from '../dicom/dictionary.js';
import { lookup } from '../dicom/dictionary.js';
import type { Tag } from '../dicom/tag.js';
import type { RecipeBody } from './schema.js';

const DIRECT_KEYWORDS = [
  'PatientName',
  'PatientID',
  'IssuerOfPatientID',
  'OtherPatientIDs',
  'OtherPatientIDsSequence',
  'OtherPatientNames',
  'PatientBirthName',
  'PatientMotherBirthName',
  'PatientBirthDate',
  'PatientBirthTime',
  'PatientAddress',
  'PatientTelephoneNumbers',
  'PatientTelecomInformation',
  'MedicalRecordLocator',
  'AccessionNumber',
  'PersonAddress',
  'PersonTelephoneNumbers',
  'ReferringPhysicianAddress',
  'ReferringPhysicianTelephoneNumbers',
  'InstitutionAddress',
];

let direct: ReadonlySet<Tag> | undefined;
function directTags(): ReadonlySet<Tag> {
  direct ??= new Set(DIRECT_KEYWORDS.map((k) => tagOfKeyword(k)).filter((t): t is Tag => t !== undefined));
  return direct;
}

/** Each identifying choice, said as the recipe says it (with its line). */
export function identifyingChoices(body: RecipeBody): string[] {
  const out: string[] = [];
  for (const a of body.attributes) {
    if (a.action !== 'keep') continue;
    const vr = lookup(a.tag)?.vr;
    const uid = vr === 'UI' && !namesAClass(a.tag);
    // A date or date-time kept as it was is a date of care, unshifted (HIPAA's dates).
    const date = vr === 'DA' || vr === 'DT';
    if (directTags().has(a.tag) || uid || date)
      out.push(
        `line ${a.line}: ${a.selector}: keep (${directTags().has(a.tag) ? 'a direct identifier' : uid ? 'the source UID' : 'a date as it was'})`,
      );
  }
  if (body.options.includes('retain-uids')) out.push('options: retain-uids (the source UIDs)');
  // Full dates kept everywhere are dates of care as they were, as a kept StudyDate is.
  if (body.dates === 'keep') out.push('dates: keep (every date as it was)');
  if (body.options.includes('retain-long-full-dates'))
    out.push('options: retain-long-full-dates (every date as it was)');
  return out;
}
