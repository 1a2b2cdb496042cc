import { describe, expect, it } from 'vitest';
import { scopeOfClass, type Typed, type TypeCode } from './iod.js';
import { resolveOptions } from './options.js';
import { resolveByType } from './resolve.js';
import type { Action, Rule } from './rules.js';

const typed = (type: TypeCode): Typed => ({ type, where: 'Some Module', items: undefined });
const combined = (code: NonNullable<Rule['code']>, fallback: Action): Rule => ({
  action: fallback,
  source: 'Some Attribute',
  code,
});

describe('combined codes by Type (PS3.15 E.1.1: Type 1 → D, Type 2 → Z, Type 3 → X)', () => {
  // Each row: code, its type-unknown fallback, then the action for Types 1, 1C, 2, 2C, 3.
  it.each([
    ['X/Z', 'Z', ['D', 'D', 'Z', 'Z', 'X']],
    ['X/D', 'D', ['D', 'D', 'Z', 'Z', 'X']],
    ['X/Z/D', 'D', ['D', 'D', 'Z', 'Z', 'X']],
    ['Z/D', 'D', ['D', 'D', 'Z', 'Z', 'Z']],
    ['X/Z/U*', 'U', ['U', 'U', 'U', 'U', 'X']],
  ] as const)('%s (fallback %s) becomes %j', (code, fallback, want) => {
    const got = (['1', '1C', '2', '2C', '3'] as const).map(
      (t) => resolveByType(combined(code, fallback), typed(t)).action,
    );
    expect(got).toEqual(want);
  });

  it('raises a plain removal or emptying the Type does not allow, and removes an emptied Type 3', () => {
    const plain = (action: Action, t: TypeCode) =>
      resolveByType({ action, source: 'Some Attribute' }, typed(t)).action;
    expect((['1', '2', '3'] as const).map((t) => plain('X', t))).toEqual(['D', 'Z', 'X']);
    expect((['1', '2', '3'] as const).map((t) => plain('Z', t))).toEqual(['D', 'Z', 'X']);
    expect((['1', '2', '3'] as const).map((t) => plain('K', t))).toEqual(['K', 'K', 'K']);
  });

  it('says why: code, action, Type and module; and the fallback where the Type is unknown', () => {
    expect(resolveByType(combined('X/Z', 'Z'), typed('3')).why).toBe('X/Z → X: Type 3 in Some Module');
    const unknown = resolveByType(combined('X/Z/D', 'D'), undefined);
    expect(unknown.action).toBe('D');
    expect(unknown.why).toMatch(/^X\/Z\/D → D: Type unknown here/);
    const plain: Rule = { action: 'X', source: 'Some Attribute' };
    expect(resolveByType(plain, undefined)).toBe(plain);
  });

  it('finds Types where the standard gives them (CT Image IOD)', () => {
    const ct = scopeOfClass('1.2.840.10008.5.1.4.1.1.2');
    expect(ct?.lookup(0x00080020)?.type).toBe('2'); // Study Date, General Study
    expect(ct?.lookup(0x00080022)?.type).toBe('3'); // Acquisition Date, General Image
    expect(ct?.lookup(0x00080018)?.type).toBe('1'); // SOP Instance UID, SOP Common
    expect(scopeOfClass('1.3.12.2.1107.5.9.1')).toBeUndefined(); // a private SOP Class
  });
});

describe('the blinding profile and the options that would contradict it', () => {
  it.each(['retain-long-full-dates', 'retain-long-modified-dates', 'retain-patient-characteristics'])(
    'refuses %s with blinding',
    (o) => {
      expect(() => resolveOptions('blinding', [o])).toThrow(/the blinding profile empties every date/);
      expect(() => resolveOptions('basic', [o])).not.toThrow();
    },
  );
});
