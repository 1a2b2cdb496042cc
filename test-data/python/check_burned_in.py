#!/usr/bin/python3
"""Check what burned_in.py planted, after `dcmblind run --option clean-pixel-data`.

  check_burned_in.py IN_DIR OUT_DIR

An independent reader decides: Debian's tesseract (not the tesseract.js the engine uses, and on
the whole frame, not on the lines the engine chose) reads each output frame as a viewer shows it.
Properties, per file of the manifest:
- scanned files: no planted word (3+ letters or digits) is read in any frame, while the same
  reader reads planted words in the input (else the check proves nothing); BurnedInAnnotation is
  NO and the method code sequence holds 113101 (Clean Pixel Data);
- scanned files: every cell of the planted ink (where drawing changed the image by an eighth of
  its range or more, from the generator) is changed in the output: the text is gone, not only
  unreadable to this reader (a half-blanked name may be read by a person and not by OCR);
- every file: no pixel changed outside the planted text's boxes (padded); a file without text
  and a file that is not scanned come out with identical pixels.
Prints a JSON report; exits 1 when a property fails.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pydicom
from PIL import Image, ImageOps
from pydicom.pixel_data_handlers.util import convert_color_space
from pydicom.uid import RLELossless

PAD = 12
LOSSY_JPEG = {"1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51"}


def frames(ds):
    a = ds.pixel_array
    n = int(getattr(ds, "NumberOfFrames", 1) or 1)
    return [a] if n == 1 else list(a)


def display(ds, f):
    """The frame as a viewer shows it, 8-bit (MONOCHROME1 inverted, 16-bit scaled)."""
    a = f.astype(float)
    if a.ndim == 3:
        return Image.fromarray(a.clip(0, 255).astype("uint8"), "RGB")
    a = (a - a.min()) / max(1.0, a.max() - a.min()) * 255
    if ds.PhotometricInterpretation == "MONOCHROME1":
        a = 255 - a
    return Image.fromarray(a.astype("uint8"))


def tesseract(path, psm):
    # One thread per tesseract: its OpenMP threads spin and cost more than they give on small images.
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    out = subprocess.run(["tesseract", path, "-", "--psm", psm], capture_output=True, text=True, check=True, env=env)
    return {re.sub(r"[^0-9A-Za-z]", "", w).upper() for w in out.stdout.split()}


def read_words(img):
    """
    Words tesseract reads in the image, enlarged twice (small overlay text needs it): the whole
    frame in grey and in grey inverted (light text reads better as dark on light), and — since
    over anatomy tesseract may take the whole frame for a picture and read nothing — bands of
    it one or two text lines high, read as lines. Each set is one multi-page TIFF, one tesseract
    process (its start-up, loading the model, costs more than reading a band).
    """
    grey = img.convert("L").resize((img.width * 2, img.height * 2), Image.BICUBIC)
    inv = ImageOps.invert(grey)
    bands = [inv.crop((0, top, inv.width, min(inv.height, top + 100))) for top in range(0, inv.height, 60)]
    # Bands of the frame at its own size too, tall enough for big fonts.
    small_inv = ImageOps.invert(img.convert("L"))
    bands += [small_inv.crop((0, top, img.width, min(img.height, top + 110))) for top in range(0, img.height, 55)]
    with tempfile.TemporaryDirectory() as d:
        whole, banded = os.path.join(d, "whole.tif"), os.path.join(d, "bands.tif")
        # Big fonts read better at their own size: the frame as it is, too.
        small = img.convert("L")
        grey.save(whole, save_all=True, append_images=[inv, small, ImageOps.invert(small)])
        bands[0].save(banded, save_all=True, append_images=bands[1:])
        with ThreadPoolExecutor(max_workers=2) as pool:
            found = list(pool.map(lambda job: tesseract(*job), [(whole, "11"), (banded, "6")]))
    return set().union(*found) - {""}


def planted_words(tokens):
    words = set()
    for t in tokens:
        for w in re.split(r"[\s]+", t):
            w = re.sub(r"[^0-9A-Za-z]", "", w).upper()
            if len(w) >= 3 and not w.isdigit() or len(w) >= 6:
                words.add(w)
    return words


def near(word, read):
    """Read as the word, or with one character more, less or different (OCR's slips)."""
    for r in read:
        if r == word or (abs(len(r) - len(word)) <= 1 and len(word) >= 5 and distance(r, word) <= 1):
            return True
        if len(word) >= 5 and word in r:
            return True
    return False


def distance(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def outside_boxes_changed(fin, fout, boxes, tolerance):
    d = np.abs(fin.astype(int) - fout.astype(int)) > tolerance
    diff = np.any(d, axis=-1) if fin.ndim == 3 else d
    allowed = np.zeros(diff.shape, bool)
    for x0, y0, x1, y1 in boxes:
        allowed[max(0, y0 - PAD):y1 + PAD, max(0, x0 - PAD):x1 + PAD] = True
    return int(np.count_nonzero(diff & ~allowed)), int(np.count_nonzero(diff))


def ink_kept(fin, fout, ink, tolerance):
    """Cells of the planted text the output left as they were (within the decoders' tolerance)."""
    d = np.abs(fin.astype(int) - fout.astype(int)) > tolerance
    changed = np.any(d, axis=-1) if fin.ndim == 3 else d
    return int(np.count_nonzero(ink & ~changed))


def check(indir, outdir):
    cases = json.load(open(os.path.join(indir, "manifest.json")))
    report, ok = [], True
    for c in cases:
        # A copy in a syntax this pydicom cannot decode (JPEG lossless, made by dcmcjpeg) names
        # the file whose pixels it holds.
        src = pydicom.dcmread(os.path.join(indir, c.get("pixelsFrom", c["file"])))
        out = pydicom.dcmread(os.path.join(outdir, c["file"]))
        fin, fout = frames(src), frames(out)
        r = {"file": c["file"], "problems": []}
        words = planted_words(c["tokens"])
        # A lossy source is decoded here by another decoder than the engine's (chroma upsampled
        # otherwise): a few levels of difference are the decoders', not blanking.
        lossy = src.file_meta.TransferSyntaxUID.is_compressed and src.file_meta.TransferSyntaxUID != RLELossless
        if src.PhotometricInterpretation.startswith("YBR") and out.PhotometricInterpretation == "RGB":
            # pydicom hands YCbCr over as it is; the engine wrote RGB.
            fin = [convert_color_space(f, "YBR_FULL", "RGB") for f in fin]
        tolerance = 24 if lossy and out.file_meta.TransferSyntaxUID != src.file_meta.TransferSyntaxUID else 0
        if not c["tokens"] and "pixelsFrom" not in c and out.PixelData != src.PixelData:
            r["problems"].append("a file without text did not keep its Pixel Data byte for byte")
        for i, (a, b) in enumerate(zip(fin, fout)):
            stray, changed = outside_boxes_changed(a, b, c["boxes"][i], tolerance)
            r.setdefault("changed", []).append(changed)
            # A lossy source decoded by two decoders differs at a few sharp edges (chroma upsampled
            # by nearest neighbour in one, smoothly in the other): up to 0.1% of the frame.
            if stray > (a.shape[0] * a.shape[1] // 1000 if tolerance else 0):
                r["problems"].append(f"frame {i}: {stray} pixels changed outside the text")
            if (not c["tokens"] or not c["scanned"]) and changed:
                r["problems"].append(f"frame {i}: {changed} pixels changed in a file that should be untouched")
        if c["scanned"] and c.get("ink"):
            inks = np.load(c["ink"])
            for i in c.get("checkFrames", range(len(fin))):
                kept = ink_kept(fin[i], fout[i], inks[f"arr_{i}"], tolerance)
                if kept:
                    r["problems"].append(f"frame {i}: {kept} cells of the planted text left as they were")
        if c["scanned"] and words:
            # A long cine: the oracle reads the frames the case names (OCR is slow).
            look = c.get("checkFrames", range(len(fin)))
            seen_in = set().union(*(read_words(display(src, fin[i])) for i in look))
            seen_out = set().union(*(read_words(display(out, fout[i])) for i in look))
            r["readable_before"] = sorted(w for w in words if near(w, seen_in))
            r["readable_after"] = sorted(w for w in words if near(w, seen_out))
            if not r["readable_before"]:
                r["problems"].append("the oracle reads no planted word in the input: the check proves nothing")
            known = set(c.get("knownLeaks", []))
            r["known_leaks"] = sorted(w for w in r["readable_after"] if w in known)
            leaks = [w for w in r["readable_after"] if w not in known]
            if leaks:
                r["problems"].append(f"still readable: {leaks}")
            if known - set(r["readable_after"]):
                r["problems"].append(f"a known leak is no longer readable (fixed? remove it): {sorted(known - set(r['readable_after']))}")
        # Frames coded with loss stay declared so once written native (PS3.3 C.7.6.1.1.5): the
        # source said so, its syntax is lossy JPEG, or the test knows its codestream was lossy.
        orig = pydicom.dcmread(os.path.join(indir, c["file"]), stop_before_pixels=True)
        lossy_coded = (
            orig.file_meta.TransferSyntaxUID in LOSSY_JPEG
            or orig.get("LossyImageCompression") == "01"
            or c.get("lossyCoded", False)
        )
        if lossy_coded and out.get("LossyImageCompression") != "01":
            r["problems"].append("lossy-coded frames, and the output does not say LossyImageCompression 01")
        codes = [i.CodeValue for i in getattr(out, "DeidentificationMethodCodeSequence", [])]
        if not c["scanned"] and "113101" in codes:
            r["problems"].append("declares Clean Pixel Data (113101) but its pixels were not scanned")
        if c["scanned"]:
            if getattr(out, "BurnedInAnnotation", None) != "NO":
                r["problems"].append("BurnedInAnnotation is not NO")
            if "113101" not in codes:
                r["problems"].append("no 113101 (Clean Pixel Data) in the method code sequence")
        ok = ok and not r["problems"]
        report.append(r)
    print(json.dumps(report, indent=1))
    return ok


if __name__ == "__main__":
    sys.exit(0 if check(sys.argv[1], sys.argv[2]) else 1)
