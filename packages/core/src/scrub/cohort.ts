/**
 * What one file's free text is cleaned of beyond its own values: the values of every file of
 * its patient, and every person name seen anywhere in the run (operators, physicians,
 * relatives, other patients). They are gathered by a header pass before any file is written
 * (run/gather.ts) and kept in the key, so shards and later runs clean with what earlier ones saw.
 *
 * Run-wide names leave out what a PN field often holds that is no name ("CT TECH", "DR",
 * "RADIOLOGY"): a word like that would otherwise be cut from every description of the run.
 */
import type { Category, IdentifyingValue } from '../deid/identifying.js';
import { CJK } from './lexicon.js';

/** A value as the key keeps it: category and text joined by NUL. */
export function encodeValue(v: IdentifyingValue): string {
  return `${v.category}\u0000${v.text}`;
}

export function decodeValue(s: string): IdentifyingValue {
  const i = s.indexOf('\u0000');
  return { category: s.slice(0, i) as Category, text: s.slice(i + 1) };
}

const NOT_NAMES = new Set(
  (
    'anonymous anonymized anon unknown none null test patient phantom qa tech techs technologist ' +
    'technician radiographer radiologist radiology physician doctor nurse operator staff user admin ' +
    'service engineer resident fellow attending referring reading performing default other ' +
    'mri ct pet spect xray x-ray dxa dexa mammo nuclear medicine ultrasound sono echo cardiology ' +
    'department dept clinic hospital center centre imaging scanner station room the and'
  ).split(' '),
);

/** Whether a name token from another person of the run is kept as a run-wide needle. */
export function isRunWideName(token: string): boolean {
  if (CJK.test(token)) return [...token].length >= 2;
  const t = token.toLowerCase();
  return t.length >= 3 && /\p{L}/u.test(t) && !/\d/.test(t) && !NOT_NAMES.has(t);
}

/** Names to share with the workers: once per run, in shared memory (not copied per task). */
export function shareNames(names: readonly string[]): SharedArrayBuffer {
  const bytes = new TextEncoder().encode(JSON.stringify(names));
  const sab = new SharedArrayBuffer(bytes.length);
  new Uint8Array(sab).set(bytes);
  return sab;
}

export function sharedNames(sab: SharedArrayBuffer): string[] {
  // TextDecoder does not read shared memory: copy it out once per worker and run.
  return JSON.parse(new TextDecoder().decode(new Uint8Array(sab).slice())) as string[];
}
