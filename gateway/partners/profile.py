"""Partner profiles: the ``partners/<name>/partner.toml`` format, read and checked.

A profile says who a trading partner is (the identifiers it sends as), what it sends and
receives and through which map, how we acknowledge it, with which delimiters we write to it,
over which transport, and where its secrets come from. ``partners/_self.toml`` holds our own
identifiers in the same shape.
Reading never stops at the first mistake: every mistake comes back as a :class:`Problem`
that names the file, the line, the TOML key and the fix.

::

    [partner]
    name = "meridian"                 # must equal the folder name
    display_name = "Meridian Medical Supply"
    usage = "production"              # production | test
    odoo_vendor_ref = "V10442"

    [[ids]]                           # one table per identifier the partner sends as
    standard = "x12"                  # x12 | edifact
    qualifier = "ZZ"                  # ISA05/ISA07, or UNB 0007 (may be empty for EDIFACT)
    id = "MERIDIANMED"                # ISA06/ISA08 or UNB 0004/0010, compared trimmed
    gs_id = "MERIDIANMED"             # X12 GS02/GS03 (optional)

    [documents]                       # set -> map: a path in the partner folder, or base:<std>/<set>/<version>
    inbound = { "850" = "maps/850-004010.toml", "855" = "base:x12/855/004010" }
    outbound = { "997" = "" }         # acks need no map: the gateway builds them

    [acks]
    functional = "997"                # 997 | 999 | none
    ta1 = "requested"                 # requested | always | errors | never
    contrl = "requested"              # requested | always | never
    expect_within_hours = 24

    [envelope]                        # optional: the delimiters we write to the partner with
    element = "*"                     # X12: element, component, repetition (00402+), segment;
    component = ">"                   # EDIFACT: element, component, release, segment, decimal
    segment = "~"                     # ("." or ","), una (true | false); both: suffix
    suffix = "\\n"                     # after each segment terminator: "\\n", "\\r\\n" or ""

    [odoo]                            # optional: what posting to Odoo does with this partner's documents
    confirm_orders = true             # 850: confirm the new PO, or leave it an RFQ (default: EDIGW_ODOO_CONFIRM)
    validate_receipts = false         # 856: validate the receipt, or only prepare it for the dock to confirm
    post_bills = false                # 810: post the vendor bill, or leave it a draft for accounts payable
    price_tolerance_percent = 2       # 810: how far an invoiced unit price may be from the PO price

    [transport]
    kind = "folder"                   # folder | as2 | sftp

    [secrets]                         # references only: { env = "VAR" } or { file = "path" }
    as2_private_key = { file = "/etc/edigw/keys/meridian.pem" }

The error tree of the package::

    PartnersError          a partners folder or partner cannot be used as asked
    └── SecretError        a secret reference cannot be read (see ``secrets.py``)
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal, NamedTuple, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..edi.delimiters import EDIFACT_DEFAULT, EDIFACT_OUTBOUND, X12_OUTBOUND, EdifactDelimiters, X12Delimiters

Severity = Literal["error", "warning"]
Standard = Literal["x12", "edifact"]

#: What the gateway builds itself: these documents need no map.
ACK_SETS = frozenset({"997", "999", "TA1", "CONTRL"})

NAME_RULE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
NAME_FIX = "use lowercase letters, digits, - and _ (starting with a letter or digit), such as meridian or acme-eu"

#: Key names that hold a secret when they are given a literal value.
SECRET_WORDS = frozenset({"password", "passwd", "passphrase", "secret", "token", "key", "apikey"})


class PartnersError(Exception):
    """A partners folder or a partner cannot be used as asked (missing, already there, misnamed)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a partner's files: where (file, line, key or column), what, and the fix."""

    code: str
    file: str
    message: str
    fix: str
    line: int | None = None
    key: str = ""
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}" if self.line else self.file
        return f"{where}: {self.message}; {self.fix}" if self.fix else f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "key": self.key,
            "message": self.message,
            "fix": self.fix,
        }


# --- map references ---------------------------------------------------------------------------

_BASE_REF = re.compile(r"^(x12|edifact)/[A-Za-z0-9]+/[A-Za-z0-9]+$")
_SET_ID = re.compile(r"^(\d{3}|[A-Z]{6}|TA1)(/[A-Za-z0-9]+)?$")  # "850", or "850/004010" for one version


@dataclass(frozen=True, slots=True)
class MapRef:
    """Where a document's map is: ``""`` (built by the gateway), a path in the partner folder, or a base map."""

    text: str

    @property
    def is_builtin(self) -> bool:
        return self.text == ""

    @property
    def base(self) -> str | None:
        """``x12/855/004010`` for ``base:x12/855/004010``, else None."""
        return self.text.removeprefix("base:") if self.text.startswith("base:") else None

    def location(self, folder: Path, maps_root: Path) -> Path | None:
        """The map file: under ``maps_root/base`` for a base map, under ``folder`` otherwise."""
        if self.is_builtin:
            return None
        base = self.base
        if base is not None:
            return maps_root / "base" / f"{base}.toml"
        return folder / self.text


