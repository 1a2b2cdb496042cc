/**
 * Burned-in text (issue 20, native pixel data): images built by test-data/python/burned_in.py from
 * pydicom's real headers and pixel data, with a name, an MRN and dates drawn in several fonts,
 * sizes, colours and places (monochrome and RGB by pixel and by plane, 8- and 16-bit,
 * MONOCHROME1, a three-frame cine, a 15-frame RGB cine over 32 MiB read frame by frame), plus an image without text and a CT that is not flagged.
 * check_burned_in.py judges the output with an independent reader, Debian's tesseract: no
 * planted word is readable after `--option clean-pixel-data` (while it reads them in the input),
 * no pixel changed outside the drawn text, the controls come out with identical pixels, and the
 * cleaned files say BurnedInAnnotation NO and carry code 113101. dciodvfy finds no new error.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pythonWith } from '@dcmblind/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { HAVE_DCIODVFY, listTree, newErrorsIn, PASSPHRASE, runWith, tmp } from './helpers.js';

const PY = pythonWith('PIL') && pythonWith('pydicom');
const TESSERACT = spawnSync('which', ['tesseract']).status === 0;
const ENCODERS = ['dcmcjpeg', 'gdcmconv', 'ojph_compress'].every((t) => spawnSync('which', [t]).status === 0);
if ((!PY || !TESSERACT || !HAVE_DCIODVFY || !ENCODERS) && process.env.CI)
  throw new Error(
    'CI needs python3-pydicom, python3-pil, tesseract-ocr, dicom3tools, dcmtk, libgdcm-tools and openjph-tools (.ci/run)',
  );
/** A case of the generator's manifest (test-data/python/burned_in.py), as far as the tests read it. */
interface Case {
  readonly file: string;
  readonly tokens: string[];
  readonly scanned: boolean;
  readonly knownLeaks?: string[];
  readonly pixelsFrom?: string;
  readonly lossyCoded?: boolean;
  /** Why dcmblind-verify's whole-frame OCR does not read this case's text. */
  readonly verifierMisses?: string;
}
const VERIFY = fileURLToPath(new URL('../../verify/dist/main.js', import.meta.url));
const script = (name: string) => fileURLToPath(new URL(`../../../test-data/python/${name}`, import.meta.url));

