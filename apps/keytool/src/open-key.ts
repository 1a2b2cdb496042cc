/**
 * Passphrases and opening keys. A command that only reads a key opens it without the lock (it
 * writes nothing); one that writes to it, even a single audit entry, holds the key's lock until
 * it is done, so two custodians' commands never interleave their writes.
 */
import { KeyStore, lockKey, resolvePassphrase, terminalAsk } from '@dcmblind/core';
import { mustExist } from './paths.js';

/**
 * A passphrase for `purpose`, from `envVar` (DCMBLIND_PASSPHRASE unless named) or a prompt on the
 * terminal; `confirm` asks twice, for a passphrase that is being set.
 */
export function passphrase(purpose: string, confirm = false, envVar?: string): Promise<string> {
  return resolvePassphrase(terminalAsk, {
    confirm,
    purpose,
    isTTY: Boolean(process.stdin.isTTY),
    ...(envVar ? { envVar } : {}),
  });
}

/** Open a key to read only (no lock: nothing is written, a pending journal is read as it is). */
export async function openToRead(keyfile: string): Promise<KeyStore> {
  mustExist(keyfile);
  return KeyStore.openAsync(keyfile, await passphrase(`key ${keyfile}`), { readOnly: true });
}

/** A key opened under its lock; `done` closes it and releases the lock. */
export interface LockedKey {
  readonly key: KeyStore;
  readonly done: () => void;
}

/** Open the key under its lock (for commands that write to it); the lock is released on close. */
export async function openLocked(keyfile: string, purpose: string): Promise<LockedKey> {
  mustExist(keyfile);
  const release = lockKey(keyfile, `dcmblind-key ${purpose}`);
  try {
    const key = await KeyStore.openAsync(keyfile, await passphrase(`key ${keyfile}`));
    return {
      key,
      done: () => {
        key.close();
        release();
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}
