/**
 * The blinding layout's media side: one DICOMDIR per subject folder, rebuilt from the
 * de-identified files in it (never from an input DICOMDIR), and file times that say nothing
 * about when or in which order inputs were read.
 */
import { existsSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildDicomdir,
  type DirImage,
  type DirPatient,
  type DirSeries,
  type DirStudy,
} from '../dicom/dicomdir.js';
import type { Element } from '../dicom/reader.js';
import { recordKeys, recordTypeOf } from '../dicom/dir-records.js';
import { readDicomFile, textOf } from '../dicom/read-file.js';
import { T } from '../dicom/tag.js';
import type { ProjectSecret } from '../identity/secret.js';
import { writeFileAtomic } from '../key/atomic.js';

/** Every output file and folder of a blinded run carries this time. */
export const BLIND_TIME = new Date('2000-01-01T00:00:00Z');

function value(els: readonly Element[], tag: number, bytes: Uint8Array): string {
  return textOf(
    els.find((e) => e.tag === tag),
    bytes,
  );
}

const num = (s: string) => (/^[+-]?\d+$/.test(s) ? Number(s) : Number.MAX_SAFE_INTEGER);

/** Rebuild `<out>/<subject>/DICOMDIR` from the files in `<out>/<subject>/DICOM/`. */
export function rebuildDicomdir(out: string, subject: string, secret: ProjectSecret): number {
  const dir = join(out, subject, 'DICOM');
  if (!existsSync(dir)) return 0;
  const studies = new Map<
    string,
    {
      date: string;
      time: string;
      id: string;
      acc: string;
      series: Map<string, { modality: string; number: string; images: Array<DirImage & { name: string }> }>;
    }
  >();
  let patientID = subject;
  let patientName = subject;
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue; // part files of a run in progress
    const p = readDicomFile(join(dir, name), { headOnlyAbove: 256 * 1024, headBytes: 256 * 1024 });
    const d = p.dataset;
    const v = (tag: number) => value(d, tag, p.data);
    patientID = v(T.PatientID) || patientID;
    patientName = v(T.PatientName) || patientName;
    const studyUID = v(T.StudyInstanceUID);
    const seriesUID = v(T.SeriesInstanceUID);
    const st = studies.get(studyUID) ?? {
      date: v(0x00080020),
      time: v(0x00080030),
      id: v(0x00200010),
      acc: v(0x00080050),
      series: new Map(),
    };
    studies.set(studyUID, st);
    const se = st.series.get(seriesUID) ?? { modality: v(T.Modality), number: v(0x00200011), images: [] };
    st.series.set(seriesUID, se);
    const sopClassUID = v(T.SOPClassUID);
    const recordType = recordTypeOf(sopClassUID);
    se.images.push({
      name,
      recordType,
      keys: recordKeys(recordType, p),
      fileId: ['DICOM', name],
      sopClassUID,
      sopInstanceUID: v(T.SOPInstanceUID),
      transferSyntaxUID: p.transferSyntaxUID,
      instanceNumber: v(0x00200013),
    });
  }
  if (studies.size === 0) return 0;
  // Type 1 keys a blinded file no longer holds get fixed dummies (never a source value).
  const studyList: DirStudy[] = [...studies.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([uid, s], i) => ({
      studyUID: uid,
      studyDate: s.date || '19000101',
      studyTime: s.time || '000000',
      studyID: s.id || String(i + 1),
      accessionNumber: s.acc,
      series: [...s.series.entries()]
        .sort((a, b) => num(a[1].number) - num(b[1].number) || (a[0] < b[0] ? -1 : 1))
        .map(
          ([seriesUID, se], j): DirSeries => ({
            seriesUID,
            modality: se.modality || 'OT',
            seriesNumber: se.number || String(j + 1),
            images: se.images
              .sort((a, b) => num(a.instanceNumber) - num(b.instanceNumber) || (a.name < b.name ? -1 : 1))
              .map((im, k) => ({ ...im, instanceNumber: im.instanceNumber || String(k + 1) })),
          }),
        ),
    }));
  const patient: DirPatient = { patientID, patientName, studies: studyList };
  const bytes = buildDicomdir([patient], secret.uid(`dicomdir\u0000${subject}`)).concat();
  const target = join(out, subject, 'DICOMDIR');
  writeFileAtomic(target, bytes, 0o644);
  utimesSync(target, BLIND_TIME, BLIND_TIME);
  return studyList.reduce((n, s) => n + s.series.reduce((m, se) => m + se.images.length, 0), 0);
}

/** Folder times last: writing files inside changed them. */
export function settleTimes(out: string, subject: string): void {
  for (const d of [join(out, subject, 'DICOM'), join(out, subject)])
    if (existsSync(d)) utimesSync(d, BLIND_TIME, BLIND_TIME);
}
