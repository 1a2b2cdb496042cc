/**
 * Stage 1 for a zip archive under --source (a site's `PatientName.zip`): every entry that parses
 * as DICOM is a source like any file, read in memory, never extracted. Entries are named
 * `archive.zip!/DICOM/FILE0001.dcm`; dcmblind's key records them by archive, so they are not
 * judged for a missing output (see unwritten-sources.ts), but their identities are seeds and
 * their dates the patient's. The archive is opened with dcmblind's zip reader (its checks
 * against zip-slip and bombs), as the run opened it.
 */
import { openZip, parseFile } from '@dcmblind/core';
import type { SourceFacts } from './facts.js';
import { sourceFacts } from './source-scan.js';

/** Entries bigger than this are not read (a cohort's files are far smaller). */
const MAX_ENTRY = 512 * 1024 * 1024;

/** The facts of every DICOM entry of a zip; undefined when it is not a readable zip. */
export async function scanZipSource(path: string): Promise<SourceFacts[] | undefined> {
  let zip: Awaited<ReturnType<typeof openZip>>;
  try {
    zip = await openZip(path);
  } catch {
    return undefined;
  }
  const out: SourceFacts[] = [];
  try {
    for (const entry of zip.entries) {
      if (entry.size > MAX_ENTRY) continue;
      const bytes = await entry.read();
      try {
        out.push({ ...sourceFacts(`${path}!/${entry.name}`, parseFile(bytes)), archive: true });
      } catch {
        // Not DICOM (a README in the archive): nothing to seed.
      }
    }
  } finally {
    zip.close();
  }
  return out;
}
