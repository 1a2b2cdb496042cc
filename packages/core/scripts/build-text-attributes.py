#!/usr/bin/env python3
"""Build data/standard/text_attributes.json: a reviewed decision (clean, verbatim or remove) for
every text-bearing attribute of the PS3.6 dictionary that PS3.15 Table E.1-1 does not list.

Table E.1-1 says what to do with the attributes it lists; a text attribute it does not list can
still carry a name, a date or a free-text note. Each of those attributes has a row, reviewed by
a person, in data/review/text_attributes.tsv (keyword, decision, note). This script joins those
rows with the dictionary and refuses to build while any attribute lacks a reviewed row, so a
newer dictionary cannot slip a new text attribute past review.

Inputs (read at build time only; the product reads the JSON):
  - the PS3.6 dictionary as JSON (innolitics/dicom-standard attributes.json, MIT, LICENSE.txt);
  - data/standard/confidentiality_profile_attributes.json (Table E.1-1, same source);
  - data/review/text_attributes.tsv (decisions reviewed by dcmblind).

usage: build-text-attributes.py DICTIONARY_JSON [OUT_JSON]
"""
import json
import sys
from collections import Counter
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent
TABLE = CORE / 'data/standard/confidentiality_profile_attributes.json'
REVIEW = CORE / 'data/review/text_attributes.tsv'
OUT = CORE / 'data/standard/text_attributes.json'

TEXT_VRS = {'PN', 'LO', 'SH', 'ST', 'LT', 'UT', 'UC', 'UR'}
DECISIONS = ('clean', 'verbatim', 'remove')
HEADER = ['keyword', 'decision', 'note']
MAX_NOTE = 100

SOURCE = (
    'Tags, keywords and VRs: DICOM PS3.6 data dictionary (innolitics/dicom-standard attributes.json, '
    'commit 7f4749d09ed3, MIT, LICENSE.txt). Attributes covered: every text-bearing one (PN, LO, SH, ST, '
    'LT, UT, UC, UR; repeating groups excluded) that PS3.15 Table E.1-1 '
    '(confidentiality_profile_attributes.json) does not list. Decisions and notes: reviewed by dcmblind '
    '(data/review/text_attributes.tsv). Built by scripts/build-text-attributes.py.'
)


def vrs_of(attribute):
    """The VRs an attribute may take: the dictionary writes alternatives as "US or SS"."""
    return {vr.strip() for vr in attribute['valueRepresentation'].split(' or ')}


def listed_tags(path):
    """Tags (upper-case hex) that Table E.1-1 lists; those attributes follow the table, not the review."""
    return {row['id'].upper() for row in json.load(open(path))}


def unlisted_text_attributes(dictionary, listed):
    """Keyword -> dictionary entry of every text-bearing attribute the table leaves out.

    Repeating-group tags (ids with 'x', e.g. 60xx4000) are left out: the engine handles those groups
    by their own rules, and one keyword stands for many tags.
    """
    found = {}
    for attribute in dictionary:
        tag = attribute['id'].upper()
        if 'X' in tag or not attribute['keyword'] or tag in listed:
            continue
        if vrs_of(attribute) & TEXT_VRS:
            found[attribute['keyword']] = attribute
    return found


def read_review(path):
    """The reviewed rows as (line number, keyword, decision, note), with problems of form.

    The form is checked here (header, three columns, note length) so that the content checks
    can trust each row.
    """
    rows, problems = [], []
    lines = open(path, encoding='utf-8').read().splitlines()
    if not lines or lines[0].split('\t') != HEADER:
        problems.append(f'{path.name}:1: header must be {" TAB ".join(HEADER)}')
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split('\t')
        if len(cells) != 3:
            problems.append(f'{path.name}:{number}: expected 3 tab-separated columns, found {len(cells)}')
            continue
        keyword, decision, note = (cell.strip() for cell in cells)
        if not note or len(note) > MAX_NOTE:
            problems.append(f'{path.name}:{number}: {keyword}: needs a note of 1 to {MAX_NOTE} characters')
        rows.append((number, keyword, decision, note))
    return rows, problems


def check_review(rows, by_keyword, listed, expected):
    """Every reason the review cannot be built, naming the keywords concerned.

    A row must name a known keyword that the table does not list, with a known decision, once,
    in keyword order; and every text attribute the table leaves out must have a row.
    """
    problems = []
    seen = set()
    previous = ''
    for number, keyword, decision, _ in rows:
        where = f'{REVIEW.name}:{number}: {keyword}'
        attribute = by_keyword.get(keyword)
        if attribute is None:
            problems.append(f'{where}: not a keyword of the dictionary')
        elif attribute['id'].upper() in listed:
            problems.append(f'{where}: listed in Table E.1-1, which decides it; drop the row')
        elif keyword not in expected:
            problems.append(f'{where}: not a text-bearing attribute; drop the row')
        if decision not in DECISIONS:
            problems.append(f'{where}: decision "{decision}" is not one of {", ".join(DECISIONS)}')
        if keyword in seen:
            problems.append(f'{where}: a second row for the same keyword')
        elif keyword < previous:
            problems.append(f'{where}: rows must be sorted by keyword (comes after {previous})')
        seen.add(keyword)
        previous = max(previous, keyword)
    for keyword in sorted(set(expected) - seen):
        attribute = expected[keyword]
        tag, vr = attribute['tag'], attribute['valueRepresentation']
        problems.append(f'{REVIEW.name}: no reviewed row for {keyword} {tag} {vr}')
    return problems


def build(rows, expected):
    """The JSON document: one entry per tag, in tag order."""
    entries = {}
    for _, keyword, decision, note in rows:
        attribute = expected[keyword]
        entries[attribute['id'].upper()] = {
            'keyword': keyword,
            'vr': attribute['valueRepresentation'],
            'decision': decision,
            'note': note,
        }
    return {'source': SOURCE, 'attributes': dict(sorted(entries.items()))}


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        sys.exit(2)
    dest = Path(sys.argv[2]) if len(sys.argv) == 3 else OUT
    dictionary = json.load(open(sys.argv[1]))
    by_keyword = {a['keyword']: a for a in dictionary if a['keyword']}
    listed = listed_tags(TABLE)
    expected = unlisted_text_attributes(dictionary, listed)
    rows, problems = read_review(REVIEW)
    problems += check_review(rows, by_keyword, listed, expected)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f'{len(problems)} problem(s); {dest.name} not written', file=sys.stderr)
        sys.exit(1)
    data = build(rows, expected)
    with open(dest, 'w', encoding='utf-8') as f:
        json.dump(data, f, indent=2)
        f.write('\n')
    counts = Counter(entry['decision'] for entry in data['attributes'].values())
    print(f'{len(data["attributes"])} text attributes not in Table E.1-1 -> {dest}')
    for decision in DECISIONS:
        print(f'  {decision}: {counts[decision]}')


if __name__ == '__main__':
    main()
