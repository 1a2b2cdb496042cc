/**
 * Stage 2d (in a worker): what an output's pixel data carries besides the image. Compressed
 * frames: the metadata segments and boxes (bitstream-scan.ts) searched for every seed, and
 * text-carrying segments reported whatever they hold. Native pixels: set bits outside Bits
 * Stored/High Bit (unused-bits.ts).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { Element, ParsedFile } from '@dcmblind/core';
import { fragmentBytes, metadataRanges } from './bitstream-scan.js';
import { datesInText } from './dates-in-text.js';
import { pathOf, PIXEL_TAGS } from './dicom-file.js';
import type { FileFindings, ScanContext } from './facts.js';
import { valueHash } from './hashing.js';
import { seedAccept } from './raw.js';
import type { Seed } from './seeds.js';
import { hasUnusedBitsSet } from './unused-bits.js';

/** Encapsulated pixel data bigger than this (still on disk) is not walked: noted instead. */
const MAX_ENCAPSULATED = 1024 * 1024 * 1024;

/** The encapsulated value's bytes, from memory or from the file. */
function encapsulatedValue(parsed: ParsedFile, el: Element): Uint8Array | undefined {
  if (!el.external) return parsed.data.subarray(el.valueStart, el.end);
  const path = pathOf(parsed);
  const length = el.end - el.valueStart;
  if (!path || length > MAX_ENCAPSULATED) return undefined;
  const buf = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    for (let off = 0; off < length; ) {
      const n = readSync(fd, buf, off, length - off, el.valueStart + off);
      if (n === 0) break;
      off += n;
    }
  } finally {
    closeSync(fd);
  }
  return buf;
}

/**
 * Seeds and text segments in compressed frames; set unused bits in native ones. Returns the
 * dates written in text segments (element, YYYYMMDD), for the tree checks to compare with the
 * patient's.
 */
export function pixelChecks(
  parsed: ParsedFile,
  ctx: ScanContext,
  found: FileFindings,
): Array<[string, string]> {
  const el = parsed.dataset.find((e) => PIXEL_TAGS.has(e.tag));
  if (!el) return [];
  if (!el.encapsulated) {
    if (hasUnusedBitsSet(parsed, el))
      found.add({
        rule: 'pixel-unused-bits',
        severity: 'suspect',
        element: 'PixelData',
        detail: 'bits outside Bits Stored/High Bit are set: hidden from viewers, they may carry a drawn name',
      });
    return [];
  }
  const value = encapsulatedValue(parsed, el);
  if (!value) {
    found.add({
      rule: 'bitstream-metadata',
      severity: 'review',
      element: 'PixelData',
      detail: `compressed pixel data over ${MAX_ENCAPSULATED / 2 ** 30} GiB: its segments were not searched`,
    });
    return [];
  }
  return searchSegments(fragmentBytes(value, parsed.encoding.littleEndian), ctx, found);
}

/** Every metadata range searched for seeds; each kind of text-carrying segment reported once. */
function searchSegments(frames: Uint8Array, ctx: ScanContext, found: FileFindings): Array<[string, string]> {
  const accept = seedAccept(ctx.seeds);
  const reported = new Set<string>();
  const dates: Array<[string, string]> = [];
  for (const r of metadataRanges(frames)) {
    const element = `PixelData (${r.what})`;
    if (r.text) {
      const text = Buffer.from(frames.subarray(r.from, r.to)).toString('latin1').replace(/\0/g, '');
      for (const d of datesInText(text, true)) dates.push([element, d]);
    }
    // Codec tables (quantisation, Huffman, frame and tile sizes, colour spaces) are numbers: a
    // short seed matches them by chance. Text segments and stray bytes are what can hold one.
    if (!r.text && !r.stray) continue;
    for (const h of ctx.matcher.search(frames, r.from, r.to)) {
      const seed = ctx.seeds[h.seed] as Seed;
      const key = `${element}|${seed.category}`;
      if (reported.has(key) || !accept(frames, h)) continue;
      reported.add(key);
      found.add({
        rule: 'seed-match',
        severity: 'leak',
        element,
        category: seed.category,
        valueHash: valueHash(ctx, seed.text),
        detail: `a source ${seed.category} (from ${seed.keyword}) in a ${r.what} inside the pixel data`,
      });
    }
    if (r.text && !reported.has(element)) {
      reported.add(element);
      found.add({
        rule: 'bitstream-metadata',
        severity: 'suspect',
        element,
        detail: `a ${r.what} segment in the compressed pixel data: made to carry text (comments, Exif, XMP)`,
      });
    }
  }
  return dates;
}
