/**
 * The verifier's own readings, one property each: dates in the forms people write them, names
 * in the spellings they take, what counts as a seed in free text and what does not (a QA
 * reviewer's false positive costs a release as surely as a missed leak).
 */
import { describe, expect, it } from 'vitest';
import { datesInText } from '../src/dates-in-text.js';
import type { ScanContext } from '../src/facts.js';
import { nativeNameIn, nativeSeeds } from '../src/native-names.js';
import { Matcher } from '../src/search.js';
import { fits, nameSeeds, patternsOf, type Seed, shortFormSeeds } from '../src/seeds.js';
import { foldedNameIn, foldedPatterns } from '../src/folded-names.js';
import { spellings } from '../src/spellings.js';
import { addressSeeds, textSeeds } from '../src/text-seeds.js';

/** Whether any of `seeds` is found in `text` (as dcmblind-verify counts a hit). */
function found(seeds: Seed[], text: string): boolean {
  const bytes = Buffer.from(text, 'utf8');
  return new Matcher(patternsOf(seeds))
    .search(bytes)
    .some((h) => fits(seeds[h.seed] as Seed, bytes, h.at, h.length));
}

describe('dates in any written form', () => {
  const birth = '19710218';
  it.each([
    '18.02.1971',
    '18. 02. 1971',
    'Feb. 18, 1971',
    "Feb. 18, '71",
    'February the 18th, 1971',
    '18th of February 1971',
    '18. Februar 1971',
    '18 février 1971',
    '18 de febrero de 1971',
    '18 lutego 1971',
    '18 февраля 1971 г.',
    '18.II.1971',
    '1971年2月18日',
    '１９７１年２月１８日',
    '昭和46年2月18日',
    'S46.2.18',
    '1971년 2월 18일',
    '71년 2월 18일',
    '1971-02-18',
    '18-Feb-71',
  ])('%s', (text) => expect(datesInText(`born ${text}.`, false)).toContain(birth));

  it('reads digit runs and two-digit years only when asked (an output against its own patient)', () => {
    expect(datesInText('code 710218', false)).toEqual([]);
    expect(datesInText('code 710218', true)).toContain(birth);
    expect(datesInText('born 18.02.71', true)).toContain(birth);
  });

  it('does not read a year and a month as a day ("May 2023"), nor parts of a UID, nor placeholders', () => {
    expect(datesInText('since May 2023', true).filter((d) => d.endsWith('0520'))).toEqual([]);
    expect(datesInText('1.2.840.10008.19710218.5', true)).toEqual([]);
    expect(datesInText('19000101 and 1970-01-01', true)).toEqual([]);
  });
});

describe('names in their spellings', () => {
  it.each([
    ['Müller', 'Mueller'],
    ['Müller', 'Muller'],
    ['Østergård', 'Oestergaard'],
    ['Иванов', 'Ivanov'],
    ['Щербаков', 'Scherbakov'],
    ['Щербаков', 'Shcherbakov'],
    ['Юрий', 'Yuri'],
    ['Пётр', 'Petr'],
    ['Παπαδόπουλος', 'papadopoulos'],
    ["O'Brien", 'OBrien'],
    ["O'Brien", 'O’Brien'],
    ['Garcia-Lopez', 'GarciaLopez'],
  ])('%s → %s', (name, spelt) =>
    // Case aside: every spelling is searched in every case.
    expect(spellings(name).map((x) => x.toLowerCase())).toContain(spelt.toLowerCase()),
  );

  it('finds a name run into a path and beside digits, never inside a longer word', () => {
    const smith = nameSeeds('Smith^John', 'PatientName', 0x00100010);
    for (const path of ['SMITHJ~1/IM1.dcm', 'JSmith/IM1.dcm', 'Smith1971/IM1.dcm', 'x/Smith_2023/y'])
      expect(found(smith, path), path).toBe(true);
    expect(found(smith, 'Blacksmith forge')).toBe(false);
    expect(found(nameSeeds('Li^Wei', 'PatientName', 0x00100010), 'Discussed with Mrs Li today')).toBe(true);
    expect(found(nameSeeds('van der Berg^Anneke', 'PatientName', 0x00100010), 'pt VANDERBERG')).toBe(true);
  });

  it('finds a name that is a word of reports only with its capital, as the engine removes it', () => {
    const seeds = [
      ...nameSeeds('WHITE^ROSE', 'PatientName', 0x00100010),
      ...nameSeeds('ИВАНОВ^ЛЕВ', 'OperatorsName', 0x00081070),
    ];
    for (const kept of ['periventricular white matter', 'the rose', 'лев. почка'])
      expect(found(seeds, kept), kept).toBe(false);
    for (const leak of [
      'Mrs White',
      'seen: WHITE, ROSE',
      'saw Rose today',
      'вчера Лев пришёл',
      'врач ЛЕВ ИВАНОВ',
    ])
      expect(found(seeds, leak), leak).toBe(true);
  });

  it("takes no word's name at a sentence's start or beside a number (a shifted month), as the engine keeps them", () => {
    const seeds = [
      ...nameSeeds('WHITE^AUGUST', 'PatientName', 0x00100010),
      ...nameSeeds('HEAD^JUNE', 'OperatorsName', 0x00081070),
    ];
    for (const kept of [
      'White matter is normal.',
      'Since August 2018.',
      'on June 12, 2022',
      'Head CT: no bleed.',
    ])
      expect(found(seeds, kept), kept).toBe(false);
    for (const leak of ['seen by Dr White today', 'with June Head'])
      expect(found(seeds, leak), leak).toBe(true);
  });

  it('takes no particle, title, month or day name for a name', () => {
    const seeds = [
      ...nameSeeds('del Castillo^Ana', 'PatientName', 0x00100010),
      ...nameSeeds('Bae^Jun Ho', 'PatientName', 0x00100010),
    ];
    for (const kept of ['TC del torax', 'follow-up Jun. 4, 2023', 'Sun protection'])
      expect(found(seeds, kept), kept).toBe(false);
  });
});

