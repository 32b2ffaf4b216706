"""The validator: one engine over schema data, for X12 and EDIFACT alike.

:func:`validate` walks a transaction's segments (``seg[0]`` is the tag) through a
:class:`~gateway.edi.schema.TransactionSchema`: segment order, loops, usage and max use, then
each element's presence, type, length and code, then syntax notes, then (for an 856) the HL
hierarchy. It returns findings as data, each positioned as the standard counts (segment 1 is
ST/UNH, element 1 is the first after the tag). It never names a partner and never raises for
bad input.

What differs between the two standards (how a value splits into repetitions and components,
release characters, the decimal mark, what a date looks like) is behind :class:`Dialect`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Protocol

from .findings import Finding, finding
from .schema import ElementDef, ElementUse, LoopNode, Node, SegmentDef, SegmentNode, TransactionSchema

#: Stop collecting after this many findings in one transaction: past it, a person learns nothing new.
MAX_FINDINGS = 200

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_X12_R = re.compile(r"-?(\d+\.?\d*|\.\d+)([Ee]-?\d+)?\Z", re.ASCII)
_X12_N = re.compile(r"-?\d+\Z", re.ASCII)
_TIME = re.compile(r"([01]\d|2[0-3])[0-5]\d([0-5]\d(\d{1,2})?)?\Z", re.ASCII)


class Dialect(Protocol):
    """What the engine needs to know about the standard a transaction is written in."""

    standard: str
    version: str

    def components(self, value: str) -> list[str]: ...

    def repetitions(self, value: str) -> list[str]: ...

    def unescape(self, value: str) -> str: ...

    def raw(self, seg: Sequence[str]) -> str: ...

    def known_segment(self, tag: str) -> bool: ...

    def check_value(self, value: str, element: ElementDef) -> str | None:
        """The finding code for a value of the wrong form, or None when it is well formed."""
        ...

    def value_length(self, value: str, element: ElementDef) -> int: ...

    def check_composite(self, composite_id: str, parts: list[str]) -> list[tuple[str, int, str]]:
        """Rules across a composite's components: (finding code, component position, what is wrong)."""
        ...


def _valid_ccyymmdd(value: str) -> bool:
    try:
        date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return False
    return True


def check_x12_value(value: str, element: ElementDef) -> str | None:
    """Type check of one X12 value against its dictionary entry."""
    t = element.type
    if t in ("AN", "ID", "B"):
        return None
    if t[0] == "N":
        return None if _X12_N.match(value) else "element.invalid_number"
    if t == "R":
        return None if _X12_R.match(value) else "element.invalid_number"
    if t == "DT":
        if not (value.isascii() and value.isdigit()) or len(value) not in (6, 8):
            return "element.invalid_date"
        return None if _valid_ccyymmdd(value if len(value) == 8 else "20" + value) else "element.invalid_date"
    if t == "TM":
        return None if _TIME.match(value) else "element.invalid_time"
    return None


def x12_value_length(value: str, element: ElementDef) -> int:
    """Length as X12 counts it: signs and decimal points do not count for numbers."""
    t = element.type
    if t[0] == "N" or t == "R":
        return sum(1 for ch in value if ch.isdigit())
    return len(value)


@dataclass(frozen=True, slots=True)
class _Plan:
    """How to check one segment definition quickly; anything unusual goes down the full path.

    ``shape`` is one regular expression for the whole segment (tag, element separators, each
    element's length and form, trailing elements left out): a segment that fits it and holds
    listed codes and real dates passes every element rule without a Python loop per element.
    """

    segment: SegmentDef
    entries: list[tuple[int, ElementUse, str, int, int, frozenset[str] | None]]
    required: tuple[int, ...]
    notes: list[tuple[int, str, tuple[int, ...]]]  # (lowest position, kind, positions)
    shape: re.Pattern[str] | None
    coded: tuple[tuple[int, frozenset[str]], ...]
    dated: tuple[int, ...]
    loose: tuple[int, ...]  # composites and repeats: always the full rules when present
    clean: set[str] = field(default_factory=set)


