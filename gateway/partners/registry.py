"""The partner registry: every partner of a ``partners/`` folder, found by the ids on an envelope.

:func:`load_partners` reads each ``partners/<name>/partner.toml`` with its crosswalks, and
``partners/_self.toml`` (our own identifiers; folders and files starting with ``_`` are not
partners). Nothing stops at the first mistake: a partner whose profile is in error is left
out and its problems are kept on the registry. An envelope id claimed by two partners is an
error, and :meth:`Registry.find_by_envelope` answers None for it rather than guess.

:func:`check_partner` is everything ``edigw partners check`` looks at; :func:`create_partner`
writes a new partner's skeleton.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..edi.check import AckPolicy
from ..edi.delimiters import EdifactDelimiters, X12Delimiters
from .crosswalks import HEADERS, Crosswalks, empty_file, load_crosswalks
from .profile import (
    PartnerId,
    PartnersError,
    Problem,
    Profile,
    Standard,
    check_identifier,
    dotted,
    key_lines,
    line_of,
    name_issue,
    parse_toml,
    read_profile,
    read_self,
    render_profile,
)
from .secrets import check_secrets

PROFILE = "partner.toml"
SELF = "_self.toml"
CROSSWALKS = "crosswalks"


@dataclass(frozen=True, slots=True)
class Partner:
    """A trading partner: its checked profile, its folder and its crosswalks."""

    profile: Profile
    folder: Path
    crosswalks: Crosswalks

    @property
    def name(self) -> str:
        return self.profile.partner.name

    @property
    def display_name(self) -> str:
        return self.profile.partner.display_name or self.profile.partner.name

    @property
    def ids(self) -> list[PartnerId]:
        return self.profile.ids

    @property
    def profile_file(self) -> Path:
        return self.folder / PROFILE


@dataclass(frozen=True, slots=True)
class Us:
    """Our own identifiers (``partners/_self.toml``). No ids: nothing is addressed to us."""

    name: str = "us"
    ids: tuple[PartnerId, ...] = ()


class Registry:
    """The partners of one folder, by name and by envelope id."""

    def __init__(
        self,
        root: Path,
        partners: Mapping[str, Partner],
        us: Us,
        problems: Mapping[str, list[Problem]],
        broken: tuple[str, ...] = (),
    ) -> None:
        self.root = root
        self.partners: dict[str, Partner] = dict(sorted(partners.items()))
        self.us = us
        #: Partner folders whose profile is in error (left out of the registry).
        self.broken = broken
        self._problems = {k: list(v) for k, v in problems.items()}
        self._by_id: dict[tuple[str, str], list[tuple[PartnerId, Partner]]] = {}
        for partner in self.partners.values():
            for ident in partner.ids:
                self._by_id.setdefault((ident.standard, ident.id), []).append((ident, partner))

    def __iter__(self) -> Iterator[Partner]:
        return iter(self.partners.values())

    def __len__(self) -> int:
        return len(self.partners)

    def __contains__(self, name: object) -> bool:
        return name in self.partners

    def get(self, name: str) -> Partner | None:
        return self.partners.get(name)

    @property
    def problems(self) -> list[Problem]:
        """Every problem found while loading, the registry's own (``_self.toml``, conflicts) first."""
        return [p for name in sorted(self._problems) for p in self._problems[name]]

    def problems_for(self, name: str) -> list[Problem]:
        """The problems of one partner folder; ``""`` for the registry's own."""
        return list(self._problems.get(name, []))

    def find_by_envelope(self, standard: str, qualifier: str | None, id: str) -> Partner | None:
        """The partner that sends as ISA05/ISA06 (X12) or UNB 0007/0004 (EDIFACT; qualifier optional).

        Values are compared trimmed. None when no partner, or more than one, claims the id.
        """
        candidates = self._by_id.get((standard.strip().lower(), id.strip()), [])
        found = {p.name: p for ident, p in candidates if ident.matches(standard, qualifier, id)}
        return next(iter(found.values())) if len(found) == 1 else None

    def is_addressed_to_us(self, standard: str, qualifier: str | None, id: str) -> bool:
        """Whether an envelope's receiver (ISA07/ISA08, UNB 0010/0007) is one of our ids."""
        return any(ident.matches(standard, qualifier, id) for ident in self.us.ids)


