/**
 * Everything that can be wrong with a `dcmblind run` command line, checked before anything is
 * read, asked or written: options, paths of the inputs, the output and the key, and how they
 * sit relative to each other.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import {
  DcmblindError,
  excluder,
  type Layout,
  loadRules,
  looseDicomFile,
  type OptionName,
  outputTreeOf,
  type Recipe,
  checkRecipeLengths,
  loadRecipe,
  resolveOptions,
  settleProfile,
} from '@dcmblind/core';
import { parseShard } from './shard.js';

export interface RunCommandOptions {
  out: string;
  key: string;
  profile: string;
  option: string[];
  prefix: string;
  dateOffset: string;
  project?: string;
  json?: boolean;
  quiet?: boolean;
  layout?: Layout;
  subjectId: 'hmac' | 'source-sha256';
  shard?: string;
  patientScope: 'global' | 'issuer';
  pixelScan?: 'all' | 'at-risk' | 'none';
  pixelRules?: string;
  workers?: string;
  dryRun?: boolean;
  forceRebuild?: boolean;
  exclude: string[];
  recipe?: string;
  allowIdentifying?: boolean;
  /** Whether --profile was on the command line (not its default): a recipe's profile may not differ. */
  profileGiven?: boolean;
}

/** A command line that passed: the values the run needs, paths made real. */
export interface Checked {
  readonly out: string;
  readonly key: string;
  /** The profile in force: the command line's, or the recipe's. */
  readonly profile: string;
  readonly options: OptionName[];
  readonly recipe: Recipe | undefined;
  readonly dateOffset: { min: number; max: number };
  readonly workers: number | undefined;
  readonly shard: { index: number; count: number } | undefined;
}

const usage = (message: string) => new DcmblindError('E_USAGE', message);

/** Real path of p, or of its nearest existing ancestor joined with the rest. */
function realish(p: string): string {
  const abs = resolve(p);
  if (existsSync(abs)) return realpathSync(abs);
  return resolve(realish(dirname(abs)), basename(abs));
}

function inside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !r.startsWith(sep) && r !== '..');
}

function parseOffset(s: string): { min: number; max: number } {
  const m = /^(\d+):(\d+)$/.exec(s);
  const min = Number(m?.[1]);
  const max = Number(m?.[2]);
  if (!m || min > max || max > 36500) {
    throw usage(`--date-offset must be MIN:MAX whole days, MIN <= MAX <= 36500 (got "${s}")`);
  }
  return { min, max };
}

function parseWorkers(w: string | undefined): number | undefined {
  const workers = w === undefined ? undefined : Number(w);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 256)) {
    throw usage('--workers must be a whole number from 1 to 256');
  }
  return workers;
}

/** Blinding by source zip names subjects by their zip: a DICOM file outside one is bad usage. */
function checkSubjects(inputs: readonly string[], o: RunCommandOptions, profile: string): void {
  if (o.subjectId !== 'source-sha256') return;
  if (profile !== 'blinding') throw usage('--subject-id source-sha256 goes with --profile blinding');
  const loose = inputs.every((i) => existsSync(i)) ? looseDicomFile(inputs, excluder(o.exclude)) : undefined;
  if (loose) {
    throw usage(
      `--subject-id source-sha256 names each subject by its zip file, and ${loose} is not in one: ` +
        'give zipped studies only (or drop the option)',
    );
  }
}

/** Inputs exist, do not overlap, and hold neither the output nor the key. */
function checkInputs(inputs: readonly string[], o: RunCommandOptions, out: string, key: string): void {
  const real: string[] = [];
  for (const i of inputs) {
    if (!existsSync(i)) throw usage(`input ${i} does not exist`);
    const ri = realpathSync(i);
    if (inside(out, ri) && statSync(ri).isDirectory()) {
      throw usage(`--out ${o.out} is inside input ${i}; choose an output outside the inputs`);
    }
    if (inside(ri, out)) throw usage(`input ${i} is inside --out ${o.out}`);
    if (inside(key, ri)) {
      throw usage(
        `--key ${o.key} is inside input ${i}: inputs are only read, and the key must not be read as one; ` +
          'keep it elsewhere',
      );
    }
    // Overlapping inputs would read (and write) the same files twice.
    const twice = real.findIndex((r) => inside(ri, r) || inside(r, ri));
    if (twice >= 0) {
      throw usage(
        `inputs ${inputs[twice]} and ${i} overlap (one is, or holds, the other): give each folder once`,
      );
    }
    real.push(ri);
  }
}

