#!/usr/bin/python3
# Copied on 2026-12-01 from the project's shared bench folder (bench/make_cohort.py, beside the
# repository for the team's benchmarks), so the conformance tests can build the same cohorts on
# any clone. Unchanged; refresh it from there.
"""Build a reproducible DICOM benchmark cohort from the REAL test files shipped
in Debian's python3-pydicom package (pydicom/data/test_files).

Shapes
  many-small : CT/MR slice series in PATIENT/STUDY/SERIES/IMxxxxx.dcm folders.
               Headers come from CT_small.dcm (GE HiSpeed CT, with GE private
               groups and an OtherPatientIDsSequence) and MR_small.dcm.
               Mix per study: one 512x512 16-bit CT series (~530 KB/file),
               one 256x256 16-bit MR series (~135 KB/file) and a 3-slice
               128x128 scout that keeps CT_small's real pixel data (~40 KB).
  few-large  : multi-frame files of ~50-200 MB, alternating
               - Enhanced CT (header built on CT_small.dcm, 512x512x16-bit
                 frames, per-frame functional groups with nested UIDs) and
               - US multi-frame cine (header built on
                 SC_ybr_full_422_uncompressed.dcm, 640x480 RGB 8-bit frames).

Sizes
  small  : many-small = 200 files,  few-large = 2 files   (quick run)
  medium : many-small = 5000 files, few-large = 20 files  (reference run)

Every file gets distinct SOPInstanceUIDs, every series/study distinct UIDs,
every patient a distinct (synthetic) identity with the usual PHI fields filled
in.  Everything is derived from --seed, so the cohort is reproducible
(byte-identical for the same seed/size/pydicom version).

Usage: make_cohort.py --shape many-small|few-large --size small|medium
                      [--out data/cohorts] [--seed 1] [--jobs 2]
Output: <out>/<shape>-<size>/...   and   <out>/<shape>-<size>.json (manifest)
"""
import argparse
import copy
import json
import os
import random
import shutil
import sys
import time
from multiprocessing import Pool

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

TEST_FILES = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")
UID_PREFIX = "1.2.826.0.1.3680043.8.498."  # pydicom's root, as generate_uid() uses

SIZES = {
    "many-small": {"small": 200, "medium": 5000},
    "few-large": {"small": 2, "medium": 20},
}

FIRST = ["JOHN", "MARY", "PETER", "ANNA", "LUCAS", "EMMA", "HUGO", "LEA", "PAUL",
         "CHLOE", "JULES", "INES", "LOUIS", "ZOE", "ARTHUR", "ALICE", "RAPHAEL",
         "MANON", "GABRIEL", "CAMILLE", "NOAH", "SARAH", "ADAM", "JADE"]
LAST = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT",
        "DURAND", "LEROY", "MOREAU", "SIMON", "LAURENT", "LEFEBVRE", "MICHEL",
        "GARCIA", "DAVID", "BERTRAND", "ROUX", "VINCENT", "FOURNIER", "SMITH",
        "JOHNSON", "MUELLER", "SCHMIDT"]
STREETS = ["RUE DE LA PAIX", "AVENUE FOCH", "BOULEVARD HAUSSMANN", "MAIN STREET",
           "HIGH STREET", "ELM ROAD"]
CITIES = ["PARIS", "LYON", "MARSEILLE", "LILLE", "TOULOUSE", "NANTES"]
HOSPITALS = ["HOPITAL SAINT-LOUIS", "CHU DE LYON", "CLINIQUE DU PARC",
             "GENERAL HOSPITAL", "CENTRE HOSPITALIER SUD"]


def uid(*parts):
    """Deterministic UID from the parts (pydicom hashes entropy_srcs)."""
    return generate_uid(prefix=UID_PREFIX, entropy_srcs=[str(p) for p in parts])


# ---------------------------------------------------------------- pixel banks
_BANK = {}


