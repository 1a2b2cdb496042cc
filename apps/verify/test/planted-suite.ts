/**
 * The planted-corpora suite (what it proves: planted.test.ts), shared by the test files that run
 * its corpora: the corpora, the runs with the cleaning off and on, the checkers and the verifier.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { pythonWith, testDir } from '@dcmblind/test-utils';

const VERIFY = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
const KEYTOOL = fileURLToPath(new URL('../../keytool/dist/main.js', import.meta.url));
const ENV = { ...process.env, DCMBLIND_PASSPHRASE: 'verify test passphrase', DCMBLIND_KDF_LOG2N: '14' };
/** Every cleaning step the switch knows, off. */
const SKIP_ALL = 'text,paths,bitstream,unused-bits,published';
const PY = pythonWith('pydicom');
if (!PY && process.env.CI) throw new Error('CI needs python3-pydicom (installed by .ci/run)');
const script = (name: string) => fileURLToPath(new URL(`../../../test-data/python/${name}`, import.meta.url));

interface Corpus {
  /** The planting script and its arguments after the output folder. */
  readonly plant: readonly string[];
  readonly profile: string;
  /** The checker's output for an output folder, written where verify_covers.py reads it. */
  readonly check: (input: string, out: string, into: string) => void;
  readonly kind: 'planted' | 'around' | 'bitstream';
}

