/**
 * The shape every command module shares, so that main.ts can hold the commands as a table.
 */
import type { Command } from 'commander';

/**
 * Raises the exit code to `code` (the highest wins): a command that did its work but left rows
 * unresolved says 1 without throwing, so its output still stands.
 */
export type SetCode = (code: number) => void;

/** Adds one command to the program. */
export type Register = (program: Command, setCode: SetCode) => void;
