/**
 * How an output's patient is named in a report (by pseudonym counts, patient checks): its
 * PatientID when that has the shape of a dcmblind pseudonym, else a hash. The reports leave the
 * site, and an output whose PatientID was never replaced (a tree that is not de-identified, a
 * recipe that kept it) would otherwise print the patient's real ID in them. A trial's subject IDs
 * (the subjects table of the recipe given with --recipe) are names the trial chose: shown.
 */
import type { ScanContext } from './facts.js';
import { valueHash } from './hashing.js';

/** Crockford base 32: the 16 characters of a pseudonym after its prefix (core identity/secret.ts). */
const BODY = '[0-9A-HJKMNP-TV-Z]{16}';
/** Without a manifest the prefix is unknown: a short printable one. */
const ANY_PREFIX = new RegExp(`^[\\x21-\\x7e]{0,24}${BODY}$`);

const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One pattern per prefix (a run has one): asked for every output file. */
const byPrefix = new Map<string, RegExp>();

export function looksLikePseudonym(id: string, prefix: string | undefined): boolean {
  if (prefix === undefined) return ANY_PREFIX.test(id);
  let re = byPrefix.get(prefix);
  if (!re) byPrefix.set(prefix, (re = new RegExp(`^${escaped(prefix)}${BODY}$`)));
  return re.test(id);
}

export function patientLabel(
  ctx: Pick<ScanContext, 'hashKey' | 'pseudonymPrefix' | 'subjectIds'>,
  id: string,
): string {
  if (id === '' || looksLikePseudonym(id, ctx.pseudonymPrefix) || ctx.subjectIds?.has(id)) return id;
  return `[not a pseudonym ${valueHash(ctx, id)}]`;
}