class PartnerDirectory:
    """The registry as :class:`gateway.edi.check.Directory`: each sender's ack policy, and our own ids."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def policy_for(self, standard: str, sender: tuple[str, str], usage: str = "") -> AckPolicy:
        return ack_policy(self.registry.find_by_envelope(standard, sender[0] or None, sender[1]))

    def is_ours(self, standard: str, receiver: tuple[str, str]) -> bool:
        if not self.registry.us.ids:
            return True  # no _self.toml: nothing to compare with (`partners check` warns about it)
        return self.registry.is_addressed_to_us(standard, receiver[0] or None, receiver[1])


def ack_policy(partner: Partner | None) -> AckPolicy:
    """What we send back to a partner; the gateway's defaults for an unknown sender."""
    if partner is None:
        return AckPolicy()
    acks = partner.profile.acks
    profile = partner.profile
    # the profile's [envelope], when it has one; else each ack mirrors the interchange it answers
    x12 = profile.outbound_delimiters("x12")
    edifact = profile.outbound_delimiters("edifact")
    return AckPolicy(
        functional=acks.functional,
        ta1=acks.ta1,
        contrl=acks.contrl,
        x12_delimiters=x12 if isinstance(x12, X12Delimiters) else None,
        edifact_delimiters=edifact if isinstance(edifact, EdifactDelimiters) else None,
        edifact_una=profile.sends_una(),
    )


# --- loading ----------------------------------------------------------------------------------


def load_partner(folder: Path) -> tuple[Partner | None, list[Problem]]:
    """One partner folder: its profile and crosswalks, with every problem. None when the profile is in error."""
    profile, problems = read_profile(folder / PROFILE, folder_name=folder.name)
    crosswalks, cw_problems = load_crosswalks(folder / CROSSWALKS)
    problems += cw_problems
    if profile is None:
        return None, problems
    return Partner(profile, folder, crosswalks), problems


def _is_partner_folder(path: Path) -> bool:
    return path.is_dir() and not path.name.startswith(("_", "."))


def _id_line(file: Path, index: int) -> int | None:
    try:
        return line_of(key_lines(file.read_text(encoding="utf-8")), ("ids", index))
    except (OSError, UnicodeDecodeError):
        return None


def load_partners(root: Path) -> Registry:
    """Every partner under ``root`` (the partners folder) and our own ids. Raises only when ``root`` is missing."""
    if not root.is_dir():
        raise PartnersError(
            f"there is no partners folder at {root}; create the first partner (edigw partners add NAME), "
            "or point EDIGW_PARTNERS (--root) at the folder"
        )
    problems: dict[str, list[Problem]] = {"": []}
    us = Us()
    self_file = root / SELF
    if self_file.is_file():
        ours, self_problems = read_self(self_file)
        problems[""] += self_problems
        if ours is not None:
            us = Us(ours.name, tuple(ours.ids))
    else:
        problems[""].append(
            Problem(
                "registry.self_missing",
                str(self_file),
                "our own identifiers are not configured, so no interchange is taken as addressed to us",
                'create it with name = "us" and an [[ids]] table (standard, qualifier, id) per id we receive as',
                severity="warning",
            )
        )
    partners: dict[str, Partner] = {}
    broken: list[str] = []
    for folder in sorted(p for p in root.iterdir() if _is_partner_folder(p)):
        name = folder.name
        if not (folder / PROFILE).is_file():
            problems[name] = [
                Problem(
                    "registry.not_a_partner",
                    str(folder),
                    f"the folder has no {PROFILE}",
                    f"create it with edigw partners add {name}, or move the folder out of {root}",
                    severity="warning",
                )
            ]
            continue
        partner, found = load_partner(folder)
        problems[name] = found
        if partner is None:
            broken.append(name)
        else:
            partners[name] = partner
    _conflicts(root, partners, us, problems)
    return Registry(root, partners, us, problems, tuple(broken))


