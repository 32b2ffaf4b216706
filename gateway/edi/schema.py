"""Transaction-set schemas: the JSON data under ``schemas/`` loaded into frozen objects.

The data format is described in ``schemas/FORMAT.md``. Loading checks every reference (a
segment tag or element id that the data does not define raises :class:`SchemaError`, which
is a bug in our data, never a property of the input). Schemas are cached per process.

Version names: X12 schemas are keyed by the base version of GS08 (``004010VICS`` and
``004010X357`` use ``004010``); EDIFACT schemas by directory (``D96A``, ``D01B``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from .errors import SchemaError

UNBOUNDED = 99999


@dataclass(frozen=True, slots=True)
class ElementDef:
    """A simple data element from the dictionary."""

    id: str
    name: str
    type: str
    min: int
    max: int
    codes: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class ElementUse:
    """An element or composite at one position of a segment or composite."""

    id: str
    usage: str
    repeat: int
    element: ElementDef | None
    composite: CompositeDef | None

    @property
    def required(self) -> bool:
        return self.usage == "M"

    @property
    def name(self) -> str:
        if self.element is not None:
            return self.element.name
        assert self.composite is not None
        return self.composite.name


@dataclass(frozen=True, slots=True)
class CompositeDef:
    id: str
    name: str
    elements: tuple[ElementUse, ...]
    syntax: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SegmentDef:
    tag: str
    name: str
    elements: tuple[ElementUse, ...]
    syntax: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SegmentNode:
    """A segment at one place of a set's structure."""

    tag: str
    usage: str
    max_use: int
    segment: SegmentDef

    @property
    def trigger(self) -> str:
        return self.tag


