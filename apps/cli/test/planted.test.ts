/**
 * Identifying values planted where real exports hide them — nested three sequences deep, in
 * private blocks (with a private sequence), in free text, in SR content, in a sequence hidden
 * as UN, in Latin-1 and UTF-8 names, in folder names — must not reach any output byte or path,
 * in any encoding or case, whatever the transfer syntax.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildDicom, type El, type Syntax, unSequence, utf8 } from '@dcmblind/test-utils';
import {
  check,
  dcmblind,
  runInto,
  dcmdumpStatus,
  keyMapping,
  listTree,
  readTree,
  requireTools,
  tmp,
} from './helpers.js';

const RESEARCH = ['retain-long-modified-dates', 'retain-patient-characteristics', 'clean-descriptors'];
const UID = '1.2.826.0.1.3680043.9.9999.77';

interface Who {
  family: string;
  given: string;
  charset: string;
  encode?: (s: string) => Uint8Array;
}
const LATIN1: Who = { family: 'Müller', given: 'Jürgen', charset: 'ISO_IR 100' };
const UTF8: Who = { family: 'Wójcik', given: 'Zbigniew', charset: 'ISO_IR 192', encode: utf8 };

const SECRETS = [
  'PID-739182',
  'OTH-4471',
  'ACC-55512',
  'Plantedphys',
  'Quentin',
  'Planted Clinic Xyz',
  'Nowhere Lane',
  '555-0199',
  '19770412',
  '12/04/1977',
  'RQP-9931',
];

function planted(who: Who, syntax: Syntax, n: number): El[] {
  const name = `${who.family}^${who.given}`;
  const deep: El[] = [
    [0x00080080, 'LO', 'Planted Clinic Xyz'],
    [0x00080090, 'PN', 'Plantedphys^Quentin'],
    [0x00100020, 'LO', 'PID-739182'],
    [0x00080020, 'DA', '19770412'],
    [0x0040a124, 'UI', `${UID}.900`],
  ];
  const els: El[] = [
    [0x00080005, 'CS', who.charset],
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'],
    [0x00080018, 'UI', `${UID}.1.1.${n}`],
    [0x00080020, 'DA', '20240310'],
    [0x00080030, 'TM', '101500'],
    [0x00080050, 'SH', 'ACC-55512'],
    [0x00080060, 'CS', 'OT'],
    [0x00080080, 'LO', 'Planted Clinic Xyz'],
    [0x00080090, 'PN', 'Plantedphys^Quentin'],
    [0x00081030, 'LO', `Follow-up ${who.family} ${who.given} PID-739182`],
    [0x0008103e, 'LO', `series for ${who.family.toUpperCase()} acc ACC-55512`],
    // Three sequences deep, in attributes the profile keeps.
    [
      0x00081115,
      'SQ',
      [
        [
          [0x00400260, 'SQ', [[[0x00081032, 'SQ', [deep]]]]],
          [0x0020000e, 'UI', `${UID}.2`],
        ],
      ],
    ],
    [0x00100010, 'PN', name],
    [0x00100020, 'LO', 'PID-739182'],
    [0x00100030, 'DA', '19770412'],
    [0x00101000, 'LO', 'OTH-4471'],
    [0x00101040, 'LO', '7 Nowhere Lane'],
    [0x00102154, 'SH', '555-0199'],
    [0x00204000, 'LT', `Seen 12/04/1977: ${who.given} ${who.family}, ref Plantedphys, RQP-9931`],
    [0x0020000d, 'UI', `${UID}.1`],
    [0x0020000e, 'UI', `${UID}.2`],
    [
      0x00400275,
      'SQ',
      [
        [
          [0x00401001, 'SH', 'RQP-9931'],
          [0x00080080, 'LO', 'Planted Clinic Xyz'],
        ],
      ],
    ],
    // SR-style content: free text and a person name not listed in Table E.1-1.
    [
      0x0040a730,
      'SQ',
      [
        [
          [0x0040a040, 'CS', 'TEXT'],
          [0x0040a160, 'UT', `Patient ${who.family} (PID-739182) tolerated the scan`],
          [
            0x0040a730,
            'SQ',
            [
              [
                [0x0040a040, 'CS', 'PNAME'],
                [0x0040a123, 'PN', name],
              ],
            ],
          ],
        ],
      ],
    ],
    // A private block with a name, an ID and a private sequence.
    [0x00110010, 'LO', 'PLANTED PRIVATE'],
    [0x00111001, 'LO', name],
    [0x00111002, 'SQ', [[[0x00100020, 'LO', 'PID-739182']]]],
    [0x7fe00010, 'OB', Uint8Array.from({ length: 64 }, (_, i) => i)],
  ];
  // A known, kept sequence hidden as UN (explicit VR only).
  if (syntax === 'explicit-le')
    els.push(
      unSequence(0x00081032, [
        [
          [0x00080080, 'LO', 'Planted Clinic Xyz'],
          [0x00100020, 'LO', 'PID-739182'],
        ],
      ]),
    );
  return els;
}

function needles(who: Who): Buffer[] {
  const words = [...SECRETS, who.family, who.given, `${UID}.`];
  const out: Buffer[] = [];
  for (const w of words) {
    for (const v of new Set([w, w.toUpperCase(), w.toLowerCase()])) {
      out.push(Buffer.from(v, 'utf8'));
      out.push(Buffer.from(v, 'latin1'));
    }
  }
  return out;
}

const enabled = requireTools();

describe('planted identifiers never reach the output', () => {
  const syntaxes: Array<[Syntax, boolean]> = [
    ['explicit-le', false],
    ['explicit-le', true],
    ['implicit-le', false],
    ['explicit-be', false],
    ['deflated', false],
  ];
  for (const who of [LATIN1, UTF8]) {
    it(`${who.charset}: nested, private, free text, SR, UN, paths — in every syntax`, () => {
      const dir = tmp('planted-');
      const input = join(dir, 'in');
      syntaxes.forEach(([syntax, undef], i) => {
        // Folder names carry the name, ID and a date, as real exports do.
        const folder = join(
          input,
          `${who.family.toUpperCase()}_${who.given}`,
          'PID-739182',
          `1977-04-12 ${syntax}${undef ? ' undef' : ''}`,
        );
        mkdirSync(folder, { recursive: true });
        const bytes = buildDicom(planted(who, syntax, i), {
          syntax,
          undefinedLengths: undef,
          ...(who.encode ? { encode: who.encode } : {}),
        });
        writeFileSync(join(folder, `${who.family}_${i}.dcm`), bytes);
      });
      const out = join(dir, 'out');
      const r = dcmblind(['run', input, '--out', out, '--key', join(dir, 'k.key'), '--profile', 'research']);
      expect(r.stderr).toBe(
        'created key ' +
          join(dir, 'k.key') +
          ' (encrypted; keep it and its passphrase safe, away from the output)\n',
      );
      expect(r.code).toBe(0);
      const tree = readTree(out);
      expect(tree.size).toBe(syntaxes.length);
      const all = needles(who);
      for (const [rel, file] of tree) {
        const bytes = plain(file);
        const path = Buffer.from(rel, 'utf8');
        for (const n of all) {
          expect(bytes.includes(n), `${n.toString('latin1')} in ${rel}`).toBe(false);
          expect(path.includes(n), `${n.toString('latin1')} in path ${rel}`).toBe(false);
        }
      }
      if (enabled) {
        const mapping = keyMapping(join(dir, 'k.key'));
        const pairs = [...mapping].map(([source, rel]) => ({ source, output: join(out, rel) }));
        for (const p of pairs) expect(dcmdumpStatus(p.output)).toBe(0);
        const bad = check(pairs, RESEARCH).filter((x) => x.problems.length);
        expect(bad).toEqual([]);
      }
    });
  }

  it('a deflated output is checked after inflating (the search above would pass on compressed bytes)', () => {
    // Guard for the test itself: run the deflated fixture alone and inspect the inflated data set.
    const dir = tmp('planted-dfl-');
    const input = join(dir, 'in');
    mkdirSync(input);
    writeFileSync(join(input, 'a.dcm'), buildDicom(planted(LATIN1, 'deflated', 9), { syntax: 'deflated' }));
    runInto(dir, input, ['--profile', 'research']);
    const [rel] = listTree(join(dir, 'out'));
    const raw = readTree(join(dir, 'out')).get(rel as string) as Buffer;
    const body = plain(raw);
    expect(body.length).toBeGreaterThan(raw.length - 132);
    for (const n of needles(LATIN1)) expect(body.includes(n), n.toString('latin1')).toBe(false);
    expect(body.includes(Buffer.from('ANON-'))).toBe(true);
  });
});

/** The file's bytes with a deflated data set inflated (meta group is explicit VR LE, PS3.10 §7.1). */
function plain(raw: Buffer): Buffer {
  if (!raw.includes(Buffer.from('1.2.840.10008.1.2.1.99'))) return raw;
  const groupLength = raw.readUInt32LE(132 + 8);
  const metaEnd = 132 + 12 + groupLength;
  return Buffer.concat([raw.subarray(0, metaEnd), inflateRawSync(raw.subarray(metaEnd))]);
}
