/**
 * The verifier's own reading of PS3.15 Table E.3.10-1 (the repository's copy, read here, not
 * through the engine): which private elements an output under the Retain Safe Private Option
 * may still hold, by group, private creator and offset in the creator's block, and their VR.
 */
import { readFileSync } from 'node:fs';
import { SAFE_PRIVATE_URL } from '@dcmblind/core';

let cached: Map<string, string> | undefined;

/** Entry → its VR ('' when the table gives none). */
function safeList(): Map<string, string> {
  if (!cached) {
    const doc = JSON.parse(readFileSync(SAFE_PRIVATE_URL, 'utf8')) as {
      entries: { group: string; offset: string; creator: string; vr: string }[];
    };
    cached = new Map(
      doc.entries.map((e) => [`${e.group.toUpperCase()}|${e.creator}|${e.offset.toUpperCase()}`, e.vr]),
    );
  }
  return cached;
}

/**
 * The VR the table gives a private data element (not a creator) under `creator` ('' when it
 * gives none), or undefined when the element is not on the safe list.
 */
export function safePrivateVR(tag: number, creator: string): string | undefined {
  const hex = tag.toString(16).toUpperCase().padStart(8, '0');
  return safeList().get(`${hex.slice(0, 4)}|${creator}|${hex.slice(6)}`);
}

/** A recipe's own safe entries (`--recipe`), joined to the table's for this thread. */
export function addSafeEntries(entries: ReadonlyArray<readonly [string, string]>): void {
  for (const [key, vr] of entries) safeList().set(key, vr);
}
