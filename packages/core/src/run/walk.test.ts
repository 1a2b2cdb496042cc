/**
 * The input walk: every file once, depth first (a folder's files together), folders closed
 * whatever the consumer does, and the event loop kept turning on a long walk (so Ctrl-C and
 * progress still work while a million files are listed).
 */
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDir } from '@dcmblind/test-utils';
import { describe, expect, it } from 'vitest';
import { excluder } from './exclude.js';
import { type WalkProblem, walkInputs } from './walk.js';

function tree(): { root: string; files: string[] } {
  const root = testDir('walk-');
  const files: string[] = [];
  const file = (rel: string) => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), rel);
    files.push(rel);
  };
  for (const p of ['site-A/p1', 'site-A/p2', 'site-B/p1'])
    for (const s of ['st1/se1', 'st1/se2', 'st2/se1'])
      for (let i = 1; i <= 3; i++) file(`${p}/${s}/IM${i}.dcm`);
  file('loose.dcm');
  mkdirSync(join(root, 'empty/inner'), { recursive: true });
  mkdirSync(join(root, 'site-B/old'), { recursive: true });
  writeFileSync(join(root, 'site-B/old/IM9.dcm'), 'x'); // excluded folder
  writeFileSync(join(root, 'site-A/p1/.DS_Store'), 'x'); // excluded file
  symlinkSync(join(root, 'loose.dcm'), join(root, 'site-A/link.dcm'));
  files.push('site-A/link.dcm');
  symlinkSync(join(root, 'site-A'), join(root, 'site-B/folder-link'));
  symlinkSync(join(root, 'missing'), join(root, 'site-B/broken.dcm'));
  return { root, files };
}

const openFolders = () => readdirSync('/proc/self/fd').length;

describe('walkInputs', () => {
  it('yields every file once, a folder at a time, and reports links it does not follow', async () => {
    const { root, files } = tree();
    const problems: WalkProblem[] = [];
    const seen: string[] = [];
    const fds = openFolders();
    for await (const f of walkInputs([root], problems, { exclude: excluder(['site-B/old/**']) })) {
      expect(f.absPath).toBe(join(root, f.relPath));
      seen.push(f.relPath);
    }
    expect([...seen].sort()).toEqual([...files].sort());
    // Depth first: once the walk leaves a folder it never comes back to it.
    const left = new Set<string>();
    let current = '';
    for (const rel of seen) {
      const folder = rel.slice(0, rel.lastIndexOf('/') + 1);
      if (folder !== current) {
        for (let f = current; f && !folder.startsWith(f); f = f.replace(/[^/]*\/$/, '')) left.add(f);
        expect(left.has(folder)).toBe(false);
        current = folder;
      }
    }
    expect(problems.map((p) => [p.path.slice(root.length + 1), p.message]).sort()).toEqual([
      ['site-B/broken.dcm', 'broken symbolic link'],
      ['site-B/folder-link', 'symbolic link to a folder not followed'],
    ]);
    expect(openFolders()).toBe(fds);
  });

  it('closes the folders it holds open when the consumer stops early', async () => {
    const { root } = tree();
    const fds = openFolders();
    let n = 0;
    for await (const _ of walkInputs([root], [])) if (++n === 3) break;
    expect(openFolders()).toBe(fds);
  });

  it('lets the event loop turn during a long listing', async () => {
    const root = testDir('walk-long-');
    mkdirSync(join(root, 'series'));
    for (let i = 0; i < 1500; i++) writeFileSync(join(root, 'series', `IM${i}.dcm`), '');
    let turned = false;
    let n = 0;
    let turnedBeforeEnd = false;
    for await (const _ of walkInputs([root], [])) {
      // Set once the listing is under way: only a turn of the event loop inside it can fire it.
      if (++n === 1)
        setImmediate(() => {
          turned = true;
        });
      if (n === 1499) turnedBeforeEnd = turned;
    }
    expect(n).toBe(1500);
    expect(turnedBeforeEnd).toBe(true);
  });
});