#: Tag sequences of clean transactions and the segment definitions they were placed on, per schema.
_SHAPES: dict[tuple[int, str, str], dict[tuple[str, ...], tuple[SegmentDef, ...]]] = {}
_SHAPE_CACHE = 1024
#: Segments remembered as clean, per plan; the set is emptied when it reaches this size.
_CLEAN_CACHE = 4096
#: Per schema (by id: schemas are cached for the life of the process), delimiters and tag: the fast plan.
_PLANS: dict[tuple[int, str, str], dict[str, _Plan]] = {}
_FAST_TYPES = {"AN": "AN", "ID": "ID", "an": "AN", "N0": "N", "R": "R"}


def _positions(digits: str) -> tuple[int, ...]:
    return tuple(int(digits[i : i + 2]) for i in range(0, len(digits), 2))


def _note_holds(kind: str, positions: tuple[int, ...], have: list[int]) -> bool:
    """Whether a syntax note (P, R, E, C, L) holds, given which of its positions hold a value."""
    if kind == "P":
        return not have or len(have) == len(positions)
    if kind == "R":
        return bool(have)
    if kind == "E":
        return len(have) <= 1
    if kind == "C":
        return positions[0] not in have or len(have) == len(positions)
    if kind == "L":
        return positions[0] not in have or len(have) > 1
    return True


def _value_pattern(el: ElementDef, other: str) -> str | None:
    """A regular expression that accepts only values that pass every type and length rule of ``el``.

    ``other`` is a character class of what a value never holds (the element separator).
    """
    t, lo, hi = el.type, el.min, el.max
    if t in ("AN", "ID", "an"):
        return f"{other}{{{lo},{hi}}}"
    if (t[0] == "N" and t[1:].isdigit()) or t == "n":
        return f"[0-9]{{{lo},{hi}}}"
    if t == "R":
        return f"(?:[0-9]{{{lo},{hi}}}|(?=[0-9.]{{2,{hi + 1}}}(?![0-9.]))[0-9]*\\.[0-9]+)"
    if t == "DT" and lo == hi and lo in (6, 8):
        return f"[0-9]{{{lo}}}"
    if t == "TM":
        return f"(?=[0-9]{{{lo},{hi}}}(?![0-9]))(?:[01][0-9]|2[0-3])[0-5][0-9](?:[0-5][0-9](?:[0-9]{{1,2}})?)?"
    return None


def _shape(sd: SegmentDef, element_sep: str, parts: list[str], required: list[int]) -> re.Pattern[str] | None:
    if not element_sep:
        return None
    sep = re.escape(element_sep)
    last = required[-1] if required else 0
    head = re.escape(sd.tag)
    for k in range(1, last + 1):
        head += sep + parts[k - 1]
    tail = ""
    for k in range(len(parts), last, -1):
        tail = f"(?:{sep}{parts[k - 1]}{tail})?"
    return re.compile(head + tail, re.ASCII | re.DOTALL)


def _plan(sd: SegmentDef, schema: TransactionSchema, element_sep: str) -> _Plan:
    entries = []
    required: list[int] = []
    parts: list[str] = []
    coded: list[tuple[int, frozenset[str]]] = []
    dated: list[int] = []
    loose: list[int] = []
    other = f"[^{re.escape(element_sep)}]" if element_sep else "[^\x00]"
    for k, use in enumerate(sd.elements, start=1):
        el = use.element
        fast, lo, hi, codes = "", 0, 0, None
        pattern: str | None = None
        if el is not None and use.repeat == 1:
            fast = _FAST_TYPES.get(el.type, "")
            lo, hi = el.min, el.max
            codes = schema.codes.get(f"{sd.tag}{k:02d}", el.codes)
            pattern = _value_pattern(el, other)
            if pattern is not None and codes is not None:
                coded.append((k, codes))
            if pattern is not None and el.type == "DT":
                dated.append(k)
        if pattern is None:
            pattern = other + "*"
            loose.append(k)
        if use.usage == "M":
            required.append(k)
            parts.append(pattern if k not in loose else other + "+")
        else:
            parts.append(f"(?:{pattern})?")
        entries.append((k, use, fast, lo, hi, codes))
    notes = [(min(ps), note[0], ps) for note in sd.syntax for ps in [_positions(note[1:])]]
    shape = _shape(sd, element_sep, parts, required)
    return _Plan(sd, entries, tuple(required), notes, shape, tuple(coded), tuple(dated), tuple(loose))


