/**
 * Accepting results: what a worker made becomes a key record and a file to place only when it
 * cannot clash with the output as it stands — no second copy of a source placed before under
 * another path, no other file at its path, no pseudonym shared by two patients, no folder
 * named after one patient that holds another's files. These checks run on the main thread, in
 * order, so their verdicts do not depend on which worker finished first.
 */
import type { ErrorCode } from '../errors.js';
import type { FileRecord, JournalEntry } from '../key/records.js';
import { ENGINE_VERSION } from '../version.js';
import { namedLikeDicom } from './exclude.js';
import { discardPart, outputIntact } from './output.js';
import type { RunState } from './state.js';
import type { TaskResult, Written } from './task.js';
import type { InputFile } from './walk.js';
import { skipped } from '../testing/skip.js';

/** A result that passed the worker: waiting for its batch's checks and journal record. */
export interface Candidate {
  readonly f: InputFile;
  readonly r: Written;
  readonly stat: { readonly size: number; readonly mtimeMs: number };
}

export interface Accepted {
  /** Key records to make durable before any of the files is placed. */
  readonly entries: JournalEntry[];
  readonly accepted: Candidate[];
  /** The same content reached one output path twice in this run (identical copies of a file). */
  readonly duplicates: Candidate[];
}

/**
 * Record what a worker did not write (failures, quarantine, notes); returns the result to
 * accept, if it wrote one.
 */
export function sortResult(state: RunState, f: InputFile, r: TaskResult): Written | undefined {
  state.sawArchive(f, r.kind !== 'failed' || r.code !== 'E_NOT_DICOM');
  // Media archives carry other files too (viewers, autorun, READMEs): noted, not failures. So
  // does a folder (README.txt, notes.pdf): bytes plainly not DICOM under a name that does not
  // say DICOM are a note; a .dcm (or nameless) file that does not parse stays a failure.
  const note = f.archive || (r.kind === 'failed' && r.notDicom && !namedLikeDicom(f.relPath));
  if (r.kind === 'failed' && r.code === 'E_NOT_DICOM' && note) {
    state.record({
      kind: 'skipped',
      source: f.absPath,
      reason: `not DICOM: ${r.reason}`,
      bytesIn: r.bytesIn,
    });
    return undefined;
  }
  if (r.kind === 'written') {
    for (const [k, n] of r.fired) state.summary.rules[k] = (state.summary.rules[k] ?? 0) + n;
    return r;
  }
  if (r.kind === 'failed') state.fail(f.absPath, r.code, r.reason, r.bytesIn);
  else state.record({ kind: r.kind, source: f.absPath, reason: r.reason, bytesIn: r.bytesIn });
  return undefined;
}

/** Source folders of `rel` replaced by a pseudonym in this run, with that pseudonym. */
/** Why this result may not be placed, as a code and a message; undefined when it may. */
function refusal(state: RunState, { f, r }: Candidate): [ErrorCode, string] | undefined {
  // The same source placed by an earlier run under another path (given with another input
  // root, or changed since): writing it again would put a second copy in the output.
  const earlier = state.output.done.bySource(f.absPath);
  if (earlier && earlier.outputPath !== r.outRel && outputIntact(state.out, earlier)) {
    const changed = earlier.sourceSha256 !== r.sha256 ? ' (its content changed since)' : '';
    return [
      'E_ALREADY_WRITTEN',
      `already written to ${earlier.outputPath} by an earlier run into this output${changed}; ` +
        `this run would write it again as ${r.outRel}. Give the inputs as that run did ` +
        '(the same folder, not its parent or a subfolder), or use a new --out',
    ];
  }
  if (state.claimed.get(r.outRel, r.sha256) === 'other') {
    // The operator must find the other file: an earlier run's source is in the key (a log may
    // name source paths); a file of this run is not kept by path (claims are hashes).
    const done = state.output.done.byOutput(r.outRel);
    return [
      'E_PATH_CONFLICT',
      done
        ? `output ${r.outRel} was written from ${done.sourcePath} by an earlier run, with other ` +
          'content; nothing overwritten'
        : `another input file of this run maps to output ${r.outRel}; nothing overwritten`,
    ];
  }
  const owner = ownerOf(state, r);
  if (owner !== undefined && owner !== r.patient.patientKey) {
    return [
      'E_MIXED_PATIENTS',
      `pseudonym folder ${r.patient.pseudonym} already belongs to another source patient; nothing written`,
    ];
  }
  const exposed =
    state.settings.layout === 'mirror' && !skipped('paths')
      ? state.output.ledger.exposes(f.relPath, r.outRel)
      : undefined;
  if (exposed) {
    return [
      'E_MIXED_PATIENTS',
      `folder ${exposed} is named after a patient and this file does not carry that name ` +
        "(another patient's file, or one without names) and kept it in clear; nothing written: " +
        'run again (it then goes under a neutral folder name)',
    ];
  }
  return undefined;
}

/** The source patient a pseudonym already stands for (this run, or the key), if any. */
function ownerOf(state: RunState, r: Written): string | undefined {
  return (
    state.patientOwner.get(r.patient.pseudonym) ??
    state.key?.payload.patients[r.patient.pseudonym]?.patientKey
  );
}

function fileRecord(state: RunState, { f, r, stat }: Candidate): FileRecord {
  const { cfg, runId } = state.settings;
  const site = state.site;
  return {
    pseudonym: r.patient.pseudonym,
    sourcePath: f.absPath,
    sourceSha256: r.sha256,
    sourceSize: stat.size,
    sourceMtimeMs: stat.mtimeMs,
    outputPath: r.outRel,
    outputSize: r.bytesOut,
    outputId: state.outputId,
    sourceStudyUID: r.sourceStudyUID,
    sourceStudyDate: r.sourceStudyDate,
    sourceSeriesUID: r.sourceSeriesUID,
    sourceSOPInstanceUID: r.sourceSOPInstanceUID,
    ...(site ? { site } : {}),
    ...(f.archive
      ? {
          sourceArchive: f.archive.path,
          ...(f.archive.sha256 ? { sourceArchiveSha256: f.archive.sha256 } : {}),
        }
      : {}),
    profile: cfg.profile,
    options: cfg.options,
    engineVersion: ENGINE_VERSION,
    configId: state.output.config,
    runId,
  };
}

/** Check a batch in order: refused files are reported (their part files removed), the rest recorded. */
export function acceptBatch(state: RunState, batch: readonly Candidate[]): Accepted {
  const out: Accepted = { entries: [], accepted: [], duplicates: [] };
  for (const item of batch) {
    const { f, r } = item;
    const refused = refusal(state, item);
    if (refused) {
      if (r.staged) discardPart(state.out, r.staged);
      state.fail(f.absPath, refused[0], refused[1], r.bytesIn);
      continue;
    }
    if (state.settings.layout === 'mirror') state.output.ledger.add(f.relPath, r.outRel, r.patient.pseudonym);
    if (ownerOf(state, r) === undefined) {
      state.patientOwner.set(r.patient.pseudonym, r.patient.patientKey);
      const site = state.site;
      out.entries.push({ type: 'patient', record: site ? { ...r.patient, site } : r.patient });
    }
    out.entries.push({ type: 'file', record: fileRecord(state, item) });
    if (state.claimed.get(r.outRel, r.sha256) !== undefined) out.duplicates.push(item);
    else {
      out.accepted.push(item);
      state.addPatient(r.patient.pseudonym);
    }
    state.claimed.set(r.outRel, r.sha256);
  }
  return out;
}
