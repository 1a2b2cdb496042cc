/**
 * Pixel Data after the scan for burned-in text (pixels/text/): where text was found, the frames
 * with it blanked, written in the source's syntax when that is lossless (native, RLE) or native
 * explicit VR little endian (JPEG: its attributes follow — transfer syntax, photometric
 * interpretation RGB, planar configuration 0, no Extended Offset Table). Where none was found the
 * pixels stay exactly as they were. Either way the file was checked: BurnedInAnnotation NO.
 */
import type { Element, ParsedFile } from '../dicom/reader.js';
import { T } from '../dicom/tag.js';
import { asciiBytes, type OutNode, padValue } from '../dicom/writer.js';
import { framesOf, readEncapsulated, rebuild } from '../pixels/fragments.js';
import { numberOfFrames } from '../pixels/encapsulated.js';
import { startsFrame } from '../pixels/bitstream.js';
import { blank, type Box, frameBytes, type Geometry } from '../pixels/text/frames.js';
import { EXPLICIT_LITTLE } from '../pixels/text/decode.js';
import { encodeRleFrame } from '../pixels/text/rle.js';
import { type Blanking, frameOf, type ScanRequest } from '../pixels/text/scan.js';
import { type CellMask, cellMaskOf, clearUnusedBits } from '../pixels/unused-bits.js';
import { skipped } from '../testing/skip.js';
import { fire, type Walk } from './walk.js';

/** Cells of a value left in the source file, blanked: written in place of the file's bytes at `at`. */
export interface Patch {
  readonly at: number;
  readonly bytes: Uint8Array;
}

export interface Blanked {
  /**
   * Native cells, or an encapsulated value (offset table, fragments, delimiter); empty for a
   * value left in the file (`inFile`).
   */
  readonly value: Uint8Array;
  /**
   * A native value left in the source file (a long cine): copied from it at write time, the
   * rows with text replaced by their blanked cells, the rest with unused bits cleared by `mask`.
   */
  readonly inFile?: { readonly patches: readonly Patch[]; readonly mask?: CellMask };
  readonly encapsulated: boolean;
  readonly cellsBlanked: number;
  /** Bytes per cell: native cells over 8 bits are OW (PS3.5 §8.2). */
  readonly cellBytes: 1 | 2;
  /** Compressed frames written back native: the file's new transfer syntax and colour model. */
  readonly transferSyntaxUID?: string;
  readonly photometric?: string;
  /**
   * Frames coded with loss, now written native: LossyImageCompression must stay 01 (PS3.3
   * C.7.6.1.1.5), set or added whatever the source said.
   */
  readonly lossy?: true;
}

const PLANAR_CONFIGURATION = 0x00280006;
const PHOTOMETRIC = 0x00280004;
/** PS3.3 C.7.6.1.1.5: the image has undergone lossy compression. */
export const LOSSY_YES = '01';

/** The blanked Pixel Data of a scanned file; undefined when no text was found (pixels unchanged). */
export function blankedPixels(
  parsed: ParsedFile,
  element: Element,
  req: ScanRequest,
  blanking: Blanking,
): Blanked | undefined {
  if (blanking.frames.every((boxes) => boxes.length === 0)) return undefined;
  if (req.inFile) return blankedInFile(parsed, req, blanking);
  const g = req.geometry;
  const value = req.value;
  let cellsBlanked = 0;
  blanking.frames.forEach((boxes, f) => {
    cellsBlanked += blank(g, value, f, boxes);
  });
  if (cellsBlanked === 0) return undefined;
  // The cells as every native value dcmblind writes: unused bits cleared (signed cells
  // sign-extended), in the byte order of the cells at hand (decoded frames are little endian).
  const mask = skipped('unused-bits')
    ? undefined
    : cellMaskOf(parsed.data, parsed.dataset, parsed.encoding.littleEndian);
  if (mask) clearUnusedBits(value, { ...mask, littleEndian: g.littleEndian });
  if (req.writeBack === 'rle') {
    // The frames again, from this (second) parse: the first one's views were of the thread's read
    // buffer, which the next file has reused while this one waited for its OCR.
    const enc = readEncapsulated(parsed.data.subarray(element.valueStart, element.end));
    const frames = enc && framesOf(enc, numberOfFrames(parsed), (f) => startsFrame('rle', f));
    if (!enc || !frames) throw new Error('RLE frames decoded once and not again');
    const size = frameBytes(g);
    const replaced = new Map(
      frames.map((_, i) => [i, encodeRleFrame(value.subarray(i * size, (i + 1) * size), g)]),
    );
    const rebuilt = rebuild(frames, replaced, enc.offsets.length > 0);
    return { value: Buffer.concat(rebuilt.value), encapsulated: true, cellsBlanked, cellBytes: g.bytes };
  }
  if (req.writeBack === 'native')
    return {
      // A value of odd length (an odd number of 8-bit cells) takes a pad byte (PS3.5 §7.1.1).
      value: value.length % 2 ? Buffer.concat([value, Uint8Array.of(0)]) : value,
      encapsulated: false,
      cellsBlanked,
      cellBytes: g.bytes,
      transferSyntaxUID: EXPLICIT_LITTLE,
      photometric: g.photometric,
      ...(req.lossy ? { lossy: true as const } : {}),
    };
  return { value, encapsulated: false, cellsBlanked, cellBytes: g.bytes };
}