def _phantom(rows, cols, rng, kind):
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float32)
    cy, cx = rows / 2 + rng.normal(0, rows / 40), cols / 2 + rng.normal(0, cols / 40)
    body = ((x - cx) / (cols * 0.42)) ** 2 + ((y - cy) / (rows * 0.33)) ** 2 < 1
    img = np.full((rows, cols), -1000.0 if kind == "ct" else 0.0, np.float32)
    if kind == "ct":
        img[body] = 40
        for sx in (-1, 1):  # lungs
            lung = ((x - cx - sx * cols * 0.18) / (cols * 0.13)) ** 2 + ((y - cy) / (rows * 0.2)) ** 2 < 1
            img[lung] = -820
        spine = ((x - cx) / (cols * 0.04)) ** 2 + ((y - cy - rows * 0.22) / (rows * 0.05)) ** 2 < 1
        img[spine] = 700
        img += rng.normal(0, 12, img.shape).astype(np.float32)
        return (np.clip(img, -1024, 3071) + 1024).astype("<i2")  # stored value, intercept -1024
    img[body] = 600
    img += rng.normal(0, 25, img.shape).astype(np.float32)
    return np.clip(img, 0, 4095).astype("<i2")


def bank(kind, n=8):
    """A few precomputed frames (bytes) so generation is I/O bound."""
    if kind not in _BANK:
        rng = np.random.default_rng({"ct": 1, "mr": 2, "us": 3}[kind])
        frames = []
        for i in range(n):
            if kind == "ct":
                frames.append(_phantom(512, 512, rng, "ct").tobytes())
            elif kind == "mr":
                frames.append(_phantom(256, 256, rng, "mr").tobytes())
            else:  # US: speckle sector, grey replicated to RGB, 640x480
                y, x = np.mgrid[0:480, 0:640].astype(np.float32)
                r = np.hypot(x - 320, y + 40)
                ang = np.arctan2(x - 320, y + 40)
                sector = (r < 500) & (np.abs(ang) < 0.7)
                g = rng.rayleigh(40, (480, 640)).astype(np.float32) * sector
                g = np.clip(g, 0, 255).astype(np.uint8)
                frames.append(np.repeat(g[:, :, None], 3, axis=2).tobytes())
        _BANK[kind] = frames
    return _BANK[kind]


# ---------------------------------------------------------------- identities
def identity(rng, pidx):
    sex = rng.choice("MF")
    by = rng.randint(1935, 2005)
    birth = "%04d%02d%02d" % (by, rng.randint(1, 12), rng.randint(1, 28))
    sy = rng.randint(2015, 2024)
    study_date = "%04d%02d%02d" % (sy, rng.randint(1, 12), rng.randint(1, 28))
    last, first = rng.choice(LAST), rng.choice(FIRST)
    return {
        "PatientName": "%s^%s^^^" % (last, first) if rng.random() < 0.1 else "%s^%s" % (last, first),
        "PatientID": "MRN%07d" % rng.randint(0, 9999999),
        "PatientBirthDate": birth,
        "PatientSex": sex,
        "PatientAge": "%03dY" % (sy - by),
        "PatientAddress": "%d %s %s" % (rng.randint(1, 200), rng.choice(STREETS), rng.choice(CITIES)),
        "PatientTelephoneNumbers": "01 %02d %02d %02d %02d" % tuple(rng.randint(0, 99) for _ in range(4)),
        "OtherPatientIDs": "IPP%06d" % rng.randint(0, 999999),
        "StudyDate": study_date,
        "InstitutionName": rng.choice(HOSPITALS),
        "ReferringPhysicianName": "DR %s^%s" % (rng.choice(LAST), rng.choice(FIRST)),
        "idx": pidx,
    }


