/**
 * The pool hands out the biggest waiting file first, weightless tasks (batches) in arrival order,
 * and a task's weight never reaches the worker.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Piscina, type PiscinaTask } from 'piscina';
import { afterAll, describe, expect, it } from 'vitest';
import { SizeOrderedQueue, weighted } from './size-queue.js';

const task = (name: string, weight?: number): PiscinaTask =>
  (weight === undefined ? { name } : weighted({ name }, weight)) as unknown as PiscinaTask;
const nameOf = (t: PiscinaTask | null) => (t as unknown as { name: string } | null)?.name;

describe('SizeOrderedQueue', () => {
  it('gives the heaviest first, equals and weightless tasks in arrival order', () => {
    const q = new SizeOrderedQueue();
    const sizes = [
      ['a', 5],
      ['b', undefined],
      ['c', 200],
      ['d', 5],
      ['e', undefined],
      ['f', 70],
    ] as const;
    for (const [n, w] of sizes) q.push(task(n, w));
    expect(q.size).toBe(6);
    const out: (string | undefined)[] = [];
    while (q.size > 0) out.push(nameOf(q.shift()));
    expect(out).toEqual(['c', 'f', 'a', 'd', 'b', 'e']);
    expect(q.shift()).toBeNull();
  });

  it('keeps the place of a task put back, and removes an aborted one', () => {
    const q = new SizeOrderedQueue();
    const [a, b, c] = [task('a', 1), task('b', 1), task('c', 1)];
    for (const t of [a, b, c]) q.push(t);
    const first = q.shift() as PiscinaTask;
    q.push(first); // no worker after all: it goes back ahead of b and c
    q.remove(b);
    q.remove(task('never queued', 9));
    expect([nameOf(q.shift()), nameOf(q.shift()), q.size]).toEqual(['a', 'c', 0]);
  });

  it('orders a many-task heap like a sort', () => {
    const q = new SizeOrderedQueue();
    const weights = Array.from({ length: 500 }, (_, i) => (i * 7919) % 113);
    for (const [i, w] of weights.entries()) q.push(task(String(i), w));
    const out: number[] = [];
    while (q.size > 0) out.push(weights[Number(nameOf(q.shift()))] as number);
    expect(out).toEqual([...weights].sort((x, y) => y - x));
  });
});

describe('a pool with the queue', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcmblind-queue-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the waiting tasks biggest first, and the weight does not travel', async () => {
    const worker = join(dir, 'worker.mjs');
    // The first task holds the only thread while the others queue up behind it.
    writeFileSync(
      worker,
      `export default async (t) => { await new Promise((r) => setTimeout(r, t.name === 'first' ? 200 : 1));
        return { name: t.name, keys: Reflect.ownKeys(t).map(String) }; };`,
    );
    const pool = new Piscina({
      filename: pathToFileURL(worker).href,
      minThreads: 1,
      maxThreads: 1,
      concurrentTasksPerWorker: 1,
      taskQueue: new SizeOrderedQueue(),
    });
    try {
      const order: string[] = [];
      const run = (name: string, weight?: number) =>
        pool
          .run(weight === undefined ? { name } : weighted({ name }, weight))
          .then((r: { name: string; keys: string[] }) => {
            order.push(r.name);
            return r;
          });
      const first = run('first', 1);
      await new Promise((r) => setTimeout(r, 50));
      const results = await Promise.all([
        first,
        run('small', 10),
        run('batch'),
        run('big', 900),
        run('mid', 300),
      ]);
      expect(order).toEqual(['first', 'big', 'mid', 'small', 'batch']);
      for (const r of results) expect(r.keys).toEqual(['name']);
    } finally {
      await pool.destroy();
    }
  });
});
