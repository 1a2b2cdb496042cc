/**
 * The verification run: scan sources (for what could leak) and outputs (for what did) on a
 * worker pool, then the checks that need the whole tree: unshifted dates, one pseudonym per
 * patient and one patient per pseudonym, references that resolve as they did, pixel data
 * equal to its source, no output without a source.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { opendirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative, sep } from 'node:path';
import type { KeyPayload } from '@dcmblind/core';
import { Piscina } from 'piscina';
import { type Finding, nameForms, type OutputFacts, PLACEHOLDER, type Seed, type SourceFacts } from './scan.js';
import { PROFILE_COLUMNS } from './table.js';
import type { WorkerTask } from './worker.js';

export interface VerifyOptions {
  readonly output: string;
  readonly source?: string;
  readonly key?: { readonly payload: KeyPayload; readonly secret: Uint8Array };
  readonly profile?: string;
  readonly workers?: number;
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
  readonly totals: { findings: number; review: number; bySeverity: Record<string, number>; byRule: Record<string, number> };
  readonly byPseudonym: Record<string, number>;
  readonly findings: Finding[];
  readonly review: Finding[];
  readonly elapsedMs: number;
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

export async function verify(o: VerifyOptions): Promise<Report> {
  const t0 = performance.now();
  const threads = Math.max(1, o.workers ?? cpus().length);
  const columns = o.profile ? PROFILE_COLUMNS[o.profile] : undefined;

  // Sources: what could leak, and the facts integrity needs.
  // Seeds are deduplicated as results arrive, and each source keeps only what integrity needs.
  const unique = new Map<string, Seed>();
  const keepSeed = (s: Seed) => unique.set(`${s.category}|${s.tag}|${s.text}|${s.token ? 1 : 0}|${s.raw ? Buffer.from(s.raw).toString('hex') : ''}`, s);
  const datesByPatient = new Map<string, Set<string>>();
  const addDates = (patient: string, ds: Iterable<string>) => {
    const set = datesByPatient.get(patient) ?? new Set<string>();
    for (const d of ds) set.add(d);
    datesByPatient.set(patient, set);
  };
  const keptValues = new Set<string>();
  const sources: SourceFacts[] = [];
  if (o.source) {
    const pool = new Piscina({ filename: new URL('./worker.js', import.meta.url).href, minThreads: threads, maxThreads: threads });
    try {
      const jobs: Array<Promise<void>> = [];
      for (const p of walk(o.source)) {
        jobs.push(
          pool.run({ kind: 'source', path: p } satisfies WorkerTask).then((f: SourceFacts) => {
            if (f.error) return;
            for (const s of f.seeds) keepSeed(s);
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
  const byOutputPath = new Map<string, { sourcePath: string; patient: string; sha: string }>();
  if (o.key) {
    const p = o.key.payload;
    for (const r of Object.values(p.patients)) {
      const f = nameForms(r.patientName);
      for (const w of f.whole) seeds.push({ category: 'name', keyword: 'PatientName', tag: 0x00100010, text: w });
      for (const t of f.tokens) seeds.push({ category: 'name', keyword: 'PatientName', tag: 0x00100010, text: t, token: true });
      if (r.patientId.length >= 4) seeds.push({ category: 'id', keyword: 'PatientID', tag: 0x00100020, text: r.patientId });
      const d = r.birthDate.slice(0, 8);
      if (/^\d{8}$/.test(d)) addDates(`key:${r.pseudonym}`, [d]);
    }
    for (const f of p.files) {
      for (const u of [f.sourceStudyUID, f.sourceSeriesUID, f.sourceSOPInstanceUID]) if (u && u.length >= 8) seeds.push({ category: 'uid', keyword: 'UID', tag: 0, text: u });
      if (f.sourceStudyDate && /^\d{8}$/.test(f.sourceStudyDate)) addDates(`key:${f.pseudonym}`, [f.sourceStudyDate]);
      byOutputPath.set(f.outputPath, { sourcePath: f.sourcePath, patient: `key:${f.pseudonym}`, sha: f.sourceSha256 });
    }
  }
  // A value some source keeps in an attribute the profile keeps (a manufacturer typed into
  // InstitutionName, say) is not identifying; nor is a de-identification placeholder.
  const keptWords = new Set([...keptValues].flatMap((v) => v.split(/[^\p{L}\p{N}]+/u)).filter(Boolean));
  for (const s of seeds) keepSeed(s);
  const seedList = [...unique.values()].filter((s) => {
    const t = s.text.toLowerCase();
    return !(PLACEHOLDER.test(s.text.trim()) || keptValues.has(t) || (/^[\p{L}\p{N}]+$/u.test(t) && keptWords.has(t)));
  });
  const hashKey = o.key ? createHmac('sha256', o.key.secret).update('dcmblind-verify finding hash').digest() : randomBytes(32);

  // Outputs.
  const outputs: OutputFacts[] = [];
  const absOf = new Map<string, string>();
  const pool = new Piscina({ filename: new URL('./worker.js', import.meta.url).href, minThreads: threads, maxThreads: threads, workerData: { seeds: seedList, hashKey } });
  try {
    const jobs: Array<Promise<void>> = [];
    for (const abs of walk(o.output)) {
      const r = rel(o.output, abs);
      absOf.set(r, abs);
      const task: WorkerTask = { kind: 'output', abs, rel: r, ...(columns ? { columns, profileName: o.profile as string } : {}) };
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
  for (const s of sources) if (s.pixelSha) (bySourcePixel.get(s.pixelSha) ?? bySourcePixel.set(s.pixelSha, []).get(s.pixelSha))?.push(s);
  const bySourcePath = new Map(sources.map((s) => [s.path, s]));
  const pairOf = new Map<string, { patient: string; source?: SourceFacts }>();
  for (const out of outputs) {
    const shown = out.shown;
    if (!out.ok || out.dicomdir) continue;
    const k = byOutputPath.get(out.file);
    if (k) {
      const src = bySourcePath.get(k.sourcePath);
      pairOf.set(out.file, { patient: src?.patientKey ?? k.patient, ...(src ? { source: src } : {}) });
      if (src?.pixelSha && out.pixelSha && src.pixelSha !== out.pixelSha) {
        findings.push({ rule: 'pixel-data-changed', severity: 'integrity', file: shown, element: 'PixelData', detail: 'pixel data differs from its source file' });
      }
      continue;
    }
    // Equal pixels in several sources (blank frames, copies): the kept attributes decide; still
    // ambiguous, the file is left unpaired rather than guessed.
    const candidates = out.pixelSha ? (bySourcePixel.get(out.pixelSha) ?? []) : [];
    const narrowed = candidates.length > 1 ? candidates.filter((c) => c.fingerprint === out.fingerprint) : candidates;
    const patients = new Set(narrowed.map((c) => c.patientKey));
    const src = narrowed.length === 1 ? narrowed[0] : undefined;
    if (src) pairOf.set(out.file, { patient: src.patientKey, source: src });
    else if (narrowed.length > 1 && patients.size === 1) pairOf.set(out.file, { patient: [...patients][0] as string });
    else if (candidates.length > 0) continue;
    else if (o.source || o.key) findings.push({ rule: 'no-source', severity: 'integrity', file: shown, element: '', detail: o.key ? 'no key record and no source file with identical pixel data' : 'no source file has identical pixel data' });
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
    const sourceDates = new Set([...(datesByPatient.get(pair.patient) ?? []), ...(keyPatient ? (datesByPatient.get(keyPatient) ?? []) : [])]);
    if (!declaredFull) {
      const reported = new Set<string>();
      for (const [path, d] of out.dates) {
        if (!sourceDates.has(d) || reported.has(path)) continue;
        reported.add(path);
        findings.push({ rule: 'unshifted-date', severity: 'leak', file: shown, element: path, category: 'date', detail: 'a date of this patient\'s source, not removed or shifted' });
      }
    }
    // Patients are told apart by PatientID; files without one are not judged here.
    if (!pair.patient.startsWith('id:') && !pair.patient.startsWith('key:')) continue;
    (pseudonymsOf.get(pair.patient) ?? pseudonymsOf.set(pair.patient, new Set()).get(pair.patient))?.add(out.patientLabel);
    (patientsOf.get(out.patientLabel) ?? patientsOf.set(out.patientLabel, new Set()).get(out.patientLabel))?.add(pair.patient);
  }
  for (const [pseudonym, pats] of patientsOf) {
    if (pats.size > 1) findings.push({ rule: 'patients-share-pseudonym', severity: 'integrity', file: '', element: 'PatientID', detail: `pseudonym ${pseudonym} is carried by ${pats.size} different source patients` });
  }
  let n = 0;
  for (const [, ps] of pseudonymsOf) {
    n += 1;
    if (ps.size > 1) findings.push({ rule: 'patient-split', severity: 'integrity', file: '', element: 'PatientID', detail: `source patient #${n} carries ${ps.size} pseudonyms: ${[...ps].sort().join(', ')}` });
  }

  // References resolve to the outputs of the files they resolved to in the source.
  if (sources.length > 0) {
    const srcDefines = new Map<string, string[]>();
    for (const s of sources) for (const u of s.defines) (srcDefines.get(u) ?? srcDefines.set(u, []).get(u))?.push(s.path);
    const outDefines = new Map<string, Set<string>>();
    for (const out of outputs) for (const u of out.defines) (outDefines.get(u) ?? outDefines.set(u, new Set()).get(u))?.add(out.file);
    const outputsOfSource = new Map<string, string[]>();
    for (const [file, pair] of pairOf) if (pair.source) (outputsOfSource.get(pair.source.path) ?? outputsOfSource.set(pair.source.path, []).get(pair.source.path))?.push(file);
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
        if (!same) findings.push({ rule: 'reference-broken', severity: 'integrity', file: shown, element: path, detail: actual.size === 0 ? 'a reference that resolved in the source resolves to nothing in the output' : 'a reference resolves to other files than in the source' });
      }
    }
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
  return {
    schema: 'dcmblind-verify/1', output: o.output, source: o.source ?? null, withKey: Boolean(o.key), profile: o.profile ?? null,
    files: outputs.length, sources: sources.length, clean: real.length === 0,
    totals: { findings: real.length, review: review.length, bySeverity, byRule }, byPseudonym, findings: real, review,
    elapsedMs: Math.round(performance.now() - t0),
  };
}
