/**
 * A project recipe (YAML or JSON; JSON is YAML): what a project keeps, removes or replaces beyond
 * the profile, extra safe private elements, the date policy, the profile and options, and the
 * clinical-trial attributes every file is tagged with. Parsed and validated here; every error
 * names the recipe's file and line. The format is documented in the README and in the starter
 * recipe `dcmblind recipe init` writes (starter.ts).
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import { lookup } from '../dicom/dictionary.js';
import { formatTag, T, type Tag } from '../dicom/tag.js';
import { isTextVR, isVR, type VR } from '../dicom/vr.js';
import { DcmblindError } from '../errors.js';
import { isOptionName, type OptionName, PROFILE_NAMES } from '../profile/options.js';
import { parseSelector, type Selector } from './selector.js';

export type RecipeAction = 'keep' | 'remove' | 'empty' | 'dummy' | 'replace';
export const RECIPE_ACTIONS: readonly RecipeAction[] = ['keep', 'remove', 'empty', 'dummy', 'replace'];

export interface AttributeAction extends Selector {
  /** As the recipe wrote it. */
  readonly selector: string;
  readonly action: RecipeAction;
  /** replace: a literal or a template with {pseudonym}, {site}, {project}. */
  readonly value?: string;
  readonly line: number;
}

export interface SafePrivateExtra {
  readonly group: number;
  readonly creator: string;
  readonly offset: number;
  readonly vr: VR;
  readonly line: number;
}

export const TRIAL_FIELDS = {
  sponsorName: T.ClinicalTrialSponsorName,
  protocolId: T.ClinicalTrialProtocolID,
  protocolName: T.ClinicalTrialProtocolName,
  siteId: T.ClinicalTrialSiteID,
  siteName: T.ClinicalTrialSiteName,
  subjectId: T.ClinicalTrialSubjectID,
  timePointId: T.ClinicalTrialTimePointID,
} as const;
export type TrialField = keyof typeof TRIAL_FIELDS;
export type ClinicalTrial = Readonly<Partial<Record<TrialField, string>>>;

export type DatePolicy = 'shift' | 'remove' | 'keep';

export interface RecipeBody {
  readonly profile?: string;
  readonly options: readonly OptionName[];
  readonly dates?: DatePolicy;
  readonly project?: string;
  readonly site?: string;
  readonly attributes: readonly AttributeAction[];
  readonly safePrivate: readonly SafePrivateExtra[];
  readonly clinicalTrial?: ClinicalTrial;
  /** The subjects table's path as the recipe gives it (relative to the recipe's folder). */
  readonly subjects?: string;
}

const TOP_KEYS = [
  'format',
  'profile',
  'options',
  'dates',
  'project',
  'site',
  'attributes',
  'safePrivate',
  'clinicalTrial',
  'subjects',
] as const;

/** VRs a replace may write: character strings a template can fill, but UIDs and URLs. */
const replaceable = (vr: VR): boolean => isTextVR(vr) && vr !== 'UI' && vr !== 'UR';
export const TEMPLATE = /\{(pseudonym|site|project)\}/g;
const ANY_BRACE = /\{([^}]*)\}/g;

/** Attributes dcmblind writes itself (markers, the instance's identity, pixels): not a recipe's. */
const WRITTEN_BY_DCMBLIND: ReadonlySet<Tag> = new Set([
  T.PatientIdentityRemoved,
  T.DeidentificationMethod,
  T.DeidentificationMethodCodeSequence,
  T.LongitudinalTemporalInformationModified,
  T.PixelData,
  T.SOPClassUID,
  T.SOPInstanceUID,
  T.SpecificCharacterSet,
]);

/** Identity attributes a literal would give every patient alike (their files mixed up). */
const PER_PATIENT: ReadonlySet<Tag> = new Set([T.PatientID, T.PatientName, T.OtherPatientIDs]);

