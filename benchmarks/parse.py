"""Parse benchmark: how fast edigw reads X12 and EDIFACT, against baselines, and what a 1 GB stream costs.

Run from the repository root::

    python -m benchmarks.parse                 # 20 MB inputs and the 1 GB streaming test (minutes)
    python -m benchmarks.parse --quick         # 2 MB inputs, no streaming test: a smoke run
    python -m benchmarks.parse --json          # the figures as JSON on stdout (progress goes to stderr)

Every input is generated here, in memory, from a fixed seed: realistic 004010 850s (BEG, CUR,
REF, PER, DTM, N1/N3/N4 loops, PO1 with PID, CTT, SE with true counts) and D96A ORDERS
(UNA, UNB, UNH, BGM, DTM, NAD, LIN, IMD, QTY, PRI, UNS, CNT, UNT, UNZ) whose party names and
item descriptions hold release-escaped ``?+``, ``?:``, ``?'`` and ``??``, some right before a
separator or the terminator (``??+``, ``??'``), so that release handling is exercised.

Throughput is the best of three runs (``time.perf_counter``); in-process peak memory is the
``tracemalloc`` peak of one more run (the input itself is allocated before tracing starts).
The streaming test runs :func:`gateway.edi.check.check` over a generated 1 GB stream in a
subprocess and reads that process's peak RSS (``VmHWM``). MB means 2**20 bytes throughout.

Targets: the X12 tokenizer runs at >= 0.6x a naive ``str.split`` (that also decodes); tokenize +
validate + 997 runs at >= 8 MB/s; the EDIFACT tokenizer runs at >= 2x a correct, release-aware
regex tokenizer; the 1 GB stream peaks below 200 MB RSS.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import random
import re
import subprocess
import sys
import time
import tracemalloc
import warnings
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

MB = 1 << 20
SEED = 8502024
NOW = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
RUNS = 3
X12_PER_INTERCHANGE = 5
EDIFACT_PER_INTERCHANGE = 10
#: The size of the slice the slow third-party parsers are measured on (MB/s stays comparable).
SLOW_SLICE_MB = 2.0
QUICK_SLOW_SLICE_MB = 0.5
#: Transactions the lazy 1 GB stream cycles through (each wrapped in fresh envelopes).
STREAM_POOL_MB = 4.0
RSS_TARGET_MB = 200.0

SENDER = "EDIGWBENCH"
RECEIVER = "EDIGWRECEIVER"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- generated inputs -----------------------------------------------------------------------------

_COMPANIES = ("ACME", "NORTHWIND", "CONTOSO", "GLOBEX", "INITECH", "UMBRELLA", "HOOLI", "WONKA", "VANDELAY")
_KINDS = ("CORP", "INC", "LLC", "DISTRIBUTION", "SUPPLY CO", "RETAIL GROUP", "WHOLESALE")
_STREETS = ("MAIN ST", "OAK AVE", "INDUSTRIAL PKWY", "COMMERCE DR", "MARKET ST", "HARBOR BLVD", "RIVER RD")
_US_CITIES = (
    ("CHICAGO", "IL", "60601"),
    ("ATLANTA", "GA", "30303"),
    ("DALLAS", "TX", "75201"),
    ("SEATTLE", "WA", "98101"),
    ("DENVER", "CO", "80202"),
    ("BOSTON", "MA", "02108"),
    ("PHOENIX", "AZ", "85004"),
)
_PEOPLE = ("JANE DOE", "JOHN SMITH", "MARIA GARCIA", "WEI CHEN", "AMIT PATEL", "OLGA IVANOVA", "SAM LEE")
_ADJECTIVES = ("STAINLESS", "HEAVY DUTY", "COMPACT", "GALVANIZED", "PREMIUM", "ECONOMY", "INSULATED")
_ITEMS = ("WIDGET", "GASKET", "BRACKET", "HINGE", "FASTENER", "CABLE", "VALVE", "BEARING", "SPROCKET", "FILTER")

# EDIFACT values, unescaped: several hold service characters, some end in "?" so that the escaped
# form puts "??" right before a separator or the terminator.
_EU_NAMES = (
    "O'BRIEN + SONS LTD",
    "SMITH & JONES: TOOLS",
    "WHAT? WHOLESALE",
    "NORTHWIND HANDEL GMBH",
    "MUELLER+PARTNER KG",
    "ACME EUROPE BV",
    "L'ATELIER DU BOIS",
    "WHY NOT?",
    "CONTOSO LOGISTIK",
    "GLOBEX ?+ CO",
)
_EU_STREETS = (
    "HAUPTSTRASSE 1",
    "RUE DE L'EGLISE 4",
    "KAISERSTR. 12+14",
    "MARKTPLATZ 3",
    "VIA ROMA 7",
    "UNIT 4: DOCK B",
)
_EU_CITIES = (("BERLIN", "10115"), ("HAMBURG", "20095"), ("MUENCHEN", "80331"), ("KOELN", "50667"), ("BREMEN", "28195"))
_EU_SUFFIXES = ("", "", "", " (2+1 FREE)", " 'ECO'", " SIZE?", " 10:1", " A?B")


def _day(rng: random.Random) -> str:
    return (date(2024, 1, 1) + timedelta(days=rng.randrange(366))).strftime("%Y%m%d")


def _company(rng: random.Random) -> str:
    return f"{rng.choice(_COMPANIES)} {rng.choice(_KINDS)}"


def x12_850(rng: random.Random, control: int) -> str:
    """One 004010 850, ST to SE, each segment ended by ``~`` and a newline."""
    ctl = f"{control:04d}"
    buyer = rng.choice(_PEOPLE)
    segs: list[list[str]] = [
        ["ST", "850", ctl],
        ["BEG", "00", "SA", f"PO{rng.randrange(10**7):07d}", "", _day(rng)],
        ["CUR", "BY", "USD"],
        ["REF", "DP", str(rng.randint(100, 999))],
        ["REF", "IA", f"V{rng.randrange(10**6):06d}"],
        [
            "PER",
            "BD",
            buyer,
            "TE",
            f"{rng.randint(200, 999)}555{rng.randrange(10**4):04d}",
            "EM",
            buyer.split()[0].lower() + "@example.com",
        ],
        ["DTM", "002", _day(rng)],
        ["DTM", "010", _day(rng)],
    ]
    for qualifier in ("ST", "BT", "VN"):
        city, state, zipcode = rng.choice(_US_CITIES)
        segs += [
            ["N1", qualifier, _company(rng), "92", f"{rng.randrange(10**6):06d}"],
            ["N3", f"{rng.randint(1, 9999)} {rng.choice(_STREETS)}"],
            ["N4", city, state, zipcode, "US"],
        ]
    lines = rng.randint(4, 24)
    total = 0
    for n in range(1, lines + 1):
        qty = rng.randint(1, 500)
        total += qty
        segs.append(
            [
                "PO1",
                str(n),
                str(qty),
                rng.choice(("EA", "CA", "BX")),
                f"{rng.randint(100, 99999) / 100:.2f}",
                "",
                "BP",
                f"{rng.randrange(10**8):08d}",
                "VP",
                f"VN-{rng.randrange(10**6):06d}",
                "UP",
                f"{rng.randrange(10**11):011d}0",
            ]
        )
        segs.append(["PID", "F", "", "", "", f"{rng.choice(_ADJECTIVES)} {rng.choice(_ITEMS)} {rng.randint(1, 99)}MM"])
    segs.append(["CTT", str(lines), str(total)])
    segs.append(["SE", str(len(segs) + 1), ctl])
    return "".join("*".join(seg) + "~\n" for seg in segs)


def x12_transactions(rng: random.Random, target: int) -> list[str]:
    """850s until their total size reaches ``target`` bytes; ST02 runs 0001, 0002, ..."""
    out: list[str] = []
    size = 0
    while size < target:
        txn = x12_850(rng, len(out) + 1)
        out.append(txn)
        size += len(txn)
    return out


def x12_isa(control: int) -> str:
    isa = "*".join(
        [
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            "ZZ",
            SENDER.ljust(15),
            "ZZ",
            RECEIVER.ljust(15),
            "240301",
            "0930",
            "U",
            "00401",
            f"{control:09d}",
            "0",
            "P",
            ">",
        ]
    )
    return isa + "~\n"


def x12_interchange(txns: list[str], control: int) -> str:
    """One ISA..IEA holding one GS*PO group with ``txns``."""
    return (
        x12_isa(control)
        + f"GS*PO*{SENDER}*{RECEIVER}*20240301*0930*{control}*X*004010~\n"
        + "".join(txns)
        + f"GE*{len(txns)}*{control}~\n"
        + f"IEA*1*{control:09d}~\n"
    )


def x12_many(txns: list[str], per: int = X12_PER_INTERCHANGE) -> str:
    """The same transactions, ``per`` to an interchange, each with its own ISA/GS/GE/IEA."""
    return "".join(x12_interchange(txns[i : i + per], 1 + i // per) for i in range(0, len(txns), per))


def _esc(value: str) -> str:
    return value.replace("?", "??").replace(":", "?:").replace("+", "?+").replace("'", "?'")


def edifact_orders(rng: random.Random, ref: int) -> str:
    """One D96A ORDERS, UNH to UNT, no line breaks."""
    segs = [
        f"UNH+{ref}+ORDERS:D:96A:UN",
        f"BGM+220+PO{rng.randrange(10**7):07d}+9",
        f"DTM+137:{_day(rng)}:102",
        f"DTM+2:{_day(rng)}:102",
    ]
    for qualifier in ("BY", "SU", "DP"):
        city, postcode = rng.choice(_EU_CITIES)
        gln = f"40{rng.randrange(10**11):011d}"
        segs.append(
            f"NAD+{qualifier}+{gln}::9++{_esc(rng.choice(_EU_NAMES))}+{_esc(rng.choice(_EU_STREETS))}"
            f"+{city}++{postcode}+DE"
        )
    lines = rng.randint(4, 24)
    for n in range(1, lines + 1):
        desc = f"{rng.choice(_ADJECTIVES)} {rng.choice(_ITEMS)}{rng.choice(_EU_SUFFIXES)}"
        segs += [
            f"LIN+{n}++{rng.randrange(10**12):012d}7:EN",
            f"IMD+F++:::{_esc(desc)}",
            f"QTY+21:{rng.randint(1, 500)}",
            f"PRI+AAA:{rng.randint(100, 99999) / 100:.2f}",
        ]
    segs += ["UNS+S", f"CNT+2:{lines}"]
    segs.append(f"UNT+{len(segs) + 1}+{ref}")
    return "".join(seg + "'" for seg in segs)


def edifact_interchanges(rng: random.Random, target: int) -> tuple[str, list[tuple[int, int]]]:
    """UNA..UNZ interchanges of ORDERS until ``target`` bytes; also each interchange's (start, end)."""
    parts: list[str] = []
    bounds: list[tuple[int, int]] = []
    size = 0
    ref = 0
    control = 0
    while size < target:
        control += 1
        msgs = []
        for _ in range(EDIFACT_PER_INTERCHANGE):
            ref += 1
            msgs.append(edifact_orders(rng, ref))
        text = (
            "UNA:+.? '"
            + f"UNB+UNOC:3+4012345000009:14+4098765000002:14+240301:0930+{control:08d}++++1'"
            + "".join(msgs)
            + f"UNZ+{len(msgs)}+{control:08d}'"
        )
        parts.append(text)
        bounds.append((size, size + len(text)))
        size += len(text)
    return "".join(parts), bounds


