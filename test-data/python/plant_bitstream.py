#!/usr/bin/python3
"""Write DICOM files whose compressed pixel data carries identifying text in metadata segments.

  plant_bitstream.py OUT_DIR [--no-verify]

  -> OUT_DIR/*.dcm and OUT_DIR/manifest.json (schema dcmblind-bitstream-plant/1); a line per
     file and per check on stderr; exit 1 when a written file fails a check, 2 on bad usage.

Every file starts from a real encoder's stream: pydicom's JPEG, JPEG-LS and JPEG 2000 test
files, and, when DCMTK is installed, its progressive JPEG and three-scan JPEG-LS encodings of
one of them. Into each frame go, only where the standards allow them so that pixels still
decode: APP1 Exif (a little-endian TIFF IFD: ImageDescription, Artist, and XPComment in
UTF-16LE), APP1 XMP, APP13 Photoshop IPTC, COM, also between the scans of multi-scan streams;
JPEG 2000 COM in the main header and in tile-part headers (Psot fixed, a TLM index written
to match), a JP2 `xml ` box. One file repeats its frame 3 times behind a non-empty Basic
Offset Table, another splits a frame over two fragments with an empty table. Fragments are
padded to even length with 0x00 (pydicom's encapsulate).

Unless --no-verify, each written file is read by pydicom and by dcmdump, decoded by each
installed decoder that handles its transfer syntax (dcmdjpeg: JPEG; dcmdjpls: JPEG-LS;
gdcmconv --raw: all) with the decoded pixels compared to those of the unplanted source, and
checked with check_bitstream.py, which must report every file. The manifest records which
decoder agreed on which file.
"""
import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import warnings

import pydicom
from pydicom.encaps import encapsulate
from pydicom.uid import generate_uid

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts in the repository
import check_bitstream  # noqa: E402

TEST_FILES = os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files')
NAME = 'HIROSHI YAMADA-KOWALSKI'
PHI = (f'Patient: {NAME}, MRN 4471923, DOB 1971-02-18, Operator DR NAKAMURA, '
       'St Elsewhere Hospital')
STRINGS = [NAME, 'YAMADA^HIROSHI', '4471923', '1971-02-18', 'NAKAMURA', 'St Elsewhere Hospital']
JPEG_TS = {'1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.55',
           '1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70'}
JPEG_LS_TS = {'1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81'}
SC_IMAGE = '1.2.840.10008.5.1.4.1.1.7'
MULTIFRAME_TRUE_COLOR_SC = '1.2.840.10008.5.1.4.1.1.7.4'
# T.87 allows any APPn and COM before each scan; DCMTK 3.6.7's JPEG-LS decoder (its CharLS 1.x
# fork) stops at APPn other than APP0/APP7/APP8 and at a COM between scans.
DCMTK_LS_LIMIT = ('DCMTK 3.6.7 dcmdjpls rejects APPn other than APP0/7/8 and COM between scans, '
                  'both allowed by T.87; GDCM (CharLS 2) decodes it')


# ---- Payloads ------------------------------------------------------------------------------

def jpeg_segment(code, payload):
    return bytes([0xFF, code]) + struct.pack('>H', len(payload) + 2) + payload


def exif():
    """APP1 Exif: a TIFF header and one IFD as cameras and PACS viewers write it."""
    entries = [
        (0x010E, 2, (PHI + '\0').encode('latin-1')),                  # ImageDescription
        (0x013B, 2, b'DR NAKAMURA\0'),                               # Artist
        (0x9C9C, 1, (NAME + ' 4471923\0').encode('utf-16-le')),      # XPComment
    ]
    ifd_size = 2 + 12 * len(entries) + 4
    data = b''
    ifd = struct.pack('<H', len(entries))
    for tag, kind, value in entries:
        ifd += struct.pack('<HHI', tag, kind, len(value))
        ifd += struct.pack('<I', 8 + ifd_size + len(data)) if len(value) > 4 else value.ljust(4, b'\0')
        data += value + (b'\0' if len(value) % 2 else b'')
    tiff = b'II*\x00' + struct.pack('<I', 8) + ifd + struct.pack('<I', 0) + data
    return jpeg_segment(0xE1, b'Exif\x00\x00' + tiff)


