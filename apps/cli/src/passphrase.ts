/**
 * The key passphrase: DCMBLIND_PASSPHRASE, or a hidden prompt on a terminal. Never echoed,
 * logged or passed on the command line (where `ps` would show it).
 */
import { read } from 'read';
import { DcmblindError } from '@dcmblind/core';

export async function getPassphrase(opts: { confirm: boolean; purpose: string }): Promise<string> {
  const env = process.env.DCMBLIND_PASSPHRASE;
  if (env !== undefined && env !== '') return env;
  if (!process.stdin.isTTY) {
    throw new DcmblindError('E_USAGE', 'no passphrase: set DCMBLIND_PASSPHRASE or run on a terminal to be asked');
  }
  const first = await read({ prompt: `Passphrase for ${opts.purpose}: `, silent: true, replace: '*', output: process.stderr });
  if (opts.confirm) {
    if (first.length < 12) throw new DcmblindError('E_USAGE', 'passphrase too short: use at least 12 characters');
    const again = await read({ prompt: 'Repeat the passphrase: ', silent: true, replace: '*', output: process.stderr });
    if (again !== first) throw new DcmblindError('E_USAGE', 'the two passphrases differ; nothing was created');
  }
  return first;
}
