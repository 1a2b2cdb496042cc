/**
 * Encapsulated documents (PS3.3 C.24: a PDF, a CDA, a 3D model in an Encapsulated Document
 * object). Their content is not DICOM, so the engine cannot clean it, and Table E.1-1 says D:
 * a PDF becomes a one-page PDF that says its content was removed, with its length and MIME
 * type true; any other kind is quarantined (reported, not written), never left as bytes that
 * no longer are a document.
 */
import type { Element, ParsedFile } from '../dicom/reader.js';
import { latin1, valueBytes } from './text.js';

export const ENCAPSULATED_DOCUMENT = 0x00420011;
export const MIME_TYPE_OF_ENCAPSULATED_DOCUMENT = 0x00420012;
export const ENCAPSULATED_DOCUMENT_LENGTH = 0x00420015;

/** A minimal valid PDF 1.4 (one page, one line of text), its cross-reference offsets computed. */
function placeholderPdf(): Uint8Array {
  const text = 'Document content removed by de-identification (dcmblind).';
  const stream = `BT /F1 12 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R ' +
      '/Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) pdf += `${String(off).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(pdf, 'latin1'));
}

let pdf: Uint8Array | undefined;

export type DocumentPlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'replace'; readonly bytes: Uint8Array }
  | { readonly kind: 'quarantine'; readonly reason: string };

/** What to do with the file's encapsulated document, if it has one. */
export function planDocument(parsed: ParsedFile): DocumentPlan {
  const top = (tag: number): Element | undefined => parsed.dataset.find((e) => e.tag === tag);
  if (!top(ENCAPSULATED_DOCUMENT)) return { kind: 'none' };
  const mimeEl = top(MIME_TYPE_OF_ENCAPSULATED_DOCUMENT);
  const mime = mimeEl
    ? latin1(valueBytes(parsed.data, mimeEl))
        .replace(/[\0 ]+$/, '')
        .trim()
    : '';
  if (mime.toLowerCase() === 'application/pdf') {
    pdf ??= placeholderPdf();
    return { kind: 'replace', bytes: pdf };
  }
  return {
    kind: 'quarantine',
    reason: `encapsulated ${mime || 'document of unknown type'}: dcmblind cannot de-identify its content`,
  };
}

/** The document's length as EncapsulatedDocumentLength (UL) holds it, in the data set's byte order. */
export function lengthValue(bytes: Uint8Array, littleEndian: boolean): Uint8Array {
  const b = Buffer.alloc(4);
  if (littleEndian) b.writeUInt32LE(bytes.length);
  else b.writeUInt32BE(bytes.length);
  return new Uint8Array(b);
}
