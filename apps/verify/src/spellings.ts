/**
 * The ways one identifying value is written, as the verifier searches for it: composed and
 * decomposed (macOS names), accents dropped, German and Nordic letters expanded, Cyrillic and
 * Greek in Latin letters. Written here, apart from the engine's own spellings, on purpose: a
 * form the engine forgets must still be found by the verifier.
 */

/** Letters that do not decompose into a base letter and a mark. */
const SPECIAL: Readonly<Record<string, string>> = {
  ß: 'ss',
  ẞ: 'SS',
  ø: 'o',
  Ø: 'O',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'TH',
  ı: 'i',
};

/** German and Scandinavian spellings without the letter: Müller → Mueller, Åse → Aase. */
const EXPANDED: Readonly<Record<string, string>> = {
  ä: 'ae',
  Ä: 'AE',
  ö: 'oe',
  Ö: 'OE',
  ü: 'ue',
  Ü: 'UE',
  å: 'aa',
  Å: 'AA',
  ø: 'oe',
  Ø: 'OE',
};

/** Cyrillic, two ways: the English (BGN-like) and the German (Duden-like) transcription. */
const CYRILLIC: Readonly<Record<string, readonly [string, string]>> = {
  а: ['a', 'a'],
  б: ['b', 'b'],
  в: ['v', 'w'],
  г: ['g', 'g'],
  д: ['d', 'd'],
  е: ['e', 'e'],
  ё: ['yo', 'jo'],
  ж: ['zh', 'sch'],
  з: ['z', 's'],
  и: ['i', 'i'],
  й: ['y', 'j'],
  к: ['k', 'k'],
  л: ['l', 'l'],
  м: ['m', 'm'],
  н: ['n', 'n'],
  о: ['o', 'o'],
  п: ['p', 'p'],
  р: ['r', 'r'],
  с: ['s', 's'],
  т: ['t', 't'],
  у: ['u', 'u'],
  ф: ['f', 'f'],
  х: ['kh', 'ch'],
  ц: ['ts', 'z'],
  ч: ['ch', 'tsch'],
  ш: ['sh', 'sch'],
  щ: ['shch', 'schtsch'],
  ъ: ['', ''],
  ы: ['y', 'y'],
  ь: ['', ''],
  э: ['e', 'e'],
  ю: ['yu', 'ju'],
  я: ['ya', 'ja'],
  і: ['i', 'i'],
  ї: ['yi', 'ji'],
  є: ['ye', 'je'],
  ґ: ['g', 'g'],
};

/** Greek, one common way (ELOT 743 in its simple form). */
const GREEK: Readonly<Record<string, string>> = {
  α: 'a',
  β: 'v',
  γ: 'g',
  δ: 'd',
  ε: 'e',
  ζ: 'z',
  η: 'i',
  θ: 'th',
  ι: 'i',
  κ: 'k',
  λ: 'l',
  μ: 'm',
  ν: 'n',
  ξ: 'x',
  ο: 'o',
  π: 'p',
  ρ: 'r',
  σ: 's',
  ς: 's',
  τ: 't',
  υ: 'y',
  φ: 'f',
  χ: 'ch',
  ψ: 'ps',
  ω: 'o',
};

/** Greek letter pairs read as one sound (ELOT 743): Παπαδόπουλος → Papadopoulos, Νικολάου → Nikolaou. */
const GREEK_PAIRS: ReadonlyArray<readonly [RegExp, string]> = [
  [/ου/g, 'ou'],
  [/αυ/g, 'av'],
  [/ευ/g, 'ev'],
  [/μπ/g, 'b'],
  [/ντ/g, 'd'],
  [/γγ/g, 'ng'],
  [/γκ/g, 'gk'],
];

/** Cyrillic the simple way people type it: Щербаков → Scherbakov, Юрий → Yuri, Пётр → Petr. */
const CYRILLIC_SIMPLE: Readonly<Record<string, string>> = {
  ё: 'e',
  й: 'i',
  х: 'h',
  ц: 'c',
  щ: 'sch',
  ю: 'yu',
  я: 'ya',
  ж: 'zh',
  ш: 'sh',
  ч: 'ch',
};