class LazyX12Stream:
    """A binary file object whose ``read(n)`` makes interchanges on the fly, up to ``total`` bytes.

    It cycles through a small pool of transactions, wrapping each ``per`` of them in a fresh
    ISA/GS/GE/IEA with new control numbers, so it never holds more than the pool and one read.
    """

    def __init__(self, pool: list[str], total: int, per: int = X12_PER_INTERCHANGE) -> None:
        self._pool = pool
        self._total = total
        self._per = per
        self._buf = bytearray()
        self._next = 0  # index into the pool
        self.control = 0
        self.produced = 0
        self.generating = 0.0  # seconds spent making data, to take out of the throughput

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        t0 = time.perf_counter()
        want = size if size >= 0 else self._total
        while len(self._buf) < want and self.produced < self._total:
            self.control += 1
            end = self._next + self._per
            txns = self._pool[self._next : end]
            if len(txns) < self._per:
                txns += self._pool[: self._per - len(txns)]
            self._next = end % len(self._pool)
            chunk = x12_interchange(txns, self.control).encode("ascii")
            self.produced += len(chunk)
            self._buf += chunk
        out = bytes(self._buf[:want])
        del self._buf[:want]
        self.generating += time.perf_counter() - t0
        return out


# -- what is measured ------------------------------------------------------------------------------


