"""Loading maps: TOML files (format in ``maps/FORMAT.md``) into validated :class:`Map` objects.

A partner map names a base map in ``extends`` and states only what differs; tables merge key
by key and ``ignore`` lists add up. Every error names the map file and the rule, and says
what to write instead: a map error is an onboarding engineer's typo, not a crash.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..documents import DOCUMENT_TYPES

_PATH = re.compile(r"([A-Z0-9]{2,3})(\d{2})(?:-(\d{2}))?\Z")
RULE_KEYS = frozenset(
    {
        "path",
        "paths",
        "many",
        "where",
        "lookup",
        "type",
        "format",
        "format_path",
        "const",
        "pairs",
        "kinds",
        "level",
        "parent",
        "scale",
        "count",
        "default",
        "loop",
        "width",
        "evidence",
        "write",
    }
)
TYPES = frozenset({"string", "decimal", "int", "date", "datetime", "time"})


class MapError(Exception):
    """A map file is malformed; the message names the file, the rule and the fix."""


@dataclass(frozen=True, slots=True)
class Path_:
    """An element reference: ``PO107`` → (PO1, 7, None); ``DTM01-02`` → (DTM, 1, 2)."""

    tag: str
    element: int
    component: int | None = None

    def __str__(self) -> str:
        return f"{self.tag}{self.element:02d}" + (f"-{self.component:02d}" if self.component else "")


def parse_path(text: str, where: str) -> Path_:
    m = _PATH.match(text.strip())
    if not m:
        raise MapError(
            f"{where}: '{text}' is not an element path; write a tag and a position such as BEG03 or DTM01-02"
        )
    return Path_(m.group(1), int(m.group(2)), int(m.group(3)) if m.group(3) else None)


@dataclass(frozen=True, slots=True)
class Rule:
    """One field's rule, parsed."""

    name: str
    paths: tuple[Path_, ...] = ()
    many: bool = False
    listed: bool = False  # ``paths`` given: the value is a list
    where: tuple[tuple[Path_, tuple[str, ...]], ...] = ()  # each qualifier accepts any of its values
    lookup: dict[str, str] | None = None
    default: str | None = None  # with lookup: the value for a code the table does not list
    type: str = "string"
    format: str = ""
    format_path: Path_ | None = None
    const: Any = None
    pairs: tuple[tuple[Path_, Path_], ...] = ()
    kinds: dict[str, str] | None = None
    level: str = ""
    parent: str = ""
    scale: int = 0
    count: str = ""
    loop: str = ""  # header rules: read only inside this loop (e.g. INVOIC totals in SG48)
    width: int = 0  # with paths: one text split over them, at most this long each (IMD 7008 twice)
    # with lookup: a code read as another meaning when a segment in scope holds these qualifiers
    evidence: dict[str, tuple[tuple[str, tuple[tuple[Path_, tuple[str, ...]], ...]], ...]] | None = None
    write: dict[str, str] | None = None  # outbound only: meaning -> code, before the inverse lookup
    # Derived once here, not per segment read: the segment tag the rule reads, and the ``where``
    # conditions on that segment itself (the engine checks a candidate segment against these).
    tag: str = field(init=False, repr=False, compare=False)
    own_where: tuple[tuple[Path_, tuple[str, ...]], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        tag = self.paths[0].tag if self.paths else self.pairs[0][0].tag if self.pairs else ""
        object.__setattr__(self, "tag", tag)
        object.__setattr__(self, "own_where", tuple((p, v) for p, v in self.where if p.tag == tag))


@dataclass(slots=True)
class Group:
    """A list field filled from each iteration of a loop."""

    name: str
    loop: str
    when: tuple[tuple[Path_, tuple[str, ...]], ...] = ()
    fields: dict[str, Rule] = field(default_factory=dict)


@dataclass(slots=True)
class Map:
    """A resolved map: base and partner rules merged."""

    source: Path
    standard: str
    set_id: str
    version: str
    document: str
    fields: dict[str, Rule]
    groups: dict[str, Group]
    ignore: frozenset[str]
    outbound: dict[str, Rule]
    hook: str = ""
    hook_base: Path | None = None
    extends: str = ""


def _rule(name: str, raw: Any, where: str) -> Rule:
    if isinstance(raw, str):
        return Rule(name, paths=(parse_path(raw, where),))
    if not isinstance(raw, dict):
        raise MapError(f"{where}: a rule is a path string or a table, not {type(raw).__name__}")
    unknown = set(raw) - RULE_KEYS
    if unknown:
        raise MapError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(RULE_KEYS))}")
    kind = raw.get("type", "string")
    if kind not in TYPES:
        raise MapError(f"{where}: type '{kind}' is not one of {', '.join(sorted(TYPES))}")
    paths: tuple[Path_, ...] = ()
    listed = False
    if "path" in raw:
        paths = (parse_path(raw["path"], where),)
    if "paths" in raw:
        paths = tuple(parse_path(p, where) for p in raw["paths"])
        listed = "width" not in raw
    pairs: tuple[tuple[Path_, Path_], ...] = ()
    for pair in raw.get("pairs", ()):
        q, _, v = str(pair).partition(":")
        if not v:
            raise MapError(f"{where}: pair '{pair}' must be QUALIFIER:VALUE, e.g. PO106:PO107")
        pairs += ((parse_path(q, where), parse_path(v, where)),)
    wheres = _conditions(raw.get("where", {}), where)
    width = int(raw.get("width", 0))
    if width and len(paths) < 2:
        raise MapError(f"{where}: 'width' splits a text over several paths; give them as paths = [...]")
    evidence = None
    if "evidence" in raw:
        if "lookup" not in raw:
            raise MapError(f"{where}: 'evidence' refines a lookup; add lookup = {{ CODE = meaning }}")
        evidence = {
            str(code): tuple((str(meaning), _conditions(cond, where)) for meaning, cond in dict(cases).items())
            for code, cases in dict(raw["evidence"]).items()
        }
    if not (paths or pairs or "const" in raw or "count" in raw):
        raise MapError(f"{where}: a rule needs 'path', 'paths', 'pairs', 'const' or 'count'")
    return Rule(
        name,
        paths=paths,
        many=bool(raw.get("many", False)),
        listed=listed,
        where=wheres,
        lookup={str(k): str(v) for k, v in raw["lookup"].items()} if "lookup" in raw else None,
        type=kind,
        format=str(raw.get("format", "")),
        format_path=parse_path(raw["format_path"], where) if "format_path" in raw else None,
        const=raw.get("const"),
        pairs=pairs,
        kinds={str(k): str(v) for k, v in raw["kinds"].items()} if "kinds" in raw else None,
        default=str(raw["default"]) if "default" in raw else None,
        loop=str(raw.get("loop", "")),
        level=str(raw.get("level", "")),
        parent=str(raw.get("parent", "")),
        scale=int(raw.get("scale", 0)),
        count=str(raw.get("count", "")),
        width=width,
        evidence=evidence,
        write={str(k): str(v) for k, v in raw["write"].items()} if "write" in raw else None,
    )


