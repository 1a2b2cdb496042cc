/**
 * The key's journal (`<key>.journal`): one sealed record per line, appended and fsynced before
 * the output it describes becomes visible. A torn last line (a crash mid-append) describes no
 * visible output and is dropped; any other line that does not open means the file was altered.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { DcmblindError } from '../errors.js';
import { open, seal } from './crypto.js';
import type { JournalEntry } from './records.js';

/** Seal entries as journal lines (base64 of each sealed record, bound to the key by its journal id). */
export function encodeJournal(entries: readonly JournalEntry[], key: Uint8Array, journalId: string): Buffer {
  const aad = Buffer.from(journalId, 'utf8');
  const lines = entries.map(
    (e) => `${seal(key, Buffer.from(JSON.stringify(e), 'utf8'), aad).toString('base64')}\n`,
  );
  return Buffer.from(lines.join(''), 'utf8');
}

/**
 * The journal's records; `good` is the length of its complete, authentic lines and `torn`
 * whether something (a line cut by a crash) follows them. Undefined when there is no journal.
 */
export function readJournal(
  path: string,
  key: Uint8Array,
  journalId: string,
): { entries: JournalEntry[]; good: number; torn: boolean } | undefined {
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').split('\n');
  const entries: JournalEntry[] = [];
  const aad = Buffer.from(journalId, 'utf8');
  let good = 0; // bytes of complete, authentic records (base64 lines are ASCII)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const complete = i < lines.length - 1; // followed by a newline
    if (line === '' && complete) {
      good += 1;
      continue;
    }
    const plain = complete ? open(key, Buffer.from(line, 'base64'), aad) : undefined;
    if (!plain) {
      if (i >= lines.length - 2) break; // the last line: torn by a crash mid-append
      throw new DcmblindError('E_KEY_PASSPHRASE', `${path} is damaged or was altered (record ${i + 1})`);
    }
    entries.push(JSON.parse(plain.toString('utf8')) as JournalEntry);
    plain.fill(0); // the decrypted record does not linger in freed memory
    good += line.length + 1;
  }
  return { entries, good, torn: good < statSync(path).size };
}
