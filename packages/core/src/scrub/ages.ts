/**
 * Ages written in free text ("93-year-old", "aged 93", "93 y/o", "93 ans", "93 Jahre"): above 89
 * an age identifies (HIPAA Safe Harbor), so it becomes 90, as Patient's Age does.
 */
import type { Edit } from './edit.js';
import { type Folded, originSpan } from './fold.js';

const UNIT =
  '(?:[- ]?(?:years?|yrs?)[- ]?old|[- ]?y/?o|[- ]?(?:ans|jahre|jahren|años|anos|anni|jaar|lat|лет))';
const AGE_AFTER = new RegExp(`(?<![\\p{L}\\p{N}.,])(\\d{2,3})(?=${UNIT}(?![\\p{L}]))`, 'gu');
const AGE_BEFORE =
  /(?<![\p{L}])(?:aged|age|âge|agee|alter|edad|eta|età|leeftijd|wiek|возраст)[: ]+(\d{2,3})(?![\p{N}])/gu;

export function ageEdits(f: Folded): Edit[] {
  const out: Edit[] = [];
  for (const re of [AGE_AFTER, AGE_BEFORE]) {
    re.lastIndex = 0;
    for (let m = re.exec(f.text); m; m = re.exec(f.text)) {
      const n = Number(m[1]);
      if (n <= 89 || n > 130) continue;
      const at = m.index + m[0].length - (m[1] as string).length;
      out.push({ ...originSpan(f, at, at + (m[1] as string).length), replacement: '90', kind: 'age' });
    }
  }
  return out;
}
