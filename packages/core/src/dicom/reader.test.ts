import { describe, expect, it } from 'vitest';
import { buildDicom, type El, type Syntax, unSequence } from '@dcmblind/test-utils';
import { DcmblindError } from '../errors.js';
import { type Element, NeedWholeFile, parseFile, parseHead, parseHeadTail } from './reader.js';
import { T } from './tag.js';

const els: El[] = [
  [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'],
  [0x00080018, 'UI', '1.2.3.4.5'],
  [
    0x00081115,
    'SQ',
    [
      [
        [0x00400260, 'SQ', [[[0x00080100, 'SH', 'ABC']], []]],
        [0x0020000e, 'UI', '1.2.3'],
      ],
      [],
    ],
  ],
  [0x00100010, 'PN', 'Doe^Jane'],
  [0x7fe00010, 'OW', new Uint8Array(64).fill(7)],
];

function shape(list: readonly Element[]): unknown[] {
  return list.map((e) => (e.items ? [e.tag, e.items.map((i) => shape(i.elements))] : e.tag));
}

describe('reader', () => {
  const syntaxes: Array<[Syntax, boolean]> = [
    ['explicit-le', false],
    ['explicit-le', true],
    ['implicit-le', false],
    ['implicit-le', true],
    ['explicit-be', false],
    ['explicit-be', true],
    ['deflated', true],
  ];
  it.each(syntaxes)('indexes %s (undefined lengths: %s) into the same tree', (syntax, undef) => {
    const f = parseFile(buildDicom(els, { syntax, undefinedLengths: undef }));
    expect(shape(f.dataset)).toEqual([
      0x00080016,
      0x00080018,
      [0x00081115, [[0x0020000e, [0x00400260, [[0x00080100], []]]], []]],
      0x00100010,
      0x7fe00010,
    ]);
    const pixel = f.dataset.at(-1) as Element;
    expect(
      Buffer.from(f.data.subarray(pixel.valueStart, pixel.valueStart + pixel.valueLength)).equals(
        Buffer.alloc(64, 7),
      ),
    ).toBe(true);
  });

  it('reads a raw data set without preamble or meta', () => {
    const f = parseFile(buildDicom(els, { raw: true, syntax: 'implicit-le' }));
    expect(f.hasPreamble).toBe(false);
    expect(f.meta).toHaveLength(0);
    expect(f.transferSyntaxUID).toBe('1.2.840.10008.1.2');
  });

  it('finds the items of a sequence hidden as UN with undefined length', () => {
    const f = parseFile(buildDicom([...els, unSequence(0x00081032, [[[0x00100020, 'LO', 'X1']]])]));
    const un = f.dataset.find((e) => e.tag === 0x00081032);
    expect(un?.vr).toBe('UN');
    expect(un?.items?.[0]?.elements[0]?.tag).toBe(T.PatientID);
  });

  it('fails every truncation of a file with a typed error, never a crash', () => {
    const bytes = buildDicom(els, { undefinedLengths: true });
    for (let n = 0; n < bytes.length; n++) {
      try {
        parseFile(bytes.subarray(0, n));
      } catch (e) {
        expect(e, `cut at ${n}`).toBeInstanceOf(DcmblindError);
      }
    }
  });

  it('bounds sequence nesting instead of overflowing the stack', () => {
    let item: El[] = [[0x00100020, 'LO', 'deep']];
    for (let i = 0; i < 500; i++) item = [[0x00081115, 'SQ', [item]]];
    const bytes = buildDicom([[0x00080016, 'UI', '1.2'], [0x00080018, 'UI', '1.3'], ...item], {
      undefinedLengths: true,
    });
    expect(() => parseFile(bytes)).toThrow(expect.objectContaining({ code: 'E_TOO_DEEP' }));
  });

  it('never allocates a declared length: a 4 GB claim in a small file is a truncation error', () => {
    const bytes = Buffer.from(buildDicom(els));
    const at = bytes.indexOf(Buffer.from('OW'));
    bytes.writeUInt32LE(0xfffffff0, at + 4);
    expect(() => parseFile(bytes)).toThrow(expect.objectContaining({ code: 'E_TRUNCATED' }));
  });
});

describe('head-only parsing of big files', () => {
  const big: El[] = [...els.slice(0, 4), [0x7fe00010, 'OW', new Uint8Array(200_000).fill(3)]];
  const bytes = buildDicom(big);
  it('leaves a final pixel element that the head does not hold in the file', () => {
    const f = parseHead(bytes.subarray(0, 4096), bytes.length);
    const px = f.dataset.at(-1) as Element;
    expect(px.external).toBe(true);
    expect(px.end).toBe(bytes.length);
    expect(f.dataset.slice(0, -1).every((e) => !e.external)).toBe(true);
  });
  const title =
    'asks for the whole file when anything else is cut, and parses normally when the head is the file';
  it(title, () => {
    expect(() => parseHead(bytes.subarray(0, 100), bytes.length)).toThrow(NeedWholeFile);
    const withTail = buildDicom([...big, [0x7fe10010, 'OB', new Uint8Array(10)]]);
    expect(() => parseHead(withTail.subarray(0, 4096), withTail.length)).toThrow(NeedWholeFile);
    expect(parseHead(bytes, bytes.length).dataset.every((e) => !e.external)).toBe(true);
  });
  it('reads elements after the pixel data from the tail, never the whole file', () => {
    // A trailing padding and a private element after the pixels, as GE and signed exports have.
    const trailing = new Uint8Array(36).fill(0x41);
    const withTail = buildDicom([
      ...big,
      [0x7fe10010, 'OB', trailing],
      [0xfffcfffc, 'OB', new Uint8Array(64)],
    ]);
    let tailAt = -1;
    try {
      parseHead(withTail.subarray(0, 4096), withTail.length);
    } catch (e) {
      expect(e).toBeInstanceOf(NeedWholeFile);
      tailAt = (e as NeedWholeFile).tailAt ?? -1;
    }
    const whole = parseFile(withTail);
    const pixels = whole.dataset.find((e) => e.tag === 0x7fe00010) as Element;
    expect(tailAt).toBe(pixels.end);
    const f = parseHeadTail(withTail.subarray(0, 4096), withTail.subarray(tailAt), tailAt);
    // The same elements as the whole file; only the pixel data stays in it.
    expect(f.dataset.map((e) => e.tag)).toEqual(whole.dataset.map((e) => e.tag));
    const px = f.dataset.find((e) => e.tag === 0x7fe00010) as Element;
    expect(px.external).toBe(true);
    expect([px.start, px.valueStart, px.valueLength]).toEqual([
      pixels.start,
      pixels.valueStart,
      pixels.valueLength,
    ]);
    expect(f.data.length).toBe(4096 + withTail.length - tailAt);
    const after = f.dataset.find((e) => e.tag === 0x7fe10010) as Element;
    expect([...f.data.subarray(after.valueStart, after.valueStart + after.valueLength)]).toEqual([
      ...trailing,
    ]);
  });
});
