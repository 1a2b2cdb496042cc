/**
 * Cases of a name that its nominative plus an ending does not spell (scrub/lexicon-match.ts
 * tries those): Polish and Russian surnames that decline as adjectives (Kowalski: Kowalska,
 * Kowalskiej, Kowalskim, Kowalscy; Nowicki: Nowiccy; Высоцкий: Высоцкого, Высоцкая, Высоцкой),
 * Polish feminine names (Małgorzata: Małgorzaty, Małgorzato, Małgorzacie; Anna: Annie; Olga:
 * Oldze), masculine vocatives and locatives (Piotr: Piotrze; Adam: Adamie), names whose e drops
 * (Marek: Markiem; Paweł: Pawła) and adjective names in -y (Jerzy: Jerzego). Each gives the nominatives the word may
 * be a case of; the caller looks them up and takes the word only when it is written as a name
 * (`Belly` at a sentence's start for a Bella is the price; `belly` never is). Words folded: ą is a,
 * й is и.
 */

interface Rule {
  readonly form: RegExp;
  /** Nominatives from the stem (group 1). */
  readonly nominatives: readonly string[];
}

const RULES: readonly Rule[] = [
  // Polish -ski/-cki/-dzki and -ska/-cka/-dzka in every case and number (Kowalscy, Nowiccy).
  { form: /^(.{3,}(?:s|c|dz))(?:ki|kiego|kiemu|kim|ka|kiej|kich|kimi|cy)$/, nominatives: ['ki', 'ka'] },
  // Russian -ский/-цкий and -ская/-цкая (folded: ий is ии).
  {
    form: /^(.{3,}[сц]к)(?:ии|ого|ому|им|ом|ая|ои|ую|ие|их|ими)$/u,
    nominatives: ['ии', 'ая'],
  },
  // Polish feminine -a names: genitive -y/-i, vocative -o, locative -ie (Małgorzaty, Anno, Annie).
  { form: /^(.{3,})(?:y|o|ie)$/, nominatives: ['a'] },
  // Polish masculine vocative and locative: Piotrze (r → rze), Adamie, Janie.
  { form: /^(.{3,}r)ze$/, nominatives: [''] },
  { form: /^(.{3,}[bfmnpsvwz])ie$/, nominatives: [''] },
  // Polish names whose e drops when declined: Marek, Jacek, Dudek, Mazurek (Marka, Markiem);
  // Paweł, Wróbel (Pawła, Pawłem, Pawłowi, Pawle; ł folded as l).
  { form: /^(.{2,})k(?:a|u|iem|owi|i)$/, nominatives: ['ek'] },
  { form: /^(.{2,})l(?:a|u|em|owi|e)$/, nominatives: ['el'] },
  // Polish adjective names in -y: Jerzy, Biały (Jerzego, Jerzemu, Jerzym, Białego, Białym).
  { form: /^(.{3,})(?:ego|emu|ym|ymi)$/, nominatives: ['y'] },
  // Polish feminine dative and locative, the stem's last consonant softened: Marcie, Dorocie,
  // Małgorzacie (t), Barbarze (r), Agnieszce, Monice, Sroce (k), Oldze, Jadwidze (g).
  { form: /^(.{2,})cie$/, nominatives: ['ta'] },
  { form: /^(.{2,})rze$/, nominatives: ['ra'] },
  { form: /^(.{2,})ce$/, nominatives: ['ka'] },
  { form: /^(.{2,})dze$/, nominatives: ['ga'] },
  // A family in the plural: Nowakowie.
  { form: /^(.{3,})owie$/, nominatives: [''] },
];

/** The nominatives a folded word may be a case of (none when no rule fits). */
export function nominativesOf(word: string): string[] {
  const out: string[] = [];
  for (const r of RULES) {
    const m = r.form.exec(word);
    if (m) for (const n of r.nominatives) out.push((m[1] as string) + n);
  }
  return out;
}