/** Runs a checker; its exit status is 1 when it finds something, which is the point here. */
function checker(args: string[], into: string): void {
  const r = spawnSync(PY as string, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args[0]}: ${r.stderr}`);
  writeFileSync(into, r.stdout);
}

const CORPORA = {
  text: {
    plant: ['plant_phi.py'],
    profile: 'research',
    kind: 'planted',
    check: (input, out, into) =>
      checker([script('check_planted.py'), out, join(input, 'manifest.json'), '--profile', 'research'], into),
  },
  around: {
    plant: ['plant_around.py'],
    profile: 'research',
    kind: 'around',
    check: (input, out, into) =>
      checker([script('check_around.py'), out, join(input, 'manifest.json')], into),
  },
  bitstream: {
    plant: ['plant_bitstream.py', '--no-verify'],
    profile: 'basic',
    kind: 'bitstream',
    check: (input, out, into) => {
      const strings = JSON.parse(readFileSync(join(input, 'manifest.json'), 'utf8')).strings as string[];
      checker([script('check_bitstream.py'), out, '--strings', ...strings], into);
    },
  },
} satisfies Record<string, Corpus>;

/** dcmblind run, with `skip` steps of its cleaning off; the exit code (0 or 1: some inputs are not DICOM). */
function run(input: string, out: string, key: string, profile: string, skip: string): number {
  const r = spawnSync(
    process.execPath,
    [CLI, 'run', input, '--out', out, '--key', key, '--profile', profile, '--layout', 'mirror', '--quiet'],
    { encoding: 'utf8', env: { ...ENV, DCMBLIND_TEST_SKIP: skip } },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return r.status;
}

/**
 * Whether the key gave the two offset probes' patients (plant_around.py) different date offsets.
 * Their published version dates, shifted, give the offset away only when the offsets differ;
 * a new key draws them at random, so about one run in 730 draws the same one twice.
 */
function probeOffsetsDiffer(key: string, work: string): boolean {
  const csv = join(work, 'patients.csv');
  rmSync(csv, { force: true });
  execFileSync(process.execPath, [KEYTOOL, 'export', key, '--csv', csv], { env: ENV, stdio: 'ignore' });
  const rows = readFileSync(csv, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  const col = (rows[0] as string[]).indexOf('DaysShiftedBack');
  const offsetOf = (pid: string) => rows.find((r) => r[1] === pid)?.[col];
  const [a, b] = [offsetOf('PID-5550040'), offsetOf('PID-5550041')];
  if (a === undefined || b === undefined) throw new Error('the offset probes are not in the key');
  return a !== b;
}

/** dcmblind-verify's JSON report of `out` (its findings), with the given inputs. */
function verify(
  out: string,
  args: string[],
  report: string,
): { findings: Array<{ severity: string; rule: string; file: string }> } {
  const r = spawnSync(process.execPath, [VERIFY, out, ...args, '--quiet', '--report', report], {
    encoding: 'utf8',
    env: ENV,
  });
  if (r.status === 2) throw new Error(r.stderr);
  return JSON.parse(readFileSync(report, 'utf8'));
}

/**
 * The suite over the named corpora: each planted once, then run with its cleaning off (every leak
 * reported) and on (none reported); with `around`, the zip-archive source as well. Split over
 * test files so that vitest's two workers share the corpora.
 */
export function plantedSuite(names: readonly (keyof typeof CORPORA)[]): void {
  const corpora = Object.entries(CORPORA).filter(([name]) => names.includes(name));
  describe.skipIf(!PY)(
    `the verifier reports what the engine was kept from cleaning (issue 18): ${names.join(', ')}`,
    () => {
      const dirs: Record<string, { input: string; work: string }> = {};
      beforeAll(() => {
        for (const [name, c] of corpora) {
          const work = testDir(`planted-${name}-`);
          const input = join(work, 'in');
          execFileSync(PY as string, [script(c.plant[0] as string), input, ...c.plant.slice(1)], {
            stdio: 'ignore',
          });
          dirs[name] = { input, work };
        }
      }, 300_000);

      for (const [name, c] of corpora) {
        it(`${name}: every leak the checker finds, with --source, --key and both`, () => {
          const { input, work } = dirs[name] as { input: string; work: string };
          const out = join(work, 'off');
          const key = join(work, 'off.key');
          for (let attempt = 0; attempt < 3; attempt++) {
            rmSync(out, { recursive: true, force: true });
            rmSync(key, { force: true });
            run(input, out, key, c.profile, SKIP_ALL);
            if (c.kind !== 'around' || probeOffsetsDiffer(key, work)) break;
          }
          const check = join(work, 'check.txt');
          c.check(input, out, check);
          // The switch did its job: the checker finds leaks to cover.
          expect(readFileSync(check, 'utf8')).not.toMatch(/^(0 finding\(s\))?\s*$/);
          for (const [mode, args] of [
            ['source', ['--source', input]],
            ['key', ['--key', key]],
            ['both', ['--source', input, '--key', key]],
          ] as const) {
            const report = join(work, `report-${mode}.json`);
            verify(out, [...args], report);
            const covers = spawnSync(
              PY as string,
              [script('verify_covers.py'), c.kind, report, check, ...(c.kind === 'around' ? [out] : [])],
              { encoding: 'utf8' },
            );
            expect(covers.stdout, `${name} with --${mode}: ${covers.stderr}`).toMatch(
              /^(\d+) of \1 leak\(s\) reported$/m,
            );
            expect(covers.status).toBe(0);
          }
        }, 300_000);

        it(`${name}: cleaned as dcmblind cleans it, no leak is reported (no false positive)`, () => {
          const { input, work } = dirs[name] as { input: string; work: string };
          const out = join(work, 'on');
          const key = join(work, 'on.key');
          run(input, out, key, c.profile, '');
          for (const args of [
            ['--source', input],
            ['--key', key],
            ['--source', input, '--key', key],
          ]) {
            const r = verify(out, args, join(work, 'report-clean.json'));
            expect(r.findings.filter((f) => f.severity === 'leak')).toEqual([]);
          }
        }, 300_000);
      }
      // Needs the around corpus (its zips): defined only where that is planted, never skipped.
      if (names.includes('around'))
        it('takes one zip archive as --source; refuses an output and a source that hold each other', () => {
          const { input, work } = dirs.around as { input: string; work: string };
          const out = join(work, 'off');
          if (!existsSync(out)) run(input, out, join(work, 'off.key'), 'research', SKIP_ALL);
          // The Mac zip's folder name (Weiß_Jörg) is in the output's paths (paths cleaning off): the
          // archive alone, as --source, seeds it.
          const report = join(work, 'report-zip.json');
          const r = verify(out, ['--source', join(input, 'zips', 'case-mac.zip')], report);
          expect(
            r.findings.filter((f) => f.rule === 'seed-in-path' && f.file.startsWith('zips/case-mac/')),
          ).not.toEqual([]);
          // The archive holds no published versions: it says nothing of those the other files gave
          // their outputs (no offset-exposed on the cleaned output of the whole run).
          const on = join(work, 'on');
          if (!existsSync(on)) run(input, on, join(work, 'on.key'), 'research', '');
          const clean = verify(
            on,
            ['--source', join(input, 'zips', 'case-mac.zip')],
            join(work, 'report-zip-on.json'),
          );
          expect(clean.findings.filter((f) => f.severity === 'leak')).toEqual([]);
          for (const [o, src] of [
            [input, input],
            [join(input, 'tree'), input],
            [out, join(out, 'tree')],
          ] as const) {
            const v = spawnSync(process.execPath, [VERIFY, o, '--source', src], {
              encoding: 'utf8',
              env: ENV,
            });
            expect(v.status, v.stderr).toBe(2);
            expect(v.stderr).toMatch(/same tree or one holds the other/);
          }
        }, 300_000);
    },
  );
}
