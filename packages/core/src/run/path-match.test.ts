import { describe, expect, it } from 'vitest';
import { componentForms, dateDigitForms, idDigits, pathFold, valueForms } from './path-match.js';

const has = (component: string, value: string) => {
  const c = componentForms(component);
  return valueForms(value, 2).some((f) => c.folded.some((x) => x.includes(f)));
};

describe('path components and values in one form', () => {
  it('composed and decomposed Unicode fold alike, accents and separators dropped', () => {
    const nfd = 'Mu\u0308ller_Ju\u0308rgen';
    expect(pathFold(nfd)).toBe(pathFold('Müller Jürgen'));
    expect(pathFold(nfd)).toBe('mullerjurgen');
    expect(has(nfd, 'MÜLLER')).toBe(true);
    expect(has('GONCALVES-J', 'Gonçalves')).toBe(true);
  });

  it('finds common transliterations: ue, oe, ss, Cyrillic', () => {
    expect(has('Mueller_J', 'Müller')).toBe(true);
    expect(has('Oestergaard', 'Østergaard')).toBe(true);
    expect(has('Weiss_Joerg', 'Weiß')).toBe(true);
    expect(has('Ivanov_Petr', 'Иванов')).toBe(true);
    expect(has('Ivanov_Petr', 'Пётр')).toBe(true);
    expect(has('Sidorov', 'Иванов')).toBe(false);
  });

  it('finds either half of a compound family name, never a particle-length part', () => {
    expect(has('Lopez_M', 'GARCIA-LOPEZ')).toBe(true);
    expect(has('Garcia', 'GARCIA-LOPEZ')).toBe(true);
    expect(valueForms('LE-BON', 2)).not.toContain('le');
  });

  it('reads dates out of digit groups as people write them', () => {
    expect(componentForms('04.05.23').digits).toContain('040523');
    expect(componentForms('4.5.23').digits).toContain('040523');
    expect(componentForms('MAS_710218.dcm').digits).toContain('710218');
    expect(componentForms('2023-05-04').digits).toContain('20230504');
    expect(dateDigitForms('19710218')).toEqual(
      expect.arrayContaining(['19710218', '710218', '180271', '021871', '18021971']),
    );
    expect(dateDigitForms('1971.02.18')).toContain('710218');
    expect(dateDigitForms('not a date')).toEqual([]);
  });

  it('takes identifiers by their digit runs of five or more, with and without leading zeros', () => {
    expect(idDigits('MRN-4471923')).toEqual(['4471923']);
    expect(idDigits('00471923')).toEqual(['00471923', '471923']);
    expect(idDigits('AB12')).toEqual([]);
  });
});

describe('the forms the leak hunt found missing', () => {
  it('ASCII transliteration in the header, native letters in the path, and back', () => {
    expect(has('Müller', 'MUELLER')).toBe(true);
    expect(has('Schönberg', 'SCHOENBERG')).toBe(true);
    expect(has('Ostergaard', 'OESTERGAARD')).toBe(true);
    expect(has('Oestergaard', 'Østergård')).toBe(true);
    expect(has('Ostergaard_S', 'Østergård')).toBe(true);
  });

  it('Greek with either sigma and romanised; more Cyrillic romanisations', () => {
    expect(has('ΓΕΩΡΓΙΟΣ', 'Γεώργιος')).toBe(true);
    expect(has('Γεώργιοσ', 'ΓΕΩΡΓΙΟΣ')).toBe(true);
    expect(has('Papadopoulos', 'ΠΑΠΑΔΟΠΟΥΛΟΣ')).toBe(true);
    expect(has('Georgios', 'ΓΕΩΡΓΙΟΣ')).toBe(true);
    for (const spelt of ['Yuri', 'Yuriy', 'Yury', 'Jurij']) expect(has(spelt, 'Юрий'), spelt).toBe(true);
    for (const spelt of ['Shcherbakov', 'Scherbakov', 'Ščerbakov', 'Schtscherbakow'])
      expect(has(spelt, 'Щербаков'), spelt).toBe(true);
    expect(has('Iwanow', 'Иванов')).toBe(true);
  });

  it('dates with month names, DT digits, months and years', () => {
    const dates = (c: string) => componentForms(c).named;
    for (const c of ['May_4_2023', 'May-04-2023', 'MAY042023', '2023May04', '2023-May-04', '4 mai 2023'])
      expect(dates(c), c).toContainEqual({ y: 2023, m: 5, d: 4 });
    expect(dates('18_Feb_71')).toContainEqual({ y: 71, m: 2, d: 18 });
    expect(dates('Feb18_1971')).toContainEqual({ y: 1971, m: 2, d: 18 });
    expect(dates('May2023')).toContainEqual({ y: 2023, m: 5 });
    expect(dates('Mayo_clinic')).toEqual([]);
    expect(componentForms('20230504101500').digits).toContain('20230504');
    expect(componentForms('230504101500').digits).toContain('230504');
    expect(componentForms('2023-05').digits).toContain('202305');
    expect(componentForms('05.2023').digits).toContain('052023');
    expect(dateDigitForms('20230504')).toEqual(expect.arrayContaining(['202305', '052023']));
  });

  it('DOS short names keep the start of the name', () => {
    expect(componentForms('LUKASI~1').shortName).toBe('lukasi');
    expect(componentForms('PROGRA~1.TXT').shortName).toBe('progra');
    expect(componentForms('Lukasiewicz').shortName).toBeUndefined();
  });
});
