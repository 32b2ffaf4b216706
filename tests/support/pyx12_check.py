"""Validate X12 functional acknowledgments (997 / 999) with pyx12 as an outside checker.

``pyx12_errors(ack)`` runs pyx12's validator (``pyx12.x12n_document.x12n_document``)
over the bytes of one interchange, using the widened map set in
``tests/data/pyx12_maps`` instead of pyx12's bundled HIPAA-only maps (see the
README there), and returns one human-readable string per problem pyx12 found.
An empty list means pyx12 found nothing wrong.

How the errors are collected: ``x12n_document`` builds a
``pyx12.error_handler.err_handler`` tree internally and only returns a bool, so
the function swaps in a factory for that class while the call runs, keeps the
instance, and walks the whole tree afterwards: interchange (ISA/IEA), group
(GS/GE) and transaction set (ST/SE) errors, segment errors, and element
errors, including those on the ISA, GS and ST segments themselves (pyx12's own
error counts and its JSON visitor skip those). Errors that pyx12 only logs
(for example a segment outside any ST loop, or input it can't read as X12)
are picked up from the ``pyx12`` logger, and pyx12 engine errors (such as "Map
not found") become error strings instead of exceptions.

Nothing is written to stdout, to stderr or to the working directory: pyx12's
logger is pointed at an in-memory handler for the duration of the call, and no
997/999, HTML or XML output is requested.

What pyx12 checks and what it doesn't (pyx12 4.0.0):

* It checks ISA/IEA, GS/GE and ST/SE envelope counts and control-number
  matches, segment order and presence against the map, element usage,
  lengths, data types and the code lists in the maps.
* It does NOT cross-check AK9 counts (AK902/AK903/AK904) against the AK2
  loops, the AK1/AK2 values against the acknowledged group, or AK5/IK5/AK9
  codes against the errors that were reported. Tests must assert those
  themselves.
* A code that isn't in a list usually shows up as "Segment ... not found" (the
  coded element is used to identify the segment), often followed by a
  "Mandatory segment ... missing" error, rather than as an element error.
* Map selection uses ISA12 + GS08 + GS01 exactly (see ``maps.xml``): a 999 must
  come in an ISA12 ``00501`` interchange with GS08 ``005010X231A1``; a 997 in
  ``00401`` with GS08 ``004010`` (or a HIPAA 004010X... value) or in ``00501``
  with GS08 ``005010``. Any other combination gives a "Map not found" error.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pyx12.error_handler
import pyx12.errors
import pyx12.params
import pyx12.x12n_document

__all__ = ["PYX12_MAP_DIR", "pyx12_errors"]

#: Folder holding the widened pyx12 maps (maps.xml, control maps, 997/999 maps).
PYX12_MAP_DIR: Path = Path(__file__).resolve().parent.parent / "data" / "pyx12_maps"

# The error-handler class is swapped on the pyx12 module while a check runs,
# so two checks must not run at the same time in one process.
_LOCK = threading.Lock()

# Error-handler messages (logger "pyx12.error_handler") that don't end up in
# the error tree because there was no current segment to attach them to.
_UNATTACHED_MARKER = "No current segment in error_handler"


class _LogCollector(logging.Handler):
    """Keep pyx12's log records in memory instead of letting them reach stderr."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _params() -> pyx12.params.ParamsBase:
    """Parameters that ignore any pyx12 config file on the machine."""
    param = pyx12.params.ParamsBase()
    param.set("map_path", str(PYX12_MAP_DIR))
    return param


def _fmt(code: Any, text: Any, value: Any = None) -> str:
    out = f"[{code}] {text}"
    if value not in (None, ""):
        out += f" (value: {value!r})"
    return out


def _element_errors(where: str, elements: list[Any]) -> Iterator[str]:
    """Errors attached to the data elements of one segment."""
    for ele in elements:
        pos = f"{int(ele.ele_pos):02d}"
        if ele.subele_pos is not None:
            pos += f"-{int(ele.subele_pos):02d}"
        label = f"{where} element {pos} ({ele.name}, DE {ele.ele_ref_num})"
        for err in ele.errors:
            yield f"{label}: {_fmt(*err)}"


