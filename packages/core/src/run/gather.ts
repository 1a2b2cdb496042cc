/**
 * The header pass, main side: before any file is de-identified, every planned file's head is
 * read (in the pool) for its identifying values and its patient. Values are pooled per patient
 * and person names run-wide (scrub/cohort.ts), on top of what the key kept from earlier runs;
 * what is new goes into the key journal ahead of any output. The de-identification pass then
 * cleans each file of its patient's values and the run's names, whatever order files come in.
 */
import type { Piscina } from 'piscina';
import { BATCH_FILES, Batches, InFlight } from './batches.js';
import type { JournalEntry } from '../key/records.js';
import { decodeValue, isRunWideName, shareNames } from '../scrub/cohort.js';
import type { Committer } from './commit.js';
import { runNamesTest } from './layout.js';
import { idDigits } from './path-match.js';
import type { Gathered, GatherTask } from './gather-task.js';
import type { Planned } from './plan.js';
import { PatientOf } from './patient-of.js';
import type { RunState } from './state.js';

export interface Cohort {
  /** Tells workers' caches one cohort from another. */
  readonly id: string;
  /** Files the header pass found to need work (0: nothing to do, no work pass). */
  readonly planned: number;
  readonly names: SharedArrayBuffer;
  /** Encoded values by patient key. */
  readonly patients: ReadonlyMap<string, readonly string[]>;
  /** Each planned file's patient key (by absPath), when its head could be read. */
  readonly patientOf: PatientOf;
  /** Source folders some input shows to be named after its patient (shared memory; mirror layout). */
  readonly patientNamed: SharedArrayBuffer;
  /** The digits of every identifier of every patient of the run (shared memory): never in a path. */
  readonly ids: SharedArrayBuffer;
  /** Patient-named folders that get the pseudonym and a label (shared memory; see suffixedFolders). */
  readonly suffixed: SharedArrayBuffer;
}

class Pool {
  readonly names = new Set<string>();
  readonly patients = new Map<string, Set<string>>();
  readonly patientOf = new PatientOf();
  readonly patientNamed = new Set<string>();
  /** Patient-named folders → whose (patient keys), from this run's headers. */
  readonly owners = new Map<string, Set<string>>();
  readonly newNames: string[] = [];
  readonly newValues = new Map<string, string[]>();

  constructor(state: RunState) {
    // Folders earlier runs' outputs showed to be named after a patient stay so.
    for (const f of state.output.ledger.replacedFolders()) this.patientNamed.add(f);
    const kept = state.key?.payload.lexicon;
    for (const n of kept?.names ?? []) this.names.add(n);
    for (const [k, vs] of Object.entries(kept?.patients ?? {})) this.patients.set(k, new Set(vs));
  }

  add(absPath: string, g: Gathered): void {
    if (g.patientKey === undefined) return;
    for (const folder of g.patientFolders ?? []) {
      this.patientNamed.add(folder);
      const keys = this.owners.get(folder) ?? new Set<string>();
      keys.add(g.patientKey);
      this.owners.set(folder, keys);
    }
    this.patientOf.set(absPath, g.patientKey);
    let have = this.patients.get(g.patientKey);
    if (!have) this.patients.set(g.patientKey, (have = new Set()));
    for (const v of g.values) {
      if (!have.has(v)) {
        have.add(v);
        const fresh = this.newValues.get(g.patientKey) ?? [];
        fresh.push(v);
        this.newValues.set(g.patientKey, fresh);
      }
      const { category, text } = decodeValue(v);
      if (category === 'name' && isRunWideName(text) && !this.names.has(text)) {
        this.names.add(text);
        this.newNames.push(text);
      }
    }
  }

  /** What the key does not hold yet. */
  entries(): JournalEntry[] {
    const out: JournalEntry[] = [];
    if (this.newNames.length) out.push({ type: 'lexicon', record: { names: this.newNames } });
    for (const [patientKey, values] of this.newValues)
      out.push({ type: 'lexicon', record: { patientKey, values } });
    return out;
  }
}