/** The key lies outside every output tree, is a file (or nothing yet), in a folder that exists. */
function checkKeyPath(o: RunCommandOptions, out: string, key: string): void {
  if (inside(key, out))
    throw usage(`--key ${o.key} is inside --out: the key must never travel with the output`);
  const keyTree = outputTreeOf(key);
  if (keyTree) {
    throw usage(
      `--key ${o.key} is inside the de-identified output ${keyTree}: ` +
        'the key must never travel with an output',
    );
  }
  if (existsSync(key) && statSync(key).isDirectory()) {
    throw usage(`--key ${o.key} is a folder; name the key file (for example ${join(o.key, 'study.key')})`);
  }
  if (!existsSync(dirname(key))) {
    throw usage(
      `--key ${o.key}: its folder ${dirname(o.key)} does not exist (a typo?); create it first for a new key`,
    );
  }
}

/** Check the whole command line; throws E_USAGE naming the first problem. */
/**
 * The recipe (read and validated whole now, every problem named with its line), and the profile
 * and options it settles; its identifying choices refused unless --allow-identifying.
 */
function checkRecipe(o: RunCommandOptions): { profile: string; options: OptionName[]; recipe?: Recipe } {
  if (o.recipe === undefined) {
    if (o.allowIdentifying)
      throw usage('--allow-identifying goes with --recipe (it allows what the recipe keeps)');
    return { profile: o.profile, options: resolveOptions(o.profile, o.option) };
  }
  const recipe = loadRecipe(resolve(o.recipe));
  const settled = settleProfile(recipe, {
    profile: o.profile,
    profileGiven: Boolean(o.profileGiven),
    options: o.option,
  });
  if (recipe.identifying.length > 0 && !o.allowIdentifying)
    throw usage(
      `recipe ${o.recipe} keeps direct identifiers — ${recipe.identifying.join('; ')}. ` +
        'Refused: the output would identify patients. If that is intended (a data transfer under ' +
        'consent), give --allow-identifying: each such choice is then printed and recorded',
    );
  if (recipe.subjectsTable && settled.profile === 'blinding')
    throw usage(
      `recipe ${o.recipe}: a subjects table does not go with the blinding profile (it names subjects itself)`,
    );
  const longest = recipe.subjectsTable
    ? Math.max(...[...recipe.subjectsTable.byPatientId.values()].map((v) => v.length))
    : settled.profile === 'blinding'
      ? 64
      : o.prefix.length + 16;
  checkRecipeLengths(recipe, longest);
  return { ...settled, recipe };
}

export function checkCommandLine(inputs: readonly string[], o: RunCommandOptions): Checked {
  const { profile, options, recipe } = checkRecipe(o);
  const shard = o.shard === undefined ? undefined : parseShard(o.shard, process.env);
  checkSubjects(inputs, o, profile);
  const dateOffset = parseOffset(o.dateOffset);
  if (!/^[A-Za-z0-9_-]{0,16}$/.test(o.prefix)) throw usage('--prefix: up to 16 letters, digits, "-" or "_"');
  const out = realish(o.out);
  const key = realish(o.key);
  checkInputs(inputs, o, out, key);
  checkKeyPath(o, out, key);
  const workers = parseWorkers(o.workers);
  if (o.pixelScan !== undefined && !options.includes('clean-pixel-data'))
    throw usage(
      '--pixel-scan goes with --option clean-pixel-data (it says which files have their pixels scanned)',
    );
  if (o.pixelRules !== undefined) {
    if (!options.includes('clean-pixel-data'))
      throw usage(
        '--pixel-rules goes with --option clean-pixel-data (its rectangles are blanked in the pixels)',
      );
    if (!existsSync(o.pixelRules)) throw usage(`--pixel-rules ${o.pixelRules}: no such file`);
    loadRules(o.pixelRules); // every problem named now, not in the middle of the run
  }
  for (const g of o.exclude) {
    if (g.trim() === '' || g.startsWith('/')) {
      throw usage(`--exclude "${g}": give a name pattern (*.txt) or a path relative to the input (old/**)`);
    }
  }
  return { out, key, profile, options, recipe, dateOffset, workers, shard };
}
