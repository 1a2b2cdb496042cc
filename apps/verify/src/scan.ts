/**
 * Per-file work of the verifier (runs in worker threads): read a source file for what could
 * leak from it, or an output file for what did. Shares the DICOM parser and dictionary with
 * dcmblind, nothing of its de-identification.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import {
  decodedString,
  decodeText,
  dictionaryVR,
  type Element,
  isPrivate,
  keywordOf,
  type ParsedFile,
  readDicomFile,
  schemeFor,
  type Scheme,
  T,
  formatTag,
} from '@dcmblind/core';
import { type KeyArtifact, keyArtifact, readHead } from './key-files.js';
import { type RawScan, scanRawFile, wholeWordOnly } from './raw.js';
import { type Hit, isWordByte, type Matcher, type Pattern } from './search.js';
import { CID7050, expectationFor, isGroupLength, isPrivateTag } from './table.js';

export type Category = 'name' | 'id' | 'uid' | 'date' | 'address' | 'phone' | 'institution';

export interface Seed {
  readonly category: Category;
  /** Keyword of the source attribute it came from. */
  readonly keyword: string;
  readonly tag: number;
  readonly text: string;
  /** The value's bytes as the source stored them (its character set), when not plain ASCII. */
  readonly raw?: Uint8Array;
  /** A name token (matched as a whole word only). */
  readonly token?: boolean;
}

export interface SourceFacts {
  readonly path: string;
  readonly error?: string;
  readonly patientKey: string;
  readonly sopUID: string;
  readonly pixelSha: string;
  /** Attributes the profiles keep (instance and series numbers, position): tells apart files with equal pixels. */
  readonly fingerprint: string;
  readonly seeds: Seed[];
  /** Every date (YYYYMMDD) the source holds, for the unshifted-date check. */
  readonly dates: string[];
  /** Element path → referenced UID. */
  readonly refs: Array<[string, string]>;
  /** UIDs this file defines (SOP instance, series, study, frame of reference). */
  readonly defines: string[];
  /** Values of attributes the Basic profile keeps (manufacturer, model, …): not identifying wherever they appear. */
  readonly kept: string[];
  /** A DICOMDIR: dcmblind skips it (directories are rebuilt), so no output is expected. */
  readonly dicomdir?: boolean;
  /** BurnedInAnnotation = YES: dcmblind quarantines it, so no output is expected. */
  readonly burnedIn?: boolean;
  /** Did not parse but carries the DICM marker: DICOM that dcmblind cannot have written. */
  readonly dicm?: boolean;
}

export type Severity = 'leak' | 'violation' | 'suspect' | 'integrity' | 'review';

export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  /** Output file, relative to the output folder. */
  readonly file: string;
  /** Element path (`RequestAttributesSequence[0].RequestedProcedureID`), `(file path)`, or '' for the file. */
  readonly element: string;
  readonly category?: string;
  /** Short keyed hash of the leaked value: lets reviewers match occurrences without seeing it. */
  readonly valueHash?: string;
  readonly detail: string;
  /**
   * A source file's path relative to --source, in clear: the operator's terminal log names it
   * so the file can be found. Never written to a report (those may leave the site).
   */
  readonly operatorPath?: string;
}

export interface OutputFacts {
  /** Path relative to the output folder (for pairing; never printed). */
  readonly file: string;
  /** The same path with any leaked value masked: what reports show. */
  readonly shown: string;
  /** PatientID as reports may show it: the pseudonym, or a masked label when it is a source value. */
  readonly patientLabel: string;
  /** A DICOMDIR: searched like any file, but it has no source and no markers of its own. */
  readonly dicomdir?: boolean;
  readonly ok: boolean;
  readonly patientId: string;
  readonly sopUID: string;
  readonly pixelSha: string;
  readonly fingerprint: string;
  readonly dates: Array<[string, string]>;
  readonly refs: Array<[string, string]>;
  readonly defines: string[];
  readonly findings: Finding[];
}

const STANDARD_UID = /^1\.2\.840\.10008\./;
/** Placeholders that other tools (or the source itself) put where identifiers were: never a leak. */
export const PLACEHOLDER =
  /^(anon(ymi[sz]ed|ymous|ymi[sz]ation)?|de-?identified|removed|redacted|unknown|none|null|n\/?a|x+|test|phantom|patient|name|id)$/i;