def xmp_packet():
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
            'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:description>{PHI}</dc:description><dc:creator>DR NAKAMURA</dc:creator>'
            '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode('utf-8')


def xmp():
    return jpeg_segment(0xE1, b'http://ns.adobe.com/xap/1.0/\x00' + xmp_packet())


def photoshop():
    """APP13 Photoshop 3.0: one 8BIM IPTC-NAA resource with object name, by-line, caption."""
    def dataset(number, value):
        return bytes([0x1C, 2, number]) + struct.pack('>H', len(value)) + value
    iptc = (dataset(0, b'\x00\x04') + dataset(5, b'YAMADA^HIROSHI') + dataset(80, b'DR NAKAMURA')
            + dataset(120, PHI.encode('latin-1')))
    iptc += b'\0' if len(iptc) % 2 else b''
    resource = b'8BIM' + struct.pack('>H', 0x0404) + b'\0\0' + struct.pack('>I', len(iptc)) + iptc
    return jpeg_segment(0xED, b'Photoshop 3.0\x00' + resource)


def comment(where):
    text = f'{where}: Operator DR NAKAMURA, patient YAMADA^HIROSHI MRN 4471923'
    return jpeg_segment(0xFE, text.encode('latin-1'))


def j2k_comment(where):
    text = f'{where}: {PHI}'.encode('latin-1')
    return struct.pack('>HHH', 0xFF64, len(text) + 4, 1) + text


# ---- JPEG structure ------------------------------------------------------------------------

def jpeg_markers(frame):
    """[(code, offset)] of every marker from SOI to EOI, scan data skipped (check_bitstream's rules)."""
    out = [(0xD8, 0)]
    at = 2
    jpeg_ls = False
    while True:
        start = at
        while frame[at + 1] == 0xFF:
            at += 1  # fill bytes, which DCMTK writes before a JPEG-LS EOI
        code = frame[at + 1]
        out.append((code, start))
        if code == 0xD9:
            return out
        at += 2 + struct.unpack('>H', frame[at + 2:at + 4])[0]
        jpeg_ls = jpeg_ls or code == 0xF7
        if code == 0xDA:
            pattern = check_bitstream.T87_MARKER if jpeg_ls else check_bitstream.T81_MARKER
            at = pattern.search(frame, at).start()


def insert(frame, inserts):
    """`frame` with byte strings put before the given offsets, [(offset, bytes, label)]."""
    out = b''
    last = 0
    for at, data, _ in sorted(inserts, key=lambda i: i[0]):
        out += frame[last:at] + data
        last = at
    return out + frame[last:]


def first(markers, codes):
    return next(at for code, at in markers if code in codes)


def plant_jpeg(frame, tag='', dcmtk_ls=False):
    """APP1 Exif and XMP after SOI (after APP0/APP14 when present: JFIF wants APP0 first),
    APP13 before the frame header, COM before the first SOS, COM and APP1 before later scans.
    With `dcmtk_ls`, only what DCMTK's JPEG-LS decoder reads past (COM, APP0, APP7, APP8)."""
    m = jpeg_markers(frame)
    eoi = frame.index(b'\xd9', m[-1][1])  # after any fill bytes
    frame = frame[:eoi + 1]  # without the source's pad byte: encapsulate pads again if needed
    after_app = max([at + 2 + struct.unpack('>H', frame[at + 2:at + 4])[0]
                     for code, at in m[1:3] if code in (0xE0, 0xEE)] or [2])
    sof = first(m, set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC} | {0xF7})
    sos = [at for code, at in m if code == 0xDA]
    if dcmtk_ls:
        vendor = f'{tag}Operator DR NAKAMURA, {PHI}'.encode('latin-1')
        inserts = [
            (after_app, jpeg_segment(0xE7, b'ACME-CAPTURE\x00' + vendor), 'APP7 vendor after SOI'),
            (sof, jpeg_segment(0xE8, b'ACME\x00' + vendor), 'APP8 (not mrfx) before SOF55')]
    else:
        inserts = [(after_app, exif() + xmp(), 'APP1 Exif, APP1 XMP after SOI'),
                   (sof, photoshop(), 'APP13 Photoshop before the frame header')]
    inserts.append((sos[0], comment(f'{tag}before SOS'), 'COM before the first SOS'))
    for k, at in enumerate(sos[1:], 2):
        inserts.append((at, comment(f'{tag}before scan {k}'), f'COM before scan {k}'))
    if len(sos) > 2:
        inserts.append((sos[2], exif(), 'APP1 Exif before scan 3'))
    return insert(frame, inserts), [label for _, _, label in sorted(inserts, key=lambda i: i[0])]


