/**
 * The key's file records without holding them: those already in the key file stay there, read
 * back a block at a time when asked for; only the records added since the last fold are in
 * memory. Two hash indexes (source path, output path) name each record's candidates in 8 bytes
 * apiece, so resume and conflict checks cost a block read, not the whole list: memory does not
 * grow with the files a key has seen, only by 17 bytes a record. A record's identity includes its
 * output path, so the output path's candidates are also those of a record the same as a new one.
 *
 * Records are numbered in the order they were added (their ordinal). A record seen again (the
 * same identity, see fileRecordId) supersedes the older one; an output dcmblind removed kills
 * the records of it added before the removal. Both only mark older records dead: the log in
 * the key file is never rewritten in place.
 */
import { type FolderGroup, FolderGroups } from './folder-groups.js';
import { HashIndex, hash32, type PairBuffer } from './hash-index.js';
import { type FileRecord, fileRecordId, type RemovedRecord, recordOfOutput } from './records.js';

/** Reads the file records of one block of the key file (the store knows how). */
export type BlockReader = (block: number) => readonly FileRecord[];

interface Segment {
  readonly block: number;
  readonly first: number;
  readonly count: number;
}

/** A removal read from the key file: it applies to the records added before it. */
export interface LoadedRemoval {
  readonly record: RemovedRecord;
  readonly before: number;
}

/** What reading the key file's blocks found, to build the records from. */
export interface LoadedRecords {
  readonly reader: BlockReader;
  readonly segments: ReadonlyArray<{ block: number; count: number }>;
  readonly bySource: PairBuffer;
  readonly byOutput: PairBuffer;
  readonly byId: PairBuffer;
  readonly removals: readonly LoadedRemoval[];
  readonly groups: FolderGroups;
}

/** Decoded blocks kept: a run reads records in about the order they were written. */
const CACHED_BLOCKS = 8;

export function removes(g: RemovedRecord, f: FileRecord): boolean {
  return (
    f.outputPath === g.outputPath &&
    recordOfOutput(f, g.outputId, g.configId) &&
    (g.sourceSha256 === undefined || g.sourceSha256 === f.sourceSha256)
  );
}

export class FileRecords implements Iterable<FileRecord> {
  #segments: Segment[] = [];
  /** Ordinals below this are in the key file. */
  #persisted = 0;
  #pending: FileRecord[] = [];
  #dead = new Uint8Array(1024);
  #deadCount = 0;
  #bySource: HashIndex;
  #byOutput: HashIndex;
  #groups: FolderGroups;
  #reader: BlockReader | undefined;
  #cache = new Map<number, readonly FileRecord[]>();

  constructor(loaded?: LoadedRecords) {
    this.#reader = loaded?.reader;
    this.#groups = loaded?.groups ?? new FolderGroups();
    this.#bySource = new HashIndex(loaded?.bySource);
    this.#byOutput = new HashIndex(loaded?.byOutput);
    for (const s of loaded?.segments ?? []) this.#addSegment(s.block, s.count);
    if (loaded) this.#settleLoaded(new HashIndex(loaded.byId), loaded.removals);
  }

  /** Take over what `other` holds (the key file was rewritten and read again). */
  adopt(other: FileRecords): void {
    this.#segments = other.#segments;
    this.#persisted = other.#persisted;
    this.#pending = other.#pending;
    this.#dead = other.#dead;
    this.#deadCount = other.#deadCount;
    this.#bySource = other.#bySource;
    this.#byOutput = other.#byOutput;
    this.#groups = other.#groups;
    this.#reader = other.#reader;
    this.#cache = other.#cache;
  }

  /** Live records. */
  get size(): number {
    return this.#persisted + this.#pending.length - this.#deadCount;
  }

  /** Records the key file holds that are dead (superseded or removed): what a rewrite would drop. */
  get deadCount(): number {
    return this.#deadCount;
  }

  /** Records added since the last fold (they are in the journal, not yet in the key file). */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Live records of this source path. */
  bySource(path: string): FileRecord[] {
    return this.#find(this.#bySource, hash32(path), (f) => f.sourcePath === path);
  }

  /** Live records of this output path (of any output: the caller tells which it wants). */
  byOutput(outputPath: string): FileRecord[] {
    return this.#find(this.#byOutput, hash32(outputPath), (f) => f.outputPath === outputPath);
  }

