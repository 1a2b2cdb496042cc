/**
 * A frame as the HTML report shows it: grey, at most 480 px wide, with red boxes around what OCR
 * read, so the reviewer looks at the text in place (a misread name still reads as a name to a
 * person; a scale label does not). PNG, encoded by fast-png.
 */
import { encode } from 'fast-png';
import type { Box } from './frame-reading.js';

const MAX_WIDTH = 480;
const RED = [230, 30, 30] as const;

/** The thumbnail PNG of a frame (8-bit luminance, row by row) with `boxes` drawn. */
export function thumbnail(
  luma: Uint8Array,
  width: number,
  height: number,
  boxes: readonly Box[],
): Uint8Array {
  const k = Math.min(1, MAX_WIDTH / width);
  const tw = Math.max(1, Math.round(width * k));
  const th = Math.max(1, Math.round(height * k));
  const rgb = new Uint8Array(tw * th * 3);
  for (let y = 0; y < th; y++) {
    const sy = Math.min(height - 1, Math.floor(y / k));
    for (let x = 0; x < tw; x++) {
      const v = luma[sy * width + Math.min(width - 1, Math.floor(x / k))] as number;
      rgb.fill(v, (y * tw + x) * 3, (y * tw + x) * 3 + 3);
    }
  }
  const dot = (x: number, y: number) => {
    if (x < 0 || y < 0 || x >= tw || y >= th) return;
    rgb.set(RED, (y * tw + x) * 3);
  };
  for (const b of boxes) {
    // Two pixels wide, just outside the text so the box does not cover it.
    const [x0, y0] = [Math.floor(b.x0 * k) - 2, Math.floor(b.y0 * k) - 2];
    const [x1, y1] = [Math.ceil(b.x1 * k) + 1, Math.ceil(b.y1 * k) + 1];
    for (let t = 0; t < 2; t++) {
      for (let x = x0; x <= x1; x++) {
        dot(x, y0 + t);
        dot(x, y1 - t);
      }
      for (let y = y0; y <= y1; y++) {
        dot(x0 + t, y);
        dot(x1 - t, y);
      }
    }
  }
  return encode({ width: tw, height: th, data: rgb, channels: 3, depth: 8 });
}
