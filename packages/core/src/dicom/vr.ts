/**
 * Value Representations (PS3.5 §6.2) and the encoding facts the codec needs.
 */
export const VRS = [
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FD',
  'FL',
  'IS',
  'LO',
  'LT',
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'PN',
  'SH',
  'SL',
  'SQ',
  'SS',
  'ST',
  'SV',
  'TM',
  'UC',
  'UI',
  'UL',
  'UN',
  'UR',
  'US',
  'UT',
  'UV',
] as const;
export type VR = (typeof VRS)[number];

const VR_SET: ReadonlySet<string> = new Set(VRS);
export function isVR(s: string): s is VR {
  return VR_SET.has(s);
}

/** PS3.5 Table 7.1-1: VRs with a 2-byte reserved field and a 32-bit length in explicit VR. */
const LONG_LENGTH: ReadonlySet<VR> = new Set([
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'SQ',
  'SV',
  'UC',
  'UN',
  'UR',
  'UT',
  'UV',
]);
export function hasLongLength(vr: VR): boolean {
  return LONG_LENGTH.has(vr);
}

/** Character-string VRs whose bytes are text (PS3.5 §6.2). */
const TEXT: ReadonlySet<VR> = new Set([
  'AE',
  'AS',
  'CS',
  'DA',
  'DS',
  'DT',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'ST',
  'TM',
  'UC',
  'UI',
  'UR',
  'UT',
]);
export function isTextVR(vr: VR): boolean {
  return TEXT.has(vr);
}

/** Text VRs affected by SpecificCharacterSet (PS3.5 §6.1.2.3); the others are default repertoire. */
const CHARSET_TEXT: ReadonlySet<VR> = new Set(['LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);
export function usesCharset(vr: VR): boolean {
  return CHARSET_TEXT.has(vr);
}

/** Text VRs whose value is a single value, so a backslash is data, not a delimiter. */
const SINGLE_VALUED: ReadonlySet<VR> = new Set(['LT', 'ST', 'UT', 'UR']);
export function isMultiValuedText(vr: VR): boolean {
  return isTextVR(vr) && !SINGLE_VALUED.has(vr);
}

/** Maximum value length in bytes (characters for text) per PS3.5 Table 6.2-1, where it is fixed. */
export const MAX_LENGTH: Partial<Record<VR, number>> = {
  AE: 16,
  AS: 4,
  CS: 16,
  DA: 8,
  DS: 16,
  DT: 26,
  IS: 12,
  LO: 64,
  PN: 64,
  SH: 16,
  TM: 14,
  UI: 64,
};

/** Padding byte for an odd-length value: NUL for UI (and binary), space for text (PS3.5 §6.2). */
export function padByte(vr: VR): number {
  return vr === 'UI' || !isTextVR(vr) ? 0x00 : 0x20;
}