def _conflicts(root: Path, partners: dict[str, Partner], us: Us, problems: dict[str, list[Problem]]) -> None:
    """Report every envelope id that more than one partner (or a partner and we) could be."""
    owners: list[tuple[str, int, PartnerId, Path]] = [
        (p.name, i, ident, p.profile_file) for p in partners.values() for i, ident in enumerate(p.ids)
    ]
    owners += [("", i, ident, root / SELF) for i, ident in enumerate(us.ids)]
    by_id: dict[tuple[str, str], list[tuple[str, int, PartnerId, Path]]] = {}
    for owner in owners:
        by_id.setdefault((owner[2].standard, owner[2].id), []).append(owner)
    for group in by_id.values():
        for a in group:
            for b in group:
                if a[0] == b[0] or not a[2].overlaps(b[2]):
                    continue
                other = f"partner '{b[0]}' ({b[3]})" if b[0] else f"our own ids ({b[3]})"
                problems.setdefault(a[0], []).append(
                    Problem(
                        "registry.id_conflict",
                        str(a[3]),
                        f"ids[{a[1]}] {a[2]} is also claimed by {other}",
                        "an envelope id must belong to one partner: remove it from one of them "
                        "(until then, envelopes with it are not matched to any partner)",
                        _id_line(a[3], a[1]),
                        dotted(("ids", a[1])),
                    )
                )


# --- a new partner ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewPartner:
    """What ``partners add`` asks for."""

    name: str
    display_name: str
    standard: Standard
    qualifier: str
    id: str
    gs_id: str = ""
    functional: Literal["997", "999", "none"] = "997"
    usage: Literal["production", "test"] = "test"

    def issues(self) -> list[tuple[str, str]]:
        """What is wrong, field by field: ``(field, "what; fix")``."""
        out: list[tuple[str, str]] = []
        if (issue := name_issue(self.name)) is not None:
            out.append(("name", issue))
        out += check_identifier(self.standard, self.qualifier, self.id, self.gs_id)
        return out


def create_partner(root: Path, new: NewPartner) -> list[Path]:
    """Write a new partner's folder: the profile skeleton and empty crosswalks. Returns the files written.

    Refuses an invalid name or identifier, and a partner that exists; never overwrites a file.
    """
    issues = new.issues()
    if issues:
        raise PartnersError("; ".join(message for _, message in issues))
    folder = root / new.name
    if (folder / PROFILE).exists():
        raise PartnersError(f"partner {new.name} already exists ({folder / PROFILE}); edit that file instead")
    text = render_profile(
        name=new.name,
        display_name=new.display_name or new.name,
        standard=new.standard,
        qualifier=new.qualifier.strip(),
        id=new.id.strip(),
        gs_id=new.gs_id.strip(),
        functional=new.functional,
        usage=new.usage,
    )
    profile, problems = parse_toml(text, str(folder / PROFILE), Profile)
    if profile is None:  # the skeleton is ours: a problem here is a bug in render_profile
        raise PartnersError("; ".join(str(p) for p in problems))
    written: list[Path] = []
    try:
        (folder / CROSSWALKS).mkdir(parents=True, exist_ok=True)
        with (folder / PROFILE).open("x", encoding="utf-8") as fh:
            fh.write(text)
        written.append(folder / PROFILE)
        for name in HEADERS:
            path = folder / CROSSWALKS / name
            if not path.exists():
                with path.open("x", encoding="utf-8", newline="") as fh:
                    fh.write(empty_file(name))
                written.append(path)
    except FileExistsError as exc:
        raise PartnersError(f"partner {new.name} already exists ({exc.filename}); edit that file instead") from exc
    except OSError as exc:
        raise PartnersError(f"cannot write {exc.filename} ({exc.strerror}); check the folder's permissions") from exc
    return written


# --- checking one partner ---------------------------------------------------------------------


@dataclass(slots=True)
class CheckReport:
    """What ``partners check`` found for one partner: the facts it looked at, and every problem."""

    name: str
    folder: Path
    problems: list[Problem] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "partner": self.name,
            "folder": str(self.folder),
            "ok": self.ok,
            "facts": dict(self.facts),
            "problems": [p.to_dict() for p in self.problems],
        }


def _maps_from(key: str, ref_text: str) -> str:
    """The ``--from`` of ``edigw maps new`` for a partner map path such as ``maps/850-004010.toml``."""
    set_id, _, version = key.partition("/")
    if version:
        return f"{'x12' if set_id[:1].isdigit() else 'edifact'}/{set_id}/{version}"
    m = re.fullmatch(r"(\w+)-(\w+)", Path(ref_text).stem)
    version = m.group(2) if m and m.group(1) == set_id else "<version>"
    standard = "x12" if set_id[:1].isdigit() else "edifact"
    return f"{standard}/{set_id}/{version}"


