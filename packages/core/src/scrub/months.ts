/**
 * Month names and abbreviations in the languages reports are written in at the sites we serve
 * (English, French, German, Spanish, Italian, Dutch, Portuguese, Polish, Russian, Greek; for
 * Polish, Russian and Greek the genitive a date uses, the nominative read too). Matching uses the folded forms (lower
 * case, no accents); a shifted date is written back in the language, length and case it came in.
 */
export type Language = 'en' | 'fr' | 'de' | 'es' | 'it' | 'nl' | 'pt' | 'pl' | 'ru' | 'el';

interface LanguageMonths {
  /** Full names as written (accents included), January first. */
  readonly full: readonly string[];
  /** The abbreviation written back for an abbreviated month, January first. */
  readonly abbr: readonly string[];
  /** Other abbreviations and spellings read (folded), by month number. */
  readonly variants?: Readonly<Record<number, readonly string[]>>;
}

const MONTHS: Readonly<Record<Language, LanguageMonths>> = {
  en: {
    full: 'January February March April May June July August September October November December'.split(' '),
    abbr: 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' '),
    variants: { 9: ['sept'] },
  },
  fr: {
    full: 'janvier février mars avril mai juin juillet août septembre octobre novembre décembre'.split(' '),
    abbr: 'janv févr mars avr mai juin juil août sept oct nov déc'.split(' '),
    variants: { 2: ['fev'], 12: ['dec'] },
  },
  de: {
    full: 'Januar Februar März April Mai Juni Juli August September Oktober November Dezember'.split(' '),
    abbr: 'Jan Feb Mär Apr Mai Jun Jul Aug Sep Okt Nov Dez'.split(' '),
    variants: { 1: ['jänner', 'jan'], 3: ['mrz', 'maerz'] },
  },
  es: {
    full: 'enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre'.split(
      ' ',
    ),
    abbr: 'ene feb mar abr may jun jul ago sep oct nov dic'.split(' '),
    variants: { 9: ['setiembre', 'sept'] },
  },
  it: {
    full: (
      'gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre ' + 'dicembre'
    ).split(' '),
    abbr: 'gen feb mar apr mag giu lug ago set ott nov dic'.split(' '),
  },
  nl: {
    full: 'januari februari maart april mei juni juli augustus september oktober november december'.split(
      ' ',
    ),
    abbr: 'jan feb mrt apr mei jun jul aug sep okt nov dec'.split(' '),
  },
  pt: {
    full: 'janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro'.split(
      ' ',
    ),
    abbr: 'jan fev mar abr mai jun jul ago set out nov dez'.split(' '),
  },
  pl: {
    full: (
      'stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada ' +
      'grudnia'
    ).split(' '),
    abbr: 'sty lut mar kwi maj cze lip sie wrz paź lis gru'.split(' '),
    variants: Object.fromEntries(
      'styczeń luty marzec kwiecień maj czerwiec lipiec sierpień wrzesień październik listopad grudzień'
        .split(' ')
        .map((w, i) => [i + 1, [w]]),
    ),
  },
  ru: {
    full: 'января февраля марта апреля мая июня июля августа сентября октября ноября декабря'.split(' '),
    abbr: 'янв фев мар апр мая июн июл авг сен окт ноя дек'.split(' '),
    variants: Object.fromEntries(
      'январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь'
        .split(' ')
        .map((w, i) => [i + 1, [w]]),
    ),
  },
  el: {
    full: 'Ιανουαρίου Φεβρουαρίου Μαρτίου Απριλίου Μαΐου Ιουνίου Ιουλίου Αυγούστου Σεπτεμβρίου Οκτωβρίου Νοεμβρίου Δεκεμβρίου'.split(
      ' ',
    ),
    abbr: 'Ιαν Φεβ Μαρ Απρ Μαΐ Ιουν Ιουλ Αυγ Σεπ Οκτ Νοε Δεκ'.split(' '),
    variants: Object.fromEntries(
      'ιανουαριος φεβρουαριος μαρτιος απριλιος μαιος ιουνιος ιουλιος αυγουστος σεπτεμβριος οκτωβριος νοεμβριος δεκεμβριος'
        .split(' ')
        .map((w, i) => [i + 1, [w, w.replace(/ς$/, 'σ')]]),
    ),
  },
};

export interface MonthWord {
  readonly month: number;
  readonly language: Language;
  readonly abbreviated: boolean;
  /** Other languages spelling the word alike (German and French "Mai"). */
  readonly also: Language[];
}

/** Words that are month abbreviations but also everyday words: a date needs its year with them. */
export const NEEDS_YEAR: ReadonlySet<string> = new Set([
  'may',
  'mar',
  'ago',
  'set',
  'mai',
  'mei',
  'jun',
  'jul',
]);

function foldWord(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

function buildIndex(): Map<string, MonthWord> {
  const index = new Map<string, MonthWord>();
  const add = (word: string, w: Omit<MonthWord, 'also'>) => {
    const k = foldWord(word);
    const have = index.get(k);
    if (!have) index.set(k, { ...w, also: [] });
    else if (have.month === w.month && have.language !== w.language) have.also.push(w.language);
  };
  for (const [language, m] of Object.entries(MONTHS) as Array<[Language, LanguageMonths]>) {
    m.full.forEach((w, i) => {
      add(w, { month: i + 1, language, abbreviated: false });
    });
  }
  for (const [language, m] of Object.entries(MONTHS) as Array<[Language, LanguageMonths]>) {
    m.abbr.forEach((w, i) => {
      add(w, { month: i + 1, language, abbreviated: w.length < (m.full[i] as string).length });
    });
    for (const [n, words] of Object.entries(m.variants ?? {}))
      for (const w of words) add(w, { month: Number(n), language, abbreviated: true });
  }
  return index;
}

/** Folded month word → which month; longest words first in MONTH_PATTERN. */
export const MONTH_WORDS: ReadonlyMap<string, MonthWord> = buildIndex();

/** An alternation of every folded month word, longest first (for building date patterns). */
export const MONTH_PATTERN = [...MONTH_WORDS.keys()].sort((a, b) => b.length - a.length).join('|');

/** `month` written as `like` was: same language, full or abbreviated, same case. */
export function monthName(month: number, word: MonthWord, like: string): string {
  const m = MONTHS[word.language];
  const name = (word.abbreviated ? m.abbr : m.full)[month - 1] as string;
  if (like === like.toUpperCase() && like !== like.toLowerCase())
    // Greek capitals drop the tonos (ΑΠΡΙΛΙΟΥ), keep the dialytika (ΜΑΪΟΥ).
    return word.language === 'el'
      ? name
          .toUpperCase()
          .normalize('NFD')
          .replace(/\u0301/g, '')
          .normalize('NFC')
      : name.toUpperCase();
  if (like[0] && like[0] === like[0].toUpperCase()) return (name[0] as string).toUpperCase() + name.slice(1);
  return name.toLowerCase();
}
