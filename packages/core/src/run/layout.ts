/**
 * Output paths. The mirror layout keeps the input's relative path, except that a path
 * component holding an identifying value of the file (PatientID, any name token in any case
 * or separator, accession number, a date in a written form, a UID, …) is replaced: by the
 * pseudonym when it names the patient, otherwise by a keyed label that is the same for every
 * file under that folder and says nothing about the source.
 */
import type { FileFacts } from '../deid/deidentify.js';
import { type FirstPass, type IdentifyingValue, valuesId } from '../deid/identifying.js';
import { Recent } from '../deid/recent.js';
import type { ProjectSecret } from '../identity/secret.js';
import { dateEdits } from '../scrub/dates.js';
import { uidEdits } from '../scrub/numbers.js';
import { fold } from '../scrub/fold.js';
import { type Lexicon, phrasesOnly } from '../scrub/lexicon.js';
import { objectId } from '../scrub/object-id.js';
import { lexiconEdits } from '../scrub/lexicon-match.js';
import { NOT_INITIALS } from '../scrub/not-initials.js';
import {
  type ComponentForms,
  componentForms,
  dateDigitForms,
  idDigits,
  initialsOf,
  sameDate,
  valueForms,
} from './path-match.js';
import { skipped } from '../testing/skip.js';

type Verdict = 'patient' | 'identifying' | 'clean';

/** One value's forms; `word`: short forms that count only as a whole word of the component. */
interface Needle {
  readonly forms: readonly string[];
  readonly word: boolean;
}

function needle(value: string): Needle | undefined {
  const forms = valueForms(value, 2);
  if (forms.length === 0) return undefined;
  return { forms, word: forms.every((f) => f.length <= 2) };
}

function hits(c: ComponentForms, n: Needle): boolean {
  if (n.word) return n.forms.some((f) => c.words.includes(f));
  return n.forms.some((f) => f.length >= 3 && c.folded.some((x) => x.includes(f)));
}

/** What a file's path components are compared with (the patient's own values apart). */
interface PathNeedles {
  readonly patient: readonly Needle[];
  readonly patientDigits: ReadonlySet<string>;
  /** The patient's initials (`J.S.`, `JS`): a component of them with dots names the patient. */
  readonly initials: ReadonlySet<string>;
  readonly other: readonly Needle[];
  readonly otherDigits: ReadonlySet<string>;
  /** The file's dates (YYYYMMDD). */
  readonly dates: readonly string[];
}

const sharedNeedles = new Recent<PathNeedles>();

/** What a file shares with the other files of its series: needles of everything but its UIDs. */
function sharedNeedlesOf(first: FirstPass): PathNeedles {
  const who = JSON.stringify([first.patientTokens, first.identity.patientId, first.patientNames]);
  const key = `${valuesId(first.values)} ${who}`;
  return sharedNeedles.get(key, () =>
    makeNeedles(
      first,
      first.values.filter((v) => v.category !== 'uid'),
    ),
  );
}

/** Needles of the file's own UIDs (the header pass, asking only for the patient, needs none). */
function uidNeedlesOf(first: FirstPass): Needle[] {
  return first.values.flatMap((v) => {
    const n = v.category === 'uid' ? needle(v.text) : undefined;
    return n ? [n] : [];
  });
}

function makeNeedles(first: FirstPass, values: readonly IdentifyingValue[]): PathNeedles {
  const patient = [...first.patientTokens].map(needle).filter((n): n is Needle => n !== undefined);
  const patientDigits = new Set(idDigits(first.identity.patientId));
  const initials = new Set(first.patientNames.flatMap((pn) => pn.split('\\').flatMap(initialsOf)));
  const other: Needle[] = [];
  const otherDigits = new Set<string>();
  const dates: string[] = [];
  for (const v of values) {
    if (v.category === 'date') {
      // Its first written form is YYYYMMDD: every digit form people put in a name.
      if (/^\d{8}$/.test(v.text)) {
        dates.push(v.text);
        for (const d of dateDigitForms(v.text)) otherDigits.add(d);
      }
      continue;
    }
    if (v.category === 'id' || v.category === 'phone') for (const d of idDigits(v.text)) otherDigits.add(d);
    const n = needle(v.text);
    if (n) other.push(n);
  }
  return { patient, patientDigits, initials, other, otherDigits, dates };
}

