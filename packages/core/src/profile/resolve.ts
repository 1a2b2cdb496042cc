/**
 * What an action becomes once the attribute's Type in its IOD is known (PS3.15 E.1.1: "X unless
 * Z is needed to stay conformant", Type 2 → Z, Type 1 → D). A combined code takes the variant
 * its Type requires; a plain removal or emptying that would leave the object invalid is raised
 * to what the Type requires (a Type 1 attribute gets a dummy, a Type 2 one stays, empty); a
 * Type 3 sequence is removed rather than left with zero items. Where the Type is unknown the
 * rule's own (conservative) action stands. A dummy never carries a source value.
 */
import type { Typed, TypeCode } from './iod.js';
import type { Action, Rule } from './rules.js';

const NEEDS_VALUE: ReadonlySet<TypeCode> = new Set(['1', '1C']);
const MUST_BE_PRESENT: ReadonlySet<TypeCode> = new Set(['2', '2C']);

/** The variant of a combined code that a Type requires. */
function combined(code: NonNullable<Rule['code']>, type: TypeCode): Action {
  const value = NEEDS_VALUE.has(type);
  const present = MUST_BE_PRESENT.has(type);
  switch (code) {
    case 'X/Z':
      return value ? 'D' : present ? 'Z' : 'X';
    case 'X/D':
      // The table assumes Type 1 or 3; where an IOD has it as Type 2, it stays, empty.
      return value ? 'D' : present ? 'Z' : 'X';
    case 'X/Z/D':
      return value ? 'D' : present ? 'Z' : 'X';
    case 'Z/D':
      return value ? 'D' : 'Z';
    case 'X/Z/U*':
      return value || present ? 'U' : 'X';
    default:
      return code;
  }
}

/** A plain X or Z that the Type does not allow, raised; anything else as it is. */
function plain(action: Action, type: TypeCode, sequence: boolean): Action {
  if (action === 'X') return NEEDS_VALUE.has(type) ? 'D' : MUST_BE_PRESENT.has(type) ? 'Z' : 'X';
  if (action === 'Z') {
    if (NEEDS_VALUE.has(type)) return 'D';
    // A Type 3 sequence may be absent, not present with zero items.
    if (sequence && type === '3') return 'X';
  }
  return action;
}

/** The rule for an attribute whose IOD type is `typed` (unchanged when unknown or already right). */
export function resolveByType(rule: Rule, typed: Typed | undefined, sequence: boolean): Rule {
  if (!typed) return rule;
  const action = rule.code ? combined(rule.code, typed.type) : plain(rule.action, typed.type, sequence);
  if (action === rule.action && !rule.code) return rule;
  const from = rule.code ?? rule.action;
  return { action, source: rule.source, why: `${from} → ${action}: Type ${typed.type} in ${typed.where}` };
}
