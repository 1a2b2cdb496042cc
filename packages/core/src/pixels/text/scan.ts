/**
 * Which files have their pixels scanned for burned-in text (the Clean Pixel Data Option), and what
 * a scan needs of a file. Classes that often carry text are scanned whatever their
 * BurnedInAnnotation says (it is often absent or wrong); CT, MR, PET, NM and RT only when it says
 * YES. A file that should be scanned and cannot be (compressed frames this version does not
 * decode, a layout it does not read) is quarantined, never written with its text.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { ParsedFile } from '../../dicom/reader.js';
import { latin1 } from '../../deid/text.js';
import { decodeEncapsulated } from './decode.js';
import { type Box, frameBytes, type Geometry, geometryOf } from './frames.js';

export type PixelScan = 'all' | 'at-risk' | 'none';
export const PIXEL_SCANS: readonly PixelScan[] = ['all', 'at-risk', 'none'];

/**
 * Modalities whose images are often captured from a screen or annotated by the device:
 * ultrasound, secondary capture and other, angiography and fluoroscopy, endoscopy and other
 * visible light, general microscopy, projection radiography, mammography, intra-oral and
 * panoramic X-ray.
 */
const AT_RISK_MODALITIES = new Set([
  'US',
  'IVUS',
  'OT',
  'SC',
  'XA',
  'RF',
  'ES',
  'XC',
  'GM',
  'SM',
  'OP',
  'DX',
  'CR',
  'MG',
  'IO',
  'PX',
  'DOC',
]);

/** Secondary Capture Image Storage and its multi-frame kinds: screenshots whatever the modality. */
const SECONDARY_CAPTURE = /^1\.2\.840\.10008\.5\.1\.4\.1\.1\.7(\.[1-4])?$/;

export interface ScanFacts {
  readonly modality: string;
  readonly sopClassUID: string;
  /** BurnedInAnnotation says YES. */
  readonly burnedIn: boolean;
}

/** Whether a file is scanned under `mode`. */
export function shouldScan(mode: PixelScan, f: ScanFacts): boolean {
  if (mode === 'none') return false;
  if (mode === 'all' || f.burnedIn) return true;
  return AT_RISK_MODALITIES.has(f.modality.toUpperCase()) || SECONDARY_CAPTURE.test(f.sopClassUID);
}

/** What a scan reads: the Pixel Data value's place in the file's bytes and its frames' layout. */
export interface ScanRequest {
  readonly geometry: Geometry;
  /**
   * The frames' cells: a copy of a native Pixel Data value (the file's bytes may be a buffer the
   * thread reuses), or compressed frames decoded. Empty when the value is still in the file.
   */
  readonly value: Uint8Array;
  /**
   * A native value too big to hold (a long cine): it stays in the source file from this offset
   * and is read frame by frame, by `read` (given by whoever holds the file: the run's task).
   */
  readonly inFile?: { readonly at: number; readonly read?: (at: number, length: number) => Uint8Array };
  /** Compressed frames: how blanked ones are written back (decode.ts). */
  readonly writeBack?: 'rle' | 'native';
  /** Compressed frames coded with loss (written back native, they still say so). */
  readonly lossy?: boolean;
  /** Rectangles of the region rules the file matches (rules.ts), blanked in every frame. */
  readonly regions?: readonly Box[];
}

/** Boxes to blank, frame by frame (a scan's answer; empty lists when no text was found). */
export interface Blanking {
  readonly frames: readonly (readonly Box[])[];
}

/** The request for a file to be scanned, or why it cannot be. */
export function scanRequest(
  parsed: ParsedFile,
  regions: readonly Box[] = [],
): ScanRequest | { readonly quarantine: string } | undefined {
  const el = parsed.dataset.find((e) => e.tag === 0x7fe00010);
  if (!el || el.items || el.valueLength === 0) return undefined; // no pixels, nothing to scan
  const why = (s: string) => ({ quarantine: `pixel data not scanned for burned-in text: ${s}` });
  if (el.external && el.encapsulated)
    return why('compressed frames over 32 MiB are not scanned by this version');
  if (el.encapsulated) {
    const d = decodeEncapsulated(parsed, el);
    return 'unreadable' in d ? why(d.unreadable) : { ...d, regions };
  }
  const g = geometryOf(parsed, el);
  if ('unreadable' in g) return why(g.unreadable);
  // Read frame by frame from the file when it is needed: memory is one frame's, not the file's.
  if (el.external) return { regions, geometry: g, value: new Uint8Array(0), inFile: { at: el.valueStart } };
  // A copy (Uint8Array.from): `data` may be the thread's read buffer, which the next file
  // overwrites while this one waits for its OCR — and a Buffer's slice() is a view, not a copy.
  return {
    regions,
    geometry: g,
    value: Uint8Array.from(parsed.data.subarray(el.valueStart, el.valueStart + el.valueLength)),
  };
}

/**
 * The request with its value left in the file read from `path` (opened for each frame: a file
 * waiting for OCR holds no descriptor); any other request as it is.
 */
export function readingFrom(req: ScanRequest, path: string): ScanRequest {
  if (!req.inFile) return req;
  const read = (at: number, length: number): Uint8Array => {
    const out = new Uint8Array(length);
    const fd = openSync(path, 'r');
    try {
      for (let got = 0; got < length; ) {
        const n = readSync(fd, out, got, length - got, at + got);
        if (n === 0) throw new Error('the file ended while its pixels were read');
        got += n;
      }
    } finally {
      closeSync(fd);
    }
    return out;
  };
  return { ...req, inFile: { ...req.inFile, read } };
}

/** Frame `f`'s cells (a view of the value in memory, or a fresh copy read from the file). */
export function frameOf(req: ScanRequest, f: number): Uint8Array {
  const size = frameBytes(req.geometry);
  if (!req.inFile) return req.value.subarray(f * size, (f + 1) * size);
  if (!req.inFile.read) throw new Error('pixel data left in the file, and no way to read it given');
  return req.inFile.read(req.inFile.at + f * size, size);
}

/** The facts `shouldScan` judges by, read from the data set. */
export function scanFacts(parsed: ParsedFile, sopClassUID: string, burnedIn: boolean): ScanFacts {
  const el = parsed.dataset.find((e) => e.tag === 0x00080060);
  const modality =
    el && !el.items && !el.external
      ? latin1(parsed.data.subarray(el.valueStart, el.valueStart + el.valueLength)).trim()
      : '';
  return { modality, sopClassUID, burnedIn };
}
