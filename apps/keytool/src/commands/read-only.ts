/**
 * The shape of the commands that only report on a key (info, audit): `<name> <keyfile> [--json]`,
 * the key opened read-only and closed before anything is printed.
 */
import type { KeyStore } from '@dcmblind/core';
import type { Command } from 'commander';
import { openToRead } from '../open-key.js';
import { out } from '../terminal.js';

/**
 * Adds `<name> <keyfile> [--json]`: `read` takes what it reports from the open key; --json prints
 * that as JSON, otherwise `print` writes it for a reader.
 */
export function reportCommand<T>(
  p: Command,
  name: string,
  description: string,
  read: (key: KeyStore) => T,
  print: (report: T) => void,
): void {
  p.command(name)
    .argument('<keyfile>')
    .option('--json', 'machine-readable')
    .description(description)
    .action(async (keyfile: string, o: { json?: boolean }) => {
      const k = await openToRead(keyfile);
      const report = read(k);
      k.close();
      if (o.json) out(JSON.stringify(report, null, 2));
      else print(report);
    });
}
