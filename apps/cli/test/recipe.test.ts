/**
 * Project recipes (`--recipe`, `dcmblind recipe init|check`) on pydicom's real CT and MR
 * (test-data/python/recipe_inputs.py): each action on a top-level attribute and on one inside a
 * sequence, read back with pydicom and compared with the source's values; the clinical-trial
 * attributes written; dciodvfy finds no new error; a changed recipe refused on rerun; a recipe
 * that keeps PatientName refused without --allow-identifying and recorded with it; a subjects
 * table naming the patients it lists, a patient missing from it failed; errors naming the line.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pythonWith } from '@dcmblind/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { dcmblind, HAVE_DCIODVFY, keytool, newErrorsIn, PASSPHRASE, runWith, tmp } from './helpers.js';

const PY = pythonWith('pydicom');
if ((!PY || !HAVE_DCIODVFY) && process.env.CI)
  throw new Error('CI needs python3-pydicom and dicom3tools (.ci/run)');
const script = (name: string) => fileURLToPath(new URL(`../../../test-data/python/${name}`, import.meta.url));

const VERIFY = fileURLToPath(new URL('../../verify/dist/main.js', import.meta.url));
const RAS = 'RequestAttributesSequence';
/** One action of each kind at the top level and inside a sequence, and the clinical-trial block. */
const RECIPE = `format: 1
project: TRIAL-9
site: S07
attributes:
  StudyDescription: keep
  ${RAS}: keep
  ${RAS}/RequestedProcedureDescription: keep
  SliceLocation: remove
  ${RAS}/ReasonForTheRequestedProcedure: remove
  Manufacturer: empty
  ${RAS}/ScheduledProcedureStepDescription: empty
  InstitutionalDepartmentName: dummy
  ${RAS}/RequestedProcedureID: dummy
  InstitutionName: {replace: "{site}"}
  ${RAS}/ScheduledProcedureStepID: {replace: "{site}-1"}
clinicalTrial:
  sponsorName: ACME PHARMA
  protocolId: "{project}"
  siteId: "{site}"
  timePointId: BASELINE
`;
const PATHS = [
  'StudyDescription',
  `${RAS}/RequestedProcedureDescription`,
  'SliceLocation',
  `${RAS}/ReasonForTheRequestedProcedure`,
  'Manufacturer',
  `${RAS}/ScheduledProcedureStepDescription`,
  'InstitutionalDepartmentName',
  `${RAS}/RequestedProcedureID`,
  'InstitutionName',
  `${RAS}/ScheduledProcedureStepID`,
  'PatientID',
  'PatientName',
  'PatientIdentityRemoved',
  'ClinicalTrialSponsorName',
  'ClinicalTrialProtocolID',
  'ClinicalTrialProtocolName',
  'ClinicalTrialSiteID',
  'ClinicalTrialSiteName',
  'ClinicalTrialSubjectID',
  'ClinicalTrialTimePointID',
];

function values(file: string): Record<string, string | null> {
  return JSON.parse(execFileSync(PY as string, [script('dump_values.py'), file, ...PATHS]).toString());
}

