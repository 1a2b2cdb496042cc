/**
 * Zip archives as inputs, read with yauzl and never modified. Entries are checked before any
 * is used: a name that would escape the archive (zip-slip: absolute, drive letter, "..") or
 * an entry that inflates past the limits (zip bomb) rejects the whole archive; encrypted
 * entries are refused. yauzl also checks that each entry inflates to its declared size.
 */
import yauzl from 'yauzl';
import { DcmblindError } from '../errors.js';
import { decodeEntryName } from './zip-names.js';

export const ZIP_LIMITS = {
  /** Largest single entry accepted. */
  maxEntryBytes: 4 * 1024 ** 3,
  /** Total inflated bytes of one archive. */
  maxTotalBytes: 64 * 1024 ** 3,
  /** Inflated/compressed ratio above which a big entry is treated as a bomb. */
  maxRatio: 200,
  ratioFloorBytes: 64 * 1024 ** 2,
  maxEntries: 1_000_000,
};

export interface ZipEntry {
  readonly name: string;
  /** The name was decoded in a guessed legacy code page (zip-names.ts). */
  readonly legacyName: boolean;
  readonly size: number;
  read(): Promise<Buffer>;
}

function checkName(name: string): void {
  const n = name.replace(/\\/g, '/');
  if (n.startsWith('/') || /^[A-Za-z]:/.test(n) || n.split('/').some((p) => p === '..')) {
    throw new DcmblindError(
      'E_ZIP',
      `entry "${name}" would be written outside the archive's folder (zip-slip); the archive is rejected`,
    );
  }
}

function openArchive(path: string): Promise<yauzl.ZipFile> {
  const options = {
    lazyEntries: true,
    autoClose: false,
    // Names are decoded here (zip-names.ts): yauzl would read every unflagged name as CP437.
    decodeStrings: false,
    validateEntrySizes: true,
    strictFileNames: false,
  };
  return new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, options, (err, z) =>
      err || !z
        ? reject(
            new DcmblindError('E_ZIP', `not a readable zip archive (${err?.message ?? 'unknown error'})`, {
              cause: err,
            }),
          )
        : resolve(z),
    ),
  );
}

/** Entries whose names were decoded in a guessed code page. */
const LEGACY = new WeakSet<yauzl.Entry>();

/** The central directory's entries, all of them (at most ZIP_LIMITS.maxEntries), names decoded. */
function listEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  const raw: yauzl.Entry[] = [];
  return new Promise<yauzl.Entry[]>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      const decoded = decodeEntryName(e.fileName as unknown as Buffer, e.extraFields);
      e.fileName = decoded.name;
      if (decoded.legacy) LEGACY.add(e);
      raw.push(e);
      if (raw.length > ZIP_LIMITS.maxEntries)
        reject(new DcmblindError('E_ZIP', `more than ${ZIP_LIMITS.maxEntries} entries`));
      else zip.readEntry();
    });
    zip.on('end', () => resolve(raw));
    zip.on('error', (e: Error) => {
      // yauzl refuses unsafe names itself; say what that means.
      const slip = /invalid relative path|absolute path/.test(e.message);
      const why = slip
        ? `an entry would be written outside the archive's folder (zip-slip: ${e.message}); ` +
          'the archive is rejected'
        : `damaged zip archive (${e.message})`;
      reject(new DcmblindError('E_ZIP', why, { cause: e }));
    });
    zip.readEntry();
  });
}

/** Every entry's name and size are checked before any is used (zip-slip, encryption, zip bombs). */
function checkEntries(raw: readonly yauzl.Entry[]): void {
  let total = 0;
  for (const e of raw) {
    checkName(e.fileName);
    if (e.fileName.endsWith('/')) continue;
    if ((e.generalPurposeBitFlag & 0x1) !== 0) {
      throw new DcmblindError(
        'E_ZIP',
        `entry "${e.fileName}" is encrypted; dcmblind cannot read encrypted archives`,
      );
    }
    total += e.uncompressedSize;
    const ratio = e.uncompressedSize / Math.max(1, e.compressedSize);
    if (
      e.uncompressedSize > ZIP_LIMITS.maxEntryBytes ||
      total > ZIP_LIMITS.maxTotalBytes ||
      (e.uncompressedSize > ZIP_LIMITS.ratioFloorBytes && ratio > ZIP_LIMITS.maxRatio)
    ) {
      throw new DcmblindError(
        'E_ZIP',
        `entry "${e.fileName}" inflates to ${e.uncompressedSize} bytes (ratio ${ratio.toFixed(0)}): ` +
          'refused as a possible zip bomb',
      );
    }
  }
}

/** One entry's inflated bytes. */
function readEntry(zip: yauzl.ZipFile, e: yauzl.Entry): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    zip.openReadStream(e, (err, stream) => {
      if (err || !stream) {
        return reject(
          new DcmblindError('E_ZIP', `cannot read entry "${e.fileName}" (${err?.message ?? 'unknown'})`, {
            cause: err,
          }),
        );
      }
      const parts: Buffer[] = [];
      stream.on('data', (c: Buffer) => parts.push(c));
      stream.on('error', (x: Error) =>
        reject(new DcmblindError('E_ZIP', `entry "${e.fileName}" is damaged (${x.message})`, { cause: x })),
      );
      stream.on('end', () => resolve(Buffer.concat(parts)));
    });
  });
}

/** Validate the whole central directory, then hand out the file entries one by one. */
export async function openZip(path: string): Promise<{ entries: ZipEntry[]; close(): void }> {
  const zip = await openArchive(path);
  let raw: yauzl.Entry[];
  try {
    raw = await listEntries(zip);
    checkEntries(raw);
  } catch (e) {
    zip.close();
    throw e;
  }
  // Entries are read after the walk has moved on — by the header pass, and again by the
  // de-identification pass once the archive was closed: reopened on demand (an entry's offsets
  // stay valid for the same file), closed whenever no read is active and the walk is done.
  let active = 0;
  let closing = false;
  let open: Promise<yauzl.ZipFile> | undefined = Promise.resolve(zip);
  const settle = () => {
    if (closing && active === 0 && open) {
      const z = open;
      open = undefined;
      void z.then((x) => x.close()).catch(() => {});
    }
  };
  const entries: ZipEntry[] = raw
    .filter((e) => !e.fileName.endsWith('/'))
    .map((e) => ({
      name: e.fileName.replace(/\\/g, '/'),
      legacyName: LEGACY.has(e),
      size: e.uncompressedSize,
      read: () => {
        active++;
        open ??= openArchive(path);
        return open
          .then((z) => readEntry(z, e))
          .finally(() => {
            active--;
            settle();
          });
      },
    }));
  return {
    entries,
    close: () => {
      closing = true;
      settle();
    },
  };
}
