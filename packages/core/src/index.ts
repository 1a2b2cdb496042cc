/** @dcmblind/core public API. */
export { DcmblindError, InternalError, describeError, ERROR_CODES, type ErrorCode } from './errors.js';
export { parseFile, type ParsedFile, type Element, type Item } from './dicom/reader.js';
export { formatTag, T, type Tag } from './dicom/tag.js';
export { ChunkList } from './dicom/writer.js';
export { ProjectSecret } from './identity/secret.js';
export { shiftDA, shiftDT, writtenForms } from './identity/dates.js';
export { compileProfile, resolveCombined, type CompiledProfile, type Action } from './profile/rules.js';
export { loadTable, TABLE_URL, type TableRow, type ActionCode, type OptionColumn } from './profile/table.js';
export { OPTIONS, OPTION_NAMES, PROFILES, PROFILE_NAMES, resolveOptions, type OptionName, type ProfileName } from './profile/options.js';
export { deidentify, patientKey, type DeidentifyConfig, type DeidentifyResult, type FileFacts } from './deid/deidentify.js';
export { ENGINE_VERSION, IMPLEMENTATION_CLASS_UID } from './version.js';
export { KeyStore, writeFileAtomic } from './key/store.js';
export type { KeyPayload, PatientRecord, FileRecord, RunRecord, JournalEntry } from './key/records.js';
export { runDeidentify, type RunConfig, type RunSummary, type FileOutcome } from './run/run.js';
export { countInputs } from './run/walk.js';
export { mirrorPath, outputPath, LAYOUTS, type Layout } from './run/layout.js';
export { STATE_DIR } from './run/output.js';
export { resolvePassphrase, type Ask } from './key/passphrase.js';
