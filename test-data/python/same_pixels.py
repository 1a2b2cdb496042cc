#!/usr/bin/python3
"""Do de-identified compressed images decode to the same pixels as their sources?

  same_pixels.py PAIRS_JSON

PAIRS_JSON holds [[source, output], ...]. Each pair is decoded by every installed decoder for
its transfer syntax (dcmdjpeg: JPEG; dcmdjpls: JPEG-LS; gdcmconv --raw: all of them; pydicom's
pixel_array, with Pillow: baseline JPEG and JPEG 2000) and the decoded pixels compared. A decoder that cannot decode the source is not asked about the
output (DCMTK 3.6.7 refuses some legal JPEG-LS streams); one that decodes the source must
decode the output to the same bytes. A pair whose source no installed decoder reads is listed as
not compared. Prints one line per pair; exit 1 when any pair differs or an output does not
decode where its source does.
"""
import json
import os
import sys
import tempfile
import warnings

import numpy as np
import pydicom

sys.dont_write_bytecode = True
from plant_bitstream import decoded_pixels, decoders_for  # noqa: E402


def compare(src, out, work):
    ts = str(pydicom.dcmread(src, stop_before_pixels=True).file_meta.TransferSyntaxUID)
    compared, problems = [], []
    tools = decoders_for(ts)
    for tool in tools:
        want, _ = decoded_pixels(tool, src, work)
        if want is None:
            continue
        got, complaint = decoded_pixels(tool, out, work)
        if got is None:
            problems.append(f'{tool} cannot decode the output ({complaint})')
        elif got != want:
            problems.append(f'{tool}: different pixels')
        else:
            compared.append(tool)
    pydicom_verdict(src, out, compared, problems)
    return compared, problems


def pydicom_verdict(src, out, compared, problems):
    """pydicom's own decoding (its Pillow handler) where it decodes the source."""
    try:
        want = pydicom.dcmread(src).pixel_array
    except Exception:  # noqa: BLE001 -- no handler for this syntax: nothing to compare
        return
    try:
        got = pydicom.dcmread(out).pixel_array
    except Exception as e:  # noqa: BLE001 -- the finding
        problems.append(f'pydicom cannot decode the output ({type(e).__name__}: {e})')
        return
    if got.shape != want.shape or not np.array_equal(got, want):
        problems.append('pydicom: different pixels')
    else:
        compared.append('pydicom')


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        pairs = json.load(f)
    bad = 0
    with tempfile.TemporaryDirectory(prefix='same-pixels-') as work, warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for i, (src, out) in enumerate(pairs):
            sub = os.path.join(work, str(i))
            os.mkdir(sub)
            compared, problems = compare(src, out, sub)
            bad += bool(problems)
            if problems:
                status = '; '.join(problems)
            elif compared:
                status = 'same pixels (' + ', '.join(compared) + ')'
            else:
                status = 'not compared: no installed decoder reads the source'
            print(f'{os.path.basename(src)}: {status}')
    print(f'{len(pairs)} pair(s), {bad} with a problem')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
