/**
 * Hostile and broken inputs through the real CLI, in one run: each file ends in a clear
 * per-file error or in a correct output (read back by dcmdump, the planted name nowhere in
 * it); no worker crashes, nothing hangs, the run goes on. Plus filesystem faults: a full
 * disk (a real small tmpfs, when running as root), a file that changes while it is read,
 * and two runs on one output.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildDicom, type El, makeCohort } from '@dcmblind/test-utils';
import { CLI, dcmblind, runInto, dcmdumpStatus, listTree, PASSPHRASE, readTree, tmp } from './helpers.js';

const NAME = 'Hostile^Harriet';
const base = (extra: El[] = [], name: El[] = [[0x00100010, 'PN', NAME]]): El[] => [
  [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'],
  [0x00080018, 'UI', '1.2.826.0.1.3680043.9.9999.77.1'],
  ...name,
  [0x00100020, 'LO', 'HOSTILE-ID-77'],
  ...extra,
  [0x7fe00010, 'OW', new Uint8Array(64).fill(3)],
];

/** Replace the first occurrence of `find` in `bytes` by `repl` (same length). */
function patch(bytes: Uint8Array, find: number[], repl: number[]): Uint8Array {
  const b = Buffer.from(bytes);
  const at = b.indexOf(Buffer.from(find));
  if (at < 0) throw new Error('pattern not found');
  Buffer.from(repl).copy(b, at);
  return b;
}

/** A file with sequences nested `depth` deep (undefined lengths), encoded by hand: no recursion here either. */
function deep(depth: number): Uint8Array {
  const f = Buffer.from(buildDicom(base()));
  const uid = Buffer.from('1.2.826.0.1.3680043.9.9999.77.1');
  const at = f.indexOf(uid) + uid.length + 1; // value padded to even length
  const open = Buffer.from([
    0x08, 0x00, 0x15, 0x11, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff,
    0xff, 0xff,
  ]);
  const close = Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0, 0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
  const parts: Buffer[] = [f.subarray(0, at)];
  for (let i = 0; i < depth; i++) parts.push(open);
  for (let i = 0; i < depth; i++) parts.push(close);
  parts.push(f.subarray(at));
  return Buffer.concat(parts);
}

