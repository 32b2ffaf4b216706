#!/usr/bin/env python3
"""Consistency check for the schema data under gateway/edi/schemas (format: FORMAT.md there).

For every X12 version directory (x12/<version>/) and every EDIFACT directory
(edifact/<dir>/, plus edifact/service/) it loads the dictionaries the engine would load
and reports, as errors:

* malformed entries (bad type, min > max, usage other than M/O, repeat < 1, ...),
* a code longer or shorter than its element allows,
* a segment or composite that names an element or composite the dictionaries lack,
* a syntax note that does not parse or points past the end of its segment/composite,
* a set/message file whose structure names a segment the dictionaries lack, whose loop
  does not start with a mandatory trigger segment (X12: named like the loop id), or whose
  `codes` / `hierarchy` entries point at nothing.

Dictionaries resolve as the engine does: X12 = x12/elements.json overlaid by
x12/<version>/elements.json; EDIFACT = edifact/<dir>/ overlaid on edifact/service/.

Usage:  python tools/check_schemas.py [SCHEMAS_DIR]      exit 0 = clean, 1 = errors found.
"""

import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DIR = os.path.join(ROOT, "gateway", "edi", "schemas")
DICT_FILES = ("elements.json", "composites.json", "segments.json")
X12_TYPES = {"AN", "ID", "R", "DT", "TM", "B"} | {f"N{i}" for i in range(10)} | {"N"}
EDIFACT_TYPES = {"a", "n", "an"}
USAGES = {"M", "O"}
SYNTAX_RE = re.compile(r"^([PRECL])((?:\d\d)+)$")
# File names the engine loads as set/message files (gateway/edi/schema.py: "<id>.json").
X12_SET_RE = re.compile(r"^[0-9A-Z]{3}\.json$")
EDIFACT_MSG_RE = re.compile(r"^[A-Z]{6}\.json$")


