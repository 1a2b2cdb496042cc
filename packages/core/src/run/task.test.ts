/**
 * Part files: a killed run's are swept by name (run/output.ts isPartName), and only those, so
 * every part file a worker stages must carry a name the sweep recognises, and no two the same.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildDicom, testDir } from '@dcmblind/test-utils';
import { describe, expect, it } from 'vitest';
import { isPartName } from './output.js';
import { TaskRunner } from './task.js';

const slice = (i: number) =>
  buildDicom([
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'],
    [0x00080018, 'UI', `1.2.826.0.1.3680043.2.1125.79.${i}`],
    [0x00100010, 'PN', 'KOWALSKI^JAN'],
    [0x00100020, 'LO', 'MRN1'],
    [0x7fe00010, 'OW', new Uint8Array(64).fill(i)],
  ]);

describe('TaskRunner part files', () => {
  for (const shardTag of [undefined, 's2']) {
    it(`stages each output under a part name the sweep recognises${shardTag ? ' (a shard)' : ''}`, async () => {
      const dir = testDir('task-');
      const input = join(dir, 'in');
      mkdirSync(input);
      const runner = new TaskRunner({
        profile: 'basic',
        options: [],
        pseudonymPrefix: 'P',
        dateOffset: { min: -100, max: -10 },
        layout: 'mirror',
        out: join(dir, 'out'),
        dryRun: false,
        ...(shardTag ? { shardTag } : {}),
      });
      const secret = randomBytes(32);
      const staged = [];
      for (let i = 0; i < 20; i++) {
        const absPath = join(input, `f${i}.dcm`);
        writeFileSync(absPath, slice(i));
        const r = await runner.run({ secret, absPath, relPath: `f${i}.dcm` });
        expect(r.kind).toBe('written');
        if (r.kind === 'written') staged.push(basename(r.staged));
      }
      expect(staged.every(isPartName)).toBe(true);
      if (shardTag) expect(staged.every((n) => n.startsWith(`.${shardTag}-`))).toBe(true);
      expect(new Set(staged).size).toBe(staged.length);
    });
  }
});
