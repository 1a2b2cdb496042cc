/**
 * A recipe as the engine uses it, in each worker thread: each attribute action as a rule found by
 * where the element stands (its enclosing sequences), the extra safe private entries, the
 * clinical-trial values and the subjects table.
 */
import { basename } from 'node:path';
import { lookup } from '../dicom/dictionary.js';
import type { Tag } from '../dicom/tag.js';
import type { VR } from '../dicom/vr.js';
import type { Rule } from '../profile/rules.js';
import { safeKey } from '../profile/safe-private.js';
import type { Recipe } from './load.js';
import { type AttributeAction, type ClinicalTrial, TEMPLATE } from './schema.js';

export interface CompiledRecipe {
  readonly name: string;
  readonly sha256: string;
  /** The recipe's rule for `tag` inside the sequences `within` (outermost first), if it has one. */
  ruleAt(within: readonly Tag[], tag: Tag): Rule | undefined;
  /** Extra safe private entries: safeKey(group, creator, offset) → VR. */
  readonly safePrivate: ReadonlyMap<string, VR>;
  readonly clinicalTrial?: ClinicalTrial;
  /** Source PatientID → subject ID (the subjects table), and the table's file name. */
  readonly subjects?: ReadonlyMap<string, string>;
  readonly subjectsFile?: string;
  /** The recipe keeps a direct identifier (allowed by --allow-identifying): identity not removed. */
  readonly keepsIdentity: boolean;
  /** A replace value or clinical-trial value with its templates filled. */
  expand(template: string, pseudonym: string): string;
}

/** Free text a person may type a name into: kept, but cleaned of the cohort's known values. */
const TYPED: ReadonlySet<VR> = new Set(['LO', 'SH', 'ST', 'LT', 'UT', 'UC', 'PN']);

/**
 * The rule an action becomes: removals and emptying go by the attribute's Type (resolve.ts). A
 * kept text value is kept but cleaned as the profile's C cleans free text (a name or a date of
 * birth typed into a description still goes), unless the keep is an identifying choice the
 * operator allowed: then it stays as it is.
 */
function ruleOf(a: AttributeAction, recipe: string, allowed: boolean): Rule {
  const source = `Recipe ${recipe}: ${a.selector}`;
  switch (a.action) {
    case 'keep': {
      const vr = lookup(a.tag)?.vr;
      if (!allowed && vr && TYPED.has(vr)) return { action: 'C', source, recipe: true };
      return { action: 'K', source, recipe: true };
    }
    case 'remove':
      // X unless the IOD needs the attribute present (Type 2: emptied) or valued (Type 1: dummy).
      return { action: 'X', code: 'X/Z/D', source, recipe: true };
    case 'empty':
      return { action: 'Z', code: 'Z/D', source, recipe: true };
    case 'dummy':
      return { action: 'D', source, recipe: true };
    case 'replace':
      return { action: 'D', source, recipe: true, replace: a.value as string };
  }
}

const pathKey = (within: readonly Tag[], tag: Tag): string => [...within, tag].join('/');

export function compileRecipe(recipe: Recipe): CompiledRecipe {
  const exact = new Map<string, Rule>();
  const anywhere = new Map<Tag, Rule>();
  for (const a of recipe.attributes) {
    const rule = ruleOf(
      a,
      recipe.name,
      recipe.identifying.some((c) => c.startsWith(`line ${a.line}:`)),
    );
    if (a.anyDepth) anywhere.set(a.tag, rule);
    else exact.set(pathKey(a.within, a.tag), rule);
  }
  const exactTags = new Set(recipe.attributes.filter((a) => !a.anyDepth).map((a) => a.tag));
  const safePrivate = new Map<string, VR>(
    recipe.safePrivate.map((s) => [safeKey(s.group, s.creator, s.offset), s.vr]),
  );
  const fills = { site: recipe.site ?? '', project: recipe.project ?? '' };
  return {
    name: recipe.name,
    sha256: recipe.sha256,
    // Asked for every element of every file: the place's key is built only when some rule names
    // this tag at a place.
    ruleAt(within, tag) {
      return (exactTags.has(tag) ? exact.get(pathKey(within, tag)) : undefined) ?? anywhere.get(tag);
    },
    safePrivate,
    keepsIdentity: recipe.identifying.length > 0,
    ...(recipe.clinicalTrial ? { clinicalTrial: recipe.clinicalTrial } : {}),
    ...(recipe.subjectsTable
      ? { subjects: recipe.subjectsTable.byPatientId, subjectsFile: basename(recipe.subjectsTable.file) }
      : {}),
    expand(template, pseudonym) {
      return template.replace(TEMPLATE, (_, name: string) =>
        name === 'pseudonym' ? pseudonym : fills[name as 'site' | 'project'],
      );
    },
  };
}
