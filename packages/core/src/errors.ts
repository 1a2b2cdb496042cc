/**
 * Typed errors with stable codes. Messages say what failed, where and what to do;
 * they never carry a header value (PHI).
 */
export const ERROR_CODES = {
  E_NOT_DICOM: 'not a DICOM file',
  E_TRUNCATED: 'file ends inside an element',
  E_BAD_ENCODING: 'malformed element encoding',
  E_TOO_DEEP: 'sequences nested too deep',
  E_UNSUPPORTED: 'unsupported encoding',
  E_QUARANTINED: 'quarantined',
  E_PATH_CONFLICT: 'output path conflict',
  E_MIXED_PATIENTS: 'folder holds several patients',
  E_OUTPUT_MISMATCH: 'output made with another configuration',
  E_OUTPUT_NOT_EMPTY: 'output folder holds files dcmblind did not write',
  E_ALREADY_WRITTEN: 'source already written to this output under another path',
  E_ZIP: 'bad zip archive',
  E_KEY_PASSPHRASE: 'wrong passphrase or damaged key file',
  E_KEY_FORMAT: 'not a dcmblind key file',
  E_KEY_EXISTS: 'key file already exists',
  E_KEY_LOCKED: 'key in use by another process',
  E_KEY_PROJECT: 'key of another project',
  E_KEY_CONFLICT: 'conflicting key records',
  E_KEY_NOT_FOUND: 'key file not found for an existing output',
  E_INTERRUPTED: 'interrupted by the user',
  E_USAGE: 'usage error',
  E_IO: 'input/output error',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export class DcmblindError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'DcmblindError';
  }
}

/**
 * Bytes that are plainly not DICOM (empty, or neither a DICM marker nor a plausible data set at
 * the start): a README or a PDF among the images. Whether that is a failure depends on the
 * file's name (see run/exclude.ts), so the run is told apart from damaged DICOM.
 */
export class NotDicomContent extends DcmblindError {
  constructor(message: string) {
    super('E_NOT_DICOM', message);
    this.name = 'NotDicomContent';
  }
}

/** A broken invariant inside dcmblind: a bug, never bad input. */
export class InternalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`internal error (please report): ${message}`, options);
    this.name = 'InternalError';
  }
}

/** Normalise anything thrown into a code and a PHI-free message for a per-file report. */
export function describeError(err: unknown): { code: ErrorCode | 'E_INTERNAL'; message: string } {
  if (err instanceof DcmblindError) return { code: err.code, message: err.message };
  if (
    err &&
    typeof err === 'object' &&
    'code' in err &&
    typeof (err as { code: unknown }).code === 'string'
  ) {
    const sys = err as NodeJS.ErrnoException;
    // System errors name the OS failure (ENOSPC, EACCES); their messages hold paths only.
    return { code: 'E_IO', message: `${sys.code}: ${sys.message}` };
  }
  const msg = err instanceof Error ? err.message : String(err);
  return { code: 'E_INTERNAL', message: msg };
}
