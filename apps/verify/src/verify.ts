/**
 * The verification run, stage by stage: scan the sources for what could leak (source-scan.ts,
 * gathered in source-set.ts, with the key's share from key-facts.ts), scan the outputs for
 * what did (output-scan.ts), both on a worker pool; read the text in at-risk outputs' pixels
 * (pixel-text.ts, one OCR engine in this thread); pair outputs with their sources
 * (pairing.ts), run the checks that need the whole tree (tree-checks.ts), and put the report
 * together.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { ENGINE_VERSION, type KeyPayload, OPTIONS, type OptionName, readManifest } from '@dcmblind/core';
import { Piscina } from 'piscina';
import type { Finding, OutputFacts, SourceFacts } from './facts.js';
import { applyRecipe, type RecipeCheck, recipeNotGiven } from './recipe.js';
import { keyFacts } from './key-facts.js';
import { pairOutputs } from './pairing.js';
import { type PixelText, readPixelText, type Thumbnail } from './pixel-text.js';
import { PathMasks } from './path-mask.js';
import { type Check, checksRun, type NotJudged, type Verdict, verdictOf } from './rules.js';
import type { Category, Seed } from './seeds.js';
import { SourceSet } from './source-set.js';
import { CID7050, PROFILE_COLUMNS } from './table.js';
import { treeChecks } from './tree-checks.js';
import { rel, walk } from './walk.js';
import type { WorkerTask } from './worker.js';

/** What to verify: the output, and optionally its sources, the key and a profile to hold it to. */
export interface VerifyOptions {
  readonly output: string;
  readonly source?: string;
  readonly key?: { readonly payload: KeyPayload; readonly secret: Uint8Array };
  readonly profile?: string;
  readonly workers?: number;
  /** The key file's path, for the report header only. */
  readonly keyPath?: string;
  /** Read the pixels of at-risk outputs by OCR (default true). */
  readonly ocr?: boolean;
  /** Keep a thumbnail of each frame where text was read, for the HTML report (default true). */
  readonly thumbnails?: boolean;
  /** The project recipe that made the output (`--recipe`): what it decided is judged as its choice. */
  readonly recipe?: RecipeCheck;
}

/** The report (schema `dcmblind-verify/1`, documented in the README). */
export interface Report {
  readonly schema: 'dcmblind-verify/1';
  readonly output: string;
  readonly source: string | null;
  readonly withKey: boolean;
  readonly profile: string | null;
  /** Where the profile came from: --profile, or the output's manifest (null: each file's own). */
  readonly profileFrom: 'option' | 'manifest' | null;
  readonly files: number;
  readonly sources: number;
  readonly clean: boolean;
  readonly totals: {
    findings: number;
    review: number;
    bySeverity: Record<string, number>;
    byRule: Record<string, number>;
  };
  readonly byPseudonym: Record<string, number>;
  readonly findings: Finding[];
  readonly review: Finding[];
  readonly elapsedMs: number;
  /** When the report was made (ISO 8601, UTC). */
  readonly generatedAt: string;
  /** dcmblind's ENGINE_VERSION: the parser and dictionary this scan shares with the engine. */
  readonly toolVersion: string;
  readonly keyFile: string | null;
  readonly checks: Check[];
  /** Seeds searched for, by category (names count each written form and token). */
  readonly seedCounts: Partial<Record<Category, number>>;
  readonly verdict: Verdict;
  /** What some check could not judge, and why (empty when everything was judged). */
  readonly notJudged: NotJudged[];
  /**
   * Frames where OCR read text, as PNG: shown by the HTML report, left out of the JSON one (they
   * show the output's pixels, text and all).
   */
  readonly thumbnails: readonly Thumbnail[];
}

