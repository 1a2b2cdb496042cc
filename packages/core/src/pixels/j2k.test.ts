/**
 * stripJ2k on real JPEG 2000 frames (pydicom's test files: Kakadu, OpenJPEG, JasPer and GDCM
 * encodings, one of them JP2-wrapped with 96 tile-parts), with comments, a TLM index and
 * JP2 boxes planted. Every assertion is on bytes, and the output is walked here again, by
 * its Psot and box lengths, to show it is still a well-formed codestream.
 */
import { describe, expect, it } from 'vitest';
import { Rng, realDicomFiles } from '@dcmblind/test-utils';
import { stripJ2k } from './j2k.js';
import { frameOf } from './test-frames.js';

const PHI = 'Patient: HIROSHI YAMADA-KOWALSKI, MRN 4471923, DOB 1971-02-18';
const PLANTED = ['YAMADA-KOWALSKI', '4471923', '1971-02-18', 'NAKAMURA', 'St Elsewhere'];
const SIGNATURE = [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a];

const real = realDicomFiles()
  .filter((f) => f.endsWith('.dcm'))
  .map((path) => ({ name: path.slice(path.lastIndexOf('/') + 1), frame: frameOf(path) }))
  .filter(
    ({ frame }) => (frame[0] === 0xff && frame[1] === 0x4f) || SIGNATURE.every((v, k) => frame[k] === v),
  );
const byName = (name: string) => real.find((f) => f.name === name)?.frame ?? new Uint8Array();
const codestreams = real.filter(({ frame }) => frame[0] === 0xff);

const u16 = (b: Uint8Array, at: number) => ((b[at] as number) << 8) | (b[at + 1] as number);
const u32 = (b: Uint8Array, at: number) => u16(b, at) * 0x10000 + u16(b, at + 2);
const be16 = (v: number) => Uint8Array.of(v >> 8, v & 0xff);
const be32 = (v: number) => Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);

function com(text: string): Uint8Array {
  const body = Buffer.from(text, 'latin1');
  return Buffer.concat([Uint8Array.of(0xff, 0x64), be16(body.length + 4), be16(1), body]);
}

interface TilePart {
  readonly at: number;
  readonly psot: number;
  readonly header: readonly number[];
}
interface Walk {
  readonly main: readonly number[];
  readonly mainEnd: number;
  readonly tileParts: readonly TilePart[];
}

/** The codestream walked by segment lengths and Psot; expect() fails on anything out of place. */
function walk(cs: Uint8Array): Walk {
  expect(u16(cs, 0)).toBe(0xff4f);
  const main: number[] = [];
  let at = 2;
  while (u16(cs, at) !== 0xff90) {
    expect(at).toBeLessThan(cs.length);
    main.push(u16(cs, at));
    at += 2 + u16(cs, at + 2);
  }
  const mainEnd = at;
  const tileParts: TilePart[] = [];
  while (u16(cs, at) === 0xff90) {
    const psot = u32(cs, at + 6);
    const header: number[] = [];
    let h = at + 12;
    for (; u16(cs, h) !== 0xff93; h += 2 + u16(cs, h + 2)) {
      expect(h).toBeLessThan(cs.length);
      header.push(u16(cs, h));
    }
    tileParts.push({ at, psot, header });
    at = psot === 0 ? cs.lastIndexOf(0xd9) - 1 : at + psot;
  }
  expect(u16(cs, at)).toBe(0xffd9);
  return { main, mainEnd, tileParts };
}

function hasCom(w: Walk): boolean {
  return w.main.includes(0xff64) || w.tileParts.some((t) => t.header.includes(0xff64));
}

/** A COM put into the header of every `every`-th tile-part, Psot grown to match. */
function plantInTileParts(cs: Uint8Array, every: number, text: string): Uint8Array {
  const parts: Uint8Array[] = [];
  let from = 0;
  walk(cs).tileParts.forEach((t, k) => {
    if (k % every !== 0) return;
    const c = com(`${text} tile-part ${k}`);
    parts.push(cs.subarray(from, t.at + 6), be32(t.psot === 0 ? 0 : t.psot + c.length));
    parts.push(cs.subarray(t.at + 10, t.at + 12), c);
    from = t.at + 12;
  });
  parts.push(cs.subarray(from));
  return Buffer.concat(parts);
}

