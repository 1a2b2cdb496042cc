/**
 * Identifying text anywhere (issue 16's acceptance): pydicom's real files with one planted
 * patient each — names of relatives, GP, nickname, initials, the birth date in a dozen written
 * forms, phones, addresses, e-mail, URLs, titled and honorific names, CJK names and dates — in
 * every free-text and coded place, top level and nested, in Latin-1, UTF-8 and ISO 2022 files
 * (test-data/python/plant_phi.py). An independent checker (check_planted.py) searches every
 * output byte, decoded text and path for every planted value; innocent clinical phrases must
 * come out byte-identical, SR subject characteristics must follow the profile. dciodvfy must
 * find no error the planted source did not have.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { pythonWith } from '@dcmblind/test-utils';
import { HAVE_DCIODVFY, newErrorsIn, runWith, tmp } from './helpers.js';

const PY = pythonWith('pydicom');
if ((!PY || !HAVE_DCIODVFY) && process.env.CI)
  throw new Error('CI needs python3-pydicom and dicom3tools (.ci/run)');
const script = (name: string) => fileURLToPath(new URL(`../../../test-data/python/${name}`, import.meta.url));
/**
 * A typical project recipe: descriptions kept, the institution replaced by the site code, one
 * attribute more removed, clinical-trial attributes written.
 */
const TYPICAL_RECIPE = `format: 1
site: SITE-07
project: PLANTED
attributes:
  StudyDescription: keep
  SeriesDescription: keep
  InstitutionName: {replace: "{site}"}
  "**/OperatorsName": remove
clinicalTrial:
  sponsorName: ACME
  protocolId: "{project}"
  siteId: "{site}"
`;

/** The profiles, and research with the Retain Safe Private Option and a typical recipe. */
const RUNS = [
  { profile: 'basic', options: [], recipe: false },
  { profile: 'research', options: [], recipe: false },
  { profile: 'blinding', options: [], recipe: false },
  { profile: 'research', options: ['retain-safe-private'], recipe: true },
] as const;

describe.skipIf(!PY)('planted identities (issue 16)', () => {
  let input: string;
  beforeAll(() => {
    input = join(tmp('planted-'), 'in');
    execFileSync(PY as string, [script('plant_phi.py'), input], { stdio: 'ignore' });
  }, 120_000);

  for (const { profile, options, recipe } of RUNS) {
    const name = [profile, ...options, ...(recipe ? ['a typical recipe'] : [])].join(' + ');
    it(`${name}: no planted value in any output byte or path; innocent phrases unchanged; valid`, async () => {
      const dir = tmp(`planted-${profile}-`);
      const out = join(dir, 'out');
      const key = join(dir, 'k.key');
      const more = options.flatMap((o) => ['--option', o]);
      if (recipe) {
        writeFileSync(join(dir, 'recipe.yaml'), TYPICAL_RECIPE);
        more.push('--recipe', join(dir, 'recipe.yaml'));
      }
      const r = runWith(input, out, key, ['--profile', profile, '--layout', 'mirror', ...more]);
      expect(r.code, r.stderr).toBe(0);
      const check = spawnSync(
        PY as string,
        [script('check_planted.py'), out, join(input, 'manifest.json'), '--profile', profile],
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
      const report = JSON.parse(check.stdout) as { surviving_count: number; planted_values: number };
      expect(report.planted_values).toBeGreaterThan(500);
      expect(check.stderr.split('\n')[0], check.stdout.slice(0, 4000)).toMatch(/-> OK$/);
      expect(report.surviving_count).toBe(0);
      expect(check.status).toBe(0);
      // dciodvfy: no error line an output has that its planted source did not have
      if (HAVE_DCIODVFY) expect(Object.fromEntries(await newErrorsIn(key, out))).toEqual({});
    }, 300_000);
  }
});
