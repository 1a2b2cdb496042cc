/**
 * Stage 1 (in a worker): what could leak from one source file. Every identifying value it
 * holds becomes a seed to search the outputs for; its dates, references and pixel hash are
 * the facts the tree checks compare its outputs with.
 */
import { isPrivate, namesAClass, type ParsedFile, schemeFor, T } from '@dcmblind/core';
import { brokenSource } from './broken-source.js';
import { isDicomdirFile, load, PIXEL_TAGS } from './dicom-file.js';
import {
  datesIn,
  keyword,
  noteUids,
  siteUids,
  TYPED_VRS,
  textOf,
  topValue,
  type Visit,
  visit,
  vrOf,
} from './elements.js';
import type { SourceFacts } from './facts.js';
import { contentHash, fingerprint, pixelHash } from './hashing.js';
import { datesInText } from './dates-in-text.js';
import { type Category, nameSeeds, type Seed, shortFormSeeds, usable } from './seeds.js';
import { expectationFor } from './table.js';
import { addressSeeds, idDigitSeeds, institutionSeeds, textSeeds } from './text-seeds.js';
import { PublishedVersions } from './versions.js';
import { initialsOf } from './initials.js';

/** Encapsulated Document (0042,0011) and its MIME type (0042,0012), PS3.3 C.24.2. */
const ENCAPSULATED_DOCUMENT = 0x00420011;
const MIME_TYPE_OF_ENCAPSULATED_DOCUMENT = 0x00420012;
/** VRs read for seeds, dates and UIDs; the others (binary, measurements) are not read. */
const READ_VRS = ['PN', 'UI', 'DA', 'DT', 'LO', 'SH', 'ST', 'LT', 'UT', 'UC', 'CS', 'AE', 'IS'];

/** What the walk over one source gathers, element by element. */
interface Harvest {
  readonly seeds: Seed[];
  readonly dates: Set<string>;
  readonly headerDates: Array<[string, string]>;
  readonly refs: Array<[string, string]>;
  readonly defines: string[];
  /** The published versions the source holds (see versions.ts). */
  readonly versions: PublishedVersions;
  /** Top-level PatientID, PatientName, IssuerOfPatientID, SOPInstanceUID by tag. */
  readonly top: Map<number, string>;
  pixelSha: string;
}

/** Top-level attributes that say whose file this is, and which instance. */
const TOP_TAGS: ReadonlySet<number> = new Set([
  T.PatientID,
  T.PatientName,
  T.IssuerOfPatientID,
  T.SOPInstanceUID,
]);

/** What could leak from one source file. */
export function scanSource(path: string): SourceFacts {
  let parsed: ParsedFile;
  try {
    parsed = load(path);
  } catch (e) {
    return brokenSource(path, (e as Error).message);
  }
  return sourceFacts(path, parsed);
}

/** What could leak from one parsed source (`path` names it: a file, or a zip entry as `a.zip!/entry`). */
export function sourceFacts(path: string, parsed: ParsedFile): SourceFacts {
  const h: Harvest = {
    seeds: [],
    dates: new Set(),
    headerDates: [],
    refs: [],
    defines: [],
    versions: new PublishedVersions(),
    top: new Map(),
    pixelSha: '',
  };
  for (const v of visit(parsed.dataset, parsed.data, schemeFor([]))) harvestElement(parsed, v, h);
  // What dcmblind quarantines: an encapsulated document other than a PDF (a PDF is replaced whole,
  // whatever its BurnedInAnnotation says), or pixels said to carry burned-in text.
  const hasDocument = parsed.dataset.some((e) => e.tag === ENCAPSULATED_DOCUMENT);
  const mime = topValue(parsed, MIME_TYPE_OF_ENCAPSULATED_DOCUMENT);
  const quarantinedDocument = hasDocument && mime.toLowerCase() !== 'application/pdf';
  const burnedIn = !hasDocument && topValue(parsed, T.BurnedInAnnotation).toUpperCase() === 'YES';
  const top = (tag: number) => h.top.get(tag) ?? '';
  const patientId = top(T.PatientID);
  return {
    path,
    // Patients by PatientID alone, as dcmblind's default patient scope; SourceSet narrows it by
    // issuer when the run did (--patient-scope issuer).
    patientKey: patientId ? `id:${patientId}` : `name:${top(T.PatientName)}`,
    ...(patientId && top(T.IssuerOfPatientID) ? { issuer: top(T.IssuerOfPatientID) } : {}),
    sopUID: top(T.SOPInstanceUID),
    // Without pixel data, a waveform's samples pair the file (see contentHash).
    pixelSha: h.pixelSha || contentHash(parsed, undefined),
    fingerprint: fingerprint(parsed),
    seeds: h.seeds.filter((x) => usable(x.text)),
    dates: [...h.dates],
    headerDates: h.headerDates,
    initials: initialsOf(top(T.PatientName)),
    refs: h.refs,
    defines: h.defines,
    versions: h.versions.found,
    ...(isDicomdirFile(parsed) ? { dicomdir: true } : {}),
    ...(burnedIn ? { burnedIn: true } : {}),
    ...(quarantinedDocument ? { quarantinedDocument: mime || 'document of unknown type' } : {}),
  };
}

