/**
 * A small, independent DICOM encoder for fixtures (PS3.5 §7, PS3.10 §7.1). It shares no code
 * with @dcmblind/core, so a fixture bug and an engine bug cannot cancel out; outputs are
 * cross-checked with dcmdump and pydicom in the tests.
 */
import { deflateRawSync } from 'node:zlib';

export type Value = string | Uint8Array | Item[];
export type Item = El[];
/** [tag, VR, value]: strings are encoded with the fixture's encoder, SQ takes items, RAW is written verbatim. */
export type El = readonly [tag: number, vr: string, value: Value];

export type Syntax = 'explicit-le' | 'implicit-le' | 'explicit-be' | 'deflated';
export const TS_UID: Record<Syntax, string> = {
  'explicit-le': '1.2.840.10008.1.2.1',
  'implicit-le': '1.2.840.10008.1.2',
  'explicit-be': '1.2.840.10008.1.2.2',
  deflated: '1.2.840.10008.1.2.1.99',
};

export interface BuildOptions {
  syntax?: Syntax;
  /** Text encoder for string values; latin-1 by default. */
  encode?: (s: string, vr: string) => Uint8Array;
  /** Write sequences and items with undefined length (delimiters). */
  undefinedLengths?: boolean;
  /** Omit preamble and meta group: a raw data set. */
  raw?: boolean;
  /** Preamble bytes (128); zeros by default. */
  preamble?: Uint8Array;
}

const LONG = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const latin1 = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

function concat(parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

function header(tag: number, vr: string, len: number, explicit: boolean, le: boolean): Uint8Array {
  const long = !explicit || LONG.has(vr);
  const b = Buffer.alloc(explicit && long ? 12 : 8);
  const w16 = (v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const w32 = (v: number, o: number) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  w16(tag >>> 16, 0);
  w16(tag & 0xffff, 2);
  if (!explicit) w32(len, 4);
  else {
    b.write(vr, 4, 'ascii');
    if (long) w32(len, 8);
    else w16(len, 6);
  }
  return b;
}

function marker(tag: number, len: number, le: boolean): Uint8Array {
  const b = Buffer.alloc(8);
  if (le) {
    b.writeUInt16LE(tag >>> 16, 0);
    b.writeUInt16LE(tag & 0xffff, 2);
    b.writeUInt32LE(len, 4);
  } else {
    b.writeUInt16BE(tag >>> 16, 0);
    b.writeUInt16BE(tag & 0xffff, 2);
    b.writeUInt32BE(len, 4);
  }
  return b;
}

function pad(v: Uint8Array, vr: string): Uint8Array {
  if (v.length % 2 === 0) return v;
  return concat([
    v,
    Uint8Array.of(vr === 'UI' || (LONG.has(vr) && vr !== 'UT' && vr !== 'UC' && vr !== 'UR') ? 0 : 0x20),
  ]);
}

/**
 * A known sequence hidden as UN of undefined length, its items in implicit VR little endian
 * (PS3.5 §6.2.2), as systems that did not know the tag write it. Explicit VR LE only.
 */
export function unSequence(tag: number, items: Item[]): El {
  const body = items.map((it) =>
    concat([
      marker(0xfffee000, 0xffffffff, true),
      encodeElements(it, {}, false, true),
      marker(0xfffee00d, 0, true),
    ]),
  );
  return [
    tag,
    'RAW',
    concat([header(tag, 'UN', 0xffffffff, true, true), ...body, marker(0xfffee0dd, 0, true)]),
  ];
}

export function encodeElements(
  els: readonly El[],
  o: BuildOptions,
  explicit: boolean,
  le: boolean,
): Uint8Array {
  const enc = o.encode ?? ((s: string) => latin1(s));
  const sorted = [...els].sort((a, b) => a[0] - b[0]);
  const parts: Uint8Array[] = [];
  for (const [tag, vr, value] of sorted) {
    if (vr === 'RAW') {
      parts.push(value as Uint8Array); // pre-encoded element bytes, header included
      continue;
    }
    if (vr === 'SQ') {
      const items = (value as Item[]).map((it) => {
        const body = encodeElements(it, o, explicit, le);
        return o.undefinedLengths
          ? concat([marker(0xfffee000, 0xffffffff, le), body, marker(0xfffee00d, 0, le)])
          : concat([marker(0xfffee000, body.length, le), body]);
      });
      const body = concat(items);
      parts.push(
        o.undefinedLengths
          ? concat([header(tag, vr, 0xffffffff, explicit, le), body, marker(0xfffee0dd, 0, le)])
          : concat([header(tag, vr, body.length, explicit, le), body]),
      );
      continue;
    }
    const v = pad(typeof value === 'string' ? enc(value, vr) : (value as Uint8Array), vr);
    parts.push(header(tag, vr, v.length, explicit, le), v);
  }
  return concat(parts);
}

/** Build a Part 10 file (or a raw data set). Needs (0008,0016) and (0008,0018) among `els` for the meta. */
export function buildDicom(els: readonly El[], o: BuildOptions = {}): Uint8Array {
  const syntax = o.syntax ?? 'explicit-le';
  const explicit = syntax !== 'implicit-le';
  const le = syntax !== 'explicit-be';
  let body = encodeElements(els, o, explicit, le);
  if (o.raw) return body;
  if (syntax === 'deflated') body = Uint8Array.from(deflateRawSync(body));
  const text = (els.find((e) => e[0] === 0x00080016)?.[2] as string) ?? '1.2.840.10008.5.1.4.1.1.7';
  const inst = (els.find((e) => e[0] === 0x00080018)?.[2] as string) ?? '1.2.3.4';
  const metaEls: El[] = [
    [0x00020001, 'OB', Uint8Array.of(0, 1)],
    [0x00020002, 'UI', text],
    [0x00020003, 'UI', inst],
    [0x00020010, 'UI', TS_UID[syntax]],
    [0x00020012, 'UI', '1.2.826.0.1.3680043.9.9999.1'],
  ];
  const meta = encodeElements(metaEls, {}, true, true);
  const gl = Buffer.alloc(4);
  gl.writeUInt32LE(meta.length);
  const group = concat([header(0x00020000, 'UL', 4, true, true), gl, meta]);
  return concat([o.preamble ?? new Uint8Array(128), latin1('DICM'), group, body]);
}

export const utf8 = (s: string) => Uint8Array.from(Buffer.from(s, 'utf8'));
export { latin1 as latin1Bytes };