/** A DOS 8.3 short name (`LUKASI~1`) stands for a name it starts. */
const shortFor = (c: ComponentForms, needles: readonly Needle[]) =>
  c.shortName !== undefined &&
  c.shortName.length >= 4 &&
  needles.some((n) => n.forms.some((f) => f.length > c.shortName!.length && f.startsWith(c.shortName!)));

/** Dotted initials alone (`J.S.`, `W.L`). */
const DOTTED_INITIALS = /^(?:\p{Lu}\.){1,3}\p{Lu}?\.?$/u;

function namesThePatient(component: string, c: ComponentForms, n: PathNeedles): boolean {
  if (n.patient.some((x) => hits(c, x)) || c.digits.some((d) => n.patientDigits.has(d))) return true;
  if (shortFor(c, n.patient)) return true;
  if (DOTTED_INITIALS.test(component) && n.initials.has(component.replace(/\./g, ''))) return true;
  // Undotted, unless the letters are a modality, a view or a short word (CT for Cathy Thomas).
  return (
    n.initials.size > 0 && lettersWords(component).some((w) => n.initials.has(w) && !NOT_INITIALS.has(w))
  );
}

/**
 * A component's words of two or three letters, in capitals, single letters in a row run
 * together: `js_2023` → JS, `2023JS` → JS, `J_S_2023` → JS, `MR_KJ` → MR, KJ.
 */
function lettersWords(component: string): string[] {
  const out: string[] = [];
  let singles = '';
  for (const w of component.split(/[^\p{L}]+/u)) {
    if ([...w].length === 1) {
      singles += w;
      continue;
    }
    if (singles) out.push(singles);
    singles = '';
    if (w) out.push(w);
  }
  if (singles) out.push(singles);
  return out.filter((w) => [...w].length >= 2 && [...w].length <= 3).map((w) => w.toUpperCase());
}

function identifiesSomeone(c: ComponentForms, n: PathNeedles): boolean {
  if (n.other.some((x) => hits(c, x)) || c.digits.some((d) => n.otherDigits.has(d))) return true;
  if (shortFor(c, n.other)) return true;
  // Any full date written with a month name; a month and year when it is one of the file's.
  return c.named.some((p) => p.d !== undefined || n.dates.some((d) => sameDate(p, d)));
}

/**
 * Verdicts already reached on components, by what they were judged against (shared needles and
 * lexicons, by identity): the files of a series sit in the same folders, so each folder is
 * judged once per series, not once per file.
 */
const remembered = new Recent<Map<string, Verdict | boolean>>(8);

function rememberedFor(context: string): Map<string, Verdict | boolean> {
  const m = remembered.get(context, () => new Map());
  if (m.size >= 1024) m.clear();
  return m;
}

/** Whether a path component names the patient: a name token, the PatientID or its digits, initials. */
export function namesPatient(first: FirstPass): (component: string) => boolean {
  const shared = sharedNeedlesOf(first);
  const known = rememberedFor(`patient ${objectId(shared)}`);
  return (component) => {
    let v = known.get(component) as boolean | undefined;
    if (v === undefined)
      known.set(component, (v = namesThePatient(component, componentForms(component), shared)));
    return v;
  };
}

/** How many numerals a text holds (digits of any script, fractions, Roman numerals…). */
function numerals(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return s.match(/\p{N}/gu)?.length ?? 0; // other scripts' digits and numerals
    if (c >= 0x30 && c <= 0x39) n++;
  }
  return n;
}

/**
 * Whether a component holds one of the file's own UIDs (as needles and as a lexicon of phrases).
 * A UID is mostly digits: a component with fewer numerals than any of its forms holds none of
 * them, and is not looked at further (but for a DOS short name, which is cut at its "~").
 */
function ownUIDs(first: FirstPass, own: readonly Lexicon[]): (component: string) => boolean {
  const uidTexts = first.values.flatMap((v) => (v.category === 'uid' ? [v.text] : []));
  if (uidTexts.length === 0 && own.length === 0) return () => false;
  // A UID's forms are its digits (path-match.ts valueForms): as many numerals as the UID has digits.
  const least = Math.min(
    ...uidTexts.map((u) => u.replace(/\D/g, '').length),
    ...own.flatMap((l) => l.phrases.map((p) => numerals(p.text))),
  );
  let uids: Needle[] | undefined;
  return (component) => {
    if (!component.includes('~') && numerals(component) < least) return false;
    // Made only for a component with as many numerals: most are folder and file names without.
    uids ??= uidNeedlesOf(first);
    const c = componentForms(component);
    if (uids.some((n) => hits(c, n)) || shortFor(c, uids)) return true;
    const chars = [...component.normalize('NFC')];
    const folded = fold(chars);
    return own.some((l) => lexiconEdits(chars, folded, l).length > 0);
  };
}

