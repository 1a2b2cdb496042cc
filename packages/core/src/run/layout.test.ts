/**
 * Path verdicts are remembered per series (run/layout.ts): a folder is judged once for the files
 * that share their values. What differs between those files — their own UIDs — must still be
 * judged file by file, whatever file came first.
 */
import { buildDicom, type El } from '@dcmblind/test-utils';
import { describe, expect, it } from 'vitest';
import { deidentify } from '../deid/deidentify.js';
import { ProjectSecret } from '../identity/secret.js';
import { resolveOptions } from '../profile/options.js';
import { compileProfile } from '../profile/rules.js';
import { outputPath } from './layout.js';

const secret = new ProjectSecret(new Uint8Array(32).fill(9));
const cfg = {
  profile: compileProfile('basic', resolveOptions('basic', [])),
  secret,
  pseudonymPrefix: 'ANON-',
  dateOffset: { min: 365, max: 1095 },
};
const uid = (n: number) => `1.2.826.0.1.3680043.10.1017.55.${n}`;

/** One file of the series: the same values but its own SOP Instance UID. */
function instance(n: number, pn = 'KOWALSKI^JAN') {
  const els: El[] = [
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'],
    [0x00080018, 'UI', uid(n)],
    [0x00080020, 'DA', '20230518'],
    [0x00100010, 'PN', pn],
    [0x00100020, 'LO', 'PID-4471'],
    [0x0020000d, 'UI', uid(0)],
  ];
  // A name outside Latin-1 travels as UTF-8, declared.
  const utf8 = /[^\x00-\xff]/.test(pn);
  if (utf8) els.unshift([0x00080005, 'CS', 'ISO_IR 192']);
  const r = deidentify(
    buildDicom(els, utf8 ? { encode: (s: string) => new Uint8Array(Buffer.from(s, 'utf8')) } : {}),
    cfg,
  );
  if (r.status !== 'written') throw new Error(r.reason);
  return r;
}

function pathOf(n: number, relPath: string, pn?: string): string[] {
  const r = instance(n, pn);
  return outputPath('mirror', relPath, r.facts, secret, { lexicons: r.lexicons }).path.split('/');
}

describe("a patient's initials in a path", () => {
  // KOWALSKI^JAN: JK and KJ, with dots or without.
  it.each([
    ['JK_2023'],
    ['KJ'],
    ['J.K.'],
    ['MR_JK_brain'],
    ['scan JK'],
    ['jk_2023'],
    ['2023JK'],
    ['J_K_2023'],
    ['jk-notes'],
  ])('%s names the patient', (folder) => {
    const [first] = pathOf(1, `${folder}/series-7/IMG0001.dcm`);
    expect(first).toMatch(/^ANON-/);
  });
  it.each([['YI_2023'], ['IY'], ['JI'], ['ЮИ_2023'], ['YuI_2023'], ['IYu']])(
    '%s names ИВАНОВ^ЮРИЙ (initials in Latin letters too)',
    (folder) => {
      const [first] = pathOf(1, `${folder}/series-7/IMG0001.dcm`, 'ИВАНОВ^ЮРИЙ');
      expect(first).toMatch(/^ANON-/);
    },
  );
  it.each([['CT_2023'], ['JKL'], ['AX_T1'], ['la_notes'], ['MR']])('%s does not', (folder) => {
    const [first] = pathOf(1, `${folder}/series-7/IMG0001.dcm`);
    expect(first).toBe(folder);
  });
});

describe('mirror paths of a series', () => {
  it("replaces any UID in a folder name, its own or another file's, whichever file came first", () => {
    for (const order of [
      [1, 2, 1, 2],
      [2, 1, 2, 1],
    ]) {
      for (const n of order) {
        const [patient, own, other, study, series, file] = pathOf(
          n,
          `Kowalski/${uid(n)}/${uid(3 - n)}/${uid(0)}/series-7/IMG0001.dcm`,
        );
        expect(patient).toMatch(/^ANON-/);
        expect(own).not.toContain(uid(n)); // this file's own UID: replaced
        expect(other).not.toContain(uid(3 - n)); // another file's UID: replaced too (a UID shape)
        expect(study).not.toContain(uid(0)); // the study UID: replaced for every file
        expect(series).toBe('series-7');
        expect(other).not.toBe(own); // labels keyed by the folder, not one for every UID
        expect(file).toBe('IMG0001.dcm');
      }
    }
  });
});

describe("a patient's several folders", () => {
  it("get a suffix that is no part of the label a stranger's file in that folder gets", () => {
    const r = instance(1);
    const suffixed = new Set([`Kowalski\0${r.facts.patient.key}`]);
    const [folder] = outputPath('mirror', 'Kowalski/series-7/IMG0001.dcm', r.facts, secret, {
      lexicons: r.lexicons,
      suffixed,
    }).path.split('/');
    const suffix = (folder as string).slice(r.facts.patient.pseudonym.length + 1);
    expect(folder).toBe(`${r.facts.patient.pseudonym}-${suffix}`);
    expect(suffix).toMatch(/^[0-9A-Z]{6}$/);
    // The label of the folder itself (what a stranger's file there is written under).
    expect(secret.label('path', 'Kowalski')).not.toContain(suffix);
  });
});
