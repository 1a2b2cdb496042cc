#!/usr/bin/env python3
"""Independent checks of de-identified DICOM, written from PS3.15 Table E.1-1 and the
properties dcmblind promises -- not from dcmblind's code. Uses pydicom (Debian python3-pydicom).

  check_deid.py classify FILE...            -> JSON: which files pydicom reads as DICOM instances
  check_deid.py check --table T --iod-types I --options a,b PAIRS.json
                                            -> JSON: problems per (source, output) pair

Combined Annex E codes resolve by the attribute's Type in the file's IOD (PS3.15 E.1.1: X unless
Z is needed to stay conformant, Type 2 -> Z, Type 1 -> D), read from the IOD table I with this
script's own look-up; a plain X or Z that the Type does not allow becomes what the Type needs.
Where the Type is unknown, D over Z over X: X/Z->Z, X/D->D, X/Z/D->D, Z/D->D, X/Z/U*->U.
Pixel Data stays the source's bytes, except: native cells may lose bits outside BitsStored/
HighBit; compressed frames may lose metadata segments, and then must have none left
(check_bitstream.py's own marker walk) and decode to the same pixels (gdcmconv, when installed).
"""
import json
import os
import re
import shutil
import sys
import tempfile

import numpy as np
import pydicom
from pydicom.errors import InvalidDicomError

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_bitstream  # noqa: E402
from plant_bitstream import decoded_pixels  # noqa: E402

OPTION_COLUMNS = {
    'retain-long-full-dates': 'rtnLongFullDatesOpt',
    'retain-long-modified-dates': 'rtnLongModifDatesOpt',
    'retain-patient-characteristics': 'rtnPatCharsOpt',
    'retain-device-identity': 'rtnDevIdOpt',
    'retain-institution-identity': 'rtnInstIdOpt',
    'retain-uids': 'rtnUIDsOpt',
    'clean-descriptors': 'cleanDescOpt',
    'clean-structured-content': 'cleanStructContOpt',
    'clean-graphics': 'cleanGraphOpt',
}
OPTION_CODES = {
    'retain-long-full-dates': '113106', 'retain-long-modified-dates': '113107',
    'retain-patient-characteristics': '113108', 'retain-device-identity': '113109',
    'retain-institution-identity': '113112', 'retain-uids': '113110', 'clean-descriptors': '113105',
    'clean-structured-content': '113104', 'clean-graphics': '113103',
}
COMBINED = {'X/Z': 'Z', 'X/D': 'D', 'X/Z/D': 'D', 'Z/D': 'D', 'X/Z/U*': 'U'}
PIXEL_TAGS = (0x7FE00010, 0x7FE00008, 0x7FE00009)
PATIENT_NAME, PATIENT_ID, PATIENT_BIRTH_DATE = 0x00100010, 0x00100020, 0x00100030


STRICT = {'1': 0, '1C': 1, '2': 2, '2C': 3, '3': 4}
FUNCTIONAL_GROUPS = (0x52009229, 0x52009230)


class IodTypes:
    """Types of attributes by IOD, looked up through module and macro tables and their includes."""

    def __init__(self, path):
        self.d = json.load(open(path, encoding='utf-8'))

    def top(self, sop_class):
        iod = self.d['sopClasses'].get(sop_class)
        return tuple(self.d['iods'].get(iod, ())) if iod else ()

    def lookup(self, scope, tag):
        """(type, item scope) of tag in scope (a tuple of table ids); (None, ()) when unknown."""
        key = f'{tag:08X}'
        best, items, seen, queue = None, [], set(), list(scope)
        while queue:
            tid = queue.pop(0)
            if tid in seen or tid not in self.d['tables']:
                continue
            seen.add(tid)
            t = self.d['tables'][tid]
            if key in t['a']:
                typ, item = t['a'][key]
                if best is None or STRICT[typ] < STRICT[best]:
                    best = typ
                if item:
                    items.append(item)
            queue.extend(t['inc'])
        if tag in FUNCTIONAL_GROUPS and best is not None:
            items.extend(self.d['functionalGroups'])
        return best, tuple(items)


def expected(code, typ):
    """What an action of the table becomes for an attribute of this Type (None: unknown)."""
    if typ is None:
        return COMBINED.get(code, code)
    value, present = typ in ('1', '1C'), typ in ('2', '2C')
    if code in ('X/Z', 'X/Z/D', 'X', 'X/D'):
        return 'D' if value else 'Z' if present else 'X'
    if code in ('Z/D', 'Z'):
        return 'D' if value else 'Z'
    if code == 'X/Z/U*':
        return 'U' if value or present else 'X'
    return code


