/**
 * Reading and writing a format-2 key file: the header, then a log of sealed blocks
 * (blocks.ts). Reading applies every committed block to a payload but keeps no file record:
 * it notes where each record is (block, ordinal) and hashes its source path, output path and
 * identity for the indexes (file-records.ts). Writing appends a batch of entries in place
 * (E blocks, fsync, C block, fsync: a crash leaves either the batch committed or ignored), or
 * writes a whole new file next to the old one and renames it over (a new key, a rewrite).
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, writeSync } from 'node:fs';
import { DcmblindError } from '../errors.js';
import { writeChunksAtomic } from './atomic.js';
import {
  BLOCK_ENTRIES,
  type BlockInfo,
  decodeEntries,
  encodeBlock,
  encodeEntries,
  frameAt,
  openBlock,
} from './blocks.js';
import { FileRecords, type LoadedRemoval } from './file-records.js';
import { FolderGroups } from './folder-groups.js';
import { hash32, PairBuffer } from './hash-index.js';
import { openKeyFile, readAt } from './key-file.js';
import {
  applyHeadEntry,
  type FileRecord,
  fileRecordId,
  type JournalEntry,
  type KeyEntry,
  type KeyPayload,
} from './records.js';

/** An E block of the log, with how many file records it holds. */
export interface LogBlock extends BlockInfo {
  readonly files: number;
}

export interface KeyLogSeal {
  readonly fileKey: Uint8Array;
  /** The header's bytes. */
  readonly aad: Uint8Array;
}

/** An open key file: blocks are read through its descriptor (a reader keeps reading the file it
 * opened, even once a rewrite renamed a new one over its name). */
export interface KeyFileHandle {
  readonly path: string;
  readonly fd: number;
}

export interface LoadedLog {
  readonly payload: KeyPayload;
  /** The committed E blocks, in order (file records name them by index). */
  readonly blocks: LogBlock[];
  /** Where the committed log ends (a writer cuts off anything after it). */
  readonly end: number;
  /** Whether blocks follow the last commit (a fold cut short by a crash). */
  readonly uncommitted: boolean;
}

/** The frames of every block after the header, up to the file's end or a torn block. */
function scanFrames(fd: number, from: number): BlockInfo[] {
  const size = fstatSync(fd).size;
  const frames: BlockInfo[] = [];
  for (let at = from; at < size; ) {
    const info = frameAt(readAt(fd, at, 5), at, size);
    if (!info) break;
    frames.push(info);
    at += info.size;
  }
  return frames;
}

function unreadable(path: string): DcmblindError {
  return new DcmblindError('E_KEY_PASSPHRASE', `wrong passphrase, or ${path} is damaged or was altered`);
}

/** The plaintext of one block, read from the file now. */
function readBlock(file: KeyFileHandle, info: BlockInfo, seal: KeyLogSeal): Buffer {
  const plain = openBlock(readAt(file.fd, info.at, info.size), info, seal.fileKey, seal.aad);
  if (!plain) throw unreadable(file.path);
  return plain;
}

/** The entries of one E block (the decrypted bytes are wiped once decoded). */
function blockEntries(
  file: KeyFileHandle,
  info: BlockInfo,
  seal: KeyLogSeal,
): Array<JournalEntry | KeyEntry> {
  const plain = readBlock(file, info, seal);
  try {
    return decodeEntries(plain, file.path);
  } finally {
    plain.fill(0);
  }
}

/** The file records of one E block, in order. */
export function readFileRecords(file: KeyFileHandle, info: BlockInfo, seal: KeyLogSeal): FileRecord[] {
  return blockEntries(file, info, seal).flatMap((e) => (e.type === 'file' ? [e.record] : []));
}

/** A payload with nothing in it yet (its identity comes from the log's first entry). */
function emptyPayload(files: FileRecords): KeyPayload {
  return {
    format: 1,
    project: '',
    createdAt: '',
    secret: '',
    journalId: '',
    patients: {},
    files,
    runs: [],
  };
}

