/**
 * `audit`: the trail of every use of the key's identifying contents, as recorded in the key.
 * Reading the trail opens the key read-only and adds nothing to it.
 */
import type { Command } from 'commander';
import { out } from '../terminal.js';
import { reportCommand } from './read-only.js';

/** `audit <keyfile> [--json]`: one line per entry, in the order they were recorded. */
export function auditCommand(p: Command): void {
  reportCommand(
    p,
    'audit',
    'every lookup, export, unblind, merge and passphrase change recorded in the key',
    (k) => k.payload.audit ?? [],
    (log) => {
      for (const a of log)
        out(
          `${a.at}  ${a.command.padEnd(8)} ${String(a.rows).padStart(6)} row(s)  ` +
            `${a.user}@${a.host}  ${a.detail}`,
        );
    },
  );
}
