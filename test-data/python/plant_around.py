#!/usr/bin/env python3
"""Identity planted around the values of real DICOM files (pydicom's test data), for issue 17.

  plant_around.py OUT_DIR [--big]

Writes, from CT_small.dcm and MR_small.dcm:

- ``tree/``   a folder tree whose folder and file names carry each file's patient the way sites
  and Macs write them: decomposed accents (NFD, as macOS stores names), transliterations
  (Mueller, Goncalves, Oestergaard, Ivanov for Иванов), the MRN's digits without its prefix,
  initials plus a 6-digit birth date, study dates as 230504 and 04.05.23, one half of a
  hyphenated family name, a date-named folder for a file whose dates are in a legacy form, and
  a folder named after one patient that also holds another patient's file;
- ``zips/``   a zip made on Japanese Windows (Shift-JIS entry names, no UTF-8 flag) and one made
  on a Mac (UTF-8 flag, decomposed names);
- ``bits/``   12-bit images (BitsStored 12, HighBit 11) with a name drawn into bit 15 (unsigned)
  or into bits 12-14 (signed, negative values sign-extended as writers do); with ``--big``
  also a multi-frame one over 32 MB (dcmblind leaves such pixel data in the file and copies it);
- ``dates/``  a file whose published and device dates would give the research date offset
  away if shifted: Context Group Version and Template Version of DCMR items, a local context
  group, Date of Last Calibration, Date of Manufacture, Date of Installation.

``OUT_DIR/manifest.json`` lists, per file: the identifying values that must appear in no output
path, the bit layout, and the dates that must not come out shifted. Check an output with
check_around.py.
"""
import copy
import io
import json
import os
import sys
import unicodedata
import zipfile

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

TEST_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files'
SEED_UID = '1.2.826.0.1.3680043.10.1017.'  # a root used only for these fixtures

# A 5x7 bitmap font for the letters drawn into unused bits.
FONT = {
    'Y': ['10001', '10001', '01010', '00100', '00100', '00100', '00100'],
    'A': ['01110', '10001', '10001', '11111', '10001', '10001', '10001'],
    'M': ['10001', '11011', '10101', '10101', '10001', '10001', '10001'],
    'D': ['11110', '10001', '10001', '10001', '10001', '10001', '11110'],
}


def source(name):
    return pydicom.dcmread(os.path.join(TEST_FILES, name))


def uid(n):
    return f'{SEED_UID}{n}'


def set_patient(ds, n, name, pid, birth, study_date, charset='ISO_IR 192'):
    ds.SpecificCharacterSet = charset
    ds.PatientName = name
    ds.PatientID = pid
    ds.PatientBirthDate = birth
    ds.StudyDate = study_date
    ds.SeriesDate = study_date
    ds.ContentDate = study_date
    ds.AcquisitionDate = study_date
    ds.StudyInstanceUID = uid(f'{n}.1')
    ds.SeriesInstanceUID = uid(f'{n}.2')
    ds.SOPInstanceUID = uid(f'{n}.3')
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    for kw in ('OtherPatientIDs', 'OtherPatientNames', 'ReferringPhysicianName', 'InstitutionName'):
        if kw in ds:
            delattr(ds, kw)
    # Private blocks of the source say things about the source's own subject.
    ds.remove_private_tags()


