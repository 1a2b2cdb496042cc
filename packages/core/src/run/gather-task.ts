/**
 * The header pass, worker side: one file's identifying values and the patient they belong to,
 * read from its head (the whole file up to 2 MB, else the first 256 KB, more while its header
 * runs longer, up to 32 MB) and its tail (elements after the pixel data). Nothing is written.
 * A file that does not parse gathers nothing; the main pass reports it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { patientKey } from '../deid/deidentify.js';
import { type FirstPass, firstPass } from '../deid/identifying.js';
import { NeedWholeFile, type ParsedFile, parseHead, parseHeadTail, TAIL_MAX } from '../dicom/reader.js';
import type { CompiledProfile } from '../profile/rules.js';
import { encodeValue } from '../scrub/cohort.js';
import { beyondHead, readExactly } from './head-tail.js';
import { namesPatient } from './layout.js';

export interface GatherTask {
  readonly kind: 'gather';
  readonly absPath: string;
  /** Set under the mirror layout: the path whose folders may be named after the patient. */
  readonly relPath?: string;
  readonly bytes?: Uint8Array;
}

export interface Gathered {
  readonly kind: 'gathered';
  /** undefined: nothing could be read (the main pass says why). */
  readonly patientKey?: string;
  /** The file's identifying values but UIDs and dates, encoded (scrub/cohort.ts). */
  readonly values: readonly string[];
  /** Folders of its relative path named after its patient (mirror layout). */
  readonly patientFolders?: readonly string[];
}

/** The folders of a relative path (not the file) that name the file's patient. */
function patientFoldersOf(relPath: string, first: FirstPass): string[] {
  const parts = relPath.split('/');
  const out: string[] = [];
  const names = namesPatient(first);
  for (let i = 0; i < parts.length - 1; i++)
    if (names(parts[i] as string)) out.push(parts.slice(0, i + 1).join('/'));
  return out;
}

/**
 * What the header pass reads of a file: its first 64 KB (a CT slice's header is ~10 KB), and
 * when elements follow the pixel data (a vendor's trailing padding, a signature), the file's
 * tail from there (run/head-tail.ts). Reading a 400 KB slice whole cost as much as parsing it.
 * Smaller files are read whole.
 */
const HEAD = 64 * 1024;
/** One read buffer per thread, reused: nothing of a file outlives its gatherOne. */
const headBuffer = Buffer.allocUnsafe(HEAD);

function readHead(path: string): { bytes: Uint8Array; length: number; fd: number } {
  const fd = openSync(path, 'r');
  const length = fstatSync(fd).size;
  const bytes = headBuffer.subarray(0, Math.min(length, HEAD));
  let off = 0;
  while (off < bytes.length) {
    const n = readSync(fd, bytes, off, bytes.length - off, off);
    if (n === 0) break;
    off += n;
  }
  return { bytes: bytes.subarray(0, off), length, fd };
}

/**
 * How many bytes of elements followed the pixel data of this thread's last file (0: none). The
 * files of a series are alike: with a vendor's trailing padding on one, the next is first read
 * as head and tail, rather than parsed from its head alone to learn that it has a tail.
 */
let lastTailLength = 0;

/** The file parsed as head and tail, assuming its tail is as long as the last one's. */
function asLastOne(fd: number, length: number, head: Uint8Array): ParsedFile | undefined {
  const at = length - lastTailLength;
  if (lastTailLength === 0 || at < head.length || lastTailLength > TAIL_MAX) return undefined;
  const tail = Buffer.allocUnsafe(lastTailLength);
  readExactly(fd, tail, at);
  try {
    // Only a final pixel data element that ends exactly there is taken as such (else it throws).
    return parseHeadTail(head, tail, at);
  } catch {
    return undefined; // a wrong guess: the usual way gives the real verdict
  }
}

/**
 * A big file parsed from its head, or from a longer head and its tail as the work pass does
 * (run/head-tail.ts): the pixel data is never read. A header past 32 MB gathers nothing (its
 * work pass says why).
 */
function parseBig(fd: number, length: number, head: Uint8Array): ParsedFile {
  const likeLast = asLastOne(fd, length, head);
  if (likeLast) return likeLast;
  try {
    const parsed = parseHead(head, length);
    lastTailLength = 0;
    return parsed;
  } catch (e) {
    if (!(e instanceof NeedWholeFile)) throw e;
    lastTailLength = e.tailAt === undefined ? 0 : length - e.tailAt;
    const found = beyondHead(fd, length, head, e, (longer, tail) =>
      tail ? parseHeadTail(longer, tail.bytes, tail.at) : parseHead(longer, length),
    );
    if (!found) throw e;
    return found.result;
  }
}

export function gatherOne(task: GatherTask, profile: CompiledProfile, scope: 'global' | 'issuer'): Gathered {
  let fd: number | undefined;
  try {
    let parsed: ReturnType<typeof parseHead>;
    if (task.bytes) parsed = parseHead(task.bytes, task.bytes.length);
    else {
      const head = readHead(task.absPath);
      fd = head.fd;
      parsed = parseBig(head.fd, head.length, head.bytes);
    }
    const first = firstPass(parsed.data, parsed.dataset, profile);
    return {
      kind: 'gathered',
      patientKey: patientKey(first.identity, scope),
      // Other files' UIDs and dates do not travel: patterns find dates in text, and a file's own
      // UIDs are its own file's business (pooling them would cost every text thousands of searches).
      values: first.values.filter((v) => v.category !== 'uid' && v.category !== 'date').map(encodeValue),
      ...(task.relPath ? { patientFolders: patientFoldersOf(task.relPath, first) } : {}),
    };
  } catch {
    return { kind: 'gathered', values: [] };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
