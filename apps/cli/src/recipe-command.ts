/** `dcmblind recipe init FILE` (a commented starter) and `dcmblind recipe check FILE` (validate one). */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { checkRecipeLengths, DcmblindError, loadRecipe, settleProfile, STARTER_RECIPE } from '@dcmblind/core';

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** Writes the starter; an existing file is never overwritten (it is not dcmblind's). */
function init(file: string, io: Io): void {
  try {
    writeFileSync(file, STARTER_RECIPE, { flag: 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DcmblindError(
      'E_USAGE',
      code === 'EEXIST' ? `${file} exists: choose another name (it is not overwritten)` : `${file}: ${code}`,
    );
  }
  io.out(`wrote a starter recipe to ${file}; edit it, then: dcmblind recipe check ${file}`);
}

/** Validates a recipe and says what it will do (no header value: a recipe holds none). */
function check(file: string, io: Io): void {
  const r = loadRecipe(file);
  const { profile, options } = settleProfile(r, { profile: 'basic', profileGiven: false, options: [] });
  checkRecipeLengths(r, r.subjectsTable ? 64 : 'ANON-'.length + 16);
  const counts = new Map<string, number>();
  for (const a of r.attributes) counts.set(a.action, (counts.get(a.action) ?? 0) + 1);
  io.out(`recipe ${file}: valid (format 1, sha256 ${r.sha256})`);
  io.out(`profile: ${profile}${r.profile ? '' : ' (the default; --profile may choose)'}`);
  io.out(`options: ${options.join(', ') || '-'}`);
  io.out(`dates: ${r.dates ?? "the profile's"}`);
  io.out(
    `attributes: ${r.attributes.length} action(s)${
      counts.size ? ` (${[...counts].map(([a, n]) => `${a} ${n}`).join(', ')})` : ''
    }`,
  );
  if (counts.has('keep'))
    io.out('  (a kept free-text value — LO SH ST LT UT UC PN — is still cleaned of identifying values)');
  io.out(`safe private entries beyond the standard's table: ${r.safePrivate.length}`);
  const trial = r.clinicalTrial;
  io.out(`clinical trial: ${trial ? Object.keys(trial).join(', ') : '-'}`);
  io.out(
    `subjects: ${r.subjectsTable ? `${r.subjectsTable.file}, ${r.subjectsTable.byPatientId.size} patient(s)` : '-'}`,
  );
  if (r.identifying.length === 0) io.out('identifying choices: none');
  else {
    io.out('identifying choices (dcmblind run refuses them without --allow-identifying):');
    for (const c of r.identifying) io.out(`  ${c}`);
  }
}

export function recipeCommands(program: Command, io: Io): void {
  const recipe = program.command('recipe').description('write or check a project recipe (see --recipe)');
  recipe
    .command('init')
    .argument('<file>', 'where to write it (an existing file is not overwritten)')
    .description('write a commented starter recipe that runs as it is')
    .action((file: string) => init(file, io));
  recipe
    .command('check')
    .argument('<file>', 'the recipe (YAML or JSON)')
    .description('validate a recipe and say what it will do')
    .action((file: string) => check(file, io));
}
