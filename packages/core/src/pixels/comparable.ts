/**
 * Pixel Data as dcmblind writes it, for pairing an output with its source by its pixels
 * (dcmblind-verify): compressed frames without their metadata segments, native cells without
 * bits outside the stored ones. A source and its output give the same bytes here, whatever
 * the source carried next to its image.
 */
import type { Element, ParsedFile } from '../dicom/reader.js';
import { numberOfFrames, planBitstream } from './encapsulated.js';
import { type CellMask, cellMaskOf, clearUnusedBits, hasUnusedBits } from './unused-bits.js';

export interface ComparablePixels {
  /** The bytes to compare, when the value is in memory. */
  readonly bytes?: Uint8Array;
  /** For a value still in the file: clear these cells while reading it. */
  readonly mask?: CellMask;
}

/** `el`: the file's top-level Pixel Data. */
export function comparablePixels(parsed: ParsedFile, el: Element): ComparablePixels {
  const mask = el.encapsulated
    ? undefined
    : cellMaskOf(parsed.data, parsed.dataset, parsed.encoding.littleEndian);
  if (el.external) return mask ? { mask } : {};
  if (el.encapsulated) {
    // Offset table, fragments and delimiter: what the writer writes after the element's header.
    const whole = parsed.data.subarray(el.valueStart, el.end);
    const plan = planBitstream(parsed.transferSyntaxUID, whole, numberOfFrames(parsed));
    return { bytes: plan?.kind === 'strip' ? plan.value : whole };
  }
  const value = parsed.data.subarray(el.valueStart, el.valueStart + el.valueLength);
  if (!mask || !hasUnusedBits(value, mask)) return { bytes: value };
  const cleared = new Uint8Array(value);
  clearUnusedBits(cleared, mask);
  return { bytes: cleared };
}

export { clearUnusedBits };
