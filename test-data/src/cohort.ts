/**
 * Synthetic cohorts shaped like a hospital export: site/patient/study/series/instance, with
 * identifying values where real exports put them (folder names, nested sequences, private
 * blocks, free text). Names and numbers are invented; nothing is a real person.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDicom, type El, type Syntax } from './builder.js';

const FAMILY = [
  'Doe',
  'Smith',
  'Müller',
  'García',
  'Novak',
  'Okafor',
  'Lindqvist',
  'Tanaka',
  'Rossi',
  'Dubois',
];
const GIVEN = ['Jane', 'John', 'Anna', 'Luis', 'Petra', 'Chidi', 'Sven', 'Yuki', 'Marco', 'Élodie'];

export interface CohortSpec {
  patients: number;
  studiesPerPatient: number;
  seriesPerStudy: number;
  instancesPerSeries: number;
  rows?: number;
  columns?: number;
  frames?: number;
  syntax?: Syntax;
  site?: string;
}

export interface SyntheticPatient {
  name: string;
  id: string;
  birthDate: string;
  folder: string;
}

/** Deterministic pseudo-random bytes (xorshift32), so cohorts are reproducible. */
export function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  // Mixed, not just made odd: seeds 2k and 2k+1 must not give the same bytes.
  let x = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) || 1;
  for (let i = 0; i < n; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
    out[i + 1] = (x >>> 8) & 0xff;
    out[i + 2] = (x >>> 16) & 0xff;
    out[i + 3] = (x >>> 24) & 0xff;
  }
  return out;
}

export function patientOf(i: number): SyntheticPatient {
  const family = FAMILY[i % FAMILY.length] as string;
  const given = GIVEN[Math.floor(i / FAMILY.length) % GIVEN.length] as string;
  const n = String(100000 + i * 7919).padStart(6, '0');
  return {
    name: `${family}^${given}`,
    id: `MRN${n}`,
    birthDate: `19${40 + (i % 50)}0${1 + (i % 9)}1${i % 10}`,
    folder: `${family.toUpperCase()}_${given.toUpperCase()}`,
  };
}

const UID_ROOT = '1.2.826.0.1.3680043.9.9999';

