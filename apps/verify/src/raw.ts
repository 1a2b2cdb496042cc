/**
 * Files of the output tree that are not DICOM, or do not parse: searched byte for byte with
 * the same seeds, and zip containers (xlsx, docx, zip) entry by entry. A custodian's mapping
 * file copied into the output would otherwise leave with it, reported only as "unreadable".
 * Everything here is bounded: plain files are searched in chunks, zip entries are inflated
 * only up to fixed sizes, and nested zips only two levels deep.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import type { Hit, Matcher } from './search.js';
import { fits, type Seed } from './seeds.js';

/** Zip entries bigger than this (inflated) are not searched: they are noted instead. */
export const ZIP_ENTRY_MAX = 64 * 1024 * 1024;
/** Inflated bytes searched per output file, all its zip entries together. */
export const ZIP_TOTAL_MAX = 256 * 1024 * 1024;
/** UTF-16 text (Excel's "Unicode Text" export) is transcoded to UTF-8 up to this size. */
const UTF16_MAX = 256 * 1024 * 1024;
const CHUNK = 4 * 1024 * 1024;
const MAX_ZIP_DEPTH = 2;

/** Random access to bytes: a file on disk or a buffer (an inflated zip entry). */
interface Bytes {
  readonly size: number;
  read(pos: number, length: number): Buffer;
}

function fileBytes(fd: number): Bytes {
  return {
    size: fstatSync(fd).size,
    read(pos, length) {
      const buf = Buffer.alloc(length);
      let off = 0;
      while (off < length) {
        const n = readSync(fd, buf, off, length - off, pos + off);
        if (n === 0) break;
        off += n;
      }
      return buf.subarray(0, off);
    },
  };
}

function bufferBytes(buf: Buffer): Bytes {
  return { size: buf.length, read: (pos, length) => buf.subarray(pos, Math.min(buf.length, pos + length)) };
}

/** Decides whether a hit counts (names and IDs only as whole words); sees the bytes around it. */
export type Accept = (bytes: Uint8Array, hit: Hit) => boolean;

/** The standard test of a hit with its neighbours in `bytes` (the window it was found in): see fits(). */
export function seedAccept(seeds: readonly Seed[]): Accept {
  return (bytes, h) => fits(seeds[h.seed] as Seed, bytes, h.at, h.length);
}

/**
 * Seeds found in `src` (seed index → offset of its first hit), searched in chunks so a file of
 * any size costs 4 MiB of memory. Each window carries the previous one's last bytes, so a value
 * across a chunk boundary is found, and its neighbours are known when it is judged.
 */
function searchAll(src: Bytes, m: Matcher, accept: Accept): Map<number, number> {
  const found = new Map<number, number>();
  const carryMax = m.maxLength + 1;
  let carry = Buffer.alloc(0);
  let done = 0; // hits ending at or before this file offset were judged in an earlier window
  for (let pos = 0; pos < src.size; ) {
    const chunk = src.read(pos, Math.min(CHUNK, src.size - pos));
    if (chunk.length === 0) break;
    pos += chunk.length;
    const window = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const start = pos - window.length;
    // Until the end of the input, a hit must end before the window's last byte: the byte after
    // it decides whether it is a whole word. The next window sees it again, whole.
    const limit = pos >= src.size ? window.length : window.length - 1;
    for (const h of m.search(window)) {
      const end = h.at + h.length;
      if (start + end <= done || end > limit || found.has(h.seed)) continue;
      if (accept(window, h)) found.set(h.seed, start + h.at);
    }
    done = start + limit;
    carry = Buffer.from(window.subarray(Math.max(0, window.length - carryMax)));
  }
  return found;
}

/** Where in a raw file seeds were found: the file's bytes, or one zip entry (masked name). */
export interface RawHits {
  readonly where: string;
  /** Seed indices, in the order they first appear. */
  readonly seeds: number[];
}

export interface RawScan {
  /** What the file is, for the report: "zip container (3 entries)", "UTF-16 text", "bytes". */
  readonly kind: string;
  readonly hits: RawHits[];
  /** Why some content was not searched (entries too big, encrypted, an unknown method). */
  readonly notes: string[];
}

const ordered = (found: Map<number, number>) =>
  [...found.entries()].sort((a, b) => a[1] - b[1]).map(([s]) => s);