def apply_identity(ds, ident, study_no, rng):
    ds.PatientName = ident["PatientName"]
    ds.PatientID = ident["PatientID"]
    ds.PatientBirthDate = ident["PatientBirthDate"]
    ds.PatientSex = ident["PatientSex"]
    ds.PatientAge = ident["PatientAge"]
    ds.PatientAddress = ident["PatientAddress"]
    ds.PatientTelephoneNumbers = ident["PatientTelephoneNumbers"]
    ds.OtherPatientIDs = ident["OtherPatientIDs"]
    ds.PatientWeight = "%d" % rng.randint(45, 110)
    ds.PatientSize = "%.2f" % (rng.randint(150, 195) / 100)
    ds.EthnicGroup = "W"
    ds.AdditionalPatientHistory = "Follow-up, previous exam at %s" % ident["InstitutionName"]
    ds.InstitutionName = ident["InstitutionName"]
    ds.InstitutionAddress = "1 PLACE DE L'HOPITAL, %s" % rng.choice(CITIES)
    ds.InstitutionalDepartmentName = "RADIOLOGIE"
    ds.ReferringPhysicianName = ident["ReferringPhysicianName"]
    ds.PerformingPhysicianName = "DR %s^%s" % (rng.choice(LAST), rng.choice(FIRST))
    ds.OperatorsName = "%s^%s" % (rng.choice(LAST), rng.choice(FIRST))
    ds.AccessionNumber = "ACC%08d" % rng.randint(0, 99999999)
    ds.StudyID = "%d" % (1000 + study_no)
    ds.StudyDescription = "THORAX-ABDO"
    ds.RequestingPhysician = "DR %s^%s" % (rng.choice(LAST), rng.choice(FIRST))
    ds.StationName = "STATION%02d" % rng.randint(1, 20)
    ds.DeviceSerialNumber = "SN%06d" % rng.randint(0, 999999)
    ds.PerformedProcedureStepStartDate = ident["StudyDate"]
    ds.PerformedProcedureStepStartTime = "%02d%02d%02d" % (rng.randint(7, 19), rng.randint(0, 59), rng.randint(0, 59))
    ds.PerformedProcedureStepID = "PPS%05d" % rng.randint(0, 99999)
    ds.StudyComments = "Patient %s, contact %s" % (ident["PatientName"], ident["PatientTelephoneNumbers"])
    for kw in ("StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate", "InstanceCreationDate"):
        setattr(ds, kw, ident["StudyDate"])


def template(name):
    ds = pydicom.dcmread(os.path.join(TEST_FILES, name))
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.is_little_endian, ds.is_implicit_VR = True, False
    return ds


def set_uids(ds, sop, study, series, frame_of_ref=None):
    ds.SOPInstanceUID = sop
    ds.file_meta.MediaStorageSOPInstanceUID = sop
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.StudyInstanceUID = study
    ds.SeriesInstanceUID = series
    if frame_of_ref:
        ds.FrameOfReferenceUID = frame_of_ref


