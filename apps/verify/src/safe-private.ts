/**
 * The verifier's own reading of PS3.15 Table E.3.10-1 (the repository's copy, read here, not
 * through the engine): which private elements an output under the Retain Safe Private Option
 * may still hold, by group, private creator and offset in the creator's block.
 */
import { readFileSync } from 'node:fs';
import { SAFE_PRIVATE_URL } from '@dcmblind/core';

let cached: ReadonlySet<string> | undefined;

function safeList(): ReadonlySet<string> {
  if (!cached) {
    const doc = JSON.parse(readFileSync(SAFE_PRIVATE_URL, 'utf8')) as {
      entries: { group: string; offset: string; creator: string }[];
    };
    cached = new Set(
      doc.entries.map((e) => `${e.group.toUpperCase()}|${e.creator}|${e.offset.toUpperCase()}`),
    );
  }
  return cached;
}

/** Whether a private data element (not a creator) under `creator` is on the safe list. */
export function isSafePrivate(tag: number, creator: string): boolean {
  const hex = tag.toString(16).toUpperCase().padStart(8, '0');
  return safeList().has(`${hex.slice(0, 4)}|${creator}|${hex.slice(6)}`);
}