/** The runs of rows the boxes cover, clipped to the frame, merged, in order. */
function rowRuns(g: Geometry, boxes: readonly Box[]): Array<[number, number]> {
  const runs = boxes
    .map((b): [number, number] => [Math.max(0, Math.floor(b.y0)), Math.min(g.rows, Math.ceil(b.y1))])
    .filter(([a, z]) => z > a)
    .sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of runs) {
    const last = merged.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  return merged;
}

/** Where rows [y0, y1) of a frame lie in its cells: one span, or one per plane for planar colour. */
function rowSpans(g: Geometry, y0: number, y1: number): Array<[number, number]> {
  if (!g.planar) {
    const row = g.columns * g.samples * g.bytes;
    return [[y0 * row, y1 * row]];
  }
  const row = g.columns * g.bytes;
  const plane = g.rows * row;
  return [0, 1, 2].map((s): [number, number] => [s * plane + y0 * row, s * plane + y1 * row]);
}

/**
 * Blanked frames of a value left in the file: each frame with text read, blanked, its unused bits
 * cleared, and only the rows with text kept (copies: memory is the text's rows, not the frames).
 */
function blankedInFile(parsed: ParsedFile, req: ScanRequest, blanking: Blanking): Blanked | undefined {
  const g = req.geometry;
  const at = req.inFile?.at as number;
  const mask = skipped('unused-bits')
    ? undefined
    : cellMaskOf(parsed.data, parsed.dataset, parsed.encoding.littleEndian);
  const patches: Patch[] = [];
  let cellsBlanked = 0;
  blanking.frames.forEach((boxes, f) => {
    if (boxes.length === 0) return;
    const cells = frameOf(req, f);
    const changed = blank(g, cells, 0, boxes);
    if (changed === 0) return;
    cellsBlanked += changed;
    if (mask) clearUnusedBits(cells, { ...mask, littleEndian: g.littleEndian });
    for (const [y0, y1] of rowRuns(g, boxes))
      for (const [a, z] of rowSpans(g, y0, y1))
        patches.push({ at: at + f * frameBytes(g) + a, bytes: new Uint8Array(cells.subarray(a, z)) });
  });
  if (cellsBlanked === 0) return undefined;
  patches.sort((a, b) => a.at - b.at);
  const inFile = mask ? { patches, mask } : { patches };
  return { value: new Uint8Array(0), encapsulated: false, cellsBlanked, cellBytes: g.bytes, inFile };
}

/** The Pixel Data node of blanked frames. */
export function blankedNode(w: Walk, el: Element, b: Blanked): OutNode {
  fire(w, { action: 'C', source: 'Pixel Data: burned-in text blanked' });
  if (b.inFile) {
    if (w.transcode) throw new Error('cannot re-encode an element that is not in memory');
    // The value's end, not `end`: with a tail read, `end` is where the tail starts in memory.
    const length = el.valueStart + el.valueLength - el.start;
    const mask = b.inFile.mask ? { mask: { cells: b.inFile.mask, cellsAt: el.valueStart } } : {};
    return { kind: 'range', tag: el.tag, offset: el.start, length, ...mask, patches: b.inFile.patches };
  }
  const enc = w.transcode ?? el.enc;
  if (b.encapsulated) return { kind: 'open', tag: el.tag, vr: 'OB', enc, body: b.value };
  const vr = b.cellBytes === 2 || (el.vr === 'OW' && !b.transferSyntaxUID) ? 'OW' : 'OB';
  return { kind: 'value', tag: el.tag, vr, enc, value: b.value };
}

/**
 * Attributes that describe compressed frames now written native: the colour model they decoded
 * to, interleaved samples, no Extended Offset Table (null: removed), lossy coding still declared. Undefined: not such a file,
 * or not such an attribute.
 */
export function nativeAttribute(w: Walk, el: Element, b: Blanked | undefined): OutNode | null | undefined {
  if (!b?.transferSyntaxUID) return undefined;
  const enc = w.transcode ?? el.enc;
  if (el.tag === T.ExtendedOffsetTable || el.tag === T.ExtendedOffsetTableLengths) return null;
  if (el.tag === PHOTOMETRIC && b.photometric)
    return { kind: 'value', tag: el.tag, vr: 'CS', enc, value: padValue('CS', asciiBytes(b.photometric)) };
  if (el.tag === T.LossyImageCompression && b.lossy)
    return { kind: 'value', tag: el.tag, vr: 'CS', enc, value: padValue('CS', asciiBytes(LOSSY_YES)) };
  if (el.tag === PLANAR_CONFIGURATION) {
    const zero = new Uint8Array(2);
    return { kind: 'value', tag: el.tag, vr: 'US', enc, value: zero };
  }
  return undefined;
}
