/**
 * Text attributes Table E.1-1 does not list, each with a reviewed decision (data/review/
 * text_attributes.tsv, built into data/standard/text_attributes.json, one note per entry):
 * `clean` — kept, cleaned of identifying values and PHI patterns; `verbatim` — kept, cleaned of
 * the known identifying values only (codes, versions, vendor names: patterns would damage
 * them); `remove` — identifying, removed, emptied or dummied by its Type like the table's X/Z/D.
 * A text attribute missing from the list (a newer dictionary entry) is treated as identifying.
 */
import { readFileSync } from 'node:fs';
import { lookup as dictionaryEntry } from '../dicom/dictionary.js';
import type { Tag } from '../dicom/tag.js';
import type { Rule } from './rules.js';
import { coreFile } from '../package-files.js';

export const TEXT_ATTRIBUTES_URL = coreFile('data/standard/text_attributes.json');

export type TextDecision = 'clean' | 'verbatim' | 'remove';
type Decision = TextDecision;
interface Entry {
  readonly keyword: string;
  readonly decision: Decision;
  readonly note: string;
}

let entries: Map<Tag, Entry> | undefined;
function load(): Map<Tag, Entry> {
  if (!entries) {
    const raw = JSON.parse(readFileSync(TEXT_ATTRIBUTES_URL, 'utf8')) as {
      attributes: Record<string, Entry>;
    };
    entries = new Map(Object.entries(raw.attributes).map(([hex, e]) => [parseInt(hex, 16) >>> 0, e]));
  }
  return entries;
}

export const CLEAN_TEXT: Rule = { action: 'C', source: 'Text outside the table (kept, cleaned)' };
export const VERBATIM_TEXT: Rule = {
  action: 'C',
  source: 'Coded or technical text outside the table (kept; identifying values removed)',
  verbatim: true,
};
const rules = new Map<Tag, Rule>();

/** The rule for a text attribute the table does not list. */
export function unlistedTextRule(tag: Tag): Rule {
  const e = load().get(tag);
  if (e?.decision === 'clean') return CLEAN_TEXT;
  if (e?.decision === 'verbatim') return VERBATIM_TEXT;
  let r = rules.get(tag);
  if (!r) {
    const keyword = e?.keyword ?? dictionaryEntry(tag)?.keyword ?? 'Text attribute';
    const name = keyword.replace(/([a-z])([A-Z])/g, '$1 $2');
    const why = e ? 'identifying text outside the table' : 'text outside the table, not reviewed';
    r = { action: 'D', code: 'X/Z/D', source: `${name} (${why})` };
    rules.set(tag, r);
  }
  return r;
}

/** The reviewed decision for a text attribute the table does not list; undefined when not reviewed. */
export function textAttributeDecision(tag: Tag): TextDecision | undefined {
  return load().get(tag)?.decision;
}

/** The reviewed note for an attribute, for explanations. */
export function textAttributeNote(tag: Tag): string | undefined {
  return load().get(tag)?.note;
}
