#!/usr/bin/python3
"""Report metadata segments and planted text left inside compressed pixel data.

  check_bitstream.py FILE_OR_DIR... [--strings STR ...] [--excerpts]

  -> one line per finding on stdout, `path: frame N: APP1 (E1) 123 bytes "Exif"`, a summary
     on stderr; exit 1 when anything is found, 0 when nothing is, 2 on bad usage.

Folders are searched recursively; files pydicom cannot read as DICOM are skipped. Frames are
numbered from 1, as DICOM numbers them. The walk of the bit streams is written here from the
standards, independently of dcmblind's TypeScript:

  JPEG (ITU T.81) and JPEG-LS (ITU T.87): every marker segment from SOI to EOI, scan data
      skipped by its stuffing rules. Every APPn and COM segment is a finding except the three
      a decoder reads: APP0 "JFIF\\0" (a JFIF thumbnail is a finding), APP14 "Adobe" and APP8
      "mrfx" (HP's JPEG-LS colour transform). Bytes after EOI beyond one pad byte are too.
  JPEG 2000 / HTJ2K (ISO 15444-1 Annex A, 15444-15): COM segments in the main header and in
      every tile-part header (tile-parts followed by Psot). JP2-wrapped streams (Annex I): the
      top-level `xml `, `uuid`, `uinf`, `ipr ` and `jp2i` boxes, then the jp2c codestream.
  A stream that cannot be walked (truncated, a bad length, no EOI/EOC) is a finding: nothing
  can be said about what it hides.

Encapsulation (PS3.5 A.4): every fragment must have an even length, and a non-empty Basic
Offset Table must hold one offset per frame, the first 0, each pointing at a fragment's item
tag, increasing. With --strings, the Pixel Data value (native or encapsulated, item tags
included) must not contain any of the strings, compared without ASCII case, as UTF-8,
Latin-1, UTF-16LE and UTF-16BE.

--excerpts prints the first characters of COM and xml contents and APPn identifiers beyond
the 4-character one; they can hold the identifying text being looked for.
"""
import argparse
import os
import re
import sys
import warnings

import pydicom
from pydicom.errors import InvalidDicomError

try:  # pydicom >= 3
    from pydicom.encaps import generate_fragments as _fragments
    from pydicom.encaps import parse_basic_offsets as _basic_offsets

    def fragments_and_offsets(value):
        """(Basic Offset Table offsets, fragments) of an encapsulated Pixel Data value."""
        import io
        buf = io.BytesIO(value)
        offsets = _basic_offsets(buf)
        return offsets, list(_fragments(buf))
except ImportError:  # pydicom 2.x
    from pydicom.encaps import generate_pixel_data_fragment as _fragments
    from pydicom.encaps import get_frame_offsets as _frame_offsets
    from pydicom.filebase import DicomBytesIO

    def fragments_and_offsets(value):
        """(Basic Offset Table offsets, fragments) of an encapsulated Pixel Data value."""
        buf = DicomBytesIO(value)
        buf.is_little_endian = True
        has_bot, offsets = _frame_offsets(buf)
        return (offsets if has_bot else []), list(_fragments(buf))

ITEM_HEADER = 8
KEPT_APP = {0xE0: b'JFIF\x00', 0xEE: b'Adobe', 0xE8: b'mrfx'}
KNOWN_IDENTIFIERS = {b'Exif', b'http://ns.adobe.com/xap/1.0/', b'http://ns.adobe.com/xmp/extension/',
                     b'ICC_PROFILE', b'Photoshop 3.0', b'JFXX', b'JFIF', b'SPIFF', b'Ducky', b'Adobe',
                     b'FPXR', b'MPF', b'Meta', b'mrfx', b'AVI1'}