/** What a replace in a VR of fixed form must look like once filled ({pseudonym} cannot). */
const FORM: Partial<Record<VR, RegExp>> = {
  DA: /^\d{8}$/,
  DT: /^\d{4,14}(\.\d{1,6})?([+-]\d{4})?$/,
  TM: /^\d{2,6}(\.\d{1,6})?$/,
  DS: /^ *[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)? *$/,
  IS: /^ *[+-]?\d+ *$/,
  AS: /^\d{3}[DWMY]$/,
  CS: /^[A-Z0-9 _]*$/,
};

/** Replaces in a VR of fixed form, checked once {site} and {project} are known. */
interface PendingForm {
  readonly node: Node;
  readonly selector: string;
  readonly vr: VR;
  readonly form: RegExp;
  readonly value: string;
}

class Reader {
  readonly lines = new LineCounter();
  constructor(readonly file: string) {}
  lineOf(node: Node | null | undefined): number {
    const at = node?.range?.[0];
    return at === undefined ? 1 : this.lines.linePos(at).line;
  }
  fail(node: Node | null | undefined, message: string): never {
    throw new DcmblindError('E_USAGE', `recipe ${this.file}:${this.lineOf(node)}: ${message}`);
  }
  text(node: Node | null | undefined, what: string): string {
    if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number'))
      this.fail(node, `${what} must be text`);
    return String(node.value);
  }
}