# ---- JPEG 2000 structure -------------------------------------------------------------------

def tile_parts(cs):
    """[(SOT offset, Psot)] of a codestream, and where its main header ends."""
    at = 2
    while struct.unpack('>H', cs[at:at + 2])[0] != 0xFF90:
        at += 2 + struct.unpack('>H', cs[at + 2:at + 4])[0]
    main_end = at
    out = []
    while struct.unpack('>H', cs[at:at + 2])[0] == 0xFF90:
        psot = struct.unpack('>I', cs[at + 6:at + 10])[0]
        out.append((at, psot))
        at = cs.rfind(b'\xff\xd9') if psot == 0 else at + psot
    return out, main_end, at + 2


def plant_j2k(cs, every=1, tlm=False):
    """COM after SIZ and before the first SOT, COM in every `every`-th tile-part header
    (Psot grown to match); with `tlm`, a TLM index of the planted tile-parts after SIZ."""
    parts, main_end, eoc_end = tile_parts(cs)
    cs = cs[:eoc_end]
    after_siz = 4 + struct.unpack('>H', cs[4:6])[0]
    out = cs[:after_siz] + j2k_comment('main header, after SIZ') + cs[after_siz:main_end]
    out += j2k_comment('main header, before SOT')
    lengths = []
    for k, (at, psot) in enumerate(parts):
        end = parts[k + 1][0] if k + 1 < len(parts) else eoc_end - 2
        part = cs[at:end]
        if k % every == 0:
            c = j2k_comment(f'tile-part {k}')
            grown = struct.pack('>I', psot + len(c) if psot else 0)
            part = part[:6] + grown + part[10:12] + c + part[12:]
        lengths.append(len(part))
        out += part
    out += b'\xff\xd9'
    labels = ['COM in the main header after SIZ', 'COM in the main header before SOT',
              f'COM in {len(range(0, len(parts), every))} of {len(parts)} tile-part headers']
    if tlm:
        entries = b''.join(struct.pack('>BI', k & 0xFF, n) for k, n in enumerate(lengths))
        index = struct.pack('>HHBB', 0xFF55, 4 + len(entries), 0, 0x50) + entries
        out = out[:after_siz] + index + out[after_siz:]
        labels.append('TLM (Ttlm 8-bit, Ptlm 32-bit) matching the planted tile-parts')
    return out, labels


def jp2_boxes(file):
    """[(type, start, header length, end)] of the top-level boxes."""
    out = []
    at = 0
    while at + 8 <= len(file):
        lbox, kind = struct.unpack('>I4s', file[at:at + 8])
        header = 8
        if lbox == 1:
            lbox, header = struct.unpack('>Q', file[at + 8:at + 16])[0], 16
        elif lbox == 0:
            lbox = len(file) - at
        out.append((kind, at, header, at + lbox))
        at += lbox
    return out


