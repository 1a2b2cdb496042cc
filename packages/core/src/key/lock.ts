/**
 * One writer per key at a time. A run appends to the key's journal for its whole length and
 * the custodian's tool rewrites the key file (audit entries, merge, passphrase change); two of
 * them at once could fold a journal away under a run that is still appending to it. The lock
 * is `<key>.lock`, created exclusively, naming its holder. A lock left by a process that died
 * (kill -9, power loss) on this host is taken over; one held elsewhere is reported.
 */
import { closeSync, constants, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { DcmblindError } from '../errors.js';

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly purpose: string;
  readonly since: string;
}

export const lockPath = (keyPath: string): string => `${keyPath}.lock`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Holder;
  } catch {
    return undefined;
  }
}

/**
 * Take the key's lock for `purpose` ("dcmblind run", "dcmblind-key export", …); returns the
 * release function. Throws E_KEY_LOCKED naming the holder when another live process has it.
 */
export function lockKey(keyPath: string, purpose: string): () => void {
  const path = lockPath(keyPath);
  const me: Holder = { pid: process.pid, host: hostname(), purpose, since: new Date().toISOString() };
  // Written whole to a temp file, then linked into place: the lock never exists half-written.
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}`);
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  } catch (e) {
    throw new DcmblindError('E_IO', `cannot lock ${keyPath}: ${(e as NodeJS.ErrnoException).code ?? String(e)} (does its folder exist and is it writable?)`);
  }
  try {
    writeSync(fd, `${JSON.stringify(me)}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    try {
      linkSync(tmp, path);
      return () => release(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new DcmblindError('E_IO', `cannot lock ${keyPath}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    const holder = readHolder(path);
    const stale = holder !== undefined && holder.host === me.host && holder.pid !== process.pid && !alive(holder.pid);
    if (!stale) {
      const who = holder ? `${holder.purpose} (pid ${holder.pid} on ${holder.host}, since ${holder.since})` : 'another process';
      throw new DcmblindError('E_KEY_LOCKED', `${keyPath} is in use by ${who}; try again when it ends, or delete ${path} if that process is gone`);
    }
    // Its holder died: replace the lock atomically with ours.
    renameSync(tmp, path);
    if (readHolder(path)?.pid === process.pid) return () => release(path);
    throw new DcmblindError('E_KEY_LOCKED', `${keyPath}: another process took over its stale lock at the same moment; try again`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

function release(path: string): void {
  if (readHolder(path)?.pid === process.pid) rmSync(path, { force: true });
}
