/**
 * Cleaning steps a test may switch off, to prove that dcmblind-verify reports what each step
 * would have removed (issue 18: the verifier must never depend on the engine having done its
 * job). `DCMBLIND_TEST_SKIP=text,paths,bitstream,unused-bits,published` — never for real runs:
 * `dcmblind run` says on stderr, before anything is read, which steps are off.
 */

/** The steps that can be switched off, and what each leaves in place. */
export const SKIPPABLE = {
  text: 'identifying text in kept and cleaned attributes (Clean Descriptors, codes, free text)',
  paths: 'folder and file names that name a patient, an ID or a date',
  bitstream: 'APPn/COM segments and comments inside compressed pixel data',
  'unused-bits': 'bits outside Bits Stored/High Bit in native pixel data',
  published: 'public dates (context group and template versions) shifted with the patient dates',
} as const;

export type SkippableStep = keyof typeof SKIPPABLE;

const ENV = 'DCMBLIND_TEST_SKIP';

/** The steps switched off by the environment, read now. */
export function skippedSteps(): SkippableStep[] {
  const raw = process.env[ENV] ?? '';
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is SkippableStep => s in SKIPPABLE);
}

/**
 * Read once per thread (workers inherit the environment they start with): `process.env` is a
 * call into C++ each time, and this is asked for every element of every file.
 */
let switchedOff: ReadonlySet<SkippableStep> | undefined;

/** Whether a cleaning step is switched off for a test. */
export function skipped(step: SkippableStep): boolean {
  switchedOff ??= new Set(skippedSteps());
  return switchedOff.size > 0 && switchedOff.has(step);
}
