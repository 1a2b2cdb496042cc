#!/usr/bin/env node
// Refresh data/standard/ from a folder holding the innolitics/dicom-standard JSON
// (confidentiality_profile_attributes.json + LICENSE.txt). Checks the shape before copying.
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const src = process.argv[2];
if (!src) {
  console.error('usage: sync-standard <folder with confidentiality_profile_attributes.json>');
  process.exit(2);
}
const file = join(src, 'confidentiality_profile_attributes.json');
const rows = JSON.parse(readFileSync(file, 'utf8'));
const actions = new Set(['D', 'Z', 'X', 'K', 'C', 'U', 'X/Z', 'X/D', 'X/Z/D', 'Z/D', 'X/Z/U*']);
for (const r of rows) {
  if (typeof r.tag !== 'string' || typeof r.name !== 'string' || !actions.has(r.basicProfile)) {
    console.error(`unexpected row: ${JSON.stringify(r)}`);
    process.exit(1);
  }
}
const dest = new URL('../data/standard/', import.meta.url);
copyFileSync(file, new URL('confidentiality_profile_attributes.json', dest));
copyFileSync(join(src, 'LICENSE.txt'), new URL('LICENSE.txt', dest));
console.log(`copied ${rows.length} rows`);
