#!/usr/bin/env python3
"""Build data/standard/iod_types.json: which IOD each SOP Class is, which module and macro
tables it uses, and the Type (1, 1C, 2, 2C, 3) of every attribute at every depth.

Inputs (read at build time only; the product reads the JSON):
  - GDCM's Part3.xml (Debian libgdcm3.0: /usr/share/gdcm-3.0/XML/Part3.xml), the 2008 edition
    of PS3.3's module and macro tables with attribute types (BSD-style licence, GDCM-LICENSE.txt);
  - innolitics/dicom-standard's sops.json, ciods.json, ciod_to_modules.json and modules.json
    (current edition, MIT licence, LICENSE.txt): SOP Class UID -> IOD -> module names.

usage: build-iod-types.py PART3_XML STANDARD_JSON_FOLDER OUT_JSON
"""
import json
import re
import sys
import xml.etree.ElementTree as ET

TYPES = {'1', '1C', '2', '2C', '3'}


def norm(name):
    """A module or IOD name without the words tables add to it, for matching across editions."""
    n = name.lower().replace('&', 'and')
    n = re.sub(r'\b(table [a-z0-9.\- ]+|iod modules|module attributes|macro attributes|attributes|module|macro|iod)\b', '', n)
    return re.sub(r'[^a-z0-9]', '', n)


def display_name(title):
    """A table's title as reports show it: "General Study", "Code Sequence Macro"."""
    invoked = re.search(r'invoked as\W+([^"”)]+)', title, re.I)
    if invoked:
        return invoked.group(1).strip().title().replace(' Of ', ' of ')
    return re.sub(r'\s*(Module Attributes|Macro Attributes|Attributes)$', '', title)


def table_ref(text, tables, by_name):
    """The table an Include names ("Include 'Code Sequence Macro' Table 8.8-1"), tolerating typos."""
    m = re.search(r'[Tt]able\s+([A-Z0-9][A-Za-z0-9.]*-[0-9a-z]+|[A-Z0-9][A-Za-z0-9.]*)', text)
    if m:
        t = m.group(1).rstrip('.')
        for cand in (t, re.sub(r'\.(\d+)$', r'-\1', t)):
            if cand in tables:
                return cand
    q = re.search(r"'([^']+)'", text) or re.search(r'Include\s+(.+?)\s+[Tt]able', text)
    if q:
        return by_name.get(norm(q.group(1)))
    return None


def parse_tables(root):
    """Every module and macro table as entries and includes with their depth (count of '>')."""
    tables = {}
    names = {}
    for el in root:
        if el.tag not in ('module', 'macro'):
            continue
        tid = el.get('table')
        rows = []
        for child in el:
            if child.tag == 'entry' and child.get('group'):
                name = child.get('name', '')
                depth = len(name) - len(name.lstrip('>'))
                tag = (child.get('group') + child.get('element')).upper()
                if re.fullmatch(r'[0-9A-F]{8}', tag):
                    rows.append(('entry', depth, tag, child.get('type', '3')))
            elif child.tag == 'include':
                ref = child.get('ref', '')
                depth = len(ref) - len(ref.lstrip('>'))
                rows.append(('include', depth, ref.lstrip('>'), None))
        tables[tid] = {'kind': el.tag, 'name': el.get('name', ''), 'ref': el.get('ref'), 'rows': rows}
        names.setdefault(norm(el.get('name', '')), tid)
    return tables, names


def strictest(a, b):
    order = ['1', '1C', '2', '2C', '3']
    return a if order.index(a) <= order.index(b) else b