DROPPED_BOXES = {b'xml ', b'uuid', b'uinf', b'ipr ', b'jp2i'}
JP2_SIGNATURE = bytes.fromhex('0000000c6a5020200d0a870a')
# A marker in T.81 scan data: 0xFF (and fill 0xFF) followed by neither 0x00 (stuffing) nor
# RSTn (part of the scan). In JPEG-LS scan data a byte below 0x80 after 0xFF is data too.
T81_MARKER = re.compile(rb'\xff+[\x01-\xcf\xd8-\xfe]')
T87_MARKER = re.compile(rb'\xff+[\x80-\xcf\xd8-\xfe]')


class Unwalkable(Exception):
    """The stream breaks its own syntax at some point; the message says where."""


def be16(b, at):
    if at + 2 > len(b):
        raise Unwalkable(f'ends inside a length at byte {at}')
    return int.from_bytes(b[at:at + 2], 'big')


def be32(b, at):
    if at + 4 > len(b):
        raise Unwalkable(f'ends inside a length at byte {at}')
    return int.from_bytes(b[at:at + 4], 'big')


def excerpt(raw, n=40):
    text = raw[:n].decode('latin-1')
    return ''.join(c if c.isprintable() else '.' for c in text)


# ---- JPEG and JPEG-LS ----------------------------------------------------------------------

def jpeg_findings(frame, excerpts):
    """Findings in one T.81 / T.87 frame."""
    out = []
    at = 2
    jpeg_ls = False
    if frame[:2] != b'\xff\xd8':
        raise Unwalkable('no SOI')
    while True:
        if at >= len(frame) or frame[at] != 0xFF:
            raise Unwalkable(f'no marker at byte {at}')
        while at + 1 < len(frame) and frame[at + 1] == 0xFF:
            at += 1  # fill bytes
        if at + 1 >= len(frame):
            raise Unwalkable('ends in fill bytes')
        code = frame[at + 1]
        if code == 0xD9:
            trailing = len(frame) - (at + 2)
            if trailing > 1:
                out.append(f'{trailing} bytes after EOI')
            return out
        if code == 0x01 or 0xD0 <= code <= 0xD7:
            at += 2
            continue
        if code in (0x00, 0xD8):
            raise Unwalkable(f'FF{code:02X} at byte {at} outside scan data')
        length = be16(frame, at + 2)
        end = at + 2 + length
        if length < 2 or end > len(frame):
            raise Unwalkable(f'segment FF{code:02X} at byte {at} runs past the end')
        out += app_or_com(code, frame[at + 4:end], excerpts)
        jpeg_ls = jpeg_ls or code == 0xF7
        at = end
        if code == 0xDA:
            m = (T87_MARKER if jpeg_ls else T81_MARKER).search(frame, at)
            if m is None:
                raise Unwalkable('scan data runs to the end: no EOI')
            at = m.start()


def app_or_com(code, data, excerpts):
    if code == 0xFE:
        text = f' "{excerpt(data)}"' if excerpts else ''
        return [f'COM (FE) {len(data) + 4} bytes{text}']
    if not 0xE0 <= code <= 0xEF:
        return []
    kept = KEPT_APP.get(code)
    if kept is not None and data.startswith(kept):
        # JFIF: 14 bytes of fields after the identifier, then Xthumbnail * Ythumbnail RGB pixels.
        if code == 0xE0 and len(data) > 14 and (data[12] or data[13]):
            return [f'APP0 (E0) JFIF thumbnail {data[12]}x{data[13]}']
        return []
    ident = data.split(b'\x00', 1)[0]
    # A known format's identifier is safe to print; anything else may be the text looked for.
    shown = ident in KNOWN_IDENTIFIERS or excerpts
    name = f' "{excerpt(ident, 30)}"' if shown and ident else ''
    return [f'APP{code - 0xE0} ({code:02X}) {len(data) + 4} bytes{name}']


# ---- JPEG 2000 -----------------------------------------------------------------------------

