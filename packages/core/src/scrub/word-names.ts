/**
 * Names that are also words of reports: found in text only written as a name is (a capital
 * first, or in capitals). One patient or operator called White, Ward or Head would otherwise
 * cut `white matter`, `ward 3`, `head CT` from every file of the run, and a Лев `лев.` (left)
 * from every Russian report. Folded (accents off, й is и, ё is е, ς is σ). Compiled by the
 * dcmblind project from surnames and given names common in English, German, French, Dutch,
 * Polish, Russian and Greek that are everyday or clinical words in the same language; released
 * with it under its licence.
 */
export const WORD_NAMES: ReadonlySet<string> = new Set(
  // English surnames that are words of reports (colours, anatomy, places, verbs)
  (
    'white brown green black gray grey young long short small little hill wood stone bell ' +
    'head hand foot back bone heart side ward field page lane marsh moss bush rice cross ' +
    'west north south east major minor power price love wall hall lamb fox bird swan ' +
    'rose iris lily ivy hope grace faith joy dawn may june august mark will frank ray ' +
    'gene drew chase hunter fisher cook baker mason bishop sharp strong hardy moody ' +
    'bland fair gay best good hale hart hurt lung pain pink rash read sole chin ' +
    // German, French, Dutch: Klein (small), Lang, Weiss (white), Schwarz, Roth, Blanc, Petit,
    // Leblanc, Fort, Grand, Groot, de Wit
    'klein lang weiss weis schwarz roth blanc petit grand fort groot wit ' +
    // Russian, Polish, Greek: Лев (lion, лев. left), Вера, Надежда, Любовь, Роза, Слава, Мир,
    // Lew (Polish lion), Ειρήνη (peace), Ελπίδα (hope)
    'лев вера надежда любовь роза слава мир лилия lew ειρηνη ελπιδα'
  ).split(' '),
);
