#!/usr/bin/python3
"""Build DICOM files with a patient's name, ID and dates burned into their pixels.

  burned_in.py OUT_DIR

Why: the Clean Pixel Data Option is judged by what a reader can still read in the pixels, so the
test images must look like the real thing: real headers (pydicom's ultrasound, secondary capture
and CT test files), real pixel data as the background (pydicom's 512x512 image and CT slice,
resized), and text drawn the way devices draw it — several fonts, sizes, colours and places,
monochrome and RGB (by pixel and by plane), 8- and 16-bit, MONOCHROME1, single and multi-frame.
Two controls: an image without text (its pixels must come out identical) and a CT with text but
no BurnedInAnnotation flag (CT is scanned only when flagged). A manifest lists, per file, the
tokens drawn and the boxes they occupy, so a test can check both that no token is readable
afterwards and that nothing outside those boxes changed.
"""
import io
import json
import os
import sys

import numpy as np
import pydicom
from PIL import Image, ImageDraw, ImageFont
from pydicom.encaps import encapsulate
from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit, RLELossless

TEST_FILES = "/usr/lib/python3/dist-packages/pydicom/data/test_files"
FONTS = "/usr/share/fonts/truetype/dejavu"

NAME = "SMITH JOHN"
MRN = "MRN 55501234"
DOB = "DOB 18/02/1971"
EXAM = "12-MAR-2023 10:42"


def font(name, size):
    return ImageFont.truetype(os.path.join(FONTS, name), size)


def background(kind, rows, cols):
    """Real pixel data, resized: pydicom's 512x512 8-bit image or its CT slice."""
    if kind == "image":
        a = pydicom.dcmread(os.path.join(TEST_FILES, "image_dfl.dcm")).pixel_array.astype(float)
    else:
        a = pydicom.dcmread(os.path.join(TEST_FILES, "CT_small.dcm")).pixel_array.astype(float)
    a = (a - a.min()) / max(1.0, a.max() - a.min()) * 255
    img = Image.fromarray(a.astype("uint8")).resize((cols, rows), Image.BILINEAR)
    return np.asarray(img).astype("uint8")


def fan(a):
    """An ultrasound sector: the image inside, black around it (where devices print text)."""
    rows, cols = a.shape[:2]
    yy, xx = np.mgrid[0:rows, 0:cols]
    ang = np.arctan2(xx - cols / 2, yy + 40)
    r = np.hypot(xx - cols / 2, yy + 40)
    inside = (np.abs(ang) < 0.6) & (r > 90) & (r < rows + 10)
    return np.where(inside[..., None] if a.ndim == 3 else inside, a, 0).astype(a.dtype)


# The ink of each frame drawn since the last case was added: where drawing changed the image by
# an eighth of its range or more (anti-aliased edges fainter than that may stay). The checker
# requires every such cell to be changed in the output: the text gone, not only unreadable.
INK = []


def draw(img, texts):
    """Draw (text, xy, font, fill[, spacing]) items; return their boxes [x0, y0, x1, y1].

    A spacing (pixels added after each letter, negative to run letters together) draws the
    text letter by letter."""
    before = np.asarray(img).astype(float)
    d = ImageDraw.Draw(img)
    boxes = []
    for text, xy, f, fill, *rest in texts:
        if not rest:
            d.text(xy, text, font=f, fill=fill)
            boxes.append([int(v) for v in d.textbbox(xy, text, font=f)])
            continue
        x, y = xy
        box = None
        for ch in text:
            d.text((x, y), ch, font=f, fill=fill)
            b = d.textbbox((x, y), ch, font=f)
            box = list(b) if box is None else [min(box[0], b[0]), min(box[1], b[1]), max(box[2], b[2]), max(box[3], b[3])]
            x += f.getlength(ch) + rest[0]
        boxes.append([int(v) for v in box])
    after = np.asarray(img).astype(float)
    diff = np.abs(after - before)
    if diff.ndim == 3:
        diff = diff.max(axis=-1)
    INK.append(diff >= max(255.0, after.max()) / 8)
    return boxes


def base(header, rows, cols):
    ds = pydicom.dcmread(os.path.join(TEST_FILES, header))
    for el in list(ds):
        if el.tag.group == 0x0028 or el.tag in (0x7FE00010,) or el.tag.element == 0:
            del ds[el.tag]
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.Rows, ds.Columns = rows, cols
    ds.PatientName = "SMITH^JOHN"
    ds.PatientID = "55501234"
    ds.PatientBirthDate = "19710218"
    ds.SOPInstanceUID = pydicom.uid.generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    return ds