def load_rules(table_path, options):
    """Tag -> the table's code for these options (combined codes left for the IOD to decide)."""
    rules = {}
    for row in json.load(open(table_path, encoding='utf-8')):
        m = re.fullmatch(r'\(([0-9A-F]{4}),([0-9A-F]{4})\)', row['tag'])
        if not m:
            continue
        action = row['basicProfile']
        picked = [row[OPTION_COLUMNS[o]] for o in options if OPTION_COLUMNS[o] in row]
        if 'C' in picked:
            action = 'C'
        elif 'K' in picked:
            action = 'K'
        rules[int(m.group(1) + m.group(2), 16)] = action
    return rules


def walk(ds, path='', types=None, scope=()):
    """(path, element, IOD type or None) for every element at every depth."""
    for el in ds:
        p = f'{path}{el.keyword or f"({el.tag.group:04X},{el.tag.element:04X})"}'
        typ, items = types.lookup(scope, int(el.tag)) if types else (None, ())
        yield p, el, typ
        if el.VR == 'SQ' and el.value is not None:
            for i, item in enumerate(el.value):
                yield from walk(item, f'{p}[{i}].', types, items)


def as_text(el):
    v = el.value
    if v is None:
        return ''
    if isinstance(v, (list, pydicom.multival.MultiValue)):
        return '\\'.join(str(x) for x in v)
    if isinstance(v, bytes):
        return v.decode('latin-1')
    return str(v)


def is_standard_uid(u):
    return u.startswith('1.2.840.10008.')


def source_identifiers(src, options):
    """Strings that must not appear in the output bytes, by category."""
    out = []
    def add(cat, s, minimum=3):
        s = (s or '').strip()
        if len(s) >= minimum:
            out.append((cat, s))
    for _, el, _ in walk(src):
        if el.tag.is_private:
            continue
        if el.VR == 'PN' and el.value:
            for name in (el.value if isinstance(el.value, pydicom.multival.MultiValue) else [el.value]):
                for comp in str(name).replace('=', '^').split('^')[:3]:
                    for tok in re.split(r'[\s,.]+', comp):
                        add('name', tok, 4)
    add('id', str(src.get('PatientID', '')))
    add('id', str(src.get('AccessionNumber', '')))
    add('id', str(src.get('OtherPatientIDs', '')))
    if 'retain-institution-identity' not in options:
        add('institution', str(src.get('InstitutionName', '')), 6)
    if 'retain-long-full-dates' not in options:
        add('date', str(src.get('PatientBirthDate', '')), 8)
    return out


def occurs(needle, haystack):
    """Is needle in haystack? An all-digit needle (a numeric ID, a date) counts only where it
    is not part of a longer run of digits: new UIDs are long random decimal numbers, and a
    5-digit PatientID turns up inside one now and then by chance (CI once reported pydicom's
    99000 as leaked from both liver files, which share their study's new UIDs)."""
    if not needle.isdigit():
        return needle in haystack
    return re.search(rb'(?<![0-9])' + re.escape(needle) + rb'(?![0-9])', haystack) is not None


# Text dcmblind itself writes (dummies, markers): a source value equal to one of these words is
# not a leak when it shows up in them.
OWN_VOCABULARY = ('anonymized yes dcmblind basic application confidentiality profile retain longitudinal '
                  'temporal information modified full dates option patient characteristics clean descriptors '
                  'structured content graphics device identity institution uids dcm removed unmodified')


def kept_text(ds, rules):
    """Lower-cased text of the source attributes the profile keeps as they are (K or unlisted)."""
    parts = []
    for _, el, _ in walk(ds):
        if el.tag.is_private or el.VR in ('SQ', 'PN', 'UI', 'DA', 'DT', 'TM', 'OB', 'OW', 'UN'):
            continue
        if rules.get(int(el.tag), 'K') == 'K':
            try:
                parts.append(as_text(el).lower())
            except Exception:  # noqa: BLE001
                pass
    return ' '.join(parts)


# UI attributes that name a class (a SOP Class, a transfer syntax, a coding scheme…): they
# identify no one and are kept as they are, a vendor's private one too.
CLASS_UID = re.compile(r'SOPClass|TransferSyntax|CodingSchemeUID|ContextGroupExtensionCreatorUID|MappingResourceUID|ClassUID')


