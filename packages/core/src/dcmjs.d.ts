// dcmjs ships no typings and @types/dcmjs does not exist; only what dcmblind uses is declared.
declare module 'dcmjs' {
  export const data: {
    DicomMetaDictionary: { dictionary: Record<string, unknown>; nameMap: Record<string, unknown> };
  };
}
