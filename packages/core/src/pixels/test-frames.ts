/**
 * Test helper: the fragments of encapsulated Pixel Data in a little endian file, read without
 * the DICOM reader so the bit-stream tests stand on their own.
 */
import { readFileSync } from 'node:fs';

const PIXEL_DATA = Buffer.from([0xe0, 0x7f, 0x10, 0x00]);
const UNDEFINED_LENGTH = 0xffffffff;
const ITEM = 0xe000fffe;

/**
 * Each fragment's bytes, Basic Offset Table item skipped; [] when the file has no encapsulated
 * pixels. (7FE0,0010) is found as OB or OW with undefined length, or with no VR at all, as in
 * pydicom's SC_rgb_jpeg.dcm, which is implicit VR whatever its transfer syntax says.
 */
export function fragmentsOf(path: string): Uint8Array[] {
  const file = readFileSync(path);
  // The last match: an icon image sequence, when there is one, comes before the image's own pixels.
  let at = file.lastIndexOf(PIXEL_DATA);
  while (at >= 0 && itemsStart(file, at) === undefined)
    at = at > 0 ? file.lastIndexOf(PIXEL_DATA, at - 1) : -1;
  if (at < 0) return [];
  const out: Uint8Array[] = [];
  let item = itemsStart(file, at) as number;
  for (let n = 0; item + 8 <= file.length; n++) {
    const length = file.readUInt32LE(item + 4);
    if (file.readUInt32LE(item) !== ITEM || item + 8 + length > file.length) break;
    if (n > 0) out.push(file.subarray(item + 8, item + 8 + length));
    item += 8 + length;
  }
  return out;
}

/** Where the first item is when the Pixel Data element at `at` is encapsulated. */
function itemsStart(file: Buffer, at: number): number | undefined {
  const vr = file.toString('latin1', at + 4, at + 6);
  const lengthAt = vr === 'OB' || vr === 'OW' ? at + 8 : at + 4;
  if (lengthAt + 8 > file.length || file.readUInt32LE(lengthAt) !== UNDEFINED_LENGTH) return undefined;
  return file.readUInt32LE(lengthAt + 4) === ITEM ? lengthAt + 4 : undefined;
}

/** The one frame of a single-frame file: all its fragments joined. */
export function frameOf(path: string): Uint8Array {
  return Buffer.concat(fragmentsOf(path));
}
