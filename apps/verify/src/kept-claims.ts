/**
 * Stage 4: source values found in attributes the profile keeps (claims, see facts.ts). One is
 * allowed only where the paired source file holds the same bytes at the same element path: the
 * attribute was kept as it was. Anywhere else it is a leak; without a source file to compare
 * with, a suspect. Claims are rare (a seed in a kept attribute), so the sources they need are
 * read again here rather than every kept value of every source being carried through the scan.
 */
import { load, walkFile } from './dicom-file.js';
import type { Visit } from './elements.js';
import type { Claim, Finding, OutputFacts } from './facts.js';
import { lowerLatin1 } from './hashing.js';
import type { Pair } from './pairing.js';

/** Element path → raw value (see lowerLatin1) of a source file; undefined when it cannot be read now. */
function keptValuesOf(path: string): Map<string, string> | undefined {
  try {
    const file = walkFile(load(path));
    const out = new Map<string, string>();
    const take = (data: Uint8Array, v: Visit) => {
      if (v.el.items || v.el.encapsulated || v.el.external) return;
      out.set(v.path, lowerLatin1(data.subarray(v.el.valueStart, v.el.valueStart + v.el.valueLength)));
    };
    for (const v of file.metaVisits) take(file.parsed.file, v);
    for (const v of file.visits) take(file.parsed.data, v);
    return out;
  } catch {
    return undefined;
  }
}

/**
 * Without its source file (key only, or an output not paired), whether the value is the
 * attribute's own cannot be told: a suspect to look at, not a leak.
 */
function unjudged(f: Finding): Finding {
  return {
    ...f,
    rule: 'seed-in-kept',
    severity: 'suspect',
    detail:
      `${f.detail}, an attribute the profile keeps: without its source file, whether it is ` +
      "the source's own value there cannot be told (give --source)",
  };
}

/** The claims that do not hold, as findings. */
export function keptClaims(outputs: readonly OutputFacts[], pairOf: ReadonlyMap<string, Pair>): Finding[] {
  const cache = new Map<string, Map<string, string> | undefined>();
  const findings: Finding[] = [];
  const unpaired: Array<{ claim: Claim; patient: string }> = [];
  for (const out of outputs) {
    if (out.claims.length === 0) continue;
    const source = pairOf.get(out.file)?.source?.path;
    let values: Map<string, string> | undefined;
    if (source) {
      if (!cache.has(source)) cache.set(source, keptValuesOf(source));
      values = cache.get(source);
    }
    for (const c of out.claims) {
      if (!values) unpaired.push({ claim: c, patient: out.patientId });
      else if (!values.get(c.path)?.includes(c.hit)) findings.push(c.finding);
    }
  }
  return [...findings, ...unshared(unpaired).map(unjudged)];
}

/**
 * The claims without a source to judge them by, but those whose value stands in the same
 * attribute in several patients' outputs: a vendor's or a model's name a site also typed as an
 * institution ("GE MEDICAL SYSTEMS" in Manufacturer), not anyone's identity.
 */
function unshared(claims: ReadonlyArray<{ claim: Claim; patient: string }>): Finding[] {
  const attribute = (c: Claim) => `${c.path.replace(/\[\d+\]/g, '')}|${c.hit}`;
  const patients = new Map<string, Set<string>>();
  for (const { claim, patient } of claims) {
    const k = attribute(claim);
    (patients.get(k) ?? patients.set(k, new Set()).get(k))?.add(patient);
  }
  return claims
    .filter(({ claim }) => (patients.get(attribute(claim))?.size ?? 0) < 2)
    .map((x) => x.claim.finding);
}
