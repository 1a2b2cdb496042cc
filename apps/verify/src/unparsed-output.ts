/**
 * Stage 2, for an output file that does not parse. dcmblind's key, its journal or its lock is
 * a leak (`key-in-output`). With the DICM marker it is broken DICOM (`unreadable`); without, it
 * is not DICOM at all (`non-dicom-file`): a mapping table, a spreadsheet, a stray archive.
 * Either way its raw bytes (and zip entries) are searched for every seed (see raw.ts).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { datesInText } from './dates-in-text.js';
import { hasDicmMarker } from './dicom-file.js';
import type { FileFinding, ScanContext } from './facts.js';
import { valueHash } from './hashing.js';
import { type KeyArtifact, keyArtifact } from './key-files.js';
import { keyInOutput } from './key-in-output.js';
import { maskPath } from './path-mask.js';
import { type RawScan, scanRawFile, seedAccept } from './raw.js';
import type { Category, Seed } from './seeds.js';

/** The findings of an output file that does not parse (`error` says why). */
export function notParsed(abs: string, error: string, ctx: ScanContext): FileFinding[] {
  const out: FileFinding[] = [];
  let dicm: boolean;
  let key: KeyArtifact | undefined;
  let raw: RawScan;
  try {
    dicm = hasDicmMarker(abs);
    key = keyArtifact(abs);
    const accept = seedAccept(ctx.seeds);
    raw = scanRawFile(abs, ctx.matcher, accept, (name) => maskPath(name, ctx).shown);
  } catch (e) {
    // Gone or unreadable since the walk (EACCES, EIO): nothing was searched, say so.
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return [
      {
        rule: 'unreadable',
        severity: 'integrity',
        element: '',
        detail: `the file cannot be read (${code}): not searched`,
      },
    ];
  }
  const notes =
    raw.notes.length > 0 ? `; ${raw.notes.slice(0, 5).join('; ')}${raw.notes.length > 5 ? '; …' : ''}` : '';
  if (key) {
    out.push(keyInOutput(key));
  } else if (dicm) {
    out.push({
      rule: 'unreadable',
      severity: 'integrity',
      element: '',
      detail: `the output does not parse: ${error}`,
    });
  } else {
    out.push({
      rule: 'non-dicom-file',
      severity: 'suspect',
      element: '',
      detail:
        `not DICOM (${raw.kind}): a file that is not DICOM would leave with the output; ` +
        `remove it or check it${notes}`,
    });
  }
  out.push(...rawFindings(raw, ctx), ...rawDates(abs, ctx));
  return out;
}

/** One finding per place and category: how many distinct source values were found there. */
function rawFindings(raw: RawScan, ctx: ScanContext): FileFinding[] {
  const out: FileFinding[] = [];
  for (const { where, seeds } of raw.hits) {
    const byCategory = new Map<Category, Seed[]>();
    for (const i of seeds) {
      const s = ctx.seeds[i] as Seed;
      (byCategory.get(s.category) ?? byCategory.set(s.category, []).get(s.category))?.push(s);
    }
    for (const [category, found] of byCategory) {
      const first = found[0] as Seed;
      const values = new Set(found.map((f) => f.text.toLowerCase())).size;
      const from = [...new Set(found.map((f) => f.keyword))].slice(0, 3).join(', ');
      const inWhat = where === '(file bytes)' ? "the file's bytes" : where.slice(1, -1);
      out.push({
        rule: 'seed-match',
        severity: 'leak',
        element: where,
        category,
        valueHash: valueHash(ctx, first.text),
        detail: `${values} distinct source ${category} value(s) (from ${from}) in ${inWhat}`,
      });
    }
  }
  return out;
}

/** A text file (a mapping table, notes) read for dates, up to this many bytes. */
const DATES_MAX = 16 * 1024 * 1024;

/**
 * Dates of any patient written in a file that is not DICOM (whose patient it is cannot be told):
 * a mapping table's birth dates. Text only: an archive's or an image's bytes are not text.
 */
function rawDates(abs: string, ctx: ScanContext): FileFinding[] {
  if (ctx.dates.size === 0) return [];
  const head = readHead(abs, DATES_MAX);
  if (head.length >= 2 && head[0] === 0x50 && head[1] === 0x4b) return []; // a zip
  const utf16 =
    head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff));
  const text = utf16
    ? new TextDecoder(head[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(head.subarray(2))
    : head.toString('utf8');
  if (datesInText(text, false).some((d) => ctx.dates.has(d)))
    return [
      {
        rule: 'unshifted-date',
        severity: 'leak',
        element: '(file bytes)',
        category: 'date',
        detail: "a source patient's date written in a file that is not DICOM",
      },
    ];
  return [];
}

function readHead(abs: string, max: number): Buffer {
  const fd = openSync(abs, 'r');
  try {
    const buf = Buffer.alloc(Math.min(max, fstatSync(fd).size));
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