def _conditions(table: Any, where: str) -> tuple[tuple[Path_, tuple[str, ...]], ...]:
    """``{ PRI01-01 = "AAA" }`` or ``{ PRI01-01 = ["AAA", "AAB"] }``: any value matches; the first is written."""
    out = []
    for key, value in dict(table).items():
        values = tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)
        if not values:
            raise MapError(f"{where}: '{key}' needs at least one value")
        out.append((parse_path(key, where), values))
    return tuple(out)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """A partner map over its base: a field's rule replaces the base's rule whole; ignore lists add up."""
    out = {**base}
    head = {**base.get("map", {}), **over.get("map", {})}
    head["ignore"] = [*base.get("map", {}).get("ignore", []), *over.get("map", {}).get("ignore", [])]
    out["map"] = head
    out["ignore"] = [*base.get("ignore", []), *over.get("ignore", [])]
    out["fields"] = {**base.get("fields", {}), **over.get("fields", {})}
    out["outbound"] = {**base.get("outbound", {}), **over.get("outbound", {})}
    groups = {name: dict(g) for name, g in base.get("groups", {}).items()}
    for name, g in over.get("groups", {}).items():
        merged = {**groups.get(name, {}), **{k: v for k, v in g.items() if k != "fields"}}
        merged["fields"] = {**groups.get(name, {}).get("fields", {}), **g.get("fields", {})}
        groups[name] = merged
    out["groups"] = groups
    return out


def base_map_path(ref: str, maps_root: Path) -> Path:
    """``x12/850/004010`` → ``maps/base/x12/850/004010.toml``."""
    return maps_root / "base" / f"{ref.strip('/')}.toml"


#: The files a map was read from, with their bytes: (path, content) in the order read.
_Sources = list[tuple[Path, bytes]]


