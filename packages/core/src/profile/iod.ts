/**
 * Attribute Types by IOD (PS3.3): which modules and macros a SOP Class's IOD uses, and the Type
 * (1, 1C, 2, 2C, 3) of every attribute in them, at every depth — a sequence item's attributes
 * have types of their own. The combined codes of Table E.1-1 (X/Z, X/D, X/Z/D, Z/D, X/Z/U*)
 * are defined by these types (PS3.15 E.1.1), and so is what keeps an output valid when a value
 * is removed or emptied. Data: `data/standard/iod_types.json` (see its README for provenance).
 */
import { readFileSync } from 'node:fs';
import type { Tag } from '../dicom/tag.js';
import { coreFile } from '../package-files.js';

export const TYPE_CODES = ['1', '1C', '2', '2C', '3'] as const;
export type TypeCode = (typeof TYPE_CODES)[number];

interface Table {
  /** Tag (8 hex digits, upper case) → [Type, the table of its items ('' when not a sequence)]. */
  readonly a: Readonly<Record<string, readonly [TypeCode, string]>>;
  readonly inc: readonly string[];
}

interface IodData {
  readonly sopClasses: Readonly<Record<string, string>>;
  readonly iods: Readonly<Record<string, readonly string[]>>;
  readonly functionalGroups: readonly string[];
  readonly names: Readonly<Record<string, string>>;
  readonly tables: Readonly<Record<string, Table>>;
}

export const IOD_TYPES_URL = coreFile('data/standard/iod_types.json');

let data: IodData | undefined;
const load = (): IodData => {
  data ??= JSON.parse(readFileSync(IOD_TYPES_URL, 'utf8')) as IodData;
  return data;
};

/** The Shared and Per-frame Functional Groups Sequences: their items hold functional group macros. */
const FUNCTIONAL_GROUPS: ReadonlySet<Tag> = new Set([0x52009229, 0x52009230]);

const STRICTNESS: Readonly<Record<TypeCode, number>> = { '1': 0, '1C': 1, '2': 2, '2C': 3, '3': 4 };

/** What the IOD says of one attribute where it stands. */
export interface Typed {
  readonly type: TypeCode;
  /** The module or macro that gives it this Type (for reports). */
  readonly where: string;
  /** The scope of its items, when it is a sequence whose items are described. */
  readonly items: Scope | undefined;
}

/**
 * The tables that describe one level of a data set (the IOD's modules at the top, an item's
 * table inside a sequence). An attribute found in several takes the strictest Type: a dummy
 * where one table needs a value is still valid where another would let it go.
 */
export class Scope {
  readonly #tables: readonly string[];
  readonly #cache = new Map<Tag, Typed | null>();

  constructor(tables: readonly string[]) {
    this.#tables = tables;
  }

  lookup(tag: Tag): Typed | undefined {
    let hit = this.#cache.get(tag);
    if (hit === undefined) {
      hit = this.#find(tag) ?? null;
      this.#cache.set(tag, hit);
    }
    return hit ?? undefined;
  }

  #find(tag: Tag): Typed | undefined {
    const d = load();
    const key = tag.toString(16).toUpperCase().padStart(8, '0');
    let best: { type: TypeCode; where: string } | undefined;
    const items: string[] = [];
    const seen = new Set<string>();
    const queue = [...this.#tables];
    while (queue.length > 0) {
      const id = queue.shift() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      const t = d.tables[id];
      if (!t) continue;
      const a = t.a[key];
      if (a) {
        if (!best || STRICTNESS[a[0]] < STRICTNESS[best.type]) best = { type: a[0], where: nameOf(id) };
        if (a[1]) items.push(a[1]);
      }
      queue.push(...t.inc);
    }
    if (!best) return undefined;
    const inner = FUNCTIONAL_GROUPS.has(tag) ? [...items, ...d.functionalGroups] : items;
    return { ...best, items: inner.length ? new Scope(inner) : undefined };
  }
}

/** A table's name as people read it ("General Study", "Code Sequence Macro › Referenced …"). */
function nameOf(id: string): string {
  const d = load();
  const [base] = id.split('/');
  return d.names[base as string] ?? id;
}

const scopes = new Map<string, Scope | null>();

/** The top-level scope of a SOP Class's IOD; undefined when the class is not a known standard one. */
export function scopeOfClass(sopClassUID: string): Scope | undefined {
  let s = scopes.get(sopClassUID);
  if (s === undefined) {
    const d = load();
    const iod = d.sopClasses[sopClassUID];
    const modules = iod ? d.iods[iod] : undefined;
    s = modules ? new Scope(modules) : null;
    scopes.set(sopClassUID, s);
  }
  return s ?? undefined;
}