/** One element's contribution: pixel hash, UIDs, dates, seeds. */
function harvestElement(parsed: ParsedFile, v: Visit, h: Harvest): void {
  const { el, depth } = v;
  if (PIXEL_TAGS.has(el.tag) && depth === 0) {
    h.pixelSha = pixelHash(parsed, el);
    return;
  }
  if (el.items || el.encapsulated || el.valueLength === 0) return;
  const vr = vrOf(el);
  if (!READ_VRS.includes(vr)) return;
  const value = textOf(parsed.data, el, v.scheme);
  // Private text is read for what was typed into it; its attributes are nobody's to categorise.
  if (isPrivate(el.tag)) {
    if (TYPED_VRS.has(vr)) typedText(value, h);
    return;
  }
  if (depth === 0 && TOP_TAGS.has(el.tag)) h.top.set(el.tag, value.trim());
  // A published version is the same for everyone: not a date of this patient.
  if (PublishedVersions.wants(el.tag) && h.versions.note(v, value)) return;
  if (vr === 'UI') {
    uidSeeds(v, value, h);
    return;
  }
  if (vr === 'DA' || vr === 'DT') {
    for (const d of datesIn(value)) {
      h.dates.add(d);
      h.headerDates.push([v.path, d]);
    }
    return;
  }
  if (TYPED_VRS.has(vr)) typedText(value, h);
  // Attributes the Basic profile keeps (listed as K, or not listed) are no one's identifier;
  // what was typed into them is read above.
  const basic = expectationFor(el.tag, []);
  const cat = categoryOf(keyword(el.tag), vr);
  if ((!cat || basic === 'kept' || basic === undefined) && vr !== 'PN') return;
  const raw = parsed.data.slice(el.valueStart, el.valueStart + el.valueLength);
  h.seeds.push(...valueSeeds(v, vr, cat as Category, value, raw));
}

/** A UI value: references and definitions noted, and every site UID a seed. */
function uidSeeds(v: Visit, value: string, h: Harvest): void {
  const uids = siteUids(value);
  noteUids(v, uids, h.refs, h.defines);
  // A UID that names a class (SOP class, coding scheme…) identifies no one: kept, not a seed.
  if (namesAClass(v.el.tag)) return;
  for (const u of uids)
    if (u.length >= 8) h.seeds.push({ category: 'uid', keyword: keyword(v.el.tag), tag: v.el.tag, text: u });
}

/** Free text: names after titles, contacts and labelled IDs as seeds; dates written out as the patient's. */
function typedText(value: string, h: Harvest): void {
  h.seeds.push(...textSeeds(value));
  for (const d of datesInText(value, false)) h.dates.add(d);
}

/** PatientName, OtherPatientNames, PatientBirthName: the names whose short forms are searched too. */
const PATIENTS_OWN_NAMES: ReadonlySet<number> = new Set([0x00100010, 0x00101001, 0x00101005]);

/** The seeds of one value: a name's written forms, or each value of an identifier. */
function valueSeeds(v: Visit, vr: string, cat: Category, value: string, raw: Uint8Array): Seed[] {
  const kw = keyword(v.el.tag);
  const tag = v.el.tag;
  const out: Seed[] = [];
  const isName = cat === 'name' || vr === 'PN';
  if (isName) {
    for (const one of value.split('\\')) {
      out.push(...nameSeeds(one, kw, tag));
      if (PATIENTS_OWN_NAMES.has(tag)) out.push(...shortFormSeeds(one, kw, tag));
    }
  } else {
    for (const one of value.split('\\').map((x) => x.trim())) {
      // Short all-digit IDs ("125", "4021") are everywhere in numbers; from six digits on they are specific.
      if ([...one].length >= 4 && !(/^\d+$/.test(one) && one.length < 6)) {
        const s: Seed = { category: cat, keyword: kw, tag, text: one };
        out.push(s, ...(cat === 'id' || cat === 'phone' ? idDigitSeeds(s) : []));
        if (cat === 'address') out.push(...addressSeeds(one, kw, tag));
        if (cat === 'institution') out.push(...institutionSeeds(one, kw, tag));
      }
    }
  }
  // The value as the source stored it, in its own character set: found even where no decoding is.
  if (raw.some((b) => b > 0x7f))
    out.push({ category: isName ? 'name' : cat, keyword: kw, tag, text: value, raw: trimRaw(raw) });
  return out;
}

/** The kind of identifier an attribute holds, by its VR and keyword; undefined: not one. */
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

/** The raw value without its trailing padding (spaces, NULs). */
function trimRaw(raw: Uint8Array): Uint8Array {
  let n = raw.length;
  while (n > 0 && (raw[n - 1] === 0x20 || raw[n - 1] === 0)) n--;
  return raw.subarray(0, n);
}
