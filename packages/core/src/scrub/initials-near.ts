/**
 * Initials standing beside a removed name go with it: `J. Smith`, `J. R. Smith`, `Yu. Ivanov`,
 * `J.-P. Dupont`, `JP Dupont`, `Smith, J. R.`, `Smith (J.)`, `Dupont J-P`, `Иванов Ю. А.` would
 * otherwise come out as `J. `, `, J. R.` — letters of the name beside the blank, and with a
 * small cohort often enough to say who it was. Dotted initials go on either side; undotted
 * capitals (one to three, hyphen allowed) too, unless they are a modality, a view or a short
 * word (`MR Smith`, `Smith AP view` keep theirs: not-initials.ts).
 */
import type { Edit } from './edit.js';
import { foldString } from './fold.js';
import { NOT_INITIALS } from './not-initials.js';

/** One initial with its dot (`J.`, `Yu.`), then a space or hyphen before the next. */
const DOTTED = '(?:\\p{Lu}\\p{Ll}?\\.(?: ?-)? ?)';
const UNDOTTED = '(\\p{Lu}(?:-?\\p{Lu}){0,2})';
const BEFORE = new RegExp(`(?<![\\p{L}\\p{N}])(?:${DOTTED}{1,3}|${UNDOTTED} )$`, 'u');
// Undotted capitals after a full stop and a space begin a sentence (`Jones. PEG tube`), not initials.
const AFTER = new RegExp(
  `^(?:(?:,? ?|[./] ?| ?\\()${DOTTED}{0,2}\\p{Lu}\\p{Ll}?\\.|(?:,? ?|[./](?! )| ?\\()${UNDOTTED})\\)?(?![\\p{L}\\p{N}])`,
  'u',
);
/** How far from a name initials are looked for, in characters. */
const REACH = 16;

/**
 * A Russian or Ukrainian patronymic right after a removed name (`Нина Сергеевна`, `Олегом
 * Петровичем`): the father's given name, which with the rest narrows who it is. Not in the
 * header, so no lexicon has it.
 */
const PATRONYMIC_AFTER =
  /^,? ?(\p{Lu}\p{Ll}+(?:ович|евич|ьевич|ич|овна|евна|ьевна|ична|инична)(?:а|у|ем|ом|е|ой|ы|ую)?)(?![\p{L}\p{N}])/u;
const PATRONYMIC_REACH = 24;

/**
 * A word in capitals right beside a name (`BOBBY SMITH`, `SMITH, BOBBY`): taken with it when it
 * is one of the patient's short forms. Alone, such a word stays (`PEG` is a feeding tube, `WILL`
 * a verb): a short form is found by itself only written as a name is (lexicon-match.ts).
 */
const CAPS_BEFORE = /(?<![\p{L}\p{N}])(\p{Lu}{2,}) $/u;
// After the name only with a comma (the surname-first order): `SMITH WILL RETURN` is a sentence.
const CAPS_AFTER = /^, ?(\p{Lu}{2,})(?![\p{L}\p{N}])/u;

/**
 * Name edits grown over the initials beside them (see the module comment), and over a short form
 * in capitals beside them (`isShortForm` is asked with the word folded); others as they are.
 */
export function withInitialsNear(
  chars: readonly string[],
  edits: readonly Edit[],
  isShortForm: (folded: string) => boolean = () => false,
): Edit[] {
  if (!edits.some(isName)) return [...edits];
  const shortForm = (m: RegExpExecArray | null): number =>
    m && isShortForm(foldString(m[1] as string)) ? [...m[0]].length : 0;
  return edits.map((e) => {
    if (!isName(e)) return e;
    const left = chars.slice(Math.max(0, e.start - REACH), e.start).join('');
    const right = chars.slice(e.end, e.end + REACH).join('');
    const before = initials(BEFORE.exec(left)) || shortForm(CAPS_BEFORE.exec(left));
    const afterName = chars.slice(e.end, e.end + PATRONYMIC_REACH).join('');
    const after =
      initials(AFTER.exec(right)) ||
      shortForm(CAPS_AFTER.exec(right)) ||
      [...(PATRONYMIC_AFTER.exec(afterName)?.[0] ?? '')].length;
    if (!before && !after) return e;
    return { ...e, start: e.start - before, end: e.end + after };
  });
}

/** Titles that look like a dotted initial (`Dr.`, `Δρ.`): they stay, the name after them goes. */
const TITLE = /^(?:Dr|Mr|Ms|St|Sr|Jr|Pr|Dz|Δρ)\.\s*$/u;

/** The length in characters of initials matched (0: none, or capitals that are something else). */
function initials(m: RegExpExecArray | null): number {
  if (!m || TITLE.test(m[0].replace(/^[\s,./(]+/, ''))) return 0;
  const undotted = m[1];
  if (undotted !== undefined && NOT_INITIALS.has(undotted.replace(/-/g, ''))) return 0;
  return [...m[0]].length;
}

const isName = (e: Edit): boolean =>
  (e.kind === 'name' || e.kind === 'title-name') && e.replacement === undefined;