class Checker:
    def __init__(self, base):
        self.base = base
        self.errors = []
        self.warnings = []
        self.files = 0

    def err(self, where, msg):
        self.errors.append(f"{where}: {msg}")

    def warn(self, where, msg):
        self.warnings.append(f"{where}: {msg}")

    def set_files(self, directory, pattern, where):
        """The set/message files of a directory; other stray .json files only warn."""
        out = []
        for name in sorted(os.listdir(directory)):
            if not name.endswith(".json") or name in DICT_FILES:
                continue
            if pattern.match(name):
                out.append(os.path.join(directory, name))
            else:
                self.warn(f"{where}/{name}", "not a dictionary or set file; the engine ignores it")
        return out

    def load(self, path, default=None):
        if not os.path.exists(path):
            return default
        self.files += 1
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except ValueError as exc:
            self.err(self.rel(path), f"invalid JSON: {exc}")
            return default
        if not isinstance(data, dict):
            self.err(self.rel(path), "top level must be an object")
            return default
        return data

    def rel(self, path):
        return os.path.relpath(path, self.base)

    # -- dictionaries -------------------------------------------------------------------
    def check_elements(self, where, elements, types):
        for ele, e in elements.items():
            w = f"{where} {ele}"
            if not isinstance(e, dict):
                self.err(w, "entry must be an object")
                continue
            for key in ("name", "type", "min", "max"):
                if key not in e:
                    self.err(w, f"missing {key!r}")
            if e.get("type") not in types:
                self.err(w, "unknown type {!r}".format(e.get("type")))
            mn, mx = e.get("min"), e.get("max")
            if not (isinstance(mn, int) and isinstance(mx, int) and 0 <= mn <= mx and mx > 0):
                self.err(w, f"bad min/max {mn!r}/{mx!r}")
                continue
            codes = e.get("codes")
            if codes is None:
                continue
            if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                self.err(w, "codes must be a list of strings")
                continue
            bad = [c for c in codes if not mn <= len(c) <= mx]
            if bad:
                self.err(w, f"codes outside length {mn}/{mx}: {' '.join(bad[:10])}")
            if len(set(codes)) != len(codes):
                self.err(w, "duplicate codes")

    def check_member_list(self, w, members, elements, composites, allow_composite):
        if not isinstance(members, list) or not members:
            self.err(w, "elements must be a non-empty list")
            return
        for i, m in enumerate(members, 1):
            if not isinstance(m, list) or len(m) not in (2, 3):
                self.err(w, f"position {i:02d}: entry must be [id, usage] or [id, usage, repeat]")
                continue
            ref, usage = m[0], m[1]
            if usage not in USAGES:
                self.err(w, f"position {i:02d}: usage {usage!r} is not M or O")
            if len(m) == 3 and not (isinstance(m[2], int) and m[2] >= 1):
                self.err(w, f"position {i:02d}: repeat {m[2]!r} must be an integer >= 1")
            if not isinstance(ref, str) or not ref:
                self.err(w, f"position {i:02d}: bad id {ref!r}")
            elif ref[0].isalpha() and ref in composites:
                if not allow_composite:
                    self.err(w, f"position {i:02d}: composite {ref} inside a composite")
            elif ref[0].isalpha() and ref not in elements:
                self.err(w, f"position {i:02d}: composite {ref} not in composites.json")
            elif ref not in elements:
                self.err(w, f"position {i:02d}: element {ref} not in elements.json")

    def check_syntax(self, w, notes, count):
        if notes is None:
            return
        if not isinstance(notes, list):
            self.err(w, "syntax must be a list")
            return
        for note in notes:
            m = SYNTAX_RE.match(note) if isinstance(note, str) else None
            if not m:
                self.err(w, f"syntax note {note!r} does not parse")
                continue
            pos = [int(m.group(2)[i : i + 2]) for i in range(0, len(m.group(2)), 2)]
            if len(pos) < 2:
                self.err(w, f"syntax note {note} names fewer than two positions")
            if any(p < 1 or p > count for p in pos):
                self.err(w, f"syntax note {note} points past position {count}")
            if len(set(pos)) != len(pos):
                self.err(w, f"syntax note {note} repeats a position")

    def check_dicts(self, where, elements, composites, segments):
        for cid, c in composites.items():
            w = f"{where} composite {cid}"
            if not isinstance(c, dict) or "elements" not in c:
                self.err(w, "entry must be an object with 'elements'")
                continue
            self.check_member_list(w, c["elements"], elements, composites, False)
            self.check_syntax(w, c.get("syntax"), len(c["elements"]))
        for tag, s in segments.items():
            w = f"{where} segment {tag}"
            if not isinstance(s, dict) or "elements" not in s:
                self.err(w, "entry must be an object with 'elements'")
                continue
            self.check_member_list(w, s["elements"], elements, composites, True)
            self.check_syntax(w, s.get("syntax"), len(s["elements"]))

    # -- set / message files ------------------------------------------------------------
    def walk(self, w, nodes, segments, x12, path, found):
        if not isinstance(nodes, list) or not nodes:
            self.err(w, f"{path}: segment list must be non-empty")
            return
        for n in nodes:
            if isinstance(n, list):
                if len(n) != 3 or not isinstance(n[0], str):
                    self.err(w, f"{path}: segment entry {n!r} must be [tag, usage, max]")
                    continue
                tag, usage, mx = n
                if tag not in segments:
                    self.err(w, f"{path}: segment {tag} not in segments.json")
                if usage not in USAGES:
                    self.err(w, f"{path}/{tag}: usage {usage!r} is not M or O")
                if not (isinstance(mx, int) and mx >= 1):
                    self.err(w, f"{path}/{tag}: max use {mx!r} must be an integer >= 1")
                found.setdefault(tag, 0)
            elif isinstance(n, dict):
                loop = n.get("loop")
                lp = f"{path}/{loop}"
                if not isinstance(loop, str):
                    self.err(w, f"{path}: loop without a 'loop' id")
                if n.get("usage") not in USAGES:
                    self.err(w, "{}: usage {!r} is not M or O".format(lp, n.get("usage")))
                if not (isinstance(n.get("repeat"), int) and n["repeat"] >= 1):
                    self.err(w, "{}: repeat {!r} must be an integer >= 1".format(lp, n.get("repeat")))
                segs = n.get("segments")
                if isinstance(segs, list) and segs:
                    first = segs[0]
                    if not isinstance(first, list):
                        self.err(w, f"{lp}: a loop must start with a segment, not a loop")
                    else:
                        if len(first) > 1 and first[1] != "M":
                            self.err(w, f"{lp}: trigger segment {first[0]} must be M")
                        if x12 and first[0] != loop:
                            self.err(w, f"{lp}: X12 loop id must be its trigger tag ({first[0]})")
                found.setdefault("loop:" + str(loop), 0)
                self.walk(w, segs, segments, x12, lp, found)
            else:
                self.err(w, f"{path}: entry {n!r} is neither segment nor loop")

    def check_code_ref(self, w, ref, codes, segments, composites, elements):
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            self.err(w, f"codes[{ref}] must be a list of strings")
        if "." in ref:
            parts = ref.split(".")
            comp, ele = parts[-2], parts[-1]
            if comp not in composites:
                self.err(w, f"codes[{ref}]: composite {comp} unknown")
            elif ele not in [m[0] for m in composites[comp]["elements"]]:
                self.err(w, f"codes[{ref}]: {ele} is not part of {comp}")
            return
        m = re.match(r"^([A-Z0-9]{2,3}?)(\d\d)$", ref)
        if not m or m.group(1) not in segments:
            self.err(w, f"codes[{ref}]: not SEGMENTnn of a known segment")
            return
        members = segments[m.group(1)]["elements"]
        pos = int(m.group(2))
        if not 1 <= pos <= len(members):
            self.err(w, f"codes[{ref}]: {m.group(1)} has {len(members)} elements")
            return
        ele = members[pos - 1][0]
        e = elements.get(ele)
        if e and isinstance(codes, list):
            bad = [c for c in codes if isinstance(c, str) and not e["min"] <= len(c) <= e["max"]]
            if bad:
                self.err(w, "codes[{}]: outside length of element {}: {}".format(ref, ele, " ".join(bad)))

    def check_set(self, path, standard, version, elements, composites, segments):
        doc = self.load(path)
        if doc is None:
            return
        w = self.rel(path)
        for key in ("standard", "id", "version", "name", "structure"):
            if key not in doc:
                self.err(w, f"missing {key!r}")
        if doc.get("standard") != standard:
            self.err(w, "standard {!r}, expected {!r}".format(doc.get("standard"), standard))
        if version and doc.get("version") != version:
            self.err(w, "version {!r} does not match its directory {!r}".format(doc.get("version"), version))
        x12 = standard == "x12"
        if x12 and "functional_id" not in doc:
            self.err(w, "missing 'functional_id'")
        local = doc.get("segments") or {}
        if local:
            self.check_dicts(w, elements, composites, local)
        segs = dict(segments, **local)
        structure = doc.get("structure") or []
        found = {}
        self.walk(w, structure, segs, x12, doc.get("id", "?"), found)
        ends = ("ST", "SE") if x12 else ("UNH", "UNT")
        if structure and (not isinstance(structure[0], list) or structure[0][0] != ends[0]):
            self.err(w, f"structure must start with {ends[0]}")
        if structure and (not isinstance(structure[-1], list) or structure[-1][0] != ends[1]):
            self.err(w, f"structure must end with {ends[1]}")
        for ref, codes in (doc.get("codes") or {}).items():
            self.check_code_ref(w, ref, codes, segs, composites, elements)
        hier = doc.get("hierarchy")
        if hier is not None:
            if "loop:" + str(hier.get("loop")) not in found:
                self.err(w, "hierarchy loop {!r} not in structure".format(hier.get("loop")))
            levels = hier.get("levels") or {}
            if not levels:
                self.err(w, "hierarchy has no levels")
            for lvl, parents in levels.items():
                for p in parents:
                    if p not in levels:
                        self.err(w, f"hierarchy level {lvl}: parent {p} is not a level")

    # -- directories --------------------------------------------------------------------
    def check_x12(self):
        x12 = os.path.join(self.base, "x12")
        if not os.path.isdir(x12):
            return
        shared = self.load(os.path.join(x12, "elements.json"), {})
        self.check_elements("x12/elements.json", shared, X12_TYPES)
        for version in sorted(os.listdir(x12)):
            vdir = os.path.join(x12, version)
            if not os.path.isdir(vdir):
                continue
            over = self.load(os.path.join(vdir, "elements.json"), {})
            self.check_elements(f"x12/{version}/elements.json", over, X12_TYPES)
            elements = dict(shared, **over)
            composites = self.load(os.path.join(vdir, "composites.json"), {})
            segments = self.load(os.path.join(vdir, "segments.json"), {})
            self.check_dicts(f"x12/{version}", elements, composites, segments)
            for path in self.set_files(vdir, X12_SET_RE, "x12/" + version):
                self.check_set(path, "x12", version, elements, composites, segments)

    def check_edifact(self):
        ed = os.path.join(self.base, "edifact")
        if not os.path.isdir(ed):
            return
        sdir = os.path.join(ed, "service")
        service = [self.load(os.path.join(sdir, f), {}) for f in DICT_FILES]
        self.check_elements("edifact/service/elements.json", service[0], EDIFACT_TYPES)
        self.check_dicts("edifact/service", *service)
        for d in sorted(os.listdir(ed)):
            ddir = os.path.join(ed, d)
            if not os.path.isdir(ddir):
                continue
            if d == "service":
                own = [{}, {}, {}]
            else:
                own = [self.load(os.path.join(ddir, f), {}) for f in DICT_FILES]
                self.check_elements(f"edifact/{d}/elements.json", own[0], EDIFACT_TYPES)
            elements, composites, segments = (dict(s, **o) for s, o in zip(service, own))
            if d != "service":
                self.check_dicts(f"edifact/{d}", elements, composites, own[2])
            for path in self.set_files(ddir, EDIFACT_MSG_RE, "edifact/" + d):
                self.check_set(path, "edifact", None if d == "service" else d, elements, composites, segments)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    base = os.path.abspath(argv[0]) if argv else DEFAULT_DIR
    c = Checker(base)
    c.check_x12()
    c.check_edifact()
    for w in c.warnings:
        print("WARNING", w)
    for e in c.errors:
        print("ERROR", e)
    print(f"{c.files} files checked, {len(c.errors)} errors, {len(c.warnings)} warnings")
    return 1 if c.errors else 0


if __name__ == "__main__":
    sys.exit(main())
