/**
 * A run's profile and options once its recipe has spoken: the recipe's profile (a different
 * --profile on the command line is refused, not silently overridden), its options added to the
 * command line's, and its date policy in place of the profile's date options; and whether each
 * replace fits its attribute once its templates are filled.
 */
import { lookup } from '../dicom/dictionary.js';
import { MAX_LENGTH } from '../dicom/vr.js';
import { DcmblindError } from '../errors.js';
import { OPTION_NAMES, type OptionName, resolveOptions } from '../profile/options.js';
import type { Recipe } from './load.js';
import { type DatePolicy, TEMPLATE, TRIAL_FIELDS } from './schema.js';

const DATE_OPTIONS: ReadonlySet<string> = new Set(['retain-long-modified-dates', 'retain-long-full-dates']);
const DATE_OPTION: Readonly<Record<DatePolicy, OptionName | undefined>> = {
  shift: 'retain-long-modified-dates',
  keep: 'retain-long-full-dates',
  remove: undefined,
};

export function settleProfile(
  recipe: Recipe,
  commandLine: {
    readonly profile: string;
    readonly profileGiven: boolean;
    readonly options: readonly string[];
  },
): { profile: string; options: OptionName[] } {
  const usage = (m: string) => new DcmblindError('E_USAGE', `recipe ${recipe.file}: ${m}`);
  let profile = commandLine.profile;
  if (recipe.profile !== undefined) {
    if (commandLine.profileGiven && commandLine.profile !== recipe.profile)
      throw usage(
        `it says profile ${recipe.profile} and the command line --profile ${commandLine.profile}: give one`,
      );
    profile = recipe.profile;
  }
  const asked = [...commandLine.options, ...recipe.options];
  if (recipe.dates === undefined) return { profile, options: resolveOptions(profile, asked) };
  if (profile === 'blinding' && recipe.dates !== 'remove')
    throw usage(`dates: ${recipe.dates} does not go with the blinding profile (its readers see no dates)`);
  // The recipe's date policy stands in for the profile's date option; an option asking otherwise
  // is a contradiction, said rather than settled silently.
  const want = DATE_OPTION[recipe.dates];
  const other = asked.filter((o) => DATE_OPTIONS.has(o) && o !== want);
  if (other.length > 0) throw usage(`dates: ${recipe.dates} and the option ${other.join(', ')} disagree`);
  const chosen = new Set<string>([
    ...resolveOptions(
      profile,
      asked.filter((o) => !DATE_OPTIONS.has(o)),
    ).filter((o) => !DATE_OPTIONS.has(o)),
    ...(want ? [want] : []),
  ]);
  return { profile, options: OPTION_NAMES.filter((o) => chosen.has(o)) };
}

/**
 * Every replace and clinical-trial value fits its VR's length once filled, the pseudonym being
 * up to `pseudonymLength` characters (a subject ID of the table, or prefix + 16).
 */
export function checkRecipeLengths(recipe: Recipe, pseudonymLength: number): void {
  const filled = (s: string) =>
    s.replace(TEMPLATE, (_, n: string) =>
      n === 'pseudonym' ? 'x'.repeat(pseudonymLength) : ((n === 'site' ? recipe.site : recipe.project) ?? ''),
    ).length;
  const values: Array<[string, number, string]> = [
    ...recipe.attributes.flatMap(
      (a): Array<[string, number, string]> =>
        a.value === undefined ? [] : [[a.value, a.tag, `${a.line}: ${a.selector}`]],
    ),
    ...Object.entries(recipe.clinicalTrial ?? {}).map(([k, v]): [string, number, string] => [
      v,
      TRIAL_FIELDS[k as keyof typeof TRIAL_FIELDS],
      `clinicalTrial.${k}`,
    ]),
  ];
  for (const [value, tag, where] of values) {
    const vr = lookup(tag)?.vr;
    const max = vr ? MAX_LENGTH[vr] : undefined;
    if (max !== undefined && filled(value) > max)
      throw new DcmblindError(
        'E_USAGE',
        `recipe ${recipe.file}${where.startsWith('clinicalTrial') ? `: ${where}` : `:${where}`}: "${value}" ${
          value.includes('{') ? 'once filled is up to' : 'is'
        } ${filled(value)} characters; ${vr} holds ${max}`,
      );
  }
}
