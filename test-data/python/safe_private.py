#!/usr/bin/python3
"""Inputs for the Retain Safe Private Option, from pydicom's real files.

  safe_private.py OUT_DIR

- ct.dcm: pydicom's CT_small as GE wrote it (GEMS_ACQU_01, GEMS_PARM_01, GEMS_SERS_01 hold five
  safe elements; GEMS_IDEN_01, GEMS_RELA_01, GEMS_IMAG_01 none), its patient renamed.
- ct-planted.dcm: the same, with the patient's name planted under GEMS_ACQU_01 at an offset the
  list does not have (0019,10F0), the patient's name and ID planted in a safe text element
  (0019,109E Internal Pulse Sequence Name), GEMS_PARM_01 written with a trailing space (LO
  padding: still the creator), GEMS_SERS_01 written in small letters (another creator: case
  counts), an element of block 12 of group 0043 without its creator (an orphan), and a
  GEMS_ACQU_01 block inside a sequence item.
- ct-moved.dcm: GEMS_ACQU_01 and GEMS_PARM_01 in blocks 11 and 12 instead of 10 (the same
  offsets under their creators: the same safe elements).
- mr.dcm: pydicom's MR_small with a Siemens diffusion block (SIEMENS MR HEADER: B value,
  directionality, gradient direction, B matrix kept; an unlisted offset holding the name goes)
  and Philips ones (Philips Imaging DD 001 b-factor and direction, Philips MR Imaging DD 001).
- us-implicit.dcm: pydicom's MR_small_implicit (implicit VR) with SIEMENS Ultrasound SC2000
  elements: one whose VR the list gives (kept), one whose VR it does not (unknown: removed), a
  listed IS holding a name (not a number: removed), a listed UI holding the study's UID
  (remapped, as public UIDs are), and a listed HOLOGIC sequence whose item holds the name
  (implicit VR: not readable as a sequence, removed).
- mr.dcm also holds a listed FL element written as LO with the name in it (removed).

manifest.json names, per file, the planted values (their bytes must be nowhere in the output).
"""
import json
import os
import sys

import pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import generate_uid

TEST_FILES = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")
NAME, PID = "KOWALSKA^ANNA", "PX7719024"


def load(name):
    ds = pydicom.dcmread(os.path.join(TEST_FILES, name))
    ds.PatientName, ds.PatientID = NAME, PID
    # Each file its own instance (several are made from one pydicom file).
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    return ds


def creator(ds, group, block, name):
    ds.add_new((group << 16) | block, "LO", name)


def make(out):
    os.makedirs(out, exist_ok=True)
    manifest = {}

    ds = load("CT_small.dcm")
    ds.save_as(os.path.join(out, "ct.dcm"))
    manifest["ct.dcm"] = []

    ds = load("CT_small.dcm")
    ds.add_new(0x001910F0, "LO", "KOWALSKA ANNA")
    ds.add_new(0x0019109E, "LO", f"HELICAL ANNA KOWALSKA {PID}")
    ds[0x00430010].value = "GEMS_PARM_01 "
    ds[0x00250010].value = "gems_sers_01"
    ds.add_new(0x00431227, "SH", "ORPHAN 1:1")
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = "T-D3000", "SRT", "Chest"
    item.add_new(0x00190010, "LO", "GEMS_ACQU_01")
    item.add_new(0x00191023, "DS", "7.5")
    item.add_new(0x001910F1, "LO", "KOWALSKA")
    ds.AnatomicRegionSequence = Sequence([item])
    ds.save_as(os.path.join(out, "ct-planted.dcm"))
    manifest["ct-planted.dcm"] = ["KOWALSKA", PID]

    ds = load("CT_small.dcm")
    for group, block in ((0x0019, 0x11), (0x0043, 0x12)):
        old = [e for e in ds if e.tag.group == group]
        for e in old:
            del ds[e.tag]
        for e in old:
            el = e.tag.element
            tag = (group << 16) | (block if el < 0x100 else (block << 8) | (el & 0xFF))
            ds.add_new(tag, e.VR, e.value)
    ds.save_as(os.path.join(out, "ct-moved.dcm"))
    manifest["ct-moved.dcm"] = []

    ds = load("MR_small.dcm")
    creator(ds, 0x0019, 0x10, "SIEMENS MR HEADER")
    ds.add_new(0x0019100C, "IS", "1000")
    ds.add_new(0x0019100D, "CS", "DIRECTIONAL")
    ds.add_new(0x0019100E, "FD", [0.57735, 0.57735, 0.57735])
    ds.add_new(0x00191027, "FD", [333.3, 0.0, 0.0, 333.3, 0.0, 333.4])
    ds.add_new(0x00191008, "CS", "KOWALSKA")
    creator(ds, 0x2001, 0x10, "Philips Imaging DD 001")
    ds.add_new(0x20011003, "FL", 1000.0)
    ds.add_new(0x20011004, "CS", "I")
    creator(ds, 0x2005, 0x10, "Philips MR Imaging DD 001")
    ds.add_new(0x2005100D, "FL", 0.0)
    ds.add_new(0x2005100E, "FL", 1.5)
    ds.add_new(0x20051010, "LO", "KOWALSKA ANNA")
    # Listed as FL, written as LO holding the name: another VR than the list's, removed.
    creator(ds, 0x2005, 0x11, "Philips MR Imaging DD 001")
    ds.add_new(0x2005110D, "LO", "KOWALSKA")
    ds.save_as(os.path.join(out, "mr.dcm"))
    manifest["mr.dcm"] = ["KOWALSKA"]

    ds = load("MR_small_implicit.dcm")
    creator(ds, 0x0119, 0x10, "SIEMENS Ultrasound SC2000")
    ds.add_new(0x01191005, "UL", 12345)  # listed with its VR: kept
    ds.add_new(0x01191011, "FD", 1.5)  # listed without one: unknown in implicit VR, removed
    # Listed IS, holding a name (its bytes as they are: implicit VR writes no VR): not a number, removed.
    ds.add_new(0x01191013, "UN", b"KOWALSKA")
    creator(ds, 0x0129, 0x10, "SIEMENS Ultrasound SC2000")
    ds.add_new(0x01291002, "UI", ds.StudyInstanceUID)  # a listed UID: remapped as public ones are
    # A listed sequence in implicit VR: nothing says it is one, so its items cannot be looked
    # into (one holds the name): removed whole.
    creator(ds, 0x7E01, 0x10, "HOLOGIC, Inc.")
    inner = Dataset()
    inner.PatientName = NAME
    ds.add_new(0x7E011010, "SQ", Sequence([inner]))
    ds.save_as(os.path.join(out, "us-implicit.dcm"))
    manifest["us-implicit.dcm"] = ["KOWALSKA", str(ds.StudyInstanceUID)]

    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    make(sys.argv[1])
