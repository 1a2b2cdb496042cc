/**
 * Hashes and fingerprints: pixel data (pairs an output with its source), the kept attributes
 * that tell apart files with equal pixels, and the short keyed hash that stands in a report
 * for a leaked value.
 */
import { createHash } from 'node:crypto';
import { clearUnusedBits, comparablePixels, type Element, type ParsedFile } from '@dcmblind/core';
import { streamValue } from './dicom-file.js';
import type { ScanContext } from './facts.js';

/** Attributes the profiles keep (instance and series numbers, position, size). */
const FINGERPRINT_TAGS = [
  0x00200011 /* SeriesNumber */, 0x00200012 /* AcquisitionNumber */, 0x00200013 /* InstanceNumber */,
  0x00200032 /* ImagePositionPatient */, 0x00201041 /* SliceLocation */, 0x00280010, 0x00280011,
];

/**
 * SHA-256 of the pixel data as dcmblind writes it (metadata segments of compressed frames and
 * bits outside the stored ones aside: core's comparablePixels), streamed from disk when not read.
 */
export function pixelHash(parsed: ParsedFile, el: Element): string {
  const h = createHash('sha256');
  const comparable = comparablePixels(parsed, el);
  const streamed =
    el.external &&
    streamValue(parsed, el, (chunk) => {
      if (comparable.mask) clearUnusedBits(chunk, comparable.mask);
      h.update(chunk);
      return false;
    });
  if (streamed) return h.digest('hex');
  h.update(comparable.bytes ?? parsed.data.subarray(el.valueStart, el.valueStart + el.valueLength));
  return h.digest('hex');
}

const WAVEFORM_SEQUENCE = 0x54000100;
const WAVEFORM_DATA = 0x54001010;

/**
 * What pairs a file with its source besides its path: the hash of its pixel data, or, for a
 * waveform (an ECG has no pixels), of its first waveform's samples; '' when it has neither.
 */
export function contentHash(parsed: ParsedFile, pixel: Element | undefined): string {
  if (pixel) return pixelHash(parsed, pixel);
  const item = parsed.dataset.find((e) => e.tag === WAVEFORM_SEQUENCE)?.items?.[0];
  const data = item?.elements.find((e) => e.tag === WAVEFORM_DATA);
  if (!data || data.items || data.external || data.valueLength === 0) return '';
  const bytes = parsed.data.subarray(data.valueStart, data.valueStart + data.valueLength);
  return `wave:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The kept attributes' values, joined: equal pixels with equal fingerprints are the same image. */
export function fingerprint(parsed: ParsedFile): string {
  const parts: string[] = [];
  for (const tag of FINGERPRINT_TAGS) {
    const el = parsed.dataset.find((e) => e.tag === tag);
    parts.push(
      el && !el.items
        ? Buffer.from(parsed.data.subarray(el.valueStart, el.valueStart + el.valueLength))
            .toString('latin1')
            .trim()
        : '',
    );
  }
  return parts.join('|');
}

/** Short keyed hash of a leaked value: equal values match across findings, the value stays hidden. */
export function valueHash(ctx: Pick<ScanContext, 'hashKey'>, v: string): string {
  return createHash('sha256')
    .update(ctx.hashKey)
    .update(v.normalize('NFC').toLowerCase())
    .digest('hex')
    .slice(0, 10);
}

/** Bytes as Latin-1 text with ASCII letters lower-cased: compares raw values byte for byte, case aside. */
export function lowerLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes)
    .toString('latin1')
    .replace(/[A-Z]/g, (c) => c.toLowerCase());
}
