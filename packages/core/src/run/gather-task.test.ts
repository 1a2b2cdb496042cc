/**
 * The header pass must gather every file it can read, whatever its size and shape: a big file
 * whose header runs past the first read and that carries elements after its pixel data (an
 * Enhanced CT with a vendor's trailing padding) once gathered nothing, so its patient's names
 * were missing from every other file's cleaning.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDicom, type El, testDir } from '@dcmblind/test-utils';
import { describe, expect, it } from 'vitest';
import { compileProfile } from '../profile/rules.js';
import { decodeValue } from '../scrub/cohort.js';
import { gatherOne } from './gather-task.js';

const profile = compileProfile('basic', []);

function file(headerBytes: number, pixelBytes: number, trailing: boolean): El[] {
  return [
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2.1'],
    [0x00080018, 'UI', '1.2.826.0.1.3680043.2.1125.77.1'],
    [0x00081030, 'LO', 'CT CHEST'],
    [0x00090010, 'LO', 'GEMS_IDEN_01'],
    // A long header: a private block as big as a multi-frame's functional groups.
    [0x00091001, 'OB', new Uint8Array(headerBytes).fill(0x20)],
    [0x00100010, 'PN', 'KOWALSKI^JAN'],
    [0x00100020, 'LO', 'MRN778899'],
    [0x00080090, 'PN', 'NOWAK^ANNA'],
    [0x0020000d, 'UI', '1.2.826.0.1.3680043.2.1125.77'],
    [0x7fe00010, 'OW', new Uint8Array(pixelBytes).fill(7)],
    ...(trailing ? ([[0xfffcfffc, 'OB', new Uint8Array(512)]] as El[]) : []),
  ];
}

describe('gatherOne', () => {
  const dir = testDir('gather-');
  const cases: Array<[string, number, number, boolean]> = [
    ['small, read whole', 10_000, 100_000, true],
    // Past 32 MB a file is never read whole: its head and its tail are all there is.
    ['big, header in the first read, trailing padding', 10_000, 40_000_000, true],
    ['big, header past the first read, trailing padding', 600_000, 40_000_000, true],
    ['big, header past the first read, pixel data last', 600_000, 40_000_000, false],
    ['big, header past two reads, trailing padding', 2_500_000, 40_000_000, true],
  ];
  for (const [name, header, pixels, trailing] of cases) {
    it(`gathers the patient and the names of a file: ${name}`, () => {
      const path = join(dir, `${name.replace(/\W+/g, '-')}.dcm`);
      writeFileSync(path, buildDicom(file(header, pixels, trailing)));
      const g = gatherOne({ kind: 'gather', absPath: path }, profile, 'global');
      expect(g.patientKey).toBe('id\u0000MRN778899');
      const texts = g.values.map((v) => decodeValue(v).text.toUpperCase());
      expect(texts).toEqual(expect.arrayContaining(['KOWALSKI', 'JAN', 'NOWAK', 'ANNA', 'MRN778899']));
      rmSync(path);
    });
  }

  it('reads each file of a series right when the first is read as head and tail (guessed tails)', () => {
    // After a file with a tail, the next is read assuming the same tail: a wrong guess must
    // fall back, and a trailing element's name must still be gathered.
    const slice = (name: string, id: string, tail: El[]): El[] => [
      [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'],
      [0x00080018, 'UI', `1.2.826.0.1.3680043.2.1125.78.${id.length}`],
      [0x00100010, 'PN', name],
      [0x00100020, 'LO', id],
      [0x7fe00010, 'OW', new Uint8Array(200_000).fill(3)],
      ...tail,
    ];
    const signed = (name: string): El[] => [[0xfffafffa, 'SQ', [[[0x00080090, 'PN', name]]]]];
    const series: Array<[El[], string[]]> = [
      [slice('KOWALSKI^JAN', 'A1', [[0xfffcfffc, 'OB', new Uint8Array(126)]]), ['KOWALSKI', 'JAN', 'A1']],
      [slice('NOWAK^ANNA', 'B22', [[0xfffcfffc, 'OB', new Uint8Array(126)]]), ['NOWAK', 'ANNA', 'B22']],
      // A tail of another length, holding a name: the guess (126 bytes) is wrong.
      [slice('LIS^EWA', 'C333', signed('WOLNY^PIOTR')), ['LIS', 'EWA', 'C333', 'WOLNY', 'PIOTR']],
      // No tail at all: the pixel data ends the file.
      [slice('ZAJAC^OLGA', 'D4444', []), ['ZAJAC', 'OLGA', 'D4444']],
      [slice('KRAWIEC^ADAM', 'E5', signed('MAZUR^IGA')), ['KRAWIEC', 'ADAM', 'E5', 'MAZUR', 'IGA']],
      // The same tail length as the last one, other bytes: the guess is right.
      [slice('BAK^ROZA', 'F6', signed('SOWA^ALAN')), ['BAK', 'ROZA', 'F6', 'SOWA', 'ALAN']],
    ];
    series.forEach(([els, expected], i) => {
      const path = join(dir, `series-${i}.dcm`);
      writeFileSync(path, buildDicom(els));
      const g = gatherOne({ kind: 'gather', absPath: path }, profile, 'global');
      expect(g.patientKey).toBe(`id\u0000${expected[2]}`);
      const texts = g.values.map((v) => decodeValue(v).text.toUpperCase());
      expect(texts).toEqual(expect.arrayContaining(expected));
      rmSync(path);
    });
  });
});
