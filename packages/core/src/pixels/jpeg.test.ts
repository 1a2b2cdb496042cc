/**
 * stripJpeg on real JPEG and JPEG-LS frames (pydicom's test files; DCMTK's progressive and
 * multi-scan JPEG-LS encodings of one of them when DCMTK is installed), with metadata segments
 * planted where encoders and editors put them. Every assertion is on bytes: what was planted
 * is gone, everything else is exactly the original stream.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng, realDicomFiles, testDir } from '@dcmblind/test-utils';
import { stripJpeg } from './jpeg.js';
import { frameOf } from './test-frames.js';

const PHI = 'Patient: HIROSHI YAMADA-KOWALSKI, MRN 4471923, DOB 1971-02-18';
const PLANTED = ['YAMADA-KOWALSKI', '4471923', '1971-02-18', 'NAKAMURA', 'St Elsewhere', 'SMITH^JOHN'];

const real = realDicomFiles()
  .filter((f) => f.endsWith('.dcm'))
  .map((path) => ({ name: path.slice(path.lastIndexOf('/') + 1), frame: frameOf(path) }))
  .filter((f) => f.frame[0] === 0xff && f.frame[1] === 0xd8);
const byName = (name: string) => real.find((f) => f.name === name)?.frame ?? new Uint8Array();
const encoded = hasDcmtk() ? dcmtkEncodings() : [];
const streams = [...real, ...encoded];

function hasDcmtk(): boolean {
  try {
    execFileSync('dcmcjpeg', ['--version'], { stdio: 'ignore' });
    execFileSync('dcmcjpls', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Progressive JPEG (10 scans, DHT between them) and uninterleaved JPEG-LS (3 scans) of a real RGB image. */
function dcmtkEncodings(): { name: string; frame: Uint8Array }[] {
  const src = realDicomFiles().find((f) => f.endsWith('/SC_rgb_jpeg_dcmtk.dcm'));
  if (!src) return [];
  const dir = testDir('jpeg-strip-');
  const raw = join(dir, 'raw.dcm');
  execFileSync('dcmdjpeg', [src, raw]);
  const out = (name: string, tool: string, option: string) => {
    execFileSync(tool, [option, raw, join(dir, name)]);
    return { name, frame: frameOf(join(dir, name)) };
  };
  return [out('progressive.dcm', 'dcmcjpeg', '+ep'), out('jpeg-ls-3-scans.dcm', 'dcmcjpls', '+in')];
}

function segment(code: number, payload: string | Uint8Array): Uint8Array {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  return Buffer.concat([Uint8Array.of(0xff, code, (body.length + 2) >> 8, (body.length + 2) & 0xff), body]);
}

/** `stream` with `inserts` put before the given offsets (offsets of the original stream). */
function plant(stream: Uint8Array, inserts: readonly [number, Uint8Array][]): Uint8Array {
  const sorted = [...inserts].sort((a, b) => a[0] - b[0]);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const [at, bytes] of sorted) {
    parts.push(stream.subarray(from, at), bytes);
    from = at;
  }
  parts.push(stream.subarray(from));
  return Buffer.concat(parts);
}

/** Header segments from SOI to the first SOS, walked by their lengths: [code, offset]. */
function header(stream: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let at = 2; at + 4 <= stream.length; ) {
    const code = stream[at + 1] as number;
    out.push([code, at]);
    if (code === 0xda) break;
    at += 2 + (((stream[at + 2] as number) << 8) | (stream[at + 3] as number));
  }
  return out;
}

function firstSos(stream: Uint8Array): number {
  return header(stream).find(([code]) => code === 0xda)?.[1] ?? -1;
}

/** Where the frame header is: SOFn (not DHT, JPG, DAC) or JPEG-LS SOF55. */
function sof(stream: Uint8Array): number {
  const isSof = (c: number) =>
    (c >= 0xc0 && c <= 0xcf && c !== 0xc4 && c !== 0xc8 && c !== 0xcc) || c === 0xf7;
  return header(stream).find(([code]) => isSof(code))?.[1] ?? -1;
}

/** Offsets of every FF `code` pair after the first scan header (scan data never holds one). */
function laterMarkers(stream: Uint8Array, code: number): number[] {
  const out: number[] = [];
  for (let at = stream.indexOf(0xff, firstSos(stream) + 2); at !== -1; at = stream.indexOf(0xff, at + 1))
    if (stream[at + 1] === code) out.push(at);
  return out;
}

function leaks(bytes: Uint8Array): string[] {
  const b = Buffer.from(bytes);
  return PLANTED.filter((s) => b.includes(Buffer.from(s, 'latin1')) || b.includes(Buffer.from(s, 'utf16le')));
}

