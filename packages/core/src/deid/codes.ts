/**
 * Code items (PS3.3 Table 8.8-1, the Code Sequence macro). A code of a registered coding scheme
 * (PS3.16 Table 8-1: DCM, SCT, LN, UCUM, …) names a concept and identifies no one: its value and
 * meaning stay as they are. A local scheme's code (designator "L", "99…", or any the registry
 * does not list) can be anything a site typed — an employee number, a doctor's name, the
 * hospital — so its value and meaning are free text to clean.
 */
import type { Tag } from '../dicom/tag.js';

const REGISTERED = new Set(
  (
    'DCM SCT SRT SNM3 LN UCUM FMA RADLEX RADLEX_PLAYBOOK NCIt NCIT UMLS MDC NEU BARI NDC ITIS_TSN ' +
    'PUBCHEM_CID MSH ICD10 I10 I10P I9 I9C ICD9CM ICDO3 I11 ICD11 ACR ASTM-sigpurpose C4 C5 CD2 DC ' +
    'HPC HUGO ISO3166_1 ISO639_1 ISO639_2 ISO_OID ISO_3166-1 IUPAC JC LOINC MA MAYAM MGI NBD NCBI NICIP ' +
    'NYUMCCG POS RFC3066 RFC5646 RXNORM SNOMED UBERON UNS UPC ATC CPT4 CPT HL7 IBSI CAS CTV3 DSM4 ' +
    'SCPECG NCDR NMDP ISBT ISBT128 ISBT128_DI PATH ASTM_SPEC ROM SNOMED-CT'
  ).split(' '),
);

/** Whether codes of this scheme are concepts of a registered terminology. */
export function isRegisteredScheme(designator: string): boolean {
  const d = designator.trim();
  return REGISTERED.has(d) && !d.startsWith('99');
}

/** The attributes of a code item whose text depends on the scheme. */
export const CODE_TEXT: ReadonlySet<Tag> = new Set([
  0x00080100, // Code Value
  0x00080104, // Code Meaning
  0x00080119, // Long Code Value
  0x00080120, // URN Code Value
  0x00080101, // Extended Code Value
  0x00080108, // Extended Code Meaning
]);
export const CODING_SCHEME_DESIGNATOR: Tag = 0x00080102;
