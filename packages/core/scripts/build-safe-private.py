#!/usr/bin/python3
"""Build data/standard/safe_private_attributes.json from PS3.15 Table E.3.10-1 (Safe Private
Attributes) as the reStructuredText edition of the standard writes it.

  build-safe-private.py CHAPTER_E_RST OUT_JSON

CHAPTER_E_RST: source/part15/chapter_E.rst of github.com/chsasank/dicom_standard (a Sphinx
conversion of PS3.15, 2020 edition). The table is a grid table: rows between `+---` rules,
cells between `|`, a cell's text over several lines joined with spaces (a word split at a
hyphen joined whole).
"""
import json
import re
import sys

TAG = re.compile(r"^\(([0-9A-Fa-f]{4}),xx([0-9A-Fa-f]{2})\)$")


def grid_rows(lines):
    rows, cur = [], None
    for line in lines:
        s = line.strip()
        if s.startswith("+"):
            if cur:
                rows.append(cur)
            cur = None
        elif s.startswith("|"):
            cells = [c.strip() for c in s.strip("|").split("|")]
            if cur is None:
                cur = [[] for _ in cells]
            for i, c in enumerate(cells):
                if c:
                    cur[i].append(c)
    if cur:
        rows.append(cur)
    return rows


def joined(parts):
    text = ""
    for p in parts:
        text = text + p if text.endswith("-") and not text.endswith(" -") else (text + " " + p).strip()
    # Sphinx markup left in one meaning: "1\ :sup:`st`\ value" is "1st value".
    return re.sub(r"\\ :s ?up:`(\w+)`\\ ", r"\1 ", text)


def main(rst, out):
    text = open(rst, encoding="utf-8").read().split("\n")
    start = next(i for i, l in enumerate(text) if "table:: Safe Private Attributes" in l)
    end = next(i for i in range(start + 2, len(text)) if text[i].strip() and not text[i].startswith("      "))
    entries = []
    for row in grid_rows(text[start + 1:end]):
        tag, creator, vr, vm, meaning = (joined(p) for p in row)
        m = TAG.match(tag)
        if not m:
            continue  # the header row
        entries.append({
            "group": m.group(1).upper(),
            "offset": m.group(2).upper(),
            "creator": creator,
            "vr": vr,
            "vm": vm,
            "meaning": meaning,
        })
    doc = {
        "table": "PS3.15 Table E.3.10-1 Safe Private Attributes",
        "edition": "2020 (the reStructuredText conversion of PS3.15 in chsasank/dicom_standard, commit 2384a79, 2020-08-07)",
        "note": "A sample list of private attributes thought to be safe: vendors do not guarantee them (PS3.15 E.3.10, Note 1). An empty vr: the table gives none; the element's explicit VR decides.",
        "entries": entries,
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{len(entries)} entries")


if __name__ == "__main__":
    main(*sys.argv[1:])
