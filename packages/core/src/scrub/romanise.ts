/**
 * A name as people write it in Latin letters: accents folded, common transliterations (ü→ue,
 * ß→ss, ø→o/oe, æ→ae, ł→l) and Cyrillic and Greek in the romanisation systems people use
 * (Иванов = Ivanov = Iwanow). Paths (run/path-match.ts) and free text (deid/text.ts name tokens)
 * both look for a name in these spellings.
 */
import { foldString } from './fold.js';
import { memo } from './memo.js';

/** Latin letters NFKD leaves whole, as people write them in ASCII (every system). */
const LATIN: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

/** Letters as a table string: "а a|б b|…" → { а: 'a', б: 'b', … } (a letter without a form drops). */
const table = (spec: string): Readonly<Record<string, string>> =>
  Object.fromEntries(
    spec.split('|').map((e) => {
      const [c, form = ''] = e.split(' ');
      return [c as string, form];
    }),
  );

const CYRILLIC_COMMON =
  'а a|б b|в v|г g|д d|е e|ж zh|з z|и i|й y|к k|л l|м m|н n|о o|п p|р r|с s|т t|у u|ф f|х kh|' +
  'ц ts|ч ch|ш sh|щ shch|ъ |ы y|ь |э e|ю yu|я ya|і i|ї yi|є ye|ґ g';
const GREEK_COMMON =
  'α a|β v|γ g|δ d|ε e|ζ z|η i|θ th|ι i|κ k|λ l|μ m|ν n|ξ x|ο o|π p|ρ r|σ s|τ t|υ y|φ f|χ ch|ψ ps|ω o';

/**
 * Romanisation systems, each a whole spelling of a name (letters are not mixed across systems):
 * the usual English ones (BGN/PCGN, ELOT 743), a simplified English one (Yuri, Papadopoulos), a
 * German one (Iwanow, Kusnezow, Schtscherbakow; Mueller for Müller), a scholarly one (Jurij,
 * Scerbakov), Polish (Szewczenko), French (Chevtchenko) and Ukrainian (Hrytsenko) ones, ELOT's
 * nasal pairs (Evangelos), a popular English Greek one (Yeoryios, Boumboulis), and Polish-style
 * ø → o / Danish-style ø → oe, å → aa.
 */
