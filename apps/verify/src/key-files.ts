/**
 * dcmblind's key and the files that sit next to it: its journal (`<key>.journal`, records
 * appended during a run) and its lock (`<key>.lock`, naming the run that holds it). Found in an
 * output tree they would carry the re-identification key, or records of it, away with the
 * output: encrypted or not, the key stays with its custodian.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';

export type KeyArtifact = 'key' | 'key journal' | 'key lock';

/** Bytes read to tell a file: a key's magic, a lock's JSON, a journal's first lines. */
const HEAD_BYTES = 64 * 1024;
const MAGIC = 'DCMBKEY1';
/** A sealed journal record: nonce, ciphertext and tag (28 bytes or more), base64 with padding. */
const SEALED_LINE = /^[A-Za-z0-9+/]{38,}={0,2}$/;

/** The first `max` bytes of a file (fewer when it is shorter). */
export function readHead(path: string, max: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(max);
    return b.subarray(0, readSync(fd, b, 0, max, 0));
  } finally {
    closeSync(fd);
  }
}

/** What of dcmblind's key a file is, by its bytes (and, for journals and locks, its name). */
export function keyArtifact(path: string): KeyArtifact | undefined {
  const head = readHead(path, HEAD_BYTES);
  if (head.toString('latin1', 0, MAGIC.length) === MAGIC) return 'key';
  const name = basename(path).toLowerCase();
  if (name.endsWith('.journal') && isJournal(head)) return 'key journal';
  if (name.endsWith('.lock') && isLock(head)) return 'key lock';
  return undefined;
}

/** Every complete line a sealed record; the last piece (torn by a crash, or cut short here) base64 so far. */
function isJournal(head: Buffer): boolean {
  const lines = head.toString('latin1').split('\n');
  const tail = lines.pop() ?? '';
  const whole = (l: string) => SEALED_LINE.test(l) && l.length % 4 === 0;
  return lines.length > 0 && lines.every(whole) && /^[A-Za-z0-9+/=]*$/.test(tail);
}

/** A lock names its holder: a JSON object with its pid and what it holds the key for. */
function isLock(head: Buffer): boolean {
  try {
    const v = JSON.parse(head.toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && 'pid' in v && 'purpose' in v;
  } catch {
    return false;
  }
}
