/** @dcmblind/test-utils: fixture builders and cohort generators (synthetic data only). */
export {
  buildDicom,
  encodeElements,
  latin1Bytes,
  utf8,
  TS_UID,
  unSequence,
  type El,
  type Item,
  type Value,
  type Syntax,
  type BuildOptions,
} from './builder.js';
export {
  ctInstance,
  makeCohort,
  noise,
  patientOf,
  type CohortSpec,
  type SyntheticPatient,
} from './cohort.js';
export { PYDICOM_DIRS, pythonWith, pythonWithPydicom, realDicomFiles, checkerScript } from './real.js';
export { testDir } from './tmp.js';
export { MUTATIONS, mutate, Rng, type Mutation } from './fuzz.js';
