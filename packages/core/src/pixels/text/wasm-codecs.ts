/**
 * JPEG-LS, JPEG 2000 and HTJ2K frames decoded by the WebAssembly builds of CharLS, OpenJPEG and
 * OpenJPH that the `@cornerstonejs/codec-*` packages publish (the decoders OHIF and Cornerstone use). Each codec is
 * compiled and instantiated once per thread, synchronously, on its first frame: the scan request
 * is made inside the engine's synchronous pass, and most runs never meet either syntax.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { coreFile } from '../../package-files.js';
import type { Geometry } from './frames.js';

interface FrameInfo {
  readonly width: number;
  readonly height: number;
  readonly bitsPerSample: number;
  readonly componentCount: number;
}

/** The calls both codecs' decoders share (embind classes over the codec's C++ decoder). */
interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}
interface JpegLsDecoder extends WasmDecoder {
  /** 0: component by component (planar), 1: line by line, 2: sample by sample. */
  getInterleaveMode(): number;
  /** 0 for lossless coding, the largest error allowed otherwise. */
  getNearLossless(): number;
}
interface J2kDecoder extends WasmDecoder {
  /** The reversible (5/3) wavelet: lossless coding. */
  getIsReversible(): boolean;
}
interface Codecs {
  readonly JpegLSDecoder: new () => JpegLsDecoder;
  readonly J2KDecoder: new () => J2kDecoder;
  readonly HTJ2KDecoder: new () => J2kDecoder;
}

export interface DecodedFrame {
  /** The frame's cells, samples by pixel, 16-bit ones little endian. */
  readonly cells: Uint8Array;
  /** The frame was coded with loss (near-lossless JPEG-LS, irreversible JPEG 2000). */
  readonly lossy: boolean;
}
export type Decoded = DecodedFrame | { readonly unreadable: string };

/** The WebAssembly calls used here (the project's libs have no DOM types; @types/node 20 none). */
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: object };
}
const wasm = (globalThis as unknown as { readonly WebAssembly: WasmApi }).WebAssembly;

// From the core package's root: inside a frontend's bundle `import.meta.url` is the bundle's.
const require = createRequire(coreFile('package.json'));
const loaded = new Map<string, unknown>();

/**
 * An Emscripten module made synchronously: the factory is handed an already instantiated
 * WebAssembly instance (its `instantiateWasm` hook), so its classes exist when it returns. The
 * codec's own logging (OpenJPEG prints every tile header) is dropped.
 */
function wasmModule<M>(pkg: string, js = 'decodewasmjs', binary = 'decodewasm'): M {
  const made = loaded.get(pkg);
  if (made) return made as M;
  const factory = require(`${pkg}/${js}`) as (m: object) => unknown;
  const compiled = new wasm.Module(readFileSync(require.resolve(`${pkg}/${binary}`)));
  const module = {
    print: () => {},
    printErr: () => {},
    instantiateWasm(imports: object, receive: (instance: object) => void) {
      const instance = new wasm.Instance(compiled, imports);
      receive(instance);
      return instance.exports;
    },
  };
  factory(module);
  loaded.set(pkg, module);
  return module as M;
}

/** Runs a decoder over one frame and copies its cells out of the codec's memory. */
function run<D extends WasmDecoder, R>(
  decoder: D,
  frame: Uint8Array,
  read: (d: D, info: FrameInfo, cells: Uint8Array) => R,
): R | { unreadable: string } {
  try {
    decoder.getEncodedBuffer(frame.length).set(frame);
    decoder.decode();
    const info = decoder.getFrameInfo();
    return read(decoder, info, decoder.getDecodedBuffer());
  } catch (e) {
    // Emscripten throws a C++ exception as a number (its address): no message to give.
    return { unreadable: `it does not decode (${e instanceof Error ? e.message : 'the codec failed'})` };
  } finally {
    decoder.delete();
  }
}

/** Why the decoded frame does not fit the header, if it does not. */
function mismatch(info: FrameInfo, g: Geometry): string | undefined {
  const bytes = info.bitsPerSample <= 8 ? 1 : 2;
  if (info.width === 0 || info.height === 0) return 'it does not decode (no image in the codestream)';
  if (info.width !== g.columns || info.height !== g.rows)
    return `it is ${info.width}×${info.height}, the header says ${g.columns}×${g.rows}`;
  if (info.componentCount !== g.samples)
    return `it has ${info.componentCount} components, the header says ${g.samples} samples`;
  if (bytes !== g.bytes)
    return `it has ${info.bitsPerSample}-bit samples, the header says ${g.bytes * 8}-bit cells`;
  return undefined;
}

/** Samples stored plane after plane, put pixel by pixel. */
function interleave(planes: Uint8Array, g: Geometry): Uint8Array {
  const n = g.rows * g.columns;
  const out = new Uint8Array(planes.length);
  for (let s = 0; s < 3; s++)
    for (let i = 0; i < n; i++)
      for (let b = 0; b < g.bytes; b++)
        out[(i * 3 + s) * g.bytes + b] = planes[(s * n + i) * g.bytes + b] as number;
  return out;
}

/** One JPEG-LS frame (CharLS). */
export function decodeJpegLs(frame: Uint8Array, g: Geometry): Decoded {
  const codec = wasmModule<Codecs>('@cornerstonejs/codec-charls');
  const r = run(new codec.JpegLSDecoder(), frame, (d, info, cells): Decoded => {
    const wrong = mismatch(info, g);
    if (wrong) return { unreadable: wrong };
    // Interleave mode 0 (by component) comes out plane by plane; lines and samples by pixel.
    const copy =
      g.samples === 3 && d.getInterleaveMode() === 0 ? interleave(cells, g) : Uint8Array.from(cells);
    return { cells: copy, lossy: d.getNearLossless() !== 0 };
  });
  return 'unreadable' in r ? { unreadable: `a JPEG-LS frame: ${r.unreadable}` } : r;
}

/** One JPEG 2000 frame (OpenJPEG), its colour transform (YBR_ICT, YBR_RCT) undone to RGB. */
export function decodeJpeg2000(frame: Uint8Array, g: Geometry): Decoded {
  const codec = wasmModule<Codecs>('@cornerstonejs/codec-openjpeg');
  const r = run(new codec.J2KDecoder(), frame, (d, info, cells): Decoded => {
    const wrong = mismatch(info, g);
    if (wrong) return { unreadable: wrong };
    return { cells: Uint8Array.from(cells), lossy: !d.getIsReversible() };
  });
  return 'unreadable' in r ? { unreadable: `a JPEG 2000 frame: ${r.unreadable}` } : r;
}

/** One HTJ2K frame (OpenJPH, its package names its files otherwise); reversible: lossless. */
export function decodeHtj2k(frame: Uint8Array, g: Geometry): Decoded {
  const codec = wasmModule<Codecs>('@cornerstonejs/codec-openjph', 'wasmjs', 'wasm');
  const r = run(new codec.HTJ2KDecoder(), frame, (d, info, cells): Decoded => {
    const wrong = mismatch(info, g);
    if (wrong) return { unreadable: wrong };
    return { cells: Uint8Array.from(cells), lossy: !d.getIsReversible() };
  });
  return 'unreadable' in r ? { unreadable: `an HTJ2K frame: ${r.unreadable}` } : r;
}
