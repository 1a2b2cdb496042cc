/**
 * The verification run: scan sources (for what could leak) and outputs (for what did) on a
 * worker pool, then the checks that need the whole tree: unshifted dates, one pseudonym per
 * patient and one patient per pseudonym, references that resolve as they did, pixel data
 * equal to its source, no output without a source.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, opendirSync, realpathSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative, sep } from 'node:path';
import {
  configId,
  ENGINE_VERSION,
  excluder,
  type FileRecord,
  type KeyPayload,
  type Manifest,
  namedLikeDicom,
  readManifest,
  readOutputList,
  STATE_DIR,
} from '@dcmblind/core';
import { Piscina } from 'piscina';
import { type KeyArtifact, keyArtifact } from './key-files.js';
import { maskDates } from './mask.js';
import { type Check, checksRun, type NotJudged, type Verdict, verdictOf } from './rules.js';
import {
  type Category,
  type Finding,
  keyInOutput,
  maskPath,
  nameForms,
  type OutputFacts,
  patternsOf,
  PLACEHOLDER,
  type Seed,
  type SourceFacts,
} from './scan.js';
import { Matcher } from './search.js';
import { PROFILE_COLUMNS } from './table.js';
import type { WorkerTask } from './worker.js';

export interface VerifyOptions {
  readonly output: string;
  readonly source?: string;
  readonly key?: { readonly payload: KeyPayload; readonly secret: Uint8Array };
  readonly profile?: string;
  readonly workers?: number;
  /** The key file's path, for the report header only. */
  readonly keyPath?: string;
}

export interface Report {
  readonly schema: 'dcmblind-verify/1';
  readonly output: string;
  readonly source: string | null;
  readonly withKey: boolean;
  readonly profile: string | null;
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
}

function* walk(dir: string, root = dir): Generator<string> {
  const d = opendirSync(dir);
  try {
    for (let e = d.readSync(); e; e = d.readSync()) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (dir === root && e.name === '.dcmblind') continue; // dcmblind's own state (manifest), not output
        yield* walk(p, root);
      } else if (e.isFile()) yield p;
    }
  } finally {
    d.closeSync();
  }
}

const rel = (root: string, p: string) => relative(root, p).split(sep).join('/');

/** Operating-system debris (`.DS_Store`, `__MACOSX/`, …): `dcmblind run` skips it unread. */
const osDebris = excluder([]);

/**
 * A source that does not parse is judged as `dcmblind run` judges it: DICOM by its marker, or
 * by its name (IMG9999.dcm holding garbage), is a failure of the run, so it must have an
 * output; bytes plainly not DICOM under another name (README.txt) are skipped by the run.
 */
function judgedAsDicom(f: SourceFacts, relPath: string): boolean {
  if (osDebris(relPath)) return false;
  return Boolean(f.dicm) || namedLikeDicom(relPath);
}

/**
 * Source files as the key's records name them. A record holds the source's absolute path at
 * run time, and QA reviewers often mount a copy of the inputs elsewhere: a record names the
 * file whose path under --source is the longest suffix of the recorded path, component-wise.
 */
class SourceIndex {
  readonly #byRel = new Map<string, SourceFacts>();

  constructor(root: string, files: readonly SourceFacts[]) {
    for (const f of files) this.#byRel.set(rel(root, f.path), f);
  }