def check_map_refs(partner: Partner, maps_root: Path) -> list[Problem]:
    """Every map the profile names must exist (a partner map in its folder, a base map under ``maps_root``)."""
    try:
        lines = key_lines(partner.profile_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        lines = {}
    problems: list[Problem] = []
    for direction in ("inbound", "outbound"):
        table = partner.profile.documents.inbound if direction == "inbound" else partner.profile.documents.outbound
        for set_id, text in table.items():
            ref = partner.profile.map_ref(direction, set_id)
            where = ref.location(partner.folder, maps_root) if ref is not None else None
            if where is None or where.is_file():
                continue
            loc = ("documents", direction, set_id)
            if ref is not None and ref.base is not None:
                message = f"{dotted(loc)} names the base map {ref.base}, which does not exist ({where})"
                fix = f"use a base map that exists under {maps_root / 'base'}, or write a partner map"
            else:
                message = f"{dotted(loc)} names {text}, which does not exist ({where})"
                fix = (
                    f"create it with edigw maps new --partner {partner.name} --from {_maps_from(set_id, text)}, "
                    "or correct the path"
                )
            problems.append(
                Problem("map.missing", str(partner.profile_file), message, fix, line_of(lines, loc), dotted(loc))
            )
    return problems


def check_maps(partner: Partner, maps_root: Path | None = None) -> list[Problem]:
    """Each of the partner's own maps loads: its rules, paths, base map and fields are valid."""
    from ..mapping.maps import MapError, load_map  # the mapping engine, beside this layer

    problems: list[Problem] = []
    for path in sorted((partner.folder / "maps").glob("*.toml")):
        try:
            load_map(path, maps_root)
        except MapError as exc:
            problems.append(
                Problem(
                    code="map.invalid",
                    file=path.as_posix(),
                    message=str(exc),
                    fix="correct that rule (maps/FORMAT.md explains every key), then run `edigw maps lint`",
                )
            )
    return problems


def check_certificates(partner: Partner) -> list[Problem]:
    """Hook: certificate and key expiry. AS2 plugs in here; until then there are no certificates to check."""
    return []


def _documents_fact(partner: Partner) -> str:
    parts = []
    for direction in ("inbound", "outbound"):
        table = partner.profile.documents.inbound if direction == "inbound" else partner.profile.documents.outbound
        for set_id, text in table.items():
            parts.append(f"{direction} {set_id} -> {text or '(built by the gateway)'}")
    return ", ".join(parts) or "none yet"


def check_partner(
    root: Path,
    name: str,
    *,
    maps_root: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> CheckReport:
    """Everything about one partner: profile, crosswalks, id conflicts, secrets, map references, maps, certificates.

    ``maps_root`` defaults to ``maps/`` beside the partners folder. Raises :class:`PartnersError`
    when there is no such partner.
    """
    folder = root / name
    if name.startswith(("_", ".")) or not (folder / PROFILE).is_file():
        raise PartnersError(unknown_partner_message(root, name))
    maps_root = root.parent / "maps" if maps_root is None else maps_root
    registry = load_partners(root)
    report = CheckReport(name, folder, registry.problems_for("") + registry.problems_for(name))
    report.facts["profile"] = str(folder / PROFILE)
    partner = registry.get(name)
    if partner is None:
        crosswalks, _ = load_crosswalks(folder / CROSSWALKS)
        report.facts["crosswalks"] = ", ".join(f"{k} {v}" for k, v in crosswalks.counts.items())
        report.facts["documents"] = "not checked (the profile is in error)"
        report.facts["secrets"] = "not checked (the profile is in error)"
    else:
        report.facts["crosswalks"] = ", ".join(f"{k} {v}" for k, v in partner.crosswalks.counts.items())
        report.facts["documents"] = _documents_fact(partner)
        secrets = partner.profile.secrets
        report.facts["secrets"] = ", ".join(f"{k} = {v}" for k, v in secrets.items()) or "none"
        report.problems += check_secrets(secrets, folder=folder, profile_file=partner.profile_file, environ=environ)
        report.problems += check_map_refs(partner, maps_root)
        report.problems += check_maps(partner, maps_root)
        report.problems += check_certificates(partner)
    report.facts["certificates"] = "no certificates configured"
    return report


def unknown_partner_message(root: Path, name: str) -> str:
    """The message for a name that is not a partner, listing those that are."""
    known = sorted(p.name for p in root.iterdir() if _is_partner_folder(p)) if root.is_dir() else []
    listed = f" (there are: {', '.join(known)})" if known else ""
    return f"there is no partner '{name}' in {root}{listed}; list them with edigw partners list"