def save(ds, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    ds.save_as(path, write_like_original=False)


# Each tree case: (relative path, PatientName, PatientID, birth date, study date, path values).
# Name tokens of four letters or fewer in this file each have a letter outside Crockford's base 32
# (I, L, O, U): dcmblind's keyed labels and pseudonyms (ANON-8…2C) are written in it, and a name
# such as ANNA could be spelt by one between two digits, which the verifier (rightly) cannot tell
# from a leak (a CI run failed so once).
# Path values are the values an output path must not show, in the form the case writes them.
TREE = [
    ('Müller_Jürgen/IM0001.dcm', 'MÜLLER^JÜRGEN', 'PID-5550001', '19650312', '20230504', ['Müller', 'Jürgen']),
    ('Mueller_Juergen_2/IM0001.dcm', 'MÜLLER^JÜRGEN', 'PID-5550001', '19650312', '20230505', ['Mueller', 'Juergen']),
    ('Goncalves_Joao/IM0001.dcm', 'GONÇALVES^JOÃO', 'PID-5550002', '19700101', '20230506', ['Goncalves', 'Joao']),
    ('Oestergaard/IM0001.dcm', 'ØSTERGAARD^METTE', 'PID-5550003', '19800202', '20230507', ['Oestergaard']),
    ('Ivanov_Oleg/IM0001.dcm', 'Иванов^Олег', 'PID-5550004', '19750303', '20230508', ['Ivanov', 'Oleg']),
    ('4471923/IM0001.dcm', 'NOWAK^OLGA', 'MRN-4471923', '19600404', '20230509', ['4471923']),
    ('cases/MLS_710218.dcm', 'SCHMIDT^MARIA LUISA', 'PID-5550006', '19710218', '20230510', ['710218']),
    ('studies/230504/IM0001.dcm', 'BAKER^TOM', 'PID-5550007', '19550505', '20230504', ['230504']),
    ('studies/04.05.23/IM0001.dcm', 'BAKER^TOM', 'PID-5550007', '19550505', '20230504', ['040523']),
    ('Lopez_M/IM0001.dcm', 'GARCIA-LOPEZ^MARIA', 'PID-5550008', '19820606', '20230511', ['Lopez']),
    ('legacy/2023-05-12/IM0001.dcm', 'KOVAC^IVAN', 'PID-5550009', '1966.07.07', '2023.05.12', ['20230512']),
    ('Smith_John/IM0001.dcm', 'SMITH^JOHN', 'PID-5550010', '19490808', '20230513', ['Smith', 'John']),
    ('Schönberg/IM0001.dcm', 'SCHOENBERG^ARNOLD', 'PID-5550012', '19510913', '20230515', ['Schönberg', 'Arnold']),
    ('ΓΕΩΡΓΙΟΣ/IM0001.dcm', 'Παπαδόπουλος^Γεώργιος', 'PID-5550013', '19770707', '20230516', ['Γεώργιος', 'Georgios']),
    ('Papadopoulos/IM0002.dcm', 'Παπαδόπουλος^Γεώργιος', 'PID-5550013', '19770707', '20230516', ['Papadopoulos']),
    ('visits/May_4_2023/IM0001.dcm', 'WRIGHT^LUCY', 'PID-5550014', '19580808', '20230504', ['May_4_2023']),
    ('cases/4471923.dcm', 'KIM^SORA', 'PID-5550015', '19590909', '20230517', ['4471923']),  # Nowak's MRN
    ('visits/20230504101500/IM0002.dcm', 'WRIGHT^LUCY', 'PID-5550014', '19580808', '20230504', ['20230504']),
    ('Smith_John/IM0002.dcm', 'DOE^JULIA', 'PID-5550011', '19510909', '20230514', ['Smith', 'John']),
]


def nfd_path(rel):
    return unicodedata.normalize('NFD', rel)


def plant_tree(out, manifest):
    base = source('CT_small.dcm')
    for i, (rel, name, pid, birth, study, values) in enumerate(TREE):
        ds = copy.deepcopy(base)
        set_patient(ds, 100 + i, name, pid, birth, study)
        # macOS writes decomposed names: the first case is stored that way.
        on_disk = nfd_path(rel) if i == 0 else rel
        save(ds, os.path.join(out, 'tree', on_disk))
        manifest['paths'].append({'input': f'tree/{on_disk}', 'values': values, 'patient': name})


def sjis_zip(path, entries):
    """A zip as Japanese Windows writes it: Shift-JIS names, no UTF-8 flag (bit 11 clear)."""

    class SjisInfo(zipfile.ZipInfo):
        def _encodeFilenameFlags(self):  # noqa: N802 - zipfile's own name
            return self.filename.encode('shift_jis'), self.flag_bits & ~0x800

    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            info = SjisInfo(name, date_time=(2023, 5, 4, 10, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def to_bytes(ds):
    buf = io.BytesIO()
    ds.save_as(buf, write_like_original=False)
    return buf.getvalue()


def plant_zips(out, manifest):
    base = source('MR_small.dcm')
    os.makedirs(os.path.join(out, 'zips'), exist_ok=True)
    ds = copy.deepcopy(base)
    set_patient(ds, 200, '山田^太郎=ヤマダ^タロウ', 'PID-5550020', '19610303', '20230515')
    sjis_zip(
        os.path.join(out, 'zips', 'case-sjis.zip'),
        [('山田太郎/DICOM/FILE0001.dcm', to_bytes(ds)), ('山田太郎/DICOMDIR.txt', b'index')],
    )
    manifest['paths'].append({'input': 'zips/case-sjis.zip', 'values': ['山田', '太郎', 'ÄRôcæ╛ÿY'], 'patient': '山田^太郎'})
    ds = copy.deepcopy(base)
    set_patient(ds, 201, 'WEIß^JÖRG', 'PID-5550021', '19620404', '20230516')
    with zipfile.ZipFile(os.path.join(out, 'zips', 'case-mac.zip'), 'w') as z:
        # zipfile sets the UTF-8 flag for non-ASCII names; the name is decomposed, as a Mac writes it.
        z.writestr(nfd_path('Weiß_Jörg/IM0001.dcm'), to_bytes(ds))
    manifest['paths'].append({'input': 'zips/case-mac.zip', 'values': ['Weiß', 'Jörg', 'Weiss', 'Joerg'], 'patient': 'WEIß^JÖRG'})


def draw(mask_shape, text, scale):
    """A boolean image of `text` in the 5x7 font, scaled, in the top-left corner."""
    img = np.zeros(mask_shape, dtype=bool)
    for k, ch in enumerate(text):
        for r, row in enumerate(FONT[ch]):
            for c, bit in enumerate(row):
                if bit == '1':
                    y, x = 2 + r * scale, 2 + (k * 6 + c) * scale
                    img[y : y + scale, x : x + scale] = True
    return img


def twelve_bit(ds, signed):
    arr = ds.pixel_array.astype(np.int32)
    lo, hi = (-2048, 2047) if signed else (0, 4095)
    arr = np.clip(arr - (arr.min() if not signed else 0), lo, hi)
    ds.BitsStored = 12
    ds.HighBit = 11
    ds.PixelRepresentation = 1 if signed else 0
    return arr


def plant_bits(out, manifest, big):
    ct = source('CT_small.dcm')
    # Unsigned: the name in bit 15, the old overlay-in-pixel-data habit.
    ds = copy.deepcopy(ct)
    set_patient(ds, 300, 'YAMADA^TARO', 'PID-5550030', '19630505', '20230517')
    arr = twelve_bit(ds, signed=False).astype(np.uint16)
    arr[draw(arr.shape, 'YAMADA', 3)] |= 0x8000
    ds.PixelData = arr.tobytes()
    save(ds, os.path.join(out, 'bits', 'overlay-u12.dcm'))
    manifest['bits'].append({'input': 'bits/overlay-u12.dcm', 'signed': False, 'planted': int((arr >> 12).any())})
    # Signed: negative values sign-extended (bits 12-15 all one), a name in bits 12-14 of others.
    ds = copy.deepcopy(ct)
    set_patient(ds, 301, 'YAMADA^TARO', 'PID-5550030', '19630505', '20230517')
    arr = twelve_bit(ds, signed=True)
    u = (arr & 0xFFFF).astype(np.uint16)
    u[draw(u.shape, 'MAD', 3) & (arr >= 0)] |= 0x7000
    ds.PixelData = u.tobytes()
    save(ds, os.path.join(out, 'bits', 'overlay-s12.dcm'))
    manifest['bits'].append({'input': 'bits/overlay-s12.dcm', 'signed': True})
    if big:
        mr = source('MR_small.dcm')
        ds = copy.deepcopy(mr)
        set_patient(ds, 302, 'YAMADA^TARO', 'PID-5550030', '19630505', '20230517')
        frame = twelve_bit(ds, signed=False).astype(np.uint16)
        frame[draw(frame.shape, 'YAMADA', 1)] |= 0x8000
        frames = 4200  # 64 x 64 x 2 bytes x 4200 ≈ 34 MB: past the 32 MB in-memory limit
        ds.NumberOfFrames = frames
        ds.PixelData = np.tile(frame, (frames, 1, 1)).tobytes()
        if 0xFFFCFFFC in ds:
            del ds[0xFFFCFFFC]  # pixel data last: dcmblind then copies it from the file
        save(ds, os.path.join(out, 'bits', 'overlay-u12-big.dcm'))
        manifest['bits'].append({'input': 'bits/overlay-u12-big.dcm', 'signed': False})


def code_item(value, scheme, meaning, **extra):
    it = Dataset()
    it.CodeValue = value
    it.CodingSchemeDesignator = scheme
    it.CodeMeaning = meaning
    for k, v in extra.items():
        setattr(it, k, v)
    return it


def plant_dates(out, manifest):
    # Two patients: their offsets differ, so a version shifted with their dates differs between
    # them while the published value is one (what a checker holding only the key can see).
    for n, name, pid, study_date, file in ((400, 'KOWALSKI^JAN', 'PID-5550040', '20230518', 'offset-probe.dcm'),
                                           (401, 'NOVAK^OLIVIA', 'PID-5550041', '20221130', 'offset-probe-2.dcm')):
        plant_offset_probe(out, manifest, n, name, pid, study_date, file)


def plant_offset_probe(out, manifest, n, name, pid, study_date, file):
    ds = copy.deepcopy(source('CT_small.dcm'))
    set_patient(ds, n, name, pid, '19640606', study_date)
    published = '20100317000000'  # CID 4031's version as PS3.16 publishes it
    ds.AnatomicRegionSequence = Sequence(
        [code_item('T-D1100', 'SRT', 'Head', ContextIdentifier='4031', MappingResource='DCMR', ContextGroupVersion=published)]
    )
    local = code_item('HEAD1', '99LOCAL', 'Head (local)', ContextIdentifier='4031', MappingResource='DCMR',
                      ContextGroupVersion=published, ContextGroupExtensionFlag='Y',
                      ContextGroupLocalVersion='20220101000000', ContextGroupExtensionCreatorUID=uid(f'{n}.9'))
    ds.PrimaryAnatomicStructureSequence = Sequence([local])
    ds.add_new(0x0040DB06, 'DT', '20050509')  # Template Version (retired) at the top, outside an item
    ds.DateOfLastCalibration = '20230102'
    ds.TimeOfLastCalibration = '080000'
    ds.add_new(0x00181204, 'DA', '20190301')  # Date of Manufacture
    ds.add_new(0x00181205, 'DA', '20190415')  # Date of Installation (not in pydicom 2.3's dictionary)
    save(ds, os.path.join(out, 'dates', file))
    manifest['dates'].append(
        {
            'input': f'dates/{file}',
            'studyDate': study_date,
            # Attribute keyword -> the source value; in the output: absent, empty, a dummy or this value.
            'probes': {
                'ContextGroupVersion': published,
                'ContextGroupLocalVersion': '20220101000000',
                'TemplateVersion': '20050509',
                'DateOfLastCalibration': '20230102',
                'DateOfManufacture': '20190301',
                'DateOfInstallation': '20190415',
            },
        }
    )


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    manifest = {'paths': [], 'bits': [], 'dates': []}
    plant_tree(out, manifest)
    plant_zips(out, manifest)
    plant_bits(out, manifest, '--big' in sys.argv)
    plant_dates(out, manifest)
    with open(os.path.join(out, 'manifest.json'), 'w', encoding='utf-8') as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)
    print(f'{sum(len(v) for v in manifest.values())} cases in {out}')


if __name__ == '__main__':
    main()
