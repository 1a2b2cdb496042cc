/**
 * People named in free text without being known to the run: a capitalised name after a title
 * (Dr Whitfield, Mrs. J. Okafor, Herr Müller, Mme Dubois, Sra. García, Prof. van Dijk) and CJK
 * names before an honorific (山田太郎様, 王先生, 김희중님, やまださん). The title stays, the
 * name goes. Runs on the original characters: capitals matter.
 */
import type { Edit } from './edit.js';
import { joined } from './fold.js';

const TITLES =
  'Dr|Drs|Dra|Doctor|Docteur|Doktor|Mr|Mrs|Ms|Mx|Miss|Prof|Pr|Herr|Frau|Mme|Mlle|Sr|Sra|Srta|Dott|Dottssa';
// In capitals only the titles that are no modality or acronym (DR, MR, MS, PR, SR are).
const TITLES_IN_CAPITALS = 'DOCTOR|DOCTEUR|DOKTOR|MRS|MISS|PROF|HERR|FRAU|MME|MLLE|SRA|SRTA|DOTT';
const PARTICLE = '(?:(?:van|von|de|da|di|del|der|le|la|du|ten|ter) )?';
const CAPITALISED = "\\p{Lu}[\\p{L}'’-]*";
const TITLE_NAME = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:(?:${TITLES}|${TITLES_IN_CAPITALS})\\.?|M\\.) +` +
    // initials, a particle and up to three capitalised words (capitals of any script)
    `((?:\\p{Lu}\\. ?)*${PARTICLE}${CAPITALISED}(?: ${CAPITALISED}){0,2})`,
  'gud',
);
const CJK_NAME = '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}]';
const HONORIFICS = [
  ...['様', 'さま', '先生', 'さん', '氏', '君', '殿', 'くん', 'ちゃん', '教授'], // Japanese
  ...['医生', '大夫', '女士', '小姐', '老师', '教授'], // Chinese
  ...['선생님', '교수님', '원장님', '님', '씨', '선생', '군', '양'], // Korean
].join('|');
const HONORIFIC = new RegExp(`(${CJK_NAME}{1,4}?)(?= ?(?:${HONORIFICS}))`, 'gu');

export function peopleEdits(chars: readonly string[]): Edit[] {
  // Regex indices are UTF-16 offsets; edits are in characters.
  const { text, at } = joined(chars);
  const out: Edit[] = [];
  TITLE_NAME.lastIndex = 0;
  for (let m = TITLE_NAME.exec(text); m; m = TITLE_NAME.exec(text)) {
    const [s, e] = (m as unknown as { indices: Array<[number, number]> }).indices[1] as [number, number];
    out.push({ start: at[s] as number, end: at[e] as number, kind: 'title-name' });
  }
  HONORIFIC.lastIndex = 0;
  for (let m = HONORIFIC.exec(text); m; m = HONORIFIC.exec(text)) {
    out.push({ start: at[m.index] as number, end: at[m.index + m[0].length] as number, kind: 'title-name' });
  }
  return out;
}