/** Accents and other marks dropped: Müller → Muller, Łukasz → Lukasz, Ærø → AEro. */
export function foldAccents(s: string): string {
  let out = '';
  for (const ch of s.normalize('NFD')) {
    if (/\p{M}/u.test(ch)) continue;
    out += SPECIAL[ch] ?? ch;
  }
  return out.normalize('NFC');
}

/** Müller → Mueller, Ørsted → Oersted; undefined when nothing is expanded. */
function expanded(s: string): string | undefined {
  const nfc = s.normalize('NFC');
  let changed = false;
  let out = '';
  for (const ch of nfc) {
    const e = EXPANDED[ch];
    if (e) changed = true;
    out += e ?? ch;
  }
  return changed ? foldAccents(out) : undefined;
}

/** A Cyrillic or Greek value in Latin letters (each system once); empty when it has neither. */
function transliterated(s: string): string[] {
  const lower = s.normalize('NFC').toLowerCase();
  if (!/[\u0370-\u03ff\u0400-\u04ff]/u.test(lower)) return [];
  const out: string[] = [];
  const letters = (text: string, one: (ch: string, base: string) => string | undefined) => {
    let t = '';
    for (const ch of text) {
      const base = ch.normalize('NFD').replace(/\p{M}/gu, '');
      t += one(ch, base) ?? GREEK[base] ?? ch;
    }
    return t;
  };
  // The -ий/-ый endings as English (Yuriy, Yury) and German (Juri) write them.
  const endings = (text: string) => [
    text,
    text.replace(/[ыи]й(?=\s|$)/gu, 'y'),
    text.replace(/[ыи]й(?=\s|$)/gu, 'i'),
  ];
  for (const text of endings(lower)) {
    for (const system of [0, 1] as const)
      out.push(letters(text, (ch, base) => CYRILLIC[ch]?.[system] ?? CYRILLIC[base]?.[system]));
    out.push(letters(text, (ch, base) => CYRILLIC_SIMPLE[ch] ?? CYRILLIC[ch]?.[0] ?? CYRILLIC[base]?.[0]));
  }
  let greek = lower.normalize('NFD').replace(/\p{M}/gu, '');
  for (const [pair, latin] of GREEK_PAIRS) greek = greek.replace(pair, latin);
  out.push(letters(greek, () => undefined));
  return out;
}

/**
 * A lower-case Cyrillic or Greek word in Latin letters, one common way (BGN/PCGN, ELOT 743):
 * Ивановой → ivanovoi (marks dropped: й is и), Παπαδοπούλου → papadopoulou. Other letters stay.
 */
export function inLatinLetters(word: string): string {
  let greek = word.normalize('NFD').replace(/\p{M}/gu, '');
  for (const [pair, latin] of GREEK_PAIRS) greek = greek.replace(pair, latin);
  let t = '';
  for (const ch of greek) t += CYRILLIC[ch]?.[0] ?? GREEK[ch] ?? ch;
  return t;
}

/**
 * Every spelling of `s` to search for (itself first), each written once; a name's apostrophes,
 * hyphens and inner spaces also dropped or spaced (O'Brien → OBrien, O Brien; Garcia-Lopez →
 * GarciaLopez; van der Berg → vanderBerg).
 */
export function spellings(s: string): string[] {
  const nfc = s.normalize('NFC');
  const all = new Set<string>([nfc, nfc.normalize('NFD'), foldAccents(nfc)]);
  const e = expanded(nfc);
  if (e) all.add(e);
  for (const t of transliterated(nfc)) all.add(t);
  for (const x of [...all]) {
    if (/['’`-]/.test(x)) all.add(x.replace(/['’`-]/g, '')).add(x.replace(/['’`-]/g, ' '));
    // Word processors curl the apostrophe; keyboards do not.
    if (/['’`]/.test(x)) all.add(x.replace(/['’`]/g, "'")).add(x.replace(/['’`]/g, '’'));
    if (/\p{L} \p{L}/u.test(x) && !CJK.test(x)) all.add(x.replace(/ /g, ''));
  }
  return [...all].filter((x) => x.trim() !== '');
}

/** Han, kana and Hangul: scripts written without spaces between words. */
export const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/u;