  of(r: FileRecord): SourceFacts | undefined {
    if (r.sourceArchive || this.#byRel.size === 0) return undefined; // zip entries: archives are not opened
    const parts = r.sourcePath.split(sep === '\\' ? /[\\/]/ : '/'); // '\\' is a name character on POSIX
    for (let i = 0; i < parts.length; i++) {
      const hit = this.#byRel.get(parts.slice(i).join('/'));
      if (hit) return hit;
    }
    return undefined;
  }
}

/**
 * The source patient behind each key pseudonym (`key:<pseudonym>`), found through records whose
 * source is under --source: an output whose own source is gone or broken then counts as that
 * patient, not as a second one carrying the same pseudonym.
 */
function patientAliases(
  keyed: Iterable<{ readonly record: FileRecord; readonly patient: string }>,
  sourceOf: (r: FileRecord) => SourceFacts | undefined,
): Map<string, string> {
  const alias = new Map<string, string>();
  for (const k of keyed) {
    if (alias.has(k.patient)) continue;
    const src = sourceOf(k.record);
    if (src) alias.set(k.patient, src.patientKey);
  }
  return alias;
}

/** dcmblind's state folder is not output, but it travels with the tree: a key put there would too. */
function keysInStateFolder(output: string): Array<{ path: string; kind: KeyArtifact }> {
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

export async function verify(o: VerifyOptions): Promise<Report> {
  const t0 = performance.now();
  const threads = Math.max(1, o.workers ?? cpus().length);
  const columns = o.profile ? PROFILE_COLUMNS[o.profile] : undefined;

  // Sources: what could leak, and the facts integrity needs.
  // Seeds are deduplicated as results arrive, and each source keeps only what integrity needs.
  const unique = new Map<string, Seed>();
  const keepSeed = (s: Seed) =>
    unique.set(
      `${s.category}|${s.tag}|${s.text}|${s.token ? 1 : 0}|${s.raw ? Buffer.from(s.raw).toString('hex') : ''}`,
      s,
    );
  const datesByPatient = new Map<string, Set<string>>();
  const addDates = (patient: string, ds: Iterable<string>) => {
    const set = datesByPatient.get(patient) ?? new Set<string>();
    for (const d of ds) set.add(d);
    datesByPatient.set(patient, set);
  };
  const keptValues = new Set<string>();
  const sources: SourceFacts[] = [];
  /** Sources that do not parse: DICOM ones (by marker or by name) are judged, the others only counted. */
  const brokenSources: SourceFacts[] = [];
  let nonDicomSources = 0;
  if (o.source) {
    const pool = new Piscina({
      filename: new URL('./worker.js', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
    });
    try {
      const jobs: Array<Promise<void>> = [];
      for (const p of walk(o.source)) {
        jobs.push(
          pool.run({ kind: 'source', path: p } satisfies WorkerTask).then((f: SourceFacts) => {
            for (const s of f.seeds) keepSeed(s);
            if (f.error) {
              if (judgedAsDicom(f, rel(o.source as string, f.path))) brokenSources.push({ ...f, seeds: [] });
              else nonDicomSources += 1;
              return;
            }
            addDates(f.patientKey, f.dates);
            for (const v of f.kept) keptValues.add(v.toLowerCase());
            sources.push({ ...f, seeds: [], dates: [], kept: [] });
          }),
        );
        if (jobs.length >= 1024) await Promise.all(jobs.splice(0));
      }
      await Promise.all(jobs);
    } finally {
      await pool.destroy();
    }
  }
  const seeds: Seed[] = [];
  const byOutputPath = new Map<string, { record: FileRecord; patient: string }>();
  if (o.key) {
    const p = o.key.payload;
    for (const r of Object.values(p.patients)) {
      const f = nameForms(r.patientName);
      for (const w of f.whole)
        seeds.push({ category: 'name', keyword: 'PatientName', tag: 0x00100010, text: w });
      for (const t of f.tokens)
        seeds.push({ category: 'name', keyword: 'PatientName', tag: 0x00100010, text: t, token: true });
      if (r.patientId.length >= 4)
        seeds.push({ category: 'id', keyword: 'PatientID', tag: 0x00100020, text: r.patientId });
      const d = r.birthDate.slice(0, 8);
      if (/^\d{8}$/.test(d)) addDates(`key:${r.pseudonym}`, [d]);
    }
    for (const f of p.files) {
      for (const u of [f.sourceStudyUID, f.sourceSeriesUID, f.sourceSOPInstanceUID])
        if (u && u.length >= 8) seeds.push({ category: 'uid', keyword: 'UID', tag: 0, text: u });
      if (f.sourceStudyDate && /^\d{8}$/.test(f.sourceStudyDate))
        addDates(`key:${f.pseudonym}`, [f.sourceStudyDate]);
      byOutputPath.set(f.outputPath, { record: f, patient: `key:${f.pseudonym}` });
    }
  }
  // A value some source keeps in an attribute the profile keeps (a manufacturer typed into
  // InstitutionName, say) is not identifying; nor is a de-identification placeholder.
  const keptWords = new Set([...keptValues].flatMap((v) => v.split(/[^\p{L}\p{N}]+/u)).filter(Boolean));
  for (const s of seeds) keepSeed(s);
  const seedList = [...unique.values()].filter((s) => {
    const t = s.text.toLowerCase();
    return !(
      PLACEHOLDER.test(s.text.trim()) ||
      keptValues.has(t) ||
      (/^[\p{L}\p{N}]+$/u.test(t) && keptWords.has(t))
    );
  });
  const hashKey = o.key
    ? createHmac('sha256', o.key.secret).update('dcmblind-verify finding hash').digest()
    : randomBytes(32);

  // Outputs.
  const outputs: OutputFacts[] = [];
  const absOf = new Map<string, string>();
  const pool = new Piscina({
    filename: new URL('./worker.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    workerData: { seeds: seedList, hashKey },
  });
  try {
    const jobs: Array<Promise<void>> = [];
    for (const abs of walk(o.output)) {
      const r = rel(o.output, abs);
      absOf.set(r, abs);
      const task: WorkerTask = {
        kind: 'output',
        abs,
        rel: r,
        ...(columns ? { columns, profileName: o.profile as string } : {}),
      };
      jobs.push(pool.run(task).then((f: OutputFacts) => void outputs.push(f)));
      if (jobs.length >= 4096) await Promise.all(jobs.splice(0));
    }
    await Promise.all(jobs);
  } finally {
    await pool.destroy();
  }
  outputs.sort((a, b) => (a.file < b.file ? -1 : 1));

  // Pairing: the key's records when given, else identical pixel data.
  const findings: Finding[] = [];
  const bySourcePixel = new Map<string, SourceFacts[]>();
  for (const s of sources)
    if (s.pixelSha)
      (bySourcePixel.get(s.pixelSha) ?? bySourcePixel.set(s.pixelSha, []).get(s.pixelSha))?.push(s);
  const sourceIndex = new SourceIndex(o.source ?? '', [...sources, ...brokenSources]);
  const parsedSourceOf = (r: FileRecord) => {
    const s = sourceIndex.of(r);
    return s && !s.error ? s : undefined;
  };
  const aliasOf = patientAliases(byOutputPath.values(), parsedSourceOf);
  const pairOf = new Map<string, { patient: string; source?: SourceFacts }>();
  for (const out of outputs) {
    const shown = out.shown;
    if (!out.ok || out.dicomdir) continue;
    const k = byOutputPath.get(out.file);
    if (k) {
      const src = parsedSourceOf(k.record);
      const patient = src?.patientKey ?? aliasOf.get(k.patient) ?? k.patient;
      pairOf.set(out.file, { patient, ...(src ? { source: src } : {}) });
      if (src?.pixelSha && out.pixelSha && src.pixelSha !== out.pixelSha) {
        findings.push({
          rule: 'pixel-data-changed',
          severity: 'integrity',
          file: shown,
          element: 'PixelData',
          detail: 'pixel data differs from its source file',
        });
      }
      continue;
    }
    // Equal pixels in several sources (blank frames, copies): the kept attributes decide; still
    // ambiguous, the file is left unpaired rather than guessed.
    const candidates = out.pixelSha ? (bySourcePixel.get(out.pixelSha) ?? []) : [];
    const narrowed =
      candidates.length > 1 ? candidates.filter((c) => c.fingerprint === out.fingerprint) : candidates;
    const patients = new Set(narrowed.map((c) => c.patientKey));
    const src = narrowed.length === 1 ? narrowed[0] : undefined;
    if (src) pairOf.set(out.file, { patient: src.patientKey, source: src });
    else if (narrowed.length > 1 && patients.size === 1)
      pairOf.set(out.file, { patient: [...patients][0] as string });
    else if (candidates.length > 0) continue;
    else if (o.source || o.key)
      findings.push({
        rule: 'no-source',
        severity: 'integrity',
        file: shown,
        element: '',
        detail: o.key
          ? 'no key record and no source file with identical pixel data'
          : 'no source file has identical pixel data',
      });
  }

  // Dates left as they were, one pseudonym per patient and one patient per pseudonym.
  const declaredFull = columns?.includes('rtnLongFullDatesOpt') ?? false;
  const pseudonymsOf = new Map<string, Set<string>>();
  const patientsOf = new Map<string, Set<string>>();
  for (const out of outputs) {
    const pair = pairOf.get(out.file);
    if (!pair) continue;
    const shown = out.shown;
    const keyPatient = byOutputPath.get(out.file)?.patient;
    const sourceDates = new Set([
      ...(datesByPatient.get(pair.patient) ?? []),
      ...(keyPatient ? (datesByPatient.get(keyPatient) ?? []) : []),
    ]);
    if (!declaredFull) {
      const reported = new Set<string>();
      for (const [path, d] of out.dates) {
        if (!sourceDates.has(d) || reported.has(path)) continue;
        reported.add(path);
        findings.push({
          rule: 'unshifted-date',
          severity: 'leak',
          file: shown,
          element: path,
          category: 'date',
          detail: "a date of this patient's source, not removed or shifted",
        });
      }
    }
    // Patients are told apart by PatientID; files without one are not judged here.
    if (!pair.patient.startsWith('id:') && !pair.patient.startsWith('key:')) continue;
    (pseudonymsOf.get(pair.patient) ?? pseudonymsOf.set(pair.patient, new Set()).get(pair.patient))?.add(
      out.patientLabel,
    );
    (
      patientsOf.get(out.patientLabel) ?? patientsOf.set(out.patientLabel, new Set()).get(out.patientLabel)
    )?.add(pair.patient);
  }
  for (const [pseudonym, pats] of patientsOf) {
    if (pats.size > 1)
      findings.push({
        rule: 'patients-share-pseudonym',
        severity: 'integrity',
        file: '',
        element: 'PatientID',
        detail: `pseudonym ${pseudonym} is carried by ${pats.size} different source patients`,
      });
  }
  let n = 0;
  for (const [, ps] of pseudonymsOf) {
    n += 1;
    if (ps.size > 1)
      findings.push({
        rule: 'patient-split',
        severity: 'integrity',
        file: '',
        element: 'PatientID',
        detail: `source patient #${n} carries ${ps.size} pseudonyms: ${[...ps].sort().join(', ')}`,
      });
  }

  // References resolve to the outputs of the files they resolved to in the source.
  if (sources.length > 0) {
    const srcDefines = new Map<string, string[]>();
    for (const s of sources)
      for (const u of s.defines) (srcDefines.get(u) ?? srcDefines.set(u, []).get(u))?.push(s.path);
    const outDefines = new Map<string, Set<string>>();
    for (const out of outputs)
      for (const u of out.defines) (outDefines.get(u) ?? outDefines.set(u, new Set()).get(u))?.add(out.file);
    const outputsOfSource = new Map<string, string[]>();
    for (const [file, pair] of pairOf)
      if (pair.source)
        (
          outputsOfSource.get(pair.source.path) ??
          outputsOfSource.set(pair.source.path, []).get(pair.source.path)
        )?.push(file);
    for (const out of outputs) {
      const src = pairOf.get(out.file)?.source;
      if (!src) continue;
      const shown = out.shown;
      const outRefs = new Map(out.refs);
      for (const [path, u] of src.refs) {
        const targets = srcDefines.get(u);
        if (!targets) continue; // pointed outside the source set: nothing to compare
        const now = outRefs.get(path);
        if (now === undefined) continue; // removed by the profile
        const expected = new Set(targets.flatMap((t) => outputsOfSource.get(t) ?? []));
        const actual = outDefines.get(now) ?? new Set<string>();
        const same = expected.size === actual.size && [...expected].every((x) => actual.has(x));
        if (!same)
          findings.push({
            rule: 'reference-broken',
            severity: 'integrity',
            file: shown,
            element: path,
            detail:
              actual.size === 0
                ? 'a reference that resolved in the source resolves to nothing in the output'
                : 'a reference resolves to other files than in the source',
          });
      }
    }
  }

  // A keyed output's source is the file under --source its record names, if it is there.
  const sourcePathOf = (file: string) => {
    const k = byOutputPath.get(file);
    return k ? (sourceIndex.of(k.record)?.path ?? k.record.sourcePath) : pairOf.get(file)?.source?.path;
  };
  findings.push(...duplicateInstances(outputs, sourcePathOf));
  const notJudged: NotJudged[] = [];
  // Paths shown for files that are not in the tree (sources, missing outputs) are masked the same way.
  let masker: { seeds: Seed[]; matcher: Matcher } | undefined;
  const maskRel = (p: string) => {
    masker ??= { seeds: seedList, matcher: new Matcher(patternsOf(seedList)) };
    return maskPath(p, masker).shown;
  };
  // Source paths and the folders scanned may hold source values no seed covers (a study date).
  const reportPath = (p: string) => maskDates(maskRel(p));
  for (const { path, kind } of keysInStateFolder(o.output)) {
    findings.push({ file: maskRel(rel(o.output, path)), ...keyInOutput(kind) });
  }
  const manifest = manifestOf(o.output);
  const records = o.key?.payload.files;
  const listed = readOutputList(o.output);
  const outputHas = (p: string) => absOf.has(p);
  const missing = missingOutputs({ manifest: manifest.value, records, listed, outputHas });
  for (const p of missing.paths) {
    findings.push(missingFinding(maskRel(p), missing.listed.has(p), missing.recorded.has(p)));
  }
  notJudged.push(...manifest.notJudged, ...missing.notJudged);
  if (o.source) {
    const src = o.source;
    const id = manifest.value?.outputId;
    // A key record is of this output when it carries its id; older records, when their output is
    // here or reported missing. Its source was written, whatever its state now; a missing
    // output is reported as such, not its source again.
    const missingPaths = new Set(missing.paths);
    const ofThisOutput = (r: FileRecord) =>
      id && r.outputId ? r.outputId === id : absOf.has(r.outputPath) || missingPaths.has(r.outputPath);
    const keyed = records && new Set(records.filter(ofThisOutput).flatMap((r) => sourceIndex.of(r) ?? []));
    const judged = unwrittenSources({ sources, brokenSources, outputs, keyed });
    const show = (abs: string) => {
      const clear = rel(src, abs);
      return { file: reportPath(clear), operatorPath: clear };
    };
    for (const { facts, broken } of judged.unwritten) {
      findings.push(sourceFinding(facts, broken, Boolean(o.key), show));
    }
    const skipped = (count: number, reason: string) => {
      if (count > 0) notJudged.push({ check: 'source-not-written', count, reason });
    };
    skipped(judged.withoutPixels, 'source files without pixel data: without --key they cannot be paired');
    skipped(
      nonDicomSources,
      'source files plainly not DICOM and not named like it, or operating-system debris ' +
        '(zip archives are not opened)',
    );
  }

  const all = [...outputs.flatMap((x) => x.findings), ...findings];
  const review = all.filter((f) => f.severity === 'review');
  const real = all.filter((f) => f.severity !== 'review');
  const bySeverity: Record<string, number> = {};
  const byRule: Record<string, number> = {};
  for (const f of real) {
    bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
    byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
  }
  const byPseudonym: Record<string, number> = {};
  const pseudonymOfFile = new Map(outputs.map((x) => [x.shown, x.patientLabel]));
  for (const f of real) {
    const p = pseudonymOfFile.get(f.file) || '(none)';
    byPseudonym[p] = (byPseudonym[p] ?? 0) + 1;
  }
  const seedCounts: Partial<Record<Category, number>> = {};
  for (const s of seedList) seedCounts[s.category] = (seedCounts[s.category] ?? 0) + 1;
  return {
    schema: 'dcmblind-verify/1',
    output: reportPath(o.output),
    source: o.source ? reportPath(o.source) : null,
    withKey: Boolean(o.key),
    profile: o.profile ?? null,
    files: outputs.length,
    sources: sources.length,
    clean: real.length === 0,
    totals: { findings: real.length, review: review.length, bySeverity, byRule },
    byPseudonym,
    findings: real,
    review,
    elapsedMs: Math.round(performance.now() - t0),
    generatedAt: new Date().toISOString(),
    toolVersion: ENGINE_VERSION,
    keyFile: o.keyPath ? reportPath(o.keyPath) : null,
    checks: checksRun({
      source: Boolean(o.source),
      key: Boolean(o.key),
      profile: o.profile,
      seeds: seedList.length,
      seedCounts,
      recordedOutputs: missing.judged,
    }),
    seedCounts,
    verdict: verdictOf(real, review),
    notJudged,
  };
}

/**
 * Output files (not DICOMDIRs) that carry the same SOP Instance UID: one finding per UID. When
 * their sources are known, the detail says whether one source was written twice or distinct
 * sources already shared the UID (the same instance exported in two transfer syntaxes, say).
 */
function duplicateInstances(
  outputs: readonly OutputFacts[],
  sourceOf: (file: string) => string | undefined,
): Finding[] {
  const bySop = new Map<string, OutputFacts[]>();
  for (const out of outputs) {
    if (!out.ok || out.dicomdir || !out.sopUID) continue;
    (bySop.get(out.sopUID) ?? bySop.set(out.sopUID, []).get(out.sopUID))?.push(out);
  }
  const findings: Finding[] = [];
  for (const same of bySop.values()) {
    if (same.length < 2) continue;
    // Outputs are sorted by path, so the finding lands on the same file on every run.
    const [first, ...others] = same as [OutputFacts, ...OutputFacts[]];
    const named =
      others
        .slice(0, 5)
        .map((x) => x.shown)
        .join(', ') + (others.length > 5 ? ` and ${others.length - 5} more` : '');
    const sources = same.map((x) => sourceOf(x.file));
    // The key holds real paths, pairing by pixels the path under --source: compare real paths.
    const distinct = new Set(sources.map((p) => p && realOrSame(p))).size;
    const cause = sources.includes(undefined)
      ? 'the same instance written twice?'
      : distinct === 1
        ? 'one source file written more than once'
        : `from ${distinct} source files that already share it`;
    findings.push({
      rule: 'duplicate-sop-instance',
      severity: 'integrity',
      file: first.shown,
      element: 'SOPInstanceUID',
      detail: `${same.length} output files carry this SOP Instance UID (${cause}): also ${named}`,
    });
  }
  return findings;
}

function realOrSame(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p; // gone since the run: its recorded path is all there is
  }
}

interface SourceJudging {
  readonly sources: readonly SourceFacts[];
  readonly brokenSources: readonly SourceFacts[];
  readonly outputs: readonly OutputFacts[];
  /** Sources the key's records of this output pair with an output (undefined without a key). */
  readonly keyed: ReadonlySet<SourceFacts> | undefined;
}

/**
 * Source DICOM files with no output: by the key's records when there is a key, and by
 * identical pixel data in any case. Without a key, a source without pixel data cannot be
 * paired and is only counted. DICOMDIRs are never written.
 */
function unwrittenSources(j: SourceJudging): {
  unwritten: Array<{ facts: SourceFacts; broken: boolean }>;
  withoutPixels: number;
} {
  const inKey = (s: SourceFacts) => j.keyed?.has(s) ?? false;
  const byPixels = writtenByPixels(j.sources, j.outputs);
  const unwritten: Array<{ facts: SourceFacts; broken: boolean }> = [];
  let withoutPixels = 0;
  for (const s of j.sources) {
    if (s.dicomdir || inKey(s) || byPixels.has(s)) continue;
    if (!j.keyed && !s.pixelSha) withoutPixels += 1;
    else unwritten.push({ facts: s, broken: false });
  }
  for (const s of j.brokenSources) if (!s.dicomdir && !inKey(s)) unwritten.push({ facts: s, broken: true });
  unwritten.sort((a, b) => (a.facts.path < b.facts.path ? -1 : 1));
  return { unwritten, withoutPixels };
}

/** Sources some output shares pixel data with (and, among sources with equal pixels, kept attributes). */
function writtenByPixels(sources: readonly SourceFacts[], outputs: readonly OutputFacts[]): Set<SourceFacts> {
  const outsByPixel = new Map<string, OutputFacts[]>();
  for (const out of outputs)
    if (out.ok && !out.dicomdir && out.pixelSha)
      (outsByPixel.get(out.pixelSha) ?? outsByPixel.set(out.pixelSha, []).get(out.pixelSha))?.push(out);
  const sharing = new Map<string, number>();
  for (const s of sources) if (s.pixelSha) sharing.set(s.pixelSha, (sharing.get(s.pixelSha) ?? 0) + 1);
  const written = new Set<SourceFacts>();
  for (const s of sources) {
    const outs = s.pixelSha ? outsByPixel.get(s.pixelSha) : undefined;
    if (outs && (sharing.get(s.pixelSha) === 1 || outs.some((x) => x.fingerprint === s.fingerprint)))
      written.add(s);
  }
  return written;
}

/**
 * The finding for a source with no output: its path relative to --source, masked for reports,
 * and in clear for the operator's terminal.
 */
function sourceFinding(
  s: SourceFacts,
  broken: boolean,
  withKey: boolean,
  show: (abs: string) => { file: string; operatorPath: string },
): Finding {
  const { file, operatorPath } = show(s.path);
  if (s.burnedIn) {
    return {
      rule: 'source-quarantined',
      severity: 'review',
      file,
      operatorPath,
      element: '(source file)',
      detail:
        'BurnedInAnnotation is YES: quarantined by dcmblind, not written (its pixels need cleaning first)',
    };
  }
  const what = s.dicm ? 'a DICOM source' : 'a source named like DICOM';
  const why = broken
    ? `${what} that does not parse: dcmblind cannot have written it`
    : withKey
      ? 'no key record pairs it with a file of this output, and no output has its pixel data'
      : 'no output has its pixel data';
  return {
    rule: 'source-not-written',
    severity: 'integrity',
    file,
    operatorPath,
    element: '(source file)',
    detail: `this source has no output: ${why}`,
  };
}

/** The output's manifest, if it has one that reads; a damaged one is noted, not fatal. */
function manifestOf(out: string): { value: Manifest | undefined; notJudged: NotJudged[] } {
  try {
    return { value: readManifest(out), notJudged: [] };
  } catch {
    return {
      value: undefined,
      notJudged: [
        {
          check: 'missing-output',
          count: 1,
          reason: 'damaged .dcmblind/manifest.json: key records cannot be matched to this output',
        },
      ],
    };
  }
}

interface MissingJudging {
  readonly manifest: Manifest | undefined;
  readonly records: readonly FileRecord[] | undefined;
  /** dcmblind's own list of the files it placed in this output (`.dcmblind/outputs*.list`). */
  readonly listed: ReadonlySet<string>;
  readonly outputHas: (rel: string) => boolean;
}

/**
 * Files dcmblind placed in this output that are not there: the key's records carrying the
 * output's id, and dcmblind's own list of placed files (DICOMDIRs included). Records older
 * than output ids cannot be told from another output's of the same configuration: counted.
 */
function missingOutputs(m: MissingJudging) {
  const id = m.manifest?.outputId;
  const recorded = new Set<string>();
  let legacy = 0;
  const config = m.manifest ? configId(m.manifest) : undefined;
  for (const r of m.records ?? []) {
    if (id && r.outputId === id) recorded.add(r.outputPath);
    else if (r.outputId === undefined && r.configId === config) legacy += 1;
  }
  const paths = [...new Set([...recorded, ...m.listed])].filter((p) => !m.outputHas(p)).sort();
  const notJudged: NotJudged[] = [];
  if (legacy > 0)
    notJudged.push({
      check: 'missing-output',
      count: legacy,
      reason: "key records written before outputs had an id (only dcmblind's output list judges those files)",
    });
  const judged =
    m.listed.size > 0 || recorded.size > 0
      ? `${recorded.size} key record(s), ${m.listed.size} listed file(s)`
      : '';
  return { paths, recorded, listed: m.listed, notJudged, judged };
}

function missingFinding(shown: string, listed: boolean, recorded: boolean): Finding {
  const by = [recorded ? 'the key records it' : '', listed ? "dcmblind's output list names it" : '']
    .filter(Boolean)
    .join(' and ');
  return {
    rule: 'missing-output',
    severity: 'integrity',
    file: shown,
    element: '(missing file)',
    detail: `${by}, but the file is not in the output`,
  };
}
