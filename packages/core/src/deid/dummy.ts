/**
 * Dummy values for action D (PS3.15 E.1.1: "a non-zero length value that may be a dummy
 * value and consistent with the VR"). All ASCII, so valid in every character set.
 */
import type { VR } from '../dicom/vr.js';

const TEXT_DUMMY: Partial<Record<VR, string>> = {
  AE: 'ANONYMIZED',
  AS: '000D',
  CS: 'ANONYMIZED',
  DA: '19000101',
  DS: '0',
  DT: '19000101000000',
  IS: '0',
  LO: 'ANONYMIZED',
  LT: 'ANONYMIZED',
  PN: 'ANONYMIZED',
  SH: 'ANONYMIZED',
  ST: 'ANONYMIZED',
  TM: '000000',
  UC: 'ANONYMIZED',
  UR: 'ANONYMIZED',
  UT: 'ANONYMIZED',
};

const BINARY_SIZE: Partial<Record<VR, number>> = {
  AT: 4,
  FD: 8,
  FL: 4,
  OB: 2,
  OD: 8,
  OF: 4,
  OL: 4,
  OV: 8,
  OW: 2,
  SL: 4,
  SS: 2,
  SV: 8,
  UL: 4,
  US: 2,
  UV: 8,
};

/** Dummy bytes for a VR (UI and SQ never reach here: they are remapped or cleaned). */
export function dummyValue(vr: VR): Uint8Array | string {
  const t = TEXT_DUMMY[vr];
  if (t !== undefined) return t;
  return new Uint8Array(BINARY_SIZE[vr] ?? 0);
}
