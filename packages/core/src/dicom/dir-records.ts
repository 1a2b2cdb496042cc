/**
 * Which directory record an instance gets in a DICOMDIR, and that record's keys (PS3.3 F.5),
 * taken from the (de-identified) file. Images get IMAGE records; structured reports, key
 * object selections, presentation states, waveforms, RT objects and encapsulated documents get
 * their own record types, as dcmtk's dcmmkdir writes them. Type 1 keys the file lacks (a
 * blinded file has no dates) get fixed dummies; Type 2 keys are present, empty if need be.
 */
import { type Field, encode, item, text } from './dicomdir.js';
import { textOf } from './read-file.js';
import type { Element, ParsedFile } from './reader.js';

const STORAGE = '1.2.840.10008.5.1.4.1.1.';

/** The Directory Record Type for a SOP Class (IMAGE for every image and anything unknown). */
export function recordTypeOf(sopClassUID: string): string {
  if (!sopClassUID.startsWith(STORAGE)) return 'IMAGE';
  const rest = sopClassUID.slice(STORAGE.length);
  if (rest === '88.59') return 'KEY OBJECT DOC';
  if (rest.startsWith('88.')) return 'SR DOCUMENT';
  if (rest.startsWith('11.')) return 'PRESENTATION';
  if (rest.startsWith('9.')) return 'WAVEFORM';
  if (rest.startsWith('104.')) return 'ENCAP DOC';
  if (rest === '481.2') return 'RT DOSE';
  if (rest === '481.3') return 'RT STRUCTURE SET';
  if (rest === '481.5' || rest === '481.8') return 'RT PLAN';
  if (rest === '481.4' || rest === '481.6' || rest === '481.7' || rest === '481.9') return 'RT TREAT RECORD';
  return 'IMAGE';
}

/** [tag, VR, type, dummy for a missing Type 1 value]. */
type KeySpec = readonly [tag: number, vr: string, type: '1' | '2' | '1C', dummy?: string];

const CONTENT_DATE: KeySpec = [0x00080023, 'DA', '1', '19000101'];
const CONTENT_TIME: KeySpec = [0x00080033, 'TM', '1', '000000'];
const CONCEPT_NAME: KeySpec = [0x0040a043, 'SQ', '1'];

/** Keys of each record type besides the referenced file and Instance Number (PS3.3 F.5). */
const KEYS: Readonly<Record<string, readonly KeySpec[]>> = {
  IMAGE: [],
  'SR DOCUMENT': [
    [0x0040a491, 'CS', '1', 'PARTIAL'],
    [0x0040a493, 'CS', '1', 'UNVERIFIED'],
    CONTENT_DATE,
    CONTENT_TIME,
    [0x0040a030, 'DT', '1C'],
    CONCEPT_NAME,
  ],
  'KEY OBJECT DOC': [CONTENT_DATE, CONTENT_TIME, CONCEPT_NAME],
  PRESENTATION: [
    [0x00700080, 'CS', '1', 'PR'],
    [0x00700081, 'LO', '2'],
    [0x00700082, 'DA', '1', '19000101'],
    [0x00700083, 'TM', '1', '000000'],
    [0x00700084, 'PN', '2'],
    [0x00081115, 'SQ', '1C'],
  ],
  WAVEFORM: [CONTENT_DATE, CONTENT_TIME],
  'ENCAP DOC': [
    [0x00080023, 'DA', '2'],
    [0x00080033, 'TM', '2'],
    [0x00420010, 'ST', '2'],
    [0x0040a043, 'SQ', '2'],
    [0x00420012, 'LO', '1', 'application/octet-stream'],
  ],
  'RT DOSE': [[0x3004000a, 'CS', '1', 'PLAN']],
  'RT STRUCTURE SET': [
    [0x30060002, 'SH', '1', 'STRUCTURES'],
    [0x30060008, 'DA', '2'],
    [0x30060009, 'TM', '2'],
  ],
  'RT PLAN': [
    [0x300a0002, 'SH', '1', 'PLAN'],
    [0x300a0006, 'DA', '2'],
    [0x300a0007, 'TM', '2'],
  ],
  'RT TREAT RECORD': [
    [0x30080250, 'DA', '2'],
    [0x30080251, 'TM', '2'],
  ],
};

const SWAP: Readonly<Record<string, number>> = {
  US: 2,
  SS: 2,
  AT: 2,
  OW: 2,
  UL: 4,
  SL: 4,
  FL: 4,
  OL: 4,
  OF: 4,
  FD: 8,
  SV: 8,
  UV: 8,
  OD: 8,
  OV: 8,
};

/** An element's value as explicit VR little endian bytes (binary values byte-swapped from big endian). */
function valueLE(el: Element, data: Uint8Array): Uint8Array {
  const v = data.subarray(el.valueStart, el.valueStart + el.valueLength);
  const width = SWAP[el.vr];
  if (el.enc.littleEndian || !width) return v;
  const out = Buffer.from(v);
  for (let i = 0; i + width <= out.length; i += width) out.subarray(i, i + width).reverse();
  return out;
}

/**
 * Elements re-encoded as explicit VR little endian, the DICOMDIR's transfer syntax (group
 * lengths dropped).
 */
function encodeElements(els: readonly Element[], data: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  for (const el of els) {
    if ((el.tag & 0xffff) === 0 || el.external || el.encapsulated) continue;
    if (el.items) {
      parts.push(encode(el.tag, 'SQ', itemsBytes(el, data)));
    } else {
      parts.push(encode(el.tag, el.vr === 'SQ' ? 'UN' : el.vr, valueLE(el, data)));
    }
  }
  return Buffer.concat(parts);
}

function itemsBytes(el: Element, data: Uint8Array): Buffer {
  return Buffer.concat((el.items ?? []).map((it) => item(encodeElements(it.elements, data))));
}

/** The record keys for one instance of the given record type, from its top-level elements. */
export function recordKeys(recordType: string, p: ParsedFile): Field[] {
  const byTag = new Map(p.dataset.map((e) => [e.tag, e]));
  const out: Field[] = [];
  for (const [tag, vr, type, dummy] of KEYS[recordType] ?? []) {
    const el = byTag.get(tag);
    if (vr === 'SQ') {
      if (el?.items && el.items.length > 0) out.push([tag, 'SQ', itemsBytes(el, p.data)]);
      else if (type === '2') out.push([tag, 'SQ', new Uint8Array(0)]);
      continue;
    }
    const v = el && !el.external ? valueLE(el, p.data) : new Uint8Array(0);
    const present = textOf(el, p.data) !== '';
    if (present) out.push([tag, vr, v.length % 2 === 0 ? v : text(Buffer.from(v).toString('latin1'), vr)]);
    else if (type === '1') out.push([tag, vr, text(dummy ?? '', vr)]);
    else if (type === '2') out.push([tag, vr, new Uint8Array(0)]);
  }
  // Text copied from the file is in the file's character set; the record says which.
  const charset = byTag.get(0x00080005);
  if (out.length > 0 && textOf(charset, p.data) !== '' && charset)
    out.push([0x00080005, 'CS', valueLE(charset, p.data)]);
  // Verification DateTime: required once the report says VERIFIED (a blinded file has none).
  if (
    recordType === 'SR DOCUMENT' &&
    textOf(byTag.get(0x0040a493), p.data) === 'VERIFIED' &&
    !out.some(([t]) => t === 0x0040a030)
  ) {
    out.push([0x0040a030, 'DT', text('19000101000000', 'DT')]);
  }
  return out;
}
