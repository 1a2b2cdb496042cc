/**
 * The Retain Safe Private Option (PS3.15 E.3.10) on pydicom's real GE CT and an MR given Siemens
 * and Philips diffusion blocks (test-data/python/safe_private.py): check_safe_private.py reads
 * inputs and outputs with pydicom and holds the outputs to the standard's table — the safe
 * elements kept byte for byte under their creators, wherever the creator's block is, inside
 * sequence items too; nothing else private (unlisted offsets, orphans, a creator in other
 * letters, a listed element whose VR nobody knows); planted names gone, from a kept text value
 * too. Without the option nothing private survives. dciodvfy finds no new error; dcmblind-verify
 * accepts the kept elements and reports one put back that the table does not list.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pythonWith } from '@dcmblind/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { HAVE_DCIODVFY, newErrorsIn, PASSPHRASE, runWith, tmp } from './helpers.js';

const PY = pythonWith('pydicom');
if ((!PY || !HAVE_DCIODVFY) && process.env.CI)
  throw new Error('CI needs python3-pydicom and dicom3tools (.ci/run)');
const script = (name: string) => fileURLToPath(new URL(`../../../test-data/python/${name}`, import.meta.url));
const SAFE_LIST = fileURLToPath(
  new URL('../../../packages/core/data/standard/safe_private_attributes.json', import.meta.url),
);
const VERIFY = fileURLToPath(new URL('../../verify/dist/main.js', import.meta.url));

function checker(input: string, out: string, mode: 'with' | 'without') {
  const r = spawnSync(PY as string, [script('check_safe_private.py'), input, out, mode, SAFE_LIST], {
    encoding: 'utf8',
  });
  return { code: r.status, report: r.stdout, stderr: r.stderr };
}

function verify(out: string, input: string, key: string, report: string) {
  const v = spawnSync(
    process.execPath,
    [VERIFY, out, '--source', input, '--key', key, '--report', report, '--quiet'],
    { encoding: 'utf8', env: { ...process.env, DCMBLIND_PASSPHRASE: PASSPHRASE } },
  );
  const qa = JSON.parse(readFileSync(report, 'utf8')) as {
    verdict: string;
    findings: { rule: string; file: string; element: string; detail: string }[];
  };
  return { code: v.status, qa };
}

describe.skipIf(!PY)('retain-safe-private', () => {
  let input: string;
  beforeAll(() => {
    input = join(tmp('safe-private-'), 'in');
    execFileSync(PY as string, [script('safe_private.py'), input]);
  });

  it('keeps the listed private elements byte for byte and nothing else private; valid; verified', async () => {
    const dir = tmp('safe-private-run-');
    const out = join(dir, 'out');
    const key = join(dir, 'k.key');
    const r = runWith(input, out, key, ['--option', 'retain-safe-private', '--exclude', 'manifest.json']);
    expect(r.code, r.stderr).toBe(0);
    const c = checker(input, out, 'with');
    expect(c.code, `${c.report}${c.stderr}`).toBe(0);
    // The checker compared something: CT_small's five safe elements, and the MR's eight.
    const kept = Object.fromEntries(
      (JSON.parse(c.report) as { file: string; kept: number }[]).map((x) => [x.file, x.kept]),
    );
    expect(kept).toEqual({
      'ct.dcm': 5,
      'ct-planted.dcm': 6,
      'ct-moved.dcm': 5,
      'mr.dcm': 8,
      'us-implicit.dcm': 2,
    });
    if (HAVE_DCIODVFY) expect(Object.fromEntries(await newErrorsIn(key, out))).toEqual({});
    const v = verify(out, input, key, join(dir, 'qa.json'));
    expect(v.qa.findings).toEqual([]);
    expect(v.code).toBe(0);

    // A private element the table does not list, put back into an output: the QA scan says so.
    const tampered = join(dir, 'tampered');
    mkdirSync(tampered);
    copyFileSync(join(out, 'ct.dcm'), join(tampered, 'ct.dcm'));
    execFileSync(PY as string, [
      '-c',
      'import sys, pydicom\nds = pydicom.dcmread(sys.argv[1])\nds.add_new(0x00191002, "SL", 912)\n' +
        'ds.add_new(0x00191024, "LO", "KOWALSKA")\nds.save_as(sys.argv[1])',
      join(tampered, 'ct.dcm'),
    ]);
    const t = verify(tampered, input, key, join(dir, 'qa2.json'));
    expect(t.qa.findings.map((f) => `${f.rule} ${f.element}`)).toContain('private-element (0019,1002)');
    expect(t.qa.findings.find((f) => f.element === '(0019,1002)')?.detail).toMatch(/not on the safe list/);
    // A listed element written with another VR (a name where the table says DS).
    expect(t.qa.findings.filter((f) => f.element === '(0019,1024)').map((f) => f.detail)).toContainEqual(
      expect.stringMatching(/written as LO, the table's VR being DS/),
    );
  }, 120_000);

  it('without the option no private element survives', () => {
    const dir = tmp('safe-private-off-');
    const out = join(dir, 'out');
    const r = runWith(input, out, join(dir, 'k.key'), ['--exclude', 'manifest.json']);
    expect(r.code, r.stderr).toBe(0);
    const c = checker(input, out, 'without');
    expect(c.code, `${c.report}${c.stderr}`).toBe(0);
  }, 60_000);
});
