/**
 * Output paths. The mirror layout keeps the input's relative path, except that a path
 * component holding an identifying value of the file (PatientID, any name token in any case
 * or separator, accession number, a date in a written form, a UID, …) is replaced: by the
 * pseudonym when it names the patient, otherwise by a keyed label that is the same for every
 * file under that folder and says nothing about the source.
 */
import type { FileFacts } from '../deid/deidentify.js';
import type { ProjectSecret } from '../identity/secret.js';

const alnum = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
const tokens = (s: string) =>
  s
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/** A value to look for in path components, normalised once per file (not once per component). */
interface Needle {
  readonly raw: string;
  /** Lower case, letters and digits only. */
  readonly norm: string;
}
const needles = (values: Iterable<string>): Needle[] => {
  const out: Needle[] = [];
  for (const raw of values) {
    const norm = alnum(raw);
    if (norm.length >= 2) out.push({ raw, norm });
  }
  return out;
};

/** Does this component contain the value (any case, any separators)? */
function contains(component: string, norm: string, words: () => string[], n: Needle): boolean {
  if (n.norm.length === 2) return words().includes(n.norm);
  return norm.includes(n.norm) || component.includes(n.raw);
}

/** Classifies path components against one file's identifying values. */
function verdictsFor(facts: FileFacts): (component: string) => 'patient' | 'identifying' | 'clean' {
  const patient = needles(facts.first.patientTokens);
  const other = needles(facts.first.values.map((v) => v.text));
  return (component) => {
    const norm = alnum(component);
    let w: string[] | undefined;
    const words = () => (w ??= tokens(component));
    if (patient.some((n) => contains(component, norm, words, n))) return 'patient';
    if (other.some((n) => contains(component, norm, words, n))) return 'identifying';
    return 'clean';
  };
}

export function componentVerdict(component: string, facts: FileFacts): 'patient' | 'identifying' | 'clean' {
  return verdictsFor(facts)(component);
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

export function outputPath(
  layout: Layout,
  relPath: string,
  facts: FileFacts,
  secret: ProjectSecret,
): OutputPath {
  if (layout === 'patient') return { path: patientPath(facts, secret), patientFolders: [] };
  if (layout === 'blinding') return { path: blindingPath(facts, secret), patientFolders: [] };
  return mirrorPath(relPath, facts, secret);
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

export function mirrorPath(relPath: string, facts: FileFacts, secret: ProjectSecret): OutputPath {
  const parts = relPath.split('/');
  const out: string[] = [];
  const patientFolders: string[] = [];
  const classify = verdictsFor(facts);
  for (let i = 0; i < parts.length; i++) {
    const comp = parts[i] as string;
    const isFile = i === parts.length - 1;
    const verdict = classify(comp);
    if (verdict === 'clean') {
      out.push(comp);
      continue;
    }
    // The label derives from the source path up to here, so every file in a folder agrees.
    const label = secret.label('path', parts.slice(0, i + 1).join('/'));
    if (isFile) {
      const dot = comp.lastIndexOf('.');
      const ext = dot > 0 ? comp.slice(dot) : '';
      out.push(label + (SAFE_EXT.test(ext) && classify(ext) === 'clean' ? ext : ''));
    } else if (verdict === 'patient') {
      out.push(facts.patient.pseudonym);
      patientFolders.push(parts.slice(0, i + 1).join('/'));
    } else {
      out.push(label);
    }
  }
  return { path: out.join('/'), patientFolders };
}
