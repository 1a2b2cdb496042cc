/**
 * `<out>/.dcmblind/manifest.json`: what made an output tree (key fingerprint, profile,
 * options, layout, engine version), so a rerun never mixes two configurations in one tree.
 * It holds no identifier: the fingerprint is a keyed hash of a constant, and the output id is
 * random (it tells the key's records of this output from those of another output).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { DcmblindError } from '../errors.js';
import { writeFileAtomic } from '../key/atomic.js';
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
  /** Present only with the clean-pixel-data option: which files had their pixels scanned. */
  readonly pixelScan?: string;
  /** Present only with --pixel-rules: the first 16 hex digits of its SHA-256. */
  readonly pixelRules?: string;
  /** Present only with --recipe: its file name and SHA-256 (with its subjects table's). */
  readonly recipe?: { readonly name: string; readonly sha256: string };
  /** Present only when the recipe keeps a direct identifier and --allow-identifying said so. */
  readonly allowIdentifying?: readonly string[];
  /** Random, fixed for the life of this output; every key record of a file placed here carries it. */
  readonly outputId?: string;
}

/** A short id of everything that shapes the output bytes and paths (the output's own id is not). */
export function configId(m: Manifest): string {
  const { outputId: _, ...config } = m;
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
}

export const newOutputId = (): string => randomBytes(8).toString('hex');

const manifestPath = (out: string) => join(out, STATE_DIR, 'manifest.json');

export function readManifest(out: string): Manifest | undefined {
  const p = manifestPath(out);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as Manifest;
  } catch {
    throw new DcmblindError(
      'E_OUTPUT_MISMATCH',
      `${p} is damaged; this output cannot be continued (use a new --out)`,
    );
  }
}

/** Replace the manifest (a rebuilt output, or one that holds nothing yet). */
export function writeManifest(out: string, m: Manifest): void {
  mkdirSync(join(out, STATE_DIR), { recursive: true });
  writeFileAtomic(manifestPath(out), Buffer.from(`${JSON.stringify(m, null, 2)}\n`), 0o644);
}

/**
 * Write the manifest unless one exists, atomically: shards starting together on a new output
 * agree on the first one written (and so on one output id). Returns the manifest in force.
 */
export function createManifest(out: string, m: Manifest): Manifest {
  mkdirSync(join(out, STATE_DIR), { recursive: true });
  const tmp = join(out, STATE_DIR, `.manifest.json.tmp-${randomBytes(6).toString('hex')}`);
  const fd = openSync(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
  try {
    writeSync(fd, `${JSON.stringify(m, null, 2)}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, manifestPath(out));
    return m;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return readManifest(out) as Manifest;
  } finally {
    rmSync(tmp, { force: true });
  }
}

function describe(m: Manifest): string {
  const opts = m.options.length ? ` with ${m.options.join(', ')}` : '';
  return (
    `profile ${m.profile}${opts}, layout ${m.layout}, key ${m.keyFingerprint}, ` + `engine ${m.engineVersion}`
  );
}

/** Refuse when `out` was made with another configuration; say what made it, never a secret. */
export function checkManifest(out: string, have: Manifest, want: Manifest): void {
  const diff: string[] = [];
  if (have.keyFingerprint !== want.keyFingerprint) diff.push(`key (this key is ${want.keyFingerprint})`);
  if (have.profile !== want.profile || JSON.stringify(have.options) !== JSON.stringify(want.options))
    diff.push('profile/options');
  if (have.engineVersion !== want.engineVersion)
    diff.push(`engine version (${have.engineVersion} → ${want.engineVersion})`);
  if (have.layout !== want.layout) diff.push('layout');
  if (
    have.pseudonymPrefix !== want.pseudonymPrefix ||
    JSON.stringify(have.dateOffset) !== JSON.stringify(want.dateOffset)
  )
    diff.push('pseudonym prefix/date offsets');
  if (
    (have.subjectIds ?? '') !== (want.subjectIds ?? '') ||
    (have.patientScope ?? '') !== (want.patientScope ?? '')
  )
    diff.push('subject ids/patient scope');
  if (
    (have.pixelScan ?? '') !== (want.pixelScan ?? '') ||
    (have.pixelRules ?? '') !== (want.pixelRules ?? '')
  )
    diff.push(
      `pixel scan/rules (it was made with --pixel-scan ${have.pixelScan ?? 'none (no clean-pixel-data)'}` +
        `${have.pixelRules ? `, --pixel-rules sha256 ${have.pixelRules}…` : ''})`,
    );
  if ((have.recipe?.sha256 ?? '') !== (want.recipe?.sha256 ?? ''))
    diff.push(
      have.recipe
        ? `recipe or subjects table (it was made with ${have.recipe.name} sha256 ${have.recipe.sha256.slice(0, 12)}…)`
        : 'recipe (it was made without one)',
    );
  if (diff.length === 0) return;
  const keyOnly = diff.length === 1 && have.keyFingerprint !== want.keyFingerprint;
  const remedy = keyOnly
    ? "Give the key that made it (dcmblind-key info prints a key's fingerprint), " +
      'or a new --out for this key. --force-rebuild would re-pseudonymise the whole output under this key'
    : 'Rerun with the settings that made it, or use a new --out. ' +
      "--force-rebuild deletes this output's files and redoes them with the new settings";
  throw new DcmblindError(
    'E_OUTPUT_MISMATCH',
    `${out} was made with another ${diff.join(', ')}: it was made with ${describe(have)}. ` +
      `Refusing to mix two configurations in one output. ${remedy}`,
  );
}
