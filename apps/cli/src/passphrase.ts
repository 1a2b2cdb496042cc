/** The key passphrase for the CLI: environment or a hidden terminal prompt (see core's resolvePassphrase). */
import { resolvePassphrase } from '@dcmblind/core';
import { read } from 'read';

export function getPassphrase(opts: { confirm: boolean; purpose: string }): Promise<string> {
  const ask = (prompt: string) => read({ prompt, silent: true, replace: '*', output: process.stderr });
  return resolvePassphrase(ask, { ...opts, isTTY: Boolean(process.stdin.isTTY) });
}