const exif = () =>
  segment(
    0xe1,
    Buffer.concat([
      Buffer.from('Exif\0\0MM\0*\0\0\0\x08', 'latin1'),
      Buffer.from(`${PHI}, Operator DR NAKAMURA, St Elsewhere Hospital\0`, 'latin1'),
      Uint8Array.of(0xff, 0xd9, 0xff, 0xda, 0x00, 0x08), // marker look-alikes inside a segment
    ]),
  );
const photoshop = () =>
  segment(
    0xed,
    Buffer.concat([
      Buffer.from('Photoshop 3.0\x008BIM\x04\x04\0\0\0\0\0\x0e\x1c\x02\x05\0\x0a'),
      Buffer.from('SMITH^JOHN'),
    ]),
  );
const icc = () => segment(0xe2, 'ICC_PROFILE\0\x01\x01desc St Elsewhere Hospital');
const comment = () => segment(0xfe, 'Operator DR NAKAMURA MRN 4471923');
const utf16Comment = () => segment(0xfe, Buffer.from('YAMADA-KOWALSKI', 'utf16le'));

describe.runIf(real.length > 0)('stripJpeg on real streams', () => {
  it('finds the JPEG and JPEG-LS frames among pydicom test files', () => {
    const names = real.map((f) => f.name);
    for (const n of [
      'JPEG-lossy.dcm',
      'SC_rgb_jpeg_dcmtk.dcm',
      'SC_rgb_jpeg_gdcm.dcm',
      'MR_small_jpeg_ls_lossless.dcm',
    ])
      expect(names).toContain(n);
  });

  it.each(streams)('$name: nothing to strip, the very same object comes back', ({ frame }) => {
    const r = stripJpeg(frame);
    expect(r?.removed).toEqual([]);
    expect(r?.bytes).toBe(frame);
  });

  it.each(streams)(
    '$name: APP1, APP13, APP2 and COM after SOI, before SOF and before SOS go',
    ({ frame }) => {
      const planted = plant(frame, [
        [2, Buffer.concat([exif(), comment()])],
        [sof(frame), photoshop()],
        [firstSos(frame), Buffer.concat([icc(), utf16Comment()])],
      ]);
      expect(leaks(planted).length).toBe(PLANTED.length);
      const r = stripJpeg(planted);
      expect(r?.removed).toEqual(['APP1', 'COM', 'APP13', 'APP2', 'COM']);
      expect(leaks(r!.bytes)).toEqual([]);
      expect(Buffer.from(r!.bytes).equals(frame)).toBe(true);
    },
  );

  it('keeps the scan data, from the first SOS to EOI, byte for byte', () => {
    for (const { frame } of streams) {
      const planted = plant(frame, [
        [2, exif()],
        [firstSos(frame), comment()],
      ]);
      const out = stripJpeg(planted)!.bytes;
      expect(Buffer.from(out.subarray(firstSos(out))).equals(frame.subarray(firstSos(frame)))).toBe(true);
    }
  });

  it('keeps JFIF APP0, Adobe APP14 and mrfx APP8, which decoders read', () => {
    const jfif = byName('SC_rgb_jpeg_dcmtk.dcm');
    const adobe = byName('SC_rgb_jpeg_app14_dcmd.dcm');
    expect(header(jfif)[0]?.[0]).toBe(0xe0);
    expect(header(adobe)[0]?.[0]).toBe(0xee);
    for (const f of [jfif, adobe]) {
      const r = stripJpeg(plant(f, [[sof(f), comment()]]));
      expect(Buffer.from(r!.bytes).equals(f)).toBe(true);
    }
    const ls = byName('MR_small_jpeg_ls_lossless.dcm');
    const mrfx = segment(0xe8, 'mrfx\x01');
    const withMrfx = plant(ls, [[sof(ls), mrfx]]);
    const r = stripJpeg(plant(ls, [[sof(ls), Buffer.concat([comment(), mrfx, exif()])]]));
    expect(r?.removed).toEqual(['COM', 'APP1']);
    expect(Buffer.from(r!.bytes).equals(withMrfx)).toBe(true);
  });

  it('keeps only what a decoder reads of Adobe APP14 and mrfx APP8: text after it goes', () => {
    const f = byName('SC_jpeg_no_color_transform.dcm');
    const adobe = segment(0xee, 'Adobe\x00\x64\x00\x00\x00\x00\x01');
    const mrfx = segment(0xe8, 'mrfx\x01');
    const padded = plant(f, [
      [
        2,
        Buffer.concat([
          segment(0xee, `Adobe\x00\x64\x00\x00\x00\x00\x01${PHI}`),
          segment(0xe8, `mrfx\x01${PHI}`),
        ]),
      ],
    ]);
    const r = stripJpeg(padded)!;
    expect(r.removed).toEqual(['APP14 extra bytes', 'APP8 extra bytes']);
    expect(Buffer.from(r.bytes).equals(plant(f, [[2, Buffer.concat([adobe, mrfx])]]))).toBe(true);
  });

  it('cuts what follows EOI but one pad byte: trailing text, a second stream', () => {
    const f = byName('SC_jpeg_no_color_transform.dcm');
    const eoi = f.length - (f[f.length - 1] === 0xd9 ? 2 : 3);
    const clean = f.subarray(0, eoi + 2);
    for (const tail of [Buffer.from(PHI), Buffer.concat([clean, segment(0xfe, PHI)])]) {
      const r = stripJpeg(Buffer.concat([clean, tail]))!;
      expect(r.removed.at(-1)).toBe('bytes after EOI');
      expect(Buffer.from(r.bytes).equals(clean)).toBe(true);
    }
    const pad = Buffer.concat([clean, Uint8Array.of(0)]);
    expect(stripJpeg(pad)?.bytes).toBe(pad);
  });

  it('removes look-alikes: JFXX APP0, SPIFF APP8, a non-Adobe APP14, APP15', () => {
    const f = byName('SC_jpeg_no_color_transform.dcm');
    const planted = plant(f, [
      [
        2,
        Buffer.concat([
          segment(0xe0, `JFXX\0\x10${PHI}`),
          segment(0xe8, `SPIFF\0${PHI}`),
          segment(0xee, `Adob${PHI}`),
          segment(0xef, PHI),
        ]),
      ],
    ]);
    const r = stripJpeg(planted);
    expect(r?.removed).toEqual(['APP0', 'APP8', 'APP14', 'APP15']);
    expect(Buffer.from(r!.bytes).equals(f)).toBe(true);
  });

  it('drops a JFIF thumbnail and rewrites the APP0 without one', () => {
    const f = byName('SC_rgb_jpeg_dcmtk.dcm');
    const app0 = header(f)[0]![1];
    // Identifier, version, units and densities as they were, then a 2x2 RGB thumbnail.
    const payload = Buffer.concat([
      f.subarray(app0 + 4, app0 + 16),
      Uint8Array.of(2, 2),
      Buffer.alloc(12, 0x4d),
    ]);
    const withThumbnail = Buffer.concat([f.subarray(0, app0), segment(0xe0, payload), f.subarray(app0 + 18)]);
    const r = stripJpeg(withThumbnail);
    expect(r?.removed).toEqual(['APP0 thumbnail']);
    expect(Buffer.from(r!.bytes).equals(f)).toBe(true);
  });

  it.runIf(encoded.length === 2)('between scans: progressive JPEG and multi-scan JPEG-LS (DCMTK)', () => {
    for (const { frame } of encoded) {
      const scans = laterMarkers(frame, 0xda);
      expect(scans.length).toBeGreaterThan(1);
      const dht = laterMarkers(frame, 0xc4);
      const inserts: [number, Uint8Array][] = scans.map((at) => [at, comment()]);
      if (dht[0] !== undefined) inserts.push([dht[0], Buffer.concat([exif(), photoshop()])]);
      const r = stripJpeg(plant(frame, inserts));
      expect(r?.removed.length).toBe(scans.length + (dht.length > 0 ? 2 : 0));
      expect(leaks(r!.bytes)).toEqual([]);
      expect(Buffer.from(r!.bytes).equals(frame)).toBe(true);
    }
  });

  it('is not fooled by 0xFF 0x00 stuffing, RSTn, fill bytes or JPEG-LS bit stuffing in scan data', () => {
    const baseline = byName('SC_rgb_jpeg_dcmtk.dcm');
    const sos = firstSos(baseline);
    const data = Buffer.from(baseline.subarray(sos));
    expect(data.includes(Buffer.from([0xff, 0x00]))).toBe(true);
    // RSTn pairs inside the scan and fill bytes before EOI: walkable, though no longer decodable.
    const eoi = baseline.lastIndexOf(0xd9) - 1;
    const restarts = plant(baseline, [
      [sos + 100, Uint8Array.of(0xff, 0xd0)],
      [sos + 200, Uint8Array.of(0xff, 0xd7, 0xff, 0x00, 0xe1)],
      [eoi, Uint8Array.of(0xff, 0xff, 0xff)],
    ]);
    expect(stripJpeg(restarts)?.bytes).toBe(restarts);
    const fillAt = restarts.lastIndexOf(0xd9) - 4;
    const withComment = stripJpeg(plant(restarts, [[fillAt, comment()]]));
    expect(withComment?.removed).toEqual(['COM']);
    expect(Buffer.from(withComment!.bytes).equals(restarts)).toBe(true);
    // JPEG-LS: 0xFF then a byte below 0x80 is data; read as T.81 it would be a bogus marker.
    const ls = byName('MR_small_jpeg_ls_lossless.dcm');
    const lsData = ls.subarray(firstSos(ls) + 10, ls.length - 4);
    const bitStuffed = (k: number) =>
      lsData[k] === 0xff && (lsData[k + 1] as number) > 0 && (lsData[k + 1] as number) < 0x80;
    expect([...lsData.keys()].some(bitStuffed)).toBe(true);
    const r = stripJpeg(plant(ls, [[ls.lastIndexOf(0xd9) - 1, comment()]]));
    expect(r?.removed).toEqual(['COM']);
    expect(Buffer.from(r!.bytes).equals(ls)).toBe(true);
  });

  it('removes fill bytes with the segment they precede', () => {
    const f = byName('SC_rgb_jpeg_dcmtk.dcm');
    const r = stripJpeg(plant(f, [[2, Buffer.concat([Uint8Array.of(0xff, 0xff), exif()])]]));
    expect(Buffer.from(r!.bytes).equals(f)).toBe(true);
  });

  it('keeps what follows EOI (the pad byte of an odd-length frame)', () => {
    const f = byName('JPEG-lossy.dcm');
    expect([...f.subarray(-3)]).toEqual([0xff, 0xd9, 0xff]); // its encoder padded with 0xFF
    expect(Buffer.from(stripJpeg(plant(f, [[2, comment()]]))!.bytes).equals(f)).toBe(true);
  });

  it('undefined for every truncation before EOI, and for stray bytes or bad lengths', () => {
    for (const name of ['SC_rgb_small_odd_jpeg.dcm', 'MR_small_jpeg_ls_lossless.dcm', 'JPEG-lossy.dcm']) {
      const f = byName(name);
      const eoi = f.lastIndexOf(0xd9) + 1;
      for (let n = 0; n < eoi; n++) expect(stripJpeg(f.subarray(0, n))).toBeUndefined();
    }
    const f = byName('SC_rgb_jpeg_dcmtk.dcm');
    expect(stripJpeg(f.subarray(2))).toBeUndefined(); // no SOI
    expect(stripJpeg(plant(f, [[2, Uint8Array.of(0x00)]]))).toBeUndefined(); // stray byte
    expect(stripJpeg(plant(f, [[2, Uint8Array.of(0xff, 0xe1, 0x00, 0x01)]]))).toBeUndefined(); // length < 2
    expect(stripJpeg(plant(f, [[2, Uint8Array.of(0xff, 0xd8)]]))).toBeUndefined(); // second SOI
    expect(
      stripJpeg(Buffer.concat([f.subarray(0, 20), Uint8Array.of(0xff, 0xfe, 0xff, 0xff)])),
    ).toBeUndefined();
  });

  it('a 24 MB scan is walked with indexOf, its trailing COM found', () => {
    const f = byName('SC_rgb_jpeg_dcmtk.dcm');
    const sos = firstSos(f);
    const scanStart = sos + 2 + (((f[sos + 2] as number) << 8) | (f[sos + 3] as number));
    const eoi = f.lastIndexOf(0xd9) - 1;
    const data = f.subarray(scanStart, eoi);
    const big = Buffer.concat([
      f.subarray(0, scanStart),
      ...Array(Math.floor(24e6 / data.length)).fill(data),
      comment(),
      f.subarray(eoi),
    ]);
    const t0 = performance.now();
    const r = stripJpeg(big);
    const ms = performance.now() - t0;
    expect(r?.removed).toEqual(['COM']);
    expect(r!.bytes.length).toBe(big.length - comment().length);
    expect(ms).toBeLessThan(5000);
  });
});

describe.runIf(real.length > 0)('stripJpeg on damaged streams', () => {
  it('never throws on 6000 random truncations and byte flips of planted real streams', () => {
    const sources = streams.map(({ frame }) =>
      plant(frame, [
        [2, exif()],
        [firstSos(frame), comment()],
      ]),
    );
    const rng = new Rng(20240917);
    let walked = 0;
    for (let i = 0; i < 6000; i++) {
      const src = sources[rng.int(sources.length)] as Uint8Array;
      const b = Uint8Array.from(src.subarray(0, rng.int(4) === 0 ? rng.int(src.length) : src.length));
      for (let k = rng.int(6); k > 0; k--) b[rng.int(b.length)] = rng.int(256);
      const r = stripJpeg(b);
      if (!r) continue;
      walked++;
      expect(r.bytes.length).toBeLessThanOrEqual(b.length);
      // What comes out has nothing left to strip.
      expect(stripJpeg(r.bytes)?.removed).toEqual([]);
    }
    expect(walked).toBeGreaterThan(100);
  });
});
