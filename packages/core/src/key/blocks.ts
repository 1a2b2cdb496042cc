/**
 * The blocks of a key file (format 2). After the header, the key file is a log of sealed
 * blocks, each `u32 length ‖ kind ‖ sealed body`:
 * - `E`: a batch of journal entries (deflated JSON; file records as rows of values, the
 *   field names once per block: they are most of a record's bytes);
 * - `C`: a commit. A batch of E blocks counts only once a C block follows it; what comes after
 *   the last C (a fold cut short by a crash) is ignored, and cut off by the next writer.
 * Every block is sealed under the file key with the header, its kind and its offset as
 * associated data: a block cannot be moved, replayed from another key file or relabelled.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { DcmblindError } from '../errors.js';
import { open, seal } from './crypto.js';
import type { FileRecord, JournalEntry, KeyEntry } from './records.js';

export type BlockKind = 'E' | 'C';

/** Entries a block holds at most (its file records are read back together, so they stay few). */
export const BLOCK_ENTRIES = 512;

export interface BlockInfo {
  readonly at: number;
  /** Bytes of the whole block, framing included. */
  readonly size: number;
  readonly kind: BlockKind;
}

/** Every field a file record may have, in the order rows store them. */
const FILE_FIELDS: ReadonlyArray<keyof FileRecord> = [
  'pseudonym',
  'site',
  'sourcePath',
  'sourceSha256',
  'sourceSize',
  'sourceMtimeMs',
  'outputPath',
  'outputSize',
  'outputId',
  'sourceStudyUID',
  'sourceSeriesUID',
  'sourceSOPInstanceUID',
  'sourceStudyDate',
  'sourceArchive',
  'sourceArchiveSha256',
  'profile',
  'options',
  'engineVersion',
  'configId',
  'runId',
];

interface EntriesBody {
  /** The field names of the rows below. */
  readonly k: readonly string[];
  /** A file record as a row of values (null: absent), any other entry as it is. */
  readonly e: ReadonlyArray<unknown[] | JournalEntry | KeyEntry>;
}

function aadOf(headerAad: Uint8Array, kind: BlockKind, at: number): Buffer {
  const tail = Buffer.alloc(9);
  tail.write(kind, 0, 'latin1');
  tail.writeBigUInt64BE(BigInt(at), 1);
  return Buffer.concat([headerAad, tail]);
}

/** One sealed block, framed, for the file offset `at`. */
export function encodeBlock(
  kind: BlockKind,
  plain: Uint8Array,
  at: number,
  fileKey: Uint8Array,
  headerAad: Uint8Array,
): Buffer {
  const sealed = seal(fileKey, plain, aadOf(headerAad, kind, at));
  const frame = Buffer.alloc(5);
  frame.writeUInt32BE(sealed.length + 1);
  frame.write(kind, 4, 'latin1');
  return Buffer.concat([frame, sealed]);
}

/** The plaintext of a block read whole from the file; undefined when it does not open. */
export function openBlock(
  block: Buffer,
  info: BlockInfo,
  fileKey: Uint8Array,
  headerAad: Uint8Array,
): Buffer | undefined {
  return open(fileKey, block.subarray(5), aadOf(headerAad, info.kind, info.at));
}

/** The framing of the block at `at` (from its first 5 bytes), or undefined past a torn end. */
export function frameAt(first5: Buffer, at: number, fileSize: number): BlockInfo | undefined {
  if (first5.length < 5) return undefined;
  const size = first5.readUInt32BE(0) + 4;
  const kind = first5.toString('latin1', 4, 5);
  if ((kind !== 'E' && kind !== 'C') || size < 5 + 28 || at + size > fileSize) return undefined;
  return { at, size, kind };
}

export function encodeEntries(entries: ReadonlyArray<JournalEntry | KeyEntry>): Buffer {
  const body: EntriesBody = {
    k: FILE_FIELDS,
    e: entries.map((e) => (e.type === 'file' ? FILE_FIELDS.map((f) => e.record[f] ?? null) : e)),
  };
  return deflateRawSync(Buffer.from(JSON.stringify(body), 'utf8'), { level: 1 });
}

export function decodeEntries(plain: Buffer, where: string): Array<JournalEntry | KeyEntry> {
  let body: EntriesBody;
  try {
    body = JSON.parse(inflateRawSync(plain).toString('utf8')) as EntriesBody;
  } catch {
    throw new DcmblindError('E_KEY_FORMAT', `${where}: a block of the key does not decode`);
  }
  return body.e.map((item) => {
    if (!Array.isArray(item)) return item;
    const record: Record<string, unknown> = {};
    for (let i = 0; i < body.k.length; i++) if (item[i] !== null) record[body.k[i] as string] = item[i];
    return { type: 'file', record: record as unknown as FileRecord };
  });
}