def plant_jp2(file):
    """An XMP `xml ` box before jp2c, and the comments of plant_j2k in the jp2c codestream."""
    boxes = jp2_boxes(file)
    _, start, header, end = next(b for b in boxes if b[0] == b'jp2c')
    cs, labels = plant_j2k(file[start + header:end], every=7)
    jp2c = struct.pack('>I4s', 8 + len(cs), b'jp2c') + cs
    xml = struct.pack('>I4s', 8 + len(xmp_packet()), b'xml ') + xmp_packet()
    return file[:start] + xml + jp2c, ['JP2 xml box (XMP) before jp2c'] + labels


# ---- Files ---------------------------------------------------------------------------------

def frames_of(path):
    ds = pydicom.dcmread(path)
    offsets, fragments = check_bitstream.fragments_and_offsets(ds.PixelData)
    return check_bitstream.frames_of(path, offsets, fragments, int(ds.get('NumberOfFrames', 1) or 1))[1]


def write(src, out, frames, fragments_per_frame=1, has_bot=False):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        ds = pydicom.dcmread(src)
    ds.PixelData = encapsulate(frames, fragments_per_frame=fragments_per_frame, has_bot=has_bot)
    ds['PixelData'].VR = 'OB'
    ds['PixelData'].is_undefined_length = True
    if len(frames) > 1:
        ds.NumberOfFrames = len(frames)
        # GDCM will not write a multi-frame Secondary Capture Image: the multi-frame class it is.
        if ds.SOPClassUID == SC_IMAGE and ds.SamplesPerPixel == 3:
            ds.SOPClassUID = MULTIFRAME_TRUE_COLOR_SC
            ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    # The header names the patient the segments name (encoders copy it from there): a checker
    # that knows the header (dcmblind-verify with --source) can look for it in the bit stream.
    ds.PatientName = 'YAMADA^HIROSHI'
    ds.PatientID = '4471923'
    ds.PatientBirthDate = '19710218'
    ds.ReferringPhysicianName = 'NAKAMURA^KENJI'
    ds.InstitutionName = 'St Elsewhere Hospital'
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.save_as(out, write_like_original=False)


def dcmtk_encodings(work):
    """DCMTK's progressive JPEG and three-scan JPEG-LS of SC_rgb_jpeg_dcmtk.dcm, or {} without DCMTK."""
    if not all(shutil.which(t) for t in ('dcmdjpeg', 'dcmcjpeg', 'dcmcjpls')):
        return {}
    raw = os.path.join(work, 'rgb_raw.dcm')
    subprocess.run(['dcmdjpeg', os.path.join(TEST_FILES, 'SC_rgb_jpeg_dcmtk.dcm'), raw], check=True)
    out = {}
    for name, tool, option in (('progressive', 'dcmcjpeg', '+ep'), ('ls3', 'dcmcjpls', '+in')):
        out[name] = os.path.join(work, f'rgb_{name}.dcm')
        subprocess.run([tool, option, raw, out[name]], check=True)
    return out


def fixture(name, source, description, frames, labels, **options):
    """One file to write: `frames` go into a copy of `source` (see write()). Options: fragments
    (per frame), bot (a non-empty Basic Offset Table), limits ({decoder: why it cannot decode
    the file}), origin (what the manifest names as source, when `source` is an intermediate)."""
    return {'file': name, 'source': source, 'origin': options.get('origin', os.path.basename(source)),
            'description': description, 'frames': frames, 'planted_per_frame': labels,
            'fragments_per_frame': options.get('fragments', 1),
            'basic_offset_table': options.get('bot', False), 'decoder_limits': options.get('limits', {})}


def jpeg_fixture(name, source, description, copies=1, dcmtk_ls=False, **options):
    frame = frames_of(source)[0]
    tags = [f'frame {k + 1}, ' if copies > 1 else '' for k in range(copies)]
    planted = [plant_jpeg(frame, tag, dcmtk_ls) for tag in tags]
    return fixture(name, source, description, [p[0] for p in planted], planted[0][1], **options)


