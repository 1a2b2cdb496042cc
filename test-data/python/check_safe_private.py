#!/usr/bin/python3
"""Check the private elements of a run's outputs against its inputs (safe_private.py's).

  check_safe_private.py IN_DIR OUT_DIR with|without SAFE_LIST_JSON

Read with pydicom, at every depth (an item of a sequence the output kept is compared with the
same item of the input):
- without the option: no private element at all in any output;
- with it: every private data element of the input whose creator (its block's, in its item;
  LO padding not significant, case significant) and offset are on the list for its group, and
  whose VR is known (the list's, or the input's own explicit one), is in the output at the same
  place, under the same creator, its value byte for byte the input's — unless it is text holding
  a planted value, which must then be gone from it; every private data element of the output is
  such an element; a creator stays only with something of its block;
- any option: no planted value (manifest.json) anywhere in the output's bytes, in any case; the
  method code sequence holds 113111 exactly when the option was given.
Prints a JSON report; exits 1 when a property fails.
"""
import json
import os
import re
import sys

import pydicom

TEXT_VRS = {"LO", "SH", "ST", "LT", "UT", "UC", "PN"}
# Values a public attribute of the VR would have changed: dates shifted, codes cleaned.
CHANGED = {"DA", "DT", "CS"}
NUMBERS = {"DS", "IS"}
NUMBER = re.compile(r"^([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)?(\\[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)*$")


def safe_list(path):
    doc = json.load(open(path))
    return {(int(e["group"], 16), e["creator"], int(e["offset"], 16)): e["vr"] for e in doc["entries"]}


def raw_value(ds, tag):
    """An element's value as its bytes in the file (read before pydicom converts it)."""
    raw = ds.get_item(tag)
    v = raw.value
    return v if isinstance(v, bytes) or v is None else None


def creators(ds):
    out = {}
    for tag in list(ds.keys()):
        g, e = tag.group, tag.element
        if g % 2 == 1 and 0x10 <= e <= 0xFF:
            v = raw_value(ds, tag) or b""
            out[(g, e)] = v.decode("latin1").rstrip("\0 ").lstrip(" ")
    return out


def privates(ds, explicit, path=""):
    """(path, tag) -> (creator, raw value bytes or None for a sequence, explicit VR) at every depth."""
    out = {}
    names = creators(ds)
    for tag in list(ds.keys()):
        here = f"{path}({tag.group:04X},{tag.element:04X})"
        value = raw_value(ds, tag)
        vr = ds.get_item(tag).VR if explicit else None
        el = ds[tag]
        if tag.group % 2 == 1 and tag.element >= 0x1000:
            out[here] = (names.get((tag.group, tag.element >> 8)), None if el.VR == "SQ" else value, vr, tag)
        if el.VR == "SQ":
            for i, item in enumerate(el.value):
                out.update(privates(item, explicit, f"{here}[{i}]."))
    return out


def paths(ds, path=""):
    """Every place (sequence item) of the data set: where an element can be expected."""
    out = {path}
    for tag in list(ds.keys()):
        el = ds[tag]
        if el.VR == "SQ":
            here = f"{path}({tag.group:04X},{tag.element:04X})"
            for i, item in enumerate(el.value):
                out |= paths(item, f"{here}[{i}].")
    return out


def check(indir, outdir, mode, listpath):
    safe = safe_list(listpath)
    planted = json.load(open(os.path.join(indir, "manifest.json")))
    report, ok = [], True
    for name, words in planted.items():
        r = {"file": name, "problems": [], "kept": 0}
        src = pydicom.dcmread(os.path.join(indir, name))
        out_path = os.path.join(outdir, name)
        out = pydicom.dcmread(out_path)
        raw = open(out_path, "rb").read().upper()
        for w in words:
            if w.upper().encode() in raw:
                r["problems"].append(f"planted value {w!r} is in the output")
        codes = [i.CodeValue for i in getattr(out, "DeidentificationMethodCodeSequence", [])]
        if ("113111" in codes) != (mode == "with"):
            r["problems"].append(f"method codes {codes}: 113111 (Retain Safe Private) should be there {mode} the option")
        got = privates(out, not out.is_implicit_VR)
        if mode == "without":
            if got:
                r["problems"].append(f"private elements survive without the option: {sorted(got)[:5]}")
        else:
            want = privates(src, not src.is_implicit_VR)
            places = paths(out)
            for where, (creator, value, vr, tag) in want.items():
                parent = where[: where.rfind("(")]
                if parent not in places:
                    continue  # its item went with a sequence the profile removes
                entry = safe.get((tag.group, creator, tag.element & 0xFF)) if creator is not None else None
                explicit = vr if vr not in (None, "UN") else None
                known = entry is not None and (entry != "" or explicit is not None)
                # Written with another VR than the list's, or a listed sequence read as bytes
                # (implicit VR): nothing vouches for the value, it goes.
                if known and entry and explicit and explicit != entry:
                    known = False
                if known and entry == "SQ" and vr is None:
                    known = False
                if not known:
                    if where in got:
                        r["problems"].append(f"{where} ({creator}) is not safe and survives")
                    continue
                kind = entry or vr
                if kind in NUMBERS and value is not None and not NUMBER.match(value.decode("latin1").strip(" \0")):
                    # Not what its VR says (a name in an IS): removed, as nothing can vouch for it.
                    if where in got:
                        r["problems"].append(f"{where}: a {kind} that is no number survives")
                    continue
                if where not in got:
                    r["problems"].append(f"{where} ({creator}) is safe and was removed")
                    continue
                if got[where][0] != creator:
                    r["problems"].append(f"{where}: its creator is now {got[where][0]!r}, was {creator!r}")
                text = kind in TEXT_VRS
                holds_planted = value is not None and any(w.upper().encode() in value.upper() for w in words)
                if kind == "UI":
                    # Remapped as a public UID is: never the source's.
                    if value and got[where][1] == value:
                        r["problems"].append(f"{where}: a UID kept as the source's")
                elif value is not None and kind not in CHANGED and not (text and holds_planted) and got[where][1] != value:
                    r["problems"].append(f"{where}: kept, but not byte for byte")
                r["kept"] += 1
            for where, (creator, _, _, tag) in got.items():
                if creator is None or (tag.group, creator, tag.element & 0xFF) not in safe:
                    r["problems"].append(f"{where} ({creator}) is in the output and not on the list")
            # A creator stays only with something of its block.
            for where in paths(out):
                item = out
                # walk to the item (cheap: the test files are small)
                for step in [s for s in where.split(".") if s]:
                    t, i = step[: step.index("[")], int(step[step.index("[") + 1 : -1])
                    item = item[int(t[1:5], 16), int(t[6:10], 16)].value[i]
                for (g, e), c in creators(item).items():
                    if not any(t.group == g and t.element >> 8 == e for t in item.keys() if t.element >= 0x1000):
                        r["problems"].append(f"{where}({g:04X},{e:04X}) creator {c!r} names nothing kept")
        ok = ok and not r["problems"]
        report.append(r)
    print(json.dumps(report, indent=1))
    return ok


if __name__ == "__main__":
    sys.exit(0 if check(*sys.argv[1:5]) else 1)
