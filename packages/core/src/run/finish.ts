/**
 * Finishing a run: report what only the end can tell (archives without DICOM, problems met
 * while walking), take back outputs that kept a patient's folder name in clear, rebuild the
 * blinded media's DICOMDIRs, fold the journal into the key and close the output.
 */
import { type Dirent, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readDicomFile, textOf } from '../dicom/read-file.js';
import { T } from '../dicom/tag.js';
import { describeError, type ErrorCode } from '../errors.js';
import type { JournalEntry } from '../key/records.js';
import { ENGINE_VERSION } from '../version.js';
import type { RunSummary } from './config.js';
import { rebuildDicomdir, settleTimes } from './media.js';
import { discardPart, endOutput, PART_SUFFIX, STATE_DIR } from './output.js';
import type { PathSet } from './path-table.js';
import type { RunState } from './state.js';
import { skipped } from '../testing/skip.js';

/** The PatientID (a pseudonym) an output file carries; '' when it cannot be read. */
function patientIdOf(path: string): string {
  try {
    const p = readDicomFile(path, { headOnlyAbove: 1 << 20, headBytes: 1 << 20 });
    return textOf(
      p.dataset.find((e) => e.tag === T.PatientID),
      p.data,
    );
  } catch {
    return '';
  }
}

/** Output files under a folder of the output (relative to it), part files and dcmblind's state left out. */
function filesUnder(out: string, folder: string): string[] {
  const found: string[] = [];
  const walk = (rel: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(out, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (r !== STATE_DIR) walk(r);
      } else if (!e.name.endsWith(PART_SUFFIX)) found.push(r);
    }
  };
  walk(folder);
  return found.sort();
}

/** Archives that held no DICOM file, and what the walk could not read: one failure each. */
function reportLeftovers(state: RunState): void {
  for (const [archive, n] of state.archiveDicom) {
    if (n === 0) state.fail(archive, 'E_NOT_DICOM', 'the archive holds no DICOM file');
  }
  for (const p of state.problems) state.fail(p.path, (p.code as ErrorCode | undefined) ?? 'E_IO', p.message);
}

/** Take back one output that keeps a patient's folder name in clear; its key record goes too. */
function takeBack(state: RunState, folder: string, outRel: string): JournalEntry {
  const { done, outputs } = state.output;
  const pseudonym = done.byOutput(outRel)?.pseudonym ?? patientIdOf(join(state.out, outRel));
  discardPart(state.out, join(state.out, outRel));
  outputs.removed([outRel]);
  if (done.byOutput(outRel)) state.summary.done = Math.max(0, state.summary.done - 1);
  else state.summary.written = Math.max(0, state.summary.written - 1);
  state.dropPatientOutput(pseudonym);
  state.fail(
    join(state.out, outRel),
    'E_MIXED_PATIENTS',
    `output removed: source folder ${folder} is named after a patient and this file did not carry ` +
      "that name (another patient's file, or one without names); run again: it then goes under a " +
      'neutral folder name',
  );
  return {
    type: 'removed',
    record: { outputId: state.outputId, configId: state.output.config, outputPath: outRel },
  };
}

/**
 * Outputs that kept a folder name in clear before another file showed the name identifies a
 * patient (order of files, or an earlier run): removed now, before anything leaves the site.
 * Only what dcmblind placed there: a file the user put in the output is not ours to delete, but
 * the folder's name must not leave the site with it: said once, as a failure.
 */
function sweepExposedFolders(state: RunState): void {
  if (skipped('paths')) return;
  const { ledger, outputs, done } = state.output;
  const swept: JournalEntry[] = [];
  let listed: PathSet | undefined; // read once, if a folder needs sweeping
  const ours = (p: string) => (listed ??= outputs.listed()).has(p) || done.byOutput(p) !== undefined;
  for (const [folder, outFolder] of ledger.exposed(state.namesSomeone)) {
    const files = filesUnder(state.out, outFolder);
    const theirs = files.filter((p) => !ours(p));
    if (theirs.length) {
      state.fail(
        join(state.out, outFolder),
        'E_MIXED_PATIENTS',
        `output folder named after a patient (source folder ${folder}) still holds ` +
          `${theirs.length} file(s) dcmblind did not write, left as they were: move them out and ` +
          'remove the folder before the output leaves the site',
      );
    }
    for (const outRel of files.filter(ours)) swept.push(takeBack(state, folder, outRel));
  }
  // The key forgets them too: it lists what the output holds.
  if (swept.length && state.key) state.key.append(swept);
}

/** Every subject this run wrote to gets its DICOMDIR rebuilt from what its folder now holds. */
function rebuildMedia(state: RunState): void {
  const { outputs } = state.output;
  for (const subject of [...state.patients.keys()].sort()) {
    try {
      // Listed before it appears; a subject left without files gets none (and is unlisted).
      outputs.placingSync([`${subject}/DICOMDIR`]);
      const images = rebuildDicomdir(state.out, subject, state.settings.secret);
      if (images === 0 && !existsSync(join(state.out, subject, 'DICOMDIR')))
        outputs.removed([`${subject}/DICOMDIR`]);
      settleTimes(state.out, subject);
    } catch (e) {
      state.fail(
        join(state.out, subject, 'DICOMDIR'),
        'E_IO',
        `cannot build the DICOMDIR: ${describeError(e).message}`,
      );
    }
  }
}

/** The run's end goes into the key, the journal is folded into it, and the output is closed. */
function closeRun(state: RunState): void {
  const { cfg, runId, shardTag } = state.settings;
  const key = state.key;
  if (!key) return;
  key.append([
    {
      type: 'run',
      record: {
        runId,
        startedAt: '',
        endedAt: new Date().toISOString(),
        profile: cfg.profile,
        options: cfg.options,
        engineVersion: ENGINE_VERSION,
        written: state.summary.written,
        failed: state.summary.failed,
      },
    },
  ]);
  key.compact();
  state.output.outputs.close(true);
  endOutput(state.out, state.workerDied, shardTag);
}

/** Finish the run and return its summary; a key that failed makes the run fail as a whole. */
export function finishRun(state: RunState, t0: number): RunSummary {
  const { cfg, dryRun, layout, shardTag } = state.settings;
  const summary = state.summary;
  if (state.keyFailure !== undefined) {
    // Nothing was placed; remove what the workers wrote.
    state.output.outputs.close(false);
    if (!dryRun) endOutput(state.out, true, shardTag);
    throw state.keyFailure;
  }
  if (cfg.signal?.aborted) summary.interrupted = true;
  reportLeftovers(state);
  if (!dryRun) sweepExposedFolders(state);
  summary.patients = state.patients.size;
  summary.elapsedMs = performance.now() - t0;
  summary.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  if (!dryRun && layout === 'blinding') rebuildMedia(state);
  if (!dryRun) closeRun(state);
  return summary;
}