/** Every spelling of the run's names (the lexicons' words), built once per lexicon. */
const runSpellings = new WeakMap<Lexicon, ReadonlySet<string>>();

function spellingsOfRun(lex: Lexicon): ReadonlySet<string> {
  let set = runSpellings.get(lex);
  if (!set) {
    const s = new Set<string>();
    for (const [w, kind] of lex.words)
      if (kind === 'name' && w.length >= 3) for (const f of valueForms(w, 3)) s.add(f);
    runSpellings.set(lex, s);
    set = s;
  }
  return set;
}

/** Without initials: two capitals in a folder name are a modality far more often than a patient. */
const noInitials = (lex: Lexicon): Lexicon => ({ ...lex, initials: [] });

const NO_IDS: ReadonlySet<string> = new Set();

/** Classifies path components against one file's identifying values and the run's names. */
function verdictsFor(
  facts: FileFacts,
  lexicons: readonly Lexicon[],
  runIds: ReadonlySet<string> = NO_IDS,
): (component: string) => Verdict {
  const shared = sharedNeedlesOf(facts.first);
  const series = lexicons.filter((l) => !phrasesOnly(l));
  const known = rememberedFor(
    `verdict ${objectId(shared)} ${series.map(objectId).join(',')} ${objectId(runIds)}`,
  );
  const own = ownUIDs(facts.first, lexicons.filter(phrasesOnly));
  let judge: ((component: string) => Verdict) | undefined;
  return (component) => {
    let v = known.get(component) as Verdict | undefined;
    if (v === undefined) {
      judge ??= seriesVerdicts(shared, series, runIds);
      known.set(component, (v = judge(component)));
    }
    // The file's own UIDs can only make a clean component identifying (patient comes first).
    return v === 'clean' && own(component) ? 'identifying' : v;
  };
}

/** A component's verdict under what the files of a series share: everything but their UIDs. */
function seriesVerdicts(
  n: PathNeedles,
  lexicons: readonly Lexicon[],
  runIds: ReadonlySet<string>,
): (component: string) => Verdict {
  const lex = lexicons.map(noInitials);
  return (component) => {
    const c = componentForms(component);
    if (namesThePatient(component, c, n)) return 'patient';
    if (identifiesSomeone(c, n) || c.digits.some((d) => runIds.has(d))) return 'identifying';
    // Any date in any written form, any name of the run, any value of the patient's other files.
    const chars = [...component.normalize('NFC')];
    const folded = fold(chars);
    if (dateEdits(chars, folded, undefined).length > 0) return 'identifying';
    // Any UID, not only the file's own: a series folder named after its UID holds a file of
    // another series (a prior's), or the file lacks the UID its folder was named after.
    if (uidEdits(folded).length > 0) return 'identifying';
    if (lex.some((l) => lexiconEdits(chars, folded, l).length > 0)) return 'identifying';
    // The run's names in every spelling, as words of the component (Lukasiewicz for Łukasiewicz).
    if (lexicons.some((l) => c.words.some((w) => spellingsOfRun(l).has(w)))) return 'identifying';
    return 'clean';
  };
}

/**
 * The end-of-run test of folder names an earlier run kept in clear (main thread): a name of the
 * run in any spelling, as a word of the component, or an identifier's digits.
 */
export function runNamesTest(
  names: readonly string[],
  ids: readonly string[],
): (folderName: string) => boolean {
  let spelt: Set<string> | undefined;
  const idSet = new Set(ids);
  return (folderName) => {
    spelt ??= new Set(names.flatMap((n) => (n.length >= 3 ? valueForms(n, 3) : [])));
    const c = componentForms(folderName);
    return c.words.some((w) => spelt?.has(w)) || c.digits.some((d) => idSet.has(d));
  };
}

export function componentVerdict(
  component: string,
  facts: FileFacts,
  lexicons: readonly Lexicon[] = [],
): Verdict {
  return verdictsFor(facts, lexicons)(component);
}

const SAFE_EXT = /^\.[A-Za-z0-9]{1,5}$/;

export const LAYOUTS = ['mirror', 'patient', 'blinding'] as const;
export type Layout = (typeof LAYOUTS)[number];

export interface OutputPath {
  /** Relative output path, '/'-separated. */
  readonly path: string;
  /** Source folders (relative) that became this patient's pseudonym folder. */
  readonly patientFolders: readonly string[];
}

