"""Reading inbound acknowledgements into data, for reconciliation.

An inbound 997, 999, TA1 or CONTRL is never acknowledged: it is read into a plain dict that
says which group and transactions it answers, and how (accepted, rejected, with which codes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _get(seg: Sequence[str], n: int) -> str:
    return seg[n] if n < len(seg) else ""


def read_x12_ack(segments: Sequence[Sequence[str]]) -> dict[str, Any]:
    """A 997 or 999 (ST..SE) as data: the group it answers, each transaction's status, AK9."""
    out: dict[str, Any] = {"type": _get(segments[0], 1) if segments else "", "transactions": []}
    current: dict[str, Any] | None = None
    for seg in segments:
        tag = seg[0]
        if tag == "AK1":
            out["functional_id"] = _get(seg, 1)
            out["group_control_number"] = _get(seg, 2)
            out["version"] = _get(seg, 3)
        elif tag == "AK2":
            current = {"set_id": _get(seg, 1), "control_number": _get(seg, 2), "errors": []}
            out["transactions"].append(current)
        elif tag in ("AK3", "IK3") and current is not None:
            current["errors"].append(
                {"segment": _get(seg, 1), "position": _get(seg, 2), "loop": _get(seg, 3), "code": _get(seg, 4)}
            )
        elif tag in ("AK4", "IK4") and current is not None:
            current["errors"].append({"element": _get(seg, 1), "reference": _get(seg, 2), "code": _get(seg, 3)})
        elif tag in ("AK5", "IK5") and current is not None:
            current["status"] = _get(seg, 1)
            current["codes"] = [c for c in seg[2:] if c]
        elif tag == "AK9":
            out["group_status"] = _get(seg, 1)
            out["included"] = _get(seg, 2)
            out["received"] = _get(seg, 3)
            out["accepted"] = _get(seg, 4)
            out["group_codes"] = [c for c in seg[5:] if c]
    return out


def read_contrl(segments: Sequence[Sequence[str]], component: str = ":") -> dict[str, Any]:
    """A CONTRL (UNH..UNT) as data: the interchange it answers, its action, and per message."""
    out: dict[str, Any] = {"type": "CONTRL", "messages": [], "groups": []}
    current: dict[str, Any] | None = None
    for seg in segments:
        tag = seg[0]
        if tag == "UCI":
            out["interchange_reference"] = _get(seg, 1)
            out["sender"] = _get(seg, 2).split(component)[0]
            out["recipient"] = _get(seg, 3).split(component)[0]
            out["action"] = _get(seg, 4)
            out["error"] = _get(seg, 5)
        elif tag == "UCF":
            out["groups"].append({"reference": _get(seg, 1), "action": _get(seg, 4), "error": _get(seg, 5)})
        elif tag == "UCM":
            current = {
                "reference": _get(seg, 1),
                "message": _get(seg, 2).split(component)[0],
                "action": _get(seg, 3),
                "error": _get(seg, 4),
                "errors": [],
            }
            out["messages"].append(current)
        elif tag == "UCS" and current is not None:
            current["errors"].append({"segment_position": _get(seg, 1), "error": _get(seg, 2)})
        elif tag == "UCD" and current is not None:
            current["errors"].append({"error": _get(seg, 1), "element": _get(seg, 2)})
    return out
