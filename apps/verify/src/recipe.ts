/**
 * `--recipe`: the output judged against the project recipe that made it. What the recipe decided
 * for an attribute (kept, replaced, emptied, a dummy) is its choice, not the profile's: a
 * finding on that attribute — present where the profile removes it, or a source value where the
 * recipe keeps an identifier the operator allowed — is reported as `kept-by-recipe` (review),
 * naming the recipe's line. Everything else is
 * judged as without a recipe. The recipe must be the one that made the output (its hash, from
 * the output's manifest); a recipe's extra safe private entries join the table's.
 */
import { DcmblindError, keywordOf, loadRecipe, type Recipe, readManifest } from '@dcmblind/core';
import type { Finding } from './facts.js';

export interface RecipeCheck {
  readonly recipe: Recipe;
  /** Extra safe private entries, as the verifier's table keys them ("0019|CREATOR|0B" → VR). */
  readonly safeExtra: ReadonlyArray<[string, string]>;
}

/** The recipe given with --recipe, refused when the output was made with another (or none). */
export function recipeFor(file: string, output: string): RecipeCheck {
  const recipe = loadRecipe(file);
  const made = readManifest(output)?.recipe;
  if (made && made.sha256 !== recipe.sha256)
    throw new DcmblindError(
      'E_USAGE',
      `--recipe ${file} is not the recipe that made ${output} (that was ${made.name}, sha256 ${made.sha256.slice(0, 12)}…)`,
    );
  if (!made)
    throw new DcmblindError(
      'E_USAGE',
      `--recipe ${file}: ${output} was made without a recipe (its manifest names none)`,
    );
  const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
  return {
    recipe,
    safeExtra: recipe.safePrivate.map((s) => [`${hex(s.group, 4)}|${s.creator}|${hex(s.offset, 2)}`, s.vr]),
  };
}

/** A finding's element path as keywords, items' indexes dropped ("Seq[0].Attr" → ["Seq", "Attr"]). */
const steps = (path: string): string[] => path.split('.').map((s) => s.replace(/\[\d+\]$/, ''));

/** The recipe's action on the element at `path`, if it has one (its exact place first, then **). */
function actionAt(recipe: Recipe, path: string): Recipe['attributes'][number] | undefined {
  const at = steps(path);
  const name = (t: number) => keywordOf(t) ?? '';
  const exact = recipe.attributes.find(
    (a) => !a.anyDepth && [...a.within, a.tag].map(name).join('.') === at.join('.'),
  );
  return exact ?? recipe.attributes.find((a) => a.anyDepth && name(a.tag) === at[at.length - 1]);
}

/**
 * Findings on attributes the recipe decided, turned into review items that say so: the profile's
 * expectations (removed, emptied) on any of them, and a source value only where the recipe keeps
 * a direct identifier the operator allowed (--allow-identifying). A source value found in an
 * attribute the recipe merely keeps (a description, cleaned by the engine) stays a leak.
 */
export function applyRecipe(findings: readonly Finding[], recipe: Recipe): Finding[] {
  return findings.map((f) => {
    if (!f.element || f.element.startsWith('(')) return f;
    const a = actionAt(recipe, f.element);
    if (!a || a.action === 'remove') return f;
    const allowed = recipe.identifying.some((c) => c.startsWith(`line ${a.line}:`));
    if (f.severity === 'leak' && !allowed) return f;
    return {
      ...f,
      rule: 'kept-by-recipe',
      severity: 'review',
      detail: `${a.action} by the recipe ${recipe.name} (line ${a.line}: ${a.selector}) — ${f.rule}: ${f.detail}`,
    };
  });
}

/** Said once when the output names a recipe and none was given: its choices are judged as leaks. */
export function recipeNotGiven(output: string): Finding | undefined {
  const made = readManifest(output)?.recipe;
  if (!made) return undefined;
  return {
    rule: 'recipe-not-given',
    severity: 'review',
    file: '',
    element: '',
    detail: `the output was made with the recipe ${made.name} (sha256 ${made.sha256.slice(0, 12)}…): give it with --recipe to have what it keeps judged as its choice`,
  };
}