  /** Add a record (from the journal, or a run): a record of the same identity is superseded. */
  add(f: FileRecord): void {
    const id = fileRecordId(f);
    const h = hash32(f.outputPath);
    for (const o of this.#byOutput.candidates(h))
      if (this.#live(o) && fileRecordId(this.#get(o)) === id) this.#kill(o);
    const ord = this.#persisted + this.#pending.length;
    this.#pending.push(f);
    this.#bySource.add(hash32(f.sourcePath), ord);
    this.#byOutput.add(h, ord);
    this.#groups.note(ord, f);
  }

  /** An output dcmblind removed: its records added so far go. */
  remove(g: RemovedRecord): void {
    for (const o of this.#byOutput.candidates(hash32(g.outputPath)))
      if (this.#live(o) && removes(g, this.#get(o))) this.#kill(o);
  }

  *[Symbol.iterator](): Generator<FileRecord> {
    for (const s of this.#segments) {
      const records = this.#block(s.block);
      for (let i = 0; i < s.count; i++) if (this.#live(s.first + i)) yield records[i] as FileRecord;
    }
    for (let i = 0; i < this.#pending.length; i++)
      if (this.#live(this.#persisted + i)) yield this.#pending[i] as FileRecord;
  }

  /** The live records' folder groups (key/folder-groups.ts); undefined when too many to keep. */
  folderGroups(): FolderGroup[] | undefined {
    return this.#groups.live();
  }

  /** Every live record in a list (custodian reports, tests): memory grows with the key. */
  toArray(): FileRecord[] {
    return [...this];
  }

  /**
   * The first `count` pending records are now in the key file's block `block`: they leave
   * memory. Called by the store once a fold is committed, block by block in order.
   */
  persisted(block: number, count: number): void {
    this.#addSegment(block, count);
    this.#pending = this.#pending.slice(count);
    if (this.#pending.length === 0) {
      this.#bySource.settle();
      this.#byOutput.settle();
    }
  }

  #addSegment(block: number, count: number): void {
    if (count === 0) return;
    this.#segments.push({ block, first: this.#persisted, count });
    this.#persisted += count;
  }

  /**
   * Supersede duplicates and apply removals read from the key file (see LoadedRemoval). `byId`
   * (records by their identity's hash) is built for this alone: records found the same later
   * are found among their output path's candidates.
   */
  #settleLoaded(byId: HashIndex, removals: readonly LoadedRemoval[]): void {
    for (const group of byId.sharedHashes()) {
      const newest = new Map<string, number>();
      for (const o of group.sort((a, b) => a - b)) {
        const id = fileRecordId(this.#get(o));
        const older = newest.get(id);
        if (older !== undefined) this.#kill(older);
        newest.set(id, o);
      }
    }
    for (const { record: g, before } of removals)
      for (const o of this.#byOutput.candidates(hash32(g.outputPath)))
        if (o < before && this.#live(o) && removes(g, this.#get(o))) this.#kill(o);
  }

  #find(index: HashIndex, hash: number, match: (f: FileRecord) => boolean): FileRecord[] {
    const out: Array<[number, FileRecord]> = [];
    for (const o of index.candidates(hash)) {
      if (!this.#live(o)) continue;
      const f = this.#get(o);
      if (match(f)) out.push([o, f]);
    }
    return out.sort((a, b) => a[0] - b[0]).map(([, f]) => f);
  }

  #live(ord: number): boolean {
    return ((this.#dead[ord >>> 3] ?? 0) & (1 << (ord & 7))) === 0;
  }

  #kill(ord: number): void {
    if (!this.#live(ord)) return;
    if (ord >>> 3 >= this.#dead.length) {
      const grown = new Uint8Array(Math.max(this.#dead.length * 2, (ord >>> 3) + 1));
      grown.set(this.#dead);
      this.#dead = grown;
    }
    this.#dead[ord >>> 3] = (this.#dead[ord >>> 3] as number) | (1 << (ord & 7));
    this.#deadCount++;
    this.#groups.died(ord);
  }

  #get(ord: number): FileRecord {
    if (ord >= this.#persisted) return this.#pending[ord - this.#persisted] as FileRecord;
    let lo = 0;
    let hi = this.#segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.#segments[mid] as Segment).first <= ord) lo = mid;
      else hi = mid - 1;
    }
    const s = this.#segments[lo] as Segment;
    return this.#block(s.block)[ord - s.first] as FileRecord;
  }

  #block(block: number): readonly FileRecord[] {
    const hit = this.#cache.get(block);
    if (hit) {
      this.#cache.delete(block);
      this.#cache.set(block, hit);
      return hit;
    }
    if (!this.#reader) throw new Error('file records: no key file to read a block from');
    const records = this.#reader(block);
    this.#cache.set(block, records);
    if (this.#cache.size > CACHED_BLOCKS) this.#cache.delete(this.#cache.keys().next().value as number);
    return records;
  }

  /** Where blocks are read from (a new key's first fold gives it one). */
  readFrom(reader: BlockReader): void {
    this.#reader = reader;
  }
}
