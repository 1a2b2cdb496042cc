/** Real-world DICOM from Debian's python3-pydicom, and the pydicom-based checker script. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYDICOM_DIRS = [
  '/usr/lib/python3/dist-packages/pydicom/data/test_files',
  '/usr/lib/python3/dist-packages/pydicom/data/charset_files',
];

/** Debian's python3 with pydicom importable, or undefined. */
export function pythonWithPydicom(): string | undefined {
  return pythonWith('pydicom');
}

/** A Python interpreter that can import `module` (Debian's first), or undefined. */
export function pythonWith(module: string): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(py, ['-c', `import ${module}`], { stdio: 'ignore' });
      return py;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** Every file in the pydicom test data folders (the checker decides which are DICOM). */
export function realDicomFiles(): string[] {
  const out: string[] = [];
  for (const d of PYDICOM_DIRS) {
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d, { withFileTypes: true })) if (f.isFile()) out.push(join(d, f.name));
  }
  return out.sort();
}

export const checkerScript = fileURLToPath(new URL('../python/check_deid.py', import.meta.url));
