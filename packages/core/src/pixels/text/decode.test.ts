/**
 * Compressed frames decoded for the text scan, judged against independent decoders on real
 * files: every JPEG-LS and JPEG 2000 file among pydicom's test data (Kakadu, OpenJPEG, GDCM,
 * CharLS encodings; 8/16-bit, signed, YBR_RCT colour) against GDCM's own decoding
 * (`gdcmconv --raw`), and dcmtk's JPEG-LS encodings of a real RGB image in each interleave
 * mode against the native image they came from. Whether a frame was coded with loss is read
 * from the codestream itself here (the COD segment's wavelet, the SOF-55 NEAR parameter), not
 * from the decoder.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PYDICOM_DIRS, testDir } from '@dcmblind/test-utils';
import { describe, expect, it } from 'vitest';
import { type ParsedFile, parseFile } from '../../dicom/reader.js';
import { fragmentsOf } from '../test-frames.js';
import { decodeEncapsulated } from './decode.js';

const DIR = PYDICOM_DIRS[0] as string;
const have = (tool: string) => spawnSync('which', [tool]).status === 0;
const TOOLS = have('gdcmconv') && have('dcmcjpls');
if ((!existsSync(DIR) || !TOOLS) && process.env.CI)
  throw new Error('CI needs python3-pydicom, libgdcm-tools and dcmtk (.ci/run)');

const pixelsOf = (p: ParsedFile) => p.dataset.find((e) => e.tag === 0x7fe00010);
const nativeCells = (path: string) => {
  const p = parseFile(readFileSync(path));
  const el = pixelsOf(p);
  if (!el) throw new Error(`${path}: no Pixel Data`);
  return p.data.subarray(el.valueStart, el.valueStart + el.valueLength);
};
const decode = (path: string) => {
  const p = parseFile(readFileSync(path));
  const el = pixelsOf(p);
  if (!el) throw new Error(`${path}: no Pixel Data`);
  return decodeEncapsulated(p, el);
};
/** The decoded cells equal the reference's (which may carry a pad byte). */
const same = (cells: Uint8Array, ref: Uint8Array) =>
  Buffer.from(cells).equals(Buffer.from(ref.subarray(0, cells.length))) && ref.length - cells.length <= 1;

/** JPEG 2000: the wavelet of the first COD segment (its last SPcod byte: 0 is the irreversible 9/7). */
function j2kIrreversible(frame: Uint8Array): boolean {
  for (let i = 0; i + 13 < frame.length; i++)
    if (frame[i] === 0xff && frame[i + 1] === 0x52) return frame[i + 13] === 0;
  throw new Error('no COD segment');
}

const J2K_OR_LS = [
  '693_J2KI.dcm',
  'GDCMJ2K_TextGBR.dcm',
  'J2K_pixelrep_mismatch.dcm',
  'JPEG2000.dcm',
  'MR_small_jp2klossless.dcm',
  'MR_small_jpeg_ls_lossless.dcm',
  'SC_rgb_gdcm_KY.dcm',
];

describe.skipIf(!existsSync(DIR) || !TOOLS)('JPEG-LS and JPEG 2000 frames (CharLS, OpenJPEG)', () => {
  const dir = testDir('decode-');

  it.each(J2K_OR_LS)('%s decodes to the cells GDCM decodes', (name) => {
    const path = join(DIR, name);
    const raw = join(dir, `raw-${name}`);
    execFileSync('gdcmconv', ['--raw', path, raw]);
    const d = decode(path);
    if ('unreadable' in d) throw new Error(d.unreadable);
    expect(same(d.value, nativeCells(raw))).toBe(true);
    const frame = fragmentsOf(path)[0] as Uint8Array;
    const isJ2k = frame[0] === 0xff && frame[1] === 0x4f;
    expect(d.lossy).toBe(isJ2k && j2kIrreversible(frame));
    expect(d.writeBack).toBe('native');
    // YBR_RCT frames come out RGB (the codestream's transform undone), as GDCM's do.
    if (name === 'GDCMJ2K_TextGBR.dcm')
      expect([d.geometry.photometric, d.geometry.samples]).toEqual(['RGB', 3]);
  });

  it('the lossless copies of MR_small give back its native cells exactly', () => {
    const native = nativeCells(join(DIR, 'MR_small.dcm'));
    for (const name of ['MR_small_jp2klossless.dcm', 'MR_small_jpeg_ls_lossless.dcm']) {
      const d = decode(join(DIR, name));
      if ('unreadable' in d) throw new Error(d.unreadable);
      expect(same(d.value, native), name).toBe(true);
    }
  });

  it.each([
    ['+il', 'line'],
    ['+is', 'sample'],
    ['+in', 'none'],
  ])('RGB JPEG-LS interleaved by %s comes out pixel by pixel, exactly', (flag) => {
    const source = join(DIR, 'SC_rgb_small_odd.dcm');
    const out = join(dir, `ls${flag}.dcm`);
    execFileSync('dcmcjpls', [flag, source, out]);
    const d = decode(out);
    if ('unreadable' in d) throw new Error(d.unreadable);
    expect(same(d.value, nativeCells(source))).toBe(true);
    expect(d.lossy).toBe(false);
  });

  it('near-lossless JPEG-LS is decoded as dcmtk decodes it and said to be lossy', () => {
    const source = join(DIR, 'SC_rgb_small_odd.dcm');
    const near = join(dir, 'near.dcm');
    const back = join(dir, 'near-back.dcm');
    execFileSync('dcmcjpls', ['+in', '+en', source, near]);
    execFileSync('dcmdjpls', [near, back]);
    const d = decode(near);
    if ('unreadable' in d) throw new Error(d.unreadable);
    expect(same(d.value, nativeCells(back))).toBe(true);
    expect(same(d.value, nativeCells(source))).toBe(false); // NEAR 2 did change some cells
    expect(d.lossy).toBe(true);
  });

  it('a frame the codec cannot read is a reason, not a crash', () => {
    const d = decode(join(DIR, 'JPEG2000-embedded-sequence-delimiter.dcm'));
    expect(d).toEqual({ unreadable: expect.stringMatching(/^a JPEG 2000 frame: it does not decode/) });
    // A JPEG-LS frame cut short.
    const path = join(DIR, 'MR_small_jpeg_ls_lossless.dcm');
    const file = Buffer.from(readFileSync(path));
    const frame = fragmentsOf(path)[0] as Uint8Array;
    const at = file.indexOf(Buffer.from(frame));
    file.fill(0, at + 40, at + frame.length - 2);
    const p = parseFile(file);
    const cut = decodeEncapsulated(p, pixelsOf(p) as NonNullable<ReturnType<typeof pixelsOf>>);
    expect(cut).toEqual({ unreadable: expect.stringMatching(/^a JPEG-LS frame: /) });
  });
});
