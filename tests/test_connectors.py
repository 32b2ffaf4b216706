"""The JSON feed connector: folder mode (atomic, idempotent, safe names) and HTTP mode (a real local server)."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

import gateway.connectors
from gateway.connectors import (
    BusinessKey,
    ConnectorError,
    JsonConnector,
    PermanentError,
    Posted,
    TransientError,
)
from gateway.connectors.json_feed import file_name, safe_name
from gateway.documents import PurchaseOrder, PurchaseOrderLine

PO = PurchaseOrder(po_number="PO-1", lines=[PurchaseOrderLine(quantity=Decimal("2.50"), uom="EA")])
KEY = BusinessKey("meridian", "purchase_order", "PO-1")


def test_public_api_is_pinned() -> None:
    assert sorted(gateway.connectors.__all__) == [
        "BusinessKey",
        "Connector",
        "ConnectorError",
        "DOC_TYPES",
        "DocType",
        "JsonConnector",
        "PermanentError",
        "Posted",
        "TransientError",
    ]


# -- the business key --------------------------------------------------------------------------


def test_key_text() -> None:
    assert KEY.text == "meridian/purchase_order/PO-1"
    assert BusinessKey("meridian", "invoice", "INV 7", "ab12").text == "meridian/invoice/INV%207/ab12"


def test_key_text_is_distinct_for_distinct_keys() -> None:
    assert BusinessKey("p", "invoice", "1/x").text != BusinessKey("p", "invoice", "1", "x").text
    assert BusinessKey("p", "invoice", "%2F").text != BusinessKey("p", "invoice", "/").text
    assert BusinessKey("p", "invoice", "Ä").text.isascii()


def test_key_needs_a_partner_a_number_and_a_known_type() -> None:
    with pytest.raises(ValueError):
        BusinessKey("p", "invoice", "")
    with pytest.raises(ValueError):
        BusinessKey("", "invoice", "1")
    with pytest.raises(ValueError):
        BusinessKey("p", "credit_note", "1")  # type: ignore[arg-type]


# -- folder mode ---------------------------------------------------------------------------------


def test_folder_mode_writes_the_document_under_its_key(tmp_path: Path) -> None:
    posted = JsonConnector(folder=tmp_path).post(KEY, PO)
    target = tmp_path / "meridian" / "purchase_order" / "PO-1.json"
    assert posted == Posted((str(target),))
    text = target.read_text()
    data = json.loads(text)
    assert data["key"] == "meridian/purchase_order/PO-1"
    assert data["document"]["po_number"] == "PO-1"
    assert data["document"]["lines"][0]["quantity"] == "2.50"  # Decimal as text, never a float
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert os.listdir(target.parent) == ["PO-1.json"]  # no temporary file left behind


def test_folder_mode_is_idempotent_and_never_rewrites(tmp_path: Path) -> None:
    connector = JsonConnector(folder=tmp_path)
    first = connector.post(KEY, PO)
    path = Path(first.references[0])
    before = path.stat().st_mtime_ns
    again = connector.post(KEY, PurchaseOrder(po_number="PO-1", notes=["changed"]))
    assert again == Posted(first.references, already=True)
    assert path.stat().st_mtime_ns == before
    assert "changed" not in path.read_text()


def test_a_revision_is_a_separate_file(tmp_path: Path) -> None:
    connector = JsonConnector(folder=tmp_path)
    original = connector.post(KEY, PO)
    change = connector.post(BusinessKey("meridian", "purchase_order", "PO-1", "9f8e"), PO)
    assert not change.already
    assert Path(change.references[0]).name == "PO-1--9f8e.json"
    assert original.references != change.references


@pytest.mark.parametrize(
    "number",
    ["../../etc/passwd", "a/b", "a\\b", ".hidden", "..", "PO 1", "Ä-1", "x\x00y", "-1-", "a--b", "CON", "%41"],
)
def test_odd_numbers_become_safe_plain_file_names(tmp_path: Path, number: str) -> None:
    posted = JsonConnector(folder=tmp_path).post(BusinessKey("meridian", "invoice", number), PO)
    path = Path(posted.references[0])
    assert path.parent == tmp_path / "meridian" / "invoice"
    assert not path.name.startswith(".")
    assert "/" not in path.name[:-5] and "\\" not in path.name and "--" not in path.name
    assert json.loads(path.read_text())["key"] == BusinessKey("meridian", "invoice", number).text


def test_distinct_keys_never_share_a_file() -> None:
    keys = [
        ("a-b", ""),
        ("a--b", ""),
        ("a", "b"),
        ("a-", "b"),
        ("a", "-b"),
        ("a/b", ""),
        ("a%2Fb", ""),
        ("a b", ""),
        ("a%20b", ""),
        (".a", ""),
        ("%2Ea", ""),
        ("a" * 300, ""),
        ("a" * 300 + "b", ""),
    ]
    names = [file_name(BusinessKey("p", "invoice", n, r)) for n, r in keys]
    assert len(set(names)) == len(names)
    assert all(len(n.encode()) < 255 for n in names)


def test_safe_names_keep_ordinary_numbers_readable() -> None:
    assert safe_name("PO-2024-0001") == "PO-2024-0001"
    assert safe_name("INV_7.1") == "INV_7.1"


def test_a_partner_name_is_made_safe_too(tmp_path: Path) -> None:
    posted = JsonConnector(folder=tmp_path).post(BusinessKey("../up", "invoice", "1"), PO)
    assert Path(posted.references[0]).parent.parent.parent == tmp_path


def test_a_file_holding_another_key_is_a_collision_not_a_hit(tmp_path: Path) -> None:
    target = tmp_path / "meridian" / "purchase_order" / "PO-1.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps({"key": "meridian/purchase_order/po-1", "document": {}}))
    with pytest.raises(PermanentError, match="already holds"):
        JsonConnector(folder=tmp_path).post(KEY, PO)


def test_a_missing_feed_folder_is_transient_and_not_created(tmp_path: Path) -> None:
    with pytest.raises(TransientError):
        JsonConnector(folder=tmp_path / "share").post(KEY, PO)
    assert not (tmp_path / "share").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permissions")
def test_a_read_only_feed_folder_is_permanent(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(PermanentError) as info:
            JsonConnector(folder=tmp_path).post(KEY, PO)
        assert not isinstance(info.value, OSError)
        assert isinstance(info.value.__cause__, OSError)
    finally:
        tmp_path.chmod(0o700)


def test_a_full_disk_is_transient(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(TransientError, match="No space"):
        JsonConnector(folder=tmp_path).post(KEY, PO)
    assert list((tmp_path / "meridian" / "purchase_order").iterdir()) == []  # the temporary file is gone


def test_exactly_one_mode(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        JsonConnector()
    with pytest.raises(ValueError):
        JsonConnector(folder=tmp_path, url="http://localhost/")
    with pytest.raises(ValueError):
        JsonConnector(url="ftp://example.org/")


# -- HTTP mode -----------------------------------------------------------------------------------

SECRET = "Bearer s3cr3t-t0ken-value"


class Script:
    """The answers a test server gives, in order, and the requests it saw."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict[str, str], bytes]] = []
        self.requests: list[tuple[dict[str, str], bytes]] = []


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            script.requests.append((dict(self.headers.items()), body))
            status, headers, answer = script.answers.pop(0)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/feed", script
    finally:
        httpd.shutdown()
        httpd.server_close()


