/**
 * Numbers that identify rather than measure: a run of six or more digits (a record, accession
 * or insurance number; the digits of a decimal fraction excepted), record-number shapes of
 * letters then four or more digits (MRN00482913, AB-123456, K#20931), and UIDs. Measurements
 * stay: `5 mm`, `120 kVp`, `3.0T`, `T2`, `L4-L5` and `0.4882812` have too few digits or are
 * fractions; a version (`10.2.3`, `1.5.0.2`) is too short for a UID.
 */
import type { Edit } from './edit.js';
import { type Folded, originSpan } from './fold.js';

const DIGIT_RUN = /(?<![\p{N}]|\p{N}[.,])\d{6,}(?![\p{N}])/gu;
const RECORD_NUMBER = /(?<![\p{L}\p{N}])\p{L}{1,4}[-#]?\d{4,}(?![\p{L}\p{N}])/gu;
/**
 * A UID written in text (another study's, a prior's; PS3.5 §9: digits and dots, rooted at 1 or 2):
 * the file's own UIDs are removed as known values, but any file's would link the output to its
 * source. Its digit runs alone would leave the short arcs behind (`1.2.840..2.55.3.`), so it goes
 * whole: three arcs or more, 12 characters or more (an ending dot is a sentence's).
 */
const UID = /(?<!\p{N}|\p{N}\.)[12]\.\d+(?:\.\d+)+(?![\p{N}]|\.\d)/gu;
const UID_MIN = 12;

export function numberEdits(f: Folded): Edit[] {
  const out: Edit[] = [];
  for (const re of [DIGIT_RUN, RECORD_NUMBER]) {
    re.lastIndex = 0;
    for (let m = re.exec(f.text); m; m = re.exec(f.text))
      out.push({ ...originSpan(f, m.index, m.index + m[0].length), kind: 'number' });
  }
  out.push(...uidEdits(f));
  return out;
}

/** UIDs in a text (a path component too: a folder named after another study's UID). */
export function uidEdits(f: Folded): Edit[] {
  const out: Edit[] = [];
  UID.lastIndex = 0;
  for (let m = UID.exec(f.text); m; m = UID.exec(f.text))
    if (m[0].length >= UID_MIN) out.push({ ...originSpan(f, m.index, m.index + m[0].length), kind: 'uid' });
  return out;
}