/** Scans a de-identified output (with its sources and key, when given) and reports what it finds. */
export async function verify(given: VerifyOptions): Promise<Report> {
  const t0 = performance.now();
  const threads = Math.max(1, given.workers ?? cpus().length);
  // Held to what the run promised (its manifest) unless --profile says otherwise.
  const run = runConfig(given.output);
  const profile = given.profile ?? run.profile;
  const o: VerifyOptions = profile ? { ...given, profile } : given;
  // The options the run was given beyond its profile's (its manifest) are part of its promise too.
  const columns = profile
    ? [...new Set([...(PROFILE_COLUMNS[profile] ?? []), ...(given.profile ? [] : run.optionColumns)])]
    : undefined;
  // A zip archive given as --source is read as the only source; paths are relative to its folder.
  const sourceRoot = o.source && statSync(o.source).isFile() ? dirname(o.source) : o.source;
  const sources = new SourceSet(sourceRoot ?? '', run.scope);
  if (o.source) await scanSources(o.source, threads, sources);
  const key = keyFacts(o.key?.payload);
  for (const [patient, d] of key.dates) sources.addDates(patient, [d]);
  for (const [patient, i] of key.initials) sources.addInitials(patient, [i]);
  const seeds = sources.seedList(key.seeds);
  const hashKey = o.key
    ? createHmac('sha256', o.key.secret).update('dcmblind-verify finding hash').digest()
    : randomBytes(32);
  const dates = [...new Set([...sources.datesByPatient.values()].flatMap((d) => [...d]))];
  const { outputs, absOf } = await scanOutputs(o, threads, columns, {
    seeds,
    dates,
    hashKey,
    ...(run.pseudonymPrefix === undefined ? {} : { pseudonymPrefix: run.pseudonymPrefix }),
    ...(o.recipe ? { safeExtra: [...o.recipe.safeExtra] } : {}),
    ...(o.recipe?.recipe.subjectsTable
      ? { subjectIds: [...o.recipe.recipe.subjectsTable.byPatientId.values()] }
      : {}),
  });
  const pixels = await pixelText(o, outputs, absOf, { hashKey, seeds });
  const pairing = pairOutputs(outputs, sources, key, {
    source: Boolean(o.source),
    key: Boolean(o.key),
    // Clean Pixel Data blanks burned-in text: an output's pixels may differ from its source's.
    pixelsCleaned: run.optionColumns.includes(CID7050['113101'] as string),
  });
  const masks = new PathMasks(seeds);
  const tree = treeChecks({
    output: o.output,
    source: sourceRoot,
    withKey: Boolean(o.key),
    records: o.key?.payload.files,
    columns,
    sources,
    key,
    outputs,
    outputHas: (p) => absOf.has(p),
    pairing,
    masks,
  });
  const found = [
    ...outputs.flatMap((x) => x.findings),
    ...pixels.findings,
    ...pairing.findings,
    ...tree.findings,
    ...(run.pixelsUnscanned ? [scanTurnedOff()] : []),
  ];
  // A recipe's decisions are its own (review, named); without it, the output says one was used.
  const notGiven = o.recipe ? undefined : recipeNotGiven(o.output);
  const all = o.recipe ? applyRecipe(found, o.recipe.recipe) : [...found, ...(notGiven ? [notGiven] : [])];
  return assemble(given, o, {
    t0,
    all,
    outputs,
    sources: sources.parsed.length,
    seeds,
    masks,
    tree,
    scope: run.scope,
    pixels,
  });
}

/** The run asked for Clean Pixel Data and turned its scan off: said once, for the whole tree. */
function scanTurnedOff(): Finding {
  return {
    rule: 'pixel-scan-off',
    severity: 'review',
    file: '',
    element: '',
    detail:
      "the run's manifest says clean-pixel-data with --pixel-scan none: no output's pixels were cleaned",
  };
}

/** Stage 2e: the text in at-risk outputs' pixels, or why it was not read. */
async function pixelText(
  o: VerifyOptions,
  outputs: readonly OutputFacts[],
  absOf: ReadonlyMap<string, string>,
  known: { readonly hashKey: Buffer; readonly seeds: readonly Seed[] },
): Promise<PixelText> {
  if (o.ocr !== false) return readPixelText(outputs, absOf, { ...known, thumbnails: o.thumbnails !== false });
  const atRisk = outputs.filter((x) => x.pixelsAtRisk).length;
  const notJudged = atRisk
    ? [{ check: 'text in the pixels', count: atRisk, reason: 'at-risk output(s) not read: --no-ocr' }]
    : [];
  return { findings: [], thumbnails: [], notJudged, read: 0 };
}

/**
 * How the run that made the output was configured (its manifest): how it told patients apart
 * (dcmblind's default without a manifest), and its profile when the verifier knows it.
 */
function runConfig(output: string): {
  scope: 'global' | 'issuer';
  profile?: string;
  optionColumns: readonly string[];
  pseudonymPrefix?: string;
  /** The run was given clean-pixel-data and told not to scan (--pixel-scan none). */
  pixelsUnscanned?: boolean;
} {
  let m: ReturnType<typeof readManifest>;
  try {
    m = readManifest(output);
  } catch {
    return { scope: 'global', optionColumns: [] }; // a damaged manifest: the scan reports what it can
  }
  // Each option by its CID 7050 code, as the files declare it (Clean Pixel Data has a code and no
  // column of the table: it acts on the pixels).
  const optionColumns = (m?.options ?? []).flatMap((o) => {
    const column = Object.hasOwn(OPTIONS, o) ? CID7050[OPTIONS[o as OptionName].code] : undefined;
    return column === undefined ? [] : [column];
  });
  return {
    scope: m?.patientScope === 'issuer' ? 'issuer' : 'global',
    ...(m?.profile && m.profile in PROFILE_COLUMNS ? { profile: m.profile } : {}),
    optionColumns,
    ...(typeof m?.pseudonymPrefix === 'string' ? { pseudonymPrefix: m.pseudonymPrefix } : {}),
    ...(m?.pixelScan === 'none' ? { pixelsUnscanned: true } : {}),
  };
}

