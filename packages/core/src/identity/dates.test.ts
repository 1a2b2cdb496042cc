import { describe, expect, it } from 'vitest';
import { parseDA, shiftDA, shiftDAValue, shiftDT, shiftDTValue, writtenForms } from './dates.js';

describe('date shifting', () => {
  it.each([
    ['20240301', 1, '20240229'],
    ['20240101', 1, '20231231'],
    ['20000301', 366, '19990301'],
    ['1999.12.31', 365, '19981231'],
    ['20240310', 0, '20240310'],
  ])('DA %s minus %i days is %s', (v, d, want) => expect(shiftDA(v, d)).toBe(want));

  it.each(['2024031', '20240230', 'yesterday', '20241301', ''])('rejects %j', (v) =>
    expect(shiftDA(v, 3)).toBeUndefined(),
  );

  it.each([
    ['20240301120000.5+0100', 1, '20240229120000.5+0100'],
    ['202403', 10, '202402'],
    ['2024', 1, '2023'],
    ['20240301', 1, '20240229'],
    ['20240301235959-0500', 1, '20240229235959-0500'],
  ])('DT %s minus %i days is %s', (v, d, want) => expect(shiftDT(v, d)).toBe(want));

  it('shifts ranges end by end and keeps open ends', () => {
    expect(shiftDAValue('20240101-20240201', 1)).toBe('20231231-20240131');
    expect(shiftDAValue('-20240201', 1)).toBe('-20240131');
    expect(shiftDTValue('20240101120000-0500-20240102', 1)).toBe('20231231120000-0500-20240101');
  });

  it('knows the common written forms of a date', () => {
    const f = writtenForms('19770412');
    for (const s of [
      '19770412',
      '1977-04-12',
      '12/04/1977',
      '04/12/1977',
      '12.04.1977',
      '12 apr 1977',
      'april 12, 1977',
      '12-apr-1977',
    ])
      expect(f).toContain(s);
  });
});

describe('legacy date forms', () => {
  it.each([
    ['19710218', { y: 1971, m: 2, d: 18 }],
    ['1971.02.18', { y: 1971, m: 2, d: 18 }],
    [' 1971-02-18 ', { y: 1971, m: 2, d: 18 }],
    ['1971/2/18', { y: 1971, m: 2, d: 18 }],
    ['19710218 000000', { y: 1971, m: 2, d: 18 }],
    ['1971.02.18 14:30', { y: 1971, m: 2, d: 18 }],
    ['710218', { y: 1971, m: 2, d: 18 }],
  ])('%s is read as a day', (v, want) => {
    expect(parseDA(v)).toEqual(want);
  });
  it.each(['19710230', '1971.13.01', 'yesterday', '7102'])('%s is no day', (v) => {
    expect(parseDA(v)).toBeUndefined();
  });
  it('shifts legacy DA and DT, and finds their written forms', () => {
    expect(shiftDA('1971.02.18', 1)).toBe('19710217');
    expect(shiftDT('1971.02.18 14:30', 1)).toBe('19710217');
    expect(writtenForms('1971.02.18')).toContain('02/18/1971');
  });
});

describe('dates that must not move with the offset', () => {
  it('keeps placeholder dates as they are: shifted, they would give the offset away', () => {
    for (const d of ['19000101', '19700101', '00010101', '99991231', '18991230'])
      expect(shiftDAValue(d, 933)).toBe(d);
    expect(shiftDTValue('19000101000000', 933)).toBe('19000101000000');
    expect(shiftDAValue('19000102', 1)).toBe('19000101');
  });

  it('reads a legacy YYYY-MM-DD as one date, not as a range', () => {
    expect(shiftDAValue('2023-05-04', 3)).toBe('20230501');
    expect(shiftDAValue('20230504-20230510', 3)).toBe('20230501-20230507');
  });
});
