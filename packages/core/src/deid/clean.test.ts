import { describe, expect, it } from 'vitest';
import { schemeFor } from '../dicom/charset.js';
import { cleanText } from './clean.js';
import type { IdentifyingValue } from './identifying.js';

const latin1 = schemeFor(['ISO_IR 100']);
const run = (text: string, values: IdentifyingValue[], scheme = latin1, enc: BufferEncoding = 'latin1') =>
  Buffer.from(cleanText(Buffer.from(text, enc), scheme, values, false).bytes).toString(enc);

describe('Clean Descriptors', () => {
  it('removes every identifying value in any case, keeps the rest', () => {
    const v: IdentifyingValue[] = [
      { category: 'name', text: 'Müller' },
      { category: 'id', text: 'PID-1' },
      { category: 'date', text: '12/04/1977' },
    ];
    expect(run('CT for MÜLLER (pid-1) on 12/04/1977, müller ok', v)).toBe('CT for  () on ,  ok');
  });

  it('matches short values only as whole words', () => {
    const v: IdentifyingValue[] = [{ category: 'name', text: 'Li' }];
    expect(run('Oblique slice Li', v)).toBe('Oblique slice ');
  });

  it('works on UTF-8 text', () => {
    const v: IdentifyingValue[] = [{ category: 'name', text: 'Wójcik' }];
    expect(run('Follow-up WÓJCIK', v, schemeFor(['ISO_IR 192']), 'utf8')).toBe('Follow-up ');
  });
});
