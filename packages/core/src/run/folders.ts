/**
 * Mirror layout: a source folder's name is kept in an output path only when it identifies
 * nobody. Judged from one file's own values, a folder named after one patient that also holds
 * another patient's file would be kept in clear for the stranger's file. So the run first learns,
 * from every input's header (run/gather.ts, all shards' inputs too) and from earlier runs'
 * outputs (this ledger), which folders are named after their patient; a stranger's file there
 * goes under a keyed label instead, whatever order files come in and whichever shard writes it.
 * This ledger is the safety net behind that: an output that kept such a name in clear (an
 * earlier run's, written before the patient's own files arrived; a file whose header could not
 * be read in the header pass) is refused or named for removal at the end of the run.
 * Folders replaced by a keyed label (a date, an accession number) keep the per-file verdict.
 * Memory: one entry per folder.
 */

/**
 * Source relative path of a record, aligned with its output path from the end (zip entries:
 * `Name.zip!` → `Name`).
 */
export function sourceRelOf(sourcePath: string, outputPath: string): string | undefined {
  const k = outputPath.split('/').length;
  const parts = sourcePath.split('/').map((p) => p.replace(/\.zip!$/i, ''));
  return parts.length < k ? undefined : parts.slice(parts.length - k).join('/');
}

/** The pseudonym, or the pseudonym and a label (one of several folders of one patient). */
export const isPseudonymFolder = (name: string, pseudonym: string): boolean =>
  name === pseudonym || name.startsWith(`${pseudonym}-`);

/**
 * The source folders of one file: those its output path kept, and those it replaced by the
 * patient's pseudonym.
 */
export function folderFates(
  relPath: string,
  outRel: string,
  pseudonym: string,
): { clear: Array<[folder: string, outFolder: string]>; replaced: string[] } {
  const s = relPath.split('/');
  const o = outRel.split('/');
  const clear: Array<[string, string]> = [];
  const replaced: string[] = [];
  if (s.length !== o.length) return { clear, replaced };
  for (let i = 0; i < s.length - 1; i++) {
    const folder = s.slice(0, i + 1).join('/');
    if (s[i] === o[i]) clear.push([folder, o.slice(0, i + 1).join('/')]);
    else if (pseudonym && isPseudonymFolder(o[i] as string, pseudonym)) replaced.push(folder);
  }
  return { clear, replaced };
}

export class FolderLedger {
  /** Folders some file showed to be named after its patient. */
  readonly #replaced = new Set<string>();
  /** Those an output names: the name it gave them, and whose pseudonym it is. */
  readonly #named = new Map<string, { name: string; pseudonym: string }>();
  /** Folders some output kept in clear → the output folders that carry the name. */
  readonly #clear = new Map<string, Set<string>>();

  /** A folder of this file kept in clear that is known to identify someone, if any. */
  exposes(relPath: string, outRel: string): string | undefined {
    return folderFates(relPath, outRel, '').clear.find(([f]) => this.#replaced.has(f))?.[0];
  }

  /** Note an accepted output (or an earlier run's). */
  add(relPath: string, outRel: string, pseudonym: string): void {
    const { clear, replaced } = folderFates(relPath, outRel, pseudonym);
    const depth = (f: string) => f.split('/').length;
    for (const f of replaced) {
      this.#replaced.add(f);
      this.#named.set(f, { name: outRel.split('/')[depth(f) - 1] as string, pseudonym });
    }
    for (const [f, o] of clear) {
      const outs = this.#clear.get(f) ?? new Set<string>();
      outs.add(o);
      this.#clear.set(f, outs);
    }
  }

  /**
   * Note the files of an earlier run's source folder (absolute) placed in `outputFolder`, both
   * with their trailing slash (key/folder-groups.ts dirOf). The ledger looks at folders only: any
   * file there says the same, here one named `_`.
   */
  addFolder(sourceFolder: string, outputFolder: string, pseudonym: string): void {
    const rel = sourceRelOf(`${sourceFolder}_`, `${outputFolder}_`);
    if (rel) this.add(rel, `${outputFolder}_`, pseudonym);
  }

  /** Source folders some file (this run's, an earlier run's) showed to be named after its patient. */
  replacedFolders(): Iterable<string> {
    return this.#replaced;
  }

  /** Patient-named source folders an output exists for → the name it gave them and whose it is. */
  namedFolders(): ReadonlyMap<string, { readonly name: string; readonly pseudonym: string }> {
    return this.#named;
  }

  /**
   * Output folders that keep a source folder name some file showed to name its patient, or that
   * `names` flags (a folder name judged clean before this run met the person it names).
   */
  exposed(names: (folderName: string) => boolean = () => false): Array<[folder: string, outFolder: string]> {
    const out: Array<[string, string]> = [];
    for (const [folder, outs] of this.#clear) {
      const name = folder.slice(folder.lastIndexOf('/') + 1);
      if (this.#replaced.has(folder) || names(name)) for (const o of outs) out.push([folder, o]);
    }
    return out;
  }
}