def uid_values(ds):
    vals = set()
    for _, el, _ in walk(ds):
        if el.VR == 'UI' and el.value and not el.tag.is_private and not CLASS_UID.search(el.keyword or ''):
            for u in str(as_text(el)).split('\\'):
                u = u.strip().rstrip('\x00')
                if u and not is_standard_uid(u):
                    vals.add(u)
    return vals


def required_removed(src, out, rules, types, top):
    """Type 1 and 2 attributes of the IOD that the profile may not remove, missing from the output
    (where the item that held them is there)."""
    out_paths = {p for p, _, _ in walk(out, '', types, top)}
    missing = []
    for path, el, typ in walk(src, '', types, top):
        tag = int(el.tag)
        if el.tag.is_private or tag not in rules or typ not in ('1', '1C', '2', '2C'):
            continue
        if expected(rules[tag], typ) == 'X' or path in out_paths:
            continue
        parent = path.rsplit('.', 1)[0] if '.' in path else ''
        if parent == '' or any(p.startswith(parent + '.') for p in out_paths):
            missing.append(f'{path}: Type {typ} attribute removed; the IOD needs it present')
    return missing


def native_changed_wrongly(src, out):
    """Native cells may only lose bits outside BitsStored/HighBit (a signed cell keeps its sign)."""
    alloc, stored, high = int(src.BitsAllocated), int(src.BitsStored), int(src.HighBit)
    if alloc != 16 or stored >= 16:
        return 'differs'
    a = np.frombuffer(bytes(src.PixelData), dtype='<u2')
    b = np.frombuffer(bytes(out.PixelData), dtype='<u2')
    keep = ((1 << stored) - 1) << (high + 1 - stored)
    if a.shape != b.shape or np.any((a & keep) != (b & keep)):
        return 'stored bits differ'
    if int(src.PixelRepresentation) == 0 and np.any(b & ~keep & 0xFFFF):
        return 'bits outside the stored bits still set'
    return None


def pixels_changed_wrongly(src, out, src_path, out_path):
    """Why the output's Pixel Data is not the source's image; None when it is."""
    if not out['PixelData'].is_undefined_length:
        return native_changed_wrongly(src, out)
    # Compressed: no metadata segment left (an independent marker walk), and the same pixels
    # wherever gdcmconv decodes the source.
    left = check_bitstream.check_file(out_path, [], False) or []
    if left:
        return f'changed, yet {left[0]}'
    if shutil.which('gdcmconv'):
        with tempfile.TemporaryDirectory(prefix='check-deid-') as work:
            want, _ = decoded_pixels('gdcmconv', src_path, work)
            got, complaint = decoded_pixels('gdcmconv', out_path, work)
            if want is not None and got != want:
                return f'decodes differently ({complaint or "other pixels"})'
    return None


