/**
 * Seeds: the identifying values the sources (and the key) hold, each searched for in every
 * output file's bytes and path. Here are what a seed is, the written forms a name takes, and
 * the byte patterns a seed is searched as.
 */
import type { Pattern } from './search.js';

/** The kind of identifying value a seed is. */
export type Category = 'name' | 'id' | 'uid' | 'date' | 'address' | 'phone' | 'institution';

/** One identifying value to search every output for. */
export interface Seed {
  readonly category: Category;
  /** Keyword of the source attribute it came from. */
  readonly keyword: string;
  readonly tag: number;
  readonly text: string;
  /** The value's bytes as the source stored them (its character set), when not plain ASCII. */
  readonly raw?: Uint8Array;
  /** A name token (matched as a whole word only). */
  readonly token?: boolean;
}

/** Placeholders that other tools (or the source itself) put where identifiers were: never a leak. */
const PLACEHOLDER_WORDS = [
  'anon(ymi[sz]ed|ymous|ymi[sz]ation)?',
  'de-?identified',
  'removed',
  'redacted',
  'unknown',
  'none',
  'null',
  'n\\/?a',
  'x+',
  'test',
  'phantom',
  'patient',
  'name',
  'id',
];
export const PLACEHOLDER = new RegExp(`^(${PLACEHOLDER_WORDS.join('|')})$`, 'i');

/** Not a placeholder: worth searching for. */
export const usable = (t: string): boolean => !PLACEHOLDER.test(t.trim());

/** Names, IDs and name tokens count only as whole words (a token "TEXT" is not in "CONTEXT"). */
export const needsWord = (s: Seed): boolean =>
  Boolean(s.token) || s.category === 'name' || s.category === 'id';

/**
 * Names as people write them: "Doe^Jane" → also "Jane Doe", "Doe Jane", "Doe, Jane", "DOE_JANE",
 * and its longer tokens.
 */
export function nameForms(pn: string): { whole: string[]; tokens: string[] } {
  const first = pn.split('=')[0] ?? '';
  const comps = first
    .split('^')
    .map((c) => c.trim())
    .filter(Boolean);
  const whole = new Set<string>([first.replace(/\^+$/, '')]);
  if (comps.length >= 2) {
    const [fam, giv] = comps as [string, string];
    for (const f of [
      `${giv} ${fam}`,
      `${fam} ${giv}`,
      `${fam}, ${giv}`,
      `${fam}_${giv}`,
      `${fam}^${giv}`,
      `${giv}_${fam}`,
    ])
      whole.add(f);
  }
  const tokens = new Set<string>();
  for (const c of comps) for (const t of c.split(/[\s,.-]+/)) if ([...t].length >= 4) tokens.add(t);
  return { whole: [...whole].filter((w) => [...w].length >= 4), tokens: [...tokens] };
}

/** The seeds of one person name: its whole written forms, then its tokens (whole words only). */
export function nameSeeds(pn: string, keyword: string, tag: number): Seed[] {
  const f = nameForms(pn);
  return [
    ...f.whole.map((text): Seed => ({ category: 'name', keyword, tag, text })),
    ...f.tokens.map((text): Seed => ({ category: 'name', keyword, tag, text, token: true })),
  ];
}

const latin1 = (s: string): Uint8Array | undefined =>
  [...s].every((c) => (c.codePointAt(0) ?? 0) <= 0xff) ? Buffer.from(s, 'latin1') : undefined;

/** The byte patterns one seed is searched as: UTF-8, Latin-1, and the source's own bytes. */
export function patternsOf(seeds: readonly Seed[]): Pattern[] {
  const out: Pattern[] = [];
  seeds.forEach((s, i) => {
    const forms = new Set<string>([s.text, s.text.toUpperCase(), s.text.toLowerCase()]);
    for (const f of forms) {
      out.push({ bytes: Buffer.from(f, 'utf8'), seed: i });
      const l = latin1(f);
      if (l) out.push({ bytes: l, seed: i });
    }
    if (s.raw && s.raw.length >= 4) out.push({ bytes: s.raw, seed: i });
  });
  return out;
}
