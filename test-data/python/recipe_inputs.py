#!/usr/bin/python3
"""Inputs for the recipe tests, from pydicom's real files.

  recipe_inputs.py OUT_DIR

- ct.dcm: pydicom's CT_small (patient PX-100) with a Request Attributes Sequence item holding the
  attributes the recipe acts on inside a sequence, and an Institutional Department Name.
- mr.dcm: pydicom's MR_small as another patient (PX-200).
values.json: the source values the test compares with (path → value).
"""
import json
import os
import sys

import pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import generate_uid

TEST_FILES = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")


def make(out):
    os.makedirs(out, exist_ok=True)
    ds = pydicom.dcmread(os.path.join(TEST_FILES, "CT_small.dcm"))
    ds.PatientName, ds.PatientID = "NOWAK^EWA", "PX-100"
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.InstitutionalDepartmentName = "RADIOLOGY WEST"
    item = Dataset()
    item.RequestedProcedureDescription = "CT THORAX"
    item.ReasonForTheRequestedProcedure = "R/O MASS"
    item.ScheduledProcedureStepDescription = "CHEST ROUTINE"
    item.RequestedProcedureID = "RP123"
    item.ScheduledProcedureStepID = "SPS9"
    ds.RequestAttributesSequence = Sequence([item])
    ds.save_as(os.path.join(out, "ct.dcm"))
    mr = pydicom.dcmread(os.path.join(TEST_FILES, "MR_small.dcm"))
    mr.PatientName, mr.PatientID = "KOWAL^JAN", "PX-200"
    mr.SOPInstanceUID = mr.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    mr.save_as(os.path.join(out, "mr.dcm"))
    values = {k: str(ds.get(k, "")) for k in ("StudyDescription", "Manufacturer", "InstitutionName", "InstitutionalDepartmentName", "SliceLocation")}
    values.update({f"RequestAttributesSequence/{k}": str(item.get(k)) for k in item.dir()})
    with open(os.path.join(out, "..", "values.json"), "w") as f:
        json.dump(values, f, indent=1)


if __name__ == "__main__":
    make(sys.argv[1])
