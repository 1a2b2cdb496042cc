/** What one pass over a data set shares: the run's context, the bytes, and the rules it fired. */
import type { PixelPlan } from './pixels.js';
import type { CompiledRecipe } from '../recipe/compile.js';
import type { Tag } from '../dicom/tag.js';
import type { Element } from '../dicom/reader.js';
import type { Encoding } from '../dicom/transfer-syntax.js';
import { hasLongLength, type VR } from '../dicom/vr.js';
import { asciiBytes, padValue, type OutNode } from '../dicom/writer.js';
import type { ProjectSecret } from '../identity/secret.js';
import type { Action, CompiledProfile, Rule } from '../profile/rules.js';
import { InternalError } from '../errors.js';
import type { Lexicon } from '../scrub/lexicon.js';
import type { FirstPass } from './identifying.js';
import { valueBytes } from './text.js';

export interface PatientIdentity {
  /** The string the pseudonym and date offset derive from ("id\0<PatientID>", …). */
  readonly key: string;
  readonly pseudonym: string;
  readonly dateOffsetDays: number;
}

export interface EngineContext {
  readonly profile: CompiledProfile;
  readonly secret: ProjectSecret;
  readonly patient: PatientIdentity;
  readonly pseudonymPrefix: string;
  readonly first: FirstPass;
  /** The identifying values known for this file: its own and its patient's; the run's names. */
  readonly lexicons: readonly Lexicon[];
  readonly engineVersion: string;
  /** What replaces the file's encapsulated document (a placeholder PDF), when it has one. */
  readonly document?: Uint8Array;
  /** What changes in the top-level Pixel Data, when anything may. */
  readonly pixels?: PixelPlan;
  /** The project's recipe, when the run has one (recipe/compile.ts). */
  readonly recipe?: CompiledRecipe;
}

/** Counts of rules fired, by "ACTION source" (e.g. "X Patient's Address"), for reports. */
export type Fired = Map<string, number>;

export interface Walk {
  readonly ctx: EngineContext;
  readonly data: Uint8Array;
  /** Set when headers must be re-encoded (a data set in implicit VR under an explicit transfer syntax). */
  readonly transcode?: Encoding;
  readonly fired: Fired;
  /** Values decided before their element is reached (a capped age inside its content item). */
  readonly overrides: Map<Element, string>;
  /** The sequences enclosing the elements being walked, outermost first (a recipe's selectors). */
  readonly within: Tag[];
}

/**
 * The report lines of shared rules (compiled once per profile), per action, made once: a string
 * built per element is a new string to hash on every count. Rules resolved for one place (with
 * a `why`) are made per element, so their lines are too.
 */
const reportLines = new WeakMap<Rule, Map<Action, string>>();

function reportLine(rule: Rule, action: Action): string {
  if (rule.why) return `${action} ${rule.source} — ${rule.why}`;
  let byAction = reportLines.get(rule);
  if (!byAction) reportLines.set(rule, (byAction = new Map()));
  let k = byAction.get(action);
  if (k === undefined) byAction.set(action, (k = `${action} ${rule.source}`));
  return k;
}

export function fire(w: Walk, rule: Rule, action: Action = rule.action): void {
  const k = reportLine(rule, action);
  w.fired.set(k, (w.fired.get(k) ?? 0) + 1);
}

export function textNode(w: Walk, el: Element, vr: VR, s: string): OutNode {
  return {
    kind: 'value',
    tag: el.tag,
    vr: el.vr,
    enc: w.transcode ?? el.enc,
    value: padValue(vr, asciiBytes(s)),
  };
}

/** A kept element: its original bytes, or its original value under a re-encoded header. */
export function keep(w: Walk, el: Element, vr: VR): OutNode {
  if (el.end > w.data.length)
    throw new InternalError(`element ends at ${el.end}, past the ${w.data.length} bytes in memory`);
  if (!w.transcode) return { kind: 'raw', tag: el.tag, bytes: w.data.subarray(el.start, el.end) };
  // An explicit VR with a 16-bit length cannot hold a longer value: such values travel as UN.
  const outVR: VR = el.valueLength > 0xffff && !hasLongLength(vr) ? 'UN' : vr;
  return { kind: 'value', tag: el.tag, vr: outVR, enc: w.transcode, value: valueBytes(w.data, el) };
}