/** The elements of one CT image with PHI in the places real exports carry it. */
export function ctInstance(
  p: SyntheticPatient,
  pi: number,
  st: number,
  se: number,
  inst: number,
  spec: CohortSpec,
): El[] {
  const rows = spec.rows ?? 64;
  const cols = spec.columns ?? 64;
  const frames = spec.frames ?? 1;
  const studyUID = `${UID_ROOT}.${pi + 1}.${st + 1}`;
  const seriesUID = `${studyUID}.${se + 1}`;
  const sop = `${seriesUID}.${inst + 1}`;
  const day = 10 + st;
  const studyDate = `202403${String(day).padStart(2, '0')}`;
  const acc = `ACC${pi}${st}${String(4711 + pi).padStart(5, '0')}`;
  const pixels = noise(
    rows * cols * 2 * frames,
    (pi + 1) * 1_000_003 + (st + 1) * 10_007 + (se + 1) * 101 + inst,
  );
  // 12-bit cells, as a CT writes them (BitsStored 12): nothing in the four bits above HighBit.
  for (let i = 1; i < pixels.length; i += 2) pixels[i] = (pixels[i] as number) & 0x0f;
  const els: El[] = [
    [0x00080005, 'CS', 'ISO_IR 100'],
    [0x00080008, 'CS', 'ORIGINAL\\PRIMARY\\AXIAL'],
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'],
    [0x00080018, 'UI', sop],
    [0x00080020, 'DA', studyDate],
    [0x00080021, 'DA', studyDate],
    [0x00080030, 'TM', '233000'],
    [0x00080031, 'TM', '233500'],
    [0x00080050, 'SH', acc],
    [0x00080060, 'CS', 'CT'],
    [0x00080070, 'LO', 'ACME Imaging'],
    [0x00080080, 'LO', 'St Elsewhere General Hospital'],
    [0x00080090, 'PN', 'House^Gregory^^Dr'],
    [0x00081030, 'LO', `CT chest ${p.name.replace('^', ' ')} follow-up`],
    [0x0008103e, 'LO', `Axial 1mm ${p.id}`],
    [
      0x00081140,
      'SQ',
      [
        [
          [0x00081150, 'UI', '1.2.840.10008.5.1.4.1.1.2'],
          [0x00081155, 'UI', `${seriesUID}.${inst === 0 ? 2 : inst}`],
        ],
      ],
    ],
    [0x00100010, 'PN', p.name],
    [0x00100020, 'LO', p.id],
    [0x00100030, 'DA', p.birthDate],
    [0x00100040, 'CS', pi % 2 ? 'F' : 'M'],
    [0x00101040, 'LO', `${12 + pi} Station Road, Springfield`],
    [0x00102154, 'SH', `555-01${String(pi).padStart(2, '0')}`],
    [0x0020000d, 'UI', studyUID],
    [0x0020000e, 'UI', seriesUID],
    [0x00200010, 'SH', `S${st + 1}`],
    [0x00200011, 'IS', String(se + 1)],
    [0x00200013, 'IS', String(inst + 1)],
    [0x00200052, 'UI', `${studyUID}.0`],
    [0x00280002, 'US', Uint8Array.of(1, 0)],
    [0x00280004, 'CS', 'MONOCHROME2'],
    ...(frames > 1 ? ([[0x00280008, 'IS', String(frames)]] as El[]) : []),
    [0x00280010, 'US', Uint8Array.of(rows & 0xff, rows >> 8)],
    [0x00280011, 'US', Uint8Array.of(cols & 0xff, cols >> 8)],
    [0x00280100, 'US', Uint8Array.of(16, 0)],
    [0x00280101, 'US', Uint8Array.of(12, 0)],
    [0x00280102, 'US', Uint8Array.of(11, 0)],
    [0x00280103, 'US', Uint8Array.of(0, 0)],
    // Request attributes with a nested institution and requesting physician (a classic leak).
    [
      0x00400275,
      'SQ',
      [
        [
          [0x00080080, 'LO', 'St Elsewhere General Hospital'],
          [0x00321032, 'PN', 'Cuddy^Lisa'],
          [0x00401001, 'SH', `RP${p.id}`],
          [0x00400007, 'LO', 'CT THORAX'],
        ],
      ],
    ],
    // A private block that copies the patient's name and ID.
    [0x00090010, 'LO', 'ACME PRIVATE'],
    [0x00091001, 'LO', p.name],
    [0x00091002, 'SH', p.id],
    [0x7fe00010, 'OW', pixels],
  ];
  return els;
}

/**
 * Write a cohort as `<dir>/<site>/<PATIENT_FOLDER>/<date>_CT/series-<n>/IMG<k>.dcm`.
 * Returns the patients and the file count.
 */
export function makeCohort(
  dir: string,
  spec: CohortSpec,
): { patients: SyntheticPatient[]; files: number; bytes: number } {
  const site = spec.site ?? 'site-A';
  const patients: SyntheticPatient[] = [];
  let files = 0;
  let bytes = 0;
  for (let pi = 0; pi < spec.patients; pi++) {
    const p = patientOf(pi);
    patients.push(p);
    for (let st = 0; st < spec.studiesPerPatient; st++) {
      for (let se = 0; se < spec.seriesPerStudy; se++) {
        const folder = join(
          dir,
          site,
          p.folder,
          `202403${String(10 + st).padStart(2, '0')}_CT`,
          `series-${se + 1}`,
        );
        mkdirSync(folder, { recursive: true });
        for (let i = 0; i < spec.instancesPerSeries; i++) {
          const data = buildDicom(ctInstance(p, pi, st, se, i, spec), {
            syntax: spec.syntax ?? 'explicit-le',
          });
          writeFileSync(join(folder, `IMG${String(i + 1).padStart(4, '0')}.dcm`), data);
          files++;
          bytes += data.length;
        }
      }
    }
  }
  return { patients, files, bytes };
}
