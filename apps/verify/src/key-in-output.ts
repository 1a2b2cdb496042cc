/**
 * dcmblind's key (or its journal or lock) found with the output: in the tree, where a worker
 * meets it as a file that does not parse, or in dcmblind's state folder, which is not output
 * but travels with the tree.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_DIR } from '@dcmblind/core';
import type { FileFinding } from './facts.js';
import { type KeyArtifact, keyArtifact } from './key-files.js';
import { walk } from './walk.js';

/** dcmblind's key (or its journal or lock) in the output: it would leave the site with it. */
export function keyInOutput(kind: KeyArtifact): FileFinding {
  return {
    rule: 'key-in-output',
    severity: 'leak',
    element: '',
    detail:
      `a dcmblind ${kind}: the re-identification key (encrypted or not) must never travel with ` +
      'the output; remove it and keep it with its custodian',
  };
}

/** dcmblind's state folder is not output, but it travels with the tree: a key put there would too. */
export function keysInStateFolder(output: string): Array<{ path: string; kind: KeyArtifact }> {
  const state = join(output, STATE_DIR);
  if (!existsSync(state)) return [];
  const found: Array<{ path: string; kind: KeyArtifact }> = [];
  for (const path of walk(state)) {
    try {
      const kind = keyArtifact(path);
      if (kind) found.push({ path, kind });
    } catch {
      // gone or unreadable meanwhile: dcmblind's own files, nothing to report
    }
  }
  return found;
}
