#!/usr/bin/env node
/** Write the bundled sample cohort (synthetic patients) used by `pnpm demo`. */
import { existsSync } from 'node:fs';
import { makeCohort } from '../cohort.js';

const dir = process.argv[2] ?? 'sample/cohort';
if (existsSync(dir)) {
  console.log(`sample cohort already at ${dir}`);
} else {
  const r = makeCohort(dir, {
    patients: 4,
    studiesPerPatient: 2,
    seriesPerStudy: 2,
    instancesPerSeries: 5,
    rows: 128,
    columns: 128,
  });
  console.log(
    `sample cohort: ${r.files} files, ${r.patients.length} synthetic patients, ${(r.bytes / 1e6).toFixed(1)} MB in ${dir}`,
  );
}
