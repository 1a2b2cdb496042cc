/**
 * Stage 3: pairing each output file with its source patient and, when known, its source file.
 * By the key's records when there is a key, else by identical pixel data. A keyed output whose
 * pixels differ from its source's, and an output nothing pairs, are findings.
 */
import { sep } from 'node:path';
import type { FileRecord } from '@dcmblind/core';
import type { Finding, OutputFacts, SourceFacts } from './facts.js';
import type { KeyedOutput, KeyFacts } from './key-facts.js';
import type { SourceSet } from './source-set.js';
import { rel } from './walk.js';

/** An output's source patient (`id:…`, `name:…` or `key:…`) and, when known, its source file. */
export interface Pair {
  readonly patient: string;
  readonly source?: SourceFacts;
}

/** The outcome of pairing, read by the tree checks. */
export interface Pairing {
  /** Output file (relative path) → its pair; unpaired outputs are not in it. */
  readonly pairOf: ReadonlyMap<string, Pair>;
  /** Sources (parsed or broken) as the key's records name them. */
  readonly sourceIndex: SourceIndex;
  /** pixel-data-changed and no-source findings, in output order. */
  readonly findings: Finding[];
}

/**
 * Source files as the key's records name them. A record holds the source's absolute path at
 * run time, and QA reviewers often mount a copy of the inputs elsewhere: a record names the
 * file whose path under --source is the longest suffix of the recorded path, component-wise.
 */
export class SourceIndex {
  readonly #byRel = new Map<string, SourceFacts>();

  constructor(root: string, files: readonly SourceFacts[]) {
    for (const f of files) this.#byRel.set(rel(root, f.path), f);
  }

  /** The source file a key record names, if it is under --source. */
  of(r: FileRecord): SourceFacts | undefined {
    // A zip entry is recorded as `archive.zip!/entry`, as zip-source.ts names it.
    if (this.#byRel.size === 0) return undefined;
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
  keyed: Iterable<KeyedOutput>,
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

/** Pairs every parsed output (not DICOMDIRs); `given` says whether --source and --key were. */
export function pairOutputs(
  outputs: readonly OutputFacts[],
  sources: SourceSet,
  key: KeyFacts,
  given: { readonly source: boolean; readonly key: boolean; readonly pixelsCleaned?: boolean },
): Pairing {
  const bySourcePixel = new Map<string, SourceFacts[]>();
  for (const s of sources.parsed)
    if (s.pixelSha)
      (bySourcePixel.get(s.pixelSha) ?? bySourcePixel.set(s.pixelSha, []).get(s.pixelSha))?.push(s);
  const sourceIndex = new SourceIndex(sources.root, [...sources.parsed, ...sources.broken]);
  const parsedSourceOf = (r: FileRecord) => {
    const s = sourceIndex.of(r);
    return s && !s.error ? s : undefined;
  };
  const aliasOf = patientAliases(key.byOutputPath.values(), parsedSourceOf);
  const pairOf = new Map<string, Pair>();
  const findings: Finding[] = [];
  for (const out of outputs) {
    if (!out.ok || out.dicomdir) continue;
    const k = key.byOutputPath.get(out.file);
    if (k) {
      const src = parsedSourceOf(k.record);
      const patient = src?.patientKey ?? aliasOf.get(k.patient) ?? k.patient;
      pairOf.set(out.file, { patient, ...(src ? { source: src } : {}) });
      if (src?.pixelSha && out.pixelSha && src.pixelSha !== out.pixelSha && !given.pixelsCleaned) {
        findings.push({
          rule: 'pixel-data-changed',
          severity: 'integrity',
          file: out.shown,
          element: 'PixelData',
          detail: 'pixel data differs from its source file',
        });
      }
      continue;
    }
    const pair = pairByPixels(out, bySourcePixel);
    if (pair === 'ambiguous') continue;
    if (pair) pairOf.set(out.file, pair);
    else if (given.source || given.key)
      findings.push({
        rule: 'no-source',
        severity: 'integrity',
        file: out.shown,
        element: '',
        detail: given.key
          ? 'no key record and no source file with identical pixel data'
          : 'no source file has identical pixel data',
      });
  }
  return { pairOf, sourceIndex, findings };
}

/**
 * The pair of an output by identical pixel data. Equal pixels in several sources (blank
 * frames, copies): the kept attributes decide; still ambiguous, the file is left unpaired
 * rather than guessed.
 */
function pairByPixels(
  out: OutputFacts,
  bySourcePixel: ReadonlyMap<string, SourceFacts[]>,
): Pair | 'ambiguous' | undefined {
  const candidates = out.pixelSha ? (bySourcePixel.get(out.pixelSha) ?? []) : [];
  const narrowed =
    candidates.length > 1 ? candidates.filter((c) => c.fingerprint === out.fingerprint) : candidates;
  const patients = new Set(narrowed.map((c) => c.patientKey));
  const src = narrowed.length === 1 ? narrowed[0] : undefined;
  if (src) return { patient: src.patientKey, source: src };
  if (narrowed.length > 1 && patients.size === 1) return { patient: [...patients][0] as string };
  return candidates.length > 0 ? 'ambiguous' : undefined;
}

/** An output's source path: a keyed output's is the file under --source its record names, if there. */
export function sourcePathOf(p: Pairing, key: KeyFacts, file: string): string | undefined {
  const k = key.byOutputPath.get(file);
  return k ? (p.sourceIndex.of(k.record)?.path ?? k.record.sourcePath) : p.pairOf.get(file)?.source?.path;
}