def codestream_findings(cs, excerpts, where=''):
    """COM segments in the main header and the tile-part headers of one codestream."""
    if be16(cs, 0) != 0xFF4F or be16(cs, 2) != 0xFF51:
        raise Unwalkable(f'{where}no SOC followed by SIZ')
    out = []
    at, found = header_coms(cs, 2, 0xFF90, excerpts)
    out += [f'{where}main header: {f}' for f in found]
    eoc = cs.rfind(b'\xff\xd9')
    tile_part = 0
    while be16(cs, at) == 0xFF90:
        if be16(cs, at + 2) != 10:
            raise Unwalkable(f'{where}SOT at byte {at} with Lsot != 10')
        psot = be32(cs, at + 6)
        sod, found = header_coms(cs, at + 12, 0xFF93, excerpts)
        out += [f'{where}tile-part {tile_part} (tile {be16(cs, at + 4)}): {f}' for f in found]
        end = eoc if psot == 0 else at + psot
        if end < sod + 2 or end > len(cs):
            raise Unwalkable(f'{where}tile-part at byte {at}: Psot {psot} out of the stream')
        at = end
        tile_part += 1
    if be16(cs, at) != 0xFFD9:
        raise Unwalkable(f'{where}no EOC after the last tile-part (byte {at})')
    trailing = len(cs) - (at + 2)
    if trailing > 1:
        out.append(f'{where}{trailing} bytes after EOC')
    return out


def header_coms(cs, at, stop, excerpts):
    """(where `stop` is, COM findings) for the marker segments from `at`."""
    found = []
    while True:
        marker = be16(cs, at)
        if marker == stop:
            return at, found
        if marker < 0xFF00 or marker in (0xFF4F, 0xFF90, 0xFF93, 0xFFD9):
            raise Unwalkable(f'{marker:04X} at byte {at} in a header')
        if 0xFF30 <= marker <= 0xFF3F:  # reserved, no parameters
            at += 2
            continue
        length = be16(cs, at + 2)
        if length < 2 or at + 2 + length > len(cs):
            raise Unwalkable(f'segment {marker:04X} at byte {at} runs past the end')
        if marker == 0xFF64:
            text = f' "{excerpt(cs[at + 6:at + 2 + length])}"' if excerpts else ''
            found.append(f'COM (FF64) {length + 2} bytes{text}')
        at += 2 + length


def jp2_findings(file, excerpts):
    """Text boxes at the top level of a JP2 file, then what its codestreams hold."""
    out = []
    at = 0
    codestreams = 0
    while at < len(file):
        if len(file) - at < 8 and not any(file[at:]):
            break  # zero padding to an even length
        lbox = be32(file, at)
        kind = file[at + 4:at + 8]
        header = 8
        if lbox == 1:
            header = 16
            lbox = int.from_bytes(file[at + 8:at + 16], 'big')
        elif lbox == 0:
            lbox = len(file) - at
        if lbox < header or at + lbox > len(file):
            raise Unwalkable(f'box {kind!r} at byte {at} runs past the end')
        name = kind.decode('latin-1')
        if kind in DROPPED_BOXES:
            contents = file[at + header:at + lbox]
            text = f' "{excerpt(contents)}"' if excerpts else ''
            if kind == b'uuid':  # the UUID names the vendor format; it is no patient data
                text = f' {contents[:16].hex()}'
            out.append(f'JP2 box "{name}" {lbox} bytes{text}')
        elif kind == b'jp2c':
            out += codestream_findings(file[at + header:at + lbox], excerpts, f'jp2c {codestreams}: ')
            codestreams += 1
        at += lbox
    if codestreams == 0:
        raise Unwalkable('JP2 without a jp2c box')
    return out


def frame_findings(frame, excerpts):
    if frame[:2] == b'\xff\xd8':
        return jpeg_findings(frame, excerpts)
    if frame[:2] == b'\xff\x4f':
        return codestream_findings(frame, excerpts)
    if frame[:12] == JP2_SIGNATURE:
        return jp2_findings(frame, excerpts)
    return []  # RLE, MPEG, HEVC...: no marker segments to look at here


# ---- Encapsulation -------------------------------------------------------------------------