describe.skipIf(!PY || !TESSERACT)('burned-in text (clean-pixel-data)', () => {
  let input: string;
  beforeAll(() => {
    input = join(tmp('burned-'), 'in');
    execFileSync(PY as string, [script('burned_in.py'), input], { stdio: 'ignore' });
    // More syntaxes, made by independent encoders (dcmtk, GDCM, OpenJPH): JPEG lossless, JPEG-LS,
    // JPEG 2000 lossless and lossy, HTJ2K lossless, each scanned and written back native; 12-bit JPEG, which this version
    // does not decode: quarantined, never written. A copy names the file whose pixels it holds
    // (pydicom cannot decode it): its source, or for the lossy JPEG 2000 GDCM's decoding of it
    // (itself a case).
    if (ENCODERS) {
      const at = (f: string) => join(input, f);
      execFileSync('dcmcjpeg', ['+e1', '+ua', at('us-mono.dcm'), at('us-lossless.dcm')]);
      execFileSync('gdcmconv', ['-L', at('us-rgb.dcm'), at('us-jpegls.dcm')]);
      execFileSync('gdcmconv', ['--j2k', at('sc-planar.dcm'), at('sc-j2k.dcm')]);
      // Lossy: the irreversible wavelet, quality 40 (GDCM warns on stderr that this loses data).
      const quiet = { stdio: 'ignore' } as const;
      execFileSync(
        'gdcmconv',
        ['-K', '-Y', '--irreversible', '-q', '40', at('us-mono.dcm'), at('us-j2k.dcm')],
        quiet,
      );
      execFileSync('gdcmconv', ['--raw', at('us-j2k.dcm'), at('us-j2k-decoded.dcm')]);
      // The control without text, coded with loss and not saying so: its frames stay as they are.
      execFileSync(
        'gdcmconv',
        ['-K', '-Y', '--irreversible', '-q', '40', at('us-clean.dcm'), at('us-j2k-clean.dcm')],
        quiet,
      );
      execFileSync('dcmcjpeg', ['+ee', at('cr-mono1.dcm'), at('cr-jpeg12.dcm')]);
      execFileSync(PY as string, [script('to_htj2k.py'), at('us-mono.dcm'), at('us-htj2k.dcm')]);
      // GDCM keeps the SOP Instance UID: each copy is a new instance (else the QA scan says so).
      for (const f of ['us-jpegls.dcm', 'sc-j2k.dcm', 'us-j2k.dcm', 'us-j2k-decoded.dcm', 'us-j2k-clean.dcm'])
        execFileSync('dcmodify', ['-nb', '-gin', at(f)]);
      // The lossy copy does not say it is: the engine must learn it from the codestream.
      for (const f of ['us-j2k.dcm', 'us-j2k-clean.dcm'])
        execFileSync('dcmodify', ['-nb', '-ea', '(0028,2110)', '-ea', '(0028,2112)', at(f)]);
      const manifest = JSON.parse(readFileSync(at('manifest.json'), 'utf8')) as Case[];
      const copy = (file: string, of: string, pixelsFrom?: string, lossyCoded?: true) => {
        const c = manifest.find((m) => m.file === of) as Case;
        manifest.push({
          ...c,
          file,
          ...(pixelsFrom ? { pixelsFrom } : {}),
          ...(lossyCoded ? { lossyCoded } : {}),
        });
      };
      copy('us-lossless.dcm', 'us-mono.dcm', 'us-mono.dcm');
      copy('us-jpegls.dcm', 'us-rgb.dcm', 'us-rgb.dcm');
      copy('sc-j2k.dcm', 'sc-planar.dcm', 'sc-planar.dcm');
      copy('us-j2k-decoded.dcm', 'us-mono.dcm');
      copy('us-j2k.dcm', 'us-mono.dcm', 'us-j2k-decoded.dcm', true);
      copy('us-htj2k.dcm', 'us-mono.dcm', 'us-mono.dcm');
      writeFileSync(at('manifest.json'), JSON.stringify(manifest));
    }
  }, 60_000);

  it('no planted word is readable afterwards, nothing else changed, the controls untouched; valid', async () => {
    const dir = tmp('burned-run-');
    const out = join(dir, 'out');
    const key = join(dir, 'k.key');
    const r = runWith(input, out, key, [
      '--profile',
      'research',
      '--option',
      'clean-pixel-data',
      '--exclude',
      'manifest.json',
      '--json',
    ]);
    // Exit code 0: a quarantined file is not a failure (it is reported, and kept out).
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect([summary.written, summary.quarantined]).toEqual(ENCODERS ? [27, 1] : [20, 0]);
    if (ENCODERS)
      expect(r.stderr).toMatch(
        /cr-jpeg12\.dcm: pixel data not scanned for burned-in text: 12-bit JPEG is not decoded by this version/,
      );
    const check = spawnSync(PY as string, [script('check_burned_in.py'), input, out], {
      encoding: 'utf8',
      maxBuffer: 16 << 20,
    });
    const report = JSON.parse(check.stdout) as { file: string; problems: string[]; changed?: number[] }[];
    for (const c of report) expect(c.problems, c.file).toEqual([]);
    expect(check.status, check.stderr).toBe(0);
    // The text was found and blanked where there was some (not a vacuous pass).
    const changed = new Map(report.map((c) => [c.file, (c.changed ?? []).reduce((a, n) => a + n, 0)]));
    for (const f of [
      'us-mono.dcm',
      'us-rgb.dcm',
      'sc-planar.dcm',
      'us-cine.dcm',
      'us-long.dcm',
      'cr-mono1.dcm',
      'ct-flagged.dcm',
      ...(ENCODERS ? ['us-lossless.dcm', 'us-jpegls.dcm', 'sc-j2k.dcm', 'us-j2k.dcm', 'us-htj2k.dcm'] : []),
    ])
      expect(changed.get(f), f).toBeGreaterThan(100);
    if (HAVE_DCIODVFY) expect(Object.fromEntries(await newErrorsIn(key, out))).toEqual({});
    if (ENCODERS) {
      // The lossy JPEG 2000 without text: still JPEG 2000 (not decoded and rewritten), and it now
      // says its frames were coded with loss (the scan decoded an irreversible wavelet).
      const facts = execFileSync(PY as string, [
        '-c',
        'import sys,pydicom\no=pydicom.dcmread(sys.argv[1]);s=pydicom.dcmread(sys.argv[2])\n' +
          'print(o.get("LossyImageCompression"), o.file_meta.TransferSyntaxUID == s.file_meta.TransferSyntaxUID, ' +
          '"LossyImageCompression" in s)',
        join(out, 'us-j2k-clean.dcm'),
        join(input, 'us-j2k-clean.dcm'),
      ]);
      expect(facts.toString().trim()).toBe('01 True False');
    }
    // The QA scan holds the run to its option: the code it declares, pixels it was allowed to change.
    const qaFile = join(dir, 'qa.json');
    const v = spawnSync(
      process.execPath,
      [VERIFY, out, '--source', input, '--key', key, '--report', qaFile, '--quiet'],
      {
        encoding: 'utf8',
        env: { ...process.env, DCMBLIND_PASSPHRASE: PASSPHRASE },
      },
    );
    const qa = JSON.parse(readFileSync(qaFile, 'utf8')) as { findings: { rule: string; file?: string }[] };
    // The 12-bit JPEG was kept out (quarantined): the scan says so. Its own OCR, which reads the
    // frames another way than the engine, finds text only where a known leak is (none now).
    const manifest = JSON.parse(readFileSync(join(input, 'manifest.json'), 'utf8')) as Case[];
    const leaky = manifest.filter((c) => c.knownLeaks?.length).map((c) => `pixel-text ${c.file}`);
    expect([...new Set(qa.findings.map((f) => `${f.rule} ${f.file ?? ''}`.trim()))].sort(), v.stderr).toEqual(
      [...leaky, ...(ENCODERS ? ['source-not-written cr-jpeg12.dcm'] : [])].sort(),
    );
  }, 300_000);

  it('dcmblind-verify reads the planted text in the inputs by its own OCR, hashed, with thumbnails', () => {
    const dir = tmp('burned-verify-');
    const json = join(dir, 'qa.json');
    const page = join(dir, 'qa.html');
    // The inputs, checked as if they were an output: every at-risk file with text must be found.
    spawnSync(process.execPath, [VERIFY, input, '--report', json, '--report', page, '--quiet']);
    const qa = JSON.parse(readFileSync(json, 'utf8')) as {
      findings: { rule: string; file: string; valueHash?: string; detail: string }[];
      notJudged: { check: string; reason: string }[];
    };
    const read = new Set(qa.findings.filter((f) => f.rule === 'pixel-text').map((f) => f.file));
    const manifest = JSON.parse(readFileSync(join(input, 'manifest.json'), 'utf8')) as Case[];
    // At risk: every class the scan covers, and the CT flagged YES; the unflagged CT is not read.
    // The verifier reports words of 3 letters or more: two-letter initials (us-short) are not its.
    const expected = manifest
      .filter((c) => c.scanned && !c.verifierMisses)
      .filter((c) => c.tokens.some((t) => t.replace(/[^0-9A-Za-z]/g, '').length >= 3))
      .map((c) => c.file);
    expect([...read].sort()).toEqual(expected.sort());
    if (ENCODERS)
      expect(qa.notJudged).toContainEqual(
        expect.objectContaining({
          check: 'text in the pixels',
          reason: expect.stringMatching(/12-bit JPEG/),
        }),
      );
    // Neither report holds what was read as text (these inputs' headers are not de-identified:
    // only the pixel-text findings and the thumbnails' section are looked at); the JSON report
    // no pixels, the HTML page one thumbnail per file where text was read.
    const html = readFileSync(page, 'utf8');
    const section = html.slice(html.indexOf('<h2>Text read in the pixels</h2>'));
    const said = [
      JSON.stringify(qa.findings.filter((f) => f.rule === 'pixel-text')),
      // Without the images' base64 (any word may turn up in it by chance).
      section.slice(0, section.indexOf('<h2>', 5)).replace(/base64,[A-Za-z0-9+/=]+/g, ''),
    ];
    // The identifying words (not the labels MRN and DOB, nor the clock).
    const planted = manifest.flatMap((c) => c.tokens.flatMap((t) => t.split(' ')));
    for (const word of planted.filter((w) => w.length >= 4 && !/^\d\d:\d\d$/.test(w)))
      for (const text of said) expect(text.includes(word), word).toBe(false);
    expect(readFileSync(json, 'utf8')).not.toMatch(/thumbnails|base64/);
    expect(html.match(/<img /g)?.length).toBe(read.size);
  }, 300_000);

  it('without the option a flagged file is quarantined and the others keep their pixels', () => {
    const dir = tmp('burned-off-');
    const r = runWith(input, join(dir, 'out'), join(dir, 'k.key'), [
      '--profile',
      'research',
      '--exclude',
      'manifest.json',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    // The flagged CT; the copies are not flagged and US is not scanned without the option.
    expect([s.written, s.quarantined]).toEqual(ENCODERS ? [27, 1] : [19, 1]);
    // The text stayed: the QA scan reads the patient's own name and ID in the pixels — leaks.
    const qaFile = join(dir, 'qa.json');
    const v = spawnSync(
      process.execPath,
      [
        VERIFY,
        join(dir, 'out'),
        '--source',
        input,
        '--key',
        join(dir, 'k.key'),
        '--report',
        qaFile,
        '--quiet',
      ],
      { encoding: 'utf8', env: { ...process.env, DCMBLIND_PASSPHRASE: PASSPHRASE } },
    );
    expect(v.status, v.stderr).toBe(1);
    const qa = JSON.parse(readFileSync(qaFile, 'utf8')) as {
      verdict: string;
      findings: { rule: string; severity: string; file: string }[];
    };
    const leaked = qa.findings.filter((f) => f.rule === 'seed-in-pixels');
    expect(leaked.every((f) => f.severity === 'leak')).toBe(true);
    expect(new Set(leaked.map((f) => f.file))).toContain('us-mono.dcm');
    expect(qa.verdict).toBe('do-not-release');
  }, 180_000);

  it('a region rule blanks its rectangle in a file the scan would leave (an unflagged CT)', () => {
    const dir = tmp('burned-rules-');
    const only = join(dir, 'in');
    mkdirSync(only);
    copyFileSync(join(input, 'ct-unflagged.dcm'), join(only, 'ct-unflagged.dcm'));
    const region = [0, 0, 300, 44];
    const rules = join(dir, 'rules.json');
    const when = {
      all: [
        { tag: '00080060', op: 'equals', value: 'CT' },
        { tag: '00280010', op: 'equals', value: '512' },
      ],
    };
    writeFileSync(rules, JSON.stringify({ rules: [{ label: 'our CT console', when, regions: [region] }] }));
    const manifest = JSON.parse(readFileSync(join(input, 'manifest.json'), 'utf8')) as { file: string }[];
    const ct = manifest.find((c) => c.file === 'ct-unflagged.dcm') as {
      tokens: string[];
      boxes: number[][][];
    };
    // Matched by the rule, the file is scanned: its rectangle is blanked, and OCR reads the rest.
    const boxes = [
      [...(ct.boxes[0] ?? []), [region[0], region[1], region[0] + region[2], region[1] + region[3]]],
    ];
    const entry = { file: 'ct-unflagged.dcm', tokens: ct.tokens, boxes, scanned: true };
    writeFileSync(join(only, 'manifest.json'), JSON.stringify([entry]));
    const out = join(dir, 'out');
    const r = runWith(only, out, join(dir, 'k.key'), [
      '--option',
      'clean-pixel-data',
      '--pixel-rules',
      rules,
      '--exclude',
      'manifest.json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const check = spawnSync(PY as string, [script('check_burned_in.py'), only, out], { encoding: 'utf8' });
    const [c] = JSON.parse(check.stdout) as {
      problems: string[];
      changed: number[];
      readable_before: string[];
    }[];
    expect(c?.problems).toEqual([]);
    expect(c?.readable_before.length).toBeGreaterThan(0);
    expect(c?.changed[0]).toBeGreaterThan(1000);
    // A rules file with a mistake is refused before anything runs, naming the rule and the field.
    writeFileSync(
      rules,
      JSON.stringify({
        rules: [{ when: { tag: 'Modality', op: 'equals', value: 'CT' }, regions: [region] }],
      }),
    );
    const bad = runWith(only, join(dir, 'out2'), join(dir, 'k.key'), [
      '--option',
      'clean-pixel-data',
      '--pixel-rules',
      rules,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/rules\[0\]\.when: "tag" must be 8 hexadecimal digits/);
  }, 120_000);

  it('the blinding profile scans by default; --pixel-scan none turns the scan off', () => {
    const dir = tmp('burned-blinding-');
    const only = join(dir, 'in');
    mkdirSync(only);
    copyFileSync(join(input, 'us-mono.dcm'), join(only, 'us-mono.dcm'));
    // What the blinded image says and whether its pixels are the source's, read by pydicom.
    const facts = (out: string) => {
      const [file] = listTree(out).filter((f) => f.includes('/DICOM/'));
      const code = `import sys,json,pydicom
o=pydicom.dcmread(sys.argv[1]); s=pydicom.dcmread(sys.argv[2])
print(json.dumps([o.get("BurnedInAnnotation"), [i.CodeValue for i in o.DeidentificationMethodCodeSequence], o.PixelData == s.PixelData]))`;
      const printed = execFileSync(PY as string, [
        '-c',
        code,
        join(out, file as string),
        join(only, 'us-mono.dcm'),
      ]);
      return JSON.parse(printed.toString()) as [string | undefined, string[], boolean];
    };
    const scanned = join(dir, 'out');
    const r = runWith(only, scanned, join(dir, 'k.key'), ['--profile', 'blinding']);
    expect(r.code, r.stderr).toBe(0);
    expect(facts(scanned)).toEqual(['NO', ['113100', '113101'], false]);
    const off = join(dir, 'off');
    const o = runWith(only, off, join(dir, 'k2.key'), ['--profile', 'blinding', '--pixel-scan', 'none']);
    expect(o.code, o.stderr).toBe(0);
    // Not scanned: the pixels are the source's, and the file does not claim Clean Pixel Data.
    expect(facts(off)[1]).toEqual(['113100']);
    expect(facts(off)[2]).toBe(true);
    // The QA scan says so, once for the tree, as an item to review (and not of the scanned run).
    const reviewRules = (out: string) => {
      const report = join(dir, `${out}.json`);
      spawnSync(process.execPath, [VERIFY, join(dir, out), '--no-ocr', '--report', report, '--quiet'], {
        encoding: 'utf8',
      });
      const qa = JSON.parse(readFileSync(report, 'utf8')) as { review: { rule: string; file: string }[] };
      return qa.review.map((f) => f.rule);
    };
    expect(reviewRules('off').filter((r) => r === 'pixel-scan-off')).toHaveLength(1);
    expect(reviewRules('out')).not.toContain('pixel-scan-off');
    // A rerun into the scanned output with another scan is refused, saying which scan made it.
    const mixed = runWith(only, scanned, join(dir, 'k.key'), [
      '--profile',
      'blinding',
      '--pixel-scan',
      'all',
    ]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/another pixel scan\/rules \(it was made with --pixel-scan at-risk\)/);
  }, 120_000);

  it('--pixel-scan needs the option, and takes only all, at-risk or none', () => {
    const dir = tmp('burned-usage-');
    const without = runWith(input, join(dir, 'out'), join(dir, 'k.key'), ['--pixel-scan', 'all']);
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/--pixel-scan goes with --option clean-pixel-data/);
    const typo = runWith(input, join(dir, 'out'), join(dir, 'k.key'), [
      '--option',
      'clean-pixel-data',
      '--pixel-scan',
      'at_risk',
    ]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/at_risk/);
  });
});
