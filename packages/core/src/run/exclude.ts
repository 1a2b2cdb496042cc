/**
 * Which input files are not the run's business: operating-system debris that lands in every
 * export (`.DS_Store`, `Thumbs.db`, AppleDouble `._*` files, `__MACOSX/` in zips), and what
 * the operator excludes with `--exclude GLOB`. They are counted as skipped, never as failures,
 * so a clean export exits 0. Also: whether a file's name says it should be DICOM, which
 * decides if a file whose bytes are plainly not DICOM is a note (README.txt) or a failure.
 */
import picomatch from 'picomatch';

/** Files and folders operating systems leave in exported trees (matched on a name, any case). */
export const OS_JUNK = [
  '.DS_Store',
  '._*',
  'Thumbs.db',
  'ehthumbs.db',
  'desktop.ini',
  '.directory',
  'Icon\r',
  '__MACOSX',
  '.Spotlight-V100',
  '.Trashes',
  '.fseventsd',
  '.TemporaryItems',
  '$RECYCLE.BIN',
  'System Volume Information',
] as const;

export type ExcludeTest = ((relPath: string) => string | undefined) & {
  /** The --exclude patterns that left nothing out (a typo, or a path given from the wrong root). */
  readonly unmatched?: () => string[];
};

/**
 * A test of input-relative paths ('/'-separated). A pattern without '/' matches a file or
 * folder name anywhere (`*.txt`, `scout`); one with '/' matches from the input's root
 * (`site-A/old/**`). A folder that matches is not entered. Returns why a path is excluded.
 */
export function excluder(patterns: readonly string[]): ExcludeTest {
  const junk = picomatch([...OS_JUNK], { dot: true, nocase: true });
  const byName = patterns.filter((p) => !p.includes('/'));
  const byPath = patterns.filter((p) => p.includes('/'));
  const tests = [
    ...byName.map((p) => ({ pattern: p, matches: picomatch(p, { dot: true }), onName: true })),
    ...byPath.map((p) => ({
      pattern: p,
      matches: picomatch(p.replace(/^\.?\//, ''), { dot: true }),
      onName: false,
    })),
  ];
  const used = new Set<string>();
  /** Why the path's components from `from` up to `to` exclude it, if they do. */
  const within = (parts: readonly string[], from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const part = parts[i] as string;
      const prefix = parts.slice(0, i + 1).join('/');
      if (junk(part))
        return i < parts.length - 1 ? `in an operating-system folder (${part})` : 'operating-system file';
      const hit = tests.find((t) => t.matches(t.onName ? part : prefix));
      if (hit) {
        used.add(hit.pattern);
        return `excluded by --exclude ${hit.pattern}`;
      }
    }
    return undefined;
  };
  // The files of a folder come one after another: its components are judged once for all of them.
  let folder: string | undefined;
  let folderVerdict: string | undefined;
  const test = (relPath: string) => {
    const parts = relPath.split('/');
    const at = relPath.lastIndexOf('/');
    const here = at < 0 ? '' : relPath.slice(0, at);
    if (here !== folder) {
      folder = here;
      folderVerdict = within(parts, 0, parts.length - 1);
    }
    if (folderVerdict !== undefined) return folderVerdict;
    return within(parts, parts.length - 1, parts.length);
  };
  return Object.assign(test, { unmatched: () => patterns.filter((p) => !used.has(p)) });
}

/** Extensions DICOM files are given (besides none at all, and numbers: `IM.1`, UIDs as names). */
const DICOM_EXTENSIONS = new Set(['dcm', 'dicom', 'dic', 'dc3', 'dcm30', 'ima', 'acr']);

/** Whether a file's name suggests DICOM: no extension, a number, or a DICOM extension. */
export function namedLikeDicom(relPath: string): boolean {
  const base = relPath.slice(relPath.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot < 0) return true;
  const ext = base.slice(dot + 1).toLowerCase();
  if (DICOM_EXTENSIONS.has(ext)) return true;
  return dot > 0 && /^\d+$/.test(ext);
}
