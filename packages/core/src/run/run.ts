/**
 * `dcmblind run`: walk the inputs, de-identify each file, record what the custodian needs
 * in the key journal, then make the output visible. One bad file is reported and skipped;
 * the run goes on.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeError, DcmblindError, type ErrorCode } from '../errors.js';
import { deidentify, type DeidentifyConfig } from '../deid/deidentify.js';
import { ProjectSecret } from '../identity/secret.js';
import type { KeyStore } from '../key/store.js';
import type { JournalEntry } from '../key/records.js';
import { compileProfile } from '../profile/rules.js';
import type { OptionName } from '../profile/options.js';
import { ENGINE_VERSION } from '../version.js';
import { mirrorPath } from './layout.js';
import { writeOutputAtomic } from './output.js';
import { walkInputs, type WalkProblem } from './walk.js';

export interface RunConfig {
  readonly inputs: readonly string[];
  readonly out: string;
  readonly key: KeyStore;
  readonly profile: string;
  readonly options: readonly OptionName[];
  readonly pseudonymPrefix: string;
  readonly dateOffset: { readonly min: number; readonly max: number };
}

export type FileOutcome =
  | { readonly kind: 'written' | 'unchanged'; readonly source: string; readonly output: string; readonly bytesIn: number; readonly bytesOut: number }
  | { readonly kind: 'quarantined' | 'skipped'; readonly source: string; readonly reason: string; readonly bytesIn: number }
  | { readonly kind: 'failed'; readonly source: string; readonly code: ErrorCode | 'E_INTERNAL'; readonly reason: string; readonly bytesIn: number };

export interface RunSummary {
  written: number;
  unchanged: number;
  quarantined: number;
  skipped: number;
  failed: number;
  patients: number;
  bytesIn: number;
  bytesOut: number;
  elapsedMs: number;
  failures: Array<{ path: string; code: string; reason: string }>;
  quarantine: Array<{ path: string; reason: string }>;
}

export async function runDeidentify(cfg: RunConfig, onFile: (o: FileOutcome) => void = () => {}): Promise<RunSummary> {
  const t0 = performance.now();
  const secret = new ProjectSecret(cfg.key.secret);
  const profile = compileProfile(cfg.profile, cfg.options);
  const dcfg: DeidentifyConfig = { profile, secret, pseudonymPrefix: cfg.pseudonymPrefix, dateOffset: cfg.dateOffset };
  const runId = `${new Date().toISOString()}-${randomBytes(4).toString('hex')}`;
  const summary: RunSummary = { written: 0, unchanged: 0, quarantined: 0, skipped: 0, failed: 0, patients: 0, bytesIn: 0, bytesOut: 0, elapsedMs: 0, failures: [], quarantine: [] };
  const claimed = new Map<string, string>(); // output path → source sha256, this run
  const patients = new Set<string>();
  const problems: WalkProblem[] = [];
  cfg.key.append([{ type: 'run', record: { runId, startedAt: new Date().toISOString(), profile: cfg.profile, options: cfg.options, engineVersion: ENGINE_VERSION } }]);

  const record = (o: FileOutcome) => {
    summary.bytesIn += o.bytesIn;
    if (o.kind === 'written' || o.kind === 'unchanged') {
      summary[o.kind] += 1;
      summary.bytesOut += o.bytesOut;
    } else if (o.kind === 'failed') {
      summary.failed += 1;
      summary.failures.push({ path: o.source, code: o.code, reason: o.reason });
    } else {
      summary[o.kind] += 1;
      if (o.kind === 'quarantined') summary.quarantine.push({ path: o.source, reason: o.reason });
    }
    onFile(o);
  };

  for await (const f of walkInputs(cfg.inputs, problems)) {
    let bytesIn = 0;
    try {
      const bytes = await readFile(f.absPath);
      bytesIn = bytes.length;
      const result = deidentify(bytes, dcfg);
      if (result.status !== 'written') {
        record({ kind: result.status, source: f.absPath, reason: result.reason, bytesIn });
        continue;
      }
      const sha = createHash('sha256').update(bytes).digest('hex');
      const facts = result.facts;
      const rel = mirrorPath(f.relPath, facts, secret);
      const prior = claimed.get(rel);
      if (prior !== undefined && prior !== sha) {
        throw new DcmblindError('E_PATH_CONFLICT', `another input file of this run already maps to output ${rel}; nothing overwritten`);
      }
      claimed.set(rel, sha);
      const outAbs = join(cfg.out, rel);
      const entries: JournalEntry[] = [];
      const p = facts.patient;
      if (!cfg.key.payload.patients[p.pseudonym]) {
        const s = facts.source;
        entries.push({ type: 'patient', record: { pseudonym: p.pseudonym, patientKey: p.key, patientId: s.patientId, patientName: s.patientName, issuer: s.issuer, birthDate: s.birthDate, dateOffsetDays: p.dateOffsetDays } });
      }
      entries.push({
        type: 'file',
        record: {
          pseudonym: p.pseudonym, sourcePath: f.absPath, sourceSha256: sha, outputPath: rel, sourceStudyUID: facts.source.studyUID,
          sourceSeriesUID: facts.source.seriesUID, sourceSOPInstanceUID: facts.source.sopInstanceUID, studyDate: '',
          profile: cfg.profile, options: cfg.options, engineVersion: ENGINE_VERSION, runId,
        },
      });
      // The key learns about the output before the output exists.
      cfg.key.append(entries);
      patients.add(p.pseudonym);
      if (existsSync(outAbs)) {
        const same = Buffer.compare(readFileSync(outAbs), Buffer.from(result.output.concat())) === 0;
        if (!same) throw new DcmblindError('E_PATH_CONFLICT', `output ${rel} already exists with different content (made by another key or input?); nothing overwritten`);
        record({ kind: 'unchanged', source: f.absPath, output: rel, bytesIn, bytesOut: result.output.length });
        continue;
      }
      writeOutputAtomic(outAbs, result.output);
      record({ kind: 'written', source: f.absPath, output: rel, bytesIn, bytesOut: result.output.length });
    } catch (e) {
      const d = describeError(e);
      record({ kind: 'failed', source: f.absPath, code: d.code, reason: d.message, bytesIn });
    }
  }
  for (const p of problems) record({ kind: 'failed', source: p.path, code: 'E_IO', reason: p.message, bytesIn: 0 });
  summary.patients = patients.size;
  summary.elapsedMs = performance.now() - t0;
  cfg.key.append([{ type: 'run', record: { runId, startedAt: '', endedAt: new Date().toISOString(), profile: cfg.profile, options: cfg.options, engineVersion: ENGINE_VERSION, written: summary.written, failed: summary.failed } }]);
  cfg.key.compact();
  return summary;
}
