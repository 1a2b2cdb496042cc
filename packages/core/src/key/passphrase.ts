/**
 * Where a passphrase comes from: DCMBLIND_PASSPHRASE, or a hidden prompt on the terminal.
 * Never from argv (visible in `ps`), never echoed or logged.
 */
import { read } from 'read';
import { DcmblindError } from '../errors.js';
import { MIN_PASSPHRASE } from './key-file.js';

export type Ask = (prompt: string) => Promise<string>;

/** The hidden prompt on the terminal (stderr, so stdout stays the command's output). */
export const terminalAsk: Ask = (prompt) =>
  read({ prompt, silent: true, replace: '*', output: process.stderr });

/** Ask, turning Ctrl-C at the prompt (`read` rejects with "canceled") into an interruption. */
async function asked(ask: Ask, prompt: string): Promise<string> {
  try {
    return await ask(prompt);
  } catch (e) {
    if (e instanceof Error && e.message === 'canceled') {
      process.stderr.write('\n'); // the prompt's line was left open
      throw new DcmblindError('E_INTERRUPTED', 'interrupted at the passphrase prompt; nothing was done');
    }
    throw e;
  }
}

/**
 * `confirm`: a new passphrase (a new key, a changed passphrase) — asked twice on a terminal,
 * and held to the minimum length wherever it comes from.
 */
export async function resolvePassphrase(
  ask: Ask,
  opts: { confirm: boolean; purpose: string; isTTY: boolean; envVar?: string },
): Promise<string> {
  const name = opts.envVar ?? 'DCMBLIND_PASSPHRASE';
  const env = process.env[name];
  const tooShort = () =>
    new DcmblindError(
      'E_USAGE',
      `passphrase too short${env ? ` (from ${name})` : ''}: use at least ${MIN_PASSPHRASE} characters`,
    );
  if (env !== undefined && env !== '') {
    if (opts.confirm && [...env].length < MIN_PASSPHRASE) throw tooShort();
    return env;
  }
  if (!opts.isTTY)
    throw new DcmblindError(
      'E_USAGE',
      `no passphrase for ${opts.purpose}: set ${name} or run on a terminal to be asked`,
    );
  const first = await asked(ask, `Passphrase for ${opts.purpose}: `);
  if (opts.confirm) {
    if ([...first].length < MIN_PASSPHRASE) throw tooShort();
    if ((await asked(ask, 'Repeat the passphrase: ')) !== first)
      throw new DcmblindError('E_USAGE', 'the two passphrases differ; nothing was created');
  }
  return first;
}