interface System {
  /** Applied to the composed, lower-case text before accents are folded. */
  readonly before?: (s: string) => string;
  /** Applied to folded letters. */
  readonly letters: Readonly<Record<string, string>>;
}
const SYSTEMS: readonly System[] = [
  {
    // Greek diphthongs as ELOT 743 writes them: αυ av, ευ ev, ου ou (Stavros, Evaggelos).
    before: greekDiphthongs,
    letters: { ...LATIN, ø: 'o', ...table(CYRILLIC_COMMON), ...table(GREEK_COMMON) },
  },
  // The same with ELOT's nasal pairs: γγ ng, γξ nx, γχ nch (Evangelos, Angelou).
  {
    before: (s) => greekDiphthongs(elotPairs(s)),
    letters: { ...LATIN, ...table(GREEK_COMMON) },
  },
  {
    before: (s) =>
      s
        .replace(/ий(?!\p{L})/gu, 'i')
        .replace(/ый(?!\p{L})/gu, 'y')
        .replace(/ου/g, 'ou'),
    letters: {
      ...LATIN,
      ø: 'o',
      ...table(`${CYRILLIC_COMMON}|й |х h`),
      ...table(`${GREEK_COMMON}|β b|υ u|χ h`),
    },
  },
  {
    // е is je at a word's start and after a vowel (Jelena, Sergejew).
    before: (s) =>
      s
        .replace(/(^|[^\p{L}]|[аеиоуыэюяь])е/gu, '$1je')
        .replace(/ä/g, 'ae')
        .replace(/ö/g, 'oe')
        .replace(/ü/g, 'ue')
        .replace(/å/g, 'aa'),
    letters: {
      ...LATIN,
      ø: 'oe',
      ...table(`${CYRILLIC_COMMON}|в w|ж sch|з s|й j|х ch|ц z|ч tsch|ш sch|щ schtsch|ю ju|я ja|ё jo`),
      ...table(`${GREEK_COMMON}|β b|η e|υ u|χ kh`),
    },
  },
  {
    letters: {
      ...LATIN,
      ø: 'oe',
      ...table(`${CYRILLIC_COMMON}|ж z|й j|х ch|ц c|ч c|ш s|щ sc|ю ju|я ja|ы y`),
    },
  },
  // English again, -ий as -y and щ as sch (Yury, Dmitry, Scherbakov).
  {
    before: (s) => s.replace(/ий(?!\p{L})/gu, 'y'),
    letters: { ...LATIN, ...table(`${CYRILLIC_COMMON}|х h|щ sch`) },
  },
  // Polish: Szewczenko, Kuzniecow, Pietrow, Siergiejew, Jewgienij (е is je at a word's start and
  // after a vowel, ie after most consonants).
  {
    before: (s) => s.replace(/(^|[^\p{L}]|[аеиоуыэюяь])е/gu, '$1je').replace(/(?<=[бвгдзкмнпрстф])е/g, 'ie'),
    letters: {
      ...LATIN,
      ...table(`${CYRILLIC_COMMON}|в w|ж z|й j|х ch|ц c|ч cz|ш sz|щ szcz|ю ju|я ja|ё io`),
    },
  },
  // French: Chevtchenko, Kouznetsov, Iouri; г is gu before e and i sounds (Serguei, Evgueni).
  {
    before: (s) => s.replace(/ий(?!\p{L})/gu, 'и').replace(/г(?=[еёиийэ])/g, 'gu'),
    letters: {
      ...LATIN,
      ...table(`${CYRILLIC_COMMON}|ж j|й i|у ou|ч tch|ш ch|щ chtch|ю iou|я ia|ё io`),
    },
  },
  // Greek as English-speaking families often write it: γ before e and i sounds is y (Yeoryios,
  // Panayiotis); μπ, ντ, γκ are b, d, g at a word's start and mb, nd, ng inside (Boumboulis, Dinos).
  {
    before: (s) =>
      greekDiphthongs(
        elotPairs(s)
          .replace(/γ(?=[εέηήιίυύ])/g, 'y')
          .replace(/(^|[^\p{L}])μπ/gu, '$1b')
          .replace(/(^|[^\p{L}])ντ/gu, '$1d')
          .replace(/(^|[^\p{L}])γκ/gu, '$1g')
          .replace(/μπ/g, 'mb')
          .replace(/ντ/g, 'nd')
          .replace(/γκ/g, 'ng'),
      ),
    letters: { ...LATIN, ...table(GREEK_COMMON) },
  },
  // Greek as it sounds, as passports and families often write it: ει, οι, υι are i, αι is e, αυ
  // and ευ are af and ef before a voiceless consonant (Vasilios, Ikonomou, Ekaterini, Irini,
  // Efstathios, Lefteris), η and υ are i, χ is h (Hristos).
  {
    before: (s) => greekSounds(elotPairs(s)),
    letters: { ...LATIN, ...table(`${GREEK_COMMON}|χ h|η i|υ i`) },
  },
  // Ukrainian: г is h, и is y (Hrytsenko, Hanna).
  {
    before: (s) => s.replace(/ий(?!\p{L})/gu, 'iy'),
    letters: { ...LATIN, ...table(`${CYRILLIC_COMMON}|г h|и y|х kh|й i|ю iu|я ia`) },
  },
];

/** αυ av, ευ ev, ου ou, as ELOT 743 and most people write them. */
function greekDiphthongs(s: string): string {
  return s.replace(/α[υύ]/g, 'av').replace(/ε[υύ]/g, 'ev').replace(/ο[υύ]/g, 'ou');
}

/** Greek vowel pairs by their sound (see the system above); accents on them dropped. */
function greekSounds(s: string): string {
  return s
    .replace(/[εο][ιί]|υ[ιί]/g, 'i')
    .replace(/α[ιί]/g, 'e')
    .replace(/ο[υύ]/g, 'ou')
    .replace(/([αε])[υύ](?=[θκξπστφχψ])/g, (_, v: string) => (v === 'α' ? 'af' : 'ef'))
    .replace(/([αε])[υύ]/g, (_, v: string) => (v === 'α' ? 'av' : 'ev'));
}

/** Greek's nasal pairs as ELOT 743 writes them: γγ ng (Evangelos, Angelou), γξ nx, γχ nch. */
function elotPairs(s: string): string {
  return s.replace(/γγ/g, 'ng').replace(/γξ/g, 'nx').replace(/γχ/g, 'nch');
}

const NOT_ALNUM = /[^\p{L}\p{N}]+/gu;

/**
 * Every spelling of a text the systems give, lower case, letters and digits only (CJK kept as it
 * is). Remembered: the same names and folder names come with every file of a series.
 */
export const romanisations: (text: string) => string[] = memo(spell);

function spell(text: string): string[] {
  // Greek capital sigma lower-cases to ς at a word's end, σ elsewhere: one letter here.
  const nfc = text.normalize('NFC').toLowerCase().replace(/ς/g, 'σ');
  const out = new Set<string>([foldString(nfc).replace(NOT_ALNUM, '')]);
  for (const sys of SYSTEMS) {
    // Mapped before folding (й and ё would fold to и and е) and after it (ώ folds to ω).
    const map = (t: string) => {
      let r = '';
      for (const c of t) r += sys.letters[c] ?? c;
      return r;
    };
    out.add(map(foldString(map(sys.before ? sys.before(nfc) : nfc))).replace(NOT_ALNUM, ''));
  }
  return [...out];
}