const PK_LOCAL = 0x04034b50;

/**
 * Search one file that is not DICOM. `mask` turns a zip entry's name into what reports may show
 * (a name can itself hold a patient's name).
 */
export function scanRawFile(
  abs: string,
  m: Matcher,
  accept: Accept,
  mask: (name: string) => string,
): RawScan {
  const fd = openSync(abs, 'r');
  try {
    const src = fileBytes(fd);
    const head = src.read(0, 4);
    const hits: RawHits[] = [];
    const notes: string[] = [];
    if (
      head.length >= 2 &&
      ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))
    ) {
      if (src.size <= UTF16_MAX) {
        const text = decodeUtf16(src.read(0, src.size));
        pushHits(hits, '(file bytes)', searchAll(bufferBytes(text), m, accept));
        return { kind: 'UTF-16 text', hits, notes };
      }
      notes.push(`UTF-16 text over ${UTF16_MAX / 1048576} MiB searched as bytes only`);
    }
    const fileFound = searchAll(src, m, accept);
    if (head.length === 4 && head.readUInt32LE(0) === PK_LOCAL) {
      const entries = scanZip(src, { m, accept, mask, budget: { left: ZIP_TOTAL_MAX }, hits, notes }, '', 1);
      // A value already reported inside an entry is not repeated for the container's bytes
      // (stored entries hold it twice); names and comments are only in the container.
      const inEntries = new Set(hits.flatMap((h) => h.seeds));
      for (const s of inEntries) fileFound.delete(s);
      pushHits(hits, '(file bytes)', fileFound);
      return {
        kind:
          entries < 0 ? 'zip signature, but no readable zip directory' : `zip container (${entries} entries)`,
        hits,
        notes,
      };
    }
    pushHits(hits, '(file bytes)', fileFound);
    return { kind: 'bytes', hits, notes };
  } finally {
    closeSync(fd);
  }
}

function pushHits(hits: RawHits[], where: string, found: Map<number, number>): void {
  if (found.size > 0) hits.push({ where, seeds: ordered(found) });
}

function decodeUtf16(bytes: Buffer): Buffer {
  const be = bytes[0] === 0xfe;
  return Buffer.from(new TextDecoder(be ? 'utf-16be' : 'utf-16le').decode(bytes.subarray(2)), 'utf8');
}

interface ZipEntry {
  readonly name: string;
  readonly flags: number;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localOffset: number;
}

/** One file's zip search: the matcher, the budget left, and where results go. */
interface ZipScan {
  readonly m: Matcher;
  readonly accept: Accept;
  readonly mask: (name: string) => string;
  readonly budget: { left: number };
  readonly hits: RawHits[];
  readonly notes: string[];
}

/**
 * Search every entry of a zip; returns the number of entries, or -1 when the central directory
 * cannot be read (the container's bytes are still searched by the caller).
 */
function scanZip(src: Bytes, z: ZipScan, prefix: string, depth: number): number {
  const entries = centralDirectory(src);
  if (!entries) {
    z.notes.push(
      `${prefix ? z.mask(prefix) : 'the file'}: zip directory not readable; searched as bytes only`,
    );
    return -1;
  }
  for (const e of entries) {
    if (e.name.endsWith('/')) continue; // a folder
    const shown = z.mask(`${prefix}${e.name}`);
    const data = entryData(src, e, z.budget, shown, z.notes);
    if (!data) continue;
    pushHits(z.hits, `(zip entry ${shown})`, searchAll(bufferBytes(data), z.m, z.accept));
    if (data.length >= 4 && data.readUInt32LE(0) === PK_LOCAL) {
      if (depth < MAX_ZIP_DEPTH) scanZip(bufferBytes(data), z, `${prefix}${e.name}!/`, depth + 1);
      else z.notes.push(`${shown}: a zip nested deeper than ${MAX_ZIP_DEPTH} levels, searched as bytes only`);
    }
  }
  return entries.length;
}