/** Read a format-2 key file open on `fd`: its committed entries applied, its file records indexed. */
export function loadLog(file: KeyFileHandle, seal: KeyLogSeal): LoadedLog {
  const frames = scanFrames(file.fd, seal.aad.length);
  let lastCommit = -1;
  for (let i = frames.length - 1; i >= 0; i--)
    if ((frames[i] as BlockInfo).kind === 'C') {
      lastCommit = i;
      break;
    }
  const committed = frames.slice(0, lastCommit + 1);
  const blocks: LogBlock[] = [];
  const bySource = new PairBuffer();
  const byOutput = new PairBuffer();
  const byId = new PairBuffer();
  const removals: LoadedRemoval[] = [];
  const groups = new FolderGroups();
  const head = emptyPayload(new FileRecords());
  let identity: KeyEntry['record'] | undefined;
  let ord = 0;
  for (const info of committed) {
    if (info.kind === 'C') {
      readBlock(file, info, seal); // authentic, or the file was altered
      continue;
    }
    let files = 0;
    for (const e of blockEntries(file, info, seal)) {
      if (e.type === 'key') identity = e.record;
      else if (e.type === 'file') {
        bySource.push(hash32(e.record.sourcePath), ord);
        byOutput.push(hash32(e.record.outputPath), ord);
        byId.push(hash32(fileRecordId(e.record)), ord);
        groups.note(ord, e.record);
        ord++;
        files++;
      } else if (e.type === 'removed') removals.push({ record: e.record, before: ord });
      else applyHeadEntry(head, e);
    }
    blocks.push({ ...info, files });
  }
  if (!identity) throw unreadable(file.path);
  const files = new FileRecords({
    reader: (block) => readFileRecords(file, blocks[block] as LogBlock, seal),
    segments: blocks.map((b, block) => ({ block, count: b.files })),
    bySource,
    byOutput,
    byId,
    removals,
    groups,
  });
  const payload: KeyPayload = { ...head, ...identity, files };
  const last = committed.at(-1);
  const end = last ? last.at + last.size : seal.aad.length;
  return { payload, blocks, end, uncommitted: fstatSync(file.fd).size > end };
}

/** Cut off what follows the committed log (a fold a crash cut short; its entries are in the journal). */
export function dropUncommitted(path: string, end: number): void {
  const fd = openKeyFile(path, 'r+');
  try {
    ftruncateSync(fd, end);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, buf: Uint8Array, at?: number): void {
  let off = 0;
  while (off < buf.length)
    off += writeSync(fd, buf, off, buf.length - off, at === undefined ? null : at + off);
}

/** Entries as sealed E blocks starting at `at`, made one at a time (a rewrite streams them). */
function* entryBlocks(
  entries: Iterable<JournalEntry | KeyEntry>,
  at: number,
  seal: KeyLogSeal,
): Generator<{ block: Buffer; info: LogBlock }> {
  let batch: Array<JournalEntry | KeyEntry> = [];
  function* flush(): Generator<{ block: Buffer; info: LogBlock }> {
    if (batch.length === 0) return;
    const files = batch.filter((e) => e.type === 'file').length;
    const block = encodeBlock('E', encodeEntries(batch), at, seal.fileKey, seal.aad);
    yield { block, info: { at, size: block.length, kind: 'E', files } };
    at += block.length;
    batch = [];
  }
  for (const e of entries) {
    batch.push(e);
    if (batch.length >= BLOCK_ENTRIES) yield* flush();
  }
  yield* flush();
}

function commitBlock(at: number, blocks: number, seal: KeyLogSeal): Buffer {
  return encodeBlock('C', Buffer.from(JSON.stringify({ blocks }), 'utf8'), at, seal.fileKey, seal.aad);
}

/**
 * Append entries to the committed log ending at `end`: E blocks, fsync, then the commit. Until
 * the commit is durable the entries count only in the journal.
 */
export function appendLog(
  path: string,
  end: number,
  entries: readonly JournalEntry[],
  seal: KeyLogSeal,
): { blocks: LogBlock[]; end: number } {
  const fd = openKeyFile(path, 'r+');
  try {
    const blocks: LogBlock[] = [];
    let at = end;
    for (const { block, info } of entryBlocks(entries, end, seal)) {
      writeAll(fd, block, info.at);
      blocks.push(info);
      at = info.at + info.size;
    }
    fsyncSync(fd);
    const commit = commitBlock(at, blocks.length, seal);
    writeAll(fd, commit, at);
    fsyncSync(fd);
    return { blocks, end: at + commit.length };
  } finally {
    closeSync(fd);
  }
}

/**
 * Write a whole key file: header and entries (streamed: file records may be read from the old
 * file while the new one is written next to it), committed, then renamed over `path`.
 */
export function writeLog(path: string, entries: Iterable<JournalEntry | KeyEntry>, seal: KeyLogSeal): void {
  function* chunks(): Generator<Uint8Array> {
    yield seal.aad;
    let at = seal.aad.length;
    let count = 0;
    for (const { block, info } of entryBlocks(entries, at, seal)) {
      yield block;
      at = info.at + info.size;
      count++;
    }
    yield commitBlock(at, count, seal);
  }
  writeChunksAtomic(path, chunks());
}