const usable = (t: string) => !PLACEHOLDER.test(t.trim());
const PIXEL_TAGS = new Set([0x7fe00010, 0x7fe00008, 0x7fe00009]);
const DEFINING = new Set([
  T.SOPInstanceUID,
  T.SeriesInstanceUID,
  T.StudyInstanceUID,
  0x00200052 /* FrameOfReferenceUID */,
]);

interface Visit {
  readonly el: Element;
  readonly path: string;
  readonly depth: number;
  readonly scheme: Scheme;
}

function keyword(tag: number): string {
  return (isPrivate(tag) ? undefined : keywordOf(tag)) ?? formatTag(tag);
}

/** Every element at every depth with its path, in file order (items inherit the character set). */
export function* visit(
  elements: readonly Element[],
  data: Uint8Array,
  scheme: Scheme,
  prefix = '',
  depth = 0,
): Generator<Visit> {
  let s = scheme;
  const cs = elements.find((e) => e.tag === T.SpecificCharacterSet);
  if (cs) s = schemeFor(text(data, cs, schemeFor([])).split('\\'));
  for (const el of elements) {
    const path = prefix ? `${prefix}.${keyword(el.tag)}` : keyword(el.tag);
    yield { el, path, depth, scheme: s };
    if (el.items) {
      for (const [i, it] of el.items.entries())
        yield* visit(it.elements, data, s, `${path}[${i}]`, depth + 1);
    }
  }
}

function vrOf(el: Element): string {
  return el.vr === 'UN' ? dictionaryVR(el.tag) : el.vr;
}

function text(data: Uint8Array, el: Element, scheme: Scheme): string {
  const bytes = data.subarray(el.valueStart, el.valueStart + el.valueLength);
  return decodedString(decodeText(bytes, scheme, vrOf(el) === 'PN')).replace(/[\0 ]+$/, '');
}

function categoryOf(keywordName: string, vr: string): Category | undefined {
  if (vr === 'PN') return 'name';
  if (vr === 'UI') return 'uid';
  if (vr === 'DA' || vr === 'DT') return 'date';
  if (/Address/i.test(keywordName)) return 'address';
  if (/Telephone|Phone|Telecom/i.test(keywordName)) return 'phone';
  if (/Institution/i.test(keywordName)) return 'institution';
  if (/ID$|IDs$|Number$|Numbers$|Identifier/.test(keywordName)) return 'id';
  return undefined;
}

const latin1 = (s: string): Uint8Array | undefined =>
  [...s].every((c) => (c.codePointAt(0) ?? 0) <= 0xff) ? Buffer.from(s, 'latin1') : undefined;

/** Names as people write them: "Doe^Jane" → also "Jane Doe", "Doe Jane", "Doe, Jane", "DOE_JANE", and its longer tokens. */
export function nameForms(pn: string): { whole: string[]; tokens: string[] } {
  const first = pn.split('=')[0] ?? '';
  const comps = first
    .split('^')
    .map((c) => c.trim())
    .filter(Boolean);
  const whole = new Set<string>([first.replace(/\^+$/, '')]);
  if (comps.length >= 2) {
    const [fam, giv] = comps as [string, string];
    for (const f of [
      `${giv} ${fam}`,
      `${fam} ${giv}`,
      `${fam}, ${giv}`,
      `${fam}_${giv}`,
      `${fam}^${giv}`,
      `${giv}_${fam}`,
    ])
      whole.add(f);
  }
  const tokens = new Set<string>();
  for (const c of comps) for (const t of c.split(/[\s,.-]+/)) if ([...t].length >= 4) tokens.add(t);
  return { whole: [...whole].filter((w) => [...w].length >= 4), tokens: [...tokens] };
}

function dateOf(v: string): string | undefined {
  const d = v.slice(0, 8);
  return /^(19|20)\d{6}$/.test(d) ? d : undefined;
}