def ours_x12_tokens(data: bytes) -> int:
    from gateway.edi.x12.tokenizer import X12Tokenizer

    n = 0
    for _ in X12Tokenizer(data):
        n += 1
    return n


def ours_edifact_tokens(data: bytes) -> int:
    from gateway.edi.edifact.tokenizer import EdifactTokenizer

    n = 0
    for _ in EdifactTokenizer(data):
        n += 1
    return n


def naive_split_str(data: bytes) -> int:
    """The naive X12 split that also decodes, as our tokenizer does (timed including freeing the lists)."""
    segs = [s.split("*") for s in data.decode("utf-8").split("~")]
    return len(segs)


def naive_split_bytes(data: bytes) -> int:
    segs = [s.split(b"*") for s in data.split(b"~")]
    return len(segs)


# Release-aware: a terminator (separator) counts only when preceded by an even run of "?".
# SEG/ELEM are the brief's form; the *_FAST ones are the same language, unrolled.
_SEG = re.compile(r"((?:[^?']|\?.)*)'", re.S)
_ELEM = re.compile(r"((?:[^?+]|\?.)*)\+", re.S)
_SEG_FAST = re.compile(r"([^?']*(?:\?.[^?']*)*)'", re.S)
_ELEM_FAST = re.compile(r"([^?+]*(?:\?.[^?+]*)*)\+", re.S)