describe('hostile input', () => {
  it('each broken file gets a clear error or a correct output; the run goes on and no name passes', () => {
    const dir = tmp('hostile-');
    const input = join(dir, 'in');
    mkdirSync(input);
    const good = buildDicom(base());
    const cases: Record<string, { bytes: Uint8Array; expect: string }> = {
      'empty.dcm': { bytes: new Uint8Array(0), expect: 'E_NOT_DICOM' },
      'text.dcm': { bytes: Buffer.from('this is not DICOM at all, just text\n'), expect: 'E_NOT_DICOM' },
      'gzipped.dcm': { bytes: gzipSync(good), expect: 'E_UNSUPPORTED' },
      'deep-5000.dcm': { bytes: deep(5000), expect: 'E_TOO_DEEP' },
      // An OB value whose 4-byte length points far past the end (no allocation of that size).
      'huge-length.dcm': {
        bytes: patch(
          buildDicom(base([[0x00091010, 'OB', new Uint8Array(8)]])),
          [0x09, 0x00, 0x10, 0x10, 0x4f, 0x42, 0, 0, 8, 0, 0, 0],
          [0x09, 0x00, 0x10, 0x10, 0x4f, 0x42, 0, 0, 0xf0, 0xff, 0xff, 0xff],
        ),
        expect: 'E_TRUNCATED',
      },
      // A sequence of undefined length that never ends.
      'no-delimiter.dcm': {
        bytes: (() => {
          const d = deep(3);
          return d.subarray(0, d.length - 100);
        })(),
        expect: 'E_TRUNCATED',
      },
      'truncated-mid-name.dcm': {
        bytes: good.subarray(0, Buffer.from(good).indexOf('Hostile') + 4),
        expect: 'E_TRUNCATED',
      },
      // Correct outputs expected: the name must be gone.
      'duplicate-tags.dcm': {
        bytes: buildDicom(
          base(
            [],
            [
              [0x00100010, 'PN', NAME],
              [0x00100010, 'PN', NAME],
            ],
          ),
        ),
        expect: 'written',
      },
      'out-of-order.dcm': {
        bytes: buildDicom([[0x00100010, 'PN', NAME], ...base([], [])]),
        expect: 'written',
      },
      'name-as-lo.dcm': { bytes: buildDicom(base([], [[0x00100010, 'LO', NAME]])), expect: 'written' },
      'name-as-un.dcm': {
        bytes: buildDicom(base([], [[0x00100010, 'UN', Buffer.from(NAME)]])),
        expect: 'written',
      },
      'un-garbage.dcm': {
        bytes: buildDicom(
          base([[0x00189999, 'UN', Uint8Array.from({ length: 301 }, (_, i) => (i * 37) & 255)]]),
        ),
        expect: 'written',
      },
      'odd-lengths.dcm': {
        bytes: buildDicom(base([[0x00081030, 'LO', `Study of ${NAME}`]])),
        expect: 'written',
      },
      'name-in-unknown-public-tag.dcm': {
        bytes: buildDicom(base([[0x00109999, 'LO', NAME]])),
        expect: 'written',
      },
    };
    for (const [name, c] of Object.entries(cases)) writeFileSync(join(input, name), c.bytes);
    const out = join(dir, 'out');
    const r = dcmblind(['run', input, '--out', out, '--key', join(dir, 'k.key'), '--json']);
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout) as {
      failures: Array<{ path: string; code: string; reason: string }>;
      written: number;
    };
    expect(r.stderr).not.toMatch(/E_INTERNAL|internal error/);
    for (const [name, c] of Object.entries(cases)) {
      const f = summary.failures.find((x) => x.path.endsWith(`/${name}`));
      if (c.expect === 'written') expect(f, `${name}: ${f?.reason}`).toBeUndefined();
      else {
        expect(f?.code, name).toBe(c.expect);
        expect(f?.reason.length, name).toBeGreaterThan(10);
      }
    }
    expect(summary.written).toBe(Object.values(cases).filter((c) => c.expect === 'written').length);
    for (const [p, bytes] of readTree(out)) {
      expect(dcmdumpStatus(join(out, p)), p).toBe(0);
      for (const v of ['Hostile', 'Harriet', 'HOSTILE-ID-77'])
        expect(bytes.includes(Buffer.from(v)), `${v} in ${p}`).toBe(false);
    }
  });
});