def connector(url: str) -> JsonConnector:
    return JsonConnector(url=url, headers={"Authorization": SECRET}, timeout=5.0)


def test_http_201_with_location(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers.append((201, {"Location": "/orders/42"}, b""))
    with connector(url) as c:
        assert c.post(KEY, PO) == Posted(("/orders/42",))
    [(headers, body)] = script.requests
    assert headers["Idempotency-Key"] == KEY.text
    assert headers["Content-Type"] == "application/json"
    assert headers["Authorization"] == SECRET
    assert json.loads(body) == {"key": KEY.text, "document": PO.model_dump(mode="json")}


def test_http_200_with_an_id_in_the_answer(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers += [(200, {"Content-Type": "application/json"}, b'{"id": 7}'), (202, {}, b"")]
    with connector(url) as c:
        assert c.post(KEY, PO) == Posted(("7",))
        assert c.post(KEY, PO) == Posted((KEY.text,))  # nothing to go by: the key itself


def test_http_409_means_the_receiver_has_it(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers.append((409, {"Content-Type": "application/json"}, b'{"reference": "PO/0042"}'))
    with connector(url) as c:
        assert c.post(KEY, PO) == Posted(("PO/0042",), already=True)


def test_http_500_is_transient_then_a_retry_succeeds(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers += [(500, {}, b"database is down"), (201, {"Location": "/orders/1"}, b"")]
    with connector(url) as c:
        with pytest.raises(TransientError) as info:
            c.post(KEY, PO)
        assert info.value.status == 500
        assert "database is down" in info.value.message
        assert c.post(KEY, PO) == Posted(("/orders/1",))
    assert [h["Idempotency-Key"] for h, _ in script.requests] == [KEY.text, KEY.text]


@pytest.mark.parametrize("status", [408, 429, 503])
def test_http_busy_answers_are_transient(server: tuple[str, Script], status: int) -> None:
    url, script = server
    script.answers.append((status, {"Retry-After": "30"}, b"busy"))
    with connector(url) as c, pytest.raises(TransientError) as info:
        c.post(KEY, PO)
    assert info.value.retry_after == 30.0


def test_http_400_is_permanent_with_the_remote_message_and_no_secret(server: tuple[str, Script]) -> None:
    url, script = server
    echo = f"unknown vendor; you sent Authorization: {SECRET} ".encode() + b"x" * 1000
    script.answers.append((400, {}, echo))
    with connector(url) as c, pytest.raises(PermanentError) as info:
        c.post(KEY, PO)
    error = info.value
    assert error.status == 400 and not error.transient
    assert "unknown vendor" in error.message
    assert "s3cr3t" not in error.message and "s3cr3t" not in str(error)
    assert len(error.message) < 650  # the first 500 characters of the answer, and the context


def test_connection_refused_is_transient_and_translated() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://user:pa55word@127.0.0.1:{port}/feed?token=qu3ry-s3cret"
    with connector(url) as c, pytest.raises(TransientError) as info:
        c.post(KEY, PO)
    assert isinstance(info.value, ConnectorError)
    assert isinstance(info.value.__cause__, httpx.HTTPError)
    message = str(info.value)
    assert f"127.0.0.1:{port}/feed" in message
    assert "pa55word" not in message and "qu3ry-s3cret" not in message and "s3cr3t" not in message


def test_a_timeout_is_transient() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = httpx.Client(transport=httpx.MockTransport(slow))
    with pytest.raises(TransientError, match="timed out"):
        JsonConnector(url="http://erp.example/feed", client=client).post(KEY, PO)


def test_a_given_client_is_not_closed(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers.append((201, {}, b""))
    client = httpx.Client()
    with JsonConnector(url=url, client=client) as c:
        c.post(KEY, PO)
    assert not client.is_closed
    client.close()
