/**
 * The OCR engine: tesseract.js with the English traineddata of the `@tesseract.js-data/eng`
 * package beside it, offline (never the network). Started on first use (~0.5 s, ~70–85 MB: its
 * own thread and WebAssembly heap) and kept until stopped. A run has one, in its main thread
 * (ocr-service.ts); a thread with no service to ask starts its own.
 */
import { createRequire } from 'node:module';
import { startWithSmallYoungGeneration } from '../../heap.js';
import { coreFile } from '../../package-files.js';
import { dirname, join } from 'node:path';

/** A word tesseract read, where it read it on the page. */
export interface PageWord {
  readonly text: string;
  readonly confidence: number;
  /** The word's vertical middle on the page. */
  readonly middle: number;
  /** The word's box on the page (x1, y1 exclusive). */
  readonly box: { readonly x0: number; readonly y0: number; readonly x1: number; readonly y1: number };
}

/**
 * How a page is laid out: `lines`, a stack of separate text lines (the engine's own pages, ocr.ts);
 * `sparse`, a whole image with text here and there (the verifier's look at a frame).
 */
export type PageLayout = 'lines' | 'sparse';
const PAGE_SEGMENTATION: Readonly<Record<PageLayout, string>> = { lines: '6', sparse: '11' };

interface TesseractWord {
  text: string;
  confidence: number;
  bbox: { x0: number; y0: number; x1: number; y1: number };
}
interface TesseractWorker {
  recognize(
    image: ArrayBufferLike | Buffer,
    options: object,
    output: { blocks: boolean; text: boolean },
  ): Promise<{
    data: { blocks: { paragraphs: { lines: { words: TesseractWord[] }[] }[] }[] | null };
  }>;
  setParameters(p: Record<string, string>): Promise<unknown>;
  terminate(): Promise<unknown>;
}

// From the core package's root: inside a frontend's bundle `import.meta.url` is the bundle's.
const require = createRequire(coreFile('package.json'));
let engine: Promise<TesseractWorker> | undefined;
let layout: PageLayout = 'lines';
/** Pages are read one after another: the layout is an engine-wide setting, set before each read. */
let queue: Promise<unknown> = Promise.resolve();

function ocrEngine(): Promise<TesseractWorker> {
  engine ??= (async () => {
    const { createWorker } = require('tesseract.js') as {
      createWorker: (lang: string, oem: number, options: object) => Promise<TesseractWorker>;
    };
    const langPath = join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
    // Its thread receives each page and builds each page's words: with 1 MB semi-spaces their
    // garbage goes sooner (100 ultrasound frames: a run's peak 5–10 MB lower, no slower).
    const w = await startWithSmallYoungGeneration(1, () =>
      createWorker('eng', 1, { langPath, gzip: true, cacheMethod: 'none' }),
    );
    // A page of separate lines: read each as it comes, keep spaces between words.
    await w.setParameters({ tessedit_pageseg_mode: PAGE_SEGMENTATION.lines, preserve_interword_spaces: '1' });
    return w;
  })();
  return engine;
}

/** The words on a page (a PGM or PNG image). */
export function recognizePage(image: Uint8Array, as: PageLayout = 'lines'): Promise<PageWord[]> {
  const read = queue.then(() => readPage(image, as));
  queue = read.catch(() => undefined);
  return read;
}

async function readPage(image: Uint8Array, as: PageLayout): Promise<PageWord[]> {
  const ocr = await ocrEngine();
  if (as !== layout) {
    // A sparse page is a frame at its own scale: a fixed resolution stops tesseract estimating one
    // (and printing that it did) for every page.
    await ocr.setParameters({
      tessedit_pageseg_mode: PAGE_SEGMENTATION[as],
      user_defined_dpi: as === 'sparse' ? '300' : '0',
    });
    layout = as;
  }
  const r = await ocr.recognize(wholeBuffer(image), {}, { blocks: true, text: false });
  return (r.data.blocks ?? [])
    .flatMap((b) => b.paragraphs.flatMap((p) => p.lines.flatMap((x) => x.words)))
    .map((w) => ({
      text: w.text,
      confidence: w.confidence,
      middle: (w.bbox.y0 + w.bbox.y1) / 2,
      box: { x0: w.bbox.x0, y0: w.bbox.y0, x1: w.bbox.x1, y1: w.bbox.y1 },
    }));
}

/**
 * What to hand tesseract.js: it copies a Buffer or a view (`new Uint8Array(image)`) before posting
 * it to its thread, but wraps a bare buffer; a shared one then crosses to that thread uncopied.
 */
function wholeBuffer(image: Uint8Array): ArrayBufferLike | Buffer {
  const whole = image.byteOffset === 0 && image.byteLength === image.buffer.byteLength;
  return whole ? image.buffer : Buffer.from(image.buffer, image.byteOffset, image.byteLength);
}

/** Stop the engine (a run's end); a later use starts a new one. */
export async function stopEngine(): Promise<void> {
  const e = engine;
  engine = undefined;
  layout = 'lines';
  if (e) await (await e).terminate();
}
