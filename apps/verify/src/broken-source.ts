/**
 * Stage 1, for a source that does not parse. With the DICM marker it is DICOM that dcmblind
 * cannot have written; its PatientName and PatientID are salvaged from the raw head when they
 * are there, so reports can mask them in its path (its own values are seeds nowhere else).
 */
import { T } from '@dcmblind/core';
import { hasDicmMarker, MEDIA_STORAGE_DIRECTORY } from './dicom-file.js';
import { noFileFacts, type SourceFacts } from './facts.js';
import { readHead } from './key-files.js';
import { nameSeeds, type Seed, usable } from './seeds.js';

/** Bytes of a broken source searched for its patient's name and ID. */
const SALVAGE_BYTES = 64 * 1024;

/** The facts of a source that does not parse: its error, and the seeds its head still gives. */
export function brokenSource(path: string, error: string): SourceFacts {
  const none = { patientKey: '', ...noFileFacts(), initials: [] };
  if (!hasDicmMarker(path)) return { path, error, ...none, seeds: [] };
  const head = readHead(path, SALVAGE_BYTES);
  const seeds: Seed[] = [];
  for (const [tag, kw] of [
    [T.PatientName, 'PatientName'],
    [T.PatientID, 'PatientID'],
  ] as const) {
    const v = salvage(head, tag);
    if (!v || !usable(v)) continue;
    if (tag === T.PatientName) seeds.push(...nameSeeds(v, kw, tag));
    else if (v.length >= 4) seeds.push({ category: 'id', keyword: kw, tag, text: v });
  }
  const dicomdir = head.includes(Buffer.from(MEDIA_STORAGE_DIRECTORY, 'latin1'));
  return { path, error, ...none, seeds, dicm: true, ...(dicomdir ? { dicomdir: true } : {}) };
}

/** A short top-level text value found by its little-endian header (explicit or implicit VR). */
function salvage(head: Buffer, tag: number): string | undefined {
  const t = Buffer.alloc(4);
  t.writeUInt16LE(tag >>> 16, 0);
  t.writeUInt16LE(tag & 0xffff, 2);
  for (let at = head.indexOf(t); at >= 0; at = head.indexOf(t, at + 1)) {
    const vr = head.toString('latin1', at + 4, at + 6);
    const explicit = /^[A-Z]{2}$/.test(vr);
    const length = explicit
      ? head.readUInt16LE(at + 6)
      : at + 8 <= head.length
        ? head.readUInt32LE(at + 4)
        : 0;
    const from = at + 8;
    if (length === 0 || length > 256 || from + length > head.length) continue;
    return (
      head
        .toString('latin1', from, from + length)
        .replace(/[\0 ]+$/, '')
        .trim() || undefined
    );
  }
  return undefined;
}
