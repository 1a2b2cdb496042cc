/**
 * Committing: results wait in a batch until the key journal holds their records (group commit:
 * one write and fsync per batch of up to 512 files or one second), then become visible
 * together. Checks run at once on the main thread when a batch closes; the journal write, its
 * fsync and the renames run off it, one batch after another, while workers carry on.
 */
import { join } from 'node:path';
import { describeError } from '../errors.js';
import type { JournalEntry } from '../key/records.js';
import type { KeyStore } from '../key/store.js';
import { ENGINE_VERSION } from '../version.js';
import { type Accepted, acceptBatch, type Candidate } from './accept.js';
import { discardPart } from './output.js';
import { exists, publish } from './publish.js';
import type { RunState } from './state.js';

const BATCH = 512;
const BATCH_MS = 1000;

export class Committer {
  readonly #state: RunState;
  #pending: Candidate[] = [];
  #lastFlush = performance.now();
  /** Every batch's commit, one after the other. */
  #chain: Promise<void>;
  /** Batches handed to the chain and not yet done. */
  #outstanding = 0;

  constructor(state: RunState, keyReady: Promise<KeyStore>) {
    this.#state = state;
    this.#chain = keyReady.then(
      (k) => this.#begin(k),
      (e: unknown) => {
        state.keyFailure ??= e;
      },
    );
  }

  /** The key is there: the run's start (and what --force-rebuild removed) goes into it first. */
  async #begin(k: KeyStore): Promise<void> {
    const s = this.#state;
    s.key = k;
    if (s.settings.dryRun) return;
    const { cfg, runId, startedAt, roots } = s.settings;
    await k.appendAsync([
      ...s.output.dropped,
      {
        type: 'run',
        record: {
          runId,
          startedAt,
          profile: cfg.profile,
          options: cfg.options,
          engineVersion: ENGINE_VERSION,
          outputId: s.outputId,
          out: cfg.out,
          inputs: roots,
          ...(cfg.recipe ? { recipe: { name: cfg.recipe.name, sha256: cfg.recipe.sha256 } } : {}),
          ...(cfg.allowIdentifying?.length ? { allowIdentifying: cfg.allowIdentifying } : {}),
        },
      },
    ]);
  }

  /** A result to commit; its batch closes when full or a second old. */
  add(c: Candidate): void {
    this.#pending.push(c);
    if (this.#pending.length >= BATCH || performance.now() - this.#lastFlush > BATCH_MS) this.flush();
  }

  /** Close the batch: check it now, commit it when the batches before it are done. */
  flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    this.#lastFlush = performance.now();
    if (batch.length === 0) return;
    const accepted = acceptBatch(this.#state, batch);
    this.#outstanding += 1;
    this.#chain = this.#chain
      .then(() => this.#commit(accepted))
      .finally(() => {
        this.#outstanding -= 1;
      });
  }

  /** Records that must be in the key before any output of this run (the header pass's values). */
  remember(entries: readonly JournalEntry[]): void {
    if (entries.length === 0 || this.#state.settings.dryRun) return;
    this.#chain = this.#chain.then(async () => {
      const s = this.#state;
      if (s.keyFailure !== undefined) return;
      try {
        await (s.key as KeyStore).appendAsync(entries);
      } catch (e) {
        s.keyFailure ??= e;
      }
    });
  }

  /** Bounded: at most two batches wait for the disk while workers go on. */
  async backpressure(): Promise<void> {
    while (this.#outstanding > 2) await this.#chain;
  }

  /** Settles when every batch handed over is committed. */
  drained(): Promise<void> {
    return this.#chain;
  }

  async #commit({ entries, accepted, duplicates }: Accepted): Promise<void> {
    const s = this.#state;
    try {
      if (s.keyFailure !== undefined) throw s.keyFailure;
      // The key learns about every output before any of them exists.
      if (!s.settings.dryRun) await (s.key as KeyStore).appendAsync(entries);
    } catch (e) {
      s.keyFailure ??= e;
      for (const { f, r } of [...accepted, ...duplicates]) {
        if (r.staged) discardPart(s.out, r.staged);
        s.fail(
          f.absPath,
          'E_IO',
          `not written: the key journal could not record it (${describeError(e).message})`,
          r.bytesIn,
        );
      }
      return;
    }
    for (const { f, r } of duplicates) {
      if (r.staged) discardPart(s.out, r.staged);
      s.record({
        kind: 'unchanged',
        source: f.absPath,
        output: r.outRel,
        bytesIn: r.bytesIn,
        bytesOut: r.bytesOut,
      });
    }
    if (s.settings.dryRun) await this.#reportDry(accepted);
    else await publish(s, accepted);
  }

  /** What the real run would find: an output this source already made, in place, is unchanged. */
  async #reportDry(accepted: readonly Candidate[]): Promise<void> {
    const s = this.#state;
    for (const { f, r } of accepted) {
      const same =
        s.output.done.byOutput(r.outRel)?.sourceSha256 === r.sha256 && (await exists(join(s.out, r.outRel)));
      s.record({
        kind: same ? 'unchanged' : 'written',
        source: f.absPath,
        output: r.outRel,
        bytesIn: r.bytesIn,
        bytesOut: r.bytesOut,
        explained: explanations(r.fired),
      });
    }
  }
}

/**
 * The rules whose action the IOD decided, as "X/Z → X: Type 3 in General Study — Referenced Study
 * Sequence".
 */
function explanations(fired: ReadonlyArray<[string, number]>): string[] {
  const out: string[] = [];
  for (const [key] of fired) {
    const at = key.indexOf(' — ');
    if (at < 0) continue;
    const source = key.slice(key.indexOf(' ') + 1, at);
    out.push(`${key.slice(at + 3)} — ${source}`);
  }
  return out.sort();
}
