#!/usr/bin/env python3
"""Consistency check for the base maps under maps/base (format: maps/FORMAT.md).

Every ``maps/base/<standard>/<set>/<version>.toml`` is parsed with tomllib and checked against
the transaction-set schema the engine would load (gateway.edi.schema) and against the
canonical document models (gateway.documents). Reported as errors:

* ``[map]``: unknown or missing keys, a ``document`` other than the four models, a file whose
  place does not match its standard/set/version, an ``extends`` in a base map, an ``ignore``
  tag the set does not have (or that a rule reads);
* paths (``BEG03``, ``DTM01-02``): a tag the set's structure lacks, an element position past the
  end of the segment, a component position on a simple element or past the end of the
  composite, a composite read without a component; a header path whose segment only occurs
  inside loops claimed by a group, a group path whose segment is not inside the group's loop;
* groups: a ``loop`` that is not a loop id of the structure, a group name that is not a list
  field (of models) of the document, a ``when`` that does not test the loop's trigger segment;
* rules: unknown keys, no source (path/paths/const/pairs) or several, a field name the model
  lacks, a required model field without a rule, a ``type`` that does not fit the field's
  annotation, ``scale`` without ``type = "decimal"``, a bad date ``format``, ``many``/``paths``
  on a single-valued field (or a list field read as one value), ``where`` on another segment
  than the one read, lookup values outside the field's Literal values, lookup keys and
  ``where`` values outside the element's code list (when the schema has one), ``pairs`` on a
  field that is not a list of ItemId, ``kinds`` values outside ItemKind, ``level``/``parent``
  outside an X12 hierarchy or naming a level it does not have;
* ``[outbound]``: a path that does not exist, a ``count`` of something that is not a group, or
  anything but ``count`` and ``const``.

Usage:  python tools/check_maps.py [MAPS_BASE_DIR]      exit 0 = clean, 1 = errors found.
"""

from __future__ import annotations

import re
import sys
import tomllib
import types
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pydantic import BaseModel  # noqa: E402

from gateway.documents import DOCUMENT_TYPES, ItemId  # noqa: E402
from gateway.documents.models import ItemKind  # noqa: E402
from gateway.edi.schema import (  # noqa: E402
    LoopNode,
    SegmentDef,
    SegmentNode,
    TransactionSchema,
    edifact_schema,
    x12_schema,
)
from gateway.mapping.maps import RULE_KEYS as ENGINE_RULE_KEYS  # noqa: E402
from gateway.mapping.maps import TYPES as ENGINE_TYPES  # noqa: E402

MAP_KEYS = {"standard", "set", "version", "document", "extends", "hook", "ignore"}
MAP_REQUIRED = ("standard", "set", "version", "document")
TOP_KEYS = {"map", "fields", "groups", "outbound"}
GROUP_KEYS = {"loop", "when", "fields"}
RULE_KEYS = set(ENGINE_RULE_KEYS - {"count"})  # the engine's own list; count is for [outbound] only
SOURCES = ("path", "paths", "const", "pairs")
TYPES = set(ENGINE_TYPES)
X12_DATE_FORMATS = {"CCYYMMDD", "YYMMDD"}
RESERVED_FIELDS = {"document_type", "provenance"}
PATH_RE = re.compile(r"^([A-Z][A-Z0-9]{1,2})(\d\d)(?:-(\d\d))?$")
ENVELOPE = {"x12": {"ST", "SE"}, "edifact": {"UNH", "UNT"}}
ITEM_KINDS = frozenset(get_args(ItemKind))


# ---------------------------------------------------------------- annotations


def _strip_optional(ann: Any) -> Any:
    origin = get_origin(ann)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(ann) if a is not type(None)]
        if len(args) == 1:
            return _strip_optional(args[0])
    return ann


def _list_item(ann: Any) -> Any | None:
    ann = _strip_optional(ann)
    if get_origin(ann) is list:
        return get_args(ann)[0]
    return None


def _literals(ann: Any) -> frozenset[str] | None:
    ann = _strip_optional(ann)
    if get_origin(ann) is Literal:
        return frozenset(str(a) for a in get_args(ann))
    return None