def frames_of(path, offsets, fragments, nr_frames):
    """Frames as the Basic Offset Table says, else by fragment count or by stream starts;
    findings for a table or fragments that break PS3.5 A.4."""
    out = []
    starts = []  # each fragment's item tag, from the first fragment's
    pos = 0
    for k, frag in enumerate(fragments):
        starts.append(pos)
        pos += ITEM_HEADER + len(frag)
        if len(frag) % 2:
            out.append(f'{path}: fragment {k + 1}: odd length {len(frag)}')
    if offsets:
        bad = bot_findings(offsets, starts, nr_frames)
        out += [f'{path}: Basic Offset Table: {b}' for b in bad]
        if not bad:
            bounds = [starts.index(o) for o in offsets] + [len(fragments)]
            return out, [b''.join(fragments[a:b]) for a, b in zip(bounds, bounds[1:])]
    if nr_frames == 1:
        return out, [b''.join(fragments)]
    if len(fragments) == nr_frames:
        return out, list(fragments)
    frames = []
    for frag in fragments:
        new = frag[:2] in (b'\xff\xd8', b'\xff\x4f') or frag[:12] == JP2_SIGNATURE
        if new or not frames:
            frames.append(bytearray())
        frames[-1] += frag
    return out, [bytes(f) for f in frames]


def bot_findings(offsets, starts, nr_frames):
    bad = []
    if len(offsets) != nr_frames:
        bad.append(f'{len(offsets)} offsets for {nr_frames} frames')
    if offsets[0] != 0:
        bad.append(f'first offset is {offsets[0]}, not 0')
    for k, off in enumerate(offsets):
        if off not in starts:
            bad.append(f'offset {k + 1} ({off}) does not point at a fragment item tag')
        if k and off <= offsets[k - 1]:
            bad.append(f'offset {k + 1} ({off}) does not increase')
    return bad


# ---- Files ---------------------------------------------------------------------------------

def string_findings(path, value, strings):
    hay = value.lower()
    out = []
    for s in strings:
        for enc in ('utf-8', 'latin-1', 'utf-16-le', 'utf-16-be'):
            try:
                needle = s.lower().encode(enc)
            except UnicodeEncodeError:
                continue
            at = hay.find(needle)
            if at >= 0:
                out.append(f'{path}: pixel data: "{s}" ({enc}) at byte {at} of the value')
                break
    return out


def check_file(path, strings, excerpts):
    """Findings for one file; None when it is not DICOM."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            ds = pydicom.dcmread(path)
            elem = ds['PixelData'] if 'PixelData' in ds else None
            value = elem.value if elem is not None else None
    except InvalidDicomError:
        return None
    except Exception as e:  # a DICOM file pydicom cannot finish reading
        return [f'{path}: cannot be read: {type(e).__name__}: {e}']
    if not value:
        return []
    out = string_findings(path, value, strings) if strings else []
    if not elem.is_undefined_length:  # native pixels: no bit stream to walk
        return out
    try:
        offsets, fragments = fragments_and_offsets(value)
    except (ValueError, EOFError) as e:
        return out + [f'{path}: encapsulated Pixel Data cannot be read: {e}']
    nr_frames = int(getattr(ds, 'NumberOfFrames', 1) or 1)
    bad, frames = frames_of(path, offsets, fragments, nr_frames)
    out += bad
    for n, frame in enumerate(frames, 1):
        try:
            found = frame_findings(frame, excerpts)
        except Unwalkable as e:
            found = [f'stream cannot be walked: {e}']
        out += [f'{path}: frame {n}: {f}' for f in found]
    return out


def paths_under(args):
    for p in args:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    yield os.path.join(root, f)
        else:
            yield p


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('paths', nargs='+', metavar='FILE_OR_DIR')
    ap.add_argument('--strings', nargs='+', default=[], metavar='STR')
    ap.add_argument('--excerpts', action='store_true')
    args = ap.parse_args(argv)
    checked = 0
    findings = 0
    for path in paths_under(args.paths):
        found = check_file(path, args.strings, args.excerpts)
        if found is None:
            continue
        checked += 1
        findings += len(found)
        for line in found:
            print(line)
    print(f'{checked} DICOM files checked, {findings} findings', file=sys.stderr)
    return 1 if findings else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