def regex_edifact(text: str, seg_re: re.Pattern[str] = _SEG, elem_re: re.Pattern[str] = _ELEM) -> list[list[str]]:
    """Segments as lists of still-escaped elements (UNA included as a plain segment)."""
    find = elem_re.findall
    return [find(body + "+") for body in seg_re.findall(text)]


def regex_edifact_tokens(data: bytes) -> int:
    return len(regex_edifact(data.decode("utf-8")))


def regex_edifact_fast_tokens(data: bytes) -> int:
    return len(regex_edifact(data.decode("utf-8"), _SEG_FAST, _ELEM_FAST))


def pyx12_raw(data: bytes) -> int:
    from pyx12.rawx12file import RawX12File

    n = 0
    for _ in RawX12File(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")):
        n += 1
    return n


def pyx12_reader(data: bytes) -> int:
    from pyx12.x12file import X12Reader

    n = 0
    for _ in X12Reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")):
        n += 1
    return n


def pydifact_segments(data: bytes, bounds: list[tuple[int, int]]) -> int:
    """pydifact reads one interchange per call (it refuses a second UNA), so feed it interchange by interchange."""
    from pydifact.segmentcollection import RawSegmentCollection

    text = data.decode("utf-8")
    n = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it warns per segment that it has no XML to validate against
        for start, end in bounds:
            n += len(RawSegmentCollection.from_str(text[start:end]).segments)
    return n


@dataclass
class CheckSummary:
    interchanges: int = 0
    results: Tally[str] = field(default_factory=Tally)  # per interchange: "x12 accepted", "unknown rejected"
    statuses: Tally[str] = field(default_factory=Tally)
    errors: Tally[str] = field(default_factory=Tally)
    acks: Tally[str] = field(default_factory=Tally)
    ack_bytes: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "interchanges": self.interchanges,
            "results": dict(self.results),
            "transactions": dict(self.statuses),
            "error_codes": dict(self.errors.most_common(8)),
            "acks": dict(self.acks),
            "ack_bytes": self.ack_bytes,
        }

    @property
    def all_accepted(self) -> bool:
        """Every transaction and every interchange accepted, nothing read as junk."""
        accepted = {"x12 accepted", "edifact accepted"}
        return bool(self.statuses) and set(self.statuses) == {"accepted"} and set(self.results) <= accepted


def ours_check(source: Any) -> CheckSummary:
    from gateway.edi.check import Counter, check

    out = CheckSummary()
    for checked in check(source, numbers=Counter(), now=NOW):
        out.interchanges += 1
        out.results[f"{checked.result.standard} {checked.result.status.value}"] += 1
        for group in checked.result.groups:
            for txn in group.transactions:
                out.statuses[txn.status.value] += 1
                for f in txn.findings:
                    if f.is_error:
                        out.errors[f.code] += 1
        for f in checked.result.findings:
            if f.is_error:
                out.errors[f.code] += 1
        for ack in checked.acks:
            out.acks[ack.kind] += 1
            out.ack_bytes += len(ack.payload)
    return out


def x12_schemas_missing() -> str | None:
    """Why the X12 004010 850 cannot be validated, or None when its schema loads."""
    try:
        from gateway.edi.schema import x12_schema

        schema = x12_schema("850", "004010")
    except Exception as exc:  # a half-written schema folder: report it, do not crash the benchmark
        return f"schemas missing ({type(exc).__name__}: {exc})"
    return None if schema is not None else "schemas missing"


# -- measuring -------------------------------------------------------------------------------------


@dataclass
class Row:
    section: str
    name: str
    size: int  # bytes of input it was measured on
    seconds: float | None = None
    peak: int | None = None
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    valid: bool = False  # for check(): every transaction came out accepted

    @property
    def mbps(self) -> float | None:
        return self.size / MB / self.seconds if self.seconds else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "name": self.name,
            "input_mb": round(self.size / MB, 3),
            "seconds": self.seconds,
            "mb_per_s": None if self.mbps is None else round(self.mbps, 2),
            "peak_mb": None if self.peak is None else round(self.peak / MB, 2),
            "note": self.note,
            **({"detail": self.detail} if self.detail else {}),
        }


