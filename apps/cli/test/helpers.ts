/** Shared helpers for end-to-end tests: run the built CLI, read trees, call the independent checkers. */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IOD_TYPES_URL, KeyStore, TABLE_URL } from '@dcmblind/core';
import { checkerScript, pythonWithPydicom, testDir } from '@dcmblind/test-utils';

export const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));
export const KEYTOOL = fileURLToPath(new URL('../../keytool/dist/main.js', import.meta.url));
export const PASSPHRASE = 'correct horse battery staple 42';

export function tmp(prefix = 'dcmblind-'): string {
  return testDir(prefix);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function dcmblind(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    // Lower scrypt cost for the suite only (the header records it); never set in production.
    env: { ...process.env, DCMBLIND_PASSPHRASE: PASSPHRASE, DCMBLIND_KDF_LOG2N: '14', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `dcmblind run INPUT --out OUT --key KEY …more`. */
export function runWith(
  input: string,
  out: string,
  key: string,
  more: string[] = [],
  env: Record<string, string> = {},
): CliResult {
  return dcmblind(['run', input, '--out', out, '--key', key, ...more], env);
}

/** `dcmblind run INPUT --out DIR/out --key DIR/k.key …more`: a test folder's usual single run. */
export function runInto(
  dir: string,
  input: string,
  more: string[] = [],
  env: Record<string, string> = {},
): CliResult {
  return runWith(input, join(dir, 'out'), join(dir, 'k.key'), more, env);
}

/**
 * Creates KEY by running one patient's folder of a generated cohort into DIR/warm, so that
 * later runs start from an existing key (and the same secret).
 */
export function warmKey(dir: string, input: string, firstPatientFolder: string, key: string): void {
  const r = dcmblind([
    'run',
    join(input, 'site-A', firstPatientFolder),
    '--out',
    join(dir, 'warm'),
    '--key',
    key,
  ]);
  if (r.code !== 0) throw new Error(`warm-up run failed: ${r.stderr}`);
}

/** The custodian's tool, with the suite's passphrase unless `env` says otherwise. */
export function keytool(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [KEYTOOL, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DCMBLIND_PASSPHRASE: PASSPHRASE, DCMBLIND_KDF_LOG2N: '14', ...env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under dir, as sorted relative paths (dcmblind's own state folder left out unless asked). */
export function listTree(dir: string, withState = false): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory() && e.name === '.dcmblind' && d === dir && !withState) continue;
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

export function readTree(dir: string, withState = false): Map<string, Buffer> {
  return new Map(listTree(dir, withState).map((p) => [p, readFileSync(join(dir, p))]));
}

/** source path → output path, from the key's records (read through core with the passphrase). */
export function keyMapping(keyfile: string): Map<string, string> {
  const k = KeyStore.open(keyfile, PASSPHRASE);
  const m = new Map(k.payload.files.toArray().map((f) => [f.sourcePath, f.outputPath]));
  k.close();
  return m;
}

export const PYTHON = pythonWithPydicom();
export const HAVE_DCMDUMP = (() => {
  try {
    execFileSync('dcmdump', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** In CI the independent tools are required; elsewhere tests needing them skip and say why. */
export function requireTools(): boolean {
  const ok = PYTHON !== undefined && HAVE_DCMDUMP;
  if (!ok && process.env.CI) throw new Error('CI needs python3-pydicom and dcmtk (installed by .ci/run)');
  if (!ok)
    console.warn('skipping: needs Debian python3-pydicom and dcmtk (apt-get install python3-pydicom dcmtk)');
  return ok;
}

export interface Classified {
  path: string;
  burnedIn: boolean;
  noMeta: boolean;
  transferSyntax: string;
}

export function classify(files: string[]): Classified[] {
  const out = execFileSync(PYTHON as string, ['-W', 'ignore', checkerScript, 'classify', ...files], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out) as Classified[];
}

export function check(
  pairs: Array<{ source: string; output: string }>,
  options: string[],
): Array<{ source: string; output: string; problems: string[] }> {
  const dir = tmp('pairs-');
  const f = join(dir, 'pairs.json');
  writeFileSync(f, JSON.stringify(pairs));
  const out = execFileSync(
    PYTHON as string,
    [
      '-W',
      'ignore',
      checkerScript,
      'check',
      '--table',
      fileURLToPath(TABLE_URL),
      '--iod-types',
      fileURLToPath(IOD_TYPES_URL),
      '--options',
      options.join(','),
      f,
    ],
    {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    },
  );
  return JSON.parse(out);
}

/** dcmdump's verdict: 0 when dcmtk reads the whole file without error. */
export function dcmdumpStatus(file: string): number {
  return spawnSync('dcmdump', ['-q', file], { stdio: 'ignore' }).status ?? -1;
}

export const HAVE_DCIODVFY = spawnSync('which', ['dciodvfy']).status === 0;

/** dciodvfy's output as comparable error lines: values, UIDs and item numbers blanked, names kept. */
function errorLines(output: string): Set<string> {
  return new Set(
    output
      .split('\n')
      .filter((l) => l.startsWith('Error'))
      .map((l) =>
        l
          .replace(/(Value|value)=<[^>]*>/g, '$1=<>')
          .replace(/ = <[^>]*>/g, ' = <>')
          .replace(/\[\d+\]/g, '[]')
          .replace(/\d+(\.\d+)+/g, 'UID')
          .replace(/(UID) \S+$/, '$1 X'),
      ),
  );
}

/**
 * dciodvfy's error lines for a file, comparable between a source and its output: values, UIDs
 * and item numbers blanked, element and module names kept.
 */
export function dciodvfyErrors(file: string): Set<string> {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return errorLines(`${r.stdout}\n${r.stderr}`);
}

/** Sources are checked by several tests and profiles: their verdicts are kept (by path, size, time). */
const verdicts = new Map<string, Promise<Set<string>>>();

function dciodvfyLater(file: string): Promise<Set<string>> {
  const s = statSync(file);
  const id = `${file}\0${s.size}\0${s.mtimeMs}`;
  let v = verdicts.get(id);
  if (!v) {
    v = new Promise((resolve) =>
      execFile('dciodvfy', [file], { encoding: 'utf8', maxBuffer: 64 << 20 }, (_e, out, err) =>
        resolve(errorLines(`${out}\n${err}`)),
      ),
    );
    verdicts.set(id, v);
  }
  return v;
}

/**
 * Every output's dciodvfy error lines its source did not have, by source file name (from the
 * key's records; `keep` picks which records). dciodvfy runs on every core.
 */
export async function newErrorsIn(
  key: string,
  out: string,
  keep: (sourcePath: string) => boolean = () => true,
): Promise<Map<string, string[]>> {
  const k = KeyStore.open(key, PASSPHRASE, { readOnly: true });
  const files = k.payload.files.toArray().filter((f) => keep(f.sourcePath));
  k.close();
  if (files.length === 0) throw new Error(`nothing written into ${out}`);
  const found = new Map<string, string[]>();
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const f = files[next++] as (typeof files)[number];
      const before = await dciodvfyLater(f.sourcePath);
      const fresh = [...(await dciodvfyLater(join(out, f.outputPath)))].filter((e) => !before.has(e));
      if (fresh.length) found.set(basename(f.sourcePath), fresh);
    }
  };
  await Promise.all(Array.from({ length: availableParallelism() }, worker));
  return found;
}

/**
 * De-identify `input` under a profile (patient layout, or `more` options); every output's
 * dciodvfy error lines its source did not have, by source file name.
 */
export function newErrors(
  input: string,
  profile: string,
  more: string[] = ['--layout', 'patient'],
): Promise<Map<string, string[]>> {
  const dir = tmp(`conf-${profile}-`);
  const key = join(dir, 'k.key');
  runWith(input, join(dir, 'out'), key, ['--profile', profile, '--quiet', ...more]);
  return newErrorsIn(key, join(dir, 'out'));
}