/** A COM right after SIZ and another right before the first SOT. */
function plantInMainHeader(cs: Uint8Array, text: string): Uint8Array {
  const afterSiz = 4 + u16(cs, 4);
  const sot = walk(cs).mainEnd;
  return Buffer.concat([
    cs.subarray(0, afterSiz),
    com(`${text} after SIZ`),
    cs.subarray(afterSiz, sot),
    com(`${text} before SOT`),
    cs.subarray(sot),
  ]);
}

/** A TLM listing every tile-part (8-bit Ttlm, 32-bit Ptlm), put right after SIZ. */
function withTlm(cs: Uint8Array): Uint8Array {
  const tps = walk(cs).tileParts;
  const entries = tps.map((t, k) => Buffer.concat([Uint8Array.of(k & 0xff), be32(t.psot)]));
  const tlm = Buffer.concat([
    Uint8Array.of(0xff, 0x55),
    be16(4 + 5 * tps.length),
    Uint8Array.of(0, 0x50),
    ...entries,
  ]);
  const afterSiz = 4 + u16(cs, 4);
  return Buffer.concat([cs.subarray(0, afterSiz), tlm, cs.subarray(afterSiz)]);
}

/** Bytes from each SOD to the end of its tile-part: the compressed data. */
function tileData(cs: Uint8Array): Buffer[] {
  return walk(cs).tileParts.map((t) => {
    let h = t.at + 12;
    while (u16(cs, h) !== 0xff93) h += 2 + u16(cs, h + 2);
    const end = t.psot === 0 ? cs.lastIndexOf(0xd9) - 1 : t.at + t.psot;
    return Buffer.from(cs.subarray(h, end));
  });
}

interface Box {
  readonly type: string;
  readonly start: number;
  readonly header: number;
  readonly end: number;
}

/** Top-level JP2 boxes by LBox / XLBox; zero padding after the last one is allowed. */
function boxes(file: Uint8Array): Box[] {
  const out: Box[] = [];
  let at = 0;
  while (at + 8 <= file.length) {
    const lbox = u32(file, at);
    const type = Buffer.from(file.subarray(at + 4, at + 8)).toString('latin1');
    const header = lbox === 1 ? 16 : 8;
    const length = lbox === 0 ? file.length - at : lbox === 1 ? u32(file, at + 12) : lbox;
    out.push({ type, start: at, header, end: at + length });
    at += length;
  }
  expect(file.subarray(at).every((b) => b === 0)).toBe(true);
  return out;
}

function jp2c(file: Uint8Array): Uint8Array {
  const b = boxes(file).find((x) => x.type === 'jp2c')!;
  return file.subarray(b.start + b.header, b.end);
}

function box(type: string, contents: Uint8Array | string): Uint8Array {
  const body = typeof contents === 'string' ? Buffer.from(contents, 'latin1') : contents;
  return Buffer.concat([be32(8 + body.length), Buffer.from(type, 'latin1'), body]);
}

/** `file` with its jp2c box holding `cs` instead, under an LBox, XLBox or to-the-end header. */
function replaceJp2c(file: Uint8Array, cs: Uint8Array, form: 'lbox' | 'xlbox' | 'to-end'): Uint8Array {
  const b = boxes(file).find((x) => x.type === 'jp2c')!;
  const type = Buffer.from('jp2c');
  const header =
    form === 'lbox'
      ? [be32(8 + cs.length), type]
      : form === 'xlbox'
        ? [be32(1), type, be32(0), be32(16 + cs.length)]
        : [be32(0), type];
  return Buffer.concat([file.subarray(0, b.start), ...header, cs, file.subarray(b.end)]);
}

function leaks(bytes: Uint8Array): string[] {
  const b = Buffer.from(bytes);
  return PLANTED.filter((s) => b.includes(Buffer.from(s, 'latin1')) || b.includes(Buffer.from(s, 'utf16le')));
}

const TEXT = `${PHI}, Operator DR NAKAMURA, St Elsewhere Hospital`;

