/**
 * The hash indexes name every ordinal ever added for a hash, sorted or recent, before and after
 * a merge; two paths that share a hash make a file's patient ambiguous, never lost.
 */
import { describe, expect, it } from 'vitest';
import { PatientOf } from '../run/patient-of.js';
import { HashIndex, hash32, PairBuffer } from './hash-index.js';

/** Two different paths with the same 32-bit hash (a birthday search: ~80,000 tries). */
function collidingPaths(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const p = `/data/site/P${i % 97}/S${i}/IMG${i}.dcm`;
    const h = hash32(p);
    const other = seen.get(h);
    if (other !== undefined) return [other, p];
    seen.set(h, p);
  }
}

describe('hash index', () => {
  it('finds every ordinal of a hash among sorted and recent pairs, and after each merge', () => {
    const pairs = new PairBuffer();
    const want = new Map<number, number[]>();
    const add = (h: number, o: number) => want.set(h, [...(want.get(h) ?? []), o]);
    for (let o = 0; o < 5_000; o++) {
      const h = hash32(`p${o % 3_000}`);
      pairs.push(h, o);
      add(h, o);
    }
    const index = new HashIndex(pairs);
    for (let o = 5_000; o < 6_000; o++) {
      const h = hash32(`p${o % 3_500}`);
      index.add(h, o);
      add(h, o);
    }
    const check = () => {
      for (const [h, ords] of want) expect([...index.candidates(h)].sort((a, b) => a - b)).toEqual(ords);
      expect([...index.candidates(hash32('never added'))]).toEqual([]);
    };
    check();
    index.settle();
    check();
    // A second merge lands in the room the first one left (in place, from the end).
    for (let o = 6_000; o < 7_500; o++) {
      const h = hash32(`p${o % 4_000}`);
      index.add(h, o);
      add(h, o);
    }
    check();
    index.settle();
    check();
  });

  it('a file whose path shares a hash with another gets both patients, the rest only their own', () => {
    const [a, b] = collidingPaths();
    expect(a).not.toBe(b);
    const of = new PatientOf();
    of.set(a, 'id\u0000A');
    of.set(b, 'id\u0000B');
    of.set('/data/site/other.dcm', 'id\u0000C');
    of.seal();
    expect(of.keysOf(a).sort()).toEqual(['id\u0000A', 'id\u0000B']);
    expect(of.keysOf(b).sort()).toEqual(['id\u0000A', 'id\u0000B']);
    expect(of.keysOf('/data/site/other.dcm')).toEqual(['id\u0000C']);
    expect(of.keysOf('/data/site/unknown.dcm')).toEqual([]);
  });
});
