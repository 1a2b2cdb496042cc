/**
 * One OCR engine for the whole run. Each engine is a thread and a WebAssembly heap of 70–85 MB;
 * one per worker thread put a run with burned-in text at 374 MB, over the memory budget. The
 * run's main thread owns the engine (it is idle most of the time) and answers the workers over a
 * BroadcastChannel — no ports to hand out, any number of workers. Requests carry the asking
 * thread's id, so each worker keeps only its own answers. Tesseract reads one page at a time
 * whoever asks; the workers meanwhile find the candidate lines of their next frames.
 */
import { BroadcastChannel, threadId } from 'node:worker_threads';
import { type PageWord, recognizePage, stopEngine } from './ocr-engine.js';

interface Request {
  readonly kind: 'ocr';
  readonly id: string;
  readonly pgm: Uint8Array;
}
type Reply =
  | { readonly kind: 'words'; readonly id: string; readonly words: PageWord[] }
  | { readonly kind: 'failed'; readonly id: string; readonly message: string };

/** The main thread's side: reads the pages the workers send. */
export class OcrService {
  readonly name: string;
  readonly #channel: BroadcastChannel;

  constructor(name: string) {
    this.name = name;
    this.#channel = new BroadcastChannel(name);
    this.#channel.onmessage = (ev) => {
      const m = (ev as MessageEvent).data as Request | Reply;
      if (m.kind === 'ocr') void this.#serve(m);
    };
    // Listening must not keep a finished process alive.
    this.#channel.unref();
  }

  async #serve(r: Request): Promise<void> {
    let reply: Reply;
    try {
      reply = { kind: 'words', id: r.id, words: await recognizePage(r.pgm) };
    } catch (e) {
      reply = { kind: 'failed', id: r.id, message: (e as Error).message };
    }
    this.#channel.postMessage(reply);
  }

  async close(): Promise<void> {
    this.#channel.close();
    await stopEngine();
  }
}

/** A worker's side: the channel it asks on, when the run has a service. */
let client: { channel: BroadcastChannel; pending: Map<string, (r: Reply) => void>; next: number } | undefined;

/** Send this thread's pages to the run's service named `name`. */
export function useOcrService(name: string): void {
  const channel = new BroadcastChannel(name);
  const pending = new Map<string, (r: Reply) => void>();
  channel.onmessage = (ev) => {
    const m = (ev as MessageEvent).data as Request | Reply;
    if (m.kind === 'ocr') return; // another worker's request
    const settle = pending.get(m.id);
    if (!settle) return; // another worker's answer
    pending.delete(m.id);
    settle(m);
  };
  channel.unref();
  client = { channel, pending, next: 0 };
}

/** The words on a page: from the run's service when there is one, else from this thread's engine. */
export function recognize(pgm: Uint8Array): Promise<PageWord[]> {
  const c = client;
  if (!c) return recognizePage(pgm);
  const id = `${threadId}:${c.next++}`;
  return new Promise<PageWord[]>((resolve, reject) => {
    c.pending.set(id, (r) =>
      r.kind === 'words' ? resolve(r.words) : reject(new Error(`OCR failed: ${r.message}`)),
    );
    c.channel.postMessage({ kind: 'ocr', id, pgm } satisfies Request);
  });
}
