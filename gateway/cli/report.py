"""Rendering check results for people (text) and programs (JSON-ready dicts)."""

from __future__ import annotations

from typing import Any

import click

from ..edi.findings import Finding
from ..edi.results import GroupResult, InterchangeResult, Status, TransactionResult


def _txn_status(t: TransactionResult) -> str:
    if not t.supported:
        return "rejected (not supported)"
    return t.status.value


def printable(text: str) -> str:
    """Text safe to print: undecodable input bytes become U+FFFD, control characters are shown escaped."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def _finding(f: Finding) -> dict[str, Any]:
    d = f.to_dict()
    for key in ("message", "segment"):
        if key in d:
            d[key] = printable(d[key])
    return d


def result_to_dict(ic: InterchangeResult) -> dict[str, Any]:
    """An interchange result as JSON-ready data."""

    def group(g: GroupResult) -> dict[str, Any]:
        return {
            "functional_id": g.functional_id,
            "control_number": g.control_number,
            "version": g.version,
            "status": g.status.value,
            "supported": g.supported,
            "findings": [_finding(f) for f in g.findings],
            "transactions": [
                {
                    "set": t.set_id,
                    "control_number": t.control_number,
                    "version": t.version,
                    "status": _txn_status(t),
                    "segments": t.segment_count,
                    "findings": [_finding(f) for f in t.findings],
                    **(
                        {"ack": {k: v for k, v in t.business.items() if k != "message_identifier"}}
                        if t.status is Status.ACK
                        else {}
                    ),
                }
                for t in g.transactions
            ],
        }

    return {
        "standard": ic.standard,
        "control_number": ic.control_number,
        "sender": printable(":".join(x for x in ic.sender if x)),
        "receiver": printable(":".join(x for x in ic.receiver if x)),
        "preview": printable(ic.preview),
        "version": ic.version,
        "usage": ic.usage,
        "status": ic.status.value,
        "offset": ic.offset,
        "findings": [_finding(f) for f in ic.findings],
        "groups": [group(g) for g in ic.groups],
        **({"ta1": ic.ta1s} if ic.ta1s else {}),
    }


_COLORS = {"accepted": "green", "rejected": "red", "partially accepted": "yellow", "acknowledgement": "cyan"}


def _status(text: str, color: bool) -> str:
    label = text.upper()
    if not color:
        return label
    return click.style(label, fg=_COLORS.get(text.split(" (")[0], "red"), bold=True)


def _finding_lines(findings: list[dict[str, Any]], indent: str) -> list[str]:
    lines = []
    for f in findings:
        mark = "x" if f["severity"] == "error" else "!"
        lines.append(f"{indent}{mark} {f['message']}  [{f['code']}]")
        if f.get("segment"):
            lines.append(f"{indent}    {f['segment'][:160]}")
    return lines


def render_text(entry: dict[str, Any], *, color: bool = False) -> str:
    """A file's report as text for a person."""
    lines = [entry["file"]]
    if "error" in entry:
        lines.append(f"  x {entry['error']}")
    for ic in entry["interchanges"]:
        if ic["standard"] == "unknown":
            lines.append(f"  bytes at offset {ic['offset']} are not EDI  {_status(ic['status'], color)}")
        else:
            usage = {"T": "test", "P": "production", "I": "information"}.get(ic["usage"], ic["usage"])
            lines.append(
                f"  {ic['standard'].upper()} interchange {ic['control_number']}  "
                f"{ic['sender']} -> {ic['receiver']}  ({ic['version']}, {usage})  {_status(ic['status'], color)}"
            )
        lines += _finding_lines(ic["findings"], "    ")
        for g in ic["groups"]:
            label = (
                f"group {g['functional_id']} {g['control_number']} ({g['version']})"
                if g["functional_id"]
                else "messages"
            )
            total = len(g["transactions"])
            accepted = sum(1 for t in g["transactions"] if t["status"] == "accepted")
            lines.append(f"    {label}  {_status(g['status'], color)}  {accepted}/{total} accepted")
            lines += _finding_lines(g["findings"], "      ")
            for t in g["transactions"]:
                lines.append(
                    f"      {t['set']} {t['control_number']} ({t['segments']} segments)  {_status(t['status'], color)}"
                )
                lines += _finding_lines(t["findings"], "        ")
        for ack in ic.get("acks", []):
            where = f" -> {ack['file']}" if "file" in ack else ""
            lines.append(f"    ack: {ack['kind']}{where}")
    return "\n".join(lines)
