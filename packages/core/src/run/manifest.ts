/**
 * `<out>/.dcmblind/manifest.json`: what made an output tree (key fingerprint, profile,
 * options, layout, engine version), so a rerun never mixes two configurations in one tree.
 * It holds no identifier: the fingerprint is a keyed hash of a constant.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DcmblindError } from '../errors.js';
import { writeFileAtomic } from '../key/store.js';
import { STATE_DIR } from './output.js';

export interface Manifest {
  readonly format: 1;
  readonly keyFingerprint: string;
  readonly profile: string;
  readonly options: readonly string[];
  readonly layout: string;
  readonly pseudonymPrefix: string;
  readonly dateOffset: { readonly min: number; readonly max: number };
  readonly engineVersion: string;
  /** Present only for blinding runs that name subjects by their source zip's SHA-256. */
  readonly subjectIds?: string;
  readonly patientScope?: string;
}

/** A short id of everything that shapes the output bytes and paths. */
export function configId(m: Manifest): string {
  return createHash('sha256').update(JSON.stringify(m)).digest('hex').slice(0, 16);
}

const path = (out: string) => join(out, STATE_DIR, 'manifest.json');

export function readManifest(out: string): Manifest | undefined {
  const p = path(out);
  if (!existsSync(p)) return undefined;
  return JSON.parse(readFileSync(p, 'utf8')) as Manifest;
}

export function writeManifest(out: string, m: Manifest): void {
  mkdirSync(join(out, STATE_DIR), { recursive: true });
  writeFileAtomic(path(out), Buffer.from(`${JSON.stringify(m, null, 2)}\n`), 0o644);
}

/** Refuse when `out` was made with another configuration; name what differs, never a secret. */
export function checkManifest(out: string, want: Manifest): void {
  const have = readManifest(out);
  if (!have) return;
  const diff: string[] = [];
  if (have.keyFingerprint !== want.keyFingerprint) diff.push('key');
  if (have.profile !== want.profile || JSON.stringify(have.options) !== JSON.stringify(want.options)) diff.push('profile/options');
  if (have.engineVersion !== want.engineVersion) diff.push(`engine version (${have.engineVersion} → ${want.engineVersion})`);
  if (have.layout !== want.layout) diff.push('layout');
  if (have.pseudonymPrefix !== want.pseudonymPrefix || JSON.stringify(have.dateOffset) !== JSON.stringify(want.dateOffset)) diff.push('pseudonym prefix/date offsets');
  if (diff.length) {
    throw new DcmblindError('E_OUTPUT_MISMATCH', `${out} was made with another ${diff.join(', ')}; refusing to mix two configurations in one output. Use a new --out, or --force-rebuild to delete that output and redo it`);
  }
}
