/**
 * Compressed frames decoded for the text scan, and how the blanked frames are written back:
 * RLE Lossless is decoded and encoded again here (rle.ts), the same syntax, losslessly; JPEG
 * baseline and extended (8-bit) is decoded by jpeg-js and, since encoding it again would lose
 * more, written back native in explicit VR little endian (its pixels already went through a
 * lossy step: LossyImageCompression stays 01); JPEG lossless (process 14) is decoded by
 * jpeg-lossless-decoder-js and written back native, losslessly. Other syntaxes (JPEG-LS, JPEG
 * 2000) are not decoded by this version.
 */
import { createRequire } from 'node:module';
import { coreFile } from '../../package-files.js';
import type { Element, ParsedFile } from '../../dicom/reader.js';
import { numberOfFrames } from '../encapsulated.js';
import { framesOf, frameBytes, readEncapsulated } from '../fragments.js';
import { startsFrame } from '../bitstream.js';
import { frameBytes as nativeFrameBytes, type Geometry, geometryOf } from './frames.js';
import { decodeRleFrame } from './rle.js';

export const RLE_LOSSLESS = '1.2.840.10008.1.2.5';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const JPEG_EXTENDED = '1.2.840.10008.1.2.4.51';
/** JPEG lossless, process 14, and its first-order prediction (selection value 1) kind. */
const JPEG_LOSSLESS = new Set(['1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70']);
export const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';

/** Names of the compressed syntaxes this version does not decode, for the quarantine reason. */
const SYNTAX_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2.4.80': 'JPEG-LS lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS near-lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 multi-component lossless',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 multi-component',
  '1.2.840.10008.1.2.4.201': 'HTJ2K lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
  '1.2.840.10008.1.2.4.100': 'MPEG2',
  '1.2.840.10008.1.2.4.102': 'MPEG-4',
  '1.2.840.10008.1.2.4.103': 'MPEG-4',
  '1.2.840.10008.1.2.4.106': 'MPEG-4',
  '1.2.840.10008.1.2.4.107': 'HEVC',
  '1.2.840.10008.1.2.4.108': 'HEVC',
};

export interface DecodedPixels {
  /** The decoded frames' layout (interleaved samples, little endian). */
  readonly geometry: Geometry;
  /** Every frame, native, one after the other. */
  readonly value: Uint8Array;
  /** How blanked frames are written: the same syntax (RLE), or native. */
  readonly writeBack: 'rle' | 'native';
}

type JpegDecode = (data: Uint8Array, opts: object) => { width: number; height: number; data: Uint8Array };
// From the core package's root: inside a frontend's bundle `import.meta.url` is the bundle's.
const require = createRequire(coreFile('package.json'));
let jpegDecode: JpegDecode | undefined;

/** One JPEG frame as 8-bit cells: RGB interleaved (3 samples) or grey. */
function decodeJpeg(frame: Uint8Array, g: Geometry): Uint8Array | { unreadable: string } {
  jpegDecode ??= require('jpeg-js').decode as JpegDecode;
  let img: ReturnType<JpegDecode>;
  try {
    img = jpegDecode(frame, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      // DICOM says which colour model the frame holds (PS3.5 §8.2.1): YBR is converted, RGB is not.
      colorTransform: g.photometric.startsWith('YBR'),
    });
  } catch (e) {
    return { unreadable: `a JPEG frame does not decode (${(e as Error).message})` };
  }
  if (img.width !== g.columns || img.height !== g.rows)
    return {
      unreadable: `a JPEG frame is ${img.width}×${img.height}, the header says ${g.columns}×${g.rows}`,
    };
  if (g.samples === 3) return img.data;
  const grey = new Uint8Array(g.rows * g.columns);
  for (let i = 0; i < grey.length; i++) grey[i] = img.data[i * 3] as number;
  return grey;
}

interface LosslessDecoder {
  decode(buffer: ArrayBuffer, offset: number, length: number): Uint8Array | Uint16Array;
}
let losslessDecoder: (new () => LosslessDecoder) | undefined;

/** One lossless JPEG frame as native cells (16-bit ones little endian). */
function decodeLossless(frame: Uint8Array, g: Geometry): Uint8Array | { unreadable: string } {
  losslessDecoder ??= (require('jpeg-lossless-decoder-js') as { Decoder: new () => LosslessDecoder }).Decoder;
  let cells: Uint8Array | Uint16Array;
  try {
    const copy = Uint8Array.from(frame);
    cells = new losslessDecoder().decode(copy.buffer, 0, copy.length);
  } catch (e) {
    return { unreadable: `a lossless JPEG frame does not decode (${(e as Error).message})` };
  }
  const expected = g.rows * g.columns * g.samples;
  if (cells.length !== expected || (g.bytes === 2) !== cells instanceof Uint16Array)
    return { unreadable: 'a lossless JPEG frame does not match the header (size or bit depth)' };
  if (cells instanceof Uint8Array) return cells;
  const out = new Uint8Array(expected * 2);
  const v = new DataView(out.buffer);
  for (let i = 0; i < expected; i++) v.setUint16(i * 2, cells[i] as number, true);
  return out;
}

/** The frames of an encapsulated Pixel Data, decoded; or why they cannot be. */
export function decodeEncapsulated(parsed: ParsedFile, el: Element): DecodedPixels | { unreadable: string } {
  const ts = parsed.transferSyntaxUID;
  const family =
    ts === RLE_LOSSLESS
      ? 'rle'
      : ts === JPEG_BASELINE || ts === JPEG_EXTENDED
        ? 'jpeg'
        : JPEG_LOSSLESS.has(ts)
          ? 'lossless'
          : undefined;
  if (!family)
    return {
      unreadable: `${SYNTAX_NAMES[ts] ?? 'compressed'} frames (${ts}) are not decoded by this version`,
    };
  const header = geometryOf(parsed, el, { compressed: true });
  if ('unreadable' in header) return header;
  if (family === 'jpeg' && header.bytes !== 1)
    return { unreadable: '12-bit JPEG is not decoded by this version' };
  const value = parsed.data.subarray(el.valueStart, el.end);
  const enc = readEncapsulated(value);
  const frames =
    enc && framesOf(enc, numberOfFrames(parsed), (f) => startsFrame(family === 'rle' ? 'rle' : 'jpeg', f));
  if (!frames) return { unreadable: 'the compressed frames cannot be told apart' };
  const geometry: Geometry = {
    ...header,
    planar: false,
    littleEndian: true,
    ...(family === 'jpeg' && header.samples === 3 ? { photometric: 'RGB' } : {}),
  };
  const size = nativeFrameBytes(geometry);
  const out = new Uint8Array(size * frames.length);
  for (const [i, frame] of frames.entries()) {
    const bytes = frameBytes(frame);
    const cells =
      family === 'rle'
        ? decodeRleFrame(bytes, geometry)
        : family === 'jpeg'
          ? decodeJpeg(bytes, header)
          : decodeLossless(bytes, geometry);
    if (!cells) return { unreadable: `RLE frame ${i + 1} does not decode` };
    if ('unreadable' in cells) return cells;
    out.set(cells, i * size);
  }
  return { geometry, value: out, writeBack: family === 'rle' ? 'rle' : 'native' };
}
