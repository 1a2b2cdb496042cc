/**
 * Stage 2e (in the main thread, after the output scan): text in the pixels of the outputs that
 * are likely to carry some — the classes heuristics.ts lists for review and files that say
 * BurnedInAnnotation YES. Each is decoded as the engine decodes it (core's scanRequest: native,
 * RLE, JPEG, JPEG-LS, JPEG 2000), a cine by its first, middle and last frames, and read by the
 * verifier's own OCR (frame-reading.ts). Every word of three letters or more, date or ID read is
 * a `pixel-text` finding, its text hashed; the first frame of each such file becomes a thumbnail
 * with the boxes drawn (thumbnail.ts), for the HTML report only.
 */
import { frameOf, luminance, readingFrom, scanRequest, stopEngine } from '@dcmblind/core';
import { load } from './dicom-file.js';
import type { Finding, OutputFacts } from './facts.js';
import { type ReadToken, readFrame, type TokenKind } from './frame-reading.js';
import { valueHash } from './hashing.js';
import type { NotJudged } from './rules.js';
import type { Seed } from './seeds.js';
import { thumbnail } from './thumbnail.js';

/** A frame where text was read, as the HTML report shows it (never in the JSON report). */
export interface Thumbnail {
  /** The output file as reports show it (masked path). */
  readonly file: string;
  /** 1-based. */
  readonly frame: number;
  readonly frames: number;
  readonly tokens: number;
  /** PNG, base64. */
  readonly png: string;
}

export interface PixelText {
  readonly findings: Finding[];
  readonly thumbnails: Thumbnail[];
  readonly notJudged: NotJudged[];
  /** Outputs whose pixels were read. */
  readonly read: number;
}

/** Which frames of a file are read: all of a short one; a cine's first, middle and last. */
export function framesToRead(n: number): number[] {
  return n <= 3 ? Array.from({ length: n }, (_, i) => i) : [0, Math.floor(n / 2), n - 1];
}

const DESCRIBED: Readonly<Record<TokenKind, (t: string) => string>> = {
  word: (t) => `a word of ${t.length} characters`,
  date: () => 'a date-shaped token',
  id: (t) => `an ID-shaped token (${t.match(/\d/g)?.length ?? 0} digits)`,
};

/**
 * The words of the sources' names and IDs (the seeds), as OCR gives them back: upper case, split
 * at anything but letters and digits, three characters or more.
 */
export function seedWords(seeds: readonly Seed[]): Set<string> {
  const words = seeds
    .filter((s) => s.category === 'name' || s.category === 'id')
    .flatMap((s) => s.text.toUpperCase().split(/[^\p{L}\p{N}]+/u));
  return new Set(words.filter((w) => w.length >= 3));
}

interface Reading {
  readonly hashKey: Buffer;
  /** seedWords of the run's seeds: a token equal to one is a source's name or ID in the pixels. */
  readonly known: ReadonlySet<string>;
  readonly thumbnails: boolean;
}

/** One file's reading: its findings (one per distinct token) and the thumbnail of its first frame with text. */
async function readFile(
  o: OutputFacts,
  abs: string,
  how: Reading,
): Promise<{ findings: Finding[]; thumbnail?: Thumbnail } | { notRead: string }> {
  let req: ReturnType<typeof scanRequest>;
  try {
    req = scanRequest(load(abs));
  } catch (e) {
    return { notRead: `the file does not parse (${(e as Error).message})` };
  }
  if (!req) return { findings: [] };
  if ('quarantine' in req)
    return { notRead: req.quarantine.replace(/^pixel data not scanned for burned-in text: /, '') };
  const r = readingFrom(req, abs); // over 32 MiB: frame by frame from the file
  const g = r.geometry;
  const byText = new Map<string, { token: ReadToken; frames: number[] }>();
  let shown: Thumbnail | undefined;
  for (const f of framesToRead(g.frames)) {
    const luma = luminance(g, frameOf(r, f), 0);
    const tokens = await readFrame(luma, g.columns, g.rows);
    for (const token of tokens) {
      const seen = byText.get(token.text) ?? byText.set(token.text, { token, frames: [] }).get(token.text);
      if (seen && !seen.frames.includes(f + 1)) seen.frames.push(f + 1);
    }
    if (tokens.length > 0 && how.thumbnails && !shown) {
      const png = thumbnail(
        luma,
        g.columns,
        g.rows,
        tokens.map((t) => t.box),
      );
      shown = {
        file: o.shown,
        frame: f + 1,
        frames: g.frames,
        tokens: tokens.length,
        png: Buffer.from(png).toString('base64'),
      };
    }
  }
  const findings = [...byText.values()].map(
    ({ token, frames }): Finding => ({
      file: o.shown,
      // A source's own name or ID read in the pixels is a leak; any other text a person judges.
      ...(how.known.has(token.text)
        ? { rule: 'seed-in-pixels', severity: 'leak' as const }
        : { rule: 'pixel-text', severity: 'suspect' as const }),
      element: 'PixelData',
      category: token.kind,
      valueHash: valueHash(how, token.text),
      detail:
        `${DESCRIBED[token.kind](token.text)} read in the pixels (frame ${frames.join(', ')} of ${g.frames}, ` +
        `OCR confidence ${Math.round(token.confidence)})`,
    }),
  );
  return shown ? { findings, thumbnail: shown } : { findings };
}

/** Reads the pixels of every at-risk output; what could not be read is counted by reason. */
export async function readPixelText(
  outputs: readonly OutputFacts[],
  absOf: ReadonlyMap<string, string>,
  given: { readonly hashKey: Buffer; readonly seeds: readonly Seed[]; readonly thumbnails: boolean },
): Promise<PixelText> {
  const how: Reading = {
    hashKey: given.hashKey,
    known: seedWords(given.seeds),
    thumbnails: given.thumbnails,
  };
  const findings: Finding[] = [];
  const thumbnails: Thumbnail[] = [];
  const notRead = new Map<string, number>();
  let read = 0;
  try {
    for (const o of outputs) {
      const abs = absOf.get(o.file);
      if (!o.pixelsAtRisk || !abs) continue;
      // A file that fails half-way (cut short, an engine error) is counted, not fatal to the scan.
      const r = await readFile(o, abs, how).catch((e: Error) => ({
        notRead: `its pixels could not be read (${e.message.replace(abs, o.shown)})`,
      }));
      if ('notRead' in r) {
        notRead.set(r.notRead, (notRead.get(r.notRead) ?? 0) + 1);
        continue;
      }
      read++;
      findings.push(...r.findings);
      if (r.thumbnail) thumbnails.push(r.thumbnail);
    }
  } finally {
    await stopEngine();
  }
  const notJudged = [...notRead].map(([reason, count]) => ({
    check: 'text in the pixels',
    count,
    reason: `at-risk output(s) not read: ${reason}`,
  }));
  return { findings, thumbnails, notJudged, read };
}
