/**
 * One writer per key at a time. A run appends to the key's journal for its whole length and
 * the custodian's tool rewrites the key file (audit entries, merge, passphrase change); two of
 * them at once could fold a journal away under a run that is still appending to it. The lock
 * is `<key>.lock`, created exclusively, naming its holder.
 *
 * A holder that died must never block the next run. Two ways of telling, both immune to the
 * traps of a plain "is the pid alive" test (a killed run left as a zombie where nothing reaps
 * orphans — containers without an init —, or its pid reused by another process):
 * - the holder keeps an exclusive flock on the lock file (native helper): the kernel drops it
 *   when the holder's descriptors close, zombie or not, so a lock we can flock is stale;
 * - otherwise the holder's /proc entry: gone, a zombie, another start time or another boot.
 * A lock held on another host is reported, never taken over.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { DcmblindError } from '../errors.js';
import { tryLock } from '../run/native.js';

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly purpose: string;
  readonly since: string;
  /** /proc start time of the holder (clock ticks since boot) and the boot it ran in. */
  readonly start?: string;
  readonly boot?: string;
  /** The holder keeps a flock on the lock file for as long as it lives. */
  readonly flock?: boolean;
}

export const lockPath = (keyPath: string): string => `${keyPath}.lock`;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const bootId = (): string | undefined => readText('/proc/sys/kernel/random/boot_id')?.trim();

/** State letter and start time of a process from /proc/<pid>/stat; undefined when it has no entry. */
function procStat(pid: number): { state: string; start: string } | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ")".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', start: fields[19] ?? '' };
}

const procAvailable = (): boolean => procStat(process.pid) !== undefined;

/** Whether the process that wrote `holder` (on this host) is still running. */
function holderAlive(holder: Holder, path: string): boolean {
  const boot = bootId();
  if (holder.boot && boot && holder.boot !== boot) return false; // the machine restarted since
  if (holder.flock) {
    const taken = flockFree(path);
    if (taken !== undefined) return !taken;
  }
  if (procAvailable()) {
    const st = procStat(holder.pid);
    if (!st || st.state === 'Z' || st.state === 'X') return false; // gone, or a zombie nobody reaps
    return holder.start === undefined || st.start === holder.start; // else its pid was reused
  }
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether nobody holds a flock on `path` (tested by taking and dropping it); undefined without the
 * helper.
 */
function flockFree(path: string): boolean | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return true; // the lock file went away: its holder released it
  }
  try {
    return tryLock(fd);
  } finally {
    closeSync(fd);
  }
}

function readHolder(path: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Holder;
  } catch {
    return undefined;
  }
}

function inUse(what: string, holder: Holder | undefined): DcmblindError {
  const who = holder
    ? `${holder.purpose} (pid ${holder.pid} on ${holder.host}, since ${holder.since})`
    : 'another process';
  const elsewhere = holder !== undefined && holder.host !== hostname();
  return new DcmblindError(
    'E_KEY_LOCKED',
    `${what} is in use by ${who}; try again when it ends` +
      (elsewhere ? `, or delete ${lockPath(what)} if that process is gone` : ''),
  );
}

/**
 * Refuse at once when a live process holds `keyPath`'s lock, creating nothing (a run checks its
 * output before it makes any folder). A stale lock passes: lockKey takes it over.
 */
export function assertUnlocked(keyPath: string, label = keyPath): void {
  const path = lockPath(keyPath);
  const holder = readHolder(path);
  if (!holder) return;
  if (holder.host !== hostname() || holderAlive(holder, path)) throw inUse(label, holder);
}

/** Temp files of atomic rewrites next to the key (`.<key>.tmp-…`): a writer killed mid-write leaves one. */
function sweepKeyTemps(keyPath: string): void {
  const prefix = `.${basename(keyPath)}.tmp-`;
  try {
    for (const name of readdirSync(dirname(keyPath)))
      if (name.startsWith(prefix)) rmSync(join(dirname(keyPath), name), { force: true });
  } catch {
    // an unlistable folder: nothing to sweep
  }
}

/**
 * Take the key's lock for `purpose` ("dcmblind run", "dcmblind-key export", …); returns the
 * release function. Throws E_KEY_LOCKED naming the holder when another live process has it.
 */
export function lockKey(keyPath: string, purpose: string): () => void {
  const path = lockPath(keyPath);
  const own = procStat(process.pid);
  const boot = bootId();
  // Written whole to a temp file, flocked, then linked into place: the lock never exists
  // half-written, nor for an instant without its kernel lock.
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}`);
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_RDWR, 0o600);
  } catch (e) {
    throw new DcmblindError(
      'E_IO',
      `cannot lock ${keyPath}: ${(e as NodeJS.ErrnoException).code ?? String(e)} ` +
        '(does its folder exist and is it writable?)',
    );
  }
  let held = false;
  try {
    const flocked = tryLock(fd) === true;
    const me: Holder = {
      pid: process.pid,
      host: hostname(),
      purpose,
      since: new Date().toISOString(),
      ...(own ? { start: own.start } : {}),
      ...(boot ? { boot } : {}),
      ...(flocked ? { flock: true } : {}),
    };
    writeSync(fd, `${JSON.stringify(me)}\n`);
    try {
      linkSync(tmp, path);
      held = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new DcmblindError(
          'E_IO',
          `cannot lock ${keyPath}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
        );
    }
    if (!held) {
      const holder = readHolder(path);
      // Our own pid and start time: a lock this very process holds (never stale).
      const mine = holder?.pid === process.pid && holder.start === me.start && holder.boot === me.boot;
      const stale = holder !== undefined && holder.host === me.host && !mine && !holderAlive(holder, path);
      if (!stale) throw inUse(keyPath, holder);
      // Its holder died: replace the lock atomically with ours.
      renameSync(tmp, path);
      if (readHolder(path)?.pid !== process.pid)
        throw new DcmblindError(
          'E_KEY_LOCKED',
          `${keyPath}: another process took over its stale lock at the same moment; try again`,
        );
      held = true;
    }
    sweepKeyTemps(keyPath);
    const lockFd = fd;
    return () => {
      if (readHolder(path)?.pid === process.pid) rmSync(path, { force: true });
      closeSync(lockFd);
    };
  } finally {
    rmSync(tmp, { force: true });
    if (!held) closeSync(fd);
  }
}
