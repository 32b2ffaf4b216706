"""The mapping engine: one transaction and a map in, a canonical document out, and back.

Inbound, the transaction is first placed on its schema (the validator's own placement), which
gives every segment its loop instance. Rules then read values from scopes: the header from
the transaction's own segments and the loops no group claims, each group entry from one loop
iteration. Every element a rule reads is marked used; what no rule used is reported.

Outbound, the same rules are read backwards: each field's value goes to the element its path
names (qualifiers from ``where`` written alongside), and segments are ordered as the schema
orders them. The engine never names a partner.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..documents import DOCUMENT_TYPES
from ..edi.delimiters import Number
from ..edi.findings import Finding, finding
from ..edi.schema import LoopNode, SegmentNode, TransactionSchema
from ..edi.validation import Dialect, placements
from .maps import Group, Map, Path_, Rule, parse_path

ENVELOPE = frozenset({"ST", "SE", "UNH", "UNT"})
_NONE: list[int] = []  # no segment of a tag in a scope (shared: never appended to)


@dataclass(slots=True)
class Scope:
    """One loop iteration (or the transaction itself, ``loop`` = "") and the segments directly in it."""

    loop: str
    iteration: int
    segments: list[int] = field(default_factory=list)
    children: list[Scope] = field(default_factory=list)
    parent: Scope | None = None

    def walk(self, skip: frozenset[int] = frozenset()) -> Iterator[int]:
        """Segment indexes in this scope and its descendants (but those in ``skip``), own segments first."""
        yield from self.segments
        for child in self.children:
            if id(child) not in skip:
                yield from child.walk(skip)

    def within(self, loop: str, skip: frozenset[int]) -> Iterator[Scope]:
        """The iterations of ``loop`` under this scope, outside ``skip``."""
        for child in self.children:
            if id(child) in skip:
                continue
            if child.loop == loop:
                yield child
            else:
                yield from child.within(loop, skip)


@dataclass(slots=True)
class Unused:
    """An element present in the input that no rule read."""

    segment_index: int  # from 1, as findings count
    tag: str
    element: str  # "REF02" or "NAD03-02"
    value: str

    def to_dict(self) -> dict[str, Any]:
        return {"segment_index": self.segment_index, "tag": self.tag, "element": self.element, "value": self.value}


@dataclass(slots=True)
class Translation:
    """What a translation produced: the document (None when it could not be built), findings, unused input."""

    document: Any
    data: dict[str, Any]
    findings: list[Finding]
    unused: list[Unused]


def build_tree(paths: Sequence[tuple[tuple[str, int], ...]]) -> Scope:
    root = Scope("", 1)
    index: dict[tuple[tuple[str, int], ...], Scope] = {(): root}
    for i, path in enumerate(paths):
        scope = index.get(path)
        if scope is None:
            for depth in range(1, len(path) + 1):
                sub = path[:depth]
                if sub not in index:
                    parent = index[path[: depth - 1]]
                    made = Scope(sub[-1][0], sub[-1][1], parent=parent)
                    parent.children.append(made)
                    index[sub] = made
            scope = index[path]
        scope.segments.append(i)
    return root


class _Reader:
    """Values of one transaction, unescaped and split, with every read recorded."""

    def __init__(self, segments: Sequence[Sequence[str]], dialect: Dialect) -> None:
        self.segments = segments
        self.d = dialect
        self.used: set[tuple[int, int, int | None]] = set()
        # Read once: every rule reads through raw(), tens of thousands of times per file.
        self._edifact = dialect.standard == "edifact"
        self._components = dialect.components
        self._unescape = dialect.unescape

    def raw(self, i: int, path: Path_) -> str:
        seg = self.segments[i]
        if path.element >= len(seg):
            return ""
        value = seg[path.element]
        if path.component is not None:
            parts = self._components(value)
            value = parts[path.component - 1] if path.component <= len(parts) else ""
        elif self._edifact:
            value = self._components(value)[0] if value else value  # a composite read whole: its first part
        return self._unescape(value)

    def read(self, i: int, path: Path_) -> str:
        value = self.raw(i, path)
        if value:
            self.used.add((i, path.element, path.component))
        return value

    def matches(self, i: int, tag: str, where: tuple[tuple[Path_, tuple[str, ...]], ...]) -> bool:
        """Segment ``i`` has ``tag`` and holds the ``where`` values that concern that tag."""
        if self.segments[i][0] != tag:
            return False
        return all(self.raw(i, p) in v for p, v in where if p.tag == tag)

    def holds(self, i: int, own: tuple[tuple[Path_, tuple[str, ...]], ...]) -> bool:
        """Segment ``i`` holds the values of ``own``: conditions on its own tag (a rule's ``own_where``)."""
        return all(self.raw(i, p) in values for p, values in own)

    def mark_where(self, i: int, where: tuple[tuple[Path_, tuple[str, ...]], ...]) -> None:
        tag = self.segments[i][0]
        for p, _ in where:
            if p.tag == tag:
                self.used.add((i, p.element, p.component))

    def mark(self, i: int, own: tuple[tuple[Path_, tuple[str, ...]], ...]) -> None:
        """Mark the conditions of ``own`` (on segment ``i``'s own tag) as read."""
        for p, _ in own:
            self.used.add((i, p.element, p.component))


def _to_date(value: str, fmt: str) -> date:
    fmt = fmt or ("YYMMDD" if len(value) == 6 else "CCYYMMDD")
    if fmt in ("YYMMDD", "101"):
        return date(2000 + int(value[:2]), int(value[2:4]), int(value[4:6]))
    if fmt in ("CCYYMMDD", "102", "203", "204") or fmt.startswith("CCYY"):
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    raise ValueError(f"date format {fmt} is not one edigw reads")


def _from_date(value: date, fmt: str) -> str:
    if fmt in ("YYMMDD", "101"):
        return value.strftime("%y%m%d")
    if fmt in ("203",):
        return value.strftime("%Y%m%d") + "0000"
    return value.strftime("%Y%m%d")


def _to_time(value: str) -> time:
    """X12 TM (HHMM, HHMMSS, HHMMSSd..): a time of day, with no zone (the standard states none)."""
    if not value.isdigit() or len(value) < 4:
        raise ValueError("a time is HHMM or HHMMSS")
    return time(int(value[:2]), int(value[2:4]), int(value[4:6]) if len(value) >= 6 else 0)


def _from_time(value: time) -> str:
    return value.strftime("%H%M%S" if value.second else "%H%M")


def split_text(text: str, width: int, parts: int) -> list[str]:
    """``text`` over ``parts`` fields of ``width``: cut at the last space that fits (when the rest
    still fits in the fields left), else hard at ``width``.

    A part cut at a space is shorter than ``width`` and drops that space; a hard cut fills the
    field. :func:`join_text` undoes both, so a text written and read again is the same text.
    What does not fit in the last field stays there (and validation says it is too long).
    """
    out: list[str] = []
    while len(text) > width and len(out) < parts - 1:
        cut = text.rfind(" ", 1, width)  # a part cut at a space stays shorter than a full field
        room = width * (parts - len(out) - 1)  # what the fields after this one hold
        if cut > 0 and len(text) - cut - 1 <= room:
            out.append(text[:cut])
            text = text[cut + 1 :]
        else:
            out.append(text[:width])
            text = text[width:]
    return [*out, text]


def join_text(parts: Sequence[str], width: int) -> str:
    """The text :func:`split_text` wrote: a full-width part runs on, a shorter one ended at a space."""
    text = ""
    for n, part in enumerate(parts):
        if n and len(parts[n - 1]) < width:
            text += " "
        text += part
    return text


class _Inbound:
    def __init__(self, m: Map, reader: _Reader, root: Scope) -> None:
        self.m = m
        self.r = reader
        self.root = root
        self.findings: list[Finding] = []
        self.hl: dict[str, Scope] = {}
        for scope in root.children:
            if scope.loop == "HL" and scope.segments:
                hl01 = reader.raw(scope.segments[0], Path_("HL", 1))
                self.hl[hl01] = scope
                for k in (1, 2, 3, 4):  # the hierarchy itself is read by the engine
                    reader.used.add((scope.segments[0], k, None))
        self.taken: dict[int, str] = {}
        self.scopes_of: dict[str, list[Scope]] = {name: [] for name in m.groups}
        self._assign(root, inside=False)
        self.skip = frozenset(self.taken)
        # Segment lists per scope, loop (and tag): many rules read the same scope. The tree does not change.
        self._walked: dict[tuple[int, str], list[int]] = {}
        self._tagged: dict[tuple[int, str], dict[str, list[int]]] = {}

    def _assign(self, scope: Scope, inside: bool) -> None:
        """Give each loop iteration to the first group whose loop and ``when`` it fits, outermost first."""
        for child in scope.children:
            owner = ""
            if not inside and child.segments:
                trigger = child.segments[0]
                for g in self.m.groups.values():
                    if g.loop == child.loop and all(self.r.raw(trigger, p) in v for p, v in g.when):
                        owner = g.name
                        for p, _ in g.when:
                            self.r.used.add((trigger, p.element, p.component))
                        break
            if owner:
                self.taken[id(child)] = owner
                self.scopes_of[owner].append(child)
            self._assign(child, inside or bool(owner))

    # -- scopes ---------------------------------------------------------------------------------

    def level_scopes(self, level: str) -> list[Scope]:
        return [s for s in self.hl.values() if self.r.raw(s.segments[0], Path_("HL", 3)) == level]

    def ancestor(self, scope: Scope, level: str) -> Scope | None:
        seen = 0
        current: Scope | None = scope
        while current is not None and seen < 100:
            seen += 1
            hl02 = self.r.raw(current.segments[0], Path_("HL", 2)) if current.segments else ""
            current = self.hl.get(hl02) if hl02 else None
            if current is not None and self.r.raw(current.segments[0], Path_("HL", 3)) == level:
                return current
        return None

    def scopes_for(self, rule: Rule, scope: Scope) -> list[Scope]:
        if rule.level:
            return self.level_scopes(rule.level)
        if rule.parent:
            found = self.ancestor(scope, rule.parent)
            return [found] if found is not None else []
        return [scope]

    # -- values ---------------------------------------------------------------------------------

    def convert(self, rule: Rule, value: str, i: int) -> Any:
        if rule.lookup is not None:
            value = rule.lookup.get(value, rule.default if rule.default is not None else value)
        if rule.type == "string":
            return value
        try:
            if rule.type == "decimal":
                text = value.replace(",", ".") if self.r.d.standard == "edifact" else value
                number = Decimal(text)
                return number.scaleb(-rule.scale) if rule.scale else number
            if rule.type == "int":
                return int(value)
            if rule.type == "time":
                return _to_time(value)
            fmt = rule.format
            if rule.format_path is not None:
                fmt = self.r.read(i, rule.format_path) or fmt
            if not fmt and self.r.d.standard == "edifact":
                fmt = "102"
            return _to_date(value, fmt)
        except (InvalidOperation, ValueError) as exc:
            where = rule.paths[0] if rule.paths else rule.name
            self.findings.append(
                finding(
                    "mapping.bad_value",
                    f"{rule.name} ({where}, segment {i + 1}) is '{value}', which is not a {rule.type}: {exc}.",
                    segment_index=i + 1,
                    element_ref=str(where),
                )
            )
            return None

    def candidates(self, sc: Scope, loop: str) -> list[int]:
        """The segments a rule over ``loop`` (or the whole scope) reads in ``sc``, in order; walked once per job."""
        key = (id(sc), loop)
        found = self._walked.get(key)
        if found is None:
            skip = self.skip if sc is self.root else frozenset()
            if loop:
                found = [i for inner in sc.within(loop, skip) for i in inner.walk(skip)]
            else:
                found = list(sc.walk(skip))
            self._walked[key] = found
        return found

    def tagged(self, sc: Scope, loop: str, tag: str) -> list[int]:
        """:meth:`candidates` with ``tag``: a map's rules each read one tag, most of a scope's segments are others.

        The candidates are sorted by tag in one pass, the first time a rule reads the scope and loop."""
        key = (id(sc), loop)
        by_tag = self._tagged.get(key)
        if by_tag is None:
            by_tag = self._tagged[key] = {}
            segments = self.r.segments
            for i in self.candidates(sc, loop):
                by_tag.setdefault(segments[i][0], []).append(i)
        return by_tag.get(tag, _NONE)

    def evaluate(self, rule: Rule, scope: Scope) -> Any:
        if rule.count:
            return None
        if rule.const is not None and not rule.paths and not rule.pairs:
            return rule.const
        results: list[Any] = []
        r = self.r
        own = rule.own_where
        loop = rule.loop
        scopes = self.scopes_for(rule, scope) if rule.level or rule.parent else (scope,)
        for sc in scopes:
            if rule.pairs:
                results += self.pairs(rule, sc)
                continue
            for i in self.tagged(sc, loop, rule.tag):
                if own and not r.holds(i, own):
                    continue
                present = [v for v in [r.read(i, p) for p in rule.paths] if v]
                if not present:
                    continue
                if own:
                    r.mark(i, own)
                if rule.listed:
                    results += present
                elif rule.width:
                    results.append(self.convert(rule, join_text(present, rule.width), i))
                elif rule.evidence and present[0] in rule.evidence:
                    results.append(self.refined(rule, present[0], i, self.candidates(sc, loop)))
                else:
                    results.append(self.convert(rule, present[0], i))
                if not (rule.many or rule.listed):
                    return results[0]
        if rule.pairs or rule.many or rule.listed:
            return results
        return None

    def refined(self, rule: Rule, code: str, i: int, candidates: list[int]) -> Any:
        """A code whose meaning the rest of the scope decides (ORDRSP LIN 1229 "changed" + PIA 3: substituted)."""
        for meaning, where in (rule.evidence or {}).get(code, ()):
            for j in candidates:
                if any(self.r.matches(j, p.tag, where) for p, _ in where[:1]):
                    self.r.mark_where(j, where)
                    return meaning
        return self.convert(rule, code, i)

    def pairs(self, rule: Rule, sc: Scope) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        kinds = rule.kinds or {}
        r = self.r
        for q, v in rule.pairs:
            own = rule.own_where if q.tag == rule.tag else tuple((p, c) for p, c in rule.where if p.tag == q.tag)
            for i in self.tagged(sc, rule.loop, q.tag):
                if own and not r.holds(i, own):
                    continue
                value = r.read(i, v)
                if not value:
                    continue
                qualifier = r.read(i, q)
                if own:
                    r.mark(i, own)
                out.append({"kind": kinds.get(qualifier, "other"), "value": value, "qualifier": qualifier})
        return out

    def fields(self, rules: dict[str, Rule], scope: Scope) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, rule in rules.items():
            value = self.evaluate(rule, scope)
            if value is not None and value != [] and value != "":
                out[name] = value
        return out

    def group(self, g: Group) -> list[dict[str, Any]]:
        return [self.fields(g.fields, scope) for scope in self.scopes_of[g.name]]


def _unused(reader: _Reader, ignore: frozenset[str]) -> list[Unused]:
    out: list[Unused] = []
    d = reader.d
    for i, seg in enumerate(reader.segments):
        tag = seg[0]
        if tag in ENVELOPE or tag in ignore or not tag:
            continue
        for k in range(1, len(seg)):
            value = seg[k]
            if not value or (i, k, None) in reader.used:
                continue
            parts = d.components(value)
            if len(parts) == 1 and d.standard == "x12":
                out.append(Unused(i + 1, tag, f"{tag}{k:02d}", d.unescape(value)))
                continue
            for c, part in enumerate(parts, start=1):
                if part and (i, k, c) not in reader.used and not (c == 1 and (i, k, None) in reader.used):
                    out.append(Unused(i + 1, tag, f"{tag}{k:02d}-{c:02d}", d.unescape(part)))
    return out


def _run_hook(m: Map, data: dict[str, Any], segments: Sequence[Sequence[str]]) -> tuple[dict[str, Any], list[Finding]]:
    if not m.hook:
        return data, []
    file, _, func = m.hook.partition(":")
    path = (m.hook_base or Path(".")) / file
    try:
        spec = importlib.util.spec_from_file_location(f"edigw_hook_{path.stem}", path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        fn: Callable[[dict[str, Any], Sequence[Sequence[str]]], dict[str, Any]] = getattr(module, func or "adjust")
        return fn(data, segments), []
    except Exception as exc:  # a partner's hook must never take the gateway down: it becomes a finding
        return data, [
            finding(
                "mapping.hook_failed",
                f"The map's hook {m.hook} ({m.source}) failed: {type(exc).__name__}: {exc}. "
                "Fix the hook; the document was built without it.",
            )
        ]


def translate(
    segments: Sequence[Sequence[str]],
    m: Map,
    schema: TransactionSchema,
    dialect: Dialect,
    *,
    provenance: dict[str, Any] | None = None,
) -> Translation:
    """Turn one transaction into the map's document. Problems are findings, never exceptions."""
    reader = _Reader(segments, dialect)
    root = build_tree(placements(segments, schema, dialect))
    inbound = _Inbound(m, reader, root)
    data = inbound.fields(m.fields, root)
    for name, g in m.groups.items():
        entries = inbound.group(g)
        if entries:
            data[name] = entries
    data, hook_findings = _run_hook(m, data, segments)
    findings = inbound.findings + hook_findings
    if provenance:
        data["provenance"] = provenance
    cls = DOCUMENT_TYPES[m.document]
    document = None
    try:
        document = cls.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"])
            rule = _rule_for(m, err["loc"])
            hint = f" (the map reads it from {rule})" if rule else ""
            code = "mapping.missing" if err["type"] == "missing" else "mapping.bad_value"
            findings.append(
                finding(
                    code,
                    f"{m.document}.{loc}: {err['msg']}{hint}. Check the transaction, or the map {m.source}.",
                    element_ref=rule or None,
                )
            )
    return Translation(document, data, findings, _unused(reader, m.ignore))


def _rule_for(m: Map, loc: tuple[Any, ...]) -> str:
    if not loc:
        return ""
    name = str(loc[0])
    rule = m.fields.get(name)
    if rule is None and name in m.groups and len(loc) >= 3:
        rule = m.groups[name].fields.get(str(loc[2]))
    if rule is None:
        return ""
    if rule.paths:
        return ", ".join(str(p) for p in rule.paths)
    if rule.pairs:
        return ", ".join(f"{q}:{v}" for q, v in rule.pairs)
    return ""


# -- outbound -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Builder:
    tag: str
    slot: int
    values: dict[int, dict[int, str]] = field(default_factory=dict)  # element → component (0 = whole) → value
    loop: str = ""  # a header rule pinned to a loop: written inside an iteration of it

    def set(self, path: Path_, value: str) -> None:
        self.values.setdefault(path.element, {})[path.component or 0] = value

    def get(self, path: Path_) -> str:
        return self.values.get(path.element, {}).get(path.component or 0, "")

    def elements(self) -> list[str | tuple[str, ...]]:
        out: list[str | tuple[str, ...]] = [self.tag]
        for k in range(1, max(self.values, default=0) + 1):
            parts = self.values.get(k)
            if not parts:
                out.append("")
            elif set(parts) == {0}:
                out.append(parts[0])
            else:
                top = max(parts)
                out.append(tuple(parts.get(c, "") for c in range(1, top + 1)))
        return out


def _order(node: LoopNode) -> dict[str, int]:
    """Tag (and ``loop:ID``) → its position in the loop; a direct child wins over one nested deeper."""
    order: dict[str, int] = {}

    def visit(n: LoopNode, base: int, scale: int) -> None:
        for k, child in enumerate(n.children):
            key = child.tag if isinstance(child, SegmentNode) else f"loop:{child.id}"
            order.setdefault(key, base + k * scale)
        for k, child in enumerate(n.children):
            if isinstance(child, LoopNode):
                visit(child, base + k * scale, max(scale // 100, 1))

    visit(node, 0, 1_000_000)
    return order


def _find_loop(node: LoopNode, loop_id: str) -> LoopNode | None:
    """The shallowest loop with this id (810: the summary SAC loop, not the one inside IT1)."""
    queue = [node]
    while queue:
        current = queue.pop(0)
        for child in current.children:
            if isinstance(child, LoopNode):
                if child.id == loop_id:
                    return child
                queue.append(child)
    return None


class _Outbound:
    def __init__(self, m: Map, schema: TransactionSchema, standard: str) -> None:
        self.m = m
        self.schema = schema
        self.standard = standard

    def text(self, rule: Rule, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, time):
            return _from_time(value)
        if isinstance(value, date):
            return _from_date(value, rule.format or ("102" if self.standard == "edifact" else ""))
        if isinstance(value, Decimal):
            if rule.scale:
                return str(int((value.scaleb(rule.scale)).to_integral_value()))
            return Number(format(value.normalize(), "f"))  # the writer gives it the partner's decimal mark
        text = str(value)
        if rule.write and text in rule.write:
            return rule.write[text]
        if rule.lookup is not None:
            for code, meaning in rule.lookup.items():
                if meaning == text:
                    return code
            if text not in rule.lookup:
                return ""  # a meaning this map has no code for: nothing rather than a word in a coded element
        return text

    def builders(self, rules: dict[str, Rule], data: dict[str, Any], order: dict[str, int]) -> list[_Builder]:
        made: list[tuple[int, str, _Builder]] = []

        def builder(tag: str, where: tuple[tuple[Path_, tuple[str, ...]], ...], n: int = 0, loop: str = "") -> _Builder:
            # rules on one segment share it unless their qualifiers disagree (REF*DP and REF*CT are two REFs)
            for m_n, m_loop, b in made:
                if (
                    b.tag == tag
                    and m_n == n
                    and m_loop == loop
                    and all(b.get(p) in ("", v[0]) for p, v in where if p.tag == tag)
                ):
                    break
            else:
                b = _Builder(tag, order.get(tag, 10**12), loop=loop)
                made.append((n, loop, b))
            for p, v in where:
                if p.tag == tag:
                    b.set(p, v[0])
            return b

        for name, rule in rules.items():
            if rule.level or rule.parent or rule.const is not None or rule.count:
                continue
            loop = rule.loop
            value = data.get(name)
            if value in (None, "", []):
                continue
            if rule.pairs:
                # one segment per tag: LIN03 takes the first id, PIA02..PIA06 of one PIA the next ones
                for item, (q, v) in zip(value, rule.pairs):
                    qualifier = item.get("qualifier") or _inverse(rule.kinds or {}, item.get("kind", ""))
                    b = builder(q.tag, rule.where, 0, loop)
                    b.set(q, qualifier)
                    builder(v.tag, rule.where, 0, loop).set(v, str(item["value"]))
                continue
            if rule.width:
                b = builder(rule.tag, rule.where, 0, loop)
                for p, part in zip(rule.paths, split_text(self.text(rule, value), rule.width, len(rule.paths))):
                    b.set(p, part)
                continue
            if rule.listed:
                width = len(rule.paths)  # more values than paths: another segment (a third address line, a second N3)
                for n in range(0, len(value), width):
                    b = builder(rule.tag, rule.where, n // width, loop)
                    for p, item in zip(rule.paths, value[n : n + width]):
                        b.set(p, str(item))
                continue
            values = value if rule.many and isinstance(value, list) else [value]
            for n, item in enumerate(values):
                path = rule.paths[0]
                b = builder(path.tag, rule.where, n, loop)
                b.set(path, self.text(rule, item))
                if rule.format_path is not None:
                    b.set(rule.format_path, rule.format or "102")
        return [b for _, _, b in made]

    def transaction(self, data: dict[str, Any]) -> list[list[str | tuple[str, ...]]]:
        root_order = _order(self.schema.root)
        blocks: list[tuple[int, list[_Builder]]] = []
        header = self.builders(self.m.fields, data, root_order)
        ruled = {p.tag for r in self.m.fields.values() for p in (*r.paths, *(x for pair in r.pairs for x in pair))}
        for ref, rule in self.m.outbound.items():
            path = parse_path(ref, str(self.m.source))
            if rule.count:
                value = str(len(data.get(rule.count) or []))
            elif rule.const is not None:
                value = str(rule.const)
            else:
                continue
            # a constant completes the segments the rules wrote (those of its tag and qualifiers
            # that lack it); a segment no rule writes (UNS, CTT) it writes on its own
            # (with ``loop``: in that loop, and only when rules wrote something in it: the N9 that
            # opens an 850's MSG notes)
            if rule.loop and not any(b.loop == rule.loop for b in header):
                continue
            same = [
                b
                for b in header
                if b.tag == path.tag
                and b.loop == rule.loop
                and all(b.get(p) == v[0] for p, v in rule.where if p.tag == path.tag)
            ]
            for b in same:
                if not b.get(path):
                    b.set(path, value)
            if same or rule.where or path.tag in ruled:
                continue  # a segment the rules write but did not: nothing to complete
            b = _Builder(path.tag, root_order.get(path.tag, 10**12), loop=rule.loop)
            b.set(path, value)
            header.append(b)
        pinned: dict[str, list[_Builder]] = {}
        for b in header:
            if b.loop:
                pinned.setdefault(b.loop, []).append(b)
            else:
                blocks.append((b.slot, [b]))
        for loop_id, bs in pinned.items():
            node = _find_loop(self.schema.root, loop_id)
            inner = _order(node) if node is not None else {}
            for b in bs:
                b.slot = inner.get(b.tag, 10**12)
            blocks.append((root_order.get(f"loop:{loop_id}", 10**12), sorted(bs, key=lambda b: b.slot)))
        hierarchical = self.schema.hierarchy is not None and any(g.loop == "HL" for g in self.m.groups.values())
        inside_hl = self.inside_hl() if hierarchical else set()
        for name, g in self.m.groups.items():
            if name in inside_hl or (hierarchical and g.loop == "HL"):
                continue  # written by hierarchy(): the HL tree, with the shipment's parties inside it
            loop = _find_loop(self.schema.root, g.loop)
            entries = data.get(name) or []
            if loop is None or not entries:
                continue
            chain = _loop_chain(self.schema.root, g.loop)
            start = root_order.get(f"loop:{chain[0].id if chain else g.loop}", 10**12)
            # a group nested in loops no rule writes (DESADV: LIN inside CPS): open each of them once
            wrappers = [_Builder(node.trigger, 0) for node in chain]
            for b in wrappers:
                b.set(Path_(b.tag, 1), "1")
            group = [b for bs in self.group_blocks(g, entries, _order(loop)) for b in bs]
            blocks.append((start, wrappers + group))
        if hierarchical:
            blocks.append((root_order.get("loop:HL", 10**12), self.hierarchy(data, inside_hl)))
        blocks.sort(key=lambda block: block[0])
        return [b.elements() for _, bs in blocks for b in bs]

    def group_blocks(self, g: Group, entries: list[dict[str, Any]], inner: dict[str, int]) -> list[list[_Builder]]:
        """One block of segments per entry of a group, the trigger holding the group's ``when`` values."""
        out = []
        for entry in entries:
            bs = self.builders(g.fields, entry, inner)
            for p, v in g.when:
                trigger = next((b for b in bs if b.tag == p.tag), None)
                if trigger is None:
                    trigger = _Builder(p.tag, inner.get(p.tag, 0))
                    bs.append(trigger)
                trigger.set(p, v[0])
            bs.sort(key=lambda b: b.slot)
            out.append(bs)
        return out

    def inside_hl(self) -> set[str]:
        """Groups (other than the HL one) whose loop lives inside the HL loop: parties in an 856."""
        hl = _find_loop(self.schema.root, "HL")
        if hl is None:
            return set()
        return {name for name, g in self.m.groups.items() if g.loop != "HL" and _find_loop(hl, g.loop) is not None}

    def hierarchy(self, data: dict[str, Any], inside_hl: set[str]) -> list[_Builder]:
        """The 856 HL tree: the shipment, an order per PO number, packs when items name one, then items."""
        hl_loop = _find_loop(self.schema.root, "HL")
        assert hl_loop is not None
        inner = _order(hl_loop)
        item_group = next(g for g in self.m.groups.values() if g.loop == "HL")
        item_level = next((v[0] for p, v in item_group.when if str(p) == "HL03"), "I")
        parents = sorted(
            {r.parent for r in item_group.fields.values() if r.parent}, key=lambda level: _HL_RANK.get(level, 5)
        )
        level_rules: dict[str, dict[str, Rule]] = {}
        for name, rule in self.m.fields.items():
            if rule.level:
                level_rules.setdefault(rule.level, {})[name] = replace(rule, level="")
        out: list[_Builder] = []
        counter = [0]

        def hl(parent: str, level: str, has_children: bool) -> str:
            counter[0] += 1
            b = _Builder("HL", inner.get("HL", 0))
            for k, v in ((1, str(counter[0])), (2, parent), (3, level), (4, "1" if has_children else "0")):
                b.set(Path_("HL", k), v)
            out.append(b)
            return str(counter[0])

        def emit(bs: list[_Builder]) -> None:
            out.extend(sorted(bs, key=lambda b: b.slot))

        items = data.get(item_group.name) or []
        # each item's place: the values of its parent rules, outermost level first
        keyed: list[tuple[tuple[str, ...], dict[str, Any]]] = []
        for item in items:
            key = tuple(str(item.get(self.parent_field(item_group, level)) or "") for level in parents)
            keyed.append((key, item))
        # order numbers the header lists but no item names still get their order level
        extra_orders = [
            str(v) for name, rule in level_rules.get("O", {}).items() if rule.many for v in data.get(name) or []
        ]
        shipment_rules = level_rules.get("S", {})
        s_id = hl("", "S", bool(items) or bool(extra_orders))
        emit(self.builders(shipment_rules, data, inner))
        for name in inside_hl:
            g = self.m.groups[name]
            for bs in self.group_blocks(g, data.get(name) or [], inner):
                out.extend(bs)

        def subtree(prefix: tuple[str, ...], depth: int, parent_id: str) -> None:
            if depth == len(parents):
                for key, item in keyed:
                    if key == prefix:
                        hl(parent_id, item_level, False)
                        rules = {n: r for n, r in item_group.fields.items() if not r.parent}
                        emit(self.builders(rules, item, inner))
                return
            level = parents[depth]
            seen: list[str] = []
            for key, _ in keyed:
                if key[:depth] == prefix and key[depth] not in seen:
                    seen.append(key[depth])
            if level == "O":
                seen += [o for o in extra_orders if o not in seen]
            for value in seen:
                if not value:  # items that name no order (or pack) hang from the level above
                    subtree((*prefix, value), depth + 1, parent_id)
                    continue
                node = hl(parent_id, level, True)
                field_name = self.parent_field(item_group, level)
                rule = replace(item_group.fields[field_name], parent="")
                emit(self.builders({field_name: rule}, {field_name: value}, inner) if value else [])
                subtree((*prefix, value), depth + 1, node)

        subtree((), 0, s_id)
        return out

    @staticmethod
    def parent_field(g: Group, level: str) -> str:
        return next(name for name, rule in g.fields.items() if rule.parent == level)


_HL_RANK = {"S": 0, "O": 1, "T": 2, "P": 3, "I": 4}


def _loop_chain(node: LoopNode, loop_id: str) -> list[LoopNode]:
    """The loops between ``node`` and the shallowest loop ``loop_id`` (that loop excluded)."""
    paths: list[tuple[LoopNode, list[LoopNode]]] = [(node, [])]
    while paths:
        current, chain = paths.pop(0)
        for child in current.children:
            if isinstance(child, LoopNode):
                if child.id == loop_id:
                    return chain
                paths.append((child, [*chain, child]))
    return []


def _inverse(table: dict[str, str], value: str) -> str:
    for code, meaning in table.items():
        if meaning == value:
            return code
    return ""


def render(document: Any, m: Map, schema: TransactionSchema) -> list[list[str | tuple[str, ...]]]:
    """The transaction body (without ST/SE or UNH/UNT) that the map writes for ``document``."""
    # only what the document states: a model default (a line's status "accepted") is not data to write
    data = document.model_dump(mode="python", exclude_unset=True) if hasattr(document, "model_dump") else dict(document)
    return _Outbound(m, schema, m.standard).transaction(data)
