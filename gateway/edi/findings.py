"""Findings: validation results as data, each knowing its wire meaning.

A :class:`Finding` is one result of reading or validating: a ``code`` from the catalogue
below, a severity, where it points (segment index, element/component/repetition position,
loop path) and a plain-language message. Every code in :data:`KINDS` carries the codes it
becomes on the wire: AK304/IK304 for a segment, AK403/IK403 for an element, AK502/IK502 for
a transaction, AK905 for a group, TA105 for an interchange, and 0085 for CONTRL. The ack
builders read those codes from here; nothing else in the code base spells them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How bad a finding is. ``error`` rejects what it points at; ``warning`` does not."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Level(StrEnum):
    """What a finding is about, which decides which ack segment reports it."""

    INTERCHANGE = "interchange"
    GROUP = "group"
    TRANSACTION = "transaction"
    SEGMENT = "segment"
    ELEMENT = "element"
    DOCUMENT = "document"  # translation and business rules: never on the wire, always for a person


@dataclass(frozen=True, slots=True)
class Kind:
    """One entry of the finding catalogue."""

    code: str
    level: Level
    severity: Severity
    x12: str | None = None  # AK304 / AK403 / AK502 / AK905 depending on level
    x12_999: str | None = None  # IK304 / IK403 / IK502 when the 999 differs from the 997
    ta1: str | None = None  # TA105 note code
    contrl: str | None = None  # 0085 syntax error code
    x12_5010: str | None = None  # the code from version 005010 on, when it differs


def _k(code: str, level: Level, severity: Severity = Severity.ERROR, **wire: str) -> Kind:
    return Kind(code, level, severity, **wire)


IC, G, T, S, E, D = Level.INTERCHANGE, Level.GROUP, Level.TRANSACTION, Level.SEGMENT, Level.ELEMENT, Level.DOCUMENT
W = Severity.WARNING

#: The catalogue. Codes are stable: they appear in JSON output and in stored findings.
KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        # Interchange (TA1 note codes, CONTRL 0085 on UCI)
        _k("interchange.unreadable", IC),
        _k("interchange.not_edi", IC),
        _k("interchange.isa_width", IC, W),
        _k("interchange.isa_padding", IC, W),
        _k("interchange.isa16_missing", IC, W, ta1="027"),
        _k("interchange.header_invalid", IC, ta1="024", contrl="12"),
        _k("interchange.auth_qualifier", IC, ta1="010"),
        _k("interchange.auth_info", IC, ta1="011"),
        _k("interchange.security_qualifier", IC, ta1="012"),
        _k("interchange.security_info", IC, ta1="013"),
        _k("interchange.sender_qualifier", IC, ta1="005"),
        _k("interchange.sender_id", IC, ta1="006", contrl="23"),
        _k("interchange.receiver_qualifier", IC, ta1="007"),
        _k("interchange.receiver_id", IC, ta1="008"),
        _k("interchange.date", IC, ta1="014", contrl="12"),
        _k("interchange.time", IC, ta1="015", contrl="12"),
        _k("interchange.standards_id", IC, ta1="016"),
        _k("interchange.version", IC, ta1="017", contrl="2"),
        _k("interchange.control_number", IC, ta1="018", contrl="12"),
        _k("interchange.ack_requested", IC, ta1="019", contrl="12"),
        _k("interchange.usage", IC, ta1="020", contrl="25"),
        _k("interchange.element_separator", IC, ta1="026", contrl="22"),
        _k("interchange.component_separator", IC, ta1="027", contrl="22"),
        _k("interchange.segment_terminator", IC, ta1="004", contrl="22"),
        _k("interchange.control_mismatch", IC, ta1="001", contrl="28"),
        _k("interchange.group_count", IC, ta1="021", contrl="29"),
        _k("interchange.trailer_missing", IC, ta1="023", contrl="13"),
        _k("interchange.invalid_content", IC, ta1="024", contrl="33"),
        _k("interchange.duplicate", IC, W, ta1="025", contrl="26"),
        _k("interchange.not_addressed_to_us", IC, ta1="009", contrl="7"),
        _k("interchange.mixed_groups_and_messages", IC, contrl="30"),
        _k("interchange.character_set", IC, W, contrl="21"),
        _k("interchange.syntax_unsupported", IC, contrl="2"),
        # Group (AK905)
        _k("group.unsupported", G, x12="1", contrl="14"),
        _k("group.version_unsupported", G, x12="2", contrl="2"),
        _k("group.trailer_missing", G, x12="3", contrl="13"),
        _k("group.control_mismatch", G, x12="4", contrl="28"),
        _k("group.count_mismatch", G, x12="5", contrl="29"),
        _k("group.control_number", G, x12="6", contrl="12"),
        _k("group.control_not_unique", G, x12="6", x12_5010="19", contrl="26"),
        _k("group.header_invalid", G, ta1="024", contrl="12"),
        # Transaction (AK502 / IK502, CONTRL on UCM)
        _k("transaction.unsupported", T, x12="1", contrl="14"),
        _k("transaction.guide_unsupported", T, x12="1", x12_999="I6", contrl="14"),
        _k("transaction.trailer_missing", T, x12="2", contrl="13"),
        _k("transaction.control_mismatch", T, x12="3", contrl="28"),
        _k("transaction.count_mismatch", T, x12="4", contrl="29"),
        _k("transaction.segments_in_error", T, x12="5"),
        _k("transaction.set_id", T, x12="6", contrl="12"),
        _k("transaction.control_number", T, x12="7", contrl="12"),
        _k("transaction.control_not_unique", T, x12="23", contrl="26"),
        _k("transaction.set_not_in_group", T, x12="6", contrl="31"),
        _k("transaction.hierarchy", T, x12="5", contrl="12"),
        # Segment (AK304 / IK304, CONTRL UCS 0085)
        _k("segment.unrecognized", S, x12="1", contrl="15"),
        _k("segment.unexpected", S, x12="2", contrl="15"),
        _k("segment.missing", S, x12="3", contrl="13"),
        _k("segment.loop_over_max", S, x12="4", contrl="36"),
        _k("segment.over_max_use", S, x12="5", contrl="35"),
        _k("segment.not_in_set", S, x12="6", contrl="15"),
        _k("segment.out_of_order", S, x12="7", contrl="15"),
        _k("segment.element_errors", S, x12="8"),
        _k("segment.empty", S, x12="8", contrl="13"),
        _k("segment.hierarchy", S, x12="8", contrl="12"),
        # Element (AK403 / IK403, CONTRL UCD 0085)
        _k("element.missing", E, x12="1", contrl="13"),
        _k("element.conditional_missing", E, x12="2", contrl="13"),
        _k("element.too_many", E, x12="3", contrl="16"),
        _k("element.too_short", E, x12="4", contrl="40"),
        _k("element.too_long", E, x12="5", contrl="39"),
        _k("element.invalid_character", E, x12="6", contrl="21"),
        _k("element.invalid_number", E, x12="6", contrl="37"),
        _k("element.invalid_code", E, x12="7", contrl="12"),
        _k("element.invalid_date", E, x12="8", contrl="12"),
        _k("element.invalid_time", E, x12="9", contrl="12"),
        _k("element.exclusion", E, x12="10", contrl="48"),
        _k("element.too_many_repetitions", E, x12="12", contrl="35"),
        _k("element.too_many_components", E, x12="13", contrl="16"),
        _k("element.character_set", E, W, contrl="21"),
        _k("element.trailing_separator", E, W, contrl="45"),
        _k("element.decimal_mark", E, x12="6", contrl="19"),
        # Translation (maps) and crosswalks: findings for review, never acknowledged
        _k("mapping.missing", D),
        _k("mapping.bad_value", D),
        _k("mapping.invalid_document", D),
        _k("mapping.hook_failed", D),
        _k("mapping.unused", D, Severity.INFO),
        _k("crosswalk.unknown_item", D),
        _k("crosswalk.unknown_uom", D),
        _k("crosswalk.unknown_party", D),
        # The pipeline: what stops a document between translation and the ERP
        _k("partner.unknown", D),
        _k("business.duplicate", D, W),
        _k("usage.mismatch", D, W),
        _k("post.rejected", D),
        # Business checks against the ERP (the connector) and the invoice's own arithmetic
        _k("business.po_unknown", D),
        _k("business.po_other_vendor", D),
        _k("business.not_on_po", D),
        _k("business.lot_missing", D),
        _k("business.expiry_missing", D),
        _k("business.expired", D),
        _k("business.over_shipped", D),
        _k("business.duplicate_invoice", D),
        _k("match.quantity", D),
        _k("match.price", D),
        _k("match.unit", D),
        _k("invoice.total", D),
        # An acknowledgement's proposals that a person decides on (never applied by the gateway)
        _k("proposal.substitution", D),
        _k("proposal.rejected", D),
        _k("proposal.price_change", D),
        _k("job.failed", D),
    )
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One validation result. Positions are counted as the standard counts them (from 1)."""

    code: str
    message: str
    severity: Severity = Severity.ERROR
    segment_index: int | None = None  # within the transaction (ST/UNH = 1); or the interchange
    segment_tag: str | None = None
    element_position: int | None = None
    component_position: int | None = None
    repetition: int | None = None
    element_ref: str | None = None  # "PO102", "SLN05-01": tag, position, component
    data_element: str | None = None  # the dictionary id: "330" (X12), "6060" (EDIFACT)
    loop_path: tuple[str, ...] = ()
    segment: str | None = None  # the raw segment, for a person reading a report
    ack_code: str | None = None  # overrides the catalogue's wire code where the rule knows better
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> Kind:
        """The catalogue entry of this finding's code."""
        return KINDS[self.code]

    @property
    def is_error(self) -> bool:
        """True when this finding rejects what it points at."""
        return self.severity is Severity.ERROR

    def at(self, **where: Any) -> Finding:
        """A copy that points somewhere else (used when an outer layer knows more)."""
        return replace(self, **where)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, leaving out empty fields."""
        out: dict[str, Any] = {"code": self.code, "severity": str(self.severity), "message": self.message}
        for name in (
            "segment_index",
            "segment_tag",
            "element_position",
            "component_position",
            "repetition",
            "element_ref",
            "data_element",
            "segment",
        ):
            value = getattr(self, name)
            if value is not None and value != "":
                out[name] = value
        if self.loop_path:
            out["loop_path"] = "/".join(self.loop_path)
        if self.extra:
            out["extra"] = self.extra
        return out


def finding(code: str, message: str, **where: Any) -> Finding:
    """Build a finding with the catalogue's default severity for ``code``."""
    kind = KINDS[code]
    return Finding(code=code, message=message, severity=kind.severity, **where)


def x12_code(f: Finding, version: str, *, for_999: bool = False) -> str | None:
    """The AK3/AK4/AK5/AK9 (or IK) code for ``f`` in an ack of ``version`` (e.g. ``004010``)."""
    if f.ack_code is not None:
        return f.ack_code
    kind = f.kind
    if for_999 and kind.x12_999 is not None:
        return kind.x12_999
    if kind.x12_5010 is not None and version[:6] >= "005010":
        return kind.x12_5010
    return kind.x12


def has_errors(findings: list[Finding]) -> bool:
    """True when any finding is an error."""
    return any(f.is_error for f in findings)