/** Runs `tasks` on a worker pool, handing over each result as it arrives; at most `batch` in flight. */
async function onWorkers<R>(
  threads: number,
  workerData: object | undefined,
  batch: number,
  tasks: Iterable<WorkerTask>,
  take: (result: R) => void,
): Promise<void> {
  const pool = new Piscina({
    filename: new URL('./worker.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    ...(workerData ? { workerData } : {}),
  });
  try {
    const jobs: Array<Promise<void>> = [];
    for (const task of tasks) {
      jobs.push(pool.run(task).then((r: R) => take(r)));
      if (jobs.length >= batch) await Promise.all(jobs.splice(0));
    }
    await Promise.all(jobs);
  } finally {
    await pool.destroy();
  }
}

/** Stage 1: every file under --source, scanned for what could leak, taken into `into`. */
async function scanSources(source: string, threads: number, into: SourceSet): Promise<void> {
  function* tasks(): Generator<WorkerTask> {
    const files = statSync(source).isFile() ? [source] : walk(source);
    for (const path of files) yield { kind: /\.zip$/i.test(path) ? 'source-zip' : 'source', path };
  }
  await onWorkers<SourceFacts | SourceFacts[]>(threads, undefined, 1024, tasks(), (f) => {
    for (const one of Array.isArray(f) ? f : [f]) into.add(one);
  });
}

/** Stage 2: every file of the output, scanned with the seeds; facts sorted by path. */
async function scanOutputs(
  o: VerifyOptions,
  threads: number,
  columns: readonly string[] | undefined,
  workerData: {
    seeds: Seed[];
    dates: string[];
    hashKey: Buffer;
    pseudonymPrefix?: string;
    safeExtra?: Array<[string, string]>;
    subjectIds?: string[];
  },
): Promise<{ outputs: OutputFacts[]; absOf: Map<string, string> }> {
  const outputs: OutputFacts[] = [];
  const absOf = new Map<string, string>();
  function* tasks(): Generator<WorkerTask> {
    for (const abs of walk(o.output)) {
      const r = rel(o.output, abs);
      absOf.set(r, abs);
      yield {
        kind: 'output',
        abs,
        rel: r,
        ...(columns ? { columns, profileName: o.profile as string } : {}),
      };
    }
  }
  await onWorkers<OutputFacts>(threads, workerData, 4096, tasks(), (f) => void outputs.push(f));
  outputs.sort((a, b) => (a.file < b.file ? -1 : 1));
  return { outputs, absOf };
}

/** What the report is made of, besides the options. */
interface Scanned {
  readonly t0: number;
  /** Every finding: the outputs' own, then the pairing's and the tree checks'. */
  readonly all: readonly Finding[];
  readonly outputs: readonly OutputFacts[];
  /** Source files read (parsed). */
  readonly sources: number;
  readonly seeds: readonly Seed[];
  readonly masks: PathMasks;
  readonly pixels: PixelText;
  readonly tree: { readonly notJudged: NotJudged[]; readonly recordedOutputs: string };
  /** How the run told patients apart. */
  readonly scope: 'global' | 'issuer';
}

/** The report: findings and review items apart, their totals, the checks run, the verdict. */
function assemble(given: VerifyOptions, o: VerifyOptions, s: Scanned): Report {
  const review = s.all.filter((f) => f.severity === 'review');
  const real = s.all.filter((f) => f.severity !== 'review');
  const bySeverity: Record<string, number> = {};
  const byRule: Record<string, number> = {};
  for (const f of real) {
    bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
    byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
  }
  const byPseudonym: Record<string, number> = {};
  const pseudonymOfFile = new Map(s.outputs.map((x) => [x.shown, x.patientLabel]));
  for (const f of real) {
    const p = pseudonymOfFile.get(f.file) || '(none)';
    byPseudonym[p] = (byPseudonym[p] ?? 0) + 1;
  }
  const seedCounts: Partial<Record<Category, number>> = {};
  for (const seed of s.seeds) seedCounts[seed.category] = (seedCounts[seed.category] ?? 0) + 1;
  return {
    schema: 'dcmblind-verify/1',
    output: s.masks.report(o.output),
    source: o.source ? s.masks.report(o.source) : null,
    withKey: Boolean(o.key),
    profile: o.profile ?? null,
    profileFrom: given.profile ? 'option' : o.profile ? 'manifest' : null,
    files: s.outputs.length,
    sources: s.sources,
    clean: real.length === 0,
    totals: { findings: real.length, review: review.length, bySeverity, byRule },
    byPseudonym,
    findings: real,
    review,
    elapsedMs: Math.round(performance.now() - s.t0),
    generatedAt: new Date().toISOString(),
    toolVersion: ENGINE_VERSION,
    keyFile: o.keyPath ? s.masks.report(o.keyPath) : null,
    checks: checksRun({
      source: Boolean(o.source),
      key: Boolean(o.key),
      profile: o.profile,
      seeds: s.seeds.length,
      seedCounts,
      recordedOutputs: s.tree.recordedOutputs,
      scope: s.scope,
      ocr: o.ocr !== false,
      pixelsRead: s.pixels.read,
    }),
    seedCounts,
    verdict: verdictOf(real, review),
    notJudged: [...s.tree.notJudged, ...s.pixels.notJudged],
    thumbnails: s.pixels.thumbnails,
  };
}
