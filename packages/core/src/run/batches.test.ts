/**
 * Batching must be invisible: every file gets its own result whatever batch it travelled in,
 * and a batch lost with its worker costs only the file that killed the worker.
 */
import { describe, expect, it } from 'vitest';
import { BATCH_FILES, type Batch, Batches, InFlight } from './batches.js';

/** A pool that doubles numbers, records what it was sent, and dies on a poisoned number. */
function fakePool(poison?: number) {
  const sent: (number | Batch<number>)[] = [];
  const pool = {
    run(task: number | Batch<number>): Promise<unknown> {
      sent.push(task);
      const tasks = typeof task === 'number' ? [task] : task.batch;
      if (poison !== undefined && tasks.includes(poison)) return Promise.reject(new Error('worker died'));
      const results = tasks.map((t) => t * 2);
      return Promise.resolve(typeof task === 'number' ? results[0] : results);
    },
  };
  return { pool: pool as ConstructorParameters<typeof Batches>[0], sent };
}

describe('Batches', () => {
  it('gives every task its own result, in batches of at most the size', async () => {
    const { pool, sent } = fakePool();
    const b = new Batches<number, number>(pool, 8);
    const tasks = Array.from({ length: 20 }, (_, i) => i + 1);
    const results = await Promise.all(tasks.map((t) => b.run(t)));
    expect(results).toEqual(tasks.map((t) => t * 2));
    const sizes = sent.map((m) => (typeof m === 'number' ? 1 : m.batch.length));
    expect(sizes.reduce((a, n) => a + n, 0)).toBe(20);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(8);
    expect(sent.length).toBeLessThan(20);
    expect(b.died).toBe(false);
  });

  it('retries a lost batch file by file: only the poisoned task fails', async () => {
    const { pool } = fakePool(5);
    const b = new Batches<number, number>(pool, 8);
    const settled = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => b.run(i + 1)));
    settled.forEach((s, i) => {
      if (i + 1 === 5) expect(s.status).toBe('rejected');
      else expect(s).toEqual({ status: 'fulfilled', value: (i + 1) * 2 });
    });
    expect(b.died).toBe(true);
  });

  it('sends a task that must go alone at once, unbatched', async () => {
    const { pool, sent } = fakePool();
    const b = new Batches<number, number>(pool, 8);
    const batched = b.run(1);
    const alone = b.run(2, true);
    expect(sent).toEqual([2]);
    expect(await Promise.all([batched, alone])).toEqual([2, 4]);
  });
});

describe('InFlight', () => {
  /** Work that settles when told to. */
  const pending = () => {
    let done = () => {};
    const p = new Promise<void>((resolve) => {
      done = resolve;
    });
    return { p, done };
  };
  const settles = async (p: Promise<unknown>) =>
    Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), 20))]);

  it('holds four batches per thread, a file with its bytes weighing a batch', async () => {
    const inflight = new InFlight(1);
    const works = Array.from({ length: 4 * BATCH_FILES }, pending);
    for (const w of works.slice(0, -1)) inflight.add(w.p, false);
    expect(await settles(inflight.room())).toBe(true);
    inflight.add((works.at(-1) as { p: Promise<void> }).p, false);
    const room = inflight.room();
    expect(await settles(room)).toBe(false);
    works[0]?.done();
    expect(await settles(room)).toBe(true);

    const zip = new InFlight(1);
    const entries = Array.from({ length: 4 }, pending);
    for (const e of entries) zip.add(e.p, true);
    expect(await settles(zip.room())).toBe(false);
    for (const e of entries) e.done();
    expect(await settles(zip.settled())).toBe(true);
    for (const w of works) w.done();
    expect(await settles(inflight.settled())).toBe(true);
  });
});