/** An entry's bytes, inflated within the limits; undefined (and a note) when it cannot be searched. */
function entryData(
  src: Bytes,
  e: ZipEntry,
  budget: { left: number },
  shown: string,
  notes: string[],
): Buffer | undefined {
  const skip = (why: string) => void notes.push(`${shown}: not searched (${why})`);
  if (e.flags & 1) return skip('encrypted');
  if (e.method !== 0 && e.method !== 8) return skip(`compression method ${e.method}`);
  if (e.size > ZIP_ENTRY_MAX || e.compressedSize > ZIP_ENTRY_MAX)
    return skip(`over ${ZIP_ENTRY_MAX / 1048576} MiB`);
  if (e.size > budget.left) return skip(`past the ${ZIP_TOTAL_MAX / 1048576} MiB searched per file`);
  const local = src.read(e.localOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== PK_LOCAL) return skip('bad local header');
  const dataAt = e.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const packed = src.read(dataAt, e.compressedSize);
  let data: Buffer;
  try {
    // The declared size may lie (a zip bomb): inflation stops at the limit whatever it says.
    data =
      e.method === 0
        ? packed
        : inflateRawSync(packed, { maxOutputLength: Math.min(ZIP_ENTRY_MAX, budget.left) });
  } catch (err) {
    return skip(
      (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
        ? 'inflates past the limit'
        : 'does not inflate',
    );
  }
  budget.left -= data.length;
  return data;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;

/** The entries named by the central directory (zip64 included); undefined when there is none. */
function centralDirectory(src: Bytes): ZipEntry[] | undefined {
  try {
    return readCentralDirectory(src);
  } catch (e) {
    if (e instanceof RangeError) return undefined; // a record that runs past its buffer: a damaged zip
    throw e;
  }
}

function readCentralDirectory(src: Bytes): ZipEntry[] | undefined {
  const tailLength = Math.min(src.size, 22 + 65535);
  const tailStart = src.size - tailLength;
  const tail = src.read(tailStart, tailLength);
  let i = tail.length - 22;
  while (i >= 0 && tail.readUInt32LE(i) !== EOCD) i--;
  if (i < 0) return undefined;
  let count = tail.readUInt16LE(i + 10);
  let size = tail.readUInt32LE(i + 12);
  let offset = tail.readUInt32LE(i + 16);
  if ((offset === 0xffffffff || count === 0xffff) && i >= 20 && tail.readUInt32LE(i - 20) === ZIP64_LOCATOR) {
    const rec = src.read(Number(tail.readBigUInt64LE(i - 12)), 56);
    if (rec.length < 56 || rec.readUInt32LE(0) !== ZIP64_EOCD) return undefined;
    count = Number(rec.readBigUInt64LE(32));
    size = Number(rec.readBigUInt64LE(40));
    offset = Number(rec.readBigUInt64LE(48));
  }
  if (size > ZIP_ENTRY_MAX || offset + size > src.size) return undefined;
  const cd = src.read(offset, size);
  const entries: ZipEntry[] = [];
  for (let p = 0; entries.length < count && p + 46 <= cd.length && cd.readUInt32LE(p) === CENTRAL; ) {
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const sizes = zip64Sizes(cd, p, nameLength, extraLength);
    entries.push({
      name: cd
        .subarray(p + 46, p + 46 + nameLength)
        .toString(cd.readUInt16LE(p + 8) & 0x800 ? 'utf8' : 'latin1'),
      flags: cd.readUInt16LE(p + 8),
      method: cd.readUInt16LE(p + 10),
      ...sizes,
    });
    p += 46 + nameLength + extraLength + cd.readUInt16LE(p + 32);
  }
  return entries;
}

/** Sizes and offset of a central directory record, from its zip64 extra field when they overflow. */
function zip64Sizes(cd: Buffer, p: number, nameLength: number, extraLength: number) {
  let compressedSize = cd.readUInt32LE(p + 20);
  let size = cd.readUInt32LE(p + 24);
  let localOffset = cd.readUInt32LE(p + 42);
  for (let x = p + 46 + nameLength, end = x + extraLength; x + 4 <= end; ) {
    const id = cd.readUInt16LE(x);
    const length = cd.readUInt16LE(x + 2);
    if (id === 0x0001) {
      let q = x + 4;
      const next = () => {
        const v = q + 8 <= x + 4 + length ? Number(cd.readBigUInt64LE(q)) : 0xffffffff;
        q += 8;
        return v;
      };
      if (size === 0xffffffff) size = next();
      if (compressedSize === 0xffffffff) compressedSize = next();
      if (localOffset === 0xffffffff) localOffset = next();
    }
    x += 4 + length;
  }
  return { compressedSize, size, localOffset };
}
