/**
 * PS3.15 Table E.3.10-1, the private attributes the standard lists as safe from identity leakage
 * (the Retain Safe Private Option), loaded from the copy in `data/standard/` (see its README for
 * provenance and edition). A private element is named by its group, its private creator and its
 * offset in the creator's block (PS3.5 7.8.1): (0019,xx23) under GEMS_ACQU_01 is element
 * (0019,1023) when the creator holds block 10, (0019,1123) when it holds block 11.
 */
import { readFileSync } from 'node:fs';
import { coreFile } from '../package-files.js';
import type { VR } from '../dicom/vr.js';

export interface SafePrivateEntry {
  /** Four hex digits, upper case. */
  readonly group: string;
  /** The element's offset in its block: two hex digits, upper case. */
  readonly offset: string;
  readonly creator: string;
  /** '' when the table gives none (the element's explicit VR then decides). */
  readonly vr: VR | '';
  readonly vm: string;
  readonly meaning: string;
}

export const SAFE_PRIVATE_URL = coreFile('data/standard/safe_private_attributes.json');

/** An entry's key: group, creator and offset as one string. */
export const safeKey = (group: number, creator: string, offset: number): string =>
  `${group.toString(16).toUpperCase().padStart(4, '0')}|${creator}|${offset
    .toString(16)
    .toUpperCase()
    .padStart(2, '0')}`;

let cached: ReadonlyMap<string, SafePrivateEntry> | undefined;

/** The table by key (group, creator, offset). */
export function safePrivateTable(): ReadonlyMap<string, SafePrivateEntry> {
  if (cached) return cached;
  const doc = JSON.parse(readFileSync(SAFE_PRIVATE_URL, 'utf8')) as { entries: SafePrivateEntry[] };
  const byKey = new Map<string, SafePrivateEntry>();
  for (const e of doc.entries) {
    if (!/^[0-9A-F]{3}[13579BDF]$/.test(e.group) || !/^[0-9A-F]{2}$/.test(e.offset))
      throw new Error(`Table E.3.10-1: a malformed entry (${e.group},xx${e.offset})`);
    byKey.set(safeKey(parseInt(e.group, 16), e.creator, parseInt(e.offset, 16)), e);
  }
  cached = byKey;
  return cached;
}

/**
 * A private creator's value as it is compared: PS3.5 6.2 pads LO with spaces (a NUL is seen
 * too), and leading and trailing spaces are not significant; case is (`Philips MR Imaging DD
 * 001` and `PHILIPS MR IMAGING DD 001` are two creators).
 */
export function creatorName(value: string): string {
  return value.replace(/[\0 ]+$/, '').replace(/^ +/, '');
}
