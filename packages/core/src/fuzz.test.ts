/**
 * Seeded fuzzing on real files (pydicom's test data): thousands of mutations — flipped bytes,
 * truncations, insertions, huge, odd and undefined lengths, duplicated and swapped slices.
 * Each case must end in a clear DcmblindError or in an output that parses; none may crash
 * (any other exception), take long, or pass through an identifying value that pydicom reads
 * in the mutated input. `DCMBLIND_FUZZ_CASES` raises the count; tooling/bench/fuzz.mjs runs
 * for a chosen time.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mutate, pythonWithPydicom, Rng, realDicomFiles, testDir } from '@dcmblind/test-utils';
import { parseFile } from './dicom/reader.js';
import { deidentify } from './deid/deidentify.js';
import { DcmblindError } from './errors.js';
import { ProjectSecret } from './identity/secret.js';
import { compileProfile } from './profile/rules.js';

const PY = pythonWithPydicom();
const CASES = Number(process.env.DCMBLIND_FUZZ_CASES ?? 5000);

describe.skipIf(!PY)('fuzz', () => {
  const title =
    `${CASES} seeded mutations of real files: ` +
    'a clear error or a parseable output, never a crash, a hang or a leak';
  it(title, () => {
    const cfg = {
      profile: compileProfile('basic', []),
      secret: new ProjectSecret(new Uint8Array(32).fill(9)),
      pseudonymPrefix: 'ANON-',
      dateOffset: { min: 365, max: 1095 },
    };
    // Files the engine writes when intact (those are the interesting ones to break), up to 256 KB.
    const seeds = realDicomFiles().filter((f) => {
      if (statSync(f).size > 256 * 1024) return false;
      try {
        return deidentify(readFileSync(f), cfg).status === 'written';
      } catch {
        return false;
      }
    });
    expect(seeds.length).toBeGreaterThan(40);
    const sources = seeds.map((f) => readFileSync(f));
    const dir = testDir('fuzz-');
    const outcomes: Record<string, number> = {};
    const written: number[] = [];
    let slowest = 0;
    for (let i = 0; i < CASES; i++) {
      const rng = new Rng(i + 1);
      const k = rng.int(sources.length);
      const { bytes, mutation } = mutate(sources[k] as Buffer, rng);
      const t0 = performance.now();
      let status: string;
      try {
        const r = deidentify(bytes, cfg);
        status = r.status;
        if (r.status === 'written') {
          const out = r.output.concat();
          parseFile(out); // our own output always parses
          writeFileSync(join(dir, `${i}.in`), bytes);
          writeFileSync(join(dir, `${i}.out`), out);
          written.push(i);
        }
      } catch (e) {
        if (!(e instanceof DcmblindError))
          throw new Error(`case ${i} (${mutation} of ${seeds[k]}): ${(e as Error).stack}`);
        expect(e.message.length, `case ${i}`).toBeGreaterThan(10);
        status = e.code;
      }
      slowest = Math.max(slowest, performance.now() - t0);
      outcomes[`${mutation} → ${status}`] = (outcomes[`${mutation} → ${status}`] ?? 0) + 1;
    }
    expect(slowest).toBeLessThan(5000);
    expect(written.length).toBeGreaterThan(CASES / 10);
    // An independent reader of every mutated input that produced an output: whatever it finds
    // in PatientName, PatientID, OtherPatientIDs or birth date must not be in the output bytes.
    const leaks = execFileSync(
      PY as string,
      [
        '-c',
        `
import sys, os, json, pydicom
d = sys.argv[1]; leaks = []
for i in sys.argv[2:]:
    try:
        ds = pydicom.dcmread(os.path.join(d, i + '.in'), force=True)
        vals = set()
        for kw in ('PatientName', 'PatientID', 'OtherPatientIDs', 'PatientBirthDate'):
            v = ds.get(kw)
            if v is None: continue
            for x in (v if isinstance(v, pydicom.multival.MultiValue) else [v]):
                s = str(x).strip()
                if len(s) >= 6 and s.upper() not in ('ANONYMOUS', 'ANONYMIZED'): vals.add(s)
    except Exception:
        continue
    out = open(os.path.join(d, i + '.out'), 'rb').read()
    for v in vals:
        for enc in ('utf-8', 'latin-1'):
            try: b = v.encode(enc)
            except Exception: continue
            if b in out: leaks.append([i, v[:2] + '…'])
print(json.dumps(leaks))
`,
        dir,
        ...written.map(String),
      ],
      { encoding: 'utf8', maxBuffer: 1 << 26 },
    );
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(
      `fuzz: ${CASES} cases, ${written.length} written, slowest ${slowest.toFixed(0)} ms\n${Object.entries(
        outcomes,
      )
        .sort()
        .map(([k, v]) => `  ${k}: ${v}`)
        .join('\n')}\n`,
    );
    expect(JSON.parse(leaks)).toEqual([]);
  });
});
