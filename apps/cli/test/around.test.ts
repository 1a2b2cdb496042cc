/**
 * Identity around the values (issue 17's acceptance), on pydicom's real files with the cases
 * planted by test-data/python/plant_around.py: patient names, IDs and dates in folder and file
 * names in every way sites and Macs write them (decomposed accents, transliterations, digits
 * alone, 6-digit dates, a Shift-JIS zip from Japanese Windows), a name drawn into the unused bits
 * of 12-bit pixel data (in memory and in a file big enough to be copied from disk), and the dates
 * that would give the research offset away; APPn/COM segments in JPEG frames and comments in
 * JPEG 2000 codestreams (plant_bitstream.py, and pydicom's own compressed files). Independent
 * checkers (check_around.py, check_bitstream.py with its own marker walk) judge the output
 * alone; the compressed images must decode to the same pixels (dcmdjpeg, dcmdjpls, gdcmconv);
 * dciodvfy must find no error the source did not have.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { pythonWith, realDicomFiles } from '@dcmblind/test-utils';
import { HAVE_DCIODVFY, keyMapping, listTree, newErrorsIn, runWith, tmp } from './helpers.js';

const PY = pythonWith('pydicom');
const DECODERS = ['dcmdjpeg', 'dcmdjpls', 'gdcmconv'].every((t) => spawnSync('which', [t]).status === 0);
if ((!PY || !HAVE_DCIODVFY || !DECODERS) && process.env.CI)
  throw new Error('CI needs python3-pydicom, dicom3tools, dcmtk and libgdcm-tools (.ci/run)');
const script = (name: string) => fileURLToPath(new URL(`../../../test-data/python/${name}`, import.meta.url));

const digest = (dir: string) =>
  listTree(dir).map(
    (p) =>
      `${p} ${createHash('sha256')
        .update(readFileSync(join(dir, p)))
        .digest('hex')}`,
  );

describe.skipIf(!PY)('identity around the values (issue 17)', () => {
  let input: string;
  let before: string[];
  beforeAll(() => {
    input = join(tmp('around-'), 'in');
    execFileSync(PY as string, [script('plant_around.py'), input, '--big'], { stdio: 'ignore' });
    before = digest(input);
  }, 120_000);

  for (const profile of ['research', 'basic'] as const) {
    it(`${profile}: no planted value in any output path, no bit above HighBit, no shifted public date; valid`, async () => {
      const dir = tmp(`around-${profile}-`);
      const out = join(dir, 'out');
      const key = join(dir, 'k.key');
      const r = runWith(input, out, key, ['--profile', profile, '--layout', 'mirror', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout);
      // The two non-DICOM files are skipped; every planted file is written, none refused.
      expect(summary.written).toBe(26);
      const check = spawnSync(PY as string, [script('check_around.py'), out, join(input, 'manifest.json')], {
        encoding: 'utf8',
      });
      expect(check.stdout, check.stderr).toMatch(/^0 finding\(s\)$/m);
      expect(check.status).toBe(0);
      const paths = listTree(out);
      // The stranger in Smith_John's folder is written under a label, not refused, not in clear.
      expect(paths.filter((p) => p.endsWith('/IM0002.dcm') && /^tree\/[0-9A-Z]{12}\//.test(p))).toHaveLength(
        1,
      );
      // Müller's two folders (one NFD, one transliterated) hold same-named files: each folder is
      // the pseudonym and a label of its own, nothing collides.
      const suffixed = paths.filter((p) => /^tree\/ANON-[0-9A-Z]{16}-[0-9A-Z]{6}\/IM0001\.dcm$/.test(p));
      const pseudonyms = suffixed.map((p) => p.slice(5, 26));
      expect(pseudonyms.some((x, i) => pseudonyms.indexOf(x) !== i)).toBe(true);
      // The Shift-JIS entry names decode to the patient's name: that folder is the pseudonym.
      expect(paths).toContainEqual(
        expect.stringMatching(/^zips\/case-sjis\/ANON-[0-9A-Z]{16}\/DICOM\/FILE0001\.dcm$/),
      );
      // The three planted images had their unused bits cleared, the big one while copied.
      const fired = summary.rules ?? summary.fired;
      expect(fired['C Pixel Data: bits outside Bits Stored/High Bit cleared (PS3.5 §8.1.1)']).toBe(3);
      // dciodvfy reads paths: files inside zips are left to the other checks.
      const outside = (p: string) => !p.includes('.zip!');
      if (HAVE_DCIODVFY) expect(Object.fromEntries(await newErrorsIn(key, out, outside))).toEqual({});
      expect(digest(input)).toEqual(before);
    }, 300_000);
  }

  it('a folder name an earlier run kept is taken back once a later run meets the person it names', () => {
    const dir = tmp('around-later-');
    const source = join(dir, 'in');
    const out = join(dir, 'out');
    const key = join(dir, 'k.key');
    // Jane Doe's file in a folder whose name means nothing yet: kept in clear.
    mkdirSync(join(source, 'Smith_J'), { recursive: true });
    copyFileSync(join(input, 'tree', 'Smith_John', 'IM0002.dcm'), join(source, 'Smith_J', 'IM0002.dcm'));
    expect(runWith(source, out, key).code).toBe(0);
    expect(listTree(out)).toEqual(['Smith_J/IM0002.dcm']);
    // John Smith arrives (another folder), and with him the name: the old output goes.
    mkdirSync(join(source, 'Smith'));
    copyFileSync(join(input, 'tree', 'Smith_John', 'IM0001.dcm'), join(source, 'Smith', 'IM0001.dcm'));
    const second = runWith(source, out, key);
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toMatch(/Smith_J.*\[E_MIXED_PATIENTS\]/);
    // Run again: Jane's file under a label; no output path names Smith.
    expect(runWith(source, out, key).code).toBe(0);
    const paths = listTree(out);
    expect(paths).toHaveLength(2);
    for (const p of paths) expect(p.toLowerCase()).not.toContain('smith');
  });

  it('research keeps a published context group version as it is (never shifted)', () => {
    const dir = tmp('around-cgv-');
    const out = join(dir, 'out');
    const r = runWith(join(input, 'dates'), out, join(dir, 'k.key'), ['--profile', 'research']);
    expect(r.code, r.stderr).toBe(0);
    const dump = execFileSync(
      PY as string,
      [
        '-c',
        'import sys,pydicom; d=pydicom.dcmread(sys.argv[1]); ' +
          'print(sorted({str(e.value) for e in d.iterall() if e.keyword=="ContextGroupVersion"}))',
        join(out, 'offset-probe.dcm'),
      ],
      { encoding: 'utf8' },
    );
    expect(dump.trim()).toBe("['20100317000000']");
  });

  it('compressed frames lose their APPn/COM segments and J2K comments, decode to the same pixels, stay valid', async () => {
    const dir = tmp('around-bits-');
    const planted = join(dir, 'in');
    execFileSync(PY as string, [script('plant_bitstream.py'), planted, '--no-verify'], { stdio: 'ignore' });
    // pydicom's own JPEG, JPEG-LS and JPEG 2000 files too: their encoders' comments go.
    const real = realDicomFiles().filter((f) => /(jpeg|jpg|j2k|jp2|jls|JPEG|J2K|JPG)[^/]*\.dcm$/.test(f));
    for (const f of real) copyFileSync(f, join(planted, `real-${basename(f)}`));
    const out = join(dir, 'out');
    const key = join(dir, 'k.key');
    const r = runWith(planted, out, key, ['--profile', 'basic', '--layout', 'mirror', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.quarantined).toBe(0);
    const strings = JSON.parse(readFileSync(join(planted, 'manifest.json'), 'utf8')).strings as string[];
    const check = spawnSync(PY as string, [script('check_bitstream.py'), out, '--strings', ...strings], {
      encoding: 'utf8',
    });
    expect(check.stdout, check.stderr).toBe('');
    expect(check.status).toBe(0);
    // The independent checker does see them in the inputs.
    const inputs = spawnSync(PY as string, [script('check_bitstream.py'), planted], { encoding: 'utf8' });
    expect(inputs.status).toBe(1);
    const pairs = [...keyMapping(key)].map(([src, o]) => [src, join(out, o)]);
    writeFileSync(join(dir, 'pairs.json'), JSON.stringify(pairs));
    const same = spawnSync(PY as string, [script('same_pixels.py'), join(dir, 'pairs.json')], {
      encoding: 'utf8',
    });
    const lines = same.stdout.trim().split('\n');
    expect(lines.at(-1), same.stdout + same.stderr).toBe(`${pairs.length} pair(s), 0 with a problem`);
    // Every planted file and all but pydicom's undecodable oddity were decoded and compared.
    expect(lines.filter((l) => /: same pixels \(/.test(l)).length).toBeGreaterThanOrEqual(pairs.length - 1);
    if (HAVE_DCIODVFY) expect(Object.fromEntries(await newErrorsIn(key, out))).toEqual({});
  }, 300_000);
});