describe('filesystem faults and concurrency', () => {
  it('a second run on the same output is refused while the first runs', async () => {
    const dir = tmp('twice-');
    const input = join(dir, 'in');
    makeCohort(input, { patients: 3, studiesPerPatient: 2, seriesPerStudy: 2, instancesPerSeries: 20 });
    const out = join(dir, 'out');
    const first = spawn(process.execPath, [CLI, 'run', input, '--out', out, '--key', join(dir, 'a.key')], {
      env: { ...process.env, DCMBLIND_PASSPHRASE: PASSPHRASE, DCMBLIND_KDF_LOG2N: '14' },
      stdio: 'ignore',
    });
    const done = new Promise((r) => first.on('exit', r));
    for (let i = 0; i < 2000 && !existsSync(join(out, '.dcmblind', 'run-in-progress')); i++)
      await new Promise((r) => setTimeout(r, 5));
    const second = dcmblind(['run', input, '--out', out, '--key', join(dir, 'b.key')]);
    await done;
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/in use by dcmblind run/);
    // The first run's output is whole and verifiable.
    expect(first.exitCode).toBe(0);
    expect(listTree(out).length).toBe(240);
  });

  it('a file that grows while it is read is reported, not half-copied', () => {
    const dir = tmp('grow-');
    const input = join(dir, 'in');
    mkdirSync(input);
    const f = join(input, 'big.dcm');
    // A file above the head-only threshold, so the worker streams it while we append.
    writeFileSync(
      f,
      buildDicom(
        base([], [[0x00100010, 'PN', NAME]]).map((e) =>
          e[0] === 0x7fe00010 ? ([0x7fe00010, 'OW', new Uint8Array(40 * 1024 * 1024)] as El) : e,
        ),
      ),
    );
    // A writer keeps appending for the whole run (as a scanner export still in progress would).
    const child = spawnSync(
      'sh',
      [
        '-c',
        `(for i in $(seq 400); do head -c 4096 /dev/zero >> '${f}'; sleep 0.01; done) & W=$!; node '${CLI}' run '${input}' --out '${join(dir, 'out')}' --key '${join(dir, 'k.key')}' --json; kill $W 2>/dev/null; wait`,
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, DCMBLIND_PASSPHRASE: PASSPHRASE, DCMBLIND_KDF_LOG2N: '14' },
      },
    );
    const s = JSON.parse(child.stdout) as {
      written: number;
      failed: number;
      failures: Array<{ code: string; reason: string }>;
    };
    expect(s.failed).toBe(1);
    expect(s.failures[0]?.reason).toMatch(/changed while it was being read/);
    expect(listTree(join(dir, 'out'))).toEqual([]);
  });

  const root = process.getuid?.() === 0 && spawnSync('which', ['mount']).status === 0;
  if (!root)
    console.warn('skipping the disk-full test: it mounts a small tmpfs, which needs root (CI runs as root)');
  it.skipIf(!root)(
    'a full disk stops cleanly: no partial file, key consistent, a rerun with space completes',
    () => {
      const dir = tmp('full-');
      const input = join(dir, 'in');
      makeCohort(input, {
        patients: 2,
        studiesPerPatient: 2,
        seriesPerStudy: 2,
        instancesPerSeries: 10,
        rows: 128,
        columns: 128,
      }); // 80 × ~33 KB
      const mnt = join(dir, 'mnt');
      mkdirSync(mnt);
      const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]).status === 0;
      if (!mounted) {
        console.warn('skipping disk-full: cannot mount a tmpfs here');
        return;
      }
      try {
        const out = join(mnt, 'out');
        const key = join(dir, 'k.key');
        const r = dcmblind(['run', input, '--out', out, '--key', key, '--json']);
        expect(r.code).toBe(1);
        const s = JSON.parse(r.stdout) as {
          written: number;
          failed: number;
          failures: Array<{ code: string; reason: string }>;
        };
        expect(s.failed).toBeGreaterThan(0);
        expect(s.failures.every((f) => f.code === 'E_IO' || f.code === 'E_INTERNAL')).toBe(true);
        expect(s.failures.some((f) => /ENOSPC|no space/i.test(f.reason))).toBe(true);
        // No partial file under an output name: everything there parses.
        for (const p of listTree(out)) {
          expect(p.endsWith('-part'), p).toBe(false);
          expect(dcmdumpStatus(join(out, p)), p).toBe(0);
        }
        const written = listTree(out).length;
        expect(written).toBe(s.written);
        // More space, same command: the rest is written, nothing twice.
        execFileSync('mount', ['-o', 'remount,size=64m', mnt]);
        const again = dcmblind(['run', input, '--out', out, '--key', key, '--json']);
        expect(again.code, again.stderr).toBe(0);
        expect(listTree(out).length).toBe(80);
        expect(JSON.parse(again.stdout).done).toBe(written);
      } finally {
        spawnSync('umount', [mnt]);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('unreadable files and folders and a symlink loop are reported one by one; the rest is written', () => {
    const dir = tmp('perm-');
    const input = join(dir, 'in');
    makeCohort(input, { patients: 1, studiesPerPatient: 1, seriesPerStudy: 1, instancesPerSeries: 3 });
    const series = execFileSync('find', [input, '-name', 'series-1', '-type', 'd'], {
      encoding: 'utf8',
    }).trim();
    chmodSync(join(series, 'IMG0002.dcm'), 0o000);
    mkdirSync(join(input, 'locked'));
    writeFileSync(join(input, 'locked', 'x.dcm'), buildDicom(base()));
    chmodSync(join(input, 'locked'), 0o000);
    symlinkSync('..', join(series, 'loop'));
    // Root reads everything: when we are root, the run goes without the capabilities that
    // override file permissions (root then meets mode 000 like anyone).
    const asNobody =
      process.getuid?.() === 0 ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--'] : [];
    const cmd = [
      ...asNobody,
      process.execPath,
      CLI,
      'run',
      input,
      '--out',
      join(dir, 'out'),
      '--key',
      join(dir, 'k.key'),
      '--json',
    ];
    const r = spawnSync(cmd[0] as string, cmd.slice(1), {
      encoding: 'utf8',
      env: { ...process.env, DCMBLIND_PASSPHRASE: PASSPHRASE, DCMBLIND_KDF_LOG2N: '14' },
    });
    chmodSync(join(input, 'locked'), 0o755);
    expect(r.status, r.stderr).toBe(1);
    const s = JSON.parse(r.stdout) as {
      written: number;
      failures: Array<{ path: string; code: string; reason: string }>;
    };
    expect(s.written).toBe(2);
    const why = (suffix: string) => s.failures.find((f) => f.path.endsWith(suffix))?.reason ?? '';
    expect(why('IMG0002.dcm')).toMatch(/EACCES/);
    expect(why('/locked')).toMatch(/cannot list folder: EACCES/);
    expect(why('/loop')).toMatch(/symbolic link to a folder not followed/);
    expect(s.failures).toHaveLength(3);
  });

  it('a single file over 2 GB is processed in bounded memory and copied exactly', () => {
    const dir = tmp('huge-');
    const f = join(dir, 'in', 'huge.dcm');
    mkdirSync(join(dir, 'in'));
    // A real header longer than the first read (a 5 MB private block, as multi-frames' functional
    // groups are), then 2.2 GB of pixel data as a sparse file (no 2 GB in this process either),
    // then a trailing padding after the pixel data, as GE and signed exports have.
    const privateBlock: El[] = [
      [0x00190010, 'LO', 'GEMS_ACQU_01'],
      [0x00191001, 'OB', new Uint8Array(5_000_000).fill(0x20)],
    ];
    const head = Buffer.from(
      buildDicom(
        base(privateBlock).map((e) =>
          e[0] === 0x7fe00010 ? ([0x7fe00010, 'OB', new Uint8Array(0)] as El) : e,
        ),
      ),
    );
    const size = 2_150_000_000; // past 2 GiB: 32-bit signed offsets would wrap
    head.writeUInt32LE(size, head.length - 4);
    writeFileSync(f, head);
    truncateSync(f, head.length + size);
    const padding = Buffer.concat([
      Buffer.from([0xfc, 0xff, 0xfc, 0xff, 0x4f, 0x42, 0, 0]),
      Buffer.from([64, 0, 0, 0]),
      Buffer.alloc(64),
    ]);
    appendFileSync(f, padding);
    const r = runInto(dir, join(dir, 'in'), ['--json', '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { written: number; peakRssMB: number };
    expect(s.written).toBe(1);
    expect(s.peakRssMB).toBeLessThan(400);
    const [out] = listTree(join(dir, 'out'));
    const outPath = join(dir, 'out', out as string);
    // The pixel data is the source's, byte for byte (compared by streaming hash of the ranges).
    const range = (p: string, from: number, n: number) => {
      const h = createHash('sha256');
      const fd = openSync(p, 'r');
      const buf = Buffer.alloc(8 << 20);
      try {
        for (let pos = from, k = 0; pos < from + n; pos += k) {
          k = readSync(fd, buf, 0, Math.min(buf.length, from + n - pos), pos);
          if (k === 0) break;
          h.update(buf.subarray(0, k));
        }
      } finally {
        closeSync(fd);
      }
      return h.digest('hex');
    };
    const outSize = statSync(outPath).size;
    const last = Buffer.alloc(padding.length);
    const fd = openSync(outPath, 'r');
    readSync(fd, last, 0, last.length, outSize - last.length);
    closeSync(fd);
    // Kept or removed, the padding is all that may follow the pixel data.
    const pixelsEnd = last.equals(padding) ? outSize - padding.length : outSize;
    expect(range(outPath, pixelsEnd - size, size)).toBe(range(f, head.length, size));
    // dcmtk reads the header (-M: large values not loaded).
    expect(spawnSync('dcmdump', ['-M', outPath]).status).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the key file is owner-only and no temp file of the key store is left', () => {
    const dir = tmp('keyfiles-');
    const input = join(dir, 'in');
    makeCohort(input, { patients: 1, studiesPerPatient: 1, seriesPerStudy: 1, instancesPerSeries: 2 });
    expect(runInto(dir, input).code).toBe(0);
    const left = execFileSync('ls', ['-a', dir], { encoding: 'utf8' })
      .split('\n')
      .filter((n) => n.includes('.tmp') || n.endsWith('.lock') || n.endsWith('.journal'));
    expect(left).toEqual([]);
    expect(readFileSync(join(dir, 'k.key')).includes(Buffer.from(PASSPHRASE))).toBe(false);
  });
});
