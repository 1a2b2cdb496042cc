/**
 * Region rules: device screens whose identity sits at a known place (a dose report's header, an
 * ultrasound's top band), as data — data/pixel-rules.json, converted from CTP's burned-in
 * annotation library (scripts/convert-pixel-rules.mjs), plus the user's own (`--pixel-rules
 * FILE`, the same format). A file that matches a rule is scanned whatever its class, and the
 * rule's rectangles are blanked in every frame, whether or not OCR reads anything there.
 * Attributes are read at the top level of the data set (and the file meta group), as CTP does:
 * text trimmed, binary numbers in decimal, several values as written (`ORIGINAL\PRIMARY`).
 */
import { readFileSync } from 'node:fs';
import type { Element, ParsedFile } from '../../dicom/reader.js';
import { latin1 } from '../../deid/text.js';
import { DcmblindError } from '../../errors.js';
import { coreFile } from '../../package-files.js';
import type { Box } from './frames.js';

/** How a rule compares an attribute with its value (CTP's methods). */
export const RULE_OPS = [
  'equals',
  'equalsIgnoreCase',
  'contains',
  'containsIgnoreCase',
  'startsWith',
  'startsWithIgnoreCase',
  'endsWith',
  'endsWithIgnoreCase',
] as const;
type Op = (typeof RULE_OPS)[number];

export type Condition =
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition }
  | { readonly tag: string; readonly keyword?: string; readonly op: Op; readonly value: string };

export interface RegionRule {
  readonly label?: string;
  readonly when: Condition;
  /** [x, y, width, height] in pixels of the frame. */
  readonly regions: readonly (readonly [number, number, number, number])[];
}

export const BUILT_IN_RULES = coreFile('data/pixel-rules.json');

/** Why a rules file is not usable, naming the rule and the field. */
function invalid(file: string, where: string, what: string): DcmblindError {
  return new DcmblindError('E_USAGE', `--pixel-rules ${file}: ${where}: ${what}`);
}

const CONDITION_KINDS = ['all', 'any', 'not', 'tag'] as const;
const TEST_FIELDS = new Set(['tag', 'keyword', 'op', 'value']);

function checkCondition(c: unknown, file: string, where: string): Condition {
  if (typeof c !== 'object' || c === null || Array.isArray(c))
    throw invalid(
      file,
      where,
      'a condition must be an object: {"all": [...]}, {"any": [...]}, {"not": {...}} or a test {"tag", "op", "value"}',
    );
  const o = c as Record<string, unknown>;
  const kinds = CONDITION_KINDS.filter((k) => k in o);
  if (kinds.length !== 1)
    throw invalid(
      file,
      where,
      kinds.length === 0
        ? `no "all", "any", "not" or "tag" (found ${
            Object.keys(o)
              .map((k) => `"${k}"`)
              .join(', ') || 'nothing'
          })`
        : `one of "all", "any", "not" or a test per condition, not ${kinds.map((k) => `"${k}"`).join(' and ')} together (nest them)`,
    );
  const kind = kinds[0] as (typeof CONDITION_KINDS)[number];
  if (kind === 'all' || kind === 'any') {
    const list = o[kind];
    if (!Array.isArray(list) || list.length === 0)
      throw invalid(file, where, `"${kind}" takes a list of at least one condition`);
    if (Object.keys(o).length > 1) throw invalid(file, where, `unknown field beside "${kind}"`);
    for (const [i, x] of list.entries()) checkCondition(x, file, `${where}.${kind}[${i}]`);
    return o as Condition;
  }
  if (kind === 'not') {
    if (Object.keys(o).length > 1) throw invalid(file, where, 'unknown field beside "not"');
    checkCondition(o.not, file, `${where}.not`);
    return o as Condition;
  }
  const unknown = Object.keys(o).filter((k) => !TEST_FIELDS.has(k));
  if (unknown.length) throw invalid(file, where, `unknown field ${unknown.map((k) => `"${k}"`).join(', ')}`);
  if (typeof o.tag !== 'string' || !/^[0-9A-Fa-f]{8}$/.test(o.tag))
    throw invalid(file, where, '"tag" must be 8 hexadecimal digits (ggggeeee), e.g. "00080070"');
  if (!RULE_OPS.includes(o.op as Op))
    throw invalid(file, where, `"op" must be one of ${RULE_OPS.join(', ')}`);
  if (typeof o.value !== 'string') throw invalid(file, where, '"value" must be a string');
  return o as Condition;
}

const RULE_FIELDS = new Set(['label', 'section', 'when', 'regions']);

