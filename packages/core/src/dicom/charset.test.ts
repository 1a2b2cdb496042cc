/**
 * Text decoding checked against pydicom on every charset file Debian's python3-pydicom ships
 * (ISO 2022 Japanese and Korean, Arabic, Greek, Hebrew, Cyrillic, UTF-8, GB18030, …).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pythonWithPydicom, realDicomFiles } from '@dcmblind/test-utils';
import { readText } from '../deid/text.js';
import { decodeText, schemeFor, spliceOut } from './charset.js';
import { type Element, parseFile } from './reader.js';
import { T } from './tag.js';

const py = pythonWithPydicom();
if (!py && process.env.CI) throw new Error('CI needs python3-pydicom');
const files = realDicomFiles().filter((f) => f.includes('charset_files') && f.endsWith('.dcm'));

const DUMP = `
import json, sys, pydicom, pydicom.multival
out = {}
for p in sys.argv[1:]:
    ds = pydicom.dcmread(p)
    vals = []
    def walk(d):
        for el in d:
            if el.VR == 'SQ':
                for it in el.value: walk(it)
            elif el.VR == 'PN' and el.value is not None and str(el.value) != '':
                v = el.value
                multi = isinstance(v, pydicom.multival.MultiValue)
                vals.append(chr(92).join(str(x) for x in v) if multi else str(v))
    walk(ds)
    out[p] = vals
print(json.dumps(out))
`;

function pnValues(path: string): string[] {
  const f = parseFile(readFileSync(path));
  const out: string[] = [];
  const walk = (list: readonly Element[], terms: string[]) => {
    const cs = list.find((e) => e.tag === T.SpecificCharacterSet);
    if (cs)
      terms = Buffer.from(f.data.subarray(cs.valueStart, cs.valueStart + cs.valueLength))
        .toString('latin1')
        .trim()
        .split('\\')
        .map((s) => s.trim());
    for (const e of list) {
      if (e.items) for (const it of e.items) walk(it.elements, terms);
      else if (e.vr === 'PN' && e.valueLength > 0) out.push(readText(f.data, e, 'PN', schemeFor(terms)));
    }
  };
  walk(f.dataset, []);
  return out;
}

describe.runIf(py && files.length > 0)('character sets', () => {
  const expected = py
    ? (JSON.parse(execFileSync(py, ['-W', 'ignore', '-c', DUMP, ...files], { encoding: 'utf8' })) as Record<
        string,
        string[]
      >)
    : {};
  // pydicom drops empty trailing component groups ("A=B=" → "A=B"); compare without them.
  const norm = (v: string) =>
    v
      .split('\\')
      .map((x) => x.replace(/=+$/, ''))
      .join('\\');
  it.each(files)('decodes every person name in %s as pydicom does', (f) => {
    expect(pnValues(f).map(norm)).toEqual(expected[f]?.map(norm));
  });
});

describe('splicing keeps ISO 2022 state valid', () => {
  it('drops characters but keeps escape sequences', () => {
    // "Yamada^Tarou=" + ESC $ B (JIS X 0208) + 2 kanji + ESC ( B
    const bytes = Buffer.concat([
      Buffer.from('Yamada^Tarou='),
      Buffer.from([0x1b, 0x24, 0x42, 0x3b, 0x33, 0x45, 0x44, 0x1b, 0x28, 0x42]),
    ]);
    const scheme = schemeFor(['', 'ISO 2022 IR 87']);
    const d = decodeText(bytes, scheme, true);
    expect(d.chars.join('')).toBe('Yamada^Tarou=山田');
    const drop = new Set([0, 1, 2, 3, 4, 5, 13]); // "Yamada" and 山
    const out = spliceOut(bytes, d, drop);
    expect(decodeText(out, scheme, true).chars.join('')).toBe('^Tarou=田');
    expect([...out.subarray(out.length - 3)]).toEqual([0x1b, 0x28, 0x42]);
  });
});