/** What could leak from one source file. */
export function scanSource(path: string): SourceFacts {
  let parsed: ParsedFile;
  try {
    parsed = load(path);
  } catch (e) {
    return brokenSource(path, (e as Error).message);
  }
  const seeds: Seed[] = [];
  const dates = new Set<string>();
  const refs: Array<[string, string]> = [];
  const defines: string[] = [];
  const kept = new Set<string>();
  let patientId = '';
  let patientName = '';
  let issuer = '';
  let sopUID = '';
  let pixelSha = '';
  for (const { el, path: p, depth, scheme } of visit(parsed.dataset, parsed.data, schemeFor([]))) {
    if (PIXEL_TAGS.has(el.tag) && depth === 0) {
      pixelSha = pixelHash(parsed, el);
      continue;
    }
    if (el.items || el.encapsulated || el.valueLength === 0 || isPrivate(el.tag)) continue;
    const vr = vrOf(el);
    if (!['PN', 'UI', 'DA', 'DT', 'LO', 'SH', 'ST', 'LT', 'UT', 'UC', 'CS', 'AE', 'IS'].includes(vr))
      continue;
    const kw = keyword(el.tag);
    const value = text(parsed.data, el, scheme);
    if (depth === 0) {
      if (el.tag === T.PatientID) patientId = value.trim();
      if (el.tag === T.PatientName) patientName = value.trim();
      if (el.tag === T.IssuerOfPatientID) issuer = value.trim();
      if (el.tag === T.SOPInstanceUID) sopUID = value.trim();
    }
    if (vr === 'UI') {
      for (const u of value.split('\\').map((x) => x.trim())) {
        if (!u || STANDARD_UID.test(u)) continue;
        if (/Referenced.*UID$/.test(kw)) refs.push([p, u]);
        if (DEFINING.has(el.tag) && depth === 0) defines.push(u);
        if (u.length >= 8) seeds.push({ category: 'uid', keyword: kw, tag: el.tag, text: u });
      }
      continue;
    }
    if (vr === 'DA' || vr === 'DT') {
      for (const v of value.split('\\')) {
        const d = dateOf(v.trim());
        if (d) dates.add(d);
      }
      continue;
    }
    // Kept by the Basic profile: listed as K, or not listed at all (standard attributes the table does not name stay).
    const basic = expectationFor(el.tag, []);
    if ((basic === 'kept' || basic === undefined) && vr !== 'PN' && vr !== 'UI') {
      for (const v of value.split('\\')) if (v.trim()) kept.add(v.trim());
    }
    // Only what the Basic profile does not keep is a seed (descriptions, codes and the like
    // are judged by the profile checks and heuristics, not searched for).
    const cat = categoryOf(kw, vr);
    if (!cat || expectationFor(el.tag, []) === 'kept' || expectationFor(el.tag, []) === undefined) {
      if (vr !== 'PN') continue;
    }
    const raw = parsed.data.slice(el.valueStart, el.valueStart + el.valueLength);
    const nonAscii = raw.some((b) => b > 0x7f);
    if (cat === 'name' || vr === 'PN') {
      for (const one of value.split('\\')) {
        const f = nameForms(one);
        for (const w of f.whole) seeds.push({ category: 'name', keyword: kw, tag: el.tag, text: w });
        for (const t of f.tokens)
          seeds.push({ category: 'name', keyword: kw, tag: el.tag, text: t, token: true });
      }
      if (nonAscii)
        seeds.push({ category: 'name', keyword: kw, tag: el.tag, text: value, raw: trimRaw(raw) });
      continue;
    }
    for (const one of value.split('\\').map((x) => x.trim())) {
      // Short all-digit IDs ("125", "4021") are everywhere in numbers; from six digits on they are specific.
      if ([...one].length >= 4 && !(/^\d+$/.test(one) && one.length < 6))
        seeds.push({ category: cat as Category, keyword: kw, tag: el.tag, text: one });
    }
    if (nonAscii)
      seeds.push({ category: cat as Category, keyword: kw, tag: el.tag, text: value, raw: trimRaw(raw) });
  }
  const burnedIn = topValue(parsed, T.BurnedInAnnotation).toUpperCase() === 'YES';
  return {
    path,
    patientKey: patientId ? `id:${issuer}:${patientId}` : `name:${patientName}`,
    sopUID,
    pixelSha,
    fingerprint: fingerprint(parsed),
    seeds: seeds.filter((x) => usable(x.text)),
    dates: [...dates],
    refs,
    defines,
    kept: [...kept],
    ...(isDicomdirFile(parsed) ? { dicomdir: true } : {}),
    ...(burnedIn ? { burnedIn: true } : {}),
  };
}

/** A top-level element's value as ASCII, '' when absent. */
function topValue(parsed: ParsedFile, tag: number): string {
  const el = parsed.dataset.find((e) => e.tag === tag);
  if (!el || el.items || el.external) return '';
  return Buffer.from(parsed.data.subarray(el.valueStart, el.valueStart + el.valueLength))
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .trim();
}

