/**
 * Metadata segments in compressed pixel data, per transfer syntax (PS3.5 Annex A.4 and §8.2):
 * - JPEG (all processes, lossless included) and JPEG-LS: APPn and COM segments removed, except
 *   those a decoder needs (JFIF APP0 without its thumbnail, Adobe APP14, JPEG-LS mrfx APP8);
 * - JPEG 2000 and HTJ2K: COM segments removed from the main and tile-part headers (tile-part
 *   lengths fixed, TLM dropped when they change); in a JP2-wrapped stream also the XML, UUID,
 *   UUID-info and rights boxes;
 * - RLE: segments hold pixel values only; nothing to check;
 * - MPEG-2, MPEG-4 AVC/H.264, HEVC/H.265 video and JPEG XL: not checked (their containers and
 *   SEI/user-data messages can carry text dcmblind does not parse): reported per file.
 * The image is never re-encoded: every other byte of every frame is kept.
 */
import type { Stripped } from './jpeg.js';
import { stripJpeg } from './jpeg.js';
import { stripJ2k } from './j2k.js';

export type Family = 'jpeg' | 'j2k' | 'rle' | 'unchecked';

const JPEG_PROCESS = /^1\.2\.840\.10008\.1\.2\.4\.(5[0-9]|6[0-6]|70|80|81)$/;
const J2K = /^1\.2\.840\.10008\.1\.2\.4\.(9[0-3]|20[1-4])$/;
const RLE = '1.2.840.10008.1.2.5';

export function familyOf(transferSyntaxUID: string): Family {
  if (JPEG_PROCESS.test(transferSyntaxUID)) return 'jpeg';
  if (J2K.test(transferSyntaxUID)) return 'j2k';
  if (transferSyntaxUID === RLE) return 'rle';
  return 'unchecked';
}

const JP2_SIGNATURE = [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20];

/** Whether a fragment starts a frame of this family. */
export function startsFrame(family: Family, f: Uint8Array): boolean {
  if (family === 'jpeg') return f[0] === 0xff && f[1] === 0xd8;
  if (family === 'j2k') return (f[0] === 0xff && f[1] === 0x4f) || JP2_SIGNATURE.every((b, i) => f[i] === b);
  return false;
}

/** One frame without its metadata segments; undefined when it cannot be walked. */
export function stripFrame(family: 'jpeg' | 'j2k', frame: Uint8Array): Stripped | undefined {
  return family === 'jpeg' ? stripJpeg(frame) : stripJ2k(frame);
}
