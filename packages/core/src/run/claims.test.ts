import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Claims } from './claims.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('Claims', () => {
  it('tells a path claimed by the same content, by other content, or not at all', () => {
    const c = new Claims(() => undefined);
    c.set('ANON-1/series/IMG00001.dcm', sha('a'));
    expect(c.get('ANON-1/series/IMG00001.dcm', sha('a'))).toBe('same');
    expect(c.get('ANON-1/series/IMG00001.dcm', sha('b'))).toBe('other');
    expect(c.get('ANON-1/series/IMG00002.dcm', sha('a'))).toBeUndefined();
    expect(c.get('ANON-2/series/IMG00001.dcm', sha('a'))).toBeUndefined();
    // A later claim of the same path replaces the content, not adds a path.
    c.set('ANON-1/series/IMG00001.dcm', sha('b'));
    expect(c.get('ANON-1/series/IMG00001.dcm', sha('b'))).toBe('same');
    expect(c.size).toBe(1);
  });

  it('keeps every one of 200,000 near-identical paths apart through its growth', () => {
    const c = new Claims(() => undefined);
    const path = (i: number) => `ANON-${i % 997}/ST1/SE${i % 13}/IMG${String(i).padStart(6, '0')}.dcm`;
    for (let i = 0; i < 200_000; i++) c.set(path(i), sha(String(i)));
    expect(c.size).toBe(200_000);
    let same = 0;
    let other = 0;
    let unknown = 0;
    for (let i = 0; i < 200_000; i++) {
      if (c.get(path(i), sha(String(i))) === 'same') same++;
      if (c.get(path(i), sha(String(i + 1))) === 'other') other++;
      if (c.get(`${path(i)}x`, sha(String(i))) === undefined) unknown++;
    }
    expect([same, other, unknown]).toEqual([200_000, 200_000, 200_000]);
  });

  it('holds a million claims in 32 MB', () => {
    const c = new Claims(() => undefined);
    const digest = sha('x');
    for (let i = 0; i < 1_000_000; i++) c.set(`P${i >> 10}/IMG${i}.dcm`, digest);
    expect(c.size).toBe(1_000_000);
    expect(c.get('P0/IMG1.dcm', digest)).toBe('same');
    expect(c.bytes).toBeLessThanOrEqual(32 * 1024 * 1024 + 64 * 1024);
  });

  it('makes room for what the header pass found at once, claims already there kept', () => {
    const c = new Claims(() => undefined);
    for (let i = 0; i < 1000; i++) c.set(`a/${i}`, sha(String(i)));
    c.reserve(100_000);
    const reserved = c.bytes;
    expect(reserved).toBeGreaterThanOrEqual(101_000 * 16 * 1.5);
    // Sized to the count, not to the next power of two (262,144 slots: 4 MB).
    expect(reserved).toBeLessThanOrEqual(101_000 * 16 * 1.5 + 16 * 1024); // + the done table's 8 KB
    for (let i = 0; i < 100_000; i++) c.set(`b/${i}`, sha(String(i)));
    // No growth while filling what was reserved; every claim still answers.
    expect(c.bytes).toBe(reserved);
    expect(c.size).toBe(101_000);
    expect(c.get('a/999', sha('999'))).toBe('same');
    expect(c.get('b/99999', sha('99999'))).toBe('same');
    expect(c.get('b/99999', sha('1'))).toBe('other');
    expect(c.get('c/1', sha('1'))).toBeUndefined();
  });

  it('holds a million claims reserved ahead in 24 MB', () => {
    const c = new Claims(() => undefined);
    c.reserve(1_000_000);
    for (let i = 0; i < 1_000_000; i++) c.set(`P${i >> 10}/IMG${i}.dcm`, sha(String(i & 1023)));
    expect(c.size).toBe(1_000_000);
    expect(c.bytes).toBeLessThanOrEqual(24 * 1000 * 1000 + 16 * 1024);
    let same = 0;
    for (let i = 0; i < 1_000_000; i += 7)
      if (c.get(`P${i >> 10}/IMG${i}.dcm`, sha(String(i & 1023))) === 'same') same++;
    expect(same).toBe(Math.ceil(1_000_000 / 7));
    expect(c.get('P0/IMG1000000.dcm', sha('1'))).toBeUndefined();
  });

  it('answers for a file found done from its key record, in 8 bytes a path', () => {
    const inKey = new Map([['ANON-1/s/IMG1.dcm', sha('a')]]);
    const asked: string[] = [];
    const c = new Claims((p) => {
      asked.push(p);
      return inKey.get(p);
    });
    c.setDone('ANON-1/s/IMG1.dcm');
    // A path whose hashes are in the table but whose record is not (what a hash collision looks
    // like from here): not claimed.
    c.setDone('ANON-1/s/IMG2.dcm');
    expect(c.get('ANON-1/s/IMG1.dcm', sha('a'))).toBe('same');
    expect(c.get('ANON-1/s/IMG1.dcm', sha('b'))).toBe('other');
    expect(c.get('ANON-1/s/IMG2.dcm', sha('a'))).toBeUndefined();
    // Never claimed: the key is not asked.
    expect(c.get('ANON-1/s/IMG3.dcm', sha('a'))).toBeUndefined();
    expect(asked).toEqual(['ANON-1/s/IMG1.dcm', 'ANON-1/s/IMG1.dcm', 'ANON-1/s/IMG2.dcm']);
    // A claim of this run at a done path answers by its own content.
    c.set('ANON-1/s/IMG1.dcm', sha('a'));
    expect(c.get('ANON-1/s/IMG1.dcm', sha('a'))).toBe('same');
    const million = new Claims(() => undefined);
    for (let i = 0; i < 1_000_000; i++) million.setDone(`P${i >> 10}/IMG${i}.dcm`);
    expect(million.size).toBe(1_000_000);
    expect(million.bytes).toBeLessThanOrEqual(16 * 1024 * 1024 + 64 * 1024);
  });
});
