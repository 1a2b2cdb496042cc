/**
 * A patient's initials in free text ("Patient initials GM on the request"). Two or three
 * capitals are everywhere in reports (CT, MR, AP), so initials are no seed: the output's
 * standalone capital words are compared with its own patient's initials only, once outputs are
 * paired, and a match is a suspect to read, not a leak. Modality codes and the like never count.
 */
import type { Finding, OutputFacts } from './facts.js';

/** Capitals that mean something else in a report: common modalities, views, directions, routes. */
const NOT_INITIALS = new Set(
  (
    'CT MR US PT NM CR DX MG XA RF OT SC SR DR ES IO PX RG SEG AP PA LR RL HF FH LAT LAO RAO IV PO ' +
    'IM MIP MPR DWI ADC PD CTA MRA PET ROI WL WW HU KV MAS NA NO YES ID DOB MRN GP'
  ).split(' '),
);

/** A person name's initials (DICOM PN), given name first: Müller^Gerda → GM; with a middle name, GHM too. */
export function initialsOf(pn: string): string[] {
  const [family = '', given = '', middle = ''] = (pn.split('=')[0] ?? '').split('^').map((c) => c.trim());
  const first = (s: string) => ([...s][0] ?? '').toUpperCase();
  if (!family || !given || !/^\p{Lu}$/u.test(first(family)) || !/^\p{Lu}$/u.test(first(given))) return [];
  const out = [`${first(given)}${first(family)}`];
  if (middle) out.push(`${first(given)}${first(middle)}${first(family)}`);
  return out;
}

/** Standalone words of two or three capitals in a text value (at most a few per value). */
export function capitalWords(text: string): string[] {
  const out = new Set<string>();
  for (const [w] of text.matchAll(/(?<![\p{L}\p{N}])\p{Lu}{2,3}(?![\p{L}\p{N}])/gu)) {
    if (!NOT_INITIALS.has(w)) out.add(w);
    if (out.size >= 8) break;
  }
  return [...out];
}

/** Outputs whose free text holds their own patient's initials (`initialsOf` the paired patient). */
export function initialsInText(
  outputs: readonly OutputFacts[],
  initialsOfOutput: (file: string) => ReadonlySet<string> | undefined,
): Finding[] {
  const findings: Finding[] = [];
  for (const out of outputs) {
    if (out.capitals.length === 0) continue;
    const initials = initialsOfOutput(out.file);
    if (!initials || initials.size === 0) continue;
    for (const [path, word] of out.capitals)
      if (initials.has(word))
        findings.push({
          rule: 'initials-in-text',
          severity: 'suspect',
          file: out.shown,
          element: path,
          category: 'name',
          detail: "the patient's initials stand as a word in this text",
        });
  }
  return findings;
}
