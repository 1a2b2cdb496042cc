/** @dcmblind/core public API. */
export {
  DcmblindError,
  InternalError,
  NotDicomContent,
  describeError,
  ERROR_CODES,
  type ErrorCode,
} from './errors.js';
export {
  parseFile,
  parseHead,
  NeedWholeFile,
  type ParsedFile,
  type Element,
  type Item,
} from './dicom/reader.js';
export { readDicomFile } from './dicom/read-file.js';
export { formatTag, T, type Tag, isPrivate } from './dicom/tag.js';
export { schemeFor, decodeText, decodedString, type Scheme } from './dicom/charset.js';
export { dictionaryVR, keywordOf, namesAClass } from './dicom/dictionary.js';
export type { VR } from './dicom/vr.js';
export { ChunkList } from './dicom/writer.js';
export { comparablePixels, clearUnusedBits, type ComparablePixels } from './pixels/comparable.js';
export { ProjectSecret } from './identity/secret.js';
export { describeOffset, shiftDA, shiftDT, writtenForms } from './identity/dates.js';
export { compileProfile, resolveCombined, type CompiledProfile, type Action } from './profile/rules.js';
export { IOD_TYPES_URL, scopeOfClass, type Scope, type TypeCode } from './profile/iod.js';
export { textAttributeDecision, type TextDecision } from './profile/text-attributes.js';
export { shortFormsOf } from './scrub/nicknames.js';
export { WORD_NAMES } from './scrub/word-names.js';
export { SAFE_PRIVATE_URL } from './profile/safe-private.js';
export { loadRecipe, readSubjects, type Recipe } from './recipe/load.js';
export { parseRecipe, type RecipeBody, RECIPE_ACTIONS, TRIAL_FIELDS } from './recipe/schema.js';
export { parseSelector, type Selector } from './recipe/selector.js';
export { checkRecipeLengths, settleProfile } from './recipe/settle.js';
export { STARTER_RECIPE } from './recipe/starter.js';
export { loadTable, TABLE_URL, type TableRow, type ActionCode, type OptionColumn } from './profile/table.js';
export {
  OPTIONS,
  OPTION_NAMES,
  PROFILES,
  PROFILE_NAMES,
  resolveOptions,
  type OptionName,
  type ProfileName,
} from './profile/options.js';
export {
  deidentify,
  patientKey,
  type DeidentifyConfig,
  type DeidentifyResult,
  type FileFacts,
} from './deid/deidentify.js';
export { ENGINE_VERSION, IMPLEMENTATION_CLASS_UID } from './version.js';
export { KeyStore } from './key/store.js';
export { FileRecords } from './key/file-records.js';
export { writeFileAtomic } from './key/atomic.js';
export { MIN_PASSPHRASE } from './key/key-file.js';
export type {
  KeyPayload,
  PatientRecord,
  FileRecord,
  RunRecord,
  JournalEntry,
  AuditRecord,
  RemovedRecord,
} from './key/records.js';
export { recordOfOutput } from './key/records.js';
export {
  lookup,
  normalizeName,
  patientRows,
  fileRows,
  planMerge,
  type PatientRow,
  type LookupMatch,
  type MergePlan,
} from './key/custodian.js';
export { assertUnlocked, lockKey, lockPath } from './key/lock.js';
export { runDeidentify, type RunConfig, type RunSummary, type FileOutcome } from './run/run.js';
export { countInputs, looseDicomFile } from './run/walk.js';
export { mirrorPath, outputPath, LAYOUTS, type Layout } from './run/layout.js';
export { STATE_DIR } from './run/output.js';
export { configId, readManifest, type Manifest } from './run/manifest.js';
export { readOutputList } from './run/output-list.js';
export { inspectOutput, outputTreeOf, preflightOutput, type OutputState } from './run/output-state.js';
export { excluder, namedLikeDicom, OS_JUNK } from './run/exclude.js';
export { resolvePassphrase, terminalAsk, type Ask } from './key/passphrase.js';
export { ignoreClosedStdout } from './stdio.js';
export { boundHeapGrowth } from './heap.js';
export { SKIPPABLE, skippedSteps, type SkippableStep } from './testing/skip.js';
export { openZip, type ZipEntry } from './run/zip.js';
export { loadRules } from './pixels/text/rules.js';
export { frameOf, readingFrom, scanRequest, type ScanRequest } from './pixels/text/scan.js';
export { luminance, type Geometry } from './pixels/text/frames.js';
export { type PageWord, recognizePage, stopEngine } from './pixels/text/ocr-engine.js';
