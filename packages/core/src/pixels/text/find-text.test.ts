/**
 * When OCR's reading of a candidate line counts as text: words read with some confidence on a
 * line of three glyphs or more, or small beside its frame; on a tall line of two pieces of ink,
 * only a word read with confidence; on a lone word (one piece), three letters or a sure word.
 */
import { describe, expect, it } from 'vitest';
import { readsAsText } from './find-text.js';

const w = (text: string, confidence: number) => ({ text, confidence });

describe('readsAsText', () => {
  it('takes words of a line of glyphs, even read with little confidence', () => {
    expect(readsAsText([w('SMITH', 35)], 5)).toBe(true);
    expect(readsAsText([w('S', 10), w('M', 10), w('I', 10)], 3)).toBe(true);
  });

  it('takes a two-piece line tall for its frame only when a word is read with confidence', () => {
    expect(readsAsText([w('nN', 51), w('y', 25)], 2, true)).toBe(false);
    expect(readsAsText([w('BY', 37)], 2, true)).toBe(false);
    expect(readsAsText([w('SMITH', 91), w('JOHN', 88)], 2, true)).toBe(true);
    // Small beside its frame (overlay text): a short word read with little confidence counts.
    expect(readsAsText([w('ox', 53)], 2)).toBe(true);
  });

  it('takes a lone word (one piece of ink) read as three letters or more, or as two with confidence', () => {
    expect(readsAsText([w('MRNA', 0)], 1)).toBe(true);
    expect(readsAsText([w('LI', 45)], 1)).toBe(false);
    expect(readsAsText([w('LI', 75)], 1)).toBe(true);
    expect(readsAsText([w('l', 90)], 1)).toBe(false);
  });

  it('leaves speckle read as one letter', () => {
    expect(readsAsText([w('l', 60)], 4)).toBe(false);
    expect(readsAsText([], 6)).toBe(false);
  });
});
