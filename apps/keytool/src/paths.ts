/**
 * The checks on paths the key tool is given, made before any passphrase is asked or anything is
 * written: a key must exist (and be a file) to be read, a new key must never overwrite one nor lie
 * in a de-identified output, and an identifying output file must not travel with the output either.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DcmblindError, outputTreeOf } from '@dcmblind/core';

/** An existing key: the file must be there and not be a folder. */
export function mustExist(keyfile: string): void {
  if (!existsSync(keyfile)) throw new DcmblindError('E_USAGE', `${keyfile} does not exist`);
  if (statSync(keyfile).isDirectory())
    throw new DcmblindError('E_USAGE', `${keyfile} is a folder, not a key file`);
}

/** A new key's path: its folder must exist, it must not be a folder, nor lie in a de-identified output. */
export function mayCreate(keyfile: string): void {
  if (existsSync(keyfile) && statSync(keyfile).isDirectory())
    throw new DcmblindError('E_USAGE', `${keyfile} is a folder; name the key file inside it`);
  if (!existsSync(dirname(resolve(keyfile))))
    throw new DcmblindError('E_USAGE', `the folder of ${keyfile} does not exist; create it first`);
  outsideOutputs(keyfile, keyfile, 'a key must never travel with the output. Keep it elsewhere');
}

/** A key that is made here and only here: as {@link mayCreate}, and no file of that name yet. */
export function mustBeNew(keyfile: string): void {
  mayCreate(keyfile);
  if (existsSync(keyfile))
    throw new DcmblindError('E_KEY_EXISTS', `${keyfile} already exists; dcmblind never overwrites a key`);
}

/** An output file of an export or unblind: never the key itself, never silently overwritten. */
export function checkTarget(target: string, keyfile: string, force: boolean): void {
  const abs = resolve(target);
  if (
    abs === resolve(keyfile) ||
    abs === `${resolve(keyfile)}.journal` ||
    abs === `${resolve(keyfile)}.lock`
  ) {
    throw new DcmblindError('E_USAGE', `${target} is the key's own file`);
  }
  if (!existsSync(dirname(abs))) throw new DcmblindError('E_USAGE', `folder of ${target} does not exist`);
  outsideOutputs(
    abs,
    target,
    'an identifying file must never travel with the output. Write it next to the key instead',
  );
  if (existsSync(abs) && !force)
    throw new DcmblindError('E_USAGE', `${target} exists; pass --force to replace it`);
}

/** Refuses `path` (named `shown` to the user) when it lies in a de-identified output; `why` says why. */
function outsideOutputs(path: string, shown: string, why: string): void {
  const tree = outputTreeOf(path);
  if (tree) throw new DcmblindError('E_USAGE', `${shown} is inside the de-identified output ${tree}: ${why}`);
}