def map_ref_issue(text: str) -> tuple[str, str] | None:
    """Why ``text`` is not a map reference, and the fix; None when it is one."""
    if text == "":
        return None
    if text.startswith("base:"):
        if _BASE_REF.match(text.removeprefix("base:")):
            return None
        return (
            f"'{text}' is not a base map reference",
            'write base:<standard>/<set>/<version>, such as "base:x12/850/004010" or "base:edifact/ORDERS/D96A"',
        )
    path = PurePosixPath(text)
    if "\\" in text or path.is_absolute() or ".." in path.parts:
        return (
            f"'{text}' is not a path inside the partner folder",
            'write a relative path such as "maps/850-004010.toml", or a base map such as "base:x12/850/004010"',
        )
    if path.suffix != ".toml":
        return (f"'{text}' is not a map file", 'name the map file with .toml, such as "maps/850-004010.toml"')
    return None


def _refuse(message: str, fix: str, *, at: tuple[str, ...] = (), code: str = "profile.invalid") -> PydanticCustomError:
    """A validation error that carries its fix, its own problem code, and where below the value it points."""
    return PydanticCustomError("edigw", "{message}", {"message": message, "fix": fix, "at": at, "code": code})


def _check_map_ref(text: str) -> str:
    issue = map_ref_issue(text)
    if issue is not None:
        raise _refuse(*issue)
    return text


def _check_set_id(text: str) -> str:
    if not _SET_ID.match(text):
        raise _refuse(
            f"'{text}' is not a transaction set",
            'use an X12 set id such as "850" or an EDIFACT message type such as "ORDERS" '
            '(with /<version> for a map of one version only, such as "850/004010")',
        )
    return text


# --- the models -------------------------------------------------------------------------------


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True, frozen=True)


class SecretRef(_Table):
    """A reference to a secret: ``{ env = "VAR" }`` or ``{ file = "path" }``, never the secret itself."""

    env: str | None = None
    file: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> SecretRef:
        if (self.env is None) == (self.file is None) or not (self.env or self.file):
            raise _refuse(
                "a secret reference needs exactly one of env or file",
                'write { env = "VARIABLE" } or { file = "/path/to/file" }',
            )
        return self

    def __str__(self) -> str:
        return f"env:{self.env}" if self.env is not None else f"file:{self.file}"


class PartnerInfo(_Table):
    name: str
    display_name: str = ""
    usage: Literal["production", "test"]
    odoo_vendor_ref: str = ""

    @field_validator("name")
    @classmethod
    def _name(cls, name: str, info: ValidationInfo) -> str:
        folder = (info.context or {}).get("folder_name")
        if folder is not None and name != folder:
            raise _refuse(
                f"'{name}' is not the folder's name '{folder}'",
                f'write name = "{folder}", or rename the folder to {name}',
                code="profile.name_mismatch",
            )
        if not NAME_RULE.match(name):
            raise _refuse(f"'{name}' is not a valid partner name", NAME_FIX)
        return name


class PartnerId(_Table):
    """One identifier a partner sends as (or we receive as): ISA05/ISA06 or UNB 0007/0004."""

    standard: Standard
    qualifier: str = ""
    id: str = Field(min_length=1)
    gs_id: str = ""

    @model_validator(mode="after")
    def _fits_the_envelope(self) -> PartnerId:
        issues = identifier_issues(self)
        if issues:
            raise _refuse(
                " and ".join(message for _, message, _ in issues),
                "; ".join(fix for _, _, fix in issues),
                at=(issues[0][0],),
            )
        return self

    def matches(self, standard: str, qualifier: str | None, id: str) -> bool:
        """Whether an envelope's sender (or receiver) is this identifier. EDIFACT qualifiers are optional."""
        if self.standard != standard.strip().lower() or self.id != id.strip():
            return False
        q = (qualifier or "").strip()
        if self.standard == "edifact" and (not q or not self.qualifier):
            return True
        return self.qualifier == q

    def overlaps(self, other: PartnerId) -> bool:
        """Whether one envelope could match both identifiers."""
        return other.matches(self.standard, self.qualifier, self.id) or self.matches(
            other.standard, other.qualifier, other.id
        )

    def __str__(self) -> str:
        return f"{self.standard}:{self.qualifier}:{self.id}"


SetId = Annotated[str, AfterValidator(_check_set_id)]
MapRefText = Annotated[str, AfterValidator(_check_map_ref)]


