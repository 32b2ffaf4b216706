"""``edigw validate`` as a user runs it: exact exit codes, output that names the problem, acks on disk."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from gateway.cli.main import cli

from .conftest import SAMPLES


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_clean_file_exits_zero_and_says_accepted() -> None:
    code, out = run(str(SAMPLES / "850-requisition.edi"))
    assert code == 0
    assert "X12 interchange 000000101" in out
    assert "850 0001 (17 segments)  ACCEPTED" in out


def test_bad_date_exits_one_and_points_at_the_segment() -> None:
    code, out = run(str(SAMPLES / "broken-bad-date.edi"))
    assert code == 1
    assert "DTM (segment 6)" in out
    assert "'20261305': a valid date was expected" in out
    assert "DTM*002*20261305" in out


def test_json_output_is_machine_readable(tmp_path: Path) -> None:
    code, out = run("--json", "--acks-dir", str(tmp_path), str(SAMPLES / "broken-se-count.edi"))
    assert code == 1
    data = json.loads(out)
    assert data["exit_code"] == 1
    ic = data["files"][0]["interchanges"][0]
    txn = ic["groups"][0]["transactions"][0]
    assert txn["status"] == "rejected"
    assert [f["code"] for f in txn["findings"]] == ["transaction.count_mismatch"]
    acks = ic["acks"]
    assert [a["kind"] for a in acks] == ["TA1", "997"]  # ISA14=1 asks for a TA1
    for ack in acks:
        assert Path(ack["file"]).read_bytes().startswith(b"ISA*00*")


def test_missing_file_is_an_io_error_exit_two(tmp_path: Path) -> None:
    code, out = run(str(tmp_path / "nope.edi"))
    assert code == 2
    assert "cannot read" in out


def test_no_arguments_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 2
    assert "Missing argument" in result.output


def test_garbage_gets_an_answer_not_a_traceback(tmp_path: Path) -> None:
    junk = tmp_path / "junk.edi"
    junk.write_bytes(b"\x00\xff\xfe not edi at all \x80\x81 ISA")
    code, out = run(str(junk))
    assert code == 1
    assert "not EDI" in out
    assert "Traceback" not in out


def test_empty_file_is_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty.edi"
    empty.write_bytes(b"")
    code, out = run(str(empty))
    assert code == 1
    assert "no EDI found" in out


def test_folder_argument_checks_every_file() -> None:
    code, out = run(str(SAMPLES))
    assert code == 1
    assert out.count("interchange") >= 5


def test_help_is_instant_and_lists_validate() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "validate" in result.output


def test_a_segment_out_of_place_is_shown_as_the_partner_wrote_it(tmp_path: Path) -> None:
    data = (SAMPLES / "850-requisition.edi").read_bytes()
    data = data.replace(b"GS*PO*STMARYEPROC*STMARYCENTRAL*20261128*0930*101*X*004010~\n", b"")
    stray = tmp_path / "no-gs.edi"
    stray.write_bytes(data)
    code, out = run(str(stray))
    assert code == 1
    assert "A transaction (ST) appears outside a functional group (GS)." in out
    assert "    ST*850*0001" in out
    assert "['ST'" not in out
