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
