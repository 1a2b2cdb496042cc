/**
 * Compressed frames decoded for the text scan, and how the blanked frames are written back:
 * RLE Lossless is decoded and encoded again here (rle.ts), the same syntax, losslessly; JPEG
 * baseline and extended (8-bit) is decoded by jpeg-js and, since encoding it again would lose
 * more, written back native in explicit VR little endian (its pixels already went through a
 * lossy step: LossyImageCompression stays 01); JPEG lossless (process 14) is decoded by
 * jpeg-lossless-decoder-js, JPEG-LS, JPEG 2000 and HTJ2K by CharLS, OpenJPEG and OpenJPH
 * (wasm-codecs.ts), and written back native (losslessly, or LossyImageCompression 01 when they
 * were coded with loss). Other syntaxes (12-bit lossy JPEG, video) are not decoded by this version.
 */
import { createRequire } from 'node:module';
import { coreFile } from '../../package-files.js';
import type { Element, ParsedFile } from '../../dicom/reader.js';
import { numberOfFrames } from '../encapsulated.js';
import { framesOf, frameBytes, readEncapsulated } from '../fragments.js';
import { startsFrame } from '../bitstream.js';
import { frameBytes as nativeFrameBytes, type Geometry, geometryOf } from './frames.js';
import { decodeRleFrame } from './rle.js';
import { decodeHtj2k, decodeJpeg2000, decodeJpegLs } from './wasm-codecs.js';

export const RLE_LOSSLESS = '1.2.840.10008.1.2.5';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const JPEG_EXTENDED = '1.2.840.10008.1.2.4.51';
/** JPEG lossless, process 14, and its first-order prediction (selection value 1) kind. */
const JPEG_LOSSLESS = new Set(['1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70']);
/** JPEG-LS lossless and near-lossless. */
const JPEG_LS = new Set(['1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81']);
/** JPEG 2000 (Part 1 and multi-component), lossless only or not. */
const JPEG_2000 = new Set([
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.4.91',
  '1.2.840.10008.1.2.4.92',
  '1.2.840.10008.1.2.4.93',
]);
/** High-throughput JPEG 2000 (Part 15): lossless, lossless with RPCL progression, either. */
const HTJ2K = new Set(['1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203']);
export const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';

/** Names of the compressed syntaxes this version does not decode, for the quarantine reason. */
const SYNTAX_NAMES: Readonly<Record<string, string>> = {
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
  /** Some frame was coded with loss: written native, the file says LossyImageCompression 01. */
  readonly lossy: boolean;
}

type Family = 'rle' | 'jpeg' | 'lossless' | 'jpeg-ls' | 'j2k' | 'htj2k';

function familyOf(ts: string): Family | undefined {
  if (ts === RLE_LOSSLESS) return 'rle';
  if (ts === JPEG_BASELINE || ts === JPEG_EXTENDED) return 'jpeg';
  if (JPEG_LOSSLESS.has(ts)) return 'lossless';
  if (JPEG_LS.has(ts)) return 'jpeg-ls';
  if (JPEG_2000.has(ts)) return 'j2k';
  if (HTJ2K.has(ts)) return 'htj2k';
  return undefined;
}

/** Colour models a JPEG 2000 codestream's component transform turns back into RGB. */
const J2K_TO_RGB = new Set(['YBR_ICT', 'YBR_RCT']);

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

/** One frame decoded, as native cells; whether it was coded with loss. */
function decodeFrame(
  family: Family,
  bytes: Uint8Array,
  header: Geometry,
  geometry: Geometry,
): { cells: Uint8Array; lossy: boolean } | { unreadable: string } | undefined {
  const exact = (cells: Uint8Array | { unreadable: string } | undefined, lossy: boolean) =>
    cells && !('unreadable' in cells) ? { cells, lossy } : cells;
  if (family === 'rle') return exact(decodeRleFrame(bytes, geometry), false);
  if (family === 'jpeg') return exact(decodeJpeg(bytes, header), true);
  if (family === 'lossless') return exact(decodeLossless(bytes, geometry), false);
  if (family === 'jpeg-ls') return decodeJpegLs(bytes, geometry);
  return family === 'j2k' ? decodeJpeg2000(bytes, geometry) : decodeHtj2k(bytes, geometry);
}

/** The frames of an encapsulated Pixel Data, decoded; or why they cannot be. */
export function decodeEncapsulated(parsed: ParsedFile, el: Element): DecodedPixels | { unreadable: string } {
  const ts = parsed.transferSyntaxUID;
  const family = familyOf(ts);
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
  const kind = family === 'rle' ? 'rle' : family === 'j2k' || family === 'htj2k' ? 'j2k' : 'jpeg';
  const frames = enc && framesOf(enc, numberOfFrames(parsed), (f) => startsFrame(kind, f));
  if (!frames) return { unreadable: 'the compressed frames cannot be told apart' };
  const toRgb =
    header.samples === 3 &&
    (family === 'jpeg' || ((family === 'j2k' || family === 'htj2k') && J2K_TO_RGB.has(header.photometric)));
  const geometry: Geometry = {
    ...header,
    planar: false,
    littleEndian: true,
    ...(toRgb ? { photometric: 'RGB' } : {}),
  };
  const size = nativeFrameBytes(geometry);
  const out = new Uint8Array(size * frames.length);
  let lossy = false;
  for (const [i, frame] of frames.entries()) {
    const decoded = decodeFrame(family, frameBytes(frame), header, geometry);
    if (!decoded) return { unreadable: `RLE frame ${i + 1} does not decode` };
    if ('unreadable' in decoded) return decoded;
    out.set(decoded.cells, i * size);
    lossy ||= decoded.lossy;
  }
  return { geometry, value: out, writeBack: family === 'rle' ? 'rle' : 'native', lossy };
}