describe.skipIf(!PY)('recipes', () => {
  let input: string;
  let source: Record<string, string>;
  beforeAll(() => {
    const dir = tmp('recipe-');
    input = join(dir, 'in');
    execFileSync(PY as string, [script('recipe_inputs.py'), input]);
    source = JSON.parse(readFileSync(join(dir, 'values.json'), 'utf8'));
  });

  it('applies each action at the top level and in a sequence, writes the trial attributes; valid', async () => {
    const dir = tmp('recipe-run-');
    const recipe = join(dir, 'study.yaml');
    writeFileSync(recipe, RECIPE);
    const out = join(dir, 'out');
    const key = join(dir, 'k.key');
    const r = runWith(input, out, key, ['--recipe', recipe]);
    expect(r.code, r.stderr).toBe(0);
    const v = values(join(out, 'ct.dcm'));
    const s = (k: string) => source[k] as string;
    // keep: the source's value, where the profile would remove it.
    expect(v.StudyDescription).toBe(s('StudyDescription'));
    expect(v[`${RAS}/RequestedProcedureDescription`]).toBe(s(`${RAS}/RequestedProcedureDescription`));
    // remove (Type 3 here): absent.
    expect(v.SliceLocation).toBeNull();
    expect(v[`${RAS}/ReasonForTheRequestedProcedure`]).toBeNull();
    // empty: present, no value (Manufacturer is Type 2).
    expect(v.Manufacturer).toBe('');
    expect(v[`${RAS}/ScheduledProcedureStepDescription`]).toBe('');
    // dummy: a value, not the source's.
    for (const k of ['InstitutionalDepartmentName', `${RAS}/RequestedProcedureID`]) {
      expect(v[k], k).toBeTruthy();
      expect(v[k], k).not.toBe(s(k));
    }
    // replace: the template filled.
    expect(v.InstitutionName).toBe('S07');
    expect(v[`${RAS}/ScheduledProcedureStepID`]).toBe('S07-1');
    // The clinical-trial attributes; the subject is the pseudonym; Type 2 ones present, empty.
    expect(v.PatientID).toMatch(/^ANON-[0-9A-Z]{16}$/);
    expect(v).toMatchObject({
      ClinicalTrialSponsorName: 'ACME PHARMA',
      ClinicalTrialProtocolID: 'TRIAL-9',
      ClinicalTrialProtocolName: '',
      ClinicalTrialSiteID: 'S07',
      ClinicalTrialSiteName: '',
      ClinicalTrialSubjectID: v.PatientID,
      ClinicalTrialTimePointID: 'BASELINE',
      PatientIdentityRemoved: 'YES',
    });
    if (HAVE_DCIODVFY) expect(Object.fromEntries(await newErrorsIn(key, out))).toEqual({});
    // The QA scan: without the recipe, what it kept is a finding (the profile removes it) and the
    // scan says a recipe made the output; with it, those are the recipe's choices, for review.
    const qa = (more: string[]) => {
      const report = join(dir, `qa${more.length}.json`);
      const args = [VERIFY, out, '--source', input, '--key', key, '--no-ocr', '--report', report, '--quiet'];
      const v = spawnSync(process.execPath, [...args, ...more], {
        encoding: 'utf8',
        env: { ...process.env, DCMBLIND_PASSPHRASE: PASSPHRASE },
      });
      const r = JSON.parse(readFileSync(report, 'utf8')) as {
        findings: { rule: string; element: string }[];
        review: { rule: string; element: string; detail: string }[];
      };
      return { code: v.status, ...r };
    };
    const without = qa([]);
    expect(without.findings.map((f) => `${f.rule} ${f.element}`)).toContain(
      'profile-removed-present StudyDescription',
    );
    expect(without.review.map((f) => f.rule)).toContain('recipe-not-given');
    const judged = qa(['--recipe', recipe]);
    expect(judged.findings).toEqual([]);
    expect(judged.code).toBe(0);
    expect(judged.review.find((f) => f.element === 'StudyDescription')?.detail).toMatch(
      /^keep by the recipe study\.yaml \(line 5: StudyDescription\) — profile-removed-present/,
    );
    // The recipe's hash is the output's configuration: a changed recipe is refused on rerun.
    const manifest = JSON.parse(readFileSync(join(out, '.dcmblind', 'manifest.json'), 'utf8'));
    expect(manifest.recipe.name).toBe('study.yaml');
    writeFileSync(recipe, RECIPE.replace('StudyDescription: keep', 'StudyDescription: remove'));
    const again = runWith(input, out, key, ['--recipe', recipe]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /made with another recipe or subjects table \(it was made with study\.yaml sha256 [0-9a-f]{12}…\)/,
    );
    // Nor does the QA scan take another recipe than the one that made the output.
    const other = spawnSync(process.execPath, [VERIFY, out, '--recipe', recipe, '--no-ocr'], {
      encoding: 'utf8',
    });
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/is not the recipe that made/);
  }, 120_000);

  it('refuses a recipe that keeps PatientName unless --allow-identifying, then says and records it', () => {
    const dir = tmp('recipe-identifying-');
    const recipe = join(dir, 'keep-name.yaml');
    writeFileSync(recipe, 'format: 1\nattributes:\n  PatientName: keep\n');
    const out = join(dir, 'out');
    const refused = runWith(input, out, join(dir, 'k.key'), ['--recipe', recipe]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /keeps direct identifiers — line 3: PatientName: keep.*--allow-identifying/,
    );
    const allowed = runWith(input, out, join(dir, 'k.key'), ['--recipe', recipe, '--allow-identifying']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toMatch(/WARNING: --allow-identifying: .*line 3: PatientName: keep/);
    const v = values(join(out, 'ct.dcm'));
    expect(v.PatientName).toBe('NOWAK^EWA');
    expect(v.PatientIdentityRemoved).toBe('NO');
    const manifest = JSON.parse(readFileSync(join(out, '.dcmblind', 'manifest.json'), 'utf8'));
    expect(manifest.allowIdentifying).toEqual(['line 3: PatientName: keep (a direct identifier)']);
    // The custodian sees which recipe made the run, and what it was allowed to keep.
    const info = keytool(['info', join(dir, 'k.key')]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(
      /recipe: keep-name\.yaml sha256 [0-9a-f]{64} \(run .+\); kept identifiers allowed: line 3: PatientName: keep/,
    );
  }, 60_000);

  it('names listed patients by the subjects table; a patient missing from it fails, never falls back', () => {
    const dir = tmp('recipe-subjects-');
    const recipe = join(dir, 'trial.yaml');
    writeFileSync(
      recipe,
      'format: 1\nsubjects: subjects.csv\nclinicalTrial:\n  sponsorName: ACME\n  protocolId: P-1\n',
    );
    writeFileSync(join(dir, 'subjects.csv'), 'PatientID,SubjectID\nPX-100,SUBJ-001\n');
    const out = join(dir, 'out');
    const key = join(dir, 'k.key');
    const r = runWith(input, out, key, ['--recipe', recipe, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /mr\.dcm: its PatientID is not in the subjects table of the recipe trial\.yaml \(subjects\.csv\)/,
    );
    expect(r.stderr).not.toContain('PX-200');
    const ct = values(join(out, 'ct.dcm'));
    expect([ct.PatientID, ct.PatientName, ct.ClinicalTrialSubjectID]).toEqual([
      'SUBJ-001',
      'SUBJ-001',
      'SUBJ-001',
    ]);
    // The QA scan names outputs by subject ID when given the recipe (the trial chose them), and
    // hashes an ID it cannot tell from a patient's without it.
    const labels = (more: string[]) => {
      const report = join(dir, `labels${more.length}.json`);
      spawnSync(process.execPath, [VERIFY, out, '--no-ocr', '--quiet', '--report', report, ...more], {
        encoding: 'utf8',
      });
      return Object.keys((JSON.parse(readFileSync(report, 'utf8')) as { byPseudonym: object }).byPseudonym);
    };
    // A finding to count by patient: the source's PatientID planted back into a free-text field.
    execFileSync(PY as string, [
      '-c',
      'import sys, pydicom\nds = pydicom.dcmread(sys.argv[1])\nds.ImageComments = "ref PX-100"\nds.save_as(sys.argv[1])',
      join(out, 'ct.dcm'),
    ]);
    expect(labels(['--recipe', recipe, '--source', input])).toContain('SUBJ-001');
    const without = labels(['--source', input]);
    expect(without).not.toContain('SUBJ-001');
    expect(without.some((l) => /^\[not a pseudonym [0-9a-f]+\]$/.test(l))).toBe(true);
    // Two patients under one subject ID would mix their files: refused before anything is read.
    writeFileSync(join(dir, 'subjects.csv'), 'PatientID,SubjectID\nPX-100,SUBJ-001\nPX-200,SUBJ-001\n');
    const twice = runWith(input, join(dir, 'out2'), key, ['--recipe', recipe]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/subjects\.csv:3: subject ID SUBJ-001 is given to two patients/);
    // A subject ID that is a source PatientID would put a real identifier in the output.
    writeFileSync(join(dir, 'subjects.csv'), 'PatientID,SubjectID\nPX-100,PX-200\nPX-200,SUBJ-002\n');
    const real = runWith(input, join(dir, 'out3'), key, ['--recipe', recipe]);
    expect(real.code).toBe(2);
    expect(real.stderr).toMatch(/another patient's PatientID: subject IDs must not be source IDs/);
  }, 60_000);

  it('recipe init writes a starter that checks and runs; check names the line of each mistake', () => {
    const dir = tmp('recipe-cli-');
    const file = join(dir, 'starter.yaml');
    expect(dcmblind(['recipe', 'init', file]).code).toBe(0);
    const again = dcmblind(['recipe', 'init', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists: choose another name \(it is not overwritten\)/);
    const check = dcmblind(['recipe', 'check', file]);
    expect(check.code, check.stderr).toBe(0);
    // JSON is read as well (it is YAML), its mistakes by line too.
    const json = join(dir, 'recipe.json');
    writeFileSync(json, '{\n  "format": 1,\n  "attributes": {"StudyDescription": "keep"}\n}\n');
    expect(dcmblind(['recipe', 'check', json]).code).toBe(0);
    writeFileSync(json, '{\n  "format": 1,\n  "attributes": {"StudyDescription": "kepp"}\n}\n');
    expect(dcmblind(['recipe', 'check', json]).stderr).toMatch(/recipe\.json:3: unknown action "kepp"/);
    expect(check.stdout).toMatch(/valid \(format 1, sha256 [0-9a-f]{64}\)/);
    const run = runWith(input, join(dir, 'out'), join(dir, 'k.key'), ['--recipe', file]);
    expect(run.code, run.stderr).toBe(0);
    const mistakes: Array<[string, RegExp]> = [
      [
        'format: 1\nattributes:\n  StudyDescription: keep\n  SeriesDescriptoin: keep\n',
        /:4: "SeriesDescriptoin" is no keyword/,
      ],
      ['format: 1\nattributes:\n  StudyDescription: kept\n', /:3: unknown action "kept"/],
      ['format: 1\nprofiles: research\n', /:2: unknown key "profiles"/],
      [
        'format: 1\nattributes:\n  StudyDescription: keep\n  StudyDescription: remove\n',
        /:4: .*[Mm]ap keys must be unique/,
      ],
      [
        'format: 1\nattributes:\n  StudyID: {replace: "{pseudonym}"}\n',
        /StudyID.*up to 21 characters; SH holds 16/,
      ],
      ['format: 1\nattributes:\n  StudyDate/CodeMeaning: keep\n', /:3: \(0008,0020\) is not a sequence/],
      [
        'format: 1\nattributes:\n  (0019,1023): keep\n',
        /:3: \(0019,1023\) is private: list safe private elements under safePrivate/,
      ],
      ['format: 1\nclinicalTrial:\n  protocolId: P\n', /:3: clinicalTrial needs sponsorName/],
      ['attributes: {}\n', /:1: say "format: 1"/],
      [
        'format: 1\nattributes:\n  StudyDate: {replace: "S07"}\n',
        /:3: StudyDate \(DA\): "S07" is not a valid DA value/,
      ],
      [
        'format: 1\nattributes:\n  PatientID: {replace: "MRN4471923"}\n',
        /:3: PatientID: a replace without \{pseudonym\} would give every patient the same value/,
      ],
      [
        'format: 1\nattributes:\n  StudyDescription: keep\n  (0008,1030): remove\n',
        /:4: \(0008,1030\) is the attribute of line 3/,
      ],
      ['format: 1\nattributes:\n  SOPClassUID: remove\n', /:3: SOPClassUID is written by dcmblind/],
    ];
    for (const [text, message] of mistakes) {
      writeFileSync(file, text);
      const c = dcmblind(['recipe', 'check', file]);
      expect(c.code, text).toBe(2);
      expect(c.stderr, text).toMatch(message);
    }
  }, 60_000);
});