def set_pixels(ds, frames, photometric, bits=8, planar=None, signed=False):
    arr = np.stack(frames)
    ds.SamplesPerPixel = 3 if photometric in ("RGB", "YBR_FULL") else 1
    ds.PhotometricInterpretation = photometric
    ds.BitsAllocated = bits
    ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = 1 if signed else 0
    if ds.SamplesPerPixel == 3:
        ds.PlanarConfiguration = planar or 0
        if planar:
            arr = arr.transpose(0, 3, 1, 2)
    if len(frames) > 1:
        ds.NumberOfFrames = len(frames)
        # Multi-frame US needs its frame increment pointer.
        ds.FrameIncrementPointer = 0x00181063
        ds.FrameTime = 33.0
    ds.PixelData = arr.astype("<u2" if bits == 16 else "uint8").tobytes()
    ds["PixelData"].VR = "OW" if bits == 16 else "OB"


def make(out):
    cases = []
    sans, mono, serif = "DejaVuSans.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSerif.ttf"

    ink_dir = os.path.abspath(out) + "-ink"
    os.makedirs(ink_dir, exist_ok=True)

    def add(name, ds, texts_by_frame, scanned, note):
        ds.save_as(os.path.join(out, name + ".dcm"), write_like_original=False)
        tokens = sorted({t for frame in texts_by_frame for t in frame["tokens"]})
        cases.append({
            "file": name + ".dcm",
            "tokens": tokens,
            "boxes": [frame["boxes"] for frame in texts_by_frame],
            "scanned": scanned,
            "note": note,
        })
        # Kept beside the input folder (not in it: the run would meet them as files).
        if INK and tokens:
            assert len(INK) == len(texts_by_frame), name
            cases[-1]["ink"] = os.path.join(ink_dir, name + ".npz")
            np.savez_compressed(cases[-1]["ink"], *INK)
        INK.clear()

    # 1. Ultrasound, monochrome 8-bit: white sans top-left, grey monospace bottom-right.
    ds = base("ExplVR_BigEnd.dcm", 480, 640)
    img = Image.fromarray(fan(background("image", 480, 640)))
    texts = [(NAME, (12, 10), font(sans, 16), 255), (MRN, (12, 32), font(sans, 16), 255),
             (EXAM, (440, 452), font(mono, 14), 210)]
    boxes = draw(img, texts)
    set_pixels(ds, [np.asarray(img)], "MONOCHROME2")
    add("us-mono", ds, [{"tokens": [t[0] for t in texts], "boxes": boxes}], True, "US MONOCHROME2 8-bit")

    # 2. Ultrasound RGB by pixel: yellow and green text over a grey image.
    ds = base("ExplVR_BigEnd.dcm", 480, 640)
    grey = fan(background("ct", 480, 640))
    img = Image.fromarray(np.stack([grey] * 3, axis=-1))
    texts = [(NAME, (400, 12), font(sans, 18), (255, 255, 0)), (DOB, (14, 440), font(serif, 15), (0, 255, 0))]
    boxes = draw(img, texts)
    set_pixels(ds, [np.asarray(img)], "RGB", planar=0)
    add("us-rgb", ds, [{"tokens": [t[0] for t in texts], "boxes": boxes}], True, "US RGB by pixel")

    # 3. Secondary capture RGB by plane, serif text, larger.
    ds = base("SC_rgb_jpeg_dcmd.dcm", 512, 512)
    grey = background("image", 512, 512)
    img = Image.fromarray(np.stack([grey, grey // 2, grey], axis=-1))
    texts = [(MRN, (20, 470), font(serif, 22), (255, 255, 255)), (NAME, (260, 16), font(sans, 20), (255, 200, 0))]
    boxes = draw(img, texts)
    set_pixels(ds, [np.asarray(img)], "RGB", planar=1)
    add("sc-planar", ds, [{"tokens": [t[0] for t in texts], "boxes": boxes}], True, "SC RGB by plane")

    # 4. Ultrasound cine: the same overlay on every frame, the clock changing.
    ds = base("ExplVR_BigEnd.dcm", 480, 640)
    frames, per_frame = [], []
    for i in range(3):
        g = np.roll(fan(background("image", 480, 640)), i * 7, axis=0)
        img = Image.fromarray(g)
        texts = [(NAME, (12, 10), font(sans, 16), 240), (f"10:42:0{i}", (540, 12), font(mono, 14), 240)]
        per_frame.append({"tokens": [NAME], "boxes": draw(img, texts)})
        frames.append(np.asarray(img))
    set_pixels(ds, frames, "MONOCHROME2")
    add("us-cine", ds, per_frame, True, "US 3 frames")

    # 4b. A long RGB cine over 32 MiB (15 frames of 1024 x 768): its pixels stay in the file while
    # the engine reads it, frame by frame. The oracle reads three of its frames (OCR is slow);
    # every frame's pixels are compared.
    ds = base("ExplVR_BigEnd.dcm", 768, 1024)
    grey = fan(background("image", 768, 1024))
    still = np.stack([grey, grey, grey // 2 + 40], axis=-1)
    frames, per_frame = [], []
    for i in range(15):
        img = Image.fromarray(np.roll(still, i * 9, axis=1))
        texts = [(NAME, (16, 14), font(sans, 20), (235, 235, 235)), (MRN, (700, 730), font(mono, 16), (255, 220, 0))]
        per_frame.append({"tokens": [NAME, MRN], "boxes": draw(img, texts)})
        frames.append(np.asarray(img))
    set_pixels(ds, frames, "RGB", planar=0)
    add("us-long", ds, per_frame, True, "US RGB 15 frames, 35.4 MB")
    cases[-1]["checkFrames"] = [0, 7, 14]

    # 5. CR, 16-bit MONOCHROME1: text drawn at 0, which displays white.
    ds = base("dicomdirtests/77654033/CR1/6154", 512, 512)
    g16 = (background("ct", 512, 512).astype("uint16") * 16)
    img = Image.fromarray(g16.astype("int32"), mode="I")
    texts = [(NAME, (16, 16), font(sans, 20), 0), (MRN, (16, 470), font(sans, 20), 0)]
    boxes = draw(img, texts)
    set_pixels(ds, [np.asarray(img).astype("uint16")], "MONOCHROME1", bits=16)
    ds.BitsStored, ds.HighBit = 12, 11
    add("cr-mono1", ds, [{"tokens": [t[0] for t in texts], "boxes": boxes}], True, "CR MONOCHROME1 12 of 16 bits")

    # 6. Control: ultrasound without text (pixels must come out identical).
    ds = base("ExplVR_BigEnd.dcm", 480, 640)
    set_pixels(ds, [fan(background("image", 480, 640))], "MONOCHROME2")
    add("us-clean", ds, [{"tokens": [], "boxes": []}], True, "US without text")

    # 7. Control: CT with text but no flag (not scanned: CT only when BurnedInAnnotation is YES).
    # 8. The same CT flagged YES: scanned and cleaned.
    for name, flagged in (("ct-unflagged", False), ("ct-flagged", True)):
        ds = base("CT_small.dcm", 512, 512)
        g = background("ct", 512, 512).astype("uint16") * 16
        img = Image.fromarray(g.astype("int32"), mode="I")
        texts = [(NAME, (8, 8), font(sans, 24), 4095), (MRN, (300, 480), font(sans, 18), 4095)]
        boxes = draw(img, texts)
        set_pixels(ds, [np.asarray(img).astype("uint16")], "MONOCHROME2", bits=16)
        ds.BitsStored, ds.HighBit = 12, 11
        if flagged:
            ds.BurnedInAnnotation = "YES"
            # CT_small's header says GE MEDICAL SYSTEMS: flagged and 512 rows, it matches the
            # built-in rule for GE's 512x512 screen captures (from CTP's library), whose top band
            # is blanked whatever is in it.
            boxes.append([0, 0, 512, 25])
        add(name, ds, [{"tokens": [t[0] for t in texts], "boxes": boxes}], flagged,
            "CT " + ("flagged YES" if flagged else "without the flag"))

    # 9. Ultrasound RGB in JPEG baseline (YCbCr 4:2:2): written back native after blanking.
    # 10. The same without text: its compressed frames must stay exactly as they were.
    for name, with_text in (("us-jpeg", True), ("us-jpeg-clean", False)):
        ds = base("ExplVR_BigEnd.dcm", 480, 640)
        grey = fan(background("image", 480, 640))
        img = Image.fromarray(np.stack([grey, grey, grey // 2], axis=-1))
        texts = [(NAME, (12, 10), font(sans, 18), (255, 255, 255)), (EXAM, (420, 450), font(mono, 15), (255, 255, 0))]
        boxes = draw(img, texts) if with_text else []
        set_pixels(ds, [np.asarray(img)], "RGB", planar=0)
        jpeg = io.BytesIO()
        img.save(jpeg, "JPEG", quality=95, subsampling=1)
        del ds.PixelData
        ds.add_new(0x7FE00010, "OB", encapsulate([jpeg.getvalue()]))
        ds["PixelData"].is_undefined_length = True
        ds.PhotometricInterpretation = "YBR_FULL_422"
        ds.LossyImageCompression = "01"
        ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
        add(name, ds, [{"tokens": [t[0] for t in texts] if with_text else [], "boxes": boxes}], True,
            "US JPEG baseline" + ("" if with_text else " without text"))

    # 11. Secondary capture RGB in RLE Lossless, two frames: RLE again after blanking.
    ds = base("SC_rgb_jpeg_dcmd.dcm", 256, 384)
    frames, per_frame = [], []
    for i in range(2):
        grey = np.roll(background("ct", 256, 384), i * 11, axis=1)
        img = Image.fromarray(np.stack([grey, grey, grey], axis=-1))
        texts = [(MRN, (10, 10), font(sans, 17), (255, 255, 255)), (DOB, (170, 228), font(serif, 15), (0, 255, 255))]
        per_frame.append({"tokens": [t[0] for t in texts], "boxes": draw(img, texts)})
        frames.append(np.asarray(img))
    set_pixels(ds, frames, "RGB", planar=0)
    del ds.FrameIncrementPointer, ds.FrameTime
    ds.compress(RLELossless, encoding_plugin="pydicom")
    # The cyan 15 px serif date over CT tissue is as bright as the tissue: it was a known leak
    # until the scan also looked at colour frames' chroma. (A case may list `knownLeaks`: the
    # checker reports them apart and fails once they are no longer readable.)
    add("sc-rle", ds, per_frame, True, "SC RGB RLE, 2 frames")

    # 12. Odd-sized monochrome JPEG (479 x 641: an odd number of cells), written back native:
    # its Pixel Data needs a pad byte.
    ds = base("ExplVR_BigEnd.dcm", 479, 641)
    img = Image.fromarray(fan(background("image", 479, 641)))
    texts = [(NAME, (14, 12), font(sans, 18), 255)]
    boxes = draw(img, texts)
    set_pixels(ds, [np.asarray(img)], "MONOCHROME2")
    jpeg = io.BytesIO()
    img.save(jpeg, "JPEG", quality=95)
    del ds.PixelData
    ds.add_new(0x7FE00010, "OB", encapsulate([jpeg.getvalue()]))
    ds["PixelData"].is_undefined_length = True
    ds.LossyImageCompression = "01"
    ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    add("us-jpeg-odd", ds, [{"tokens": [t[0] for t in texts], "boxes": boxes}], True, "US JPEG 479x641 mono")

    # 13. CR 16-bit whose data run 0-3000 with the text at 3000, and one stray cell at 65535 (a
    # hot pixel): scaled by its full range the text would be 12 grey levels of 255.
    ds = base("dicomdirtests/77654033/CR1/6154", 400, 400)
    g16 = background("ct", 400, 400).astype("uint32") * 3000 // 255
    img = Image.fromarray(g16.astype("int32"), mode="I")
    texts = [(NAME, (16, 14), font(sans, 20), 3000)]
    boxes = draw(img, texts)
    a = np.asarray(img).astype("uint16")
    a[399, 399] = 65535
    set_pixels(ds, [a], "MONOCHROME2", bits=16)
    add("cr-hotpixel", ds, [{"tokens": [t[0] for t in texts], "boxes": boxes}], True, "CR 16-bit, one hot pixel")

    # 14. A screen capture with a big bold title (72 px: strokes wider than the scan's window).
    ds = base("SC_rgb_jpeg_dcmd.dcm", 480, 640)
    grey = background("image", 480, 640) // 2
    img = Image.fromarray(np.stack([grey] * 3, axis=-1))
    texts = [("WALKER", (20, 20), font("DejaVuSans-Bold.ttf", 72), (255, 255, 255))]
    boxes = draw(img, texts)
    set_pixels(ds, [np.asarray(img)], "RGB", planar=0)
    add("sc-bigbold", ds, [{"tokens": [t[0] for t in texts], "boxes": boxes}], True, "SC, 72 px bold")

    # 15. Angiography, MONOCHROME1 8-bit: a bold name drawn at 0 (white) running from a dark
    # margin onto bright and near-white ground, where it stands out by fewer levels than the scan's first look
    # needs (a helper's test drive found only the dark half blanked, the rest legible).
    ds = base("ExplVR_BigEnd.dcm", 512, 512)
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.12.1"
    ds.Modality = "XA"
    g = 255 - background("image", 512, 512)
    g[:60, :150] = 255 - 246
    g[:60, 150:200] = 255 - 213
    g[:60, 200:] = 255 - 41
    img = Image.fromarray(g)
    texts = [(NAME, (120, 18), font("DejaVuSans-Bold.ttf", 20), 0), (MRN, (40, 470), font(sans, 16), 0)]
    boxes = draw(img, texts)
    set_pixels(ds, [np.asarray(img)], "MONOCHROME1")
    add("xa-mono1", ds, [{"tokens": [t[0] for t in texts], "boxes": boxes}], True,
        "XA MONOCHROME1, a name half over bright ground")

    # 16. Ultrasound with two-letter names and initials (a leak hunt found them left whole): an
    # "I" fills its box as no other glyph does, and a two-piece line read with little confidence.
    ds = base("ExplVR_BigEnd.dcm", 480, 640)
    img = Image.fromarray(fan(background("image", 480, 640)))
    bold = "DejaVuSans-Bold.ttf"
    texts = [("LI", (14, 12), font(bold, 20), 255), ("OX", (560, 14), font(bold, 28), 255),
             ("JO", (14, 440), font(bold, 18), 255)]
    boxes = draw(img, texts)
    set_pixels(ds, [np.asarray(img)], "MONOCHROME2")
    add("us-short", ds, [{"tokens": [t[0] for t in texts], "boxes": boxes}], True, "US, two-letter words")

    # 17. Ultrasound with bold words set so tight that their letters run into one piece of ink
    # (a leak hunt found them left whole: one piece is no line of glyphs).
    ds = base("ExplVR_BigEnd.dcm", 480, 640)
    img = Image.fromarray(fan(background("image", 480, 640)))
    texts = [("LEE", (14, 12), font(bold, 20), 255, -5), ("KOCH", (560, 14), font(bold, 20), 255, -5),
             ("1985", (14, 440), font(bold, 20), 255, -5)]
    boxes = draw(img, texts)
    set_pixels(ds, [np.asarray(img)], "MONOCHROME2")
    add("us-merged", ds, [{"tokens": [t[0] for t in texts], "boxes": boxes}], True,
        "US, bold words with their letters run together")
    # dcmblind-verify reads whole frames: there, as for Debian's tesseract, these words read as
    # nothing (the engine reads each candidate on its own).
    cases[-1]["verifierMisses"] = "letters run together read as nothing in a whole frame"

    # 18. Ultrasound with a name that runs from the black margin onto a bright band with a few
    # levels of noise (a leak hunt found "1975" left whole: at a fixed faint threshold the noise
    # joined the glyphs into pieces too big to be letters).
    ds = base("ExplVR_BigEnd.dcm", 480, 640)
    a = fan(background("image", 480, 640)).astype(float)
    xx = np.mgrid[0:480, 0:640][1]
    band = np.clip((xx - 120) * 2.0, 0, 220) + np.random.RandomState(18).normal(0, 3, xx.shape)
    a[40:90] = np.clip(band[40:90], 0, 255)
    img = Image.fromarray(a.astype("uint8"))
    texts = [("VAN DER BERG PETRA 1975", (30, 52), font(sans, 20), 255)]
    boxes = draw(img, texts)
    set_pixels(ds, [np.asarray(img)], "MONOCHROME2")
    add("us-noisy-ground", ds, [{"tokens": ["VAN", "DER", "BERG", "PETRA", "1975"], "boxes": boxes}], True,
        "US, a name running from the margin onto bright noisy ground")

    # 19. Ultrasound with faint grey text: 40 levels over the black margin, 35 over a flat grey
    # bar (a leak hunt found such text left whole: below the contrast asked over anatomy).
    ds = base("ExplVR_BigEnd.dcm", 480, 640)
    a = fan(background("image", 480, 640))
    a[440:470, 300:560] = 60
    img = Image.fromarray(a)
    texts = [("HAMADA RIKO", (14, 12), font(sans, 16), 40), ("DOB 07/04/1948", (310, 444), font(sans, 16), 95)]
    boxes = draw(img, texts)
    set_pixels(ds, [np.asarray(img)], "MONOCHROME2")
    add("us-faint", ds, [{"tokens": ["HAMADA", "RIKO", "DOB", "07/04/1948"], "boxes": boxes}], True,
        "US, faint grey text on the margin and on a grey bar")

    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(cases, f, indent=1)


if __name__ == "__main__":
    os.makedirs(sys.argv[1], exist_ok=True)
    make(sys.argv[1])