class Documents(_Table):
    inbound: dict[SetId, MapRefText] = Field(default_factory=dict)
    outbound: dict[SetId, MapRefText] = Field(default_factory=dict)

    @field_validator("inbound", "outbound")
    @classmethod
    def _maps_named(cls, table: dict[str, str]) -> dict[str, str]:
        unmapped = [key for key, ref in table.items() if ref == "" and key.split("/")[0] not in ACK_SETS]
        if unmapped:
            first, _, version = unmapped[0].partition("/")
            version = version or "<version>"
            raise _refuse(
                f"{', '.join(unmapped)} {'names' if len(unmapped) == 1 else 'name'} no map "
                "(only acknowledgements are built without one)",
                f'write a map path such as "maps/{first}-{version}.toml" or a base map such as '
                f'"base:<standard>/{first}/{version}"',
                at=(unmapped[0],),
                code="profile.map_missing",
            )
        return table


class Acks(_Table):
    functional: Literal["997", "999", "none"] = "997"
    ta1: Literal["requested", "always", "errors", "never"] = "requested"
    contrl: Literal["requested", "always", "never"] = "requested"
    expect_within_hours: int = Field(default=24, gt=0)


class OdooSettings(_Table):
    """``[odoo]``: what posting to Odoo does with the partner's documents (the README's Odoo section)."""

    confirm_orders: bool | None = None  # None: the connector's default (EDIGW_ODOO_CONFIRM)
    validate_receipts: bool = False
    post_bills: bool = False
    price_tolerance_percent: Decimal = Field(default=Decimal(2), ge=0, le=100, strict=False)  # TOML: 2 or 2.5


class Transport(_Table):
    kind: Literal["folder", "as2", "sftp"] = "folder"


# --- the outbound envelope --------------------------------------------------------------------

#: The keys of ``[envelope]`` for each standard, in the order the skeleton shows them.
ENVELOPE_KEYS: dict[str, tuple[str, ...]] = {
    "x12": ("element", "component", "repetition", "segment", "suffix"),
    "edifact": ("element", "component", "release", "segment", "decimal", "suffix", "una"),
}
_SEPARATOR_KEYS = ("element", "component", "repetition", "release", "segment")
_EXAMPLES = {"element": "*", "component": ">", "repetition": "^", "release": "?", "segment": "~"}
_SPARE = "*+:>^~'|!"
_NOT_FOR: dict[str, dict[str, str]] = {
    "x12": {
        "release": "X12 has no release character",
        "decimal": "X12 numbers always use '.'",
        "una": "the UNA is EDIFACT's service string advice",
    },
    "edifact": {"repetition": "edigw writes EDIFACT syntax 3, which has no repetition separator"},
}


def _check_separator(value: str, info: ValidationInfo) -> str:
    name = info.field_name or "element"
    example = f'{name} = "{_EXAMPLES.get(name, "*")}"'
    if len(value) != 1:
        raise _refuse(f"{value!r} is not one character", f"write a single character, such as {example}")
    if value.isalnum() or value == " ":
        raise _refuse(
            f"{value!r} is a letter, digit or space, which data values hold",
            f"choose a character that never appears in the data, such as {example}",
        )
    return value


class Envelope(_Table):
    """``[envelope]``: the delimiters we write to the partner with; a key left out takes edigw's default."""

    # a suffix is whitespace ("\n") and a space separator is refused with its fix: nothing is stripped
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=False, frozen=True)

    standard: Standard | None = None  # needed only when the partner has ids of both standards
    element: str | None = None
    component: str | None = None
    repetition: str | None = None
    release: str | None = None
    segment: str | None = None
    decimal: str | None = None
    suffix: str | None = None
    una: bool | None = None

    _separators = field_validator(*_SEPARATOR_KEYS)(_check_separator)

    @field_validator("decimal")
    @classmethod
    def _decimal(cls, value: str) -> str:
        if value not in (".", ","):
            raise _refuse(f"{value!r} is not a decimal mark", 'write decimal = "." or decimal = ","')
        return value

    @field_validator("suffix")
    @classmethod
    def _suffix(cls, value: str) -> str:
        if value not in ("", "\n", "\r\n"):
            raise _refuse(
                f"{value!r} is not what may follow a segment terminator",
                'write suffix = "\\n" (a line break), suffix = "\\r\\n" or suffix = "" (nothing)',
            )
        return value

    def delimiters(self, standard: str) -> X12Delimiters | EdifactDelimiters:
        """The delimiters for ``standard``: the keys given, edigw's defaults for the others."""
        base: X12Delimiters | EdifactDelimiters = X12_OUTBOUND if standard == "x12" else EDIFACT_OUTBOUND
        given: dict[str, Any] = {
            k: getattr(self, k) for k in ENVELOPE_KEYS[standard] if k != "una" and getattr(self, k) is not None
        }
        return replace(base, **given)