def _expected_type(ann: Any) -> str | None:
    """The map ``type`` a scalar annotation calls for (None: no constraint)."""
    ann = _strip_optional(ann)
    if ann is date:
        return "date"
    if ann is datetime:
        return "datetime"
    if ann is Decimal:
        return "decimal"
    if ann is int:
        return "int"
    if ann is time:
        return "time"
    if ann is str or get_origin(ann) is Literal:
        return "string"
    return None


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


# ---------------------------------------------------------------- schema index


class SchemaIndex:
    """Where each tag and loop id occurs in a structure, as chains of enclosing loop ids."""

    def __init__(self, schema: TransactionSchema) -> None:
        self.schema = schema
        self.segments: dict[str, SegmentDef] = dict(schema.segments)
        self.tag_places: dict[str, list[tuple[str, ...]]] = {}
        self.loops: dict[str, list[tuple[str, ...]]] = {}  # loop id -> chains of its ancestors
        self.loop_triggers: dict[str, set[str]] = {}
        self._walk(schema.root, ())

    def _walk(self, loop: LoopNode, chain: tuple[str, ...]) -> None:
        for child in loop.children:
            if isinstance(child, SegmentNode):
                self.tag_places.setdefault(child.tag, []).append(chain)
            else:
                self.loops.setdefault(child.id, []).append(chain)
                self.loop_triggers.setdefault(child.id, set()).add(child.trigger)
                self._walk(child, (*chain, child.id))

    def in_loop(self, tag: str, loop_id: str) -> bool:
        return any(loop_id in chain for chain in self.tag_places.get(tag, []))

    def outside(self, tag: str, claimed: set[str]) -> bool:
        return any(not (set(chain) & claimed) for chain in self.tag_places.get(tag, []))

    def levels(self) -> set[str]:
        h = self.schema.hierarchy
        return set(h.levels) if h else set()

    def ancestors_possible(self, level: str) -> set[str]:
        """Every HL03 level that may stand above ``level`` (transitively)."""
        h = self.schema.hierarchy
        if not h:
            return set()
        seen: set[str] = set()
        todo = list(h.levels.get(level, ()))
        while todo:
            lv = todo.pop()
            if lv not in seen:
                seen.add(lv)
                todo.extend(h.levels.get(lv, ()))
        return seen


# ---------------------------------------------------------------- the checker


