/** Dates moved by dcmblind's offsets, moved back: the key's offsets count days before. */

/** A YYYYMMDD date dcmblind moved `days` back in time, where it was. */
export function shiftedBack(d: string, days: number): string {
  const t =
    Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8))) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10).replace(/-/g, '');
}