/**
 * One patient's several folders under one parent (`Smith_2023/`, `Smith_2024/`) would all become
 * its pseudonym, and files of the same name in them would collide. Each then becomes the
 * pseudonym and a label of its own (`ANON-…-K3P9QZ`), decided from every input's header (all
 * shards agree) and from earlier runs' outputs: a folder an earlier run named keeps that name
 * (its plain pseudonym stays plain; the others of its group get labels). Entries are
 * `folder\0patientKey`: a folder that names two patients is judged for each.
 */
function suffixedFolders(state: RunState, owners: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const named = state.output.ledger.namedFolders();
  const patients = state.key?.payload.patients ?? {};
  const groups = new Map<string, Set<string>>();
  const add = (folder: string, patientKey: string | undefined) => {
    if (patientKey === undefined) return;
    const group = `${folder.slice(0, Math.max(0, folder.lastIndexOf('/')))}\0${patientKey}`;
    const set = groups.get(group) ?? new Set<string>();
    set.add(folder);
    groups.set(group, set);
  };
  for (const [folder, keys] of owners) for (const key of keys) add(folder, key);
  for (const [folder, { pseudonym }] of named) add(folder, patients[pseudonym]?.patientKey);
  const out: string[] = [];
  for (const [group, folders] of groups) {
    if (folders.size < 2) continue;
    const patientKey = group.slice(group.indexOf('\0') + 1);
    for (const f of folders) {
      const earlier = named.get(f);
      if (!earlier || earlier.name !== earlier.pseudonym) out.push(`${f}\0${patientKey}`);
    }
  }
  return out;
}

async function gatherOne(
  state: RunState,
  pool: Batches<GatherTask, Gathered>,
  p: Planned,
  into: Pool,
): Promise<void> {
  try {
    const bytes = p.f.bytes ? await p.f.bytes() : undefined;
    const task: GatherTask = {
      kind: 'gather',
      absPath: p.f.absPath,
      ...(state.settings.layout === 'mirror' ? { relPath: p.f.relPath } : {}),
      ...(bytes ? { bytes } : {}),
    };
    into.add(p.f.absPath, await pool.run(task, bytes !== undefined));
  } catch {
    // An entry that cannot be read, a worker that died on this file: the de-identification
    // pass meets the same problem and reports the file.
  }
  if (state.settings.cfg.signal?.aborted) throw new Interrupted();
}

class Interrupted extends Error {}

export async function gatherCohort(
  state: RunState,
  pool: Piscina,
  planned: AsyncIterable<Planned>,
  committer: Committer,
): Promise<Cohort> {
  const into = new Pool(state);
  const batches = new Batches<GatherTask, Gathered>(pool, BATCH_FILES);
  const inflight = new InFlight(pool.options.maxThreads);
  let count = 0;
  try {
    for await (const p of planned) {
      count++;
      inflight.add(gatherOne(state, batches, p, into), p.f.bytes !== undefined);
      await inflight.room();
    }
    await inflight.settled();
  } catch (e) {
    if (!(e instanceof Interrupted)) throw e;
    state.summary.interrupted = true;
  }
  committer.remember(into.entries());
  const runIds = [...into.patients.values()].flatMap((vs) =>
    [...vs].map(decodeValue).flatMap((v) => (v.category === 'id' ? idDigits(v.text) : [])),
  );
  if (state.settings.layout === 'mirror') state.namesSomeone = runNamesTest([...into.names], runIds);
  return {
    id: `${state.settings.runId}/${into.names.size}`,
    planned: count,
    names: shareNames([...into.names]),
    patients: new Map([...into.patients].map(([k, v]) => [k, [...v]])),
    patientOf: into.patientOf.seal(),
    patientNamed: shareNames([...into.patientNamed]),
    ids: shareNames([...new Set(runIds)]),
    suffixed: shareNames(suffixedFolders(state, into.owners)),
  };
}