def j2k_fixture(name, source, description, every, tlm):
    frame = frames_of(source)[0]
    if frame[:2] != b'\xff\x4f':  # JP2-wrapped: its codestream alone
        _, start, header, end = next(b for b in jp2_boxes(frame) if b[0] == b'jp2c')
        frame = frame[start + header:end]
    cs, labels = plant_j2k(frame, every, tlm)
    return fixture(name, source, description, [cs], labels)


def jp2_fixture(name, source, description):
    planted, labels = plant_jp2(frames_of(source)[0].rstrip(b'\0'))
    return fixture(name, source, description, [planted], labels)


def fixtures(work):
    def src(name):
        return os.path.join(TEST_FILES, name)
    out = [
        jpeg_fixture('jpeg_baseline_jfif.dcm', src('SC_rgb_jpeg_dcmtk.dcm'),
                     'baseline 8-bit YBR, JFIF APP0 kept'),
        jpeg_fixture('jpeg_baseline_adobe.dcm', src('SC_rgb_jpeg_app14_dcmd.dcm'),
                     'baseline 8-bit, Adobe APP14 kept'),
        jpeg_fixture('jpeg_extended_12bit.dcm', src('JPGExtended.dcm'), 'extended sequential 12-bit'),
        jpeg_fixture('jpeg_lossless_sv1.dcm', src('SC_rgb_jpeg_gdcm.dcm'),
                     'lossless process 14 SV1, Adobe APP14 kept'),
        jpeg_fixture('jpeg_ls_lossless.dcm', src('MR_small_jpeg_ls_lossless.dcm'),
                     'JPEG-LS lossless 16-bit, LSE kept; APP7, APP8, COM: what DCMTK decodes',
                     dcmtk_ls=True),
        jpeg_fixture('jpeg_multiframe_bot.dcm', src('SC_rgb_jpeg_dcmtk.dcm'),
                     '3 frames, non-empty Basic Offset Table, Multi-frame True Color SC',
                     copies=3, bot=True),
        jpeg_fixture('jpeg_split_fragments.dcm', src('JPGExtended.dcm'),
                     'one frame in 2 fragments, empty Basic Offset Table', fragments=2),
        j2k_fixture('j2k_lossy.dcm', src('693_J2KI.dcm'),
                    'JPEG 2000 (OpenJPEG via GDCM), 1 tile-part', 1, False),
        j2k_fixture('j2k_lossless_tiles_tlm.dcm', src('GDCMJ2K_TextGBR.dcm'),
                    'JPEG 2000 lossless raw codestream, 96 tile-parts, TLM', 8, True),
        jp2_fixture('jp2_wrapped.dcm', src('GDCMJ2K_TextGBR.dcm'),
                    'JP2 file with 4 uuid boxes of its own, 96 tile-parts'),
    ]
    encoded = dcmtk_encodings(work)
    if encoded:
        out.append(jpeg_fixture('jpeg_progressive.dcm', encoded['progressive'],
                                'progressive, 10 scans, DHT between them',
                                origin='SC_rgb_jpeg_dcmtk.dcm via dcmdjpeg, dcmcjpeg +ep'))
        out.append(jpeg_fixture('jpeg_ls_3_scans.dcm', encoded['ls3'], 'JPEG-LS uninterleaved, 3 scans',
                                origin='SC_rgb_jpeg_dcmtk.dcm via dcmdjpeg, dcmcjpls +in',
                                limits={'dcmdjpls': DCMTK_LS_LIMIT}))
    return out


# ---- Verification --------------------------------------------------------------------------

def decoded_pixels(tool, path, work):
    """Pixel Data bytes after `tool` decoded `path`, or None with the tool's complaint."""
    out = os.path.join(work, f'decoded_{tool}_{os.path.basename(path)}')
    args = [tool, '--raw', path, out] if tool == 'gdcmconv' else [tool, path, out]
    run = subprocess.run(args, capture_output=True, text=True)
    if run.returncode != 0 or not os.path.exists(out):
        return None, ' '.join((run.stderr or run.stdout).strip().splitlines()[-1:])
    return pydicom.dcmread(out).PixelData, ''


