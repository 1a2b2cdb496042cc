/** Transfer syntaxes (PS3.5 §10, Annex A) reduced to how the data set is encoded. */
export interface Encoding {
  readonly explicit: boolean;
  readonly littleEndian: boolean;
}
export const IMPLICIT_LE: Encoding = Object.freeze({ explicit: false, littleEndian: true });
export const EXPLICIT_LE: Encoding = Object.freeze({ explicit: true, littleEndian: true });
export const EXPLICIT_BE: Encoding = Object.freeze({ explicit: true, littleEndian: false });

export const TS = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  DeflatedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
} as const;

export interface TransferSyntaxInfo {
  readonly uid: string;
  readonly encoding: Encoding;
  /** Data set after the meta group is raw deflate (PS3.5 §A.5). */
  readonly deflated: boolean;
  /** Pixel data is an encapsulated fragment sequence (PS3.5 §A.4). */
  readonly encapsulated: boolean;
}

/**
 * Every transfer syntax other than the three native ones and deflate is encapsulated
 * explicit VR little endian (PS3.5 §A.4); the pixel data passes through as bytes.
 */
export function transferSyntax(uid: string): TransferSyntaxInfo {
  switch (uid) {
    case TS.ImplicitVRLittleEndian:
      return { uid, encoding: IMPLICIT_LE, deflated: false, encapsulated: false };
    case TS.ExplicitVRLittleEndian:
      return { uid, encoding: EXPLICIT_LE, deflated: false, encapsulated: false };
    case TS.DeflatedExplicitVRLittleEndian:
      return { uid, encoding: EXPLICIT_LE, deflated: true, encapsulated: false };
    case TS.ExplicitVRBigEndian:
      return { uid, encoding: EXPLICIT_BE, deflated: false, encapsulated: false };
    default:
      return { uid, encoding: EXPLICIT_LE, deflated: false, encapsulated: true };
  }
}

export function isStandardUID(uid: string): boolean {
  return uid.startsWith('1.2.840.10008.');
}
