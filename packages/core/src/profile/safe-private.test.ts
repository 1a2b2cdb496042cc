/**
 * Table E.3.10-1 as the engine reads it: every entry keyed by group, creator and offset (the
 * block a creator holds in a file is not part of the key), creators compared as the standard
 * says (LO padding aside, case counts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { creatorName, SAFE_PRIVATE_URL, safeKey, safePrivateTable } from './safe-private.js';

describe('safe private table', () => {
  it('holds every entry of the shipped table, by group, creator and offset', () => {
    const doc = JSON.parse(readFileSync(SAFE_PRIVATE_URL, 'utf8')) as { edition: string; entries: unknown[] };
    expect(doc.edition).toMatch(/2020/);
    expect(safePrivateTable().size).toBe(doc.entries.length);
    expect(safePrivateTable().get(safeKey(0x0019, 'GEMS_ACQU_01', 0x23))?.meaning).toMatch(/Table Speed/);
    expect(safePrivateTable().get(safeKey(0x0019, 'SIEMENS MR HEADER', 0x0c))?.vr).toBe('IS');
    // The same offset under another creator, or in another group, is another element.
    expect(safePrivateTable().get(safeKey(0x0019, 'GEMS_IDEN_01', 0x23))).toBeUndefined();
    expect(safePrivateTable().get(safeKey(0x0021, 'GEMS_ACQU_01', 0x23))).toBeUndefined();
  });

  it('compares creators without their padding, with their case', () => {
    expect(creatorName('GEMS_PARM_01 ')).toBe('GEMS_PARM_01');
    expect(creatorName('GEMS_PARM_01\0')).toBe('GEMS_PARM_01');
    expect(creatorName(' SIEMENS MR HEADER ')).toBe('SIEMENS MR HEADER');
    expect(creatorName('gems_parm_01')).not.toBe('GEMS_PARM_01');
  });
});
