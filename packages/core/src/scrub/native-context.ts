/**
 * Whether a Cyrillic or Greek word that spells a Latin name of the run (native-spellings.ts) is
 * that name where it stands. A name of six letters or more is, written as a name (a capital
 * first, or in capitals). A shorter one is also a word of reports — `Масса миокарда`, `Поле
 * обзора`, `Рана чистая`, `Κάτω λοβός`, `РАНЫ НЕТ` for someone called Massa, Pola, Rana, Kato —
 * and Russian and Greek sentences start with a capital: it is taken only with a capital inside a
 * sentence (`осмотрена Ниной`), or beside another name or initials (`Нина Иванова`, `НИНА
 * ИВАНОВА`, `Нина И.`, `Ю.А. Иванов`).
 */

/** A capital, then small letters (and marks): how a name is written. */
const AS_A_NAME = /^\p{Lu}[\p{Ll}\p{M}]*$/u;
const IN_CAPITALS = /^[\p{Lu}\p{M}]+$/u;
const LETTER = /[\p{L}\p{M}]/u;
/** What may stand between a sentence's end and its first word. */
const OPENING = /[\s"'«»„“”‘’([-]/u;
const SENTENCE_END = /[.!?:;…]/u;
/** What may stand between two words of one name: spaces, a comma (surname first). */
const BETWEEN = /[\s,]/u;

export function takenAsNative(
  chars: readonly string[],
  span: { readonly start: number; readonly end: number },
  written: string,
  short: boolean,
  besideName: () => boolean,
): boolean {
  const asName = AS_A_NAME.test(written);
  if (!asName && !IN_CAPITALS.test(written)) return false;
  if (!short) return true;
  if (asName && !startsSentence(chars, span.start)) return true;
  return initialsBeside(chars, span) || besideName();
}

function startsSentence(chars: readonly string[], start: number): boolean {
  let i = start - 1;
  while (i >= 0 && OPENING.test(chars[i] as string)) i--;
  return i < 0 || SENTENCE_END.test(chars[i] as string) || chars[i] === '\n';
}

/** Initials right after the span or right before it (`Нина И.`, `Иванов Ю.А.`, `Ю.А. Иванов`). */
function initialsBeside(
  chars: readonly string[],
  span: { readonly start: number; readonly end: number },
): boolean {
  let j = span.end;
  while (j < chars.length && BETWEEN.test(chars[j] as string)) j++;
  if (j > span.end && /\p{Lu}/u.test(chars[j] ?? '') && chars[j + 1] === '.') return true;
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
 * The words right before and after [start, end) of a text (spaces and a comma between), for the
 * caller to ask whether either is a name: `Нина Иванова`, `ИВАНОВ ЮРИЙ`, `Ивановой, Нины`.
 */
export function wordsBeside(text: string, start: number, end: number): string[] {
  const out: string[] = [];
  let j = end;
  while (j < text.length && BETWEEN.test(text[j] as string)) j++;
  let k = j;
  while (k < text.length && LETTER.test(text[k] as string)) k++;
  if (j > end && k > j) out.push(text.slice(j, k));
  let i = start - 1;
  while (i >= 0 && BETWEEN.test(text[i] as string)) i--;
  let h = i;
  while (h >= 0 && LETTER.test(text[h] as string)) h--;
  if (i < start - 1 && h < i) out.push(text.slice(h + 1, i + 1));
  return out;
}