@dataclass(frozen=True, slots=True)
class LoopNode:
    """A loop (X12) or segment group (EDIFACT); ``children[0]`` is its trigger segment."""

    id: str
    usage: str
    repeat: int
    children: tuple[SegmentNode | LoopNode, ...]
    triggers: tuple[str, ...] = field(init=False, repr=False, compare=False)
    mandatory: tuple[int, ...] = field(init=False, repr=False, compare=False)
    where: dict[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # the tag that opens each child, for a C-speed lookup while placing segments,
        # and which children are mandatory, so that skipping over optional ones costs nothing
        object.__setattr__(self, "triggers", tuple(c.trigger for c in self.children))
        object.__setattr__(self, "mandatory", tuple(i for i, c in enumerate(self.children) if c.usage == "M"))
        where: dict[str, list[int]] = {}
        for i, tag in enumerate(self.triggers):
            where.setdefault(tag, []).append(i)
        object.__setattr__(self, "where", {tag: tuple(ix) for tag, ix in where.items()})

    @property
    def trigger(self) -> str:
        return self.children[0].trigger


Node = SegmentNode | LoopNode


@dataclass(frozen=True, slots=True)
class Hierarchy:
    """HL rules (X12 856): the HL03 level codes allowed and the parent levels each may have."""

    loop: str
    levels: dict[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class TransactionSchema:
    """One transaction set (X12) or message (EDIFACT) in one version."""

    standard: str
    id: str
    version: str
    name: str
    functional_id: str
    root: LoopNode
    segments: dict[str, SegmentDef]
    codes: dict[str, frozenset[str]]
    hierarchy: Hierarchy | None
    guide: str = ""

    def codes_for(self, ref: str, element: ElementDef) -> frozenset[str] | None:
        """The accepted codes at ``ref`` (``N101``, ``C082.3055``), or None when any value goes."""
        found = self.codes.get(ref)
        return found if found is not None else element.codes


def _root() -> Any:
    return resources.files("gateway.edi").joinpath("schemas")


def _read_json(*parts: str) -> Any:
    node = _root()
    for part in parts:
        node = node.joinpath(part)
    if not node.is_file():
        return None
    try:
        return json.loads(node.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # a broken data file is our bug: say which
        raise SchemaError(f"schema file {'/'.join(parts)} cannot be read: {exc}") from exc


def _dir_exists(*parts: str) -> bool:
    node = _root()
    for part in parts:
        node = node.joinpath(part)
    return bool(node.is_dir())


def x12_base_version(gs08: str) -> str:
    """``004010VICS`` → ``004010``; ``005010X231A1`` → ``005010``."""
    return gs08.strip()[:6]


@cache
def x12_versions() -> frozenset[str]:
    """The X12 versions we ship schemas for."""
    return frozenset(v for v in ("003010", "004010", "005010") if _dir_exists("x12", v))


@cache
def x12_guides() -> frozenset[str]:
    """Implementation guides we ship schemas for (the ``guide`` of a set file, e.g. ``005010X231A1``)."""
    found: set[str] = set()
    for version in x12_versions():
        for node in _root().joinpath("x12", version).iterdir():
            name = node.name
            if name[:3].isdigit() and name.endswith(".json"):
                raw = json.loads(node.read_text(encoding="utf-8"))
                if raw.get("guide"):
                    found.add(str(raw["guide"]))
    return frozenset(found)


@cache
def edifact_directories() -> frozenset[str]:
    """The EDIFACT directories we ship schemas for (``D96A``, ``D01B``)."""
    root = _root().joinpath("edifact")
    return frozenset(p.name for p in root.iterdir() if p.is_dir() and p.name.startswith("D"))


class _Dictionary:
    """Elements, composites and segments of one version, resolved into objects."""

    def __init__(self, where: str, elements: dict[str, Any], composites: dict[str, Any], segments: Any) -> None:
        self.where = where
        self.raw_elements = elements
        self.raw_composites = composites
        self.raw_segments: dict[str, Any] = segments
        self._elements: dict[str, ElementDef] = {}
        self._composites: dict[str, CompositeDef] = {}
        self._segments: dict[str, SegmentDef] = {}

    def element(self, eid: str) -> ElementDef:
        found = self._elements.get(eid)
        if found is None:
            raw = self.raw_elements.get(eid)
            if raw is None:
                raise SchemaError(f"{self.where}: data element {eid} is not defined in elements.json")
            codes = raw.get("codes")
            found = ElementDef(
                eid,
                raw.get("name", eid),
                raw["type"],
                int(raw.get("min", 1)),
                int(raw["max"]),
                frozenset(codes) if codes else None,
            )
            self._elements[eid] = found
        return found

    def use(self, entry: list[Any]) -> ElementUse:
        eid, usage = str(entry[0]), str(entry[1])
        repeat = int(entry[2]) if len(entry) > 2 else 1
        usage = "M" if usage == "M" else "O"
        if eid[:1].isalpha():
            return ElementUse(eid, usage, repeat, None, self.composite(eid))
        return ElementUse(eid, usage, repeat, self.element(eid), None)

    def composite(self, cid: str) -> CompositeDef:
        found = self._composites.get(cid)
        if found is None:
            raw = self.raw_composites.get(cid)
            if raw is None:
                raise SchemaError(f"{self.where}: composite {cid} is not defined in composites.json")
            found = CompositeDef(
                cid,
                raw.get("name", cid),
                tuple(self.use(e) for e in raw["elements"]),
                tuple(raw.get("syntax", ())),
            )
            self._composites[cid] = found
        return found

    def segment(self, tag: str, local: dict[str, Any] | None = None) -> SegmentDef:
        if local and tag in local:
            raw = local[tag]
            return SegmentDef(
                tag, raw.get("name", tag), tuple(self.use(e) for e in raw["elements"]), tuple(raw.get("syntax", ()))
            )
        found = self._segments.get(tag)
        if found is None:
            raw = self.raw_segments.get(tag)
            if raw is None:
                raise SchemaError(f"{self.where}: segment {tag} is not defined in segments.json")
            found = SegmentDef(
                tag,
                raw.get("name", tag),
                tuple(self.use(e) for e in raw["elements"]),
                tuple(raw.get("syntax", ())),
            )
            self._segments[tag] = found
        return found

    def has_segment(self, tag: str) -> bool:
        return tag in self.raw_segments


@cache
def _x12_dictionary(version: str) -> _Dictionary:
    elements = dict(_read_json("x12", "elements.json") or {})
    elements.update(_read_json("x12", version, "elements.json") or {})
    composites = _read_json("x12", version, "composites.json") or {}
    segments = _read_json("x12", version, "segments.json")
    if segments is None:
        raise SchemaError(f"x12/{version}/segments.json is missing")
    return _Dictionary(f"x12/{version}", elements, composites, segments)


@cache
def _edifact_dictionary(directory: str) -> _Dictionary:
    elements = dict(_read_json("edifact", "service", "elements.json") or {})
    composites = dict(_read_json("edifact", "service", "composites.json") or {})
    segments = dict(_read_json("edifact", "service", "segments.json") or {})
    if directory != "service":
        elements.update(_read_json("edifact", directory, "elements.json") or {})
        composites.update(_read_json("edifact", directory, "composites.json") or {})
        segments.update(_read_json("edifact", directory, "segments.json") or {})
    return _Dictionary(f"edifact/{directory}", elements, composites, segments)


def _build_nodes(entries: list[Any], d: _Dictionary, local: dict[str, Any] | None, where: str) -> tuple[Node, ...]:
    nodes: list[Node] = []
    for entry in entries:
        if isinstance(entry, dict):
            children = _build_nodes(entry["segments"], d, local, where)
            if not children or not isinstance(children[0], SegmentNode):
                raise SchemaError(f"{where}: loop {entry.get('loop')} must start with a segment")
            nodes.append(
                LoopNode(str(entry["loop"]), "M" if entry.get("usage") == "M" else "O", int(entry["repeat"]), children)
            )
        else:
            tag, usage, max_use = entry[0], entry[1], int(entry[2])
            nodes.append(SegmentNode(tag, "M" if usage == "M" else "O", max_use, d.segment(tag, local)))
    return tuple(nodes)


def _build(raw: dict[str, Any], d: _Dictionary, where: str) -> TransactionSchema:
    local = raw.get("segments")
    children = _build_nodes(raw["structure"], d, local, where)
    root = LoopNode("", "M", 1, children)
    segments: dict[str, SegmentDef] = {}

    def collect(node: Node) -> None:
        if isinstance(node, SegmentNode):
            segments[node.tag] = node.segment
        else:
            for child in node.children:
                collect(child)

    collect(root)
    hierarchy = None
    if "hierarchy" in raw:
        h = raw["hierarchy"]
        hierarchy = Hierarchy(h.get("loop", "HL"), {k: frozenset(v) for k, v in h["levels"].items()})
    return TransactionSchema(
        standard=raw.get("standard", ""),
        id=str(raw["id"]),
        version=str(raw["version"]),
        name=raw.get("name", ""),
        functional_id=raw.get("functional_id", ""),
        root=root,
        segments=segments,
        codes={k: frozenset(v) for k, v in raw.get("codes", {}).items()},
        hierarchy=hierarchy,
        guide=raw.get("guide", ""),
    )


@cache
def x12_schema(set_id: str, version: str) -> TransactionSchema | None:
    """The schema of X12 ``set_id`` in base ``version`` (``004010``), or None when unsupported."""
    if version not in x12_versions() or not set_id.isalnum():
        return None
    raw = _read_json("x12", version, f"{set_id}.json")
    if raw is None:
        return None
    return _build(raw, _x12_dictionary(version), f"x12/{version}/{set_id}.json")


@cache
def edifact_schema(message: str, directory: str) -> TransactionSchema | None:
    """The schema of EDIFACT ``message`` in ``directory`` (``D96A``), or None when unsupported."""
    if not message.isalnum() or not directory.isalnum():
        return None
    if directory == "service" or not _dir_exists("edifact", directory):
        return None
    raw = _read_json("edifact", directory, f"{message}.json")
    if raw is None:
        return None
    return _build(raw, _edifact_dictionary(directory), f"edifact/{directory}/{message}.json")


@cache
def contrl_schema() -> TransactionSchema | None:
    """The CONTRL message (syntax 3 and 4), from the service directory."""
    raw = _read_json("edifact", "service", "CONTRL.json")
    if raw is None:
        return None
    return _build(raw, _edifact_dictionary("service"), "edifact/service/CONTRL.json")


def x12_known_segment(tag: str, version: str) -> bool:
    """True when ``tag`` is in the version's segment dictionary at all."""
    return version in x12_versions() and _x12_dictionary(version).has_segment(tag)


def edifact_known_segment(tag: str, directory: str) -> bool:
    return _edifact_dictionary(directory).has_segment(tag)


def edifact_service_segment(tag: str) -> SegmentDef:
    """A service segment (UNB, UNG, UNH, ...) from the service directory."""
    return _edifact_dictionary("service").segment(tag)