_DT = ElementDef("373", "Date", "DT", 8, 8)


def _element_separator(dialect: Dialect) -> str:
    sep = getattr(getattr(dialect, "delimiters", None), "element", "")
    return sep if isinstance(sep, str) else ""


@cache
def _odd(specials: str) -> re.Pattern[str]:
    """What sends a value down the full path: a control character, or one of ``specials``."""
    return re.compile("[\x00-\x1f\x7f" + re.escape(specials) + "]")


def _specials(dialect: Dialect) -> str:
    """Characters that send a value down the full path: component, repetition and release characters."""
    chars = ""
    delimiters = getattr(dialect, "delimiters", None)
    for name in ("component", "repetition", "release"):
        ch = getattr(delimiters, name, None)
        if isinstance(ch, str) and ch.strip():
            chars += ch
    return chars


@dataclass(slots=True)
class _Frame:
    loop: LoopNode
    index: int = 0
    counts: dict[int, int] = field(default_factory=dict)
    iteration: int = 1


_WHAT = {
    "element.invalid_number": "a number was expected",
    "element.invalid_date": "a valid date was expected",
    "element.invalid_time": "a valid time was expected",
    "element.invalid_character": "it holds a character that is not allowed",
}


class _Validator:
    def __init__(self, schema: TransactionSchema, dialect: Dialect) -> None:
        self.schema = schema
        self.d = dialect
        self.findings: list[Finding] = []
        self.stack: list[_Frame] = [_Frame(schema.root, 0, {})]
        self.trailer = "SE" if dialect.standard == "x12" else "UNT"
        self.pos = 0
        self.seg: Sequence[str] = ()
        specials = _specials(dialect)
        # plans remember clean segments, and what is clean depends on the delimiters in force
        self.element_sep = _element_separator(dialect)
        key = (id(schema), dialect.standard, specials + self.element_sep)
        self.plans = _PLANS.setdefault(key, {})
        self.shapes = _SHAPES.setdefault(key, {})
        self.odd = _odd(specials)

    # -- reporting -----------------------------------------------------------------------------

    def add(self, f: Finding) -> None:
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(f)

    def loop_path(self) -> tuple[str, ...]:
        return tuple(fr.loop.id for fr in self.stack[1:])

    def where(self) -> str:
        tag = self.seg[0] if self.seg else "?"
        text = f"{tag} (segment {self.pos}"
        if len(self.stack) > 1:
            fr = self.stack[-1]
            text += f", {fr.loop.id} loop #{fr.iteration}"
        return text + ")"

    def seg_finding(self, code: str, message: str, tag: str | None = None) -> None:
        self.add(
            finding(
                code,
                message,
                segment_index=self.pos,
                segment_tag=tag or (self.seg[0] if self.seg else None),
                loop_path=self.loop_path(),
                segment=self.d.raw(self.seg) if self.seg else None,
            )
        )

    def elem_finding(
        self,
        code: str,
        message: str,
        position: int,
        component: int | None = None,
        repetition: int | None = None,
        data_element: str | None = None,
    ) -> None:
        tag = self.seg[0]
        ref = f"{tag}{position:02d}" + (f"-{component:02d}" if component else "")
        self.add(
            finding(
                code,
                message,
                segment_index=self.pos,
                segment_tag=tag,
                element_position=position,
                component_position=component,
                repetition=repetition,
                element_ref=ref,
                data_element=data_element,
                loop_path=self.loop_path(),
                segment=self.d.raw(self.seg),
            )
        )

    # -- structure ------------------------------------------------------------------------------

    def run(self, segments: Sequence[Sequence[str]]) -> list[Finding]:
        tags = tuple(seg[0] for seg in segments)
        shapes = self.shapes
        known = shapes.get(tags)
        if known is not None and self.replay(segments, known):
            return self.findings
        defs: list[SegmentDef] = []
        for i, seg in enumerate(segments):
            self.pos = i + 1
            self.seg = seg
            tag = seg[0]
            if not tag:
                self.seg_finding("segment.empty", f"Segment {self.pos} is empty.")
                continue
            node = self.place(tag)
            if node is not None:
                defs.append(node.segment)
                self.check_segment(node.segment)
        self.seg = ()
        while self.stack:
            self.close_frame(self.stack[-1], self.pos)  # while on the stack: findings name its loop
            self.stack.pop()
        if not self.findings and len(defs) == len(segments):
            # a clean transaction: the next one with the same tag sequence takes the same places
            if len(shapes) >= _SHAPE_CACHE:
                shapes.clear()
            shapes[tags] = tuple(defs)
        if self.schema.hierarchy is not None:
            self.check_hierarchy(segments)
        return self.findings

    def replay(self, segments: Sequence[Sequence[str]], defs: tuple[SegmentDef, ...]) -> bool:
        """Check a transaction whose tag sequence placed cleanly before: elements only.

        Returns False, with nothing recorded, at the first finding: the full walk then runs and
        reports it with its loop context.
        """
        for i, seg in enumerate(segments):
            self.pos = i + 1
            self.seg = seg
            self.check_segment(defs[i])
            if self.findings:
                self.findings.clear()
                self.seg = ()
                return False
        self.seg = ()
        self.stack = []
        if self.schema.hierarchy is not None:
            self.check_hierarchy(segments)
        return True

    def place(self, tag: str) -> SegmentNode | None:
        """Find ``tag`` from the current position outwards, move there, and report what was skipped."""
        stack = self.stack
        for depth in range(len(stack) - 1, -1, -1):
            fr = stack[depth]
            places = fr.loop.where.get(tag)
            if places is None:
                continue
            start = fr.index
            # a loop's trigger (child 0) never repeats inside the loop: it starts the next iteration
            first = start if start or not depth else 1
            j = next((p for p in places if p >= first), -1)
            if j < 0:
                continue
            # found: unwind the deeper frames, then step over what lies between
            while len(stack) - 1 > depth:
                self.close_frame(stack[-1], self.pos)
                stack.pop()
            self.skip(fr, start, j)
            return self.enter(fr, j, fr.loop.children[j])
        self.unplaced(tag)
        return None

    def skip(self, fr: _Frame, start: int, j: int) -> None:
        """Moving from child ``start`` to ``j`` of ``fr``: mandatory children in between are missing."""
        self.missing_between(fr, start, j)
        fr.index = j

    def missing_between(self, fr: _Frame, start: int, stop: int) -> None:
        """Report the mandatory children of ``fr`` in ``[start, stop)`` that were never seen."""
        children = fr.loop.children
        for k in fr.loop.mandatory:
            if k < start:
                continue
            if k >= stop:
                break
            if k == start and fr.counts.get(k):
                continue
            self.missing(children[k])

    def enter(self, fr: _Frame, j: int, child: Node) -> SegmentNode:
        count = fr.counts.get(j, 0) + 1
        fr.counts[j] = count
        if isinstance(child, SegmentNode):
            if count > child.max_use:
                self.seg_finding(
                    "segment.over_max_use",
                    f"{self.where()} appears {count} times here; at most {child.max_use} allowed.",
                )
            return child
        frame = _Frame(child, 0, {0: 1}, count)
        self.stack.append(frame)
        if count > child.repeat:
            self.seg_finding(
                "segment.loop_over_max",
                f"Loop {child.id} repeats {count} times; at most {child.repeat} allowed.",
            )
        trigger = child.children[0]
        assert isinstance(trigger, SegmentNode)
        return trigger

    def missing(self, node: Node) -> None:
        if node.usage != "M":
            return
        tag = node.trigger
        if tag == self.trailer:
            return  # a missing trailer is the envelope's finding (AK502 2)
        what = f"segment {tag}" if isinstance(node, SegmentNode) else f"loop {node.id} (starting with {tag})"
        self.add(
            finding(
                "segment.missing",
                f"Mandatory {what} is missing"
                + (f" before segment {self.pos} ({self.seg[0]})." if self.seg else " at the end of the transaction."),
                segment_index=self.pos,
                segment_tag=tag,
                loop_path=self.loop_path(),
            )
        )

    def close_frame(self, fr: _Frame, pos: int) -> None:
        self.missing_between(fr, fr.index, len(fr.loop.children))

    def unplaced(self, tag: str) -> None:
        if not self.d.known_segment(tag):
            self.seg_finding(
                "segment.unrecognized",
                f"Segment {self.pos} has an unknown tag '{tag}'.",
            )
        elif tag not in self.schema.segments:
            self.seg_finding(
                "segment.not_in_set",
                f"Segment {tag} (segment {self.pos}) is not used in {self.schema.id}.",
            )
        else:
            self.seg_finding(
                "segment.out_of_order",
                f"Segment {tag} (segment {self.pos}) is out of place: {self.schema.id} does not allow it here.",
            )

    # -- elements --------------------------------------------------------------------------------

    def check_segment(self, sd: SegmentDef) -> None:
        seg = self.seg
        uses = sd.elements
        n = len(seg) - 1
        if n > len(uses):
            extra = [k for k in range(len(uses) + 1, len(seg)) if seg[k]]
            if extra:
                self.elem_finding(
                    "element.too_many",
                    f"{self.where()} has {n} elements; {sd.tag} defines {len(uses)}.",
                    extra[0],
                )
        plan = self.plans.get(sd.tag)
        if plan is None or plan.segment is not sd:
            plan = self.plans[sd.tag] = _plan(sd, self.schema, self.element_sep)
        joined = self.element_sep.join(seg)
        known = plan.clean
        if joined in known:
            return  # the very same segment passed every element rule before (parties, dates repeat)
        before = len(self.findings)
        odd = self.odd.search(joined)  # a control character or a component/repetition/release character
        if odd is None and plan.shape is not None and plan.shape.fullmatch(joined):
            self.check_fitted(sd, plan, seg, n)
        else:
            self.check_elements(sd, plan, seg, n, odd is not None)
        for low, kind, positions in plan.notes:
            if low > n and kind != "R":
                continue  # every position of the note is absent: only an R note can fail then
            have = [p for p in positions if p <= n and seg[p]]
            if (kind == "P" and (not have or len(have) == len(positions))) or _note_holds(kind, positions, have):
                continue
            present = [bool(seg[k]) if k <= n else False for k in range(len(uses) + 1)]
            self.check_syntax(sd.tag, sd.syntax, present, None, [u.id for u in uses])
            break
        if len(self.findings) == before and len(self.findings) < MAX_FINDINGS:
            if len(known) >= _CLEAN_CACHE:
                known.clear()
            known.add(joined)

    def check_fitted(self, sd: SegmentDef, plan: _Plan, seg: Sequence[str], n: int) -> None:
        """A segment that fits the plan's shape: only codes, dates and composites are left to look at."""
        for k, codes in plan.coded:
            if k <= n:
                value = seg[k]
                if value and value not in codes:
                    self.check_element(sd, k, sd.elements[k - 1], value)
        for k in plan.dated:
            if k <= n and seg[k] and check_x12_value(seg[k], _DT) is not None:
                self.check_element(sd, k, sd.elements[k - 1], seg[k])
        for k in plan.loose:
            if k <= n and seg[k]:
                self.check_element(sd, k, sd.elements[k - 1], seg[k])

    def check_elements(self, sd: SegmentDef, plan: _Plan, seg: Sequence[str], n: int, odd: bool) -> None:
        """Element by element, with a quick answer for the common values."""
        for (k, use, fast, lo, hi, codes), value in zip(plan.entries, seg[1:]):
            if not value:
                if use.usage == "M":
                    self.check_element(sd, k, use, value)
                continue
            if fast and (not odd or not self.odd.search(value)):
                # the common case, decided without building anything
                size = len(value)
                if fast == "N":
                    if value.isascii() and value.isdigit() and lo <= size <= hi:
                        continue
                elif fast == "R":
                    if value.isascii() and value.replace(".", "", 1).isdigit() and lo <= size - ("." in value) <= hi:
                        continue
                elif lo <= size <= hi and (codes is None or value in codes):
                    continue
            self.check_element(sd, k, use, value)
        for k in plan.required:
            if k > n:
                self.check_element(sd, k, sd.elements[k - 1], "")

    def check_element(self, sd: SegmentDef, k: int, use: ElementUse, value: str) -> None:
        """Every rule for the element at position ``k``: the full path, which also writes the findings."""
        d = self.d
        if not value:
            if use.required:
                self.elem_finding(
                    "element.missing",
                    f"{self.where()}: mandatory {use.name} ({sd.tag}{k:02d}) is missing.",
                    k,
                    data_element=use.id if use.element is not None else None,
                )
            return
        reps = d.repetitions(value) if use.repeat > 1 or d.standard == "x12" else [value]
        if len(reps) > use.repeat:
            self.elem_finding(
                "element.too_many_repetitions",
                f"{self.where()}: {use.name} ({sd.tag}{k:02d}) repeats {len(reps)} times; "
                f"at most {use.repeat} allowed.",
                k,
                data_element=use.id,
            )
        for r, rep in enumerate(reps, start=1):
            repetition = r if len(reps) > 1 else None
            if use.composite is not None:
                self.check_composite(sd, k, use, rep, repetition)
                continue
            assert use.element is not None
            if len(d.components(rep)) > 1:
                self.elem_finding(
                    "element.too_many_components",
                    f"{self.where()}: {use.name} ({sd.tag}{k:02d}) is a simple element but holds "
                    f"a component separator: '{rep}'.",
                    k,
                    repetition=repetition,
                    data_element=use.id,
                )
                continue
            self.check_value(f"{sd.tag}{k:02d}", use.element, rep, k, None, repetition)

    def check_composite(self, sd: SegmentDef, k: int, use: ElementUse, value: str, repetition: int | None) -> None:
        comp = use.composite
        assert comp is not None
        parts = self.d.components(value)
        if len(parts) > len(comp.elements) and any(parts[len(comp.elements) :]):
            self.elem_finding(
                "element.too_many_components",
                f"{self.where()}: {comp.name} ({sd.tag}{k:02d}) has {len(parts)} components; "
                f"{len(comp.elements)} defined.",
                k,
                repetition=repetition,
            )
        for c, cuse in enumerate(comp.elements, start=1):
            cv = parts[c - 1] if c <= len(parts) else ""
            if not cv:
                if cuse.required:
                    self.elem_finding(
                        "element.missing",
                        f"{self.where()}: mandatory {cuse.name} ({sd.tag}{k:02d}-{c:02d}) is missing.",
                        k,
                        c,
                        repetition,
                        cuse.id,
                    )
                continue
            if cuse.element is not None:
                ref = f"{comp.id}.{cuse.id}"
                self.check_value(ref, cuse.element, cv, k, c, repetition)
        for code, c, what in self.d.check_composite(comp.id, [self.d.unescape(p) for p in parts]):
            self.elem_finding(code, f"{self.where()}: {comp.name} ({sd.tag}{k:02d}-{c:02d}) {what}.", k, c, repetition)
        if comp.syntax:
            present = [False] + [bool(parts[i]) if i < len(parts) else False for i in range(len(comp.elements))]
            self.check_syntax(sd.tag, comp.syntax, present, k, [u.id for u in comp.elements])

    def check_value(self, ref: str, el: ElementDef, raw: str, k: int, c: int | None, repetition: int | None) -> None:
        d = self.d
        value = d.unescape(raw)
        label = f"{self.seg[0]}{k:02d}" + (f"-{c:02d}" if c else "")
        name = f"{el.name} ({label})"
        if _CONTROL.search(value):
            self.elem_finding(
                "element.invalid_character",
                f"{self.where()}: {name} holds a control character.",
                k,
                c,
                repetition,
                el.id,
            )
            return
        problem = d.check_value(value, el)
        if problem is not None:
            self.elem_finding(
                problem,
                f"{self.where()}: {name} is '{value}': {_WHAT.get(problem, 'it is malformed')}.",
                k,
                c,
                repetition,
                el.id,
            )
            return
        n = d.value_length(value, el)
        if n < el.min:
            self.elem_finding(
                "element.too_short",
                f"{self.where()}: {name} is '{value}', {n} characters; at least {el.min} required.",
                k,
                c,
                repetition,
                el.id,
            )
        elif n > el.max:
            self.elem_finding(
                "element.too_long",
                f"{self.where()}: {name} is {n} characters long; at most {el.max} allowed.",
                k,
                c,
                repetition,
                el.id,
            )
        # the schema's own code list for this position, else the dictionary's
        codes = self.schema.codes.get(f"{self.seg[0]}{k:02d}" if c is None else ref)
        if codes is None:
            codes = self.schema.codes.get(ref) if c is not None else None
        if codes is None:
            codes = el.codes
        if codes is not None and value not in codes and value.strip() not in codes:
            self.elem_finding(
                "element.invalid_code",
                f"{self.where()}: {name} is '{value}', which is not a valid code here.",
                k,
                c,
                repetition,
                el.id,
            )

    def check_syntax(
        self, tag: str, notes: tuple[str, ...], present: list[bool], composite_at: int | None, ids: list[str]
    ) -> None:
        for note in notes:
            kind = note[0]
            positions = _positions(note[1:])
            have = [p for p in positions if p < len(present) and present[p]]
            if _note_holds(kind, positions, have):
                continue
            missing = [p for p in positions if p not in have]
            if kind == "E":
                code, at = "element.exclusion", have[1]
            elif kind == "R":
                code, at = "element.conditional_missing", positions[0]
            elif kind == "L":
                code, at = "element.conditional_missing", positions[1]
            else:  # P, C
                code, at = "element.conditional_missing", next(p for p in missing if p != positions[0] or kind == "P")
            refs = ", ".join(
                (f"{tag}{composite_at:02d}-{p:02d}" if composite_at else f"{tag}{p:02d}") for p in positions
            )
            rule = {
                "P": "are used together or not at all",
                "R": "need at least one of them present",
                "E": "allow at most one of them",
                "C": "require the others when the first is present",
                "L": "require at least one of the others when the first is present",
            }[kind]
            msg = f"{self.where()}: syntax rule {note}: {refs} {rule}."
            element = ids[at - 1] if 0 < at <= len(ids) else None
            if composite_at:
                self.elem_finding(code, msg, composite_at, at, data_element=element)
            else:
                self.elem_finding(code, msg, at, data_element=element)

    # -- hierarchy (856) -------------------------------------------------------------------------

    def check_hierarchy(self, segments: Sequence[Sequence[str]]) -> None:
        h = self.schema.hierarchy
        assert h is not None
        levels: dict[str, str] = {}
        expected = 1
        self.stack = []
        for i, seg in enumerate(segments):
            if seg[0] != "HL":
                continue
            self.pos, self.seg = i + 1, seg
            hl01 = seg[1] if len(seg) > 1 else ""
            hl02 = seg[2] if len(seg) > 2 else ""
            hl03 = seg[3] if len(seg) > 3 else ""
            if hl01 != str(expected):
                self.elem_finding(
                    "element.invalid_code",
                    f"HL (segment {self.pos}): HL01 is '{hl01}'; HL numbers run 1, 2, 3… so {expected} was expected.",
                    1,
                )
            expected += 1
            allowed = h.levels.get(hl03)
            if allowed is None:
                continue  # an unknown HL03 is reported by the code check
            if hl02 and allowed:
                parent = levels.get(hl02)
                if parent is None:
                    self.elem_finding(
                        "element.invalid_code",
                        f"HL (segment {self.pos}): HL02 '{hl02}' names no earlier HL as parent.",
                        2,
                    )
                elif allowed and parent not in allowed:
                    self.elem_finding(
                        "element.invalid_code",
                        f"HL (segment {self.pos}): a level '{hl03}' cannot sit under a level '{parent}' "
                        f"(allowed parents: {', '.join(sorted(allowed))}).",
                        3,
                    )
            if hl02 and not allowed:
                self.elem_finding(
                    "element.invalid_code",
                    f"HL (segment {self.pos}): level '{hl03}' is a top level and cannot have a parent "
                    f"(HL02 is '{hl02}').",
                    2,
                )
            elif not hl02 and allowed:
                self.elem_finding(
                    "element.missing",
                    f"HL (segment {self.pos}): level '{hl03}' needs a parent in HL02 ({', '.join(sorted(allowed))}).",
                    2,
                )
            levels[hl01] = hl03


