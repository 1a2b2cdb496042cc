/**
 * Dates that are not about the patient, and so must never move with the patient's secret date
 * offset. Under the Retain Longitudinal Temporal Information with Modified Dates Option every
 * date the table marks C is shifted by the patient's offset; if one of them is a date anybody can
 * look up (the version of a standard context group, published in PS3.16) or the site knows (the
 * day the scanner was calibrated or installed), one output file gives away the offset and with it
 * the patient's real birth and study dates. These dates therefore keep the Basic Profile's action
 * (removed, emptied or dummied by the IOD's Type), or are kept as they are where they are public
 * (a standard resource's version): never shifted. Dates the table does not list and that describe
 * a device, a procedure document or a product are removed the same way.
 */
import type { Tag } from '../dicom/tag.js';

/** Tag → why it is not about the patient (shown in dry runs). */
export const NOT_PATIENT_DATES: ReadonlyMap<Tag, string> = new Map([
  // Versions of published resources: PS3.16 and the coding schemes publish them.
  [0x00080106, 'version of a context group (published)'],
  [0x00080107, 'version of a local context group extension'],
  [0x0040db06, 'version of a template (published)'],
  [0x0040db07, 'version of a local template extension'],
  [0x00686226, 'date an implant template took effect'],
  [0x00686270, 'date an implant template was issued'],
  [0x0044000b, 'expiry of a product'],
  [0x00080416, 'expiry of a document or product'],
  [0x00141020, 'expiry of a product (NDT)'],
  [0x00144078, 'expiry of a procedure document (NDT)'],
  [0x0014407a, 'last change of a procedure document (NDT)'],
  // The device's own history: the site knows it, a vendor's service log has it.
  [0x00181200, 'device calibration'],
  [0x00181201, 'device calibration'],
  [0x00181202, 'device calibration'],
  [0x00181203, 'device calibration'],
  [0x00181204, 'device manufacture'],
  [0x00181205, 'device installation'],
  [0x0018700c, 'detector calibration'],
  [0x0018700e, 'detector calibration'],
  [0x00143076, 'gain calibration (NDT)'],
  [0x00143077, 'gain calibration (NDT)'],
  [0x0014407c, 'calibration (NDT)'],
  [0x0014407e, 'calibration (NDT)'],
  // A radioactive source's reference date: the source's certificate states it.
  [0x300a022c, 'reference date of a radioactive source (its certificate)'],
  [0x300a022e, 'reference date of a radioactive source (its certificate)'],
  // A trial's ethics approval: published with the trial.
  [0x00120086, 'ethics approval of the trial (published)'],
  [0x00120087, 'ethics approval of the trial (published)'],
]);

/**
 * Versions that stay as they are in an item of a standard resource (a registered coding scheme's
 * code, or a template or context group of the DICOM Content Mapping Resource, DCMR): they are
 * public, say nothing of the patient, and a reader needs them to interpret the codes.
 */
export const PUBLISHED_VERSIONS: ReadonlySet<Tag> = new Set([0x00080106, 0x0040db06]);