describe.runIf(real.length > 0)('stripJ2k on real codestreams', () => {
  it('finds the raw and JP2-wrapped JPEG 2000 frames among pydicom test files', () => {
    const names = real.map((f) => f.name);
    for (const n of ['JPEG2000.dcm', '693_J2KI.dcm', 'SC_rgb_gdcm_KY.dcm', 'GDCMJ2K_TextGBR.dcm'])
      expect(names).toContain(n);
  });

  it.each(codestreams)('$name: the encoder comment goes, the tile data stays byte for byte', ({ frame }) => {
    const before = walk(frame);
    expect(hasCom(before)).toBe(true); // Kakadu, OpenJPEG (via GDCM) and JasPer all sign their streams
    const r = stripJ2k(frame)!;
    expect(r.removed).toEqual(['COM']);
    const after = walk(r.bytes);
    expect(hasCom(after)).toBe(false);
    expect(after.main).toEqual(before.main.filter((m) => m !== 0xff64));
    const data = tileData(frame);
    expect(tileData(r.bytes).every((d, k) => d.equals(data[k] as Buffer))).toBe(true);
    expect(stripJ2k(r.bytes)?.bytes).toBe(r.bytes); // nothing left: the same object
  });

  it.each(codestreams)(
    '$name: COM planted in the main header and tile-part headers go, Psot fixed',
    ({ frame }) => {
      const planted = plantInTileParts(plantInMainHeader(frame, TEXT), 1, TEXT);
      expect(leaks(planted)).toEqual(PLANTED);
      const r = stripJ2k(planted)!;
      const w = walk(r.bytes);
      expect(hasCom(w)).toBe(false);
      expect(leaks(r.bytes)).toEqual([]);
      expect(r.removed.every((x) => x === 'COM')).toBe(true);
      expect(Buffer.from(r.bytes).equals(stripJ2k(frame)!.bytes)).toBe(true);
      expect(w.tileParts.map((t) => t.psot)).toEqual(walk(frame).tileParts.map((t) => t.psot));
    },
  );

  it('96 tile-parts, a comment in every third: each Psot is fixed on its own', () => {
    const cs = jp2c(byName('GDCMJ2K_TextGBR.dcm'));
    const tileParts = walk(cs).tileParts;
    expect(tileParts.length).toBe(96);
    const planted = plantInTileParts(cs, 3, TEXT);
    const r = stripJ2k(planted)!;
    expect(r.removed).toEqual(Array(32).fill('COM'));
    expect(Buffer.from(r.bytes).equals(cs)).toBe(true);
    expect(walk(r.bytes).tileParts.map((t) => t.psot)).toEqual(tileParts.map((t) => t.psot));
  });

  it('TLM goes when a Psot changed, and stays when only the main header lost a comment', () => {
    const cs = stripJ2k(byName('693_J2KI.dcm'))!.bytes;
    const indexed = withTlm(cs);
    const mainOnly = stripJ2k(plantInMainHeader(indexed, TEXT))!;
    expect(mainOnly.removed).toEqual(['COM', 'COM']);
    expect(Buffer.from(mainOnly.bytes).equals(indexed)).toBe(true);
    const inTile = stripJ2k(plantInTileParts(plantInMainHeader(indexed, TEXT), 1, TEXT))!;
    expect(inTile.removed).toEqual(['COM', 'TLM', 'COM', 'COM']);
    expect(walk(inTile.bytes).main).not.toContain(0xff55);
    expect(Buffer.from(inTile.bytes).equals(cs)).toBe(true);
  });

  it('Psot 0 (the last tile-part runs to EOC): stays 0 untouched, written out once a comment goes', () => {
    const cs = Buffer.from(stripJ2k(byName('JPEG2000.dcm'))!.bytes);
    const sot = walk(cs).mainEnd;
    const explicit = Buffer.from(cs);
    cs.set(be32(0), sot + 6);
    expect(stripJ2k(cs)?.bytes).toBe(cs);
    const r = stripJ2k(plantInTileParts(cs, 1, TEXT))!;
    expect(r.removed).toEqual(['COM']);
    // The stream the encoder wrote, its tile-part length given (OpenJPEG would otherwise read a
    // pad byte after EOC as part of the tile).
    expect(Buffer.from(r.bytes).equals(explicit)).toBe(true);
    expect(walk(r.bytes).tileParts[0]?.psot).toBe(explicit.length - sot - 2); // up to EOC
    // Its TLM entry still counts the tile-part's bytes: wrong once the comment is gone.
    const indexed = withTlm(cs);
    const withIndex = stripJ2k(plantInTileParts(indexed, 1, TEXT))!;
    expect(withIndex.removed).toEqual(['TLM', 'COM']);
    expect(Buffer.from(withIndex.bytes).equals(explicit)).toBe(true);
  });

  it('steps over the parameterless markers 0xFF30-0xFF3F reserved in headers (A.1.3)', () => {
    const cs = byName('JPEG2000.dcm');
    const sot = walk(cs).mainEnd;
    const input = Buffer.concat([cs.subarray(0, sot), Uint8Array.of(0xff, 0x30), cs.subarray(sot)]);
    expect(stripJ2k(input)?.removed).toEqual(['COM']);
  });

  it('keeps one pad byte after EOC; anything more there goes', () => {
    const cs = Buffer.concat([byName('JPEG2000.dcm'), Uint8Array.of(0)]);
    const r = stripJ2k(cs)!;
    expect(r.bytes[r.bytes.length - 1]).toBe(0);
    expect([...r.bytes.subarray(-3, -1)]).toEqual([0xff, 0xd9]);
    const hidden = Buffer.concat([byName('JPEG2000.dcm'), Buffer.from(TEXT)]);
    const h = stripJ2k(hidden)!;
    expect(h.removed.at(-1)).toBe('bytes after EOC');
    expect([...h.bytes.subarray(-2)]).toEqual([0xff, 0xd9]);
    expect(Buffer.from(h.bytes).includes(Buffer.from(TEXT))).toBe(false);
  });

  it('undefined for every truncation before EOC, and for broken headers', () => {
    for (const { frame } of codestreams.filter((c) => c.frame.length < 5000)) {
      for (let n = 0; n < frame.lastIndexOf(0xd9) + 1; n++)
        expect(stripJ2k(frame.subarray(0, n))).toBeUndefined();
    }
    const cs = Buffer.from(byName('JPEG2000.dcm'));
    const sot = walk(cs).mainEnd;
    const bad = (edit: (b: Buffer) => void) => {
      const b = Buffer.from(cs);
      edit(b);
      return stripJ2k(b);
    };
    expect(bad((b) => b.set([0xff, 0x52], 2))).toBeUndefined(); // no SIZ after SOC
    expect(bad((b) => b.set(be32(cs.length), sot + 6))).toBeUndefined(); // Psot past the end
    expect(bad((b) => b.set(be32(5), sot + 6))).toBeUndefined(); // Psot inside its own header
    expect(bad((b) => b.set([0, 11], sot + 2))).toBeUndefined(); // Lsot is not 10
    expect(bad((b) => b.set([0, 0], 4))).toBeUndefined(); // Lsiz below 2
  });
});