const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

/** A DICOMDIR, by its file meta's SOP class (or the data set's, for one without meta). */
function isDicomdirFile(parsed: ParsedFile): boolean {
  const meta = parsed.meta.find((e) => e.tag === 0x00020002);
  const metaClass = meta
    ? Buffer.from(parsed.file.subarray(meta.valueStart, meta.valueStart + meta.valueLength)).toString(
        'latin1',
      )
    : '';
  return (
    metaClass.replace(/[\0 ]+$/, '') === MEDIA_STORAGE_DIRECTORY ||
    topValue(parsed, T.SOPClassUID) === MEDIA_STORAGE_DIRECTORY
  );
}

/** "DICM" at byte 128 (after the preamble) or at byte 0: the file claims to be DICOM. */
export function hasDicmMarker(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(132);
    const n = readSync(fd, b, 0, 132, 0);
    return (
      (n >= 132 && b.toString('latin1', 128, 132) === 'DICM') ||
      (n >= 4 && b.toString('latin1', 0, 4) === 'DICM')
    );
  } finally {
    closeSync(fd);
  }
}

/**
 * A source that does not parse. With the DICM marker it is DICOM that dcmblind cannot have
 * written; its PatientName and PatientID are salvaged from the raw head when they are there,
 * so reports can mask them in its path (its own values are seeds nowhere else).
 */
