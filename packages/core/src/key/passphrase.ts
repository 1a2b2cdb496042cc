/**
 * Where a passphrase comes from: DCMBLIND_PASSPHRASE, or a hidden prompt on a terminal that
 * the app supplies. Never from argv (visible in `ps`), never echoed or logged.
 */
import { DcmblindError } from '../errors.js';

export type Ask = (prompt: string) => Promise<string>;

export async function resolvePassphrase(ask: Ask, opts: { confirm: boolean; purpose: string; isTTY: boolean; envVar?: string }): Promise<string> {
  const name = opts.envVar ?? 'DCMBLIND_PASSPHRASE';
  const env = process.env[name];
  if (env !== undefined && env !== '') return env;
  if (!opts.isTTY) throw new DcmblindError('E_USAGE', `no passphrase for ${opts.purpose}: set ${name} or run on a terminal to be asked`);
  const first = await ask(`Passphrase for ${opts.purpose}: `);
  if (opts.confirm) {
    if (first.length < 12) throw new DcmblindError('E_USAGE', 'passphrase too short: use at least 12 characters');
    if ((await ask('Repeat the passphrase: ')) !== first) throw new DcmblindError('E_USAGE', 'the two passphrases differ; nothing was created');
  }
  return first;
}