def measure(
    section: str, name: str, data: bytes, fn: Callable[[], Any], note: str = "", *, gc_off: bool = False
) -> tuple[Row, Any]:
    """Best of RUNS timed runs, then one run under tracemalloc for the peak.

    An exception (a half-edited module, a library that refuses the input) becomes the row's note.
    """
    try:
        if not gc_off:
            return _measure(section, name, data, fn, note)
        # the baselines build millions of lists at once: show them without the collector's passes too
        return _measure(section, name, data, lambda: _without_gc(fn), note)
    except Exception as exc:
        log(f"  {name:<46} ERROR {type(exc).__name__}: {exc}")
        return Row(section, name, len(data), note=f"ERROR {type(exc).__name__}: {exc}"[:160]), None


def _without_gc(fn: Callable[[], Any]) -> Any:
    gc.disable()
    try:
        return fn()
    finally:
        gc.enable()


def _measure(section: str, name: str, data: bytes, fn: Callable[[], Any], note: str) -> tuple[Row, Any]:
    best = float("inf")
    result: Any = None
    for _ in range(RUNS):
        result = None
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    result = None
    gc.collect()
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    row = Row(section, name, len(data), best, peak, note)
    log(f"  {name:<46} {row.mbps:8.2f} MB/s  peak {peak / MB:8.1f} MB")
    return row, result


def describe_check(row: Row, summary: CheckSummary | None, ack: str) -> None:
    """Say in the row whether check() really validated: every transaction accepted, acks built."""
    if summary is None:
        return  # it failed: the error is the note already
    row.detail = summary.as_dict()
    row.valid = summary.all_accepted
    row.note = (
        f"{summary.statuses.get('accepted', 0)} accepted, {summary.acks.get(ack, 0)} x {ack}"
        if summary.all_accepted
        else f"NOT ALL ACCEPTED: {dict(summary.statuses)} {dict(summary.errors.most_common(4))}"
    )


def first_mb(mb: float, items: list[str]) -> list[str]:
    """The leading items whose total size reaches ``mb``."""
    out: list[str] = []
    size = 0
    for item in items:
        if size >= mb * MB:
            break
        out.append(item)
        size += len(item)
    return out


# -- sanity: the baselines read the same segments we do ------------------------------------------


def same_x12_segments(text: str) -> bool:
    from gateway.edi.x12.tokenizer import X12Tokenizer

    ours = [tok for tok in X12Tokenizer(text.encode()) if isinstance(tok, list)]
    naive = [s.strip().split("*") for s in text.split("~") if s.strip() and not s.strip().startswith("ISA")]
    return ours == naive


def same_edifact_segments(text: str) -> bool:
    from gateway.edi.edifact.tokenizer import EdifactTokenizer

    ours = [tok for tok in EdifactTokenizer(text.encode()) if isinstance(tok, list)]
    theirs = [seg for seg in regex_edifact(text) if seg[0] != "UNA:"]
    fast = [seg for seg in regex_edifact(text, _SEG_FAST, _ELEM_FAST) if seg[0] != "UNA:"]
    return ours == theirs == fast


# -- the streaming test (runs in a child process) -------------------------------------------------


def vm_hwm_mb() -> float | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def stream_child(gb: float) -> None:
    """Run check() over a lazily generated stream of ``gb`` GiB; print one JSON line."""
    from gateway.edi import check as _check_module  # import before the baseline reading

    del _check_module
    rng = random.Random(SEED)
    pool = x12_transactions(rng, int(STREAM_POOL_MB * MB))
    missing = x12_schemas_missing()
    baseline = vm_hwm_mb()
    stream = LazyX12Stream(pool, int(gb * (1 << 30)))
    t0 = time.perf_counter()
    error = None
    summary = CheckSummary()
    try:
        summary = ours_check(stream)
    except Exception as exc:  # report it to the parent rather than die without figures
        error = f"{type(exc).__name__}: {exc}"
    elapsed = time.perf_counter() - t0
    out = {
        "bytes": stream.produced,
        "produced_interchanges": stream.control,
        "seconds": elapsed,
        "generating_seconds": stream.generating,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": vm_hwm_mb(),
        "schemas": missing,
        "error": error,
        **summary.as_dict(),
    }
    print(json.dumps(out), flush=True)


