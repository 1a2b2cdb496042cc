/**
 * Date handling for the Modified Dates option (PS3.15 E.3.6): every DA, and the date part of
 * every DT, moves back by the patient's whole-day offset. Whole days keep each time of day,
 * so a DA and its TM shift as one instant and intervals survive to the second, across
 * midnight too. Values that are not valid dates are reported and emptied.
 */

/** DA "YYYYMMDD" (or ACR-NEMA "YYYY.MM.DD") minus `days`; undefined when not a date. */
export function shiftDA(value: string, days: number): string | undefined {
  const v = value.trim();
  const m = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(v);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const t = Date.UTC(y, mo - 1, d);
  const check = new Date(t);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d)
    return undefined;
  return formatDA(new Date(t - days * 86_400_000));
}

function formatDA(d: Date): string {
  const y = d.getUTCFullYear();
  if (y < 0 || y > 9999) return '00010101';
  const two = (n: number) => String(n).padStart(2, '0');
  return `${String(y).padStart(4, '0')}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}`;
}

/** DA value with ranges ("A-B", "-B", "A-") shifted end by end. */
export function shiftDAValue(value: string, days: number): string | undefined {
  if (value.includes('-')) {
    const parts = value.split('-');
    if (parts.length !== 2) return undefined;
    const out = parts.map((p) => (p.trim() === '' ? '' : shiftDA(p, days)));
    return out.some((p) => p === undefined) ? undefined : out.join('-');
  }
  return shiftDA(value, days);
}

/** DT "YYYY[MM[DD[HH[MM[SS[.F]]]]]][&ZZXX]": the date part shifts, precision and the rest stay. */
export function shiftDT(value: string, days: number): string | undefined {
  const v = value.trim();
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2}(?:\d{2}(?:\d{2}(?:\.\d{1,6})?)?)?)?([+-]\d{4})?$/.exec(v);
  if (!m) return undefined;
  const shifted = shiftDA(`${m[1]}${m[2] ?? '01'}${m[3] ?? '01'}`, days);
  if (!shifted) return undefined;
  const datePart = shifted.slice(0, 4 + (m[2] ? 2 : 0) + (m[3] ? 2 : 0));
  return datePart + (m[4] ?? '') + (m[5] ?? '');
}

export function shiftDTValue(value: string, days: number): string | undefined {
  // A DT range uses '-' too, but so does a negative UTC offset: split only on a '-' that
  // starts a new 4-digit year (PS3.5 §6.2 DT range matching).
  const parts = value.split(/-(?=\d{4}(?:\d|$))/);
  if (parts.length > 2) return undefined;
  const out = parts.map((p) => (p.trim() === '' ? '' : shiftDT(p, days)));
  return out.some((p) => p === undefined) ? undefined : out.join('-');
}

/** The common written forms of a date, for finding it inside free text and file names. */
export function writtenForms(da: string): string[] {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da.trim());
  if (!m) return [];
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
  const full = [
    'january',
    'february',
    'march',
    'april',
    'may',
    'june',
    'july',
    'august',
    'september',
    'october',
    'november',
    'december',
  ];
  const mi = Number(mo) - 1;
  const dn = String(Number(d));
  const mn = String(Number(mo));
  const mon = months[mi];
  const fmon = full[mi];
  if (!mon || !fmon) return [];
  const forms = [
    `${y}${mo}${d}`,
    `${y}-${mo}-${d}`,
    `${y}/${mo}/${d}`,
    `${y}.${mo}.${d}`,
    `${y}_${mo}_${d}`,
    `${d}/${mo}/${y}`,
    `${mo}/${d}/${y}`,
    `${d}.${mo}.${y}`,
    `${d}-${mo}-${y}`,
    `${mo}-${d}-${y}`,
    `${dn}/${mn}/${y}`,
    `${mn}/${dn}/${y}`,
    `${dn}.${mn}.${y}`,
    `${d}${mon}${y}`,
    `${d}-${mon}-${y}`,
    `${dn} ${mon} ${y}`,
    `${d} ${mon} ${y}`,
    `${mon} ${dn}, ${y}`,
    `${mon} ${dn} ${y}`,
    `${dn} ${fmon} ${y}`,
    `${fmon} ${dn}, ${y}`,
    `${fmon} ${dn} ${y}`,
  ];
  return [...new Set(forms)];
}

/**
 * A patient's offset as people must apply it: dates move back by `days` (output = source −
 * days), so a source date is the output date plus `days`. Printed wherever an offset is shown.
 */
export function describeOffset(days: number): string {
  const n = Math.abs(days);
  if (days === 0) return 'dates not moved (output date = source date)';
  if (days > 0) return `output date = source date − ${n} days (source date = output date + ${n} days)`;
  return `output date = source date + ${n} days (source date = output date − ${n} days)`;
}