def envelope_issues(envelope: Envelope, standards: set[str]) -> list[tuple[str, str, str]]:
    """What is wrong with ``[envelope]`` for a partner with ids of ``standards``: ``(key, message, fix)`` each."""
    if envelope.standard is not None and envelope.standard not in standards:
        theirs = next(iter(sorted(standards)), "x12")
        return [
            (
                "standard",
                f"'{envelope.standard}' is not a standard the partner's [[ids]] name",
                f'write standard = "{theirs}", or add an [[ids]] table with standard = "{envelope.standard}"',
            )
        ]
    if envelope.standard is None and len(standards) > 1:
        return [
            (
                "standard",
                "the partner has both x12 and edifact ids, so the standard of these delimiters is not clear",
                'write standard = "x12" or standard = "edifact" in [envelope]',
            )
        ]
    standard: str = envelope.standard or next(iter(standards))
    out = [
        (key, f"{key} is not an {standard.upper()} setting", f"remove it ({why})")
        for key, why in _NOT_FOR[standard].items()
        if getattr(envelope, key) is not None
    ]
    if out:
        return out
    d = envelope.delimiters(standard)
    chars = {k: getattr(d, k) for k in ENVELOPE_KEYS[standard] if k not in ("suffix", "una")}
    chars = {k: v for k, v in chars.items() if v is not None}
    seen: dict[str, str] = {}
    for key, ch in chars.items():
        first = seen.setdefault(ch, key)
        if first == key:
            continue
        # point at the key the profile wrote: a default is not the partner's doing
        blame = key if getattr(envelope, key) is not None else first
        if key == "decimal":
            fix = f'write decimal = "{"." if ch == "," else ","}", or choose another {first}'
        else:
            spare = next(c for c in _SPARE if c not in chars.values())
            fix = f'choose a character no other separator uses, such as {blame} = "{spare}"'
        out.append((blame, f"{first} and {key} are both {ch!r}", fix))
    if standard == "edifact" and envelope.una is False and isinstance(d, EdifactDelimiters):
        defaults = EDIFACT_DEFAULT
        if (d.element, d.component, d.release, d.segment) != (
            defaults.element,
            defaults.component,
            defaults.release,
            defaults.segment,
        ):
            out.append(
                (
                    "una",
                    "una = false, but without a UNA the partner reads the syntax defaults + : ? ' instead of these",
                    "write una = true, or use the default separators",
                )
            )
    return out


class Profile(_Table):
    """A partner's ``partner.toml``, validated."""

    partner: PartnerInfo
    ids: list[PartnerId] = Field(min_length=1)
    documents: Documents = Field(default_factory=Documents)
    acks: Acks = Field(default_factory=Acks)
    transport: Transport = Field(default_factory=Transport)
    envelope: Envelope | None = None
    odoo: OdooSettings = Field(default_factory=OdooSettings)
    secrets: dict[str, SecretRef] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _envelope_fits(self) -> Profile:
        if self.envelope is not None:
            issues = envelope_issues(self.envelope, {i.standard for i in self.ids})
            if issues:
                raise _refuse(
                    " and ".join(message for _, message, _ in issues),
                    "; ".join(fix for _, _, fix in issues),
                    at=("envelope", issues[0][0]),
                    code="profile.envelope",
                )
        return self

    @property
    def envelope_standard(self) -> Standard | None:
        """The standard ``[envelope]`` is for; None without one."""
        if self.envelope is None:
            return None
        return self.envelope.standard or self.ids[0].standard

    def outbound_delimiters(self, standard: str) -> X12Delimiters | EdifactDelimiters | None:
        """The delimiters ``[envelope]`` states for writing ``standard`` to the partner; None when it states none."""
        if self.envelope is None or self.envelope_standard != standard:
            return None
        return self.envelope.delimiters(standard)

    def sends_una(self) -> bool | None:
        """Whether what we write to the partner in EDIFACT opens with a UNA; None when ``[envelope]`` does not say."""
        if self.envelope is None or self.envelope_standard != "edifact":
            return None
        return True if self.envelope.una is None else self.envelope.una

    def map_ref(self, direction: Literal["inbound", "outbound"], set_id: str) -> MapRef | None:
        """The map for a document the partner sends (inbound) or receives (outbound); None if not traded."""
        table = self.documents.inbound if direction == "inbound" else self.documents.outbound
        text = table.get(set_id)
        return None if text is None else MapRef(text)


class SelfProfile(_Table):
    """``partners/_self.toml``: our own identifiers."""

    name: str = "us"
    ids: list[PartnerId] = Field(min_length=1)


# --- finding lines in TOML text ---------------------------------------------------------------

