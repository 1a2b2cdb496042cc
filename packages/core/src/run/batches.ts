/**
 * Files go to the worker pool in batches: a pool task costs about half a millisecond of
 * messaging and scheduling on each side, as much as the header pass of a small file, so files
 * travel a few at a time (those that arrive in the same turn of the event loop, at most `size`).
 * Each file still settles on its own. A file that carries its bytes (a zip entry) goes alone:
 * batches hold paths, never many files' bytes.
 */
import type { Piscina } from 'piscina';

/** How a batch travels to a worker (run/worker.ts answers with one result per task, in order). */
export interface Batch<T> {
  readonly batch: readonly T[];
}

interface Waiting<T, R> {
  readonly task: T;
  readonly resolve: (r: R) => void;
  readonly reject: (e: unknown) => void;
}

export class Batches<T, R> {
  readonly #pool: Pick<Piscina, 'run'>;
  readonly #size: number;
  #waiting: Waiting<T, R>[] = [];
  #scheduled = false;
  /** A batch was lost with its worker: part files may be left (the run sweeps them at its end). */
  died = false;

  constructor(pool: Pick<Piscina, 'run'>, size: number) {
    this.#pool = pool;
    this.#size = size;
  }

  /** The task's result; `alone`: sent at once in a pool task of its own. */
  run(task: T, alone = false): Promise<R> {
    if (alone || this.#size <= 1) return this.#pool.run(task) as Promise<R>;
    return new Promise<R>((resolve, reject) => {
      this.#waiting.push({ task, resolve, reject });
      if (this.#waiting.length >= this.#size) this.flush();
      else if (!this.#scheduled) {
        // What arrives in this turn joins the batch; it leaves before the next turn's I/O.
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          this.flush();
        });
      }
    });
  }

  /** Send what waits now. */
  flush(): void {
    const batch = this.#waiting;
    this.#waiting = [];
    if (batch.length === 0) return;
    if (batch.length === 1) {
      const [one] = batch as [Waiting<T, R>];
      (this.#pool.run(one.task) as Promise<R>).then(one.resolve, one.reject);
      return;
    }
    const message: Batch<T> = { batch: batch.map((w) => w.task) };
    (this.#pool.run(message) as Promise<R[]>).then(
      (results) => {
        batch.forEach((w, i) => {
          w.resolve(results[i] as R);
        });
      },
      // A worker that died (a file that outgrew its heap) takes its batch with it: each file is
      // tried again alone, so only a file that kills a worker itself fails. (Part files the dead
      // worker had written are swept with the run's others.)
      () => {
        this.died = true;
        for (const w of batch) (this.#pool.run(w.task) as Promise<R>).then(w.resolve, w.reject);
      },
    );
  }
}

/** Files per batch: enough to make messaging negligible, few enough to keep both threads busy. */
export const BATCH_FILES = 8;

/**
 * A file this large travels alone: its work takes its worker milliseconds, so the messaging a
 * batch saves is nothing, and a batch would tie several big files to one thread while the
 * others wait (20 multi-frames of 50–200 MB: one worker idle for 2.3 of 5.6 s).
 */
export const ALONE_ABOVE = 4 * 1024 * 1024;

/**
 * Files in flight to the pool, by weight: a file its worker reads weighs 1; one whose bytes
 * travel with it (a zip entry, in memory until its worker is done) a whole batch's worth. Four
 * batches per thread keep every thread busy without holding more than that.
 */
export class InFlight {
  readonly #running = new Map<Promise<void>, number>();
  readonly #limit: number;
  #weight = 0;

  constructor(threads: number) {
    this.#limit = threads * 4 * BATCH_FILES;
  }

  add(work: Promise<void>, bytesTravel: boolean): void {
    const w = bytesTravel ? BATCH_FILES : 1;
    const tracked: Promise<void> = work.finally(() => {
      this.#running.delete(tracked);
      this.#weight -= w;
    });
    this.#running.set(tracked, w);
    this.#weight += w;
  }

  /** Settles when there is room for more (rejects as the work that settled first does). */
  async room(): Promise<void> {
    while (this.#weight >= this.#limit) await Promise.race(this.#running.keys());
  }

  settled(): Promise<unknown> {
    return Promise.all(this.#running.keys());
  }
}