describe('a Latin name written in Cyrillic or Greek letters', () => {
  const ctxOf = (pn: string) => {
    const seeds = nameSeeds(pn, 'PatientName', 0x00100010);
    return { seeds, nativeNames: nativeSeeds(seeds), hashKey: Buffer.alloc(32) } as unknown as ScanContext;
  };
  it.each([
    ['Ivanov^Yuriy', 'Пациент Иванов Юрий'],
    ['Ivanov^Yuriy', 'у Юрия'],
    ['Ivanova^Maria', 'с Ивановой'],
    ['Shcherbakov^Dmitry', 'ЩЕРБАКОВ'],
    ['Papadopoulos^Georgios', 'του Παπαδοπούλου'],
    ['Papadopoulos^Georgios', 'Γεώργιος'],
  ])('%s in %s', (pn, text) => expect(nativeNameIn('(0008,1030)', text, ctxOf(pn))?.rule).toBe('seed-match'));

  it.each([
    ['Sergeyev^Semyon', 'врач Сергеев, Семен'],
    ['Solovyev^Ivan', 'Соловьёв'],
    ['Efstathios^Vasilios', 'του Ευσταθίου'],
    ['Ikonomou^Irini', 'η Ειρήνη Οικονόμου'],
    ['Khristos^Papadakis', 'ο Χρήστος'],
  ])('%s in %s (romanised another way)', (pn, text) =>
    expect(nativeNameIn('(0008,1030)', text, ctxOf(pn))?.rule).toBe('seed-match'),
  );

  it("finds no short name where it is a word: a sentence's start, small letters", () => {
    for (const [pn, text] of [
      ['Massa^Rana', 'Масса миокарда 145 г. Рана чистая. масса тела 82 кг'],
      ['Kato^Sima', 'Κάτω λοβός. Σήμα υψηλό. Ο κάτω λοβός.'],
      ['Mark^Norma', 'Маркер установлен. Норма. Онкомаркеры не повышены.'],
      ['Norma^Maza', '• Норма.\r\nβ) Μάζα νεφρού. ΜΑΖΑ ΔΕΞΙΟΥ ΝΕΦΡΟΥ.'],
    ] as const)
      expect(nativeNameIn('(0008,1030)', text, ctxOf(pn)), text).toBeUndefined();
  });

  it('finds nothing in Latin text, nor in Cyrillic words that only start alike', () => {
    expect(nativeNameIn('(0008,1030)', 'Ivanov Yuriy', ctxOf('Ivanov^Yuriy'))).toBeUndefined();
    expect(nativeNameIn('(0008,1030)', 'Ивановский район', ctxOf('Ivanov^Yuriy'))).toBeUndefined();
    expect(nativeNameIn('(0008,1030)', 'Печень в норме', ctxOf('Petrov^Ivan'))).toBeUndefined();
  });
});

describe('names folded in text that is not plain ASCII', () => {
  it("takes no short form in capitals for the patient's name (PEG tube, WILL)", () => {
    const seeds = [
      ...nameSeeds('Smith^Margaret William', 'PatientName', 0x00100010),
      ...shortFormSeeds('Smith^Margaret William', 'PatientName', 0x00100010),
    ];
    const ctx = {
      seeds,
      folded: new Matcher(foldedPatterns(seeds)),
      hashKey: Buffer.alloc(32),
    } as unknown as ScanContext;
    expect(foldedNameIn('(0020,4000)', 'PEG tube placed; WILL review — Zürich', ctx)).toBeUndefined();
    expect(foldedNameIn('(0020,4000)', 'Mrs Smíth reviewed — Zürich', ctx)?.rule).toBe('seed-match');
  });
});

describe('seeds read out of free text', () => {
  const texts = (t: string) => textSeeds(t).map((s) => `${s.category}:${s.text}`);

  it('takes the name after a title, not the next line or the next word alone', () => {
    expect(texts('Referred by Dr Patel\r\nChest pain')).toEqual(['name:Patel']);
    expect(texts('Seen by Dr Jones Cardiology')).toEqual(
      expect.arrayContaining(['name:Jones Cardiology', 'name:Jones']),
    );
    expect(texts('Seen by Dr Jones Cardiology')).not.toContain('name:Cardiology');
  });

  it('takes phone numbers, not lists of measurements or dates', () => {
    expect(texts('call +34 914 872 630')).toContain('phone:34914872630');
    for (const t of [
      'Hb 13.5 (12.0-15.5) g/dL',
      'Recon 5.0 / 2.5 / 1.25 mm',
      'born 18. 02. 1971',
      'MRN 00482913',
    ])
      expect(
        texts(t).filter((x) => x.startsWith('phone:')),
        t,
      ).toEqual([]);
  });

  it('reads an address as a street near its number, and a postcode', () => {
    const seeds = addressSeeds('Flat 3, 12 Baker Street, London NW1 6XE', 'PatientAddress', 0x00101040);
    expect(found(seeds, 'Lives at 12 Baker St.')).toBe(true);
    expect(found(seeds, 'postcode NW16XE')).toBe(true);
    expect(found(seeds, 'Baker cyst, 2 cm')).toBe(false);
  });
});