describe.runIf(real.length > 0)('stripJ2k on JP2-wrapped streams', () => {
  it('GDCMJ2K_TextGBR: its four uuid boxes go, jp2h and the codestream stay', () => {
    const file = byName('GDCMJ2K_TextGBR.dcm');
    expect(boxes(file).map((b) => b.type)).toEqual([
      'jP  ',
      'ftyp',
      'rreq',
      'jp2h',
      'uuid',
      'uuid',
      'uuid',
      'uuid',
      'jp2c',
    ]);
    const r = stripJ2k(file)!;
    expect(r.removed).toEqual(['uuid', 'uuid', 'uuid', 'uuid']);
    expect(boxes(r.bytes).map((b) => b.type)).toEqual(['jP  ', 'ftyp', 'rreq', 'jp2h', 'jp2c']);
    expect(Buffer.from(jp2c(r.bytes)).equals(jp2c(file))).toBe(true);
    expect(r.bytes[r.bytes.length - 1]).toBe(0); // the pad byte after the last box
  });

  it.each(['lbox', 'xlbox', 'to-end'] as const)(
    'xml, uinf, ipr and jp2i boxes go, COM inside jp2c goes, the jp2c length (%s) is fixed',
    (form) => {
      const file = byName('GDCMJ2K_TextGBR.dcm');
      const cs = jp2c(file);
      const planted = plantInTileParts(plantInMainHeader(cs, TEXT), 5, TEXT);
      const withBoxes = replaceJp2c(file, planted, form);
      const jp2cAt = boxes(withBoxes).find((b) => b.type === 'jp2c')!.start;
      const extra = Buffer.concat([
        box('xml ', `<?xml version="1.0"?><x:xmpmeta><dc:creator>${TEXT}</dc:creator></x:xmpmeta>`),
        box('uinf', Buffer.concat([box('ulst', Buffer.alloc(18)), box('url ', `\0\0\0\0file:///${PHI}`)])),
        box('ipr ', `Rights: St Elsewhere Hospital`),
        box('jp2i', `Rights: St Elsewhere Hospital`),
      ]);
      const input = Buffer.concat([withBoxes.subarray(0, jp2cAt), extra, withBoxes.subarray(jp2cAt)]);
      expect(leaks(input)).toEqual(PLANTED);
      const r = stripJ2k(input)!;
      expect(r.removed.filter((x) => x !== 'COM')).toEqual([
        'uuid',
        'uuid',
        'uuid',
        'uuid',
        'xml ',
        'uinf',
        'ipr ',
        'jp2i',
      ]);
      expect(r.removed.filter((x) => x === 'COM').length).toBe(2 + 20);
      expect(leaks(r.bytes)).toEqual([]);
      const out = boxes(r.bytes);
      expect(out.map((b) => b.type)).toEqual(['jP  ', 'ftyp', 'rreq', 'jp2h', 'jp2c']);
      const jp2cBox = out[4]!;
      expect(u32(r.bytes, jp2cBox.start)).toBe(
        form === 'lbox' ? jp2cBox.end - jp2cBox.start : form === 'xlbox' ? 1 : 0,
      );
      if (form === 'xlbox') expect(u32(r.bytes, jp2cBox.start + 12)).toBe(jp2cBox.end - jp2cBox.start);
      if (form === 'to-end') expect(jp2cBox.end).toBe(r.bytes.length);
      const strippedCs = jp2c(r.bytes);
      const trimmed = form === 'to-end' ? strippedCs.subarray(0, -1) : strippedCs; // the pad byte is inside
      expect(Buffer.from(trimmed).equals(cs)).toBe(true);
    },
  );

  it('a raw codestream wrapped in a minimal JP2 with an xml box', () => {
    const cs = byName('JPEG2000.dcm');
    const ihdr = box(
      'ihdr',
      Buffer.concat([be32(u32(cs, 12)), be32(u32(cs, 8)), be16(1), Uint8Array.of(7, 7, 0, 0)]),
    );
    const file = Buffer.concat([
      Uint8Array.from(SIGNATURE),
      box('ftyp', 'jp2 \0\0\0\0jp2 '),
      box('jp2h', Buffer.concat([ihdr, box('colr', Uint8Array.of(1, 0, 0, 0, 0, 0, 17))])),
      box('xml ', `<patient>${TEXT}</patient>`),
      box('free', TEXT),
      box('asoc', Buffer.concat([box('lbl ', 'patient'), box('xml ', `<p>${TEXT}</p>`)])),
      box('jp2c', cs),
    ]);
    const r = stripJ2k(file)!;
    // Only what a reader needs stays: label, association and free-space boxes go too.
    expect(r.removed).toEqual(['xml ', 'free', 'asoc', 'COM']);
    expect(leaks(r.bytes)).toEqual([]);
    expect(Buffer.from(jp2c(r.bytes)).equals(stripJ2k(cs)!.bytes)).toBe(true);
  });

  it('undefined for a JP2 cut short, a box past the end, or no jp2c', () => {
    const file = byName('GDCMJ2K_TextGBR.dcm');
    for (let n = 0; n < file.length - 1; n += 7) expect(stripJ2k(file.subarray(0, n))).toBeUndefined();
    const noJp2c = file.subarray(0, boxes(file).find((b) => b.type === 'jp2c')!.start);
    expect(stripJ2k(noJp2c)).toBeUndefined();
    const long = Buffer.from(file);
    long.set(be32(file.length), boxes(file)[1]!.start);
    expect(stripJ2k(long)).toBeUndefined();
  });
});

describe.runIf(real.length > 0)('stripJ2k on damaged streams', () => {
  it('never throws on 6000 random truncations and byte flips of planted real streams', () => {
    const sources = real.map(({ frame }) =>
      frame[0] === 0xff ? withTlm(plantInTileParts(plantInMainHeader(frame, TEXT), 2, TEXT)) : frame,
    );
    const rng = new Rng(15444);
    let walked = 0;
    for (let i = 0; i < 6000; i++) {
      const src = sources[rng.int(sources.length)] as Uint8Array;
      const b = Uint8Array.from(src.subarray(0, rng.int(4) === 0 ? rng.int(src.length) : src.length));
      for (let k = rng.int(6); k > 0; k--) b[rng.int(b.length)] = rng.int(256);
      const r = stripJ2k(b);
      if (!r) continue;
      walked++;
      expect(r.bytes.length).toBeLessThanOrEqual(b.length);
      expect(stripJ2k(r.bytes)?.removed).toEqual([]);
    }
    expect(walked).toBeGreaterThan(100);
  });
});
