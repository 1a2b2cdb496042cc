/**
 * The worker pool's queue of waiting tasks, biggest first. Files travel to the pool in walk order
 * and a FIFO queue hands them out in that order, so when the last file dispatched is a big one
 * its worker works on alone while the other idles (20 multi-frames of 50–200 MB: one worker idle
 * for 1.6 of 5.8 s). Handing out the biggest waiting task first is the classic longest-job-first
 * rule: the work left at the end is small files and batches that spread evenly. Only what waits
 * is reordered (the dispatcher keeps at most a few batches per thread in flight), so nothing
 * waits for long, and a task with no weight (a batch of small files) keeps FIFO order among its
 * kind.
 */
import { Piscina, type PiscinaTask, type TaskQueue } from 'piscina';

/** What a task carries for the queue (under Piscina.queueOptionsSymbol; not sent to the worker). */
export interface QueueWeight {
  /** The bytes its worker reads: the file's size, or a batch's total. */
  readonly weight: number;
}

/** Marks a task payload with its weight for the queue. */
export function weighted<T extends object>(task: T, weight: number): T {
  return Object.assign(task, { [Piscina.queueOptionsSymbol]: { weight } satisfies QueueWeight });
}

function weightOf(task: PiscinaTask): number {
  const o = task[Piscina.queueOptionsSymbol as keyof PiscinaTask] as QueueWeight | null | undefined;
  return o?.weight ?? 0;
}

interface Entry {
  readonly task: PiscinaTask;
  readonly weight: number;
  /** Arrival order: ties (and weightless tasks) leave first in, first out. */
  readonly seq: number;
}

/** Binary max-heap on (weight, -seq). */
export class SizeOrderedQueue implements TaskQueue {
  readonly #heap: Entry[] = [];
  /** A task pushed back (no worker free after all) keeps its place among equals. */
  readonly #seqOf = new WeakMap<PiscinaTask, number>();
  #next = 0;

  get size(): number {
    return this.#heap.length;
  }

  push(task: PiscinaTask): void {
    let seq = this.#seqOf.get(task);
    if (seq === undefined) {
      seq = this.#next++;
      this.#seqOf.set(task, seq);
    }
    this.#heap.push({ task, weight: weightOf(task), seq });
    this.#up(this.#heap.length - 1);
  }

  /** Piscina puts back a task it could not place at the head; the heap finds its place. */
  unshift(task: PiscinaTask): void {
    this.push(task);
  }

  shift(): PiscinaTask | null {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined) return null;
    const last = heap.pop() as Entry;
    if (heap.length > 0) {
      heap[0] = last;
      this.#down(0);
    }
    return top.task;
  }

  /** An aborted task leaves the queue (rare: a linear search is fine). */
  remove(task: PiscinaTask): void {
    const heap = this.#heap;
    const i = heap.findIndex((e) => e.task === task);
    if (i < 0) return;
    const last = heap.pop() as Entry;
    if (i === heap.length) return;
    heap[i] = last;
    this.#down(i);
    this.#up(i);
  }

  #before(a: Entry, b: Entry): boolean {
    return a.weight !== b.weight ? a.weight > b.weight : a.seq < b.seq;
  }

  #up(i: number): void {
    const heap = this.#heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#before(heap[i] as Entry, heap[p] as Entry)) return;
      [heap[i], heap[p]] = [heap[p] as Entry, heap[i] as Entry];
      i = p;
    }
  }

  #down(i: number): void {
    const heap = this.#heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < heap.length && this.#before(heap[l] as Entry, heap[best] as Entry)) best = l;
      if (r < heap.length && this.#before(heap[r] as Entry, heap[best] as Entry)) best = r;
      if (best === i) return;
      [heap[i], heap[best]] = [heap[best] as Entry, heap[i] as Entry];
      i = best;
    }
  }
}
