/**
 * What an output folder is before a run touches it, and the refusals that need no key: a
 * folder holding other files is not dcmblind's to write into (or to clear with
 * --force-rebuild), and an existing output is never continued with a key that does not exist
 * (a mistyped --key would otherwise start a second, unrelated pseudonymisation).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DcmblindError } from '../errors.js';
import { type Manifest, readManifest } from './manifest.js';
import { STATE_DIR } from './output.js';

/** Entries a fresh filesystem or dcmblind itself puts in a folder: not "files of someone else". */
const NOT_CONTENT = new Set([STATE_DIR, 'lost+found']);

export interface OutputState {
  readonly exists: boolean;
  readonly manifest: Manifest | undefined;
  /** Top-level entries other than dcmblind's state (a few names, for messages). */
  readonly entries: readonly string[];
}

export function inspectOutput(out: string): OutputState {
  if (!existsSync(out)) return { exists: false, manifest: undefined, entries: [] };
  if (!statSync(out).isDirectory())
    throw new DcmblindError('E_USAGE', `--out ${out} exists and is not a folder`);
  const entries = readdirSync(out).filter((n) => !NOT_CONTENT.has(n));
  return { exists: true, manifest: readManifest(out), entries };
}

export interface Preflight {
  readonly out: string;
  readonly keyPath: string;
  readonly keyExists: boolean;
}

/** Throws when the run must not start; returns the output's state otherwise. */
export function preflightOutput(p: Preflight): OutputState {
  const state = inspectOutput(p.out);
  if (state.entries.length > 0 && !state.manifest) {
    const some = state.entries.slice(0, 3).join(', ') + (state.entries.length > 3 ? ', …' : '');
    throw new DcmblindError(
      'E_OUTPUT_NOT_EMPTY',
      `--out ${p.out} already holds files (${some}) and is not a dcmblind output ` +
        '(no .dcmblind/manifest.json). Choose an empty or new folder: dcmblind never writes into, ' +
        'or deletes from, a folder it did not make',
    );
  }
  if (state.manifest && !p.keyExists) {
    throw new DcmblindError(
      'E_KEY_NOT_FOUND',
      `key ${p.keyPath} not found; this output was made with key ${state.manifest.keyFingerprint} ` +
        `(profile ${state.manifest.profile}). Give that key's path ` +
        "(dcmblind-key info prints a key's fingerprint). " +
        'New keys come from dcmblind-key init, or from a first run into an empty output',
    );
  }
  return state;
}

/**
 * The de-identified output tree a path lies in (the nearest folder above it holding dcmblind's
 * `.dcmblind/`), if any: no key, journal or mapping may be written there.
 */
export function outputTreeOf(path: string): string | undefined {
  for (let d = dirname(resolve(path)); ; d = dirname(d)) {
    if (existsSync(join(d, STATE_DIR))) return d;
    if (dirname(d) === d) return undefined;
  }
}
