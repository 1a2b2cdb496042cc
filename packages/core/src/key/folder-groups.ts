/**
 * The key's file records grouped by folder: records with the same source folder, output folder
 * and pseudonym, placed by the same run into the same output, say the same of their folders. A
 * run's folder ledger (run/folders.ts) needs each live group once, not every record: a key of a
 * million files in ten thousand series folders gives ten thousand groups, held here, instead of a
 * million records decoded block after block (a no-op rerun's single biggest cost before).
 *
 * Exact: a group is named by those strings themselves, never a hash of them. Files one to a
 * folder would make as many groups as records; past MAX_GROUPS the grouping is given up and
 * callers read every record as before.
 */
import type { FileRecord } from './records.js';

const MAX_GROUPS = 1 << 15;
const NONE = 0xffffffff;

/** What the records of a group share: their folders (dirOf: no file name), and who placed them where. */
export interface FolderGroup {
  readonly sourceFolder: string;
  readonly outputFolder: string;
  readonly pseudonym: string;
  readonly outputId?: string;
  readonly configId: string;
  readonly runId: string;
}

/**
 * A path's folder with its trailing slash (`a/b/`, `/`), '' for a bare name: `dirOf(p) + name` is
 * a path beside p.
 */
export const dirOf = (path: string): string => path.slice(0, path.lastIndexOf('/') + 1);

/** Everything a record's group stands for (see the module comment). */
function groupKey(f: FileRecord): string {
  // JSON: unambiguous whatever characters a (zip entry's) folder name holds.
  return JSON.stringify([
    dirOf(f.sourcePath),
    dirOf(f.outputPath),
    f.pseudonym,
    f.outputId ?? '',
    f.configId,
    f.runId,
  ]);
}

/** Whether two records fall in one group, without making their keys. */
function sameGroup(a: FileRecord, b: FileRecord): boolean {
  return (
    a.pseudonym === b.pseudonym &&
    a.runId === b.runId &&
    a.configId === b.configId &&
    a.outputId === b.outputId &&
    sameFolder(a.sourcePath, b.sourcePath) &&
    sameFolder(a.outputPath, b.outputPath)
  );
}

const sameFolder = (a: string, b: string): boolean => {
  const n = a.lastIndexOf('/');
  return n === b.lastIndexOf('/') && a.startsWith(b.slice(0, n + 1));
};

export class FolderGroups {
  #ids: Map<string, number> | undefined = new Map();
  /** Per group: how many of its records are live. */
  #live: number[] = [];
  /** Per record ordinal: its group. */
  #groupOf = new Uint32Array(1024).fill(NONE);

  /** The last record noted and its group: a folder's records come one after another. */
  #last: { readonly f: FileRecord; readonly g: number } | undefined;

  /** Record `ord` (read from the key file or added by a run) is `f`. */
  note(ord: number, f: FileRecord): void {
    if (!this.#ids) return;
    let g = this.#last && sameGroup(this.#last.f, f) ? this.#last.g : undefined;
    if (g === undefined) {
      const key = groupKey(f);
      g = this.#ids.get(key);
      if (g === undefined) {
        if (this.#ids.size >= MAX_GROUPS) {
          this.#giveUp();
          return;
        }
        g = this.#live.length;
        this.#ids.set(key, g);
        this.#live.push(0);
      }
    }
    if (ord >= this.#groupOf.length) {
      const grown = new Uint32Array(Math.max(this.#groupOf.length * 2, ord + 1)).fill(NONE);
      grown.set(this.#groupOf);
      this.#groupOf = grown;
    }
    this.#groupOf[ord] = g;
    this.#live[g] = (this.#live[g] as number) + 1;
    this.#last = { f, g };
  }

  /** Record `ord` was live and is dead now (superseded, or its output removed). */
  died(ord: number): void {
    if (!this.#ids) return;
    const g = this.#groupOf[ord];
    if (g !== undefined && g !== NONE) this.#live[g] = (this.#live[g] as number) - 1;
  }

  /** Every group with a live record, in the order first met; undefined once the grouping was given up. */
  live(): FolderGroup[] | undefined {
    if (!this.#ids) return undefined;
    const out: FolderGroup[] = [];
    for (const [key, g] of this.#ids) {
      if ((this.#live[g] as number) <= 0) continue;
      const [sourceFolder, outputFolder, pseudonym, outputId, configId, runId] = JSON.parse(key) as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      out.push({ sourceFolder, outputFolder, pseudonym, configId, runId, ...(outputId ? { outputId } : {}) });
    }
    return out;
  }

  #giveUp(): void {
    this.#ids = undefined;
    this.#last = undefined;
    this.#live = [];
    this.#groupOf = new Uint32Array(0);
  }
}