def decoders_for(ts):
    tools = ['dcmdjpeg'] if ts in JPEG_TS else ['dcmdjpls'] if ts in JPEG_LS_TS else []
    return [t for t in tools + ['gdcmconv'] if shutil.which(t)]


def verify(path, f, ts, work):
    """{check: (passed, what happened)} for one written file."""
    result = {}
    try:
        pydicom.dcmread(path).PixelData
        result['pydicom'] = (True, 'reads it')
    except Exception as e:  # noqa: BLE001 -- any failure is the finding
        result['pydicom'] = (False, f'{type(e).__name__}: {e}')
    if shutil.which('dcmdump'):
        run = subprocess.run(['dcmdump', path], capture_output=True, text=True)
        errors = [x for x in (run.stdout + run.stderr).splitlines() if x.startswith(('E:', 'F:'))]
        result['dcmdump'] = (run.returncode == 0 and not errors, '; '.join(errors[:2]) or 'reads it')
    for tool in decoders_for(ts):
        want, _ = decoded_pixels(tool, f['source'], work)
        got, complaint = decoded_pixels(tool, path, work)
        limit = f['decoder_limits'].get(tool)
        if want is None:
            result[tool] = (False, 'cannot decode the unplanted source either')
        elif got is None:
            known = f' (known: {limit})' if limit else ''
            result[tool] = (limit is not None, f'fails: {complaint}{known}')
        else:
            same = got == want * len(f['frames'])
            result[tool] = (same, 'same pixels as the unplanted source' if same else 'different pixels')
    found = check_bitstream.check_file(path, STRINGS, False) or []
    segments = sum(': frame ' in x for x in found)
    hits = sum(': pixel data: ' in x for x in found)
    unwalkable = sum('cannot be walked' in x for x in found)
    result['check_bitstream'] = (segments > 0 and hits > 0 and not unwalkable,
                                 f'{segments} segment findings, {hits} of {len(STRINGS)} strings found')
    return result


def manifest_entry(f, path, ts):
    planted = b''.join(f['frames'])
    return {'file': f['file'], 'source': f['origin'], 'description': f['description'],
            'transfer_syntax': ts, 'frames': len(f['frames']),
            'fragments_per_frame': f['fragments_per_frame'],
            'basic_offset_table': f['basic_offset_table'],
            'planted_per_frame': f['planted_per_frame'],
            'strings': [x for x in STRINGS if check_bitstream.string_findings(path, planted, [x])]}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('out_dir')
    ap.add_argument('--no-verify', action='store_true')
    args = ap.parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    manifest = {'schema': 'dcmblind-bitstream-plant/1', 'strings': STRINGS, 'files': []}
    failed = 0
    with tempfile.TemporaryDirectory(prefix='plant-bitstream-') as work, warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for f in fixtures(work):
            path = os.path.join(args.out_dir, f['file'])
            write(f['source'], path, f['frames'], f['fragments_per_frame'], f['basic_offset_table'])
            ts = str(pydicom.dcmread(path, stop_before_pixels=True).file_meta.TransferSyntaxUID)
            entry = manifest_entry(f, path, ts)
            if not args.no_verify:
                checks = verify(path, f, ts, work)
                entry['checks'] = {k: text for k, (_, text) in checks.items()}
                bad = [k for k, (ok, _) in checks.items() if not ok]
                failed += bool(bad)
                report = '; '.join(f'{k}: {text}' for k, (_, text) in checks.items())
                print(f'{f["file"]}: {report}' + (f'  FAILED: {", ".join(bad)}' if bad else ''),
                      file=sys.stderr)
            manifest['files'].append(entry)
    with open(os.path.join(args.out_dir, 'manifest.json'), 'w') as out:
        json.dump(manifest, out, indent=2)
        out.write('\n')
    print(f'{len(manifest["files"])} files written to {args.out_dir}, {failed} failed a check',
          file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
