/**
 * What the key tool says: results go to stdout (so they can be piped), everything else (progress,
 * warnings, counts of what was written) to stderr.
 */

/** One line of results on stdout. */
export const out = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

/** One line of news or warning on stderr. */
export const err = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

/** Said after every file that names patients (exports, unblinded sheets), each time. */
export function identifyingWarning(target: string): void {
  err(
    `warning: ${target} identifies patients. Keep it with the key, never with the de-identified data, ` +
      'and delete it when done.',
  );
}
