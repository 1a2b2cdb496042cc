/**
 * The exclusion test judges a folder once for the files in it: each path must still get the
 * verdict it would get alone, in any order the walk meets paths.
 */
import { describe, expect, it } from 'vitest';
import { excluder } from './exclude.js';

const cases: Array<[string, string | undefined]> = [
  ['site/p1/s1/IM1.dcm', undefined],
  ['site/p1/s1/.DS_Store', 'operating-system file'],
  ['site/p1/s1/notes.txt', 'excluded by --exclude *.txt'],
  ['site/p1/s1/IM2.dcm', undefined],
  ['site/__MACOSX/p1/IM1.dcm', 'in an operating-system folder (__MACOSX)'],
  ['site/old/p2/IM1.dcm', 'excluded by --exclude site/old/**'],
  ['site/p2/scout/IM1.dcm', 'excluded by --exclude scout'],
  ['site/p2/IM1.dcm', undefined],
  ['IM0.dcm', undefined],
  ['Thumbs.db', 'operating-system file'],
];

describe('excluder', () => {
  it('gives each path its own verdict, whatever came before it', () => {
    const patterns = ['*.txt', 'site/old/**', 'scout', 'never-matches'];
    const orders = [cases, [...cases].reverse(), [...cases, ...cases]];
    for (const order of orders) {
      const test = excluder(patterns);
      for (const [path, why] of order) expect([path, test(path)]).toEqual([path, why]);
      expect(test.unmatched?.()).toEqual(['never-matches']);
    }
  });
});