/** The rules of a file in data/pixel-rules.json's format, checked; throws E_USAGE naming the problem. */
export function loadRules(file: string | URL): RegionRule[] {
  const name = file instanceof URL ? file.pathname : file;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw invalid(name, 'not readable as JSON', (e as Error).message);
  }
  const rules = (doc as { rules?: unknown }).rules;
  if (!Array.isArray(rules)) throw invalid(name, 'top level', 'expected {"rules": [...]}');
  return rules.map((r, i) => {
    const where = `rules[${i}]`;
    if (typeof r !== 'object' || r === null) throw invalid(name, where, 'a rule must be an object');
    const unknown = Object.keys(r).filter((k) => !RULE_FIELDS.has(k));
    if (unknown.length)
      throw invalid(
        name,
        where,
        `unknown field ${unknown.map((k) => `"${k}"`).join(', ')} (a rule has "label", "when", "regions")`,
      );
    const { when, regions } = r as { when?: unknown; regions?: unknown };
    checkCondition(when, name, `${where}.when`);
    if (
      !Array.isArray(regions) ||
      regions.length === 0 ||
      !regions.every(
        (x) => Array.isArray(x) && x.length === 4 && x.every((n) => Number.isInteger(n) && n >= 0),
      )
    )
      throw invalid(name, `${where}.regions`, 'expected [[x, y, width, height], ...] of whole numbers');
    return r as RegionRule;
  });
}

/** The tags a condition reads. */
function tagsOf(c: Condition, into: Set<number>): Set<number> {
  if ('all' in c) for (const x of c.all) tagsOf(x, into);
  else if ('any' in c) for (const x of c.any) tagsOf(x, into);
  else if ('not' in c) tagsOf(c.not, into);
  else into.add(Number.parseInt(c.tag, 16));
  return into;
}

/** The tags a rule set reads, found once per set (a run evaluates it on every file). */
const tagsCache = new WeakMap<readonly RegionRule[], ReadonlySet<number>>();
function tagsRead(rules: readonly RegionRule[]): ReadonlySet<number> {
  let t = tagsCache.get(rules);
  if (!t) tagsCache.set(rules, (t = rules.reduce((set, r) => tagsOf(r.when, set), new Set<number>())));
  return t;
}

/** An attribute's value as the rules compare it. */
function attributeValue(p: ParsedFile, el: Element): string {
  const inMeta = el.tag >>> 16 === 0x0002;
  const bytes = (inMeta ? p.file : p.data).subarray(el.valueStart, el.valueStart + el.valueLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = inMeta || p.encoding.littleEndian;
  if ((el.vr === 'US' || el.vr === 'SS') && bytes.length >= 2)
    return String(el.vr === 'US' ? view.getUint16(0, le) : view.getInt16(0, le));
  if ((el.vr === 'UL' || el.vr === 'SL') && bytes.length >= 4)
    return String(el.vr === 'UL' ? view.getUint32(0, le) : view.getInt32(0, le));
  return latin1(bytes)
    .replace(/[\0 ]+$/, '')
    .trim();
}

/** The values of the tags the rules read, from one pass over the file's top level and meta group. */
function valuesRead(p: ParsedFile, rules: readonly RegionRule[]): Map<number, string> {
  const wanted = tagsRead(rules);
  const values = new Map<number, string>();
  for (const el of [...p.meta, ...p.dataset])
    if (wanted.has(el.tag) && !el.items && !el.external) values.set(el.tag, attributeValue(p, el));
  return values;
}

function holds(c: Condition, values: ReadonlyMap<number, string>): boolean {
  if ('all' in c) return c.all.every((x) => holds(x, values));
  if ('any' in c) return c.any.some((x) => holds(x, values));
  if ('not' in c) return !holds(c.not, values);
  const v = values.get(Number.parseInt(c.tag, 16));
  if (v === undefined) return false;
  const fold = c.op.endsWith('IgnoreCase');
  const [a, b] = fold ? [v.toLowerCase(), c.value.toLowerCase()] : [v, c.value];
  if (c.op.startsWith('equals')) return a === b;
  if (c.op.startsWith('contains')) return a.includes(b);
  if (c.op.startsWith('startsWith')) return a.startsWith(b);
  return a.endsWith(b);
}

/** The rectangles of every rule the file matches, as boxes. */
export function regionsFor(p: ParsedFile, rules: readonly RegionRule[]): Box[] {
  const values = valuesRead(p, rules);
  return rules
    .filter((r) => holds(r.when, values))
    .flatMap((r) => r.regions.map(([x, y, w, h]) => ({ x0: x, y0: y, x1: x + w, y1: y + h })));
}