LoopPath = tuple[tuple[str, int], ...]


#: Placements by tag sequence, per schema (by id, as for plans): where a segment stands depends on the
#: tags alone, so transactions of one shape are placed once. Emptied when it reaches _SHAPE_CACHE.
_PLACED: dict[int, dict[tuple[str, ...], tuple[LoopPath, ...]]] = {}


def placements(segments: Sequence[Sequence[str]], schema: TransactionSchema, dialect: Dialect) -> list[LoopPath]:
    """For each segment, the loop instances it stands in: ``(("PO1", 2), ("PID", 1))`` for a PID of line 2.

    The same placement the validator makes; a segment the schema does not place stays in the
    scope it was found in. Iterations count from 1 within their parent instance.
    """
    tags = tuple(seg[0] if seg else "" for seg in segments)
    placed = _PLACED.setdefault(id(schema), {})
    known = placed.get(tags)
    if known is not None:
        return list(known)
    v = _Validator(schema, dialect)
    out: list[LoopPath] = []
    for i, seg in enumerate(segments):
        v.pos, v.seg = i + 1, seg
        if seg and seg[0]:
            v.place(seg[0])
        out.append(tuple((fr.loop.id, fr.iteration) for fr in v.stack[1:]))
    if len(placed) >= _SHAPE_CACHE:
        placed.clear()
    placed[tags] = tuple(out)
    return out


def validate(segments: Sequence[Sequence[str]], schema: TransactionSchema, dialect: Dialect) -> list[Finding]:
    """Validate one transaction (ST..SE or UNH..UNT) against ``schema``. Returns findings."""
    return _Validator(schema, dialect).run(segments)


def validate_segment(seg: Sequence[str], definition: SegmentDef, dialect: Dialect) -> list[Finding]:
    """Element rules for one segment on its own (used for envelope headers such as UNB)."""
    v = _Validator(_LONE, dialect)
    v.pos, v.seg, v.stack = 1, seg, []
    v.check_segment(definition)
    return v.findings


_LONE = TransactionSchema("", "", "", "", "", LoopNode("", "M", 1, ()), {}, {}, None)
