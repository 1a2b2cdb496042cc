/**
 * Date handling for the Modified Dates option (PS3.15 E.3.6): every DA, and the date part of
 * every DT, moves back by the patient's whole-day offset. Whole days keep each time of day,
 * so a DA and its TM shift as one instant and intervals survive to the second, across
 * midnight too. Values that are not valid dates are reported and emptied.
 */

export interface YMD {
  readonly y: number;
  readonly m: number;
  readonly d: number;
}

/** A real calendar day (no 31 April, 29 February only in leap years). */
export function isCalendarDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  const check = new Date(Date.UTC(y, m - 1, d));
  check.setUTCFullYear(y);
  return check.getUTCMonth() === m - 1 && check.getUTCDate() === d;
}

/** A two-digit year: the latest century that does not put it in the future (71 → 1971, 05 → 2005). */
export function fullYear(yy: number, now = new Date()): number {
  const thisYear = now.getUTCFullYear();
  const y = Math.floor(thisYear / 100) * 100 + yy;
  return y > thisYear ? y - 100 : y;
}

/**
 * A DA as files carry it: "YYYYMMDD", or the legacy forms still met in the wild (ACR-NEMA
 * "YYYY.MM.DD", "YYYY-MM-DD", "YYYY/MM/DD", a two-digit year "YYMMDD", surrounding spaces, a
 * trailing time "19710218 000000"). Undefined when it is not a real day.
 */
export function parseDA(value: string): YMD | undefined {
  const v = value
    .trim()
    .replace(/[ T]\d{1,2}:?\d{2}(:?\d{2}(\.\d*)?)?$|\s+\d{4,6}(\.\d*)?$/, '')
    .trim();
  const m =
    /^(\d{4})([./-]?)(\d{2})\2(\d{2})$/.exec(v) ??
    /^(\d{4})([./-])(\d{1,2})\2(\d{1,2})$/.exec(v) ??
    /^(\d{2})()(\d{2})(\d{2})$/.exec(v);
  if (!m) return undefined;
  const y = (m[1] as string).length === 2 ? fullYear(Number(m[1])) : Number(m[1]);
  const mo = Number(m[3]);
  const d = Number(m[4]);
  return isCalendarDay(y, mo, d) ? { y, m: mo, d } : undefined;
}

/** Days since 1970-01-01 of a calendar day (any year 1–9999). */
export function dayNumber({ y, m, d }: YMD): number {
  const t = new Date(Date.UTC(2000, m - 1, d));
  t.setUTCFullYear(y);
  return Math.round(t.getTime() / 86_400_000);
}

/** The calendar day `days` before `date`. */
export function daysBefore(date: YMD, days: number): YMD {
  const t = new Date((dayNumber(date) - days) * 86_400_000);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** DA minus `days` as "YYYYMMDD" (legacy forms accepted, see parseDA); undefined when not a date. */
/**
 * Dates systems write when they do not know one (1900-01-01 for an unknown birth date, the Unix
 * and Excel epochs, 0001-01-01, 9999-12-31): recognisable, so shifted they would give the
 * offset away; they say nothing of the patient and are kept as they are.
 */
const PLACEHOLDERS = new Set(['00010101', '18991230', '18991231', '19000101', '19700101', '99991231']);

export function shiftDA(value: string, days: number): string | undefined {
  const date = parseDA(value);
  if (!date) return undefined;
  const same = formatDA(date);
  return PLACEHOLDERS.has(same) ? same : formatDA(daysBefore(date, days));
}

function formatDA({ y, m, d }: YMD): string {
  if (y < 1 || y > 9999) return '00010101';
  const two = (n: number) => String(n).padStart(2, '0');
  return `${String(y).padStart(4, '0')}${two(m)}${two(d)}`;
}

/** DA value with ranges ("A-B", "-B", "A-") shifted end by end. */
export function shiftDAValue(value: string, days: number): string | undefined {
  // A legacy YYYY-MM-DD date is one date, not a range.
  if (value.includes('-') && !/^\s*\d{4}-\d{1,2}-\d{1,2}\s*$/.test(value)) {
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
  if (!m) {
    // A legacy form ("1971.02.18 14:30"): its day, shifted, as a DT of day precision.
    const day = parseDA(v);
    return day ? formatDA(daysBefore(day, days)) : undefined;
  }
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
  const date = parseDA(da);
  if (!date) return [];
  const y = String(date.y).padStart(4, '0');
  const mo = String(date.m).padStart(2, '0');
  const d = String(date.d).padStart(2, '0');
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