function brokenSource(path: string, error: string): SourceFacts {
  const none = {
    patientKey: '',
    sopUID: '',
    pixelSha: '',
    fingerprint: '',
    dates: [],
    refs: [],
    defines: [],
    kept: [],
  };
  if (!hasDicmMarker(path)) return { path, error, ...none, seeds: [] };
  const head = readHead(path, 64 * 1024);
  const seeds: Seed[] = [];
  for (const [tag, kw] of [
    [T.PatientName, 'PatientName'],
    [T.PatientID, 'PatientID'],
  ] as const) {
    const v = salvage(head, tag);
    if (!v || !usable(v)) continue;
    if (tag === T.PatientName) {
      const f = nameForms(v);
      for (const w of f.whole) seeds.push({ category: 'name', keyword: kw, tag, text: w });
      for (const t of f.tokens) seeds.push({ category: 'name', keyword: kw, tag, text: t, token: true });
    } else if (v.length >= 4) seeds.push({ category: 'id', keyword: kw, tag, text: v });
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

const FINGERPRINT_TAGS = [
  0x00200011 /* SeriesNumber */, 0x00200012 /* AcquisitionNumber */, 0x00200013 /* InstanceNumber */,
  0x00200032 /* ImagePositionPatient */, 0x00201041 /* SliceLocation */, 0x00280010, 0x00280011,
];

function fingerprint(parsed: ParsedFile): string {
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

function trimRaw(raw: Uint8Array): Uint8Array {
  let n = raw.length;
  while (n > 0 && (raw[n - 1] === 0x20 || raw[n - 1] === 0)) n--;
  return raw.subarray(0, n);
}

/** Files above this are read head-first; their pixel data is hashed as it streams from disk. */
const HEAD_ONLY_ABOVE = 32 * 1024 * 1024;
const HEAD_BYTES = 4 * 1024 * 1024;
const paths = new WeakMap<ParsedFile, string>();

/** Parse a file; a big one from its head only (the final pixel data stays on disk). */
function load(path: string): ParsedFile {
  const p = readDicomFile(path, { headOnlyAbove: HEAD_ONLY_ABOVE, headBytes: HEAD_BYTES });
  paths.set(p, path);
  return p;
}

function pixelHash(parsed: ParsedFile, el: Element): string {
  const h = createHash('sha256');
  const path = paths.get(parsed);
  if (el.external && path) {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(4 * 1024 * 1024);
      for (let pos = el.valueStart, end = el.valueStart + el.valueLength; pos < end; ) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
        if (n === 0) break;
        h.update(buf.subarray(0, n));
        pos += n;
      }
    } finally {
      closeSync(fd);
    }
    return h.digest('hex');
  }
  if (el.encapsulated && el.items)
    for (const it of el.items) h.update(parsed.data.subarray(it.start, it.end));
  else h.update(parsed.data.subarray(el.valueStart, el.valueStart + el.valueLength));
  return h.digest('hex');
}

/** The byte patterns one seed is searched as: UTF-8, Latin-1, and the source's own bytes. */
export function patternsOf(seeds: readonly Seed[]): Pattern[] {
  const out: Pattern[] = [];
  seeds.forEach((s, i) => {
    const forms = new Set<string>([s.text, s.text.toUpperCase(), s.text.toLowerCase()]);
    for (const f of forms) {
      out.push({ bytes: Buffer.from(f, 'utf8'), seed: i });
      const l = latin1(f);
      if (l) out.push({ bytes: l, seed: i });
    }
    if (s.raw && s.raw.length >= 4) out.push({ bytes: s.raw, seed: i });
  });
  return out;
}

export interface OutputTask {
  readonly abs: string;
  readonly rel: string;
  /** Option columns to hold the file to; undefined: what its own de-identification markers declare. */
  readonly columns?: readonly string[];
  readonly profileName?: string;
}

export interface ScanContext {
  readonly seeds: readonly Seed[];
  readonly matcher: Matcher;
  readonly hashKey: Buffer;
}

/** Names, IDs and name tokens count only as whole words (a token "TEXT" is not in "CONTEXT"). */
const needsWord = (s: Seed) => Boolean(s.token) || s.category === 'name' || s.category === 'id';

export function valueHash(ctx: ScanContext, v: string): string {
  return createHash('sha256')
    .update(ctx.hashKey)
    .update(v.normalize('NFC').toLowerCase())
    .digest('hex')
    .slice(0, 10);
}

/** Deepest element whose bytes hold `offset`, as a path; '' when in no element (preamble, header bytes). */
function locate(visits: readonly Visit[], offset: number): Visit | undefined {
  let best: Visit | undefined;
  for (const v of visits)
    if (offset >= v.el.start && offset < v.el.end && (!best || v.depth >= best.depth)) best = v;
  return best;
}

const DATE_IN_TEXT =
  /\b((?:19|20)\d{2})[-/.]?(0[1-9]|1[0-2])[-/.]?(0[1-9]|[12]\d|3[01])\b|\b(0?[1-9]|[12]\d|3[01])[/.](0?[1-9]|1[0-2])[/.]((?:19|20)\d{2})\b/g;
const NAME_SHAPED = /\b[A-Z][A-Za-z'-]+\^[A-Z][A-Za-z'-]+\b|\b(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+[A-Z][a-z]+/;
const FREE_TEXT_VR = new Set(['LT', 'ST', 'UT', 'UC']);
const REVIEW_MODALITIES = new Set(['US', 'SC', 'DOC', 'XC', 'OT', 'ES', 'SM', 'GM']);
const REVIEW_SOP = /^1\.2\.840\.10008\.5\.1\.4\.1\.1\.(7(\.\d)?|104\.\d)$/; // secondary capture family, encapsulated documents

/** The path with every matched span replaced by `[<category>]`. */
function redact(bytes: Uint8Array, hits: readonly Hit[], seeds: readonly Seed[]): string {
  if (hits.length === 0) return Buffer.from(bytes).toString('utf8');
  const sorted = [...hits].sort((a, b) => a.at - b.at || b.length - a.length);
  let out = '';
  let pos = 0;
  for (const h of sorted) {
    if (h.at < pos) continue;
    out += Buffer.from(bytes.subarray(pos, h.at)).toString('utf8') + `[${(seeds[h.seed] as Seed).category}]`;
    pos = h.at + h.length;
  }
  return out + Buffer.from(bytes.subarray(pos)).toString('utf8');
}

/** What one output file holds that it should not, and the facts the cross-file checks need. */
/** A path with every seed in it (names and IDs as whole words) replaced by `[<category>]`. */
export function maskPath(
  rel: string,
  ctx: Pick<ScanContext, 'seeds' | 'matcher'>,
): { shown: string; hits: Hit[] } {
  const bytes = Buffer.from(rel, 'utf8');
  const accept = wholeWordOnly((i) => needsWord(ctx.seeds[i] as Seed));
  const hits = ctx.matcher.search(bytes).filter((h) => accept(bytes, h));
  return { shown: redact(bytes, hits, ctx.seeds), hits };
}

export function scanOutput(task: OutputTask, ctx: ScanContext): OutputFacts {
  const findings: Finding[] = [];
  // The path first: it leaves the site too. Whatever matched is masked in every report line.
  const { shown: file, hits: pathHits } = maskPath(task.rel, ctx);
  const add = (f: Omit<Finding, 'file'>) => findings.push({ file, ...f });
  for (const h of pathHits) {
    const s = ctx.seeds[h.seed] as Seed;
    add({
      rule: 'seed-in-path',
      severity: 'leak',
      element: '(file path)',
      category: s.category,
      valueHash: valueHash(ctx, s.text),
      detail: `a source ${s.category} (from ${s.keyword}) in the output file path`,
    });
  }
  let parsed: ParsedFile;
  try {
    parsed = load(task.abs);
  } catch (e) {
    for (const f of notParsed(task.abs, (e as Error).message, ctx)) add(f);
    return {
      file: task.rel,
      shown: file,
      patientLabel: '',
      ok: false,
      patientId: '',
      sopUID: '',
      pixelSha: '',
      fingerprint: '',
      dates: [],
      refs: [],
      defines: [],
      findings,
    };
  }
  const visits = [...visit(parsed.dataset, parsed.data, schemeFor([]))];
  const top = new Map<number, Element>(parsed.dataset.map((e) => [e.tag, e]));
  const topText = (tag: number) => {
    const el = top.get(tag);
    return el && !el.items ? text(parsed.data, el, visits[0]?.scheme ?? schemeFor([])).trim() : '';
  };

  // The options the file is held to: what --profile says, else what the file declares (CID 7050 codes).
  const codes: string[] = [];
  const method = top.get(0x00120064);
  if (method?.items) {
    for (const it of method.items) {
      const cv = it.elements.find((e) => e.tag === 0x00080100);
      if (cv) codes.push(text(parsed.data, cv, schemeFor([])).trim());
    }
  }
  const declared = codes.map((c) => CID7050[c]).filter((c): c is string => c !== undefined && c !== 'basic');
  const columns: readonly string[] = task.columns ?? declared;
  const pseudonym = topText(T.PatientID);
  // 1. Seeded search over the raw bytes: the file meta, then the data set (inflated when
  // deflated) except pixel data, which is checked against its source instead.
  const metaVisits = [...visit(parsed.meta, parsed.file, schemeFor([]))];
  const seen = new Set<string>();
  if (parsed.deflated)
    reportHits(ctx.matcher.search(parsed.file, 0, parsed.meta.at(-1)?.end ?? 0), parsed.file, metaVisits);
  let pos = 0;
  for (const e of parsed.dataset.filter((x) => PIXEL_TAGS.has(x.tag))) {
    reportHits(ctx.matcher.search(parsed.data, pos, e.valueStart), parsed.data, visits);
    pos = e.end;
  }
  reportHits(ctx.matcher.search(parsed.data, pos, parsed.data.length), parsed.data, visits);

  function reportHits(hits: Hit[], bytes: Uint8Array, vs: readonly Visit[]) {
    for (const h of hits) {
      const s = ctx.seeds[h.seed] as Seed;
      const v =
        vs === metaVisits
          ? locate(metaVisits, h.at)
          : (locate(vs, h.at) ?? (parsed.deflated ? undefined : locate(metaVisits, h.at)));
      // Names and IDs are words: a match inside a longer word or number ("TEXT" in "CONTEXT") is
      // not one. The value's own ends are word boundaries (the next bytes belong to another element).
      if (needsWord(s)) {
        const from = v && !v.el.items ? v.el.valueStart : 0;
        const to = v && !v.el.items ? v.el.valueStart + v.el.valueLength : bytes.length;
        const before = h.at > from ? bytes[h.at - 1] : undefined;
        const after = h.at + h.length < to ? bytes[h.at + h.length] : undefined;
        if (isWordByte(before) || isWordByte(after)) continue;
      }
      // Part of this file's own pseudonym (say a source ID "ANON" inside "ANON-7Q…"): not a leak.
      if (
        v &&
        pseudonym &&
        !v.el.items &&
        text(bytes, v.el, v.scheme).trim() === pseudonym &&
        h.length < Buffer.byteLength(pseudonym, 'utf8')
      )
        continue;
      // An attribute the profile (with its options) keeps, holding its own source value, is allowed.
      if (
        v &&
        v.el.tag === s.tag &&
        (expectationFor(v.el.tag, columns) === 'kept' || expectationFor(v.el.tag, columns) === 'cleaned')
      )
        continue;
      const element = v?.path ?? `(byte ${h.at})`;
      const key = `${element}|${s.category}`; // one finding per element and kind of value
      if (seen.has(key)) continue;
      seen.add(key);
      const uid = s.category === 'uid';
      add({
        rule: uid ? 'source-uid' : 'seed-match',
        severity: 'leak',
        element,
        category: s.category,
        valueHash: valueHash(ctx, s.text),
        detail: uid
          ? `a source UID (${s.keyword}) is still in ${element}`
          : `a source ${s.category} (from ${s.keyword}) appears in ${element}`,
      });
    }
  }

  // 2. Profile conformance: markers, then every element at every depth. A DICOMDIR carries
  // no de-identification markers (it describes files that do); its bytes were searched above.
  const metaClass = parsed.meta.find((e) => e.tag === 0x00020002);
  const isDicomdir =
    metaClass !== undefined &&
    Buffer.from(parsed.file.subarray(metaClass.valueStart, metaClass.valueStart + metaClass.valueLength))
      .toString('latin1')
      .replace(/\0/g, '')
      .trim() === '1.2.840.10008.1.3.10';
  if (isDicomdir) {
    return {
      file: task.rel,
      shown: file,
      patientLabel: '',
      ok: true,
      dicomdir: true,
      patientId: '',
      sopUID: '',
      pixelSha: '',
      fingerprint: '',
      dates: [],
      refs: [],
      defines: [],
      findings,
    };
  }
  if (topText(0x00120062) !== 'YES')
    add({
      rule: 'marker-identity-removed',
      severity: 'violation',
      element: 'PatientIdentityRemoved',
      detail: 'PatientIdentityRemoved is not YES',
    });
  if (!codes.includes('113100'))
    add({
      rule: 'marker-method',
      severity: 'violation',
      element: 'DeidentificationMethodCodeSequence',
      detail: 'no Basic Application Confidentiality Profile code (113100)',
    });
  const unknown = codes.filter((c) => !CID7050[c]);
  if (unknown.length)
    add({
      rule: 'marker-method',
      severity: 'violation',
      element: 'DeidentificationMethodCodeSequence',
      detail: `codes outside CID 7050: ${unknown.join(', ')}`,
    });
  if (task.columns && [...task.columns].sort().join() !== [...declared].sort().join()) {
    add({
      rule: 'marker-profile',
      severity: 'violation',
      element: 'DeidentificationMethodCodeSequence',
      detail: `the file declares options [${declared.join(', ') || 'none'}], profile ${task.profileName ?? ''} means [${task.columns.join(', ') || 'none'}]`,
    });
  }
  const modified = topText(0x00280303);
  if (columns.includes('rtnLongModifDatesOpt') && modified !== 'MODIFIED')
    add({
      rule: 'marker-dates',
      severity: 'violation',
      element: 'LongitudinalTemporalInformationModified',
      detail: 'dates are declared modified but LongitudinalTemporalInformationModified is not MODIFIED',
    });

  const dates: Array<[string, string]> = [];
  const refs: Array<[string, string]> = [];
  const defines: string[] = [];
  let burned = false;
  for (const v of visits) {
    const { el, path, depth } = v;
    if (isGroupLength(el.tag)) continue;
    if (isPrivateTag(el.tag) && !columns.includes('rtnSafePrivOpt')) {
      add({
        rule: 'private-element',
        severity: 'violation',
        element: path,
        detail: 'a private element is present; the profile removes them',
      });
      continue;
    }
    const exp = expectationFor(el.tag, columns);
    if (exp === 'absent' && !(depth === 0 && PIXEL_TAGS.has(el.tag))) {
      add({
        rule: 'profile-removed-present',
        severity: 'violation',
        element: path,
        detail: 'the profile removes this attribute (X) but it is present',
      });
    }
    // Z allows "a zero length value, or a non-zero length value that may be a dummy value"
    // (PS3.15 Table E.1-1 legend): a value is wrong only when it is the source's, which the
    // seeded search reports.
    if (el.items || el.encapsulated || el.valueLength === 0) continue;
    const vr = vrOf(el);
    if (vr === 'DA' || vr === 'DT') {
      for (const x of text(parsed.data, el, v.scheme).split('\\')) {
        const d = dateOf(x.trim());
        if (d) dates.push([path, d]);
      }
    } else if (vr === 'UI') {
      const kw = keyword(el.tag);
      for (const u of text(parsed.data, el, v.scheme)
        .split('\\')
        .map((x) => x.trim())) {
        if (!u || STANDARD_UID.test(u)) continue;
        if (/Referenced.*UID$/.test(kw)) refs.push([path, u]);
        if (DEFINING.has(el.tag) && depth === 0) defines.push(u);
      }
    } else if (
      FREE_TEXT_VR.has(vr) ||
      (vr === 'LO' && /Comment|Description|Remark|Note/i.test(keyword(el.tag)))
    ) {
      // 3. Heuristics without a source.
      const t = text(parsed.data, el, v.scheme);
      for (const m of t.matchAll(DATE_IN_TEXT)) {
        dates.push([
          path,
          m[1]
            ? `${m[1]}${m[2]}${m[3]}`
            : `${m[6]}${String(m[5]).padStart(2, '0')}${String(m[4]).padStart(2, '0')}`,
        ]);
        add({
          rule: 'date-in-text',
          severity: 'suspect',
          element: path,
          category: 'date',
          valueHash: valueHash(ctx, m[0]),
          detail: 'date-shaped text in a free-text attribute',
        });
      }
      if (NAME_SHAPED.test(t))
        add({
          rule: 'name-in-text',
          severity: 'suspect',
          element: path,
          category: 'name',
          detail: 'person-name-shaped text in a free-text attribute',
        });
    }
    if (
      el.tag === 0x00280301 &&
      text(parsed.data, el, v.scheme).trim().toUpperCase() === 'YES' &&
      depth === 0
    )
      burned = true;
  }
  if (burned)
    add({
      rule: 'burned-in-annotation',
      severity: 'suspect',
      element: 'BurnedInAnnotation',
      detail: 'the file says its pixels carry burned-in text',
    });
  const modality = topText(0x00080060).toUpperCase();
  const sopClass = topText(T.SOPClassUID);
  if (!burned && (REVIEW_MODALITIES.has(modality) || REVIEW_SOP.test(sopClass))) {
    add({
      rule: 'review-burned-in',
      severity: 'review',
      element: '',
      detail: `modality ${modality || '?'} / this SOP class often carries burned-in text: look at the pixels`,
    });
  }
  const pix = parsed.dataset.find((e) => PIXEL_TAGS.has(e.tag));
  const patientId = topText(T.PatientID);
  const idLeak = findings.find((f) => f.element === 'PatientID' && f.severity === 'leak');
  return {
    file: task.rel,
    shown: file,
    patientLabel: idLeak ? `[leaked ${idLeak.category} ${idLeak.valueHash}]` : patientId,
    ok: true,
    patientId,
    sopUID: topText(T.SOPInstanceUID),
    pixelSha: pix ? pixelHash(parsed, pix) : '',
    fingerprint: fingerprint(parsed),
    dates,
    refs,
    defines,
    findings,
  };
}

/**
 * An output file that does not parse. dcmblind's key, its journal or its lock is a leak
 * (`key-in-output`). With the DICM marker it is broken DICOM (`unreadable`); without, it is
 * not DICOM at all (`non-dicom-file`): a mapping table, a spreadsheet, a stray archive. Either
 * way its raw bytes (and zip entries) are searched for every seed.
 */
function notParsed(abs: string, error: string, ctx: ScanContext): Array<Omit<Finding, 'file'>> {
  const out: Array<Omit<Finding, 'file'>> = [];
  let dicm: boolean;
  let key: KeyArtifact | undefined;
  let raw: RawScan;
  try {
    dicm = hasDicmMarker(abs);
    key = keyArtifact(abs);
    const accept = wholeWordOnly((i) => needsWord(ctx.seeds[i] as Seed));
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
  out.push(...rawFindings(raw, ctx));
  return out;
}

/** dcmblind's key (or its journal or lock) in the output: it would leave the site with it. */
export function keyInOutput(kind: KeyArtifact): Omit<Finding, 'file'> {
  return {
    rule: 'key-in-output',
    severity: 'leak',
    element: '',
    detail:
      `a dcmblind ${kind}: the re-identification key (encrypted or not) must never travel with ` +
      'the output; remove it and keep it with its custodian',
  };
}

/** One finding per place and category: how many distinct source values were found there. */
function rawFindings(raw: RawScan, ctx: ScanContext): Array<Omit<Finding, 'file'>> {
  const out: Array<Omit<Finding, 'file'>> = [];
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