class MapChecker:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.errors: list[str] = []
        self.files = 0

    def err(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    # -- one file ---------------------------------------------------------------------
    def check_file(self, path: Path) -> None:
        self.files += 1
        rel = path.relative_to(self.base.parent.parent) if self.base.parent.parent in path.parents else path
        where = str(rel)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            self.err(where, f"not valid TOML: {exc}")
            return
        for key in data:
            if key not in TOP_KEYS:
                self.err(where, f"unknown table [{key}]")
        meta = data.get("map")
        if not isinstance(meta, dict):
            self.err(where, "no [map] table")
            return
        for key in meta:
            if key not in MAP_KEYS:
                self.err(where, f"[map] unknown key {key!r}")
        for key in MAP_REQUIRED:
            if not isinstance(meta.get(key), str) or not meta.get(key):
                self.err(where, f"[map] {key} missing or not a string")
        if any(not isinstance(meta.get(k), str) or not meta.get(k) for k in MAP_REQUIRED):
            return
        standard, set_id, version, document = (meta[k] for k in MAP_REQUIRED)
        if meta.get("extends"):
            self.err(where, "[map] extends is for partner maps, not base maps")
        hook = meta.get("hook", "")
        if hook:
            if not isinstance(hook, str) or ":" not in hook:
                self.err(where, f"[map] hook {hook!r} is not 'file.py:function'")
            elif not (path.parent / hook.split(":", 1)[0]).is_file():
                self.err(where, f"[map] hook file {hook.split(':', 1)[0]!r} not beside the map")
        rel_parts = path.relative_to(self.base).parts
        expected = (standard, set_id, f"{version}.toml")
        if rel_parts != expected:
            self.err(where, f"file should be maps/base/{'/'.join(expected)} for its [map]")
        if document not in DOCUMENT_TYPES:
            self.err(where, f"[map] document {document!r} is not one of {sorted(DOCUMENT_TYPES)}")
            return
        if standard == "x12":
            schema = x12_schema(set_id, version)
        elif standard == "edifact":
            schema = edifact_schema(set_id, version)
        else:
            self.err(where, f"[map] standard {standard!r} is not x12 or edifact")
            return
        if schema is None:
            self.err(where, f"no schema for {standard} {set_id} {version}")
            return
        idx = SchemaIndex(schema)
        model = DOCUMENT_TYPES[document]
        ctx = _Ctx(where, standard, idx)

        groups = data.get("groups", {})
        if not isinstance(groups, dict):
            self.err(where, "[groups] must be a table of tables")
            groups = {}
        claimed = {g.get("loop") for g in groups.values() if isinstance(g, dict) and isinstance(g.get("loop"), str)}
        read_tags: set[str] = set()

        fields = data.get("fields", {})
        if not isinstance(fields, dict):
            self.err(where, "[fields] must be a table")
            fields = {}
        self.check_fields(ctx, "[fields]", fields, model, scope=("header", claimed), read_tags=read_tags)

        for gname, group in groups.items():
            self.check_group(ctx, gname, group, model, read_tags)

        ignore = meta.get("ignore", [])
        if not isinstance(ignore, list) or not all(isinstance(t, str) for t in ignore):
            self.err(where, "[map] ignore must be a list of segment tags")
        else:
            for tag in ignore:
                if tag not in idx.segments:
                    self.err(where, f"[map] ignore: {tag} is not a segment of {set_id} {version}")
                if tag in read_tags:
                    self.err(where, f"[map] ignore: {tag} is read by a rule")

        outbound = data.get("outbound", {})
        if not isinstance(outbound, dict):
            self.err(where, "[outbound] must be a table")
            outbound = {}
        for opath, orule in outbound.items():
            loc = f"[outbound] {opath}"
            self.check_path(ctx, loc, opath)
            if isinstance(orule, dict) and "const" in orule and set(orule) <= {"const", "where", "loop"}:
                # with loop: written in that loop when rules write something there (an 850's N9)
                if "loop" in orule and not any(
                    isinstance(r, dict) and r.get("loop") == orule["loop"] for r in fields.values()
                ):
                    self.err(where, f"{loc}: loop {orule['loop']!r} holds no [fields] rule to open it for")
                # a constant with where completes a segment that holds those qualifiers
                for wpath in dict(orule.get("where", {})):
                    wparsed = self.check_path(ctx, f"{loc} where", wpath)
                    if wparsed and wparsed[0] != opath[:3].rstrip("0123456789"):
                        self.err(where, f"{loc}: where {wpath} tests another segment than {opath}")
                continue
            if not isinstance(orule, dict) or set(orule) != {"count"}:
                self.err(where, f'{loc}: expected {{ count = "<group>" }} or {{ const = "<value>" }}')
                continue
            target = orule["count"]
            if target not in groups:
                self.err(where, f"{loc}: count {target!r} is not a group of this map")

    # -- groups -----------------------------------------------------------------------
    def check_group(self, ctx: _Ctx, gname: str, group: Any, model: type[BaseModel], read_tags: set[str]) -> None:
        loc = f"[groups.{gname}]"
        if not isinstance(group, dict):
            self.err(ctx.where, f"{loc} must be a table")
            return
        for key in group:
            if key not in GROUP_KEYS:
                self.err(ctx.where, f"{loc} unknown key {key!r}")
        info = model.model_fields.get(gname)
        item_model = _list_item(info.annotation) if info else None
        if info is None or not _is_model(item_model):
            self.err(ctx.where, f"{loc}: {gname!r} is not a list-of-records field of {model.__name__}")
            return
        loop = group.get("loop")
        if not isinstance(loop, str) or loop not in ctx.idx.loops:
            self.err(ctx.where, f"{loc}: loop {loop!r} is not a loop id of the structure")
            return
        when = group.get("when", {})
        if not isinstance(when, dict):
            self.err(ctx.where, f"{loc}: when must be a table")
            when = {}
        for wpath, wval in when.items():
            parsed = self.check_path(ctx, f"{loc} when", wpath)
            if parsed and parsed[0] not in ctx.idx.loop_triggers[loop]:
                self.err(ctx.where, f"{loc} when: {wpath} does not test the trigger segment of {loop}")
            if not (
                isinstance(wval, str) or (isinstance(wval, list) and wval and all(isinstance(v, str) for v in wval))
            ):
                self.err(ctx.where, f"{loc} when: {wpath} value must be a string or a list of strings")
            elif parsed:
                self.check_code(ctx, f"{loc} when", wpath, wval)
        fields = group.get("fields", {})
        if not isinstance(fields, dict) or not fields:
            self.err(ctx.where, f"{loc}: no [groups.{gname}.fields]")
            return
        when_level = when.get("HL03") if ctx.idx.schema.hierarchy else None
        assert item_model is not None
        self.check_fields(
            ctx,
            f"[groups.{gname}.fields]",
            fields,
            item_model,
            scope=("group", loop, when_level),
            read_tags=read_tags,
        )

    # -- fields -----------------------------------------------------------------------
    def check_fields(
        self,
        ctx: _Ctx,
        loc: str,
        fields: dict[str, Any],
        model: type[BaseModel],
        scope: tuple[Any, ...],
        read_tags: set[str],
    ) -> None:
        for name, rule in fields.items():
            floc = f"{loc} {name}"
            info = model.model_fields.get(name)
            if info is None:
                self.err(ctx.where, f"{floc}: {model.__name__} has no field {name!r}")
                continue
            if name in RESERVED_FIELDS:
                self.err(ctx.where, f"{floc}: {name} is set by the engine, not by a map")
                continue
            self.check_rule(ctx, floc, rule, info.annotation, scope, read_tags)
        for name, info in model.model_fields.items():
            if info.is_required() and name not in fields:
                self.err(ctx.where, f"{loc}: required field {model.__name__}.{name} has no rule")

    def check_rule(
        self, ctx: _Ctx, loc: str, rule: Any, annotation: Any, scope: tuple[Any, ...], read_tags: set[str]
    ) -> None:
        if isinstance(rule, str):
            rule = {"path": rule}
        if not isinstance(rule, dict):
            self.err(ctx.where, f"{loc}: a rule is a path string or a table")
            return
        for key in rule:
            if key not in RULE_KEYS:
                self.err(ctx.where, f"{loc}: unknown rule key {key!r}")
        sources = [k for k in SOURCES if k in rule]
        if len(sources) != 1:
            self.err(ctx.where, f"{loc}: needs exactly one of {', '.join(SOURCES)} (has {sources or 'none'})")
            return
        source = sources[0]
        item = _list_item(annotation)
        is_list = item is not None
        many = rule.get("many", False)
        if not isinstance(many, bool):
            self.err(ctx.where, f"{loc}: many must be true or false")

        # where the values are read
        read_paths: list[str] = []
        if source == "path":
            if not isinstance(rule["path"], str):
                self.err(ctx.where, f"{loc}: path must be a string")
                return
            read_paths = [rule["path"]]
            if is_list and not many:
                self.err(ctx.where, f"{loc}: list field read from one path needs many = true")
            if not is_list and many:
                self.err(ctx.where, f"{loc}: many = true on a single-valued field")
        elif source == "paths":
            paths_ok = isinstance(rule["paths"], list) and all(isinstance(p, str) for p in rule["paths"])
            if not paths_ok or not rule["paths"]:
                self.err(ctx.where, f"{loc}: paths must be a non-empty list of strings")
                return
            read_paths = list(rule["paths"])
            if "width" in rule:
                # one text split over the paths (IMD 7008 twice): a single-valued string field
                if is_list:
                    self.err(ctx.where, f"{loc}: width joins the paths into one text; the field is a list")
                if not isinstance(rule["width"], int) or isinstance(rule["width"], bool) or rule["width"] < 1:
                    self.err(ctx.where, f"{loc}: width must be a positive integer")
            elif not is_list:
                self.err(ctx.where, f"{loc}: paths gives a list, but the field is single-valued")
        elif source == "pairs":
            if item is not ItemId:
                self.err(ctx.where, f"{loc}: pairs build ItemId records; the field is not list[ItemId]")
            if not isinstance(rule["pairs"], list) or not rule["pairs"]:
                self.err(ctx.where, f"{loc}: pairs must be a non-empty list of 'Q:V' strings")
                return
            for pair in rule["pairs"]:
                if not isinstance(pair, str) or pair.count(":") != 1:
                    self.err(ctx.where, f"{loc}: pair {pair!r} is not 'QUALIFIER:VALUE'")
                    continue
                q, v = pair.split(":")
                read_paths += [q, v]
            kinds = rule.get("kinds")
            if not isinstance(kinds, dict) or not kinds:
                self.err(ctx.where, f"{loc}: pairs need kinds = {{ qualifier = kind }}")
            else:
                qualifier_paths = [p.split(":")[0] for p in rule["pairs"] if isinstance(p, str) and ":" in p]
                for code, kind in kinds.items():
                    if kind not in ITEM_KINDS:
                        self.err(ctx.where, f"{loc}: kind {kind!r} (for {code}) is not an ItemKind")
                    if qualifier_paths:
                        self.check_code(ctx, f"{loc} kinds", qualifier_paths[0], code)
        elif source == "const":
            lits = _literals(item if is_list else annotation)
            if lits is not None and str(rule["const"]) not in lits:
                self.err(ctx.where, f"{loc}: const {rule['const']!r} is not one of {sorted(lits)}")
        if "kinds" in rule and source != "pairs":
            self.err(ctx.where, f"{loc}: kinds only goes with pairs")

        parsed_tags: set[str] = set()
        for p in read_paths:
            parsed = self.check_path(ctx, loc, p)
            if parsed:
                parsed_tags.add(parsed[0])
                self.check_scope(ctx, loc, parsed[0], rule, scope)
        read_tags |= parsed_tags
        if source == "paths" and len(parsed_tags) > 1:
            # the engine reads all of a rule's paths from one segment at a time
            self.err(ctx.where, f"{loc}: paths must all be in one segment (has {', '.join(sorted(parsed_tags))})")

        # where
        where = rule.get("where", {})
        if not isinstance(where, dict):
            self.err(ctx.where, f"{loc}: where must be a table")
            where = {}
        for wpath, wval in where.items():
            parsed = self.check_path(ctx, f"{loc} where", wpath)
            if not parsed:
                continue
            if parsed_tags and parsed[0] not in parsed_tags:
                # where is tested on the segments of its own tag among those the rule reads
                read = ", ".join(sorted(parsed_tags))
                self.err(ctx.where, f"{loc}: where {wpath} tests another segment than the one(s) read ({read})")
            values = wval if isinstance(wval, list) else [wval]
            if not values or not all(isinstance(v, str) for v in values):
                self.err(ctx.where, f"{loc}: where {wpath} value must be a string or a list of strings")
            else:
                for v in values:
                    self.check_code(ctx, f"{loc} where", wpath, v)

        # lookup
        lookup = rule.get("lookup")
        target = item if is_list else annotation
        if lookup is not None:
            if not isinstance(lookup, dict) or not lookup:
                self.err(ctx.where, f"{loc}: lookup must be a non-empty table")
            else:
                lits = _literals(target)
                for code, value in lookup.items():
                    if not isinstance(value, str):
                        self.err(ctx.where, f"{loc}: lookup {code} -> {value!r} is not a string")
                    elif lits is not None and value not in lits:
                        self.err(ctx.where, f"{loc}: lookup {code} -> {value!r} is not one of {sorted(lits)}")
                    if read_paths:
                        self.check_code(ctx, f"{loc} lookup", read_paths[0], code)
        elif source in ("path", "paths"):
            lits = _literals(target)
            if lits is not None:
                self.err(ctx.where, f"{loc}: the field only takes {sorted(lits)}: add a lookup")
        lits = _literals(target)
        for code, cases in dict(rule.get("evidence", {})).items():
            if lookup is None:
                self.err(ctx.where, f"{loc}: evidence refines a lookup; add one")
            if read_paths:
                self.check_code(ctx, f"{loc} evidence", read_paths[0], str(code))
            for meaning, cond in dict(cases).items():
                if lits is not None and meaning not in lits:
                    self.err(ctx.where, f"{loc}: evidence {code} -> {meaning!r} is not one of {sorted(lits)}")
                for wpath, wval in dict(cond).items():
                    if self.check_path(ctx, f"{loc} evidence", wpath):
                        for v in wval if isinstance(wval, list) else [wval]:
                            self.check_code(ctx, f"{loc} evidence", wpath, str(v))
        for meaning, code in dict(rule.get("write", {})).items():
            if lits is not None and meaning not in lits:
                self.err(ctx.where, f"{loc}: write {meaning!r} is not one of {sorted(lits)}")
            if read_paths:
                self.check_code(ctx, f"{loc} write", read_paths[0], str(code))

        # type / format / scale
        rtype = rule.get("type", "string")
        if rtype not in TYPES:
            self.err(ctx.where, f"{loc}: type {rtype!r} is not one of {sorted(TYPES)}")
        elif source in ("path", "paths"):
            expected = _expected_type(target)
            if expected is not None and expected != rtype:
                self.err(ctx.where, f"{loc}: the field is {expected}, the rule says type = {rtype!r}")
        if "scale" in rule:
            scale = rule["scale"]
            if rtype != "decimal":
                self.err(ctx.where, f'{loc}: scale needs type = "decimal"')
            if not isinstance(scale, int) or isinstance(scale, bool) or not 0 <= scale <= 9:
                self.err(ctx.where, f"{loc}: scale must be an integer 0..9")
        if "format" in rule:
            fmt = rule["format"]
            if rtype not in ("date", "datetime"):
                self.err(ctx.where, f"{loc}: format needs type date or datetime")
            if ctx.standard == "x12":
                if fmt not in X12_DATE_FORMATS:
                    self.err(ctx.where, f"{loc}: X12 date format {fmt!r} is not one of {sorted(X12_DATE_FORMATS)}")
            else:
                codes = self.codes_at(ctx, "DTM01-03")
                if not isinstance(fmt, str) or (codes is not None and fmt not in codes):
                    self.err(ctx.where, f"{loc}: {fmt!r} is not a date format code (2379)")
        if "format_path" in rule:
            if ctx.standard != "edifact":
                self.err(ctx.where, f"{loc}: format_path is for EDIFACT")
            fparsed = self.check_path(ctx, f"{loc} format_path", rule["format_path"])
            if fparsed and parsed_tags and fparsed[0] not in parsed_tags:
                self.err(ctx.where, f"{loc}: format_path is in another segment than the date")
            if rtype not in ("date", "datetime"):
                self.err(ctx.where, f"{loc}: format_path needs type date or datetime")

        # level / parent (X12 856 hierarchy)
        levels = ctx.idx.levels()
        for key in ("level", "parent"):
            if key not in rule:
                continue
            value = rule[key]
            if not levels:
                self.err(ctx.where, f"{loc}: {key} needs an X12 set with a hierarchy (856)")
            elif value not in levels:
                self.err(ctx.where, f"{loc}: {key} {value!r} is not one of the HL levels {sorted(levels)}")
        if "parent" in rule and levels:
            if scope[0] != "group":
                self.err(ctx.where, f"{loc}: parent is for group fields")
            else:
                hl_loop = ctx.idx.schema.hierarchy.loop if ctx.idx.schema.hierarchy else ""
                when_level = scope[2]
                if scope[1] != hl_loop:
                    self.err(ctx.where, f"{loc}: parent needs a group over the {hl_loop} loop")
                elif when_level and rule["parent"] not in ctx.idx.ancestors_possible(when_level):
                    self.err(ctx.where, f"{loc}: level {rule['parent']!r} can never be above {when_level!r}")

    # -- paths and scope --------------------------------------------------------------
    def check_path(self, ctx: _Ctx, loc: str, path: Any) -> tuple[str, int, int | None] | None:
        if not isinstance(path, str):
            self.err(ctx.where, f"{loc}: path {path!r} is not a string")
            return None
        m = PATH_RE.match(path)
        if not m:
            self.err(ctx.where, f"{loc}: {path!r} is not TAG + 2-digit position [+ '-' + 2-digit component]")
            return None
        tag, pos, comp = m.group(1), int(m.group(2)), m.group(3)
        seg = ctx.idx.segments.get(tag)
        if seg is None:
            self.err(ctx.where, f"{loc}: {path}: {tag} is not in the structure of this set")
            return None
        if not 1 <= pos <= len(seg.elements):
            self.err(ctx.where, f"{loc}: {path}: {tag} has {len(seg.elements)} elements")
            return None
        use = seg.elements[pos - 1]
        if comp is None:
            if use.composite is not None:
                self.err(ctx.where, f"{loc}: {path} is composite {use.id}: name a component ({path}-01)")
                return None
            return tag, pos, None
        c = int(comp)
        if use.composite is None:
            self.err(ctx.where, f"{loc}: {path}: {tag}{pos:02d} is simple element {use.id}, it has no components")
            return None
        if not 1 <= c <= len(use.composite.elements):
            self.err(ctx.where, f"{loc}: {path}: composite {use.id} has {len(use.composite.elements)} components")
            return None
        return tag, pos, c

    def check_scope(self, ctx: _Ctx, loc: str, tag: str, rule: dict[str, Any], scope: tuple[Any, ...]) -> None:
        idx = ctx.idx
        hl_loop = idx.schema.hierarchy.loop if idx.schema.hierarchy else None
        if scope[0] == "header":
            claimed: set[str] = scope[1]
            if "level" in rule:
                if hl_loop is None or not idx.in_loop(tag, hl_loop):
                    self.err(ctx.where, f"{loc}: {tag} does not occur in the {hl_loop or 'HL'} loop")
            elif not idx.outside(tag, claimed):
                loops = ", ".join(sorted(claimed))
                self.err(ctx.where, f"{loc}: {tag} only occurs inside loops claimed by groups ({loops})")
        else:
            loop = scope[1]
            if not idx.in_loop(tag, loop):
                self.err(ctx.where, f"{loc}: {tag} does not occur inside loop {loop}")

    # -- codes ------------------------------------------------------------------------
    def codes_at(self, ctx: _Ctx, path: str) -> frozenset[str] | None:
        m = PATH_RE.match(path)
        if not m:
            return None
        seg = ctx.idx.segments.get(m.group(1))
        if seg is None:
            return None
        pos, comp = int(m.group(2)), m.group(3)
        if pos > len(seg.elements):
            return None
        use = seg.elements[pos - 1]
        if comp is not None and use.composite is not None:
            c = int(comp)
            if c > len(use.composite.elements):
                return None
            inner = use.composite.elements[c - 1]
            if inner.element is None:
                return None
            ref = f"{use.composite.id}.{inner.element.id}"
            return ctx.idx.schema.codes_for(ref, inner.element)
        if use.element is None:
            return None
        return ctx.idx.schema.codes_for(path[: len(m.group(1)) + 2], use.element)

    def check_code(self, ctx: _Ctx, loc: str, path: str, code: str) -> None:
        codes = self.codes_at(ctx, path)
        if codes is not None and code not in codes:
            self.err(ctx.where, f"{loc}: {code!r} is not a code of {path} in this set")

    # -- all --------------------------------------------------------------------------
    def run(self) -> int:
        paths = sorted(self.base.rglob("*.toml"))
        if not paths:
            self.err(str(self.base), "no maps found")
        for path in paths:
            self.check_file(path)
        for line in self.errors:
            print(line)
        status = "clean" if not self.errors else f"{len(self.errors)} error(s)"
        print(f"check_maps: {self.files} map(s), {status}", file=sys.stderr)
        return 1 if self.errors else 0


@dataclass(frozen=True, slots=True)
class _Ctx:
    where: str  # the map file, for messages
    standard: str
    idx: SchemaIndex


def main(argv: list[str]) -> int:
    base = Path(argv[1]).resolve() if len(argv) > 1 else ROOT / "maps" / "base"
    return MapChecker(base).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
