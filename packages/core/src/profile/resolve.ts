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
function plain(action: Action, type: TypeCode): Action {
  if (action === 'X') return NEEDS_VALUE.has(type) ? 'D' : MUST_BE_PRESENT.has(type) ? 'Z' : 'X';
  if (action === 'Z') {
    if (NEEDS_VALUE.has(type)) return 'D';
    // Type 3 may be absent: removed, as PS3.15 E.1.1 asks ("X unless Z is needed"), and a Type 3
    // sequence must not be left with zero items.
    if (type === '3') return 'X';
  }
  return action;
}

/** The rule for an attribute whose IOD type is `typed` (unchanged when unknown or already right). */
export function resolveByType(rule: Rule, typed: Typed | undefined): Rule {
  if (!typed) return rule.code ? unknownType(rule, rule.code) : rule;
  const action = rule.code ? combined(rule.code, typed.type) : plain(rule.action, typed.type);
  if (action === rule.action && !rule.code) return rule;
  const from = rule.code ?? rule.action;
  return { action, source: rule.source, why: `${from} → ${action}: Type ${typed.type} in ${typed.where}` };
}

const UNKNOWN = new Map<string, Rule>();

/** A combined code where the Type is unknown: its fallback (valid in any IOD), said as such. */
function unknownType(rule: Rule, code: NonNullable<Rule['code']>): Rule {
  const k = `${code}|${rule.source}`;
  let r = UNKNOWN.get(k);
  if (!r) {
    const why =
      `${code} → ${rule.action}: Type unknown here (no module of this IOD lists it), ` +
      'the variant valid in any IOD';
    r = { ...rule, why };
    UNKNOWN.set(k, r);
  }
  return r;
}
