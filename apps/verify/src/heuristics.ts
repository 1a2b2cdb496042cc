/**
 * Stage 2c (in a worker): heuristics that need no source. Date- and name-shaped free text,
 * a file that says its pixels carry burned-in text, and modalities whose pixels often do.
 */
import { T } from '@dcmblind/core';
import type { WalkedFile } from './dicom-file.js';
import { keyword, textOf, type Visit } from './elements.js';
import type { FileFindings, ScanContext } from './facts.js';
import { valueHash } from './hashing.js';

/** 2024-03-10, 2024/03/10, 20240310 (groups 1 to 3); 10.3.2024, 10/03/2024 (groups 4 to 6). */
const YMD_IN_TEXT = String.raw`\b((?:19|20)\d{2})[-/.]?(0[1-9]|1[0-2])[-/.]?(0[1-9]|[12]\d|3[01])\b`;
const DMY_IN_TEXT = String.raw`\b(0?[1-9]|[12]\d|3[01])[/.](0?[1-9]|1[0-2])[/.]((?:19|20)\d{2})\b`;
const DATE_IN_TEXT = new RegExp(`${YMD_IN_TEXT}|${DMY_IN_TEXT}`, 'g');
const NAME_SHAPED = /\b[A-Z][A-Za-z'-]+\^[A-Z][A-Za-z'-]+\b|\b(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+[A-Z][a-z]+/;
const FREE_TEXT_VR = new Set(['LT', 'ST', 'UT', 'UC']);
/** The classes dcmblind's Clean Pixel Data scans whatever their flag (pixels/text/scan.ts). */
const REVIEW_MODALITIES = new Set([
  'US',
  'IVUS',
  'SC',
  'DOC',
  'XC',
  'OT',
  'ES',
  'SM',
  'GM',
  'OP',
  'XA',
  'RF',
  'DX',
  'CR',
  'MG',
  'IO',
  'PX',
]);
/** Secondary capture family, encapsulated documents. */
const ENCAPSULATED_DOCUMENT_CLASS = /^1\.2\.840\.10008\.5\.1\.4\.1\.1\.104\.\d$/;
const REVIEW_SOP = /^1\.2\.840\.10008\.5\.1\.4\.1\.1\.(7(\.\d)?|104\.\d)$/;

/** Free text: the free-text VRs, and LO attributes named as comments, descriptions, remarks, notes. */
export function isFreeText(v: Visit, vr: string): boolean {
  return FREE_TEXT_VR.has(vr) || (vr === 'LO' && /Comment|Description|Remark|Note/i.test(keyword(v.el.tag)));
}

/**
 * Date-, name- and contact-shaped text in a free-text element (the dates themselves are compared
 * with the patient's by the tree checks: see dates-in-text.ts).
 */
export function freeTextHeuristics(v: Visit, data: Uint8Array, ctx: ScanContext, found: FileFindings): void {
  const t = textOf(data, v.el, v.scheme);
  for (const m of t.matchAll(DATE_IN_TEXT)) {
    found.add({
      rule: 'date-in-text',
      severity: 'suspect',
      element: v.path,
      category: 'date',
      valueHash: valueHash(ctx, m[0]),
      detail: 'date-shaped text in a free-text attribute',
    });
  }
  if (NAME_SHAPED.test(t))
    found.add({
      rule: 'name-in-text',
      severity: 'suspect',
      element: v.path,
      category: 'name',
      detail: 'person-name-shaped text in a free-text attribute',
    });
  for (const contact of contactsIn(t))
    found.add({
      rule: 'contact-in-text',
      severity: 'suspect',
      element: v.path,
      category: contact,
      detail: `${contact === 'email' ? 'an e-mail address' : 'a web address'} in a free-text attribute`,
    });
}

const EMAIL_SHAPED = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+\.[\p{L}\p{N}.-]+/u;
const URL_SHAPED = /\b(?:https?:\/\/|www\.)([^\s/\\"'<>]+)/giu;
/** Hosts of the standards a report may cite: no one's address. */
const STANDARD_HOSTS =
  /(^|\.)(nema\.org|dicomstandard\.org|hl7\.org|loinc\.org|snomed\.org|w3\.org|iso\.org|ihe\.net)$/i;

/** E-mail addresses, and web addresses of anything but a standards body, in the text (each kind once). */
function contactsIn(t: string): Array<'email' | 'url'> {
  const out: Array<'email' | 'url'> = [];
  if (EMAIL_SHAPED.test(t)) out.push('email');
  for (const m of t.matchAll(URL_SHAPED))
    if (!STANDARD_HOSTS.test((m[1] ?? '').replace(/^www\./i, ''))) return [...out, 'url'];
  return out;
}
/** A top-level BurnedInAnnotation of YES. */
export function saysBurnedIn(v: Visit, data: Uint8Array): boolean {
  return (
    v.el.tag === T.BurnedInAnnotation &&
    textOf(data, v.el, v.scheme).trim().toUpperCase() === 'YES' &&
    v.depth === 0
  );
}

/**
 * Burned-in text the file admits to, or a look at the pixels when its modality or SOP class asks.
 * Returns whether its pixels are at risk (read by OCR, pixel-text.ts): an encapsulated document
 * has none to read.
 */
export function burnedInChecks(file: WalkedFile, burned: boolean, found: FileFindings): boolean {
  if (burned)
    found.add({
      rule: 'burned-in-annotation',
      severity: 'suspect',
      element: 'BurnedInAnnotation',
      detail: 'the file says its pixels carry burned-in text',
    });
  const modality = file.topText(0x00080060).toUpperCase();
  const sopClass = file.topText(T.SOPClassUID);
  const document = ENCAPSULATED_DOCUMENT_CLASS.test(sopClass);
  const review = REVIEW_MODALITIES.has(modality) || REVIEW_SOP.test(sopClass);
  if (!burned && review) {
    found.add({
      rule: 'review-burned-in',
      severity: 'review',
      element: '',
      detail: document
        ? 'an encapsulated document: open it and read it'
        : `modality ${modality || '?'} / this SOP class often carries burned-in text: look at the pixels`,
    });
  }
  return (burned || review) && !document;
}