def run_stream(gb: float) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.parse", "--stream-child", "--stream-gb", str(gb)]
    log(f"streaming {gb} GB through check() in a subprocess (this takes a few minutes)...")
    env = dict(os.environ)
    env.pop("PYTHONTRACEMALLOC", None)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0 or not proc.stdout.strip():
        return {"error": f"child exited {proc.returncode}: {proc.stderr.strip()[-2000:]}"}
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def code_state() -> str:
    """The commit measured, and whether gateway/ had uncommitted changes (figures move with the code)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "gateway"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head.stdout.strip() + (" + uncommitted changes in gateway/" if dirty.stdout.strip() else "")


# -- the report ------------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    value: float | None
    goal: str
    ok: bool | None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        status = "PASS" if self.ok else "MISS" if self.ok is False else "N/A"
        return {"target": self.name, "value": self.value, "goal": self.goal, "status": status, "note": self.note}


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(inputs: dict[str, Any], rows: list[Row], targets: list[Target], stream: dict[str, Any] | None) -> None:
    print()
    print(f"Code measured: {code_state()}; Python {sys.version.split()[0]}")
    print(f"Inputs (generated, seed {SEED}; MB = 2**20 bytes):")
    for name, info in inputs.items():
        print(f"  {name:<22} {info['mb']:7.2f} MB  {info['what']}")
    section = None
    print()
    header = f"{'':2}{'implementation':<52}{'on MB':>7}{'MB/s':>9}{'peak MB':>9}  note"
    for row in rows:
        if row.section != section:
            section = row.section
            print(f"{section}")
            print(header)
        print(
            f"  {row.name:<52}{row.size / MB:7.2f}{_fmt(row.mbps, '9.2f')}"
            f"{_fmt(None if row.peak is None else row.peak / MB, '9.1f')}  {row.note}"
        )
    if stream is not None:
        print("Streaming (check() over a lazily generated X12 stream, many interchanges, in a subprocess)")
        if stream.get("error") and "bytes" not in stream:
            print(f"  ERROR: {stream['error']}")
        else:
            mbps = stream["bytes"] / MB / stream["seconds"]
            net = stream["bytes"] / MB / max(stream["seconds"] - stream["generating_seconds"], 1e-9)
            print(
                f"  {stream['bytes'] / MB:.0f} MB in {stream['seconds']:.1f} s: {mbps:.2f} MB/s "
                f"({net:.2f} MB/s without the {stream['generating_seconds']:.1f} s spent generating)"
            )
            print(
                f"  peak RSS {stream['peak_rss_mb']:.1f} MB (the child's VmHWM; {stream['baseline_rss_mb']:.1f} MB "
                "after imports and the transaction pool, before reading)"
            )
            print(
                f"  {stream['produced_interchanges']} interchanges sent; results {stream['results']}; "
                f"transactions {stream['transactions']}; acks {stream['acks']}"
                + (f"; {stream['schemas']}" if stream.get("schemas") else "")
                + (f"; ERROR {stream['error']}" if stream.get("error") else "")
            )
    print()
    print("Targets")
    for t in targets:
        d = t.as_dict()
        print(f"  {d['status']:<5} {t.name:<80} {_fmt(t.value, '8.2f')}  (goal {t.goal})  {t.note}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.parse", description=__doc__.split("\n\n")[0])
    p.add_argument("--size-mb", type=float, default=20.0, help="size of each generated input (default 20)")
    p.add_argument("--stream-gb", type=float, default=1.0, help="size of the streaming-memory test (default 1.0)")
    p.add_argument("--skip-stream", action="store_true", help="skip the streaming-memory test")
    p.add_argument("--quick", action="store_true", help="smoke run: 2 MB inputs, no streaming test")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--stream-child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.stream_child:
        stream_child(args.stream_gb)
        return 0
    size_mb = 2.0 if args.quick else args.size_mb
    slow_mb = min(size_mb, QUICK_SLOW_SLICE_MB if args.quick else SLOW_SLICE_MB)
    skip_stream = args.skip_stream or args.quick

    log(f"generating inputs ({size_mb:g} MB each, seed {SEED})...")
    rng = random.Random(SEED)
    txns = x12_transactions(rng, int(size_mb * MB))
    x12_one = x12_interchange(txns, 1).encode("ascii")
    x12_split = x12_many(txns).encode("ascii")
    slow_txns = first_mb(slow_mb, txns)
    x12_one_slice = x12_interchange(slow_txns, 1).encode("ascii")
    x12_many_slice = x12_many(slow_txns).encode("ascii")
    edi_text, edi_bounds = edifact_interchanges(random.Random(SEED + 1), int(size_mb * MB))
    edi = edi_text.encode("utf-8")
    k = 0
    while k < len(edi_bounds) and edi_bounds[k][1] < slow_mb * MB:
        k += 1
    edi_slice_bounds = edi_bounds[: max(k, 1)]
    edi_slice = edi[: edi_slice_bounds[-1][1]]
    assert len(x12_isa(1)) == 107, "the ISA must be 106 characters plus the newline"
    escapes = {s: edi_text.count(s) for s in ("?+", "?:", "?'", "??+", "??'")}

    inputs = {
        "X12 one interchange": {
            "mb": len(x12_one) / MB,
            "what": f"004010, 1 ISA, 1 GS*PO, {len(txns)} x 850, '~' + newline",
        },
        "X12 many interchanges": {
            "mb": len(x12_split) / MB,
            "what": f"the same {len(txns)} x 850, {X12_PER_INTERCHANGE} per ISA/GS/GE/IEA "
            f"({-(-len(txns) // X12_PER_INTERCHANGE)} interchanges)",
        },
        "EDIFACT ORDERS": {
            "mb": len(edi) / MB,
            "what": f"D96A, {len(edi_bounds)} interchanges x {EDIFACT_PER_INTERCHANGE} ORDERS, UNA each, "
            f"one line; escapes {escapes}",
        },
    }

    log("sanity: baselines read the same segments as our tokenizers...")
    try:
        x12_ok = same_x12_segments(x12_many(txns[:50]))
        edi_ok = same_edifact_segments(edi_text[: edi_bounds[min(4, len(edi_bounds) - 1)][1]])
    except Exception as exc:  # a half-edited module: the rows below will say so too
        log(f"  sanity check failed: {type(exc).__name__}: {exc}")
        x12_ok = edi_ok = False
    if not (x12_ok and edi_ok):
        log(f"  WARNING: segment lists differ (X12 agree: {x12_ok}, EDIFACT agree: {edi_ok})")

    missing = x12_schemas_missing()
    rows: list[Row] = []
    checks: dict[str, Row] = {}
    naive: dict[str, Row] = {}
    naive_strict: dict[str, Row] = {}
    tokenizer: dict[str, Row] = {}
    for label, data, slice_ in (
        ("X12 one interchange", x12_one, x12_one_slice),
        ("X12 many interchanges", x12_split, x12_many_slice),
    ):
        log(f"{label}:")
        row, _ = measure(label, "ours: X12Tokenizer (all tokens)", data, lambda d=data: ours_x12_tokens(d))
        tokenizer[label] = row
        rows.append(row)
        if missing:
            row = Row(label, "ours: check() = tokenize + validate + 997", len(data), note=missing)
            log(f"  check(): {missing}")
        else:
            row, summary = measure(
                label, "ours: check() = tokenize + validate + 997", data, lambda d=data: ours_check(d)
            )
            describe_check(row, summary, "997")
        checks[label] = row
        rows.append(row)
        note = f"on a {len(slice_) / MB:.1f} MB slice (same generator)" if len(slice_) < len(data) else ""
        row, _ = measure(label, "pyx12 RawX12File (segment strings)", slice_, lambda d=slice_: pyx12_raw(d), note)
        rows.append(row)
        row, _ = measure(label, "pyx12 X12Reader (Segment objects)", slice_, lambda d=slice_: pyx12_reader(d), note)
        rows.append(row)
        row, _ = measure(
            label,
            "naive split, decoded: text.split('~') / '*'",
            data,
            lambda d=data: naive_split_str(d),
            "str; keeps every list; timed incl. freeing",
        )
        naive[label] = row
        rows.append(row)
        row, _ = measure(
            label,
            "naive split, decoded, GC paused (strict baseline)",
            data,
            lambda d=data: naive_split_str(d),
            "as above, gc.disable() while it runs",
            gc_off=True,
        )
        naive_strict[label] = row
        rows.append(row)
        row, _ = measure(
            label,
            "naive split, bytes only: data.split(b'~') / b'*'",
            data,
            lambda d=data: naive_split_bytes(d),
            "bytes",
        )
        rows.append(row)

    label = "EDIFACT ORDERS"
    log(f"{label}:")
    edi_tok, _ = measure(label, "ours: EdifactTokenizer (all tokens)", edi, lambda: ours_edifact_tokens(edi))
    rows.append(edi_tok)
    row, summary = measure(label, "ours: check() = tokenize + validate + CONTRL", edi, lambda: ours_check(edi))
    describe_check(row, summary, "CONTRL")
    edi_check = row
    rows.append(row)
    note = f"on a {len(edi_slice) / MB:.1f} MB slice, per interchange" if len(edi_slice) < len(edi) else ""
    row, _ = measure(
        label,
        "pydifact RawSegmentCollection.from_str",
        edi_slice,
        lambda: pydifact_segments(edi_slice, edi_slice_bounds),
        note,
    )
    rows.append(row)
    edi_regex, _ = measure(
        label, "regex (?:[^?']|\\?.)*' then elements (baseline)", edi, lambda: regex_edifact_tokens(edi), "str"
    )
    rows.append(edi_regex)
    edi_regex_strict, _ = measure(
        label,
        "regex baseline, GC paused (strict baseline)",
        edi,
        lambda: regex_edifact_tokens(edi),
        "as above, gc.disable() while it runs",
        gc_off=True,
    )
    rows.append(edi_regex_strict)
    row, _ = measure(
        label, "regex unrolled [^?']*(?:\\?.[^?']*)*' (info)", edi, lambda: regex_edifact_fast_tokens(edi), "str"
    )
    rows.append(row)

    targets: list[Target] = []
    for label in ("X12 one interchange", "X12 many interchanges"):
        for baseline, prefix in ((naive, ""), (naive_strict, "(strict, GC paused) ")):
            t, n = tokenizer[label].mbps, baseline[label].mbps
            ratio = t / n if t and n else None
            targets.append(
                Target(
                    f"{prefix}X12 tokenizer / naive split (str), {label}",
                    ratio,
                    ">= 0.60x",
                    None if ratio is None else ratio >= 0.6,
                )
            )
    for label in ("X12 one interchange", "X12 many interchanges"):
        row = checks[label]
        if row.mbps is None:
            targets.append(Target(f"X12 tokenize + validate + 997, {label}", None, ">= 8 MB/s", None, row.note))
        else:
            valid = row.valid
            targets.append(
                Target(
                    f"X12 tokenize + validate + 997, {label}",
                    row.mbps,
                    ">= 8 MB/s",
                    row.mbps >= 8 if valid else None,
                    "" if valid else "not counted: " + row.note,
                )
            )
    for baseline, prefix in ((edi_regex, ""), (edi_regex_strict, "(strict, GC paused) ")):
        ratio = edi_tok.mbps / baseline.mbps if edi_tok.mbps and baseline.mbps else None
        targets.append(
            Target(
                f"{prefix}EDIFACT tokenizer / release-aware regex",
                ratio,
                ">= 2.00x",
                None if ratio is None else ratio >= 2,
            )
        )
    targets.append(
        Target(
            "(info) EDIFACT check() throughput",
            edi_check.mbps,
            "none set",
            None,
            "" if edi_check.valid else edi_check.note,
        )
    )

    stream: dict[str, Any] | None = None
    if skip_stream:
        targets.append(Target("streaming peak RSS (MB)", None, f"< {RSS_TARGET_MB:.0f} MB", None, "skipped"))
    else:
        stream = run_stream(args.stream_gb)
        peak = stream.get("peak_rss_mb")
        note = ""
        if stream.get("error"):
            note = f"error: {stream['error']}"[:200]
        elif stream.get("schemas"):
            note = f"{stream['schemas']}: transactions rejected unvalidated"
        elif stream.get("interchanges") != stream.get("produced_interchanges") or set(stream.get("results", {})) != {
            "x12 accepted"
        }:
            note = f"ODD: {stream.get('produced_interchanges')} interchanges sent, results {stream.get('results')}"
        targets.append(
            Target(
                f"streaming peak RSS over {args.stream_gb:g} GB (MB)",
                peak,
                f"< {RSS_TARGET_MB:.0f} MB",
                None if peak is None or "bytes" not in stream else peak < RSS_TARGET_MB,
                note,
            )
        )

    if args.json:
        print(
            json.dumps(
                {
                    "seed": SEED,
                    "code": code_state(),
                    "mb": MB,
                    "inputs": inputs,
                    "sanity": {"x12_segments_agree": x12_ok, "edifact_segments_agree": edi_ok},
                    "rows": [r.as_dict() for r in rows],
                    "stream": stream,
                    "targets": [t.as_dict() for t in targets],
                },
                indent=2,
            )
        )
    else:
        print_table(inputs, rows, targets, stream)
        print(
            f"\nSanity: baselines read the same segments as ours: X12 {'yes' if x12_ok else 'NO'}, "
            f"EDIFACT {'yes' if edi_ok else 'NO'}. Slow libraries run on a slice; MB/s stays comparable."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
