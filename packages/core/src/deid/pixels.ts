/**
 * Identity next to the pixel values: native cells' unused bits (pixels/unused-bits.ts) and, for
 * compressed syntaxes, metadata segments inside the bit streams (pixels/bitstream.ts). Planned
 * once per file before the walk; the walk then writes the top-level Pixel Data from the plan.
 */
import type { Element, ParsedFile } from '../dicom/reader.js';
import { T } from '../dicom/tag.js';
import type { OutNode } from '../dicom/writer.js';
import {
  type CellMask,
  cellMaskOf,
  clearUnusedBits,
  hasUnusedBits,
  UNUSED_BITS_SOURCE,
} from '../pixels/unused-bits.js';
import { numberOfFrames, type StripPlan, planBitstream } from '../pixels/encapsulated.js';
import { skipped } from '../testing/skip.js';
import type { Blanking, ScanRequest } from '../pixels/text/scan.js';
import { type Blanked, blankedNode, blankedPixels, nativeAttribute } from './blanked-pixels.js';
import { fire, type Walk } from './walk.js';

export interface PixelPlan {
  /** The top-level Pixel Data element the plan is for. */
  readonly element: Element;
  /** Native pixel data whose cells have unused bits. */
  readonly mask?: CellMask;
  /** Compressed pixel data: the frames without their metadata segments, or why it was not checked. */
  readonly bitstream?: StripPlan | { readonly kind: 'unchecked'; readonly transferSyntaxUID: string };
  /** The pixels were scanned for burned-in text (pixels/text/): BurnedInAnnotation becomes NO. */
  readonly textChecked?: true;
  /** Text was found: the frames with it blanked (deid/blanked-pixels.ts). */
  readonly blanked?: Blanked;
  /** The scan decoded frames coded with loss: the file says LossyImageCompression 01. */
  readonly lossyCoded?: true;
}

const CLEARED = { action: 'C', source: UNUSED_BITS_SOURCE } as const;
/**
 * What changes in the file's Pixel Data; a reason when the file cannot be written safely.
 * `scan`: the pixels were scanned for burned-in text, and what to blank.
 */
export function planPixels(
  parsed: ParsedFile,
  scan?: { readonly request: ScanRequest; readonly blanking: Blanking },
): PixelPlan | { quarantine: string } | undefined {
  const element = parsed.dataset.find((e) => e.tag === T.PixelData);
  if (!element || element.items || element.valueLength === 0) return undefined;
  if (!scan) return unscannedPlan(parsed, element);
  const blanked = blankedPixels(parsed, element, scan.request, scan.blanking);
  if (blanked) return { element, textChecked: true, blanked };
  const plan = unscannedPlan(parsed, element);
  // No text: the frames stay as they were coded; a source that did not say they were coded with
  // loss (a JPEG 2000 irreversible stream without LossyImageCompression) is made to say so.
  const lossy = scan.request.lossy ? { lossyCoded: true as const } : {};
  return plan && 'quarantine' in plan ? plan : { ...(plan ?? { element }), textChecked: true, ...lossy };
}

/** Unused bits of native cells, metadata segments of compressed frames. */
function unscannedPlan(parsed: ParsedFile, element: Element): PixelPlan | { quarantine: string } | undefined {
  if (element.encapsulated) {
    if (skipped('bitstream')) return undefined;
    const value = parsed.data.subarray(element.valueStart, element.end);
    const plan = planBitstream(parsed.transferSyntaxUID, value, numberOfFrames(parsed));
    if (plan?.kind === 'quarantine') return { quarantine: plan.reason };
    return plan ? { element, bitstream: plan } : undefined;
  }
  if (skipped('unused-bits')) return undefined;
  const mask = cellMaskOf(parsed.data, parsed.dataset, parsed.encoding.littleEndian);
  return mask ? { element, mask } : undefined;
}

/** Native cells: copied with their unused bits cleared (checked first, in memory, or while written). */
function nativeNode(w: Walk, el: Element, mask: CellMask): OutNode | undefined {
  if (el.external) {
    // Still in the file: the writer clears the bits while it copies (and reports what it changed).
    if (w.transcode) return undefined;
    const cells = { cells: mask, cellsAt: el.valueStart };
    const length = el.valueStart + el.valueLength - el.start; // `end` may be the tail's place in memory
    return { kind: 'range', tag: el.tag, offset: el.start, length, mask: cells };
  }
  const value = w.data.subarray(el.valueStart, el.end);
  if (!hasUnusedBits(value, mask)) return undefined;
  const cleared = new Uint8Array(value); // a copy: a Buffer's slice() would be a view of the source
  clearUnusedBits(cleared, mask);
  fire(w, CLEARED);
  const vr = el.vr === 'OB' || el.vr === 'OW' ? el.vr : mask.bytes === 1 ? 'OB' : 'OW';
  return { kind: 'value', tag: el.tag, vr, enc: w.transcode ?? el.enc, value: cleared };
}

/** Compressed frames: written without their metadata segments, each removal reported. */
function strippedNode(w: Walk, el: Element, plan: StripPlan): OutNode {
  for (const [name, n] of plan.removed)
    for (let i = 0; i < n; i++)
      fire(w, { action: 'X', source: `Pixel Data bit stream: ${name.trim()} segment` });
  return { kind: 'open', tag: el.tag, vr: 'OB', enc: w.transcode ?? el.enc, body: plan.value };
}

/** The output node for the planned Pixel Data; undefined: write the element as it is. */
export function plannedPixels(w: Walk, el: Element, plan: PixelPlan | undefined): OutNode | undefined {
  if (!plan || plan.element !== el) return undefined;
  if (plan.blanked) return blankedNode(w, el, plan.blanked);
  if (plan.mask) return nativeNode(w, el, plan.mask);
  if (plan.bitstream?.kind === 'strip') return strippedNode(w, el, plan.bitstream);
  if (plan.bitstream?.kind === 'unchecked') {
    const source = `Pixel Data bit stream (${plan.bitstream.transferSyntaxUID}): metadata not checked`;
    fire(w, { action: 'K', source });
  }
  return undefined;
}

/**
 * The Extended Offset Table and its lengths, when the frames they point at moved; the attributes
 * of compressed frames written back native (null: removed).
 */
export function plannedTable(w: Walk, el: Element, plan: PixelPlan | undefined): OutNode | null | undefined {
  const native = nativeAttribute(w, el, plan?.blanked);
  if (native !== undefined) return native;
  if (plan?.bitstream?.kind !== 'strip') return undefined;
  const value =
    el.tag === T.ExtendedOffsetTable
      ? plan.bitstream.extendedOffsets
      : el.tag === T.ExtendedOffsetTableLengths
        ? plan.bitstream.extendedLengths
        : undefined;
  return value && { kind: 'value', tag: el.tag, vr: 'OV', enc: w.transcode ?? el.enc, value };
}
