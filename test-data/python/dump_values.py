#!/usr/bin/python3
"""Print, as JSON, what a DICOM file holds at each path given: "Keyword" (top level) or
"Sequence/Keyword" (in the sequence's first item); null when absent, the value as text when
present ("" when empty).

  dump_values.py FILE PATH...
"""
import json
import sys

import pydicom


def at(ds, path):
    *seqs, last = path.split("/")
    for s in seqs:
        if s not in ds or len(ds[s].value) == 0:
            return None
        ds = ds[s].value[0]
    if last not in ds:
        return None
    v = ds[last].value
    return "" if v is None else str(v)


ds = pydicom.dcmread(sys.argv[1])
print(json.dumps({p: at(ds, p) for p in sys.argv[2:]}))
