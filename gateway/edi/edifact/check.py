"""Check EDIFACT interchanges: envelope rules, message validation, CONTRL.

The envelope rules (UNB/UNZ, optional UNG/UNE, UNH/UNT: trailers present, counts and
references matching, references unique) live here; message bodies go to the shared
validation engine. The syntax identifier in UNB picks the character set. Declared sets are
often wrong in practice, so decoding is lenient: bytes that do not fit give a warning, never
a crash.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from ..acks.contrl import build_contrl
from ..acks.reading import read_contrl
from ..delimiters import EdifactDelimiters
from ..findings import Finding, Severity, finding
from ..results import GroupResult, InterchangeResult, Status, TransactionResult
from ..schema import edifact_directories, edifact_schema, edifact_service_segment
from ..source import Source, has_undecodable, to_bytes
from ..validation import validate, validate_segment
from .dialect import EdifactDialect
from .tokenizer import MISSING_UNZ, EdifactTokenizer, Junk, ServiceAdvice, split_escaped, unescape

if TYPE_CHECKING:
    from ..check import AckPolicy, Checked, Directory, Numbers, Seen

#: Syntax identifier → the codec its bytes are in. UNOA/UNOB are subsets of ASCII.
CHARSETS = {
    "UNOA": "ascii",
    "UNOB": "ascii",
    "UNOC": "latin-1",
    "UNOD": "iso8859-2",
    "UNOE": "iso8859-5",
    "UNOF": "iso8859-7",
    "UNOG": "iso8859-3",
    "UNOH": "iso8859-4",
    "UNOI": "iso8859-6",
    "UNOJ": "iso8859-8",
    "UNOK": "iso8859-9",
    "UNOW": "utf-8",
    "UNOX": "iso2022_jp",
    "UNOY": "utf-8",
}
_UNOA = re.compile(r"[^A-Z0-9 .,\-()/='+:?!\"%&*;<>]")
_UNOB = re.compile(r"[^A-Za-z0-9 .,\-()/='+:?!\"%&*;<>@\[\]_{}\\|~#$`^\x1c\x1d\x1f]")
ACK_MESSAGES = frozenset({"CONTRL", "APERAK"})


def _get(seg: list[str], n: int) -> str:
    return seg[n] if n < len(seg) else ""


def _same_reference(a: str, b: str) -> bool:
    """References match when equal, or when both are numbers of equal value (``00000916`` = ``916``)."""
    return a == b or (a.isdigit() and b.isdigit() and int(a) == int(b))


class _State:
    def __init__(self, advice: ServiceAdvice) -> None:
        self.d: EdifactDelimiters = advice.delimiters
        self.ic: InterchangeResult | None = None
        self.reset(advice.findings)

    def reset(self, findings: list[Finding] | None = None) -> None:
        """Start afresh for the next interchange under the same service characters."""
        self.group: GroupResult | None = None
        self.message: list[list[str]] | None = None
        self.findings: list[Finding] = list(findings or [])
        self.charset = "utf-8"
        self.repertoire: re.Pattern[str] | None = None
        self.charset_noted = False
        self.bare_messages = 0
        self.message_refs: set[str] = set()
        self.group_refs: set[str] = set()


def _first_part(value: str, d: EdifactDelimiters) -> str:
    return unescape(split_escaped(value, d.component, d.release)[0], d.release)


def _parts(value: str, d: EdifactDelimiters) -> list[str]:
    return [unescape(p, d.release) for p in split_escaped(value, d.component, d.release)]


def check_edifact(
    source: Source,
    *,
    numbers: Numbers,
    now: datetime,
    policy: AckPolicy,
    directory: Directory | None = None,
    seen: Seen | None = None,
) -> Iterator[Checked]:
    """The EDIFACT half of :func:`gateway.edi.check.check`."""
    from ..check import Checked, addressed

    if seen is None:
        seen = set()
    st: _State | None = None
    for tok in EdifactTokenizer(source):
        if isinstance(tok, list):
            if st is None:
                continue
            if has_undecodable("".join(tok)):
                tok = _redecode(tok, st)
            tag = tok[0]
            if st.message is not None and tag not in ("UNH", "UNT", "UNE", "UNZ", "UNG", "UNB"):
                st.message.append(tok)
                continue
            if st.message is not None and tag == "UNT":
                st.message.append(tok)
                _close_message(st, trailer=True)
                continue
            done = _service_segment(st, tok)
            if done is not None:
                yield _finish(done, st, seen, numbers, now, addressed(done, policy, directory))
                if st.ic is None:  # closed by its UNZ; a UNB that closed it has opened the next one
                    st = None
        elif isinstance(tok, ServiceAdvice):
            st = _State(tok)
        elif tok is MISSING_UNZ:
            if st is not None:
                ic = _close_interchange(st, None)
                if ic is not None:
                    yield _finish(ic, st, seen, numbers, now, addressed(ic, policy, directory))
                st = None
        elif isinstance(tok, Junk):
            yield Checked(
                InterchangeResult(
                    standard="unknown",
                    status=Status.REJECTED,
                    findings=list(tok.findings),
                    offset=tok.offset,
                    preview=tok.preview,
                )
            )


def _redecode(tok: list[str], st: _State) -> list[str]:
    """Bytes that were not UTF-8: decode them with the declared character set instead."""
    out = []
    for value in tok:
        if has_undecodable(value):
            raw = to_bytes(value)
            codec = st.charset if st.charset not in ("utf-8", "ascii") else "latin-1"
            value = raw.decode(codec, errors="replace")
            if not st.charset_noted and st.charset in ("utf-8", "ascii"):
                st.charset_noted = True
                st.findings.append(
                    finding(
                        "interchange.character_set",
                        "Some bytes are not valid in the declared character set; read as ISO 8859-1.",
                    )
                )
        out.append(value)
    return out


def _service_segment(st: _State, seg: list[str]) -> InterchangeResult | None:
    tag = seg[0]
    d = st.d
    if tag == "UNB":
        done = None
        if st.ic is not None:
            # a new UNB before UNZ: the first interchange ended prematurely
            done = _close_interchange(st, None)
            st.reset()
        _open_interchange(st, seg)
        return done
    ic = st.ic
    if ic is None:
        ic = _open_interchange(st, None)
    if tag == "UNG":
        if st.message is not None:
            _close_message(st, trailer=False)
        ref = _get(seg, 5)
        group = GroupResult(
            functional_id=_first_part(_get(seg, 1), d),
            control_number=ref,
            version=":".join(_parts(_get(seg, 6), d)[:2]),
            sender=_first_part(_get(seg, 2), d),
            receiver=_first_part(_get(seg, 3), d),
            header=seg,
        )
        if ref in st.group_refs:
            group.findings.append(finding("group.control_not_unique", f"Group reference {ref} is used twice."))
        st.group_refs.add(ref)
        if st.bare_messages:
            st.findings.append(
                finding(
                    "interchange.mixed_groups_and_messages",
                    "The interchange mixes messages outside groups with UNG groups.",
                )
            )
        st.group = group
        ic.groups.append(group)
    elif tag == "UNE":
        if st.message is not None:
            _close_message(st, trailer=False)
        if st.group is None:
            st.findings.append(finding("interchange.invalid_content", "UNE without a matching UNG."))
            return None
        group = st.group
        count = _get(seg, 1)
        if not count.isdigit() or int(count) != len(group.transactions):
            group.findings.append(
                finding(
                    "group.count_mismatch",
                    f"UNE says {count or 'nothing'} messages, but the group has {len(group.transactions)}.",
                )
            )
        if not _same_reference(_get(seg, 2), group.control_number):
            group.findings.append(
                finding(
                    "group.control_mismatch",
                    f"UNE reference '{_get(seg, 2)}' does not match UNG '{group.control_number}'.",
                )
            )
        group.declared_count = int(count) if count.isdigit() else None
        group.settle()
        st.group = None
    elif tag == "UNH":
        if st.message is not None:
            _close_message(st, trailer=False)
        if st.group is None:
            if any(g.explicit for g in ic.groups):
                st.findings.append(
                    finding(
                        "interchange.mixed_groups_and_messages",
                        "A message stands outside any group in an interchange that uses UNG groups.",
                    )
                )
            if not ic.groups or ic.groups[-1].explicit:
                ic.groups.append(GroupResult("", "", "", explicit=False))
            st.group = None
            st.bare_messages += 1
        st.message = [seg]
    elif tag == "UNT":
        st.findings.append(finding("interchange.invalid_content", "UNT without a matching UNH."))
    elif tag == "UNZ":
        if st.message is not None:
            _close_message(st, trailer=False)
        return _close_interchange(st, seg)
    elif tag == "":
        st.findings.append(finding("segment.empty", "An empty segment (two terminators in a row)."))
    else:
        st.findings.append(
            finding("interchange.invalid_content", f"Segment {tag} stands outside any message.", segment=tag)
        )
    return None


def _open_interchange(st: _State, unb: list[str] | None) -> InterchangeResult:
    d = st.d
    if unb is None:
        ic = InterchangeResult(standard="edifact", edifact_delimiters=d, status=Status.REJECTED)
        st.findings.append(
            finding("interchange.header_invalid", "The interchange has no UNB header: it cannot be answered.")
        )
        st.ic = ic
        return ic
    syntax = _parts(_get(unb, 1), d)
    sender = _parts(_get(unb, 2), d)
    recipient = _parts(_get(unb, 3), d)
    when = _parts(_get(unb, 4), d)
    ic = InterchangeResult(
        standard="edifact",
        control_number=_get(unb, 5),
        sender=(sender[1] if len(sender) > 1 else "", sender[0]),
        receiver=(recipient[1] if len(recipient) > 1 else "", recipient[0]),
        date=when[0],
        time=when[1] if len(when) > 1 else "",
        version=":".join(syntax[:2]),
        usage="T" if _get(unb, 11) == "1" else "P",
        ack_requested=_get(unb, 9) == "1",
        edifact_delimiters=d,
        header=list(unb),
        preview=d.element.join(unb)[:120],
    )
    st.ic = ic
    ident = syntax[0] if syntax else ""
    st.charset = CHARSETS.get(ident, "utf-8")
    st.repertoire = _UNOA if ident == "UNOA" else _UNOB if ident == "UNOB" else None
    if ident not in CHARSETS:
        st.findings.append(
            finding("interchange.syntax_unsupported", f"Syntax identifier '{ident}' is not one we know.")
        )
    version = syntax[1] if len(syntax) > 1 else ""
    if version not in ("1", "2", "3", "4"):
        st.findings.append(finding("interchange.syntax_unsupported", f"Syntax version '{version}' is not 1 to 4."))
    dialect = EdifactDialect(d, "service")
    for f in validate_segment(unb, edifact_service_segment("UNB"), dialect):
        if f.is_error:
            # a UNB value outside a code list (a test indicator of 0, say) is common and harmless
            lenient = f.code == "element.invalid_code"
            st.findings.append(
                Finding(
                    "interchange.header_invalid",
                    "UNB: " + f.message.split(": ", 1)[-1],
                    Severity.WARNING if lenient else Severity.ERROR,
                    ack_code=f.kind.contrl,
                    element_position=f.element_position,
                    component_position=f.component_position,
                    segment=f.segment,
                )
            )
    return ic


def _close_message(st: _State, trailer: bool) -> None:
    segs = st.message
    ic = st.ic
    assert segs is not None and ic is not None
    st.message = None
    d = st.d
    unh = segs[0]
    ref = _get(unh, 1)
    ident = _parts(_get(unh, 2), d)
    mtype = ident[0] if ident else ""
    directory = (ident[1] + ident[2]).replace(" ", "") if len(ident) > 2 else ""
    txn = TransactionResult(
        set_id=mtype,
        control_number=ref,
        version=directory,
        segment_count=len(segs),
        business={"message_identifier": ident[:5]},
    )
    if trailer:
        unt = segs[-1]
        count = _get(unt, 1)
        if not count.isdigit() or int(count) != len(segs):
            txn.findings.append(
                finding(
                    "transaction.count_mismatch",
                    f"UNT says {count or 'nothing'} segments, but the message has {len(segs)} (UNH to UNT).",
                    segment_index=len(segs),
                    segment_tag="UNT",
                )
            )
        if not _same_reference(_get(unt, 2), ref):
            txn.findings.append(
                finding(
                    "transaction.control_mismatch",
                    f"UNT reference '{_get(unt, 2)}' does not match UNH '{ref}'.",
                    segment_index=len(segs),
                    segment_tag="UNT",
                )
            )
    else:
        txn.findings.append(finding("transaction.trailer_missing", f"Message {mtype} {ref} has no UNT trailer."))
    if ref in st.message_refs:
        txn.findings.append(
            finding("transaction.control_not_unique", f"Message reference {ref} is used twice in this interchange.")
        )
    st.message_refs.add(ref)
    if st.repertoire is not None:
        for i, seg in enumerate(segs, start=1):
            m = st.repertoire.search(unescape(d.element.join(seg), d.release).replace(d.element, "+"))
            if m:
                st.findings.append(
                    finding(
                        "interchange.character_set",
                        f"The interchange declares {ic.version.split(':')[0]} but message {ref} holds "
                        f"'{m.group()}' (segment {i}), outside that repertoire. Read as is.",
                    )
                )
                st.repertoire = None  # one warning per interchange is enough
                break
    if mtype in ACK_MESSAGES:
        txn.status = Status.ACK
        if mtype == "CONTRL":
            txn.business.update(read_contrl(segs, d.component))
        group = st.group or ic.groups[-1]
        group.transactions.append(txn)
        group.is_ack = all(t.status is Status.ACK for t in group.transactions)
        return
    schema = edifact_schema(mtype, directory) if directory in edifact_directories() else None
    if schema is None:
        txn.supported = False
        txn.findings.append(
            finding(
                "transaction.unsupported",
                f"Message {mtype} {':'.join(ident[1:3])} is not supported by this gateway "
                f"(supported directories: {', '.join(sorted(edifact_directories()))}).",
            )
        )
    else:
        txn.findings += validate(segs, schema, EdifactDialect(d, directory))
    txn.status = Status.REJECTED if any(f.is_error for f in txn.findings) else Status.ACCEPTED
    group = st.group or ic.groups[-1]
    group.transactions.append(txn)


def _close_interchange(st: _State, unz: list[str] | None) -> InterchangeResult | None:
    ic = st.ic
    if ic is None:
        return None
    if st.message is not None:
        _close_message(st, trailer=False)
    if st.group is not None:
        st.group.findings.append(finding("group.trailer_missing", f"Group {st.group.control_number} has no UNE."))
        st.group = None
    for g in ic.groups:
        if not g.explicit or g.status is Status.ACCEPTED:
            g.settle()
    if unz is None:
        st.findings.append(
            finding(
                "interchange.trailer_missing",
                f"Interchange {ic.control_number} ends without UNZ (premature end of file).",
            )
        )
    else:
        count = _get(unz, 1)
        explicit = [g for g in ic.groups if g.explicit]
        expected = len(explicit) if explicit else sum(len(g.transactions) for g in ic.groups)
        if not count.isdigit() or int(count) != expected:
            st.findings.append(
                finding(
                    "interchange.group_count",
                    f"UNZ says {count or 'nothing'} {'groups' if explicit else 'messages'}, but the "
                    f"interchange has {expected}.",
                )
            )
        if not _same_reference(_get(unz, 2), ic.control_number):
            st.findings.append(
                finding(
                    "interchange.control_mismatch",
                    f"UNZ reference '{_get(unz, 2)}' does not match UNB '{ic.control_number}'.",
                )
            )
    ic.findings = st.findings
    st.ic = None
    return ic


def _finish(
    ic: InterchangeResult,
    st: _State,
    seen: Seen,
    numbers: Numbers,
    now: datetime,
    policy: AckPolicy,
) -> Checked:
    from ..check import Ack, Checked

    key = (ic.sender[1], ic.control_number)
    if ic.control_number and key in seen:
        ic.findings.append(
            finding(
                "interchange.duplicate",
                f"Interchange reference {ic.control_number} from {ic.sender[1]} was already received: "
                "its messages are not processed again.",
            )
        )
    seen.add(key)
    errors = any(f.is_error for f in ic.findings)
    trading = [g for g in ic.groups if not g.is_ack]
    ic.settle()
    out = Checked(ic)
    answerable = bool(ic.header) and bool(ic.sender[1])
    wanted = policy.contrl == "always" or (
        policy.contrl == "requested" and (ic.ack_requested or ic.status is not Status.ACCEPTED)
    )
    duplicate = any(f.code == "interchange.duplicate" for f in ic.findings)
    if answerable and ((trading and wanted) or errors or duplicate) and policy.contrl != "never":
        contrl = build_contrl(
            ic, policy.numbers or numbers, now, delimiters=policy.edifact_delimiters, una=policy.edifact_una
        )
        out.acks.append(Ack("CONTRL", contrl, ic.control_number))
    return out
