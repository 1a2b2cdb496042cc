#!/usr/bin/python3
"""Does a dcmblind-verify report cover every leak an independent checker found?

  verify_covers.py planted   REPORT.json CHECK.json
  verify_covers.py around    REPORT.json CHECK.txt OUTPUT_DIR
  verify_covers.py bitstream REPORT.json CHECK.txt

REPORT.json is dcmblind-verify's --report. The checks are what the independent checkers wrote
about the same output: check_planted.py's JSON (dcmblind-planted-check/1), check_around.py's and
check_bitstream.py's lines. A leak is covered when the report has a finding (leak or suspect)
that says so:
  planted    on the same output file, at the same attribute (the last keyword of the verifier's
             element path equals the keyword of the checker's last tag), of the same kind
             (name, date, id, phone, address, institution, email, url); a value the checker
             could only place at a byte offset needs any finding on that file;
  around     a path component: every output file whose path holds it has a `(file path)`
             finding; bits above HighBit: a PixelData finding on that file; a shifted public
             date: an offset-exposed finding on that file;
  bitstream  every file the checker names has a finding on its PixelData, and one of each kind
             of planted string the checker found in it (name, id, date, institution).
Report paths are masked (`[name]`, `[id]`, `[date]`...): a masked path matches the real paths
it can stand for. Prints a line per leak not covered, then a count; exits 1 when any is missed.
"""
import json
import os
import re
import sys

from pydicom.datadict import keyword_for_tag

BLOCKING = {'leak', 'suspect', 'integrity', 'violation'}


def findings_of(report):
    with open(report, encoding='utf-8') as f:
        return [x for x in json.load(f)['findings'] if x['severity'] in BLOCKING]


def shown_matches(shown, real):
    """Whether a report's (masked) path can stand for the real relative path."""
    parts = re.split(r'(\[[a-z]+\])', shown)
    pattern = ''.join('.+?' if re.fullmatch(r'\[[a-z]+\]', p) else re.escape(p) for p in parts)
    return re.fullmatch(pattern, real) is not None


def attribute(element):
    """The last keyword of a verifier's element path (`A[0].B` -> `B`; `PixelData (COM)` -> PixelData)."""
    if element.startswith('PixelData'):
        return 'PixelData'
    if element.startswith('('):
        return element
    return re.sub(r'\[\d+\]', '', element).split('.')[-1]


def checker_keyword(element):
    tags = re.findall(r'\(([0-9A-Fa-f]{4}),([0-9A-Fa-f]{4})\)', element)
    if not tags:
        return None
    group, elem = tags[-1]
    return keyword_for_tag(int(group + elem, 16)) or f'({group.upper()},{elem.upper()})'


def covers_planted(findings, check_path):
    with open(check_path, encoding='utf-8') as f:
        check = json.load(f)
    at = {(x['file'], attribute(x['element']), x.get('category')) for x in findings}
    files = {x['file'] for x in findings}
    missed = []
    total = 0
    for s in check['surviving']:
        for h in s['hits']:
            total += 1
            keyword = checker_keyword(h['element'])
            ok = (h['file'], keyword, s['kind']) in at if keyword else h['file'] in files
            if not ok:
                missed.append(f"{s['kind']} {s['value']!r} in {h['file']} at {h['element']}")
    return total, missed


def covers_around(findings, check_path, out_dir):
    with open(check_path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    real = []
    for root, _, names in os.walk(out_dir):
        if '.dcmblind' in root.split(os.sep):
            continue
        real += [os.path.relpath(os.path.join(root, n), out_dir) for n in names]
    flagged_paths = [x['file'] for x in findings if x['element'] == '(file path)']
    missed = []
    total = 0
    for line in lines:
        m = re.match(r'path: .*survives in output path component "(.*)"$', line)
        if m:
            for rel in (r for r in real if m.group(1) in r.split('/')):
                total += 1
                if not any(shown_matches(s, rel) for s in flagged_paths):
                    missed.append(f'path component {m.group(1)!r}: {rel} not reported')
            continue
        m = re.match(r'(bits|dates): (\S+): ', line)
        if m:
            total += 1
            rule = {'bits': 'pixel-unused-bits', 'dates': 'offset-exposed'}[m.group(1)]
            if not any(x['rule'] == rule and shown_matches(x['file'], m.group(2)) for x in findings):
                missed.append(f'{m.group(1)}: {m.group(2)} has no {rule} finding')
    return total, missed


def string_kind(value):
    """The kind of a planted bit-stream string (plant_bitstream.py's STRINGS)."""
    if re.fullmatch(r'\d{4}-\d\d-\d\d', value):
        return 'date'
    if re.fullmatch(r'\d+', value):
        return 'id'
    if re.search(r'Hospital|Infirmary|Clinic', value):
        return 'institution'
    return 'name'


def covers_bitstream(findings, check_path):
    with open(check_path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    wanted = set()
    for line in lines:
        m = re.match(r'(?:.*/)?([^/:]+\.dcm): (.*)$', line)
        if not m:
            continue
        s = re.match(r'pixel data: "(.*)" \(', m.group(2))
        wanted.add((m.group(1), string_kind(s.group(1)) if s else None))
    got = {(x['file'].split('/')[-1], x.get('category')) for x in findings if x['element'].startswith('PixelData')}
    files = {f for f, _ in got}
    missed = [f'{f}: no PixelData finding' + (f' of kind {k}' if k else '')
              for f, k in sorted(wanted, key=str) if (f, k) not in got and not (k is None and f in files)]
    return len(wanted), missed


def main(argv):
    if len(argv) < 3 or argv[0] not in ('planted', 'around', 'bitstream'):
        sys.exit(__doc__)
    kind, report, check = argv[0], argv[1], argv[2]
    findings = findings_of(report)
    if kind == 'planted':
        total, missed = covers_planted(findings, check)
    elif kind == 'around':
        total, missed = covers_around(findings, check, argv[3])
    else:
        total, missed = covers_bitstream(findings, check)
    for m in missed:
        print(f'not reported: {m}')
    print(f'{total - len(missed)} of {total} leak(s) reported')
    return 1 if missed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
