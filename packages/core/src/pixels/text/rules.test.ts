/**
 * Region rules: the built-in library (converted from CTP's) loads and names real devices; a
 * user's file is checked with errors that name the rule and the field; conditions read text,
 * binary numbers and the file meta group, and combine with all/any/not as CTP's script does.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDicom, type El, testDir } from '@dcmblind/test-utils';
import { describe, expect, it } from 'vitest';
import { parseFile } from '../../dicom/reader.js';
import { BUILT_IN_RULES, loadRules, type RegionRule, regionsFor } from './rules.js';

const file = (els: El[]) =>
  parseFile(
    buildDicom([
      [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.6.1'],
      [0x00080018, 'UI', '1.2.3.4.5'],
      [0x00080060, 'CS', 'US'],
      ...els,
    ]),
  );

const rule = (when: RegionRule['when'], regions: RegionRule['regions'] = [[0, 0, 640, 40]]): RegionRule => ({
  when,
  regions,
});

describe('region rules', () => {
  it('loads the built-in library with its devices and rectangles', () => {
    const rules = loadRules(BUILT_IN_RULES);
    expect(rules.length).toBeGreaterThanOrEqual(50);
    const logiq = rules.find((r) => JSON.stringify(r.when).includes('LOGIQ9'));
    expect(logiq?.regions).toEqual([[0, 0, 640, 40]]);
  });

  it('matches text, binary numbers and the meta group, with all/any/not', () => {
    const p = file([
      [0x00080070, 'LO', 'GE Healthcare '],
      [0x00081090, 'LO', 'LOGIQ9'],
      [0x00280010, 'US', Uint8Array.of(480 & 0xff, 480 >> 8)],
      [0x00080008, 'CS', 'ORIGINAL\\PRIMARY'],
    ]);
    const manufacturer = { tag: '00080070', op: 'containsIgnoreCase', value: 'ge health' } as const;
    const rows = { tag: '00280010', op: 'equals', value: '480' } as const;
    const implementation = {
      tag: '00020012',
      op: 'startsWith',
      value: '1.2.826.0.1.3680043.9.9999',
    } as const;
    expect(regionsFor(p, [rule({ all: [manufacturer, rows, implementation] }, [[10, 20, 30, 40]])])).toEqual([
      { x0: 10, y0: 20, x1: 40, y1: 60 },
    ]);
    expect(regionsFor(p, [rule({ tag: '00080070', op: 'equals', value: 'ge healthcare' })])).toEqual([]);
    expect(regionsFor(p, [rule({ tag: '00080008', op: 'contains', value: 'PRIMARY' })])).toHaveLength(1);
    expect(
      regionsFor(p, [rule({ any: [{ not: rows }, { tag: '00181030', op: 'contains', value: '' }] })]),
    ).toEqual([]);
    expect(regionsFor(p, [rule({ not: { tag: '00181030', op: 'contains', value: '' } })])).toHaveLength(1);
  });

  it('names the rule and the field of a bad rules file', () => {
    const dir = testDir('rules-');
    const bad = (rules: unknown) => {
      const f = join(dir, 'r.json');
      writeFileSync(f, JSON.stringify({ rules }));
      return () => loadRules(f);
    };
    expect(bad([rule({ tag: '0008,0070', op: 'equals', value: 'x' })])).toThrow(
      /rules\[0\]\.when: "tag" must be 8 hexadecimal digits/,
    );
    expect(bad([rule({ all: [{ tag: '00080070', op: 'like', value: 'x' }] } as never)])).toThrow(
      /rules\[0\]\.when\.all\[0\]: "op" must be one of/,
    );
    expect(bad([{ when: { tag: '00080070', op: 'equals', value: 'x' }, regions: [[0, 0, 10]] }])).toThrow(
      /rules\[0\]\.regions/,
    );
    const notJson = join(dir, 'n.json');
    writeFileSync(notJson, '{ rules: [');
    expect(() => loadRules(notJson)).toThrow(/not readable as JSON/);
  });
});

describe('rules file mistakes a user makes', () => {
  const dir = testDir('rules-typos-');
  const loadWith = (rules: unknown) => {
    const f = join(dir, `r${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(f, JSON.stringify({ rules }));
    return () => loadRules(f);
  };
  const test = { tag: '00080060', op: 'equals', value: 'US' };
  it('names a misspelt kind, a mixed condition, a list where an object goes, unknown fields', () => {
    expect(loadWith([{ when: { alll: [test] }, regions: [[0, 0, 1, 1]] }])).toThrow(
      /rules\[0\]\.when: no "all", "any", "not" or "tag" \(found "alll"\)/,
    );
    expect(loadWith([{ when: { all: [test], any: [test] }, regions: [[0, 0, 1, 1]] }])).toThrow(
      /not "all" and "any" together/,
    );
    expect(loadWith([{ when: { not: [test] }, regions: [[0, 0, 1, 1]] }])).toThrow(
      /rules\[0\]\.when\.not: a condition must be an object/,
    );
    expect(loadWith([{ when: test, regoins: [[0, 0, 1, 1]] }])).toThrow(
      /rules\[0\]: unknown field "regoins"/,
    );
    expect(loadWith([{ when: { ...test, extra: 1 }, regions: [[0, 0, 1, 1]] }])).toThrow(
      /unknown field "extra"/,
    );
  });
});
