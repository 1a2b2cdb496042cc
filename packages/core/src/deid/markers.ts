/** The de-identification markers every output carries (PS3.15 E.1.1, E.3), inserted by tag order. */
import type { Encoding } from '../dicom/transfer-syntax.js';
import { T, type Tag } from '../dicom/tag.js';
import { MAX_LENGTH, type VR } from '../dicom/vr.js';
import { asciiBytes, padValue, type OutNode } from '../dicom/writer.js';
import { BASIC_CODE, OPTIONS } from '../profile/options.js';
import { LOSSY_YES } from './blanked-pixels.js';
import { TRIAL_FIELDS, type TrialField } from '../recipe/schema.js';
import type { EngineContext } from './walk.js';

/** Markers a source may carry: replaced by this run's. */
export const MARKER_TAGS: ReadonlySet<Tag> = new Set([
  T.PatientIdentityRemoved,
  T.DeidentificationMethod,
  T.DeidentificationMethodCodeSequence,
  T.LongitudinalTemporalInformationModified,
]);

/** The clinical-trial attributes a recipe writes (Clinical Trial Subject and Study Modules). */
export const TRIAL_TAGS: ReadonlySet<Tag> = new Set(Object.values(TRIAL_FIELDS));

/** The markers of PS3.15 E.1.1 / E.3 that say what was done, in the data set's encoding. */
export function markers(ctx: EngineContext, enc: Encoding, present: ReadonlySet<Tag>): OutNode[] {
  const text = (tag: Tag, vr: VR, s: string): OutNode => ({
    kind: 'value',
    tag,
    vr,
    enc,
    value: padValue(vr, asciiBytes(s)),
  });
  // Clean Pixel Data is declared by the files whose pixels were scanned, not by every file of the
  // run (an unflagged CT, a report without pixels).
  const codes = [
    BASIC_CODE,
    ...ctx.profile.options
      .filter((o) => o !== 'clean-pixel-data' || ctx.pixels?.textChecked)
      .map((o) => OPTIONS[o]),
  ];
  const recipe = ctx.recipe;
  const method = `dcmblind ${ctx.engineVersion} ${ctx.profile.name}${
    recipe ? ` recipe ${recipe.sha256.slice(0, 12)}` : ''
  }`.slice(0, MAX_LENGTH.LO);
  const ltim =
    ctx.profile.dates === 'keep' ? 'UNMODIFIED' : ctx.profile.dates === 'shift' ? 'MODIFIED' : 'REMOVED';
  // Every output carries its pseudonym, even when the source had no PatientName or PatientID.
  const identity = [T.PatientName, T.PatientID]
    .filter((t) => !present.has(t))
    .map((t) => text(t, t === T.PatientName ? 'PN' : 'LO', ctx.patient.pseudonym));
  // Scanned for burned-in text and cleaned: the file says so even when its source did not.
  const burnedIn =
    ctx.pixels?.textChecked && !present.has(T.BurnedInAnnotation)
      ? [text(T.BurnedInAnnotation, 'CS', 'NO')]
      : [];
  // Frames coded with loss now written native: the file still says they were (blanked-pixels.ts).
  const lossy =
    (ctx.pixels?.blanked?.lossy || ctx.pixels?.lossyCoded) && !present.has(T.LossyImageCompression)
      ? [text(T.LossyImageCompression, 'CS', LOSSY_YES)]
      : [];
  // The recipe's clinical-trial attributes (all LO): each field given, and the Type 2 ones present,
  // empty, when not (Clinical Trial Subject and Study Modules).
  const trial = recipe?.clinicalTrial;
  const trialNodes =
    recipe && trial
      ? (Object.entries(TRIAL_FIELDS) as Array<[TrialField, Tag]>).map(([field, tag]) =>
          text(tag, 'LO', recipe.expand(trial[field] ?? '', ctx.patient.pseudonym)),
        )
      : [];
  return [
    ...trialNodes,
    ...identity,
    ...lossy,
    ...burnedIn,
    // A recipe that keeps a direct identifier (--allow-identifying) leaves the identity in: NO.
    text(T.PatientIdentityRemoved, 'CS', recipe?.keepsIdentity ? 'NO' : 'YES'),
    text(T.DeidentificationMethod, 'LO', method),
    {
      kind: 'seq',
      tag: T.DeidentificationMethodCodeSequence,
      vr: 'SQ',
      enc,
      undefinedLength: false,
      items: codes.map((c) => ({
        enc,
        undefinedLength: false,
        children: [
          text(T.CodeValue, 'SH', c.code),
          text(T.CodingSchemeDesignator, 'SH', 'DCM'),
          text(T.CodeMeaning, 'LO', c.meaning),
        ],
      })),
    },
    text(T.LongitudinalTemporalInformationModified, 'CS', ltim),
  ];
}

/** Insert nodes by tag order (sources are usually, not always, sorted). */
export function mergeByTag(nodes: OutNode[], extra: readonly OutNode[]): OutNode[] {
  const out = nodes.slice();
  for (const m of extra) {
    const i = out.findIndex((n) => n.tag > m.tag);
    if (i < 0) out.push(m);
    else out.splice(i, 0, m);
  }
  return out;
}