def _tree_errors(errh: pyx12.error_handler.err_handler) -> Iterator[str]:
    """Walk pyx12's error tree: ISA -> GS -> ST -> segment -> element."""
    for isa in errh.children:
        isa_where = f"interchange {isa.isa_trn_set_id} (ISA line {isa.cur_line_isa})"
        for err in isa.errors:
            yield f"{isa_where}: {_fmt(*err)}"
        yield from _element_errors(f"{isa_where} ISA", isa.elements)
        for gs in isa.children:
            gs_where = f"group {gs.gs_control_num} (GS line {gs.cur_line_gs})"
            for err in gs.errors:
                yield f"{gs_where}: {_fmt(*err)}"
            yield from _element_errors(f"{gs_where} GS", gs.elements)
            for st in gs.children:
                st_where = f"transaction set {st.trn_set_id} {st.trn_set_control_num} (ST line {st.cur_line_st})"
                for err in st.errors:
                    yield f"{st_where}: {_fmt(*err)}"
                yield from _element_errors(f"{st_where} ST", st.elements)
                for seg in st.children:
                    seg_where = f"{st_where} segment {seg.seg_id} (line {seg.cur_line})"
                    for err in seg.errors:
                        yield f"{seg_where}: {_fmt(*err)}"
                    yield from _element_errors(seg_where, seg.elements)


def _log_errors(records: list[logging.LogRecord], source: object) -> Iterator[str]:
    """Errors pyx12 only reported through its logger (not in the error tree)."""
    for rec in records:
        if rec.levelno < logging.ERROR:
            continue
        msg = rec.getMessage().replace(f'"{source}"', "the input")
        if rec.name == "pyx12.error_handler" and _UNATTACHED_MARKER not in msg:
            continue  # already in the error tree
        yield f"pyx12 log ({rec.name}): {msg}"


def pyx12_errors(ack: bytes) -> list[str]:
    """Validate one X12 interchange (a 997 or 999) with pyx12 and list what is wrong.

    :param ack: the raw interchange, ISA to IEA, as edigw wrote it.
    :return: human-readable error strings; empty when pyx12 reports no error.
    """
    problems: list[str] = []
    try:
        text = ack.decode("ascii")
    except UnicodeDecodeError as exc:
        problems.append(f"not ASCII: byte {ack[exc.start]:#04x} at offset {exc.start}")
        text = ack.decode("ascii", errors="replace")

    collector = _LogCollector()
    pyx12_logger = logging.getLogger("pyx12")
    created: list[pyx12.error_handler.err_handler] = []
    original_cls = pyx12.error_handler.err_handler

    def _capturing_factory() -> pyx12.error_handler.err_handler:
        handler = original_cls()
        created.append(handler)
        return handler

    source = io.StringIO(text)
    valid = False
    with _LOCK:
        saved_propagate = pyx12_logger.propagate
        saved_level = pyx12_logger.level
        pyx12_logger.addHandler(collector)
        pyx12_logger.propagate = False
        pyx12_logger.setLevel(logging.ERROR)
        try:
            with mock.patch.object(pyx12.error_handler, "err_handler", _capturing_factory):
                valid = pyx12.x12n_document.x12n_document(
                    _params(),
                    source,
                    fd_997=None,
                    fd_html=None,
                    fd_xmldoc=None,
                    map_path=str(PYX12_MAP_DIR),
                )
        except (pyx12.errors.X12Error, pyx12.errors.EngineError, OSError) as exc:
            problems.append(f"pyx12 could not check the document: {type(exc).__name__}: {exc}")
        finally:
            pyx12_logger.removeHandler(collector)
            pyx12_logger.propagate = saved_propagate
            pyx12_logger.setLevel(saved_level)

    for errh in created:
        problems.extend(_tree_errors(errh))
    problems.extend(_log_errors(collector.records, source))
    if not valid and not problems:
        problems.append("pyx12 reported the document as invalid without giving an error")
    return problems
