/**
 * Sealing: every seal gets a nonce of its own (AES-GCM fails badly when one repeats under a key),
 * across the blocks nonces are drawn from, and every seal opens to what went in.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal } from './crypto.js';

describe('seal', () => {
  it('never repeats a nonce, and opens to the plaintext', () => {
    const key = randomBytes(32);
    const aad = Buffer.from('journal-1');
    const plain = Buffer.from('{"type":"file"}');
    const nonces = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const s = seal(key, plain, aad);
      nonces.add(s.subarray(0, 12).toString('hex'));
      expect(open(key, s, aad)?.equals(plain)).toBe(true);
    }
    expect(nonces.size).toBe(1000);
  });

  it('refuses a seal opened with another context or altered', () => {
    const key = randomBytes(32);
    const s = seal(key, Buffer.from('x'), Buffer.from('a'));
    expect(open(key, s, Buffer.from('b'))).toBeUndefined();
    s[14] = (s[14] as number) ^ 1;
    expect(open(key, s, Buffer.from('a'))).toBeUndefined();
  });
});
