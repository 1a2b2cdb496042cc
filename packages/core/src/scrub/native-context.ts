/**
 * Whether a word that is a name only sometimes is one where it stands: a Cyrillic or Greek word
 * that spells a short Latin name of the run (native-spellings.ts: `Масса миокарда`, `Поле
 * обзора`, `Κάτω λοβός`, `РАНЫ НЕТ` for someone called Massa, Pola, Kato, Rana), and a name that
 * is a word of reports (word-names.ts: `White matter is normal`, `Head CT`, `May represent`).
 * Sentences start with a capital and headings are in capitals, so such a word is taken only
 * with a capital inside a sentence (`осмотрена Ниной`, `seen by Dr White`; not for a month —
 * `in June` —, which needs the rest), after a role and a
 * colon (`Лаборант: Нина`), or beside another name, initials or a patronymic (`Нина Иванова`,
 * `НИНА ИВАНОВА`, `Иванов Ю.А.`, `Марк Аркадьевич`).
 */

/** A capital, then small letters (and marks): how a name is written, unlike `will` or `TED`. */
export const AS_A_NAME = /^\p{Lu}[\p{Ll}\p{M}]*$/u;
/** A word in capitals (ИВАНОВ), as headers and signatures write surnames. */
export const IN_CAPITALS = /^[\p{Lu}\p{M}]+$/u;

/** Written as a name or in capitals, an apostrophe inside aside (`Мар'яна`, `ИВАНОВ`). */
export function writtenAsName(written: string): boolean {
  const bare = written.replace(/['’ʼ]/g, '');
  return AS_A_NAME.test(bare) || IN_CAPITALS.test(bare);
}
const LETTER = /[\p{L}\p{M}]/u;
/** What may stand between a sentence's end (or a list's marker) and its first word. */
const OPENING = /[\s"'«»„“”‘’([\-–—•*·]/u;
const SENTENCE_END = /[.!?:;…)\]]/u;
/** What may stand between two words of one name: spaces, a comma (surname first). */
const BETWEEN = /[\s,]/u;
/** Who signs or does an examination, before a colon: `Врач: Нина`, `Laborant: Ola`. */
const ROLE_BEFORE =
  /(?:врач|лаборант(?:ка)?|рентгенолог|медсестра|выполнил[аи]?|описал[аи]?|лікар|lekarz|laborant(?:ka)?|technician|radiologist|physician|nurse|reported by|referred by|γιατρός|ιατρός|παραπέμπων|τεχνολόγος)\s*:\s*$/iu;
/** A Russian or Ukrainian patronymic, in any case: Сергеевна, Аркадьевич, Петровичем. */
const PATRONYMIC =
  /^\p{Lu}\p{Ll}+(?:ович|евич|ьевич|ич|овна|евна|ьевна|ична|инична)(?:а|у|ем|ом|е|ой|ы|ую)?$/u;

export interface Beside {
  /** The words right before and after, as written (for their case) and as folded text reads them. */
  readonly written: readonly string[];
  readonly folded: readonly string[];
}

/**
 * Whether `written` at `span` of `chars` counts as a name when it is a short or word-like one;
 * `isName` is asked about a neighbouring word (folded) written with a capital.
 */
export function takenInContext(
  chars: readonly string[],
  span: { readonly start: number; readonly end: number },
  written: string,
  beside: Beside,
  isName: (folded: string) => boolean,
  { capitalEnough = true }: { readonly capitalEnough?: boolean } = {},
): boolean {
  if (!writtenAsName(written)) return false;
  const asName = AS_A_NAME.test(written.replace(/['’ʼ]/g, ''));
  if (capitalEnough && asName && !startsSentence(chars, span.start)) return true;
  if (ROLE_BEFORE.test(chars.slice(Math.max(0, span.start - 40), span.start).join(''))) return true;
  if (initialsBeside(chars, span)) return true;
  return beside.written.some(
    (w, i) =>
      (AS_A_NAME.test(w) || IN_CAPITALS.test(w)) &&
      (PATRONYMIC.test(w) || isName(beside.folded[i] as string)),
  );
}

function startsSentence(chars: readonly string[], start: number): boolean {
  let i = start - 1;
  while (i >= 0 && OPENING.test(chars[i] as string)) i--;
  // `1) Масса`, `2. Рана`: a list's marker ends with ) or a full stop, and starts its item.
  return i < 0 || SENTENCE_END.test(chars[i] as string) || chars[i] === '\n';
}

/** Initials right after the span or right before it (`Нина И.`, `Иванов Ю.А.`, `Ю.А. Иванов`). */
function initialsBeside(
  chars: readonly string[],
  span: { readonly start: number; readonly end: number },
): boolean {
  let j = span.end;
  while (j < chars.length && BETWEEN.test(chars[j] as string)) j++;
  if (
    j > span.end &&
    /\p{Lu}/u.test(chars[j] ?? '') &&
    chars[j + 1] === '.' &&
    !LETTER.test(chars[j + 2] ?? ' ')
  )
    return true;
  let i = span.start - 1;
  while (i >= 0 && BETWEEN.test(chars[i] as string)) i--;
  return (
    i < span.start - 1 &&
    chars[i] === '.' &&
    /\p{Lu}/u.test(chars[i - 1] ?? '') &&
    !LETTER.test(chars[i - 2] ?? ' ')
  );
}

/**
 * The words right before and after [start, end) of a text (spaces and a comma between), as
 * [start, end) ranges of that text: `Нина Иванова`, `ИВАНОВ ЮРИЙ`, `Ивановой, Нины`.
 */
export function wordsBeside(text: string, start: number, end: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let j = end;
  while (j < text.length && BETWEEN.test(text[j] as string)) j++;
  let k = j;
  while (k < text.length && LETTER.test(text[k] as string)) k++;
  if (j > end && k > j) out.push([j, k]);
  let i = start - 1;
  while (i >= 0 && BETWEEN.test(text[i] as string)) i--;
  let h = i;
  while (h >= 0 && LETTER.test(text[h] as string)) h--;
  if (i < start - 1 && h < i) out.push([h + 1, i + 1]);
  return out;
}
