/**
 * A recipe's parts the engine relies on: selectors (top level, inside sequences, any depth),
 * which rule wins where, the profile and options a recipe settles, and the identifying choices.
 */
import { describe, expect, it } from 'vitest';
import { compileRecipe } from './compile.js';
import { identifyingChoices } from './identifying.js';
import type { Recipe } from './load.js';
import { parseRecipe } from './schema.js';
import { parseSelector } from './selector.js';
import { settleProfile } from './settle.js';

const recipe = (text: string): Recipe => {
  const body = parseRecipe(text, 'r.yaml');
  return { ...body, file: 'r.yaml', name: 'r.yaml', sha256: 'x', identifying: identifyingChoices(body) };
};

describe('recipes', () => {
  it('reads selectors by keyword or tag, nested or at any depth, and refuses the rest', () => {
    expect(parseSelector('StudyDescription')).toEqual({ within: [], tag: 0x00081030, anyDepth: false });
    expect(parseSelector('(0008,1030)')).toEqual(parseSelector('00081030'));
    expect(parseSelector('RequestAttributesSequence/RequestedProcedureID')).toEqual({
      within: [0x00400275],
      tag: 0x00401001,
      anyDepth: false,
    });
    expect(parseSelector('**/CodeMeaning')).toEqual({ within: [], tag: 0x00080104, anyDepth: true });
    expect(parseSelector('StudyDate/CodeMeaning')).toMatch(/not a sequence/);
    expect(parseSelector('(0009,1001)')).toMatch(/private/);
    expect(parseSelector('(0002,0010)')).toMatch(/file meta/);
    expect(parseSelector('**/A/B')).toMatch(/after \*\* give one attribute/);
  });

  it('finds the rule where the element stands: the exact place first, then any depth', () => {
    const c = compileRecipe(
      recipe(`format: 1
attributes:
  CodeMeaning: keep
  "**/CodeMeaning": remove
  AnatomicRegionSequence/CodeMeaning: dummy
`),
    );
    // Kept free text is still cleaned (C), as the profile's C cleans it.
    expect(c.ruleAt([], 0x00080104)?.action).toBe('C');
    expect(c.ruleAt([0x00082218], 0x00080104)?.action).toBe('D');
    expect(c.ruleAt([0x00400275, 0x00321064], 0x00080104)?.code).toBe('X/Z/D');
    expect(c.ruleAt([], 0x00081030)).toBeUndefined();
  });

  it('settles profile, options and dates; a --profile that differs is refused', () => {
    const r = recipe('format: 1\nprofile: research\ndates: keep\noptions: [retain-safe-private]\n');
    const s = settleProfile(r, { profile: 'basic', profileGiven: false, options: ['clean-graphics'] });
    expect(s.profile).toBe('research');
    expect(s.options).toContain('retain-long-full-dates');
    expect(s.options).not.toContain('retain-long-modified-dates');
    expect(s.options).toEqual(expect.arrayContaining(['retain-safe-private', 'clean-graphics']));
    expect(() => settleProfile(r, { profile: 'basic', profileGiven: true, options: [] })).toThrow(
      /says profile research and the command line --profile basic/,
    );
    const blind = recipe('format: 1\nprofile: blinding\ndates: shift\n');
    expect(() => settleProfile(blind, { profile: 'basic', profileGiven: false, options: [] })).toThrow(
      /does not go with the blinding profile/,
    );
  });

  it('names each choice that keeps a direct identifier, with its line', () => {
    const r = recipe(
      'format: 1\noptions: [retain-uids]\nattributes:\n  PatientBirthDate: keep\n  StudyInstanceUID: keep\n  ImageType: keep\n  StudyDescription: keep\n  StudyDate: keep\n',
    );
    expect(r.identifying).toEqual([
      'line 4: PatientBirthDate: keep (a direct identifier)',
      'line 5: StudyInstanceUID: keep (the source UID)',
      'line 8: StudyDate: keep (a date as it was)',
      'options: retain-uids (the source UIDs)',
    ]);
  });
});
