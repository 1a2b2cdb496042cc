import { describe, expect, it } from 'vitest';
import { compileProfile, resolveCombined } from './rules.js';
import { loadTable } from './table.js';
import { resolveOptions } from './options.js';

const tag = (s: string) => parseInt(s, 16) >>> 0;

describe('Table E.1-1 compiled into rules', () => {
  it('loads all 621 rows from the shipped copy', () => {
    expect(loadTable()).toHaveLength(621);
  });

  it.each([
    ['X/Z', 'Z'],
    ['X/D', 'D'],
    ['X/Z/D', 'D'],
    ['Z/D', 'D'],
    ['X/Z/U*', 'U'],
    ['X', 'X'],
    ['K', 'K'],
  ] as const)('combined code %s resolves to %s (D over Z over X)', (code, want) =>
    expect(resolveCombined(code)).toBe(want),
  );

  const basic = compileProfile('basic', resolveOptions('basic', []));
  const research = compileProfile('research', resolveOptions('research', []));
  const full = compileProfile(
    'x',
    resolveOptions('basic', [
      'retain-long-full-dates',
      'retain-institution-identity',
      'clean-graphics',
      'retain-uids',
    ]),
  );

  it.each([
    ['00100010', 'Z', 'Z', 'Z'], // Patient's Name
    ['00080050', 'Z', 'Z', 'Z'], // Accession Number
    ['00080020', 'Z', 'C', 'K'], // Study Date
    ['00080080', 'D', 'D', 'K'], // Institution Name X/Z/D
    ['00081030', 'X', 'C', 'X'], // Study Description
    ['00081140', 'U', 'U', 'K'], // Referenced Image Sequence X/Z/U*
    ['0020000D', 'U', 'U', 'K'], // Study Instance UID
    ['00101010', 'X', 'K', 'X'], // Patient's Age
    ['60023000', 'X', 'X', 'C'], // Overlay Data, repeating group
    ['60020010', 'X', 'X', 'K'], // Overlay Rows: goes with its overlay group
    ['50000010', 'X', 'X', 'C'], // Curve data (50xx,xxxx)
  ])('%s: basic %s, research %s, full dates + institution + graphics + UIDs %s', (t, b, r, f) => {
    expect(basic.ruleFor(tag(t))?.action).toBe(b);
    expect(research.ruleFor(tag(t))?.action).toBe(r);
    expect(full.ruleFor(tag(t))?.action).toBe(f);
  });

  it('removes private attributes and says how dates are handled', () => {
    expect(basic.privateRule.action).toBe('X');
    expect([basic.dates, research.dates, full.dates]).toEqual(['remove', 'shift', 'keep']);
  });

  it('refuses unknown names and contradictory date options', () => {
    expect(() => resolveOptions('nope', [])).toThrow(/unknown profile/);
    expect(() => resolveOptions('basic', ['retain-everything'])).toThrow(/unknown option/);
    expect(() => resolveOptions('research', ['retain-long-full-dates'])).toThrow(/exclude each other/);
  });
});
