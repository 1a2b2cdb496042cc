/**
 * A DICOMDIR (PS3.10 §8, PS3.3 F.3/F.5) for one subject's output folder, built from the
 * de-identified files themselves: PATIENT → STUDY → SERIES → instance records (IMAGE,
 * SR DOCUMENT, RT DOSE, … by SOP class, with that record type's keys) with their sibling and
 * child offsets, file IDs relative to the DICOMDIR. Nothing comes from an input DICOMDIR.
 * Type 1 keys a blinded file no longer has (dates, study IDs) get fixed dummies.
 */
import { ChunkList, fileHeader } from './writer.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../version.js';

export const MEDIA_STORAGE_DIRECTORY_UID = '1.2.840.10008.1.3.10';
const EXPLICIT_LE_UID = '1.2.840.10008.1.2.1';

export interface DirImage {
  /** Directory Record Type for the instance (PS3.3 F.5): IMAGE, SR DOCUMENT, RT DOSE, … */
  readonly recordType: string;
  /** That record type's own keys (already encoded), besides the referenced file and Instance Number. */
  readonly keys: readonly Field[];
  /** File ID components relative to the DICOMDIR, e.g. ["DICOM", "7Q3M0ZKA"]. */
  readonly fileId: readonly string[];
  readonly sopClassUID: string;
  readonly sopInstanceUID: string;
  readonly transferSyntaxUID: string;
  readonly instanceNumber: string;
}
export interface DirSeries {
  readonly seriesUID: string;
  readonly modality: string;
  readonly seriesNumber: string;
  readonly images: readonly DirImage[];
}
export interface DirStudy {
  readonly studyUID: string;
  readonly studyDate: string;
  readonly studyTime: string;
  readonly studyID: string;
  readonly accessionNumber: string;
  readonly series: readonly DirSeries[];
}
export interface DirPatient {
  readonly patientID: string;
  readonly patientName: string;
  readonly studies: readonly DirStudy[];
}

export type Field = readonly [tag: number, vr: string, value: Uint8Array];

const LONG = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT']);

export function text(s: string, vr: string): Uint8Array {
  const b = Buffer.from(s, 'latin1');
  if (b.length % 2 === 0) return b;
  return Buffer.concat([b, Buffer.from([vr === 'UI' ? 0 : 0x20])]);
}
const ul = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const us = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};

export function encode(tag: number, vr: string, value: Uint8Array): Buffer {
  const long = LONG.has(vr);
  const h = Buffer.alloc(long ? 12 : 8);
  h.writeUInt16LE(tag >>> 16, 0);
  h.writeUInt16LE(tag & 0xffff, 2);
  h.write(vr, 4, 'latin1');
  if (long) h.writeUInt32LE(value.length, 8);
  else h.writeUInt16LE(value.length, 6);
  return Buffer.concat([h, value]);
}

/** One directory record: the offset fields first (placeholders), then its keys, in tag order. */
interface Rec {
  readonly type: string;
  readonly keys: Field[];
  readonly children: Rec[];
  next?: Rec;
  offset?: number;
  bytes?: Buffer;
}

const OFFSET_NEXT = 0x00041400;
const OFFSET_LOWER = 0x00041420;

function recordBytes(r: Rec): Buffer {
  const fields: Field[] = [
    [OFFSET_NEXT, 'UL', ul(r.next?.offset ?? 0)] as const,
    [0x00041410, 'US', us(0xffff)] as const,
    [OFFSET_LOWER, 'UL', ul(r.children[0]?.offset ?? 0)] as const,
    [0x00041430, 'CS', text(r.type, 'CS')] as const,
    ...r.keys,
  ];
  fields.sort((a, b) => a[0] - b[0]);
  return item(Buffer.concat(fields.map(([t, vr, v]) => encode(t, vr, v))));
}

/** A sequence item of defined length around an encoded body. */
export function item(body: Uint8Array): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16LE(0xfffe, 0);
  h.writeUInt16LE(0xe000, 2);
  h.writeUInt32LE(body.length, 4);
  return Buffer.concat([h, body]);
}

function link(list: Rec[]): void {
  list.forEach((r, i) => {
    if (i + 1 < list.length) r.next = list[i + 1];
    link(r.children);
  });
}

function flatten(list: Rec[], out: Rec[] = []): Rec[] {
  for (const r of list) {
    out.push(r);
    flatten(r.children, out);
  }
  return out;
}

export function buildDicomdir(patients: readonly DirPatient[], fileSetUID: string): ChunkList {
  const roots: Rec[] = patients.map((p) => ({
    type: 'PATIENT',
    keys: [
      [0x00100010, 'PN', text(p.patientName, 'PN')],
      [0x00100020, 'LO', text(p.patientID, 'LO')],
    ],
    children: p.studies.map((s) => ({
      type: 'STUDY',
      keys: [
        [0x00080020, 'DA', text(s.studyDate, 'DA')],
        [0x00080030, 'TM', text(s.studyTime, 'TM')],
        [0x00080050, 'SH', text(s.accessionNumber, 'SH')],
        [0x00081030, 'LO', new Uint8Array(0)],
        [0x0020000d, 'UI', text(s.studyUID, 'UI')],
        [0x00200010, 'SH', text(s.studyID, 'SH')],
      ],
      children: s.series.map((se) => ({
        type: 'SERIES',
        keys: [
          [0x00080060, 'CS', text(se.modality, 'CS')],
          [0x0020000e, 'UI', text(se.seriesUID, 'UI')],
          [0x00200011, 'IS', text(se.seriesNumber, 'IS')],
        ],
        children: se.images.map((im) => ({
          type: im.recordType,
          keys: [
            [0x00041500, 'CS', text(im.fileId.join('\\'), 'CS')],
            [0x00041510, 'UI', text(im.sopClassUID, 'UI')],
            [0x00041511, 'UI', text(im.sopInstanceUID, 'UI')],
            [0x00041512, 'UI', text(im.transferSyntaxUID, 'UI')],
            [0x00200013, 'IS', text(im.instanceNumber, 'IS')],
            ...im.keys,
          ] as Field[],
          children: [],
        })),
      })),
    })),
  })) as Rec[];
  link(roots);
  const order = flatten(roots);
  const meta = fileHeader({
    sopClassUID: MEDIA_STORAGE_DIRECTORY_UID,
    sopInstanceUID: fileSetUID,
    transferSyntaxUID: EXPLICIT_LE_UID,
    implementationClassUID: IMPLEMENTATION_CLASS_UID,
    implementationVersionName: IMPLEMENTATION_VERSION_NAME,
  });
  const head = (first: number, last: number) =>
    Buffer.concat([
      encode(0x00041130, 'CS', new Uint8Array(0)),
      encode(0x00041200, 'UL', ul(first)),
      encode(0x00041202, 'UL', ul(last)),
      encode(0x00041212, 'US', us(0)),
    ]);
  // Record sizes do not depend on offset values (fixed 4-byte fields): size once, place, then encode.
  const start = meta.length + head(0, 0).length + 12; // + the sequence's own header
  let pos = start;
  for (const r of order) {
    r.offset = pos;
    pos += recordBytes(r).length;
  }
  const items = Buffer.concat(order.map(recordBytes));
  const out = new ChunkList();
  for (const c of meta.chunks) out.push(c as Uint8Array);
  out.push(head(roots[0]?.offset ?? 0, roots.at(-1)?.offset ?? 0));
  out.push(encode(0x00041220, 'SQ', items));
  return out;
}