def check_pair(src_path, out_path, rules, options, types):
    problems = []
    try:
        out = pydicom.dcmread(out_path)
    except Exception as e:  # noqa: BLE001 -- any failure to read is the finding
        return [f'output does not parse with pydicom: {type(e).__name__}: {e}']
    src = pydicom.dcmread(src_path, force=True)
    raw = open(out_path, 'rb').read()
    raw_lower = raw.lower()

    # Pixel data byte-identical, or the same image without what hides next to it.
    for t in PIXEL_TAGS:
        a, b = src.get(t), out.get(t)
        if (a is None) != (b is None):
            problems.append(f'pixel element {t:08X} present in only one of source/output')
        elif a is not None and bytes(a.value) != bytes(b.value):
            why = pixels_changed_wrongly(src, out, src_path, out_path) if t == 0x7FE00010 else 'differs'
            if why:
                problems.append(f'pixel element {t:08X} differs from the source: {why}')

    src_by_path = {p: el for p, el, _ in walk(src)}
    graphics = 'clean-graphics' in options
    top = types.top(str(out.get('SOPClassUID', '')))
    for path, el, typ in walk(out, '', types, top):
        tag = int(el.tag)
        group = tag >> 16
        if el.tag.is_private:
            problems.append(f'{path}: private element survived')
            continue
        if not graphics and (group & 0xFF00) in (0x5000, 0x6000) and group % 2 == 0:
            problems.append(f'{path}: curve/overlay element survived')
            continue
        action = expected(rules[tag], typ) if tag in rules else None
        text = as_text(el) if el.VR != 'SQ' else ''
        srcel = src_by_path.get(path)
        srctext = as_text(srcel) if srcel is not None and srcel.VR != 'SQ' else ''
        if action == 'X':
            problems.append(f'{path}: must be removed (X) but is present')
        elif action == 'Z' and el.VR != 'SQ' and text.strip('\x00 ') != '':
            if tag in (PATIENT_NAME, PATIENT_ID) and text.strip() != srctext.strip():
                continue  # replaced by a pseudonym: a dummy, allowed
            if tag == PATIENT_BIRTH_DATE and 'retain-long-modified-dates' in options and text.strip() != srctext.strip():
                continue  # dcmblind shifts the birth date with the other dates under Modified Dates
            problems.append(f'{path}: must be empty (Z) but has a value')
        elif action == 'D' and typ in ('1', '1C') and el.VR != 'SQ' and text.strip('\x00 ') == '':
            problems.append(f'{path}: Type {typ}, must hold a value (a dummy) but is empty')
        elif action in ('D', 'C') and el.VR not in ('SQ', 'TM') and srctext.strip('\x00 ') != '' and text.strip('\x00 ') == srctext.strip('\x00 '):
            if action == 'C' and el.VR not in ('DA', 'DT', 'UI'):
                continue  # cleaned text may legitimately equal its source when nothing identifying was in it
            problems.append(f'{path}: value unchanged but the profile says {action}')

    problems.extend(required_removed(src, out, rules, types, top))

    if 'retain-uids' not in options:
        src_uids = uid_values(src)
        out_uids = uid_values(out)
        leaked = src_uids & out_uids
        for u in sorted(leaked):
            problems.append(f'source UID survived in a UI element ({len(u)} chars)')
        for u in sorted(src_uids):
            if len(u) >= 12 and u.encode('latin-1') in raw:
                problems.append(f'source UID found in the output bytes ({len(u)} chars)')

    kept = kept_text(src, rules)
    for cat, s in source_identifiers(src, options):
        if s.lower() in kept or s.lower() in OWN_VOCABULARY:
            continue  # also held by an attribute the profile retains, or one of dcmblind's own words
        for enc in ('latin-1', 'utf-8'):
            try:
                needle = s.lower().encode(enc)
            except UnicodeEncodeError:
                continue
            if occurs(needle, raw_lower):
                problems.append(f'source {cat} ({len(s)} chars) found in the output bytes as {enc}')
                break

    if str(out.get('PatientIdentityRemoved', '')) != 'YES':
        problems.append('PatientIdentityRemoved is not YES')
    codes = sorted(str(i.CodeValue) for i in out.get('DeidentificationMethodCodeSequence', []))
    want = sorted(['113100'] + [OPTION_CODES[o] for o in options])
    if codes != want:
        problems.append(f'DeidentificationMethodCodeSequence codes {codes} != {want}')
    if str(out.file_meta.get('MediaStorageSOPInstanceUID', '')) != str(out.get('SOPInstanceUID', '')):
        problems.append('MediaStorageSOPInstanceUID differs from SOPInstanceUID')
    if raw[:128] != bytes(128):
        problems.append('preamble is not all zero')
    return problems


def classify(paths):
    out = []
    for p in paths:
        try:
            try:
                ds = pydicom.dcmread(p)
                forced = False
            except InvalidDicomError:
                ds = pydicom.dcmread(p, force=True)  # raw data set without meta information
                forced = True
                if len(ds) == 0:
                    continue
        except Exception:  # noqa: BLE001 -- not DICOM to pydicom
            continue
        meta = getattr(ds, 'file_meta', None) or {}
        if 'SOPInstanceUID' not in ds or str(meta.get('MediaStorageSOPClassUID', '')) == '1.2.840.10008.1.3.10':
            continue
        try:
            for _ in walk(ds):
                pass
        except Exception:  # noqa: BLE001 -- pydicom itself cannot read the whole file
            continue
        out.append({'path': p, 'burnedIn': str(ds.get('BurnedInAnnotation', '')).upper() == 'YES',
                    'noMeta': forced, 'transferSyntax': str(meta.get('TransferSyntaxUID', ''))})
    return out


def main(argv):
    if argv[1] == 'classify':
        print(json.dumps(classify(argv[2:])))
        return 0
    if argv[1] == 'check':
        table = argv[argv.index('--table') + 1]
        opts = [o for o in argv[argv.index('--options') + 1].split(',') if o]
        pairs = json.load(open(argv[-1], encoding='utf-8'))
        rules = load_rules(table, opts)
        types = IodTypes(argv[argv.index('--iod-types') + 1])
        print(json.dumps([{'source': p['source'], 'output': p['output'], 'problems': check_pair(p['source'], p['output'], rules, opts, types)} for p in pairs]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