export function parseRecipe(source: string, file: string): RecipeBody {
  const r: Reader = new Reader(file);
  const doc = parseDocument(source, { lineCounter: r.lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e ? r.lines.linePos(e.pos[0]).line : 1;
    throw new DcmblindError('E_USAGE', `recipe ${file}:${line}: ${e?.message.split('\n')[0] ?? 'not YAML'}`);
  }
  const top = doc.contents;
  if (!isMap(top)) r.fail(top, 'a recipe is a mapping of keys (format, profile, options, attributes, …)');
  const got = new Map<string, Node>();
  for (const pair of top.items) {
    const key = r.text(pair.key as Node, 'a key');
    if (!(TOP_KEYS as readonly string[]).includes(key))
      r.fail(pair.key as Node, `unknown key "${key}" (known: ${TOP_KEYS.join(', ')})`);
    got.set(key, pair.value as Node);
  }
  const format = got.get('format');
  if (!format || r.text(format, 'format') !== '1')
    r.fail(format ?? top, 'say "format: 1" (the recipe format this version reads)');
  const body: {
    -readonly [K in keyof RecipeBody]: RecipeBody[K];
  } = { options: [], attributes: [], safePrivate: [] };
  const profile = got.get('profile');
  if (profile) {
    const p = r.text(profile, 'profile');
    if (!(PROFILE_NAMES as readonly string[]).includes(p))
      r.fail(profile, `unknown profile "${p}" (known: ${PROFILE_NAMES.join(', ')})`);
    body.profile = p;
  }
  body.options = options(r, got.get('options'));
  const dates = got.get('dates');
  if (dates) {
    const d = r.text(dates, 'dates');
    if (d !== 'shift' && d !== 'remove' && d !== 'keep')
      r.fail(dates, `dates: shift, remove or keep, not "${d}"`);
    body.dates = d;
  }
  for (const k of ['project', 'site', 'subjects'] as const) {
    const n = got.get(k);
    if (n) body[k] = r.text(n, k);
  }
  const forms: PendingForm[] = [];
  body.attributes = attributes(r, got.get('attributes'), forms);
  body.safePrivate = safePrivate(r, got.get('safePrivate'));
  const trial = got.get('clinicalTrial');
  if (trial) body.clinicalTrial = clinicalTrial(r, trial);
  checkTemplates(r, body, doc.contents as YAMLMap);
  for (const f of forms) {
    const filled = f.value.replace(TEMPLATE, (_, n: string) =>
      n === 'site' ? (body.site ?? '') : (body.project ?? ''),
    );
    if (!f.form.test(filled))
      r.fail(f.node, `${f.selector} (${f.vr}): "${filled}" is not a valid ${f.vr} value`);
  }
  return body;
}

function options(r: Reader, node: Node | undefined): OptionName[] {
  if (!node) return [];
  if (!isSeq(node)) r.fail(node, 'options is a list: [retain-safe-private, clean-descriptors]');
  return node.items.map((n) => {
    const o = r.text(n as Node, 'an option');
    if (!isOptionName(o)) r.fail(n as Node, `unknown option "${o}"`);
    return o;
  });
}

function attributes(r: Reader, node: Node | undefined, forms: PendingForm[]): AttributeAction[] {
  if (!node) return [];
  if (!isMap(node)) r.fail(node, 'attributes maps an attribute to an action: "StudyDescription: keep"');
  const out: AttributeAction[] = [];
  for (const pair of node.items) {
    const keyNode = pair.key as Node;
    const selector = r.text(keyNode, 'an attribute');
    const where = parseSelector(selector);
    if (typeof where === 'string') r.fail(keyNode, where);
    if (WRITTEN_BY_DCMBLIND.has(where.tag))
      r.fail(
        keyNode,
        `${selector} is written by dcmblind (markers, the instance's identity, pixels): not a recipe's`,
      );
    if ((where.tag & 0xffff) === 0) r.fail(keyNode, `${selector} is a group length, which dcmblind removes`);
    const group = where.tag >>> 16;
    if ((group & 0xff00) === 0x6000 || (group & 0xff00) === 0x5000)
      r.fail(
        keyNode,
        `${selector}: overlays and curves go as whole groups (--option clean-graphics keeps them)`,
      );
    if ((Object.values(TRIAL_FIELDS) as Tag[]).includes(where.tag))
      r.fail(keyNode, `${selector}: clinical-trial attributes are given in the clinicalTrial block`);
    const v = pair.value as Node;
    const line = r.lineOf(keyNode);
    let action: AttributeAction;
    if (isMap(v)) {
      const [only, ...more] = v.items;
      if (!only || more.length > 0 || r.text(only.key as Node, 'an action') !== 'replace')
        r.fail(v, 'an action is keep, remove, empty, dummy, or {replace: "text"}');
      action = { ...where, selector, action: 'replace', value: r.text(only.value as Node, 'replace'), line };
      const vr = lookup(where.tag)?.vr;
      if (!vr || !replaceable(vr))
        r.fail(
          v,
          `${selector} (${vr ?? 'unknown VR'}) cannot be replaced by text; keep, remove, empty or dummy it`,
        );
      const form = FORM[vr];
      if (form && action.value?.includes('{pseudonym}'))
        r.fail(v, `${selector} (${vr}) cannot hold {pseudonym}`);
      if (PER_PATIENT.has(where.tag) && !action.value?.includes('{pseudonym}'))
        r.fail(
          v,
          `${selector}: a replace without {pseudonym} would give every patient the same value (their files mixed up)`,
        );
      if (form) forms.push({ node: v, selector, vr, form, value: action.value as string });
    } else {
      const a = r.text(v, 'an action');
      if (a === 'replace') r.fail(v, 'replace needs its text: {replace: "{site}"}');
      if (!(RECIPE_ACTIONS as readonly string[]).includes(a))
        r.fail(v, `unknown action "${a}" (keep, remove, empty, dummy, {replace: "…"})`);
      action = { ...where, selector, action: a as RecipeAction, line };
    }
    const same = out.find(
      (o) =>
        o.tag === action.tag &&
        o.anyDepth === action.anyDepth &&
        o.within.join('/') === action.within.join('/'),
    );
    if (same)
      r.fail(keyNode, `${selector} is the attribute of line ${same.line} (${same.selector}): give it once`);
    out.push(action);
  }
  return out;
}

function safePrivate(r: Reader, node: Node | undefined): SafePrivateExtra[] {
  if (!node) return [];
  if (!isSeq(node)) r.fail(node, 'safePrivate is a list of {group, creator, offset, vr}');
  return node.items.map((n) => {
    if (!isMap(n))
      r.fail(n as Node, 'an entry is {group: "0019", creator: "SIEMENS MR HEADER", offset: "0C", vr: IS}');
    const field = (k: string) => {
      const v = n.get(k, true) as Node | undefined;
      if (v === undefined) r.fail(n, `the entry needs ${k}`);
      return r.text(v, k);
    };
    for (const p of n.items) {
      const k = r.text(p.key as Node, 'a key');
      if (!['group', 'creator', 'offset', 'vr'].includes(k))
        r.fail(p.key as Node, `unknown key "${k}" in a safePrivate entry`);
    }
    const group = field('group');
    const offset = field('offset');
    const vr = field('vr');
    if (!/^[0-9A-Fa-f]{3}[13579BDFbdf]$/.test(group))
      r.fail(n, `group "${group}" is not an odd (private) group of four hex digits`);
    if (!/^[0-9A-Fa-f]{2}$/.test(offset))
      r.fail(n, `offset "${offset}" is not two hex digits (the xx of (0019,xx0C) is the block)`);
    if (!isVR(vr) || vr === 'UN') r.fail(n, `vr "${vr}" is not a DICOM VR`);
    const creator = field('creator');
    if (creator.trim() === '') r.fail(n, 'creator is empty');
    return { group: parseInt(group, 16), creator, offset: parseInt(offset, 16), vr, line: r.lineOf(n) };
  });
}

function clinicalTrial(r: Reader, node: Node): ClinicalTrial {
  if (!isMap(node)) r.fail(node, 'clinicalTrial maps fields (sponsorName, protocolId, …) to text');
  const out: Partial<Record<TrialField, string>> = {};
  for (const p of node.items) {
    const k = r.text(p.key as Node, 'a field');
    if (!Object.hasOwn(TRIAL_FIELDS, k))
      r.fail(
        p.key as Node,
        `unknown clinical-trial field "${k}" (known: ${Object.keys(TRIAL_FIELDS).join(', ')})`,
      );
    const v = r.text(p.value as Node, k);
    const vr = lookup(TRIAL_FIELDS[k as TrialField])?.vr;
    if (vr === 'LO' && v.replace(TEMPLATE, '').length > 64)
      r.fail(p.value as Node, `${k} is longer than 64 characters`);
    out[k as TrialField] = v;
  }
  // ClinicalTrialSponsorName and ProtocolID are Type 1 in the Clinical Trial Subject Module.
  for (const k of ['sponsorName', 'protocolId'] as const)
    if (!out[k]?.trim())
      r.fail(node, `clinicalTrial needs ${k} (Type 1 in the Clinical Trial Subject Module)`);
  return { subjectId: '{pseudonym}', ...out };
}

/** Every {…} is a known template, and {site}/{project} are given when used. */
function checkTemplates(r: Reader, body: RecipeBody, top: YAMLMap): void {
  const texts: Array<[string, string]> = [
    ...body.attributes.flatMap(
      (a): Array<[string, string]> => (a.value === undefined ? [] : [[a.value, 'attributes']]),
    ),
    ...Object.values(body.clinicalTrial ?? {}).map((v): [string, string] => [v, 'clinicalTrial']),
  ];
  for (const [text, key] of texts)
    for (const m of text.matchAll(ANY_BRACE)) {
      const name = m[1] as string;
      const node = top.get(key, true) as Node | undefined;
      if (!['pseudonym', 'site', 'project'].includes(name))
        r.fail(node, `unknown template {${name}} in "${text}" (known: {pseudonym}, {site}, {project})`);
      if ((name === 'site' || name === 'project') && body[name] === undefined)
        r.fail(node, `"${text}" uses {${name}}: give ${name}: at the recipe's top`);
    }
}

/** A tag for messages: its keyword when it has one. */
export const named = (t: Tag): string => lookup(t)?.keyword ?? formatTag(t);