def _read(path: Path, sources: _Sources | None = None) -> dict[str, Any]:
    try:
        data = path.read_bytes()
        parsed = tomllib.loads(data.decode())
    except FileNotFoundError as exc:
        raise MapError(f"{path}: no such map file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise MapError(f"{path}: not valid TOML ({exc})") from exc
    if sources is not None:
        sources.append((path, data))
    return parsed


def load_raw(
    path: Path, maps_root: Path, _seen: tuple[Path, ...] = (), _sources: _Sources | None = None
) -> dict[str, Any]:
    """The map's TOML with its ``extends`` chain merged in."""
    raw = _read(path, _sources)
    head = raw.get("map", {})
    extends = str(head.get("extends", "") or "")
    if not extends:
        return raw
    base_path = base_map_path(extends, maps_root)
    if base_path in _seen or base_path == path:
        raise MapError(f"{path}: 'extends = \"{extends}\"' makes a cycle")
    base = load_raw(base_path, maps_root, (*_seen, path), _sources)
    merged = _merge(base, raw)
    merged.setdefault("map", {})["extends"] = extends
    return merged


#: Maps loaded by :func:`shared_map`, by (file, maps root): the files read, with their bytes, and the map.
_SHARED: dict[tuple[Path, Path | None], tuple[tuple[tuple[Path, bytes], ...], Map]] = {}


def shared_map(path: Path, maps_root: Path | None = None) -> Map:
    """:func:`load_map`, parsed once while the files it was read from hold the same bytes.

    Every call reads the map file and its ``extends`` chain again (a few small reads) and
    compares them byte for byte, so an edited map is used at once; only the TOML parsing and
    validation are saved. The map returned is shared between callers: read it, never change it.
    """
    key = (path, maps_root)
    hit = _SHARED.get(key)
    if hit is not None and all(_bytes_of(source) == data for source, data in hit[0]):
        return hit[1]
    sources: _Sources = []
    m = _load_map(path, maps_root, sources)
    _SHARED[key] = (tuple(sources), m)
    return m


def _bytes_of(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None  # gone or unreadable: load_map says why


def load_map(path: Path, maps_root: Path | None = None) -> Map:
    """Load and validate a map file (base or partner)."""
    return _load_map(path, maps_root, None)


def _load_map(path: Path, maps_root: Path | None, sources: _Sources | None) -> Map:
    root = maps_root or _default_maps_root(path)
    raw = load_raw(path, root, _sources=sources)
    head = raw.get("map")
    if not isinstance(head, dict):
        raise MapError(f"{path}: a map starts with a [map] table (standard, set, version, document)")
    for key in ("standard", "set", "version", "document"):
        if not head.get(key):
            raise MapError(f"{path}: [map] needs '{key}'")
    if head["document"] not in DOCUMENT_TYPES:
        raise MapError(f"{path}: [map] document '{head['document']}' is not one of {', '.join(sorted(DOCUMENT_TYPES))}")
    fields = {name: _rule(name, rule, f"{path} [fields] {name}") for name, rule in raw.get("fields", {}).items()}
    groups: dict[str, Group] = {}
    for name, g in raw.get("groups", {}).items():
        where = f"{path} [groups.{name}]"
        if "loop" not in g:
            raise MapError(f"{where}: a group needs 'loop' (the loop id or segment group it repeats over)")
        when = _conditions(g.get("when", {}), where)
        gfields = {n: _rule(n, r, f"{where}.fields {n}") for n, r in g.get("fields", {}).items()}
        groups[name] = Group(name, str(g["loop"]), when, gfields)
    outbound = {ref: _rule(ref, rule, f"{path} [outbound] {ref}") for ref, rule in raw.get("outbound", {}).items()}
    for ref in outbound:
        parse_path(ref, f"{path} [outbound]")
    document_fields = set(DOCUMENT_TYPES[head["document"]].model_fields)
    for name in [*fields, *groups]:
        if name not in document_fields:
            raise MapError(
                f"{path}: '{name}' is not a field of {head['document']}; "
                f"fields are: {', '.join(sorted(document_fields))}"
            )
    return Map(
        source=path,
        standard=str(head["standard"]),
        set_id=str(head["set"]),
        version=str(head["version"]),
        document=str(head["document"]),
        fields=fields,
        groups=groups,
        ignore=frozenset(str(t) for t in [*head.get("ignore", []), *raw.get("ignore", [])]),
        outbound=outbound,
        hook=str(head.get("hook", "") or ""),
        hook_base=path.parent,
        extends=str(head.get("extends", "") or ""),
    )


def _default_maps_root(path: Path) -> Path:
    """The ``maps/`` folder: beside ``partners/`` for a partner map, or above ``base/`` for a base map."""
    for parent in path.resolve().parents:
        if parent.name == "maps" and (parent / "base").is_dir():
            return parent
        if (parent / "maps" / "base").is_dir():
            return parent / "maps"
    return Path("maps")
