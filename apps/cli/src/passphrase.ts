/** The key passphrase for the CLI: environment or a hidden terminal prompt (see core's resolvePassphrase). */
import { resolvePassphrase, terminalAsk } from '@dcmblind/core';

export function getPassphrase(opts: { confirm: boolean; purpose: string }): Promise<string> {
  return resolvePassphrase(terminalAsk, { ...opts, isTTY: Boolean(process.stdin.isTTY) });
}
