/**
 * Numbers that identify rather than measure: a run of six or more digits (a record, accession
 * or insurance number; the digits of a decimal fraction excepted) and record-number shapes of
 * letters then four or more digits (MRN00482913, AB-123456, K#20931). Measurements stay: `5 mm`,
 * `120 kVp`, `3.0T`, `T2`, `L4-L5` and `0.4882812` have too few digits or are fractions.
 */
import type { Edit } from './edit.js';
import { type Folded, originSpan } from './fold.js';

const DIGIT_RUN = /(?<![\p{N}]|\p{N}[.,])\d{6,}(?![\p{N}])/gu;
const RECORD_NUMBER = /(?<![\p{L}\p{N}])\p{L}{1,4}[-#]?\d{4,}(?![\p{L}\p{N}])/gu;

export function numberEdits(f: Folded): Edit[] {
  const out: Edit[] = [];
  for (const re of [DIGIT_RUN, RECORD_NUMBER]) {
    re.lastIndex = 0;
    for (let m = re.exec(f.text); m; m = re.exec(f.text))
      out.push({ ...originSpan(f, m.index, m.index + m[0].length), kind: 'number' });
  }
  return out;
}
