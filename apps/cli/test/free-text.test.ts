/**
 * Free text is cleaned of what the whole run knows, not only of what its own file says: the
 * values of every file of the same patient, and every person name seen anywhere in the run,
 * whatever order the files come in and whichever run saw them first (the key keeps them).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDicom, ctInstance, type El, patientOf } from '@dcmblind/test-utils';
import { listTree, runInto, tmp } from './helpers.js';

/** One CT file of patient `pi` with some elements set (replacing the fixture's own). */
function file(pi: number, inst: number, set: El[]): Uint8Array {
  const tags = new Set(set.map(([t]) => t));
  const els = [
    ...ctInstance(patientOf(pi), pi, 0, 0, inst, {} as never).filter(([t]) => !tags.has(t)),
    ...set,
  ];
  return buildDicom(els.sort((a, b) => a[0] - b[0]));
}

function put(dir: string, rel: string, bytes: Uint8Array): void {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), bytes);
}

/** Every output file's bytes as latin-1 text, lower case. */
function outputText(out: string): string {
  return listTree(out)
    .map((p) => readFileSync(join(out, p)).toString('latin1'))
    .join('\n')
    .toLowerCase();
}

const IMAGE_COMMENTS = 0x00204000;
const OTHER_PATIENT_NAMES = 0x00101001;
const OPERATORS_NAME = 0x00081070;
const PATIENT_ADDRESS = 0x00101040;

describe('cohort-wide cleaning', () => {
  it("a nickname from one file and an operator of another patient are cut from a third file's text", () => {
    const dir = tmp('cohort-text-');
    const input = join(dir, 'in');
    // z-last: the file with the nickname comes after the text in any walk order.
    const comment = 'Bobby tolerated it; Whitfield checked. Left lobe. Moved from Quarrybank.';
    put(input, 'a/text.dcm', file(1, 0, [[IMAGE_COMMENTS, 'LT', comment]]));
    put(
      input,
      'z/names.dcm',
      file(1, 1, [
        [OTHER_PATIENT_NAMES, 'PN', 'Bobby'],
        [PATIENT_ADDRESS, 'LO', '7 Quarrybank Rd'],
      ]),
    );
    put(input, 'm/other.dcm', file(2, 0, [[OPERATORS_NAME, 'PN', 'Whitfield^Anna']]));
    const r = runInto(dir, input, ['--profile', 'research']);
    expect(r.code, r.stderr).toBe(0);
    const text = outputText(join(dir, 'out'));
    expect(text).not.toContain('bobby');
    expect(text).not.toContain('whitfield');
    expect(text).not.toContain('quarrybank'); // the patient's address, said in another file
    expect(text).toContain('tolerated it;');
    expect(text).toContain('checked. left lobe.');
  });

  it('a later run cleans new files of what an earlier run saw (kept in the key)', () => {
    const dir = tmp('cohort-later-');
    const input = join(dir, 'in');
    put(input, 'p/names.dcm', file(3, 0, [[OTHER_PATIENT_NAMES, 'PN', 'Pookie']]));
    expect(runInto(dir, input, ['--profile', 'research']).code).toBe(0);
    put(input, 'p/later.dcm', file(3, 1, [[IMAGE_COMMENTS, 'LT', 'Pookie moved during the scan']]));
    // Its nickname is in the earlier file only, which this run does not read again.
    const r = runInto(dir, input, ['--profile', 'research']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/1 written, 1 already done/);
    const text = outputText(join(dir, 'out'));
    expect(text).not.toContain('pookie');
    expect(text).toContain('moved during the scan');
  });
});