/** What the mirror layout compares a file's path with, besides the file's own values. */
export interface PathContext {
  /** The file's and the run's identifying values as lexicons (names of anyone in the run). */
  readonly lexicons?: readonly Lexicon[];
  /**
   * Components from this index on were decoded from a zip entry name in a guessed legacy code
   * page (no UTF-8 flag): one that is not plain ASCII is never kept (the guess may be wrong).
   */
  readonly legacyFrom?: number;
  /** Source folders some input of the run shows to be named after its patient. */
  readonly patientNamed?: ReadonlySet<string>;
  /** Identifier digits of every patient of the run. */
  readonly runIds?: ReadonlySet<string>;
  /** `folder\0patientKey`: folders written as the pseudonym and a label (a patient's several folders). */
  readonly suffixed?: ReadonlySet<string>;
}

export function outputPath(
  layout: Layout,
  relPath: string,
  facts: FileFacts,
  secret: ProjectSecret,
  context: PathContext = {},
): OutputPath {
  if (layout === 'patient') return { path: patientPath(facts, secret), patientFolders: [] };
  if (layout === 'blinding') return { path: blindingPath(facts, secret), patientFolders: [] };
  return mirrorPath(relPath, facts, secret, context);
}

/**
 * `<pseudonym>/<study>/<series>/<instance>.dcm` from the de-identified headers: labels are
 * keyed hashes of the new UIDs, so they say nothing about the source.
 */
export function patientPath(facts: FileFacts, secret: ProjectSecret): string {
  const l = (domain: string, v: string) => secret.label(domain, v);
  const study = `study-${l('study', facts.studyUID)}`;
  const series = `series-${l('series', facts.seriesUID)}`;
  return `${facts.patient.pseudonym}/${study}/${series}/${l('instance', facts.sopInstanceUID)}.dcm`;
}

/**
 * `<subject>/DICOM/<name>`: the media layout a DICOMDIR indexes. Names are 8 characters of
 * a keyed hash of the new SOP Instance UID (PS3.10 file ID components: A–Z, 0–9), the same
 * on every rerun and saying nothing about the source or the order files were read in.
 */
export function blindingPath(facts: FileFacts, secret: ProjectSecret): string {
  return `${facts.patient.pseudonym}/DICOM/${secret.label('file', facts.sopInstanceUID).slice(0, 8)}`;
}

const ASCII = /^[\x20-\x7e]*$/;

export function mirrorPath(
  relPath: string,
  facts: FileFacts,
  secret: ProjectSecret,
  context: PathContext = {},
): OutputPath {
  const parts = relPath.split('/');
  const out: string[] = [];
  const patientFolders: string[] = [];
  const classify = verdictsFor(facts, context.lexicons ?? [], context.runIds);
  for (let i = 0; i < parts.length; i++) {
    const comp = parts[i] as string;
    const isFile = i === parts.length - 1;
    const folder = parts.slice(0, i + 1).join('/');
    let verdict = skipped('paths') ? 'clean' : classify(comp);
    if (
      verdict === 'clean' &&
      i >= (context.legacyFrom ?? Infinity) &&
      !ASCII.test(comp) &&
      !skipped('paths')
    )
      verdict = 'identifying';
    // Named after another patient of the run: never kept in clear, whichever file comes first.
    if (verdict === 'clean' && !isFile && context.patientNamed?.has(folder) && !skipped('paths'))
      verdict = 'identifying';
    if (verdict === 'clean') {
      out.push(comp);
      continue;
    }
    // The label derives from the source path up to here, so every file in a folder agrees.
    const label = secret.label('path', folder);
    if (isFile) {
      const dot = comp.lastIndexOf('.');
      const ext = dot > 0 ? comp.slice(dot) : '';
      out.push(label + (SAFE_EXT.test(ext) && classify(ext) === 'clean' ? ext : ''));
    } else if (verdict === 'patient') {
      // Its own keyed domain: a part of the folder's label would tie the pseudonym's folder to the
      // label a stranger's file in the same source folder gets.
      const suffix = context.suffixed?.has(`${folder}\0${facts.patient.key}`)
        ? `-${secret.label('patient-folder', folder).slice(0, 6)}`
        : '';
      out.push(facts.patient.pseudonym + suffix);
      patientFolders.push(folder);
    } else {
      out.push(label);
    }
  }
  return { path: out.join('/'), patientFolders };
}
