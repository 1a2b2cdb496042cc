/** Tags as unsigned 32-bit numbers: group in the high 16 bits (PS3.5 §7.1). */
export type Tag = number;

export function tag(group: number, element: number): Tag {
  return ((group << 16) | element) >>> 0;
}
export function groupOf(t: Tag): number {
  return t >>> 16;
}
export function elementOf(t: Tag): number {
  return t & 0xffff;
}
export function isPrivate(t: Tag): boolean {
  const g = groupOf(t);
  // Odd groups are private, except groups 0001, 0003, 0005, 0007 and FFFF which may not be used.
  return (g & 1) === 1 && g > 0x0008 && g !== 0xffff;
}
export function isGroupLength(t: Tag): boolean {
  return elementOf(t) === 0x0000;
}
/** "(0010,0010)" as the standard writes it. */
export function formatTag(t: Tag): string {
  const h = t.toString(16).toUpperCase().padStart(8, '0');
  return `(${h.slice(0, 4)},${h.slice(4)})`;
}
export function hex8(t: Tag): string {
  return t.toString(16).toUpperCase().padStart(8, '0');
}

/** Tags the codec itself needs. */
export const T = {
  FileMetaGroupLength: 0x00020000,
  FileMetaVersion: 0x00020001,
  MediaStorageSOPClassUID: 0x00020002,
  MediaStorageSOPInstanceUID: 0x00020003,
  TransferSyntaxUID: 0x00020010,
  ImplementationClassUID: 0x00020012,
  ImplementationVersionName: 0x00020013,
  SpecificCharacterSet: 0x00080005,
  SOPClassUID: 0x00080016,
  SOPInstanceUID: 0x00080018,
  StudyDate: 0x00080020,
  AccessionNumber: 0x00080050,
  Modality: 0x00080060,
  PatientName: 0x00100010,
  PatientID: 0x00100020,
  IssuerOfPatientID: 0x00100021,
  PatientBirthDate: 0x00100030,
  OtherPatientIDs: 0x00101000,
  ClinicalTrialSponsorName: 0x00120010,
  ClinicalTrialProtocolID: 0x00120020,
  ClinicalTrialProtocolName: 0x00120021,
  ClinicalTrialSiteID: 0x00120030,
  ClinicalTrialSiteName: 0x00120031,
  ClinicalTrialSubjectID: 0x00120040,
  ClinicalTrialTimePointID: 0x00120050,
  PatientIdentityRemoved: 0x00120062,
  DeidentificationMethod: 0x00120063,
  DeidentificationMethodCodeSequence: 0x00120064,
  StudyInstanceUID: 0x0020000d,
  SeriesInstanceUID: 0x0020000e,
  LossyImageCompression: 0x00282110,
  BurnedInAnnotation: 0x00280301,
  LongitudinalTemporalInformationModified: 0x00280303,
  CodeValue: 0x00080100,
  CodingSchemeDesignator: 0x00080102,
  CodeMeaning: 0x00080104,
  PixelData: 0x7fe00010,
  ExtendedOffsetTable: 0x7fe00001,
  ExtendedOffsetTableLengths: 0x7fe00002,
  FloatPixelData: 0x7fe00008,
  DoubleFloatPixelData: 0x7fe00009,
  Item: 0xfffee000,
  ItemDelimitation: 0xfffee00d,
  SequenceDelimitation: 0xfffee0dd,
  TrailingPadding: 0xfffcfffc,
} as const;
