#!/usr/bin/python3
"""Copy a native 8-bit grey DICOM file into HTJ2K lossless (1.2.840.10008.1.2.4.201), its frame
coded by OpenJPH's own encoder (`ojph_compress`, Debian's openjph-tools): an encoder independent
of the decoder dcmblind uses. Usage: to_htj2k.py IN OUT"""
import os
import subprocess
import sys
import tempfile

import pydicom
import pydicom._uid_dict
from pydicom.encaps import encapsulate
from pydicom.uid import generate_uid

HTJ2K_LOSSLESS = "1.2.840.10008.1.2.4.201"
# Debian's pydicom predates HTJ2K: told of the syntax, it writes the encapsulated frame as such.
pydicom._uid_dict.UID_dictionary.setdefault(
    HTJ2K_LOSSLESS,
    ("High-Throughput JPEG 2000 Image Compression (Lossless Only)", "Transfer Syntax", "", "", "HTJ2KLossless"),
)


def main(src, dst):
    ds = pydicom.dcmread(src)
    if ds.SamplesPerPixel != 1 or ds.BitsAllocated != 8 or int(ds.get("NumberOfFrames", 1) or 1) != 1:
        sys.exit("to_htj2k.py: one 8-bit grey frame only")
    with tempfile.TemporaryDirectory() as work:
        pgm, j2c = os.path.join(work, "f.pgm"), os.path.join(work, "f.j2c")
        with open(pgm, "wb") as f:
            f.write(b"P5\n%d %d\n255\n" % (ds.Columns, ds.Rows))
            f.write(ds.pixel_array.astype("uint8").tobytes())
        subprocess.run(["ojph_compress", "-i", pgm, "-o", j2c, "-reversible", "true"], check=True,
                       stdout=subprocess.DEVNULL)
        with open(j2c, "rb") as f:
            frame = f.read()
    ds.PixelData = encapsulate([frame])
    ds["PixelData"].VR = "OB"
    ds.file_meta.TransferSyntaxUID = HTJ2K_LOSSLESS
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(dst, write_like_original=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
