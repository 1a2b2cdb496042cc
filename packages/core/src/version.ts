/** Engine identity: recorded in key records, outputs' DeidentificationMethod and the file meta. */
import { createHash } from 'node:crypto';
import { uuidUID } from './identity/secret.js';

export const ENGINE_VERSION = '0.3.5';
export const IMPLEMENTATION_VERSION_NAME = `DCMBLIND_${ENGINE_VERSION}`.slice(0, 16);

/** A fixed 2.25 UID for dcmblind as an implementation (PS3.7 D.3.3.2). */
export const IMPLEMENTATION_CLASS_UID = uuidUID(
  createHash('sha256').update('dcmblind implementation class').digest(),
);