Loc = tuple[str | int, ...]
_KEY_PART = r'(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')'
_KEY = re.compile(rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=\s*(.*)$")
_INNER_KEY = re.compile(rf"[{{,]\s*({_KEY_PART})\s*=")
_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([^\]]+?)\s*\]\]")
_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")


def _key_parts(dotted: str) -> list[str]:
    return [p.strip().strip("\"'") for p in re.findall(rf"{_KEY_PART}", dotted)]


def key_lines(text: str) -> dict[Loc, int]:
    """Where each table and key of a TOML text is, by its location (``("ids", 0, "id")``): 1-based lines.

    A search of the text, not a parser: good enough to point a person at the right line.
    """
    found: dict[Loc, int] = {}
    table: Loc = ()
    arrays: dict[Loc, int] = {}
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if m := _ARRAY_HEADER.match(line):
            name = tuple(_key_parts(m.group(1)))
            index = arrays.get(name, -1) + 1
            arrays[name] = index
            table = (*name, index)
            found.setdefault(name, n)
            found.setdefault(table, n)
            continue
        if m := _HEADER.match(line):
            table = tuple(_key_parts(m.group(1)))
            found.setdefault(table, n)
            continue
        if m := _KEY.match(line):
            loc = (*table, *_key_parts(m.group(1)))
            found.setdefault(loc, n)
            value = m.group(2)
            if value.startswith("{"):
                for inner in _INNER_KEY.finditer(value):
                    found.setdefault((*loc, *_key_parts(inner.group(1))), n)
    return found


def line_of(lines: dict[Loc, int], loc: Loc) -> int | None:
    """The line of ``loc``, or of the nearest enclosing key or table that is written down."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def dotted(loc: Loc) -> str:
    """A location as a person writes it: ``ids[0].qualifier``, ``documents.inbound."850"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", part):
            out += f".{part}" if out else part
        else:
            out += f'."{part}"' if out else f'"{part}"'
    return out


# --- turning pydantic's errors into problems --------------------------------------------------

_TABLES: dict[str, type[BaseModel]] = {
    "partner": PartnerInfo,
    "ids": PartnerId,
    "documents": Documents,
    "acks": Acks,
    "transport": Transport,
    "envelope": Envelope,
}

#: How to write a missing key, by its location without list indexes.
_MISSING: dict[str, str] = {
    "partner": 'add a [partner] table with name = "<folder name>" and usage = "test" (or "production")',
    "partner.name": 'write name = "<folder name>" under [partner]',
    "partner.usage": 'write usage = "production" or usage = "test" under [partner]',
    "ids": 'add an [[ids]] table with standard = "x12", qualifier = "ZZ" and id = "<their ISA06>"',
    "ids.standard": 'write standard = "x12" or standard = "edifact" in this [[ids]] table',
    "ids.id": 'write id = "<their ISA06 or UNB sender id>" in this [[ids]] table',
}


class _Issue(NamedTuple):
    loc: Loc
    message: str
    fix: str
    code: str = "profile.invalid"


def _secret_like(key: str) -> bool:
    return bool(SECRET_WORDS.intersection(re.split(r"[_\-.\s]+", key.lower())))


def _pydantic_issue(err: Any, model: type[BaseModel]) -> _Issue:
    ctx = err.get("ctx") or {}
    loc: Loc = tuple(p for p in err["loc"] if p != "[key]") + tuple(ctx.get("at", ()))
    key = dotted(loc)
    generic = ".".join(str(p) for p in loc if not isinstance(p, int))
    last = str(loc[-1]) if loc else ""
    kind = err["type"]
    secret = bool(loc) and (loc[0] == "secrets" or any(_secret_like(str(p)) for p in loc))
    shown = "" if secret else f" is {err['input']!r}" if not isinstance(err.get("input"), dict | list) else ""
    if "fix" in ctx:
        return _Issue(loc, f"{key}: {ctx['message']}", str(ctx["fix"]), str(ctx.get("code", "profile.invalid")))
    if kind == "missing":
        if len(loc) == 1:
            what = "[[ids]]" if loc[0] == "ids" else f"[{loc[0]}]"
            return _Issue(loc, f"the {what} table is missing", _MISSING.get(generic, f"add a {what} table"))
        return _Issue(loc, f"{key} is missing", _MISSING.get(generic, f"write {last} = ... in that table"))
    if kind == "literal_error":
        expected = str(ctx["expected"]).replace("'", '"')
        return _Issue(loc, f"{key}{shown}, which is not one of {expected}", f"write one of {expected}")
    if kind == "extra_forbidden":
        parent = _TABLES.get(str(loc[0])) if len(loc) > 1 else model
        if loc and loc[0] == "secrets":
            parent = SecretRef
        known = ", ".join(parent.model_fields) if parent is not None else ""
        return _Issue(
            loc,
            f"{key} is not a setting edigw knows",
            f"remove it or correct its spelling (known here: {known})" if known else "remove it",
        )
    if kind == "bool_type":
        return _Issue(loc, f"{key}{shown}, not true or false", f"write {last} = true or {last} = false, without quotes")
    if kind in ("string_type", "str_type"):
        return _Issue(loc, f"{key} must be text", f'put the value in double quotes: {last} = "..."')
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _Issue(loc, f"{key}{shown}, not a whole number", f"write a whole number without quotes: {last} = 24")
    if kind == "greater_than":
        return _Issue(loc, f"{key}{shown}, not greater than {ctx['gt']}", f"write a number above {ctx['gt']}")
    if kind == "string_too_short":
        return _Issue(loc, f"{key} is empty", f"write a value for {last}")
    if kind == "too_short":
        return _Issue(loc, f"{key} has no entries", _MISSING.get(generic, f"add at least one entry to {last}"))
    if kind in ("dict_type", "model_type"):
        return _Issue(loc, f"{key} must be a table", f"write it as [{key}] or as {last} = {{ ... }}")
    if kind == "list_type":
        return _Issue(loc, f"{key} must be a list of tables", f"write each entry as its own [[{key}]] table")
    return _Issue(loc, f"{key}: {err['msg']}", "correct the value")


