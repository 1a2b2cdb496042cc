/** Engine identity: recorded in key records, outputs' DeidentificationMethod and the file meta. */
import { createHash } from 'node:crypto';

export const ENGINE_VERSION = '0.1.0';
export const IMPLEMENTATION_VERSION_NAME = `DCMBLIND_${ENGINE_VERSION}`.slice(0, 16);

/** A fixed 2.25 UID for dcmblind as an implementation (PS3.7 D.3.3.2). */
export const IMPLEMENTATION_CLASS_UID = (() => {
  const b = createHash('sha256').update('dcmblind implementation class').digest().subarray(0, 16);
  b[6] = ((b[6] as number) & 0x0f) | 0x80;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${b.toString('hex')}`).toString(10)}`;
})();
