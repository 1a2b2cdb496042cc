#!/usr/bin/env python3
"""Checks a de-identified copy of plant_around.py's cases, from the output alone.

  check_around.py OUT_DIR MANIFEST

Written from the properties, not from dcmblind's code:
- paths: no component of any output path (relative to OUT_DIR, state folder aside) contains a
  planted value, compared in every form a reader could recover it in: composed and decomposed
  Unicode, accents stripped, case and separators ignored, common transliterations, digits alone;
  and no component is the CP437 misreading of a Shift-JIS name;
- bits: in every output of a bits case, no pixel cell has a bit set outside BitsStored/HighBit
  (unsigned), or bits above HighBit that differ from the sign bit (signed);
- dates: every probed date of a dates case is, in the output, absent, empty, a dummy the
  checker can tell (not a date near the source) or exactly the source value: never the source
  moved by some offset (which would give the patient's date offset away).
Prints one line per finding; exit 1 when there is any.
"""
import datetime
import json
import os
import sys
import unicodedata

import numpy as np
import pydicom

TRANSLIT = {'ß': 'ss', 'ø': 'o', 'æ': 'ae', 'œ': 'oe', 'ł': 'l', 'đ': 'd', 'ð': 'd', 'þ': 'th'}
GERMAN = {'ä': 'ae', 'ö': 'oe', 'ü': 'ue', 'ß': 'ss', 'ø': 'oe'}
CYRILLIC = dict(zip('абвгдеёжзийклмнопрстуфхцчшщъыьэюя',
                    ['a', 'b', 'v', 'g', 'd', 'e', 'e', 'zh', 'z', 'i', 'y', 'k', 'l', 'm', 'n', 'o', 'p',
                     'r', 's', 't', 'u', 'f', 'kh', 'ts', 'ch', 'sh', 'shch', '', 'y', '', 'e', 'yu', 'ya']))


def strip_accents(s):
    return ''.join(c for c in unicodedata.normalize('NFKD', s) if not unicodedata.combining(c))


def forms(s):
    """The ways a reader could see `s`: raw, NFC, NFD, folded, transliterated; alnum, lower case."""
    out = set()
    for base in (s, unicodedata.normalize('NFC', s), unicodedata.normalize('NFD', s)):
        low = base.lower()
        out.add(low)
        german = ''.join(GERMAN.get(c, c) for c in unicodedata.normalize('NFC', low))
        for v in (low, german):
            folded = strip_accents(v)
            out.add(folded)
            out.add(''.join(TRANSLIT.get(c, CYRILLIC.get(c, c)) for c in folded))
    return {''.join(ch for ch in f if ch.isalnum()) for f in out} - {''}


def digits_of(s):
    return ''.join(ch for ch in s if ch.isdigit())


def check_paths(out, manifest, findings):
    comps = set()
    for root, dirs, files in os.walk(out):
        dirs[:] = [d for d in dirs if d != '.dcmblind']
        rel = os.path.relpath(root, out)
        for name in [*dirs, *files]:
            comps.add(name)
        if rel != '.':
            comps.update(rel.split(os.sep))
    comp_forms = {c: forms(c) for c in comps}
    for case in manifest['paths']:
        for value in case['values']:
            vf = forms(value)
            vd = digits_of(value)
            for comp, cf in comp_forms.items():
                hit = any(v in c for v in vf for c in cf if len(v) >= 3)
                if len(vd) >= 5 and vd in digits_of(comp):
                    hit = True
                if hit:
                    findings.append(f'path: {case["input"]}: "{value}" survives in output path component "{comp}"')


def check_bits(out, manifest, findings):
    for case in manifest['bits']:
        path = os.path.join(out, case['input'])
        if not os.path.exists(path):
            findings.append(f'bits: {case["input"]}: no output at {path}')
            continue
        ds = pydicom.dcmread(path)
        raw = np.frombuffer(ds.PixelData, dtype='<u2').astype(np.uint32)
        high = int(ds.HighBit)
        above = raw >> (high + 1)
        if int(ds.PixelRepresentation) == 0:
            bad = int(np.count_nonzero(above))
        else:
            sign = (raw >> high) & 1
            full = (1 << (16 - high - 1)) - 1
            bad = int(np.count_nonzero(above != sign * full))
        if bad:
            findings.append(f'bits: {case["input"]}: {bad} cells carry bits above HighBit {high}')


def all_values(ds, keyword):
    """Every value of `keyword` anywhere in the data set, sequences included."""
    found = []
    for elem in ds.iterall():
        if elem.keyword == keyword or (keyword == 'TemplateVersion' and elem.tag == 0x0040DB06):
            found.append(str(elem.value).strip())
    return found


def near(a, b, days=40 * 366):
    try:
        da = datetime.date(int(a[:4]), int(a[4:6]), int(a[6:8]))
        db = datetime.date(int(b[:4]), int(b[4:6]), int(b[6:8]))
    except ValueError:
        return False
    return a[:8] != b[:8] and abs((da - db).days) <= days


def check_dates(out, manifest, findings):
    for case in manifest['dates']:
        path = os.path.join(out, case['input'])
        if not os.path.exists(path):
            findings.append(f'dates: {case["input"]}: no output at {path}')
            continue
        ds = pydicom.dcmread(path)
        for keyword, src in case['probes'].items():
            for v in all_values(ds, keyword):
                if v and near(v, src):
                    findings.append(
                        f'dates: {case["input"]}: {keyword} {src} came out as {v}: '
                        'shifted, the patient\'s date offset can be read off it'
                    )


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    out, manifest_path = sys.argv[1], sys.argv[2]
    with open(manifest_path, encoding='utf-8') as f:
        manifest = json.load(f)
    findings = []
    check_paths(out, manifest, findings)
    check_bits(out, manifest, findings)
    check_dates(out, manifest, findings)
    for line in findings:
        print(line)
    print(f'{len(findings)} finding(s)')
    sys.exit(1 if findings else 0)


if __name__ == '__main__':
    main()