def build_tree(tables, names):
    """Tables as {a: {tag: [type, item table]}, inc: [tables]}; a sequence's items are a table of their own."""
    out = {tid: {'a': {}, 'inc': []} for tid in tables}
    unresolved = set()
    for tid, t in tables.items():
        last = {}  # depth -> (tag, table) of the latest entry at that depth
        for kind, depth, value, typ in t['rows']:
            while depth > 0 and depth - 1 not in last:
                depth -= 1  # a malformed nesting: attach to the deepest known level
            if depth == 0:
                here = tid
            else:
                parent_tag, parent_table = last[depth - 1]
                attr = out[parent_table]['a'][parent_tag]
                if not attr[1]:
                    attr[1] = f'{parent_table}/{parent_tag}'
                    out.setdefault(attr[1], {'a': {}, 'inc': []})
                here = attr[1]
            if kind == 'entry':
                typ = typ if typ in TYPES else '3'
                have = out[here]['a'].get(value)
                out[here]['a'][value] = [strictest(have[0], typ), have[1]] if have else [typ, '']
                last = {d: v for d, v in last.items() if d < depth}
                last[depth] = (value, here)
            else:
                ref = table_ref(value, tables, names)
                if ref:
                    out[here]['inc'].append(ref)
                else:
                    unresolved.add(value[:80])
    return out, unresolved


def main():
    part3, std, dest = sys.argv[1:4]
    root = ET.parse(part3).getroot()
    tables, names = parse_tables(root)
    tree, unresolved = build_tree(tables, names)
    module_by_ref = {t['ref']: tid for tid, t in tables.items() if t['kind'] == 'module' and t['ref']}
    p3_iods = {}
    for el in root:
        if el.tag == 'iod':
            mods = [module_by_ref[e.get('ref')] for e in el if e.tag == 'entry' and e.get('ref') in module_by_ref]
            p3_iods[norm(el.get('name', ''))] = mods
    sops = json.load(open(f'{std}/sops.json'))
    ciods = {c['name']: c['id'] for c in json.load(open(f'{std}/ciods.json'))}
    mod_names = {m['id']: m['name'] for m in json.load(open(f'{std}/modules.json'))}
    ciod_modules = {}
    for row in json.load(open(f'{std}/ciod_to_modules.json')):
        ciod_modules.setdefault(row['ciodId'], []).append(row['moduleId'])
    module_tables = {norm(t['name']): tid for tid, t in tables.items() if t['kind'] == 'module'}
    iods, sop_iod, unmatched = {}, {}, set()
    for s in sops:
        cid = ciods.get(s['ciod'])
        mods = []
        for mid in ciod_modules.get(cid, []):
            tid = module_tables.get(norm(mod_names.get(mid, mid)))
            if tid:
                mods.append(tid)
            else:
                unmatched.add(mod_names.get(mid, mid))
        for tid in p3_iods.get(norm(s['ciod']), []):
            if tid not in mods:
                mods.append(tid)
        if mods:
            iods[cid] = sorted(set(mods), key=mods.index)
            sop_iod[s['id']] = cid
    groups = [tid for tid, t in tables.items() if t['kind'] == 'macro' and re.match(r'^C\.(7\.6\.16|7\.16|8[-.])', tid)]
    data = {
        'provenance': 'Attribute types: GDCM Part3.xml (PS3.3 2008 edition, Debian libgdcm3.0, BSD-style licence '
        'in GDCM-LICENSE.txt). SOP classes, IODs and their modules: innolitics/dicom-standard commit 7f4749d09ed3 '
        '(current edition, MIT, LICENSE.txt). Built by scripts/build-iod-types.py.',
        'sopClasses': sop_iod,
        'iods': iods,
        'functionalGroups': groups,
        'names': {tid: display_name(t['name']) for tid, t in tables.items()},
        'tables': tree,
    }
    with open(dest, 'w') as f:
        json.dump(data, f, separators=(',', ':'), sort_keys=True)
        f.write('\n')
    print(f'{len(sop_iod)} SOP classes, {len(iods)} IODs, {len(tree)} tables; '
          f'{len(unmatched)} current modules without a 2008 table; {len(unresolved)} unresolved includes',
          file=sys.stderr)
    for u in sorted(unresolved)[:20]:
        print(f'  unresolved: {u}', file=sys.stderr)


if __name__ == '__main__':
    main()