# ---------------------------------------------------------------- many-small
def write_series(task):
    """task: dict(kind, n, dir, patient identity, uids...). Writes n files."""
    rng = random.Random(task["seed"])
    kind = task["kind"]
    if kind in ("ct", "scout"):
        ds = template("CT_small.dcm")
    else:
        ds = template("MR_small.dcm")
    apply_identity(ds, task["ident"], task["study_no"], rng)
    ds.SeriesNumber = task["series_no"]
    ds.SeriesDescription = {"ct": "AXIAL 5mm", "mr": "T1 AX", "scout": "SCOUT"}[kind]
    ds.ProtocolName = {"ct": "CT THORAX ABDO", "mr": "MR BRAIN", "scout": "CT SCOUT"}[kind]
    if kind == "ct":
        ds.Rows = ds.Columns = 512
        ds.PixelSpacing = [0.703125, 0.703125]
        frames = bank("ct")
    elif kind == "mr":
        ds.Rows = ds.Columns = 256
        frames = bank("mr")
    else:
        frames = [ds.PixelData]  # CT_small's real pixel data (128x128)
    # reference to previous series (nested UID) as modalities often do
    ref = Dataset()
    ref.ReferencedSOPClassUID = ds.SOPClassUID
    ref.ReferencedSOPInstanceUID = uid("ref", task["series_uid"])
    ds.ReferencedImageSequence = Sequence([ref])
    os.makedirs(task["dir"], exist_ok=True)
    total = 0
    for i in range(task["n"]):
        sop = uid("sop", task["series_uid"], i)
        set_uids(ds, sop, task["study_uid"], task["series_uid"], task["for_uid"])
        ds.InstanceNumber = i + 1
        z = -75.7 - 5.0 * i
        ds.ImagePositionPatient = [-180.0, -180.0, z]
        ds.SliceLocation = z
        ds.ContentTime = ds.AcquisitionTime = "%02d%02d%02d.%03d" % (10, 30 + i // 3600 % 30, i // 60 % 60, i % 1000)
        ds.PixelData = frames[i % len(frames)]
        path = os.path.join(task["dir"], "IM%05d.dcm" % (i + 1))
        ds.save_as(path, write_like_original=False)
        total += os.path.getsize(path)
    return task["n"], total


def plan_many_small(n_files, root, seed):
    rng = random.Random(seed)
    tasks, count, p = [], 0, 0
    while count < n_files:
        p += 1
        ident = identity(rng, p)
        pdir = os.path.join(root, "PAT%05d" % p)
        for s in range(rng.choice([1, 1, 1, 2])):
            study_uid = uid("study", seed, p, s)
            for_uid = uid("for", seed, p, s)
            sdir = os.path.join(pdir, "ST%02d_%s" % (s + 1, ident["StudyDate"]))
            series = [("scout", 3), ("ct", rng.randint(40, 120)), ("mr", rng.randint(20, 40))]
            for k, (kind, n) in enumerate(series):
                n = min(n, n_files - count)
                if n <= 0:
                    break
                tasks.append({
                    "kind": kind, "n": n, "seed": rng.random(), "ident": ident,
                    "study_no": p * 10 + s, "series_no": k + 1,
                    "study_uid": study_uid, "for_uid": for_uid,
                    "series_uid": uid("series", seed, p, s, k),
                    "dir": os.path.join(sdir, "SE%03d_%s" % (k + 1, kind.upper())),
                })
                count += n
    return tasks


# ---------------------------------------------------------------- few-large
def write_large(task):
    rng = random.Random(task["seed"])
    nf = task["frames"]
    if task["kind"] == "ect":
        ds = template("CT_small.dcm")
        ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2.1"  # Enhanced CT Image Storage
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL", "NONE"]
        for kw in ("ImagePositionPatient", "ImageOrientationPatient", "SliceLocation",
                   "PixelSpacing", "SliceThickness", "RescaleIntercept", "RescaleSlope"):
            if kw in ds:
                delattr(ds, kw)
        ds.Rows = ds.Columns = 512
        frames = bank("ct")
        shared = Dataset()
        pm = Dataset(); pm.PixelSpacing = [0.703125, 0.703125]; pm.SliceThickness = "1.0"
        po = Dataset(); po.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        pvt = Dataset(); pvt.RescaleIntercept = "-1024"; pvt.RescaleSlope = "1"; pvt.RescaleType = "HU"
        shared.PixelMeasuresSequence = Sequence([pm])
        shared.PlaneOrientationSequence = Sequence([po])
        shared.PixelValueTransformationSequence = Sequence([pvt])
        ds.SharedFunctionalGroupsSequence = Sequence([shared])
        dim_org = uid("dimorg", task["series_uid"])
        d = Dataset(); d.DimensionOrganizationUID = dim_org
        ds.DimensionOrganizationSequence = Sequence([d])
        di1 = Dataset(); di1.DimensionOrganizationUID = dim_org
        di1.DimensionIndexPointer = 0x00209056; di1.FunctionalGroupPointer = 0x00209111
        di2 = Dataset(); di2.DimensionOrganizationUID = dim_org
        di2.DimensionIndexPointer = 0x00209057; di2.FunctionalGroupPointer = 0x00209111
        ds.DimensionIndexSequence = Sequence([di1, di2])
        per_frame = []
        for f in range(nf):
            item = Dataset()
            fc = Dataset()
            fc.FrameAcquisitionNumber = 1
            fc.FrameReferenceDateTime = task["ident"]["StudyDate"] + "103000.%06d" % f
            fc.FrameAcquisitionDateTime = task["ident"]["StudyDate"] + "103000.%06d" % f
            fc.StackID = "1"
            fc.InStackPositionNumber = f + 1
            fc.DimensionIndexValues = [1, f + 1]
            item.FrameContentSequence = Sequence([fc])
            pp = Dataset(); pp.ImagePositionPatient = [-180.0, -180.0, -75.7 - 1.0 * f]
            item.PlanePositionSequence = Sequence([pp])
            src = Dataset()
            src.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
            src.ReferencedSOPInstanceUID = uid("src", task["series_uid"], f)
            der = Dataset(); der.SourceImageSequence = Sequence([src])
            item.DerivationImageSequence = Sequence([der])
            per_frame.append(item)
        ds.PerFrameFunctionalGroupsSequence = Sequence(per_frame)
    else:  # US multi-frame
        ds = template("SC_ybr_full_422_uncompressed.dcm")
        ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.3.1"  # Ultrasound Multi-frame Image Storage
        ds.Modality = "US"
        ds.Manufacturer = "ACME ULTRASOUND"
        ds.Rows, ds.Columns = 480, 640
        ds.SamplesPerPixel = 3
        ds.PhotometricInterpretation = "RGB"
        ds.PlanarConfiguration = 0
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
        ds.FrameTime = "33.3"
        ds.CineRate = 30
        ds.FrameIncrementPointer = 0x00181063
        frames = bank("us")
    apply_identity(ds, task["ident"], task["study_no"], rng)
    ds.SeriesNumber = 1
    ds.SeriesDescription = "ENHANCED CT" if task["kind"] == "ect" else "US CINE"
    ds.ProtocolName = ds.SeriesDescription
    ds.NumberOfFrames = nf
    set_uids(ds, uid("sop", task["series_uid"]), task["study_uid"], task["series_uid"],
             uid("for", task["study_uid"]))
    ds.InstanceNumber = 1
    ds.ContentTime = ds.AcquisitionTime = "103000"
    ds.PixelData = b"".join(frames[f % len(frames)] for f in range(nf))
    os.makedirs(task["dir"], exist_ok=True)
    path = os.path.join(task["dir"], "IM00001.dcm")
    ds.save_as(path, write_like_original=False)
    return 1, os.path.getsize(path)


def plan_few_large(n_files, root, seed):
    rng = random.Random(seed)
    tasks = []
    for p in range(1, n_files + 1):
        ident = identity(rng, p)
        kind = "ect" if p % 2 == 1 else "us"
        target_mb = rng.uniform(50, 200) if n_files > 2 else rng.uniform(50, 70)
        frame_bytes = 512 * 512 * 2 if kind == "ect" else 640 * 480 * 3
        frames = max(1, int(target_mb * 1e6 / frame_bytes))
        study_uid = uid("study", seed, p)
        tasks.append({
            "kind": kind, "frames": frames, "seed": rng.random(), "ident": ident,
            "study_no": p, "study_uid": study_uid, "series_uid": uid("series", seed, p),
            "dir": os.path.join(root, "PAT%05d" % p, "ST01_%s" % ident["StudyDate"],
                                "SE001_%s" % ("ECT" if kind == "ect" else "US")),
        })
    return tasks


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", choices=SIZES.keys(), required=True)
    ap.add_argument("--size", choices=["small", "medium"], default="small")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "cohorts"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--force", action="store_true", help="rebuild even if it exists")
    a = ap.parse_args()

    name = "%s-%s" % (a.shape, a.size)
    root = os.path.join(a.out, name)
    manifest = root + ".json"
    if os.path.exists(manifest) and not a.force:
        print("cohort exists: %s (use --force to rebuild)" % root)
        return
    if os.path.exists(root):
        shutil.rmtree(root)
    n = SIZES[a.shape][a.size]
    t0 = time.time()
    if a.shape == "many-small":
        tasks, fn = plan_many_small(n, root, a.seed), write_series
    else:
        tasks, fn = plan_few_large(n, root, a.seed), write_large
        tasks.sort(key=lambda t: -t["frames"])  # big first for load balance
    with Pool(a.jobs) as pool:
        res = pool.map(fn, tasks, chunksize=1)
    files = sum(r[0] for r in res)
    size = sum(r[1] for r in res)
    info = {"name": name, "shape": a.shape, "size": a.size, "seed": a.seed, "files": files,
            "bytes": size, "patients": len({t["ident"]["idx"] for t in tasks}),
            "pydicom": pydicom.__version__, "seconds": round(time.time() - t0, 1)}
    with open(manifest, "w") as fh:
        json.dump(info, fh, indent=1)
    print(json.dumps(info))


if __name__ == "__main__":
    main()