# --- inline secrets ---------------------------------------------------------------------------


def _walk(value: Any, loc: Loc) -> Iterator[tuple[Loc, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield (*loc, k), v
            yield from _walk(v, (*loc, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, (*loc, i))


def _inline_secrets(data: dict[str, Any]) -> list[Loc]:
    """Every key that holds a secret written in the file itself."""
    found: list[Loc] = []
    secrets = data.get("secrets")
    if isinstance(secrets, dict):
        found += [("secrets", k) for k, v in secrets.items() if not isinstance(v, dict)]
    for loc, value in _walk(data, ()):
        if loc[:1] == ("secrets",) and len(loc) <= 2:
            continue
        if isinstance(value, str | int | float) and not isinstance(value, bool) and _secret_like(str(loc[-1])):
            found.append(loc)
    return found


def _drop(data: dict[str, Any], loc: Loc) -> None:
    node: Any = data
    for part in loc[:-1]:
        node = node[part]
    del node[loc[-1]]


def _secret_fix(loc: Loc) -> str:
    name = str(loc[-1])
    return (
        "never write a secret in the profile: move it to [secrets] as a reference, "
        f'{name} = {{ env = "EDIGW_{name.upper()}" }} or {name} = {{ file = "/etc/edigw/keys/{name}" }} '
        "(a file of mode 0600)"
    )


# --- reading ----------------------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)


def parse_toml(
    text: str,
    file: str,
    model: type[M],
    semantic: Callable[[M, dict[Loc, int]], list[Problem]] | None = None,
    *,
    context: dict[str, Any] | None = None,
) -> tuple[M | None, list[Problem]]:
    """Read ``text`` into ``model`` and collect every problem. The model is None when any problem is an error."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(m.group(1)) if m else None
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        return None, [
            Problem(
                "profile.toml",
                file,
                f"this is not valid TOML ({message[:1].lower()}{message[1:]})",
                'correct the syntax on that line: text values need double quotes, such as usage = "test"',
                line=line,
            )
        ]
    lines = key_lines(text)
    issues: list[_Issue] = []
    for loc in _inline_secrets(data):
        issues.append(
            _Issue(loc, f"{dotted(loc)} is a secret written inline", _secret_fix(loc), "profile.inline_secret")
        )
    for issue in issues:
        _drop(data, issue.loc)
    result: M | None = None
    try:
        result = model.model_validate(data, context=context)
    except ValidationError as exc:
        issues += [_pydantic_issue(err, model) for err in exc.errors()]
    problems = [Problem(i.code, file, i.message, i.fix, line=line_of(lines, i.loc), key=dotted(i.loc)) for i in issues]
    if result is not None and semantic is not None:
        problems += semantic(result, lines)
    problems.sort(key=lambda p: (p.line is None, p.line or 0))
    if any(p.is_error for p in problems):
        return None, problems
    return result, problems


def identifier_issues(ident: PartnerId) -> list[tuple[str, str, str]]:
    """What is wrong with an identifier beyond its shape: ``(field, message, fix)`` for each."""
    out: list[tuple[str, str, str]] = []
    if ident.standard == "x12":
        if not re.fullmatch(r"[A-Za-z0-9]{2}", ident.qualifier):
            out.append(
                (
                    "qualifier",
                    f"'{ident.qualifier}' is not an X12 ISA05 qualifier",
                    'write the two-character code the partner uses, such as "ZZ", "01" or "12"',
                )
            )
        if len(ident.id) > 15:
            out.append(("id", f"'{ident.id}' is longer than 15 characters (ISA06)", "write the id as in ISA06"))
        if ident.gs_id and not 2 <= len(ident.gs_id) <= 15:
            out.append(("gs_id", f"'{ident.gs_id}' is not 2 to 15 characters (GS02)", "write it as in GS02"))
    else:
        if len(ident.qualifier) > 4:
            out.append(
                (
                    "qualifier",
                    f"'{ident.qualifier}' is longer than 4 characters (UNB 0007)",
                    'write the code the partner uses, such as "14" or "ZZZ", or leave it empty',
                )
            )
        if len(ident.id) > 35:
            out.append(("id", f"'{ident.id}' is longer than 35 characters (UNB 0004)", "write the id as in UNB"))
        if ident.gs_id:
            out.append(("gs_id", "an EDIFACT identifier has no GS id", "remove gs_id from this [[ids]] table"))
    return out


def _ids_problems(ids: list[PartnerId], file: str, lines: dict[Loc, int]) -> list[Problem]:
    problems: list[Problem] = []
    for i, ident in enumerate(ids):
        for j in range(i):
            if ids[j].overlaps(ident):
                loc: Loc = ("ids", i)
                problems.append(
                    Problem(
                        "profile.duplicate_id",
                        file,
                        f"ids[{i}] {ident} is the same identifier as ids[{j}]",
                        "remove one of the two [[ids]] tables",
                        line_of(lines, loc),
                        dotted(loc),
                    )
                )
                break
    return problems


def _profile_semantics(file: str) -> Callable[[Profile, dict[Loc, int]], list[Problem]]:
    def semantic(profile: Profile, lines: dict[Loc, int]) -> list[Problem]:
        problems = _ids_problems(profile.ids, file, lines)
        standards = {i.standard for i in profile.ids}
        for direction, table in (("inbound", profile.documents.inbound), ("outbound", profile.documents.outbound)):
            for set_id in table:
                needs = "x12" if set_id[:1].isdigit() or set_id.startswith("TA1") else "edifact"
                if needs not in standards:
                    loc: Loc = ("documents", direction, set_id)
                    problems.append(
                        Problem(
                            "profile.standard_mismatch",
                            file,
                            f"{dotted(loc)}: {set_id} is {needs.upper()} but the partner has no {needs} identifier",
                            f'add an [[ids]] table with standard = "{needs}", or remove the document',
                            line_of(lines, loc),
                            dotted(loc),
                            "warning",
                        )
                    )
        return problems

    return semantic


def name_issue(name: str) -> str | None:
    """Why ``name`` cannot name a partner (with the fix), or None when it can."""
    if NAME_RULE.match(name):
        return None
    return f"'{name}' is not a valid partner name; {NAME_FIX}"


def read_profile(path: Path, *, folder_name: str | None = None) -> tuple[Profile | None, list[Problem]]:
    """Read and check a ``partner.toml``. ``folder_name``: the name the profile must carry (its folder's)."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        return None, [Problem("profile.unreadable", file, f"cannot read the profile ({reason})", "check the file")]
    return parse_toml(text, file, Profile, _profile_semantics(file), context={"folder_name": folder_name})


def read_self(path: Path) -> tuple[SelfProfile | None, list[Problem]]:
    """Read and check ``partners/_self.toml`` (our own identifiers)."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        return None, [Problem("profile.unreadable", file, f"cannot read our identifiers ({reason})", "check the file")]

    def semantic(us: SelfProfile, lines: dict[Loc, int]) -> list[Problem]:
        return _ids_problems(us.ids, file, lines)

    return parse_toml(text, file, SelfProfile, semantic)


# --- writing ----------------------------------------------------------------------------------


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string."""
    out = []
    for ch in value:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _line(assignment: str, comment: str) -> str:
    return f"{assignment:<40}# {comment}" if comment else assignment


def render_profile(
    *,
    name: str,
    display_name: str,
    standard: Standard,
    qualifier: str,
    id: str,
    gs_id: str = "",
    functional: Literal["997", "999", "none"] = "997",
    usage: Literal["production", "test"] = "test",
) -> str:
    """A new partner's ``partner.toml``: the values given, every other setting at its default, with comments."""
    outbound = f'{{ "{functional}" = "" }}' if functional != "none" else "{}"
    s = toml_string
    gs_line = (
        _line(f"gs_id = {s(gs_id)}", "X12 GS02/GS03, when it differs from id (optional)")
        if gs_id
        else _line('# gs_id = ""', "X12 GS02/GS03, when it differs from id (optional)")
    )
    return "\n".join(
        [
            f"# Trading partner profile: {display_name}.",
            f"# Check it with `edigw partners check {name}` after every change.",
            "",
            "[partner]",
            _line(f"name = {s(name)}", "must equal the folder name"),
            f"display_name = {s(display_name)}",
            _line(f"usage = {s(usage)}", "production | test"),
            _line('odoo_vendor_ref = ""', 'the vendor in Odoo, such as "V10442"'),
            "",
            "# The identifiers the partner sends as: one [[ids]] table each.",
            "[[ids]]",
            _line(f"standard = {s(standard)}", "x12 | edifact"),
            _line(f"qualifier = {s(qualifier)}", "ISA05/ISA07, or UNB 0007 (may be empty for EDIFACT)"),
            _line(f"id = {s(id)}", "ISA06/ISA08, or UNB sender id; compared trimmed"),
            gs_line,
            "",
            "# What the partner sends (inbound) and receives (outbound), and the map for each:",
            '# a path in this folder ("maps/850-004010.toml") or a base map ("base:x12/850/004010").',
            '# Acknowledgements need no map (""): the gateway builds them.',
            "[documents]",
            "inbound = {}",
            f"outbound = {outbound}",
            "",
            "[acks]",
            _line(f"functional = {s(functional)}", "997 | 999 | none: how we answer X12 groups"),
            _line('ta1 = "requested"', "requested | always | errors | never"),
            _line('contrl = "requested"', "requested | always | never (EDIFACT)"),
            _line("expect_within_hours = 24", "when their 997/CONTRL to what we send is overdue"),
            "",
            *_envelope_example(standard),
            "",
            *ODOO_EXAMPLE,
            "",
            "[transport]",
            _line('kind = "folder"', "folder | as2 | sftp"),
            "",
            "# Secrets are never written here, only where to find them:",
            '#   name = { env = "VARIABLE" }          read from the environment',
            '#   name = { file = "/etc/edigw/x.pem" }  read from a file of mode 0600 or stricter',
            "[secrets]",
            "",
        ]
    )


#: The ``[odoo]`` table of a new profile: the defaults, written out so that each can be changed in place.
ODOO_EXAMPLE = (
    "# What posting to Odoo does with this partner's documents (ignored by the JSON connector).",
    "[odoo]",
    _line("# confirm_orders = true", "850: confirm the PO, or false: leave an RFQ (default: EDIGW_ODOO_CONFIRM)"),
    _line("validate_receipts = false", "856: validate the receipt, or false: prepare it for the dock"),
    _line("post_bills = false", "810: post the vendor bill, or false: leave a draft for accounts payable"),
    _line("price_tolerance_percent = 2", "810: how far an invoiced unit price may be from the PO price"),
)


def _envelope_example(standard: Standard) -> list[str]:
    """The commented ``[envelope]`` of a new profile: edigw's defaults, to uncomment and change."""
    head = [
        "# The delimiters we write to the partner with, when it asks for its own (uncomment and change).",
        "# Without [envelope], what we send uses the values below, and acks answer in the delimiters",
        "# of the interchange they acknowledge.",
        "# [envelope]",
    ]
    if standard == "x12":
        return [
            *head,
            _line('# element = "*"', "the element separator (ISA byte 4)"),
            _line('# component = ">"', "ISA16"),
            _line('# repetition = "^"', "ISA11, from version 00402 on"),
            _line('# segment = "~"', "the segment terminator"),
            _line('# suffix = "\\n"', 'after each terminator: "\\n", "\\r\\n" or ""'),
        ]
    return [
        *head,
        _line('# element = "+"', "UNA: the data element separator"),
        _line('# component = ":"', "the component data element separator"),
        _line('# release = "?"', "the release character"),
        _line('# segment = "\'"', "the segment terminator"),
        _line('# decimal = "."', '"." or ",": how numbers are written'),
        _line('# suffix = "\\n"', 'after each terminator: "\\n", "\\r\\n" or ""'),
        _line("# una = true", "send the UNA service string advice"),
    ]


def check_identifier(standard: str, qualifier: str, id: str, gs_id: str = "") -> list[tuple[str, str]]:
    """What is wrong with an identifier given field by field (for ``partners add``): ``(field, "what; fix")``."""
    out: list[tuple[str, str]] = []
    try:
        PartnerId.model_validate({"standard": standard, "qualifier": qualifier, "id": id, "gs_id": gs_id})
    except ValidationError as exc:
        for err in exc.errors():
            if "at" in (err.get("ctx") or {}):
                continue  # the envelope rules, reported one by one below
            issue = _pydantic_issue(err, PartnerId)
            field = str(issue.loc[0]) if issue.loc else ""
            out.append((field, f"{issue.message.removeprefix(f'{field}: ')}; {issue.fix}"))
    if standard in ("x12", "edifact") and not out:
        ident = PartnerId.model_construct(
            standard=standard, qualifier=qualifier.strip(), id=id.strip(), gs_id=gs_id.strip()
        )
        out += [(field, f"{message}; {fix}") for field, message, fix in identifier_issues(ident)]
    return out
