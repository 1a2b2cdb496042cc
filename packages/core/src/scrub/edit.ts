/** One change to a decoded text value, in decoded-character indices. */
export type FindingKind =
  | 'name'
  | 'id'
  | 'address'
  | 'phone'
  | 'institution'
  | 'uid'
  | 'date'
  | 'email'
  | 'url'
  | 'number'
  | 'title-name'
  | 'age';

export interface Edit {
  readonly start: number;
  readonly end: number;
  /** What replaces the span (a shifted date); absent: the span is removed. */
  readonly replacement?: string;
  readonly kind: FindingKind;
}

/**
 * Overlapping or touching edits merged, in order. Where a removal and a replacement overlap
 * the union is removed: nothing of a removed span may come back inside a replacement. A digit
 * run, a date or a name (a month: May, June) inside a shifted date is that date, and goes with it.
 */
export function mergeEdits(edits: readonly Edit[]): Edit[] {
  const sorted = [...edits].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Edit[] = [];
  for (const e of sorted) {
    const last = out[out.length - 1];
    if (!last || e.start >= last.end) {
      out.push(e);
      continue;
    }
    if (e.end <= last.end && last.replacement === undefined) continue; // inside a removal
    // A digit run or date form inside a date being shifted is that date: the shift replaces it.
    // So is a name inside one: a month called like someone in the run (`May 3, 2021` for a May).
    if (
      e.end <= last.end &&
      (e.kind === 'number' || e.kind === 'date' || e.kind === 'phone' || e.kind === 'name')
    )
      continue;
    const { replacement: _, ...removal } = last;
    out[out.length - 1] = { ...removal, end: Math.max(last.end, e.end) };
  }
  return out;
}
