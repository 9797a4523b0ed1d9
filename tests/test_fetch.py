"""``sanctrack fetch`` against a real HTTP server on 127.0.0.1 serving the real list files.

The server (``http.server`` in a thread, port 0) serves files of
../shared/data/real-sanctions (skipped where absent; ``SANCTRACK_REAL_DATA`` points
elsewhere) and misbehaves on request: it answers 304 to matching validators or
ignores them, drops or resets the connection mid-file, lies in Content-Length, sends
an HTML page, stalls. Expected values come from SOURCES.md (sizes, sha256 prefixes,
the dates written in the files) and from hashlib over the file itself.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import http.server
import io
import json
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctrack import fetch as F
from sanctrack._fetch_cli import run_fetch
from sanctrack._fetch_lists import http_date, shape_problem

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SANCTRACK_REAL_DATA") or REPO.parent / "shared" / "data" / "real-sanctions")

UN_0607 = "un_consolidated_2018-06-07.xml"
UN_0621 = "un_consolidated_2018-06-21.xml"
UN_2026 = "un_consolidated_2026-02-27.xml"
ADVANCED = "ofac_cons_advanced_2020-03-17.xml"
EU = "eu_fsf_v1_legacy_2016-02-11.xml"
SDN_0803 = "ofac_sdn_2023-08-03.csv"
SDN_0809 = "ofac_sdn_2023-08-09.csv"


def real(name: str) -> bytes:
    path = DATA / name
    if not path.is_file():
        pytest.skip(f"real sanctions file {name} not found in {DATA}")
    return path.read_bytes()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- the server ------------------------------------------------------------------------------


class Route:
    """What the server answers for one path.

    ``mode``: ``normal`` (honours If-None-Match / If-Modified-Since with 304),
    ``ignore`` (always 200), ``drop`` (closes after half the body), ``reset`` (RST
    after half the body), ``long``/``short`` (Content-Length 1000 bytes more/less than
    the body), ``nolength`` (no Content-Length, closes after half the body),
    ``chunked-drop`` (chunked, closes inside a chunk), ``stall`` (sleeps before the body).
    """

    def __init__(self, body: bytes = b"", *, status: int = 200, etag: str | None = '"v1"',
                 last_modified: str | None = "Thu, 07 Jun 2018 23:10:00 GMT", mode: str = "normal",
                 content_type: str = "application/xml", extra: dict[str, str] | None = None) -> None:
        self.body, self.status, self.etag, self.last_modified = body, status, etag, last_modified
        self.mode, self.content_type, self.extra = mode, content_type, extra or {}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        server = self.server
        server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))  # type: ignore[attr-defined]
        r = server.routes.get(self.path)  # type: ignore[attr-defined]
        if r is not None and r.mode.startswith("redirect:"):  # like OFAC's service sending to a signed URL
            self.send_response(302)
            self.send_header("Location", r.mode.split(":", 1)[1])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if r is None or r.status != 200:
            self.send_error(404 if r is None else r.status)
            return
        inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
        if r.mode == "normal" and ((inm is not None and inm == r.etag)
                                   or (inm is None and ims is not None and ims == r.last_modified)):
            self.send_response(304)
            self.end_headers()
            return
        body = r.body
        self.send_response(206 if r.mode == "partial" else 200)
        self.send_header("Content-Type", r.content_type)
        if r.etag:
            self.send_header("ETag", r.etag)
        if r.last_modified:
            self.send_header("Last-Modified", r.last_modified)
        for k, v in r.extra.items():
            self.send_header(k, v)
        length = {"long": len(body) + 1000, "short": len(body) - 1000}.get(r.mode, len(body))
        if r.mode == "chunked":  # the whole body in chunks, no Content-Length
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(body), 100_000):
                piece = body[i:i + 100_000]
                self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        if r.mode == "chunked-drop":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            half = body[: len(body) // 2]
            self.wfile.write(b"%x\r\n" % len(body) + half)
            self.wfile.flush()
            return
        if r.mode != "nolength":
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if r.mode == "stall":
            time.sleep(1.5)
        if r.mode in ("drop", "reset", "nolength"):
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            if r.mode == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (short Content-Length)
            pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """Loopback requests never go through a proxy the environment may name (subprocesses inherit it)."""
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


@pytest.fixture
def server():
    srv = Server()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def files(directory: Path) -> list[str]:
    """Every file and directory under ``directory`` (hidden ones too), relative, sorted."""
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


# -- a normal fetch ---------------------------------------------------------------------------


def test_fetch_stores_the_list_under_its_own_date_with_an_exact_sidecar(server, tmp_path):
    body = real(UN_0607)
    server.routes["/un.xml"] = Route(body)
    before = utc_now()
    result = F.fetch("un", tmp_path, url=server.url("/un.xml"))
    after = utc_now()

    # dateGenerated="2018-06-07T19:03:43.97-04:00" is 23:03:43 UTC
    name = "un_2018-06-07T230343Z.xml"
    assert files(tmp_path) == ["un", f"un/{name}", f"un/{name}.json"]
    assert (tmp_path / "un" / name).read_bytes() == body
    assert (result.outcome, result.status, result.list) == ("stored", 200, "un")
    side = json.loads((tmp_path / "un" / f"{name}.json").read_text(encoding="utf-8"))
    fetched = dt.datetime.fromisoformat(side.pop("fetched"))
    assert before <= fetched <= after
    assert side == {
        "list": "un",
        "file": name,
        "published": "2018-06-07T19:03:43.97-04:00",
        "published_date": "2018-06-07",
        "published_from": "dateGenerated",
        "sha256": sha(body),
        "size": 1601028,
        "url": server.url("/un.xml"),
        "etag": '"v1"',
        "last_modified": "Thu, 07 Jun 2018 23:10:00 GMT",
        "content_type": "application/xml",
    }
    assert sha(body).startswith("d665c1cad420")  # SOURCES.md
    assert result.snapshot.path == str(tmp_path / "un" / name)
    assert F.snapshots(tmp_path, "un") == (result.snapshot,)


@pytest.mark.parametrize("list_name, source, name, published, published_from", [
    ("ofac-advanced", ADVANCED, "ofac-advanced_2020-03-17.xml", "2020-03-17", "DateOfIssue"),
    ("eu-fsf", EU, "eu-fsf_2016-02-11.xml", "11/02/2016", "WHOLE/@Date"),
    ("un", UN_2026, "un_2026-02-27T000009Z.xml", "2026-02-27T00:00:09.554Z", "dateGenerated"),
])
def test_each_list_is_dated_by_the_date_it_states(server, tmp_path, list_name, source, name, published,
                                                   published_from):
    body = real(source)
    server.routes["/f"] = Route(body, last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    result = F.fetch(list_name, tmp_path, url=server.url("/f"))
    assert result.snapshot.file == name
    assert (result.snapshot.published, result.snapshot.published_from) == (published, published_from)
    assert result.snapshot.published_date.isoformat() == re.search(r"\d{4}-\d{2}-\d{2}", name).group(0)
    assert (tmp_path / list_name / name).read_bytes() == body


def test_sdn_csv_states_no_date_so_last_modified_dates_it(server, tmp_path):
    body = real(SDN_0809)
    server.routes["/SDN.CSV"] = Route(body, last_modified="Wed, 09 Aug 2023 18:43:27 GMT", content_type="text/csv")
    snap = F.fetch("ofac-sdn", tmp_path, url=server.url("/SDN.CSV")).snapshot
    assert snap.file == "ofac-sdn_2023-08-09T184327Z.csv"
    assert (snap.published, snap.published_date, snap.published_from) == (
        "Wed, 09 Aug 2023 18:43:27 GMT", dt.date(2023, 8, 9), "Last-Modified")
    assert (snap.size, snap.sha256) == (3206533, sha(body))
    assert snap.sha256.startswith("0cd1a65b6d60")  # SOURCES.md


def test_without_last_modified_the_date_header_dates_it(server, tmp_path):
    body = real(SDN_0809)
    server.routes["/SDN.CSV"] = Route(body, last_modified=None, etag=None)
    before = utc_now()
    snap = F.fetch("ofac-sdn", tmp_path, url=server.url("/SDN.CSV")).snapshot
    stamp = dt.datetime.strptime(snap.file, "ofac-sdn_%Y-%m-%dT%H%M%SZ.csv").replace(tzinfo=dt.UTC)
    assert snap.published_from == "Date"
    assert email.utils.parsedate_to_datetime(snap.published) == stamp
    assert before - dt.timedelta(seconds=1) <= stamp <= utc_now()
    assert (snap.etag, snap.last_modified) == (None, None)


@pytest.mark.parametrize("list_name, head, published, date, stamp", [
    # the EU FSF 1.1 root as the Commission writes it (namespace, globalFileId, offset)
    ("eu-fsf", '<?xml version="1.0" encoding="UTF-8"?>\n<export xmlns="http://eu.europa.ec/fpi/fsd/export" '
     'generationDate="2026-02-02T17:26:53.906+01:00" globalFileId="180460">',
     "2026-02-02T17:26:53.906+01:00", dt.date(2026, 2, 2), "2026-02-02T162653Z"),
    ("eu-fsf", '<export generationDate="2026-07-29">', "2026-07-29", dt.date(2026, 7, 29), "2026-07-29"),
    # a time without an offset: the zone is unknown, so only the date is used
    ("eu-fsf", '<export generationDate="2026-07-29T23:30:00">', "2026-07-29T23:30:00", dt.date(2026, 7, 29),
     "2026-07-29"),
    # an instant whose UTC date is the next day: the name is UTC, the stated date is kept
    ("un", '<CONSOLIDATED_LIST dateGenerated="2018-12-21T19:02:22.266-05:00">', "2018-12-21T19:02:22.266-05:00",
     dt.date(2018, 12, 21), "2018-12-22T000222Z"),
    ("ofac-advanced", "<sdn:Sanctions><sdn:DateOfIssue CalendarTypeID='1'><sdn:Year>2024</sdn:Year>"
     "<sdn:Month>3</sdn:Month><sdn:Day>6</sdn:Day></sdn:DateOfIssue>", "2024-03-06", dt.date(2024, 3, 6),
     "2024-03-06"),
])
def test_the_date_a_list_states(list_name, head, published, date, stamp):
    found = F.LISTS[list_name].published(head)
    assert (found.text, found.date, found.stamp) == (published, date, stamp)


@pytest.mark.parametrize("list_name, head", [
    ("un", '<CONSOLIDATED_LIST dateGenerated="2018-06-31T19:03:43-04:00">'),  # no 31 June
    ("un", "<CONSOLIDATED_LIST>"),
    ("ofac-advanced", "<Sanctions><DateOfIssue><Year>2024</Year><Month>13</Month><Day>6</Day></DateOfIssue>"),
    ("eu-fsf", '<WHOLE Date="31/02/2016">'),
])
def test_no_usable_stated_date(list_name, head):
    assert F.LISTS[list_name].published(head) is None


def test_a_list_without_its_date_falls_back_to_last_modified_and_says_so(server, tmp_path):
    body = real(UN_0607).replace(b' dateGenerated="2018-06-07T19:03:43.97-04:00"', b"", 1)
    server.routes["/un.xml"] = Route(body, last_modified="Fri, 08 Jun 2018 02:00:00 GMT")
    snap = F.fetch("un", tmp_path, url=server.url("/un.xml")).snapshot
    assert (snap.file, snap.published_from, snap.published_date) == (
        "un_2018-06-08T020000Z.xml", "Last-Modified", dt.date(2018, 6, 8))


# -- nothing stored twice -------------------------------------------------------------------------


def test_second_fetch_sends_the_validators_and_a_304_stores_nothing(server, tmp_path):
    server.routes["/un.xml"] = Route(real(UN_0607))
    first = F.fetch("un", tmp_path, url=server.url("/un.xml"))
    listing = files(tmp_path)
    stat = [(p, os.stat(tmp_path / p).st_mtime_ns) for p in listing]
    second = F.fetch("un", tmp_path, url=server.url("/un.xml"))
    assert (second.outcome, second.status, second.snapshot) == ("not-modified", 304, first.snapshot)
    assert server.requests[1][1]["if-none-match"] == '"v1"'
    assert server.requests[1][1]["if-modified-since"] == "Thu, 07 Jun 2018 23:10:00 GMT"
    assert "if-none-match" not in server.requests[0][1]
    assert [(p, os.stat(tmp_path / p).st_mtime_ns) for p in files(tmp_path)] == stat


def test_a_server_that_ignores_validators_but_sends_the_same_bytes_stores_nothing(server, tmp_path):
    server.routes["/un.xml"] = Route(real(UN_0607), mode="ignore")
    first = F.fetch("un", tmp_path, url=server.url("/un.xml"))
    listing = files(tmp_path)
    second = F.fetch("un", tmp_path, url=server.url("/un.xml"))
    assert (second.outcome, second.status, second.snapshot) == ("unchanged", 200, first.snapshot)
    assert files(tmp_path) == listing


def test_force_sends_no_validators_and_still_stores_nothing_twice(server, tmp_path):
    server.routes["/un.xml"] = Route(real(UN_0607))
    first = F.fetch("un", tmp_path, url=server.url("/un.xml"))
    second = F.fetch("un", tmp_path, url=server.url("/un.xml"), force=True)
    assert "if-none-match" not in server.requests[1][1]
    assert (second.outcome, second.snapshot) == ("unchanged", first.snapshot)
    assert len(files(tmp_path)) == 3


def test_a_changed_list_is_a_second_snapshot(server, tmp_path):
    server.routes["/un.xml"] = Route(real(UN_0607))
    first = F.fetch("un", tmp_path, url=server.url("/un.xml"))
    server.routes["/un.xml"] = Route(real(UN_0621), etag='"v2"', last_modified="Thu, 21 Jun 2018 23:10:00 GMT")
    second = F.fetch("un", tmp_path, url=server.url("/un.xml"))
    assert second.outcome == "stored"
    assert server.requests[1][1]["if-none-match"] == '"v1"'  # asked conditionally, got the new list
    # dateGenerated="2018-06-21T19:02:22.266-04:00"
    assert second.snapshot.file == "un_2018-06-21T230222Z.xml"
    assert (second.snapshot.published_date, second.snapshot.size) == (dt.date(2018, 6, 21), 1605617)
    assert second.snapshot.sha256 == sha(real(UN_0621))
    assert [s.file for s in F.snapshots(tmp_path, "un")] == [first.snapshot.file, second.snapshot.file]
    assert files(tmp_path) == ["un", "un/un_2018-06-07T230343Z.xml", "un/un_2018-06-07T230343Z.xml.json",
                               "un/un_2018-06-21T230222Z.xml", "un/un_2018-06-21T230222Z.xml.json"]
    # and back to the first: a 304 against the copy fetched last ("v2") is not given, the
    # body is the first copy's, which is already stored under its own name
    server.routes["/un.xml"] = Route(real(UN_0607))
    third = F.fetch("un", tmp_path, url=server.url("/un.xml"))
    assert (third.outcome, third.snapshot) == ("unchanged", first.snapshot)
    assert len(files(tmp_path)) == 5


def test_a_different_copy_with_the_same_publication_date_gets_a_suffix(server, tmp_path):
    body = real(ADVANCED)
    server.routes["/adv.xml"] = Route(body)
    first = F.fetch("ofac-advanced", tmp_path, url=server.url("/adv.xml"))
    corrected = body.replace(b"<Year>2020</Year>", b"<Year>2020</Year>", 1).replace(b"A.K.A.", b"a.k.a.", 1)
    assert corrected != body
    server.routes["/adv.xml"] = Route(corrected, etag='"v2"')
    second = F.fetch("ofac-advanced", tmp_path, url=server.url("/adv.xml"))
    assert (first.snapshot.file, second.snapshot.file) == ("ofac-advanced_2020-03-17.xml",
                                                           "ofac-advanced_2020-03-17_2.xml")
    assert second.snapshot.published_date == dt.date(2020, 3, 17)
    assert [s.file for s in F.snapshots(tmp_path, "ofac-advanced")] == [first.snapshot.file, second.snapshot.file]


def test_a_redirect_is_followed_and_the_validators_go_along(server, tmp_path):
    server.routes["/api/SDN_ADVANCED.XML"] = Route(mode="redirect:/signed/sdn_advanced.xml?sig=abc")
    server.routes["/signed/sdn_advanced.xml?sig=abc"] = Route(real(ADVANCED))
    url = server.url("/api/SDN_ADVANCED.XML")
    first = F.fetch("ofac-advanced", tmp_path, url=url)
    assert (first.outcome, first.snapshot.url, first.snapshot.etag) == ("stored", url, '"v1"')
    second = F.fetch("ofac-advanced", tmp_path, url=url)
    assert second.outcome == "not-modified"
    assert [(p, h.get("if-none-match")) for p, h in server.requests] == [
        ("/api/SDN_ADVANCED.XML", None), ("/signed/sdn_advanced.xml?sig=abc", None),
        ("/api/SDN_ADVANCED.XML", '"v1"'), ("/signed/sdn_advanced.xml?sig=abc", '"v1"')]


# -- nothing partial stored -----------------------------------------------------------------------


@pytest.mark.parametrize("mode, reason", [
    ("drop", "the connection closed after 800,514 of the 1,601,028 bytes announced (Content-Length)"),
    ("long", "the connection closed after 1,601,028 of the 1,602,028 bytes announced (Content-Length)"),
    ("short", "the body does not end with </CONSOLIDATED_LIST>: the file is cut off"),
    ("nolength", "the body does not end with </CONSOLIDATED_LIST>: the file is cut off"),
    ("chunked-drop", re.compile(r"the connection closed inside a chunk \(chunked transfer\), [\d,]+\+ bytes in")),
])
def test_a_cut_body_stores_nothing(server, tmp_path, mode, reason):
    server.routes["/un.xml"] = Route(real(UN_0607), mode=mode)
    url = server.url("/un.xml")
    with pytest.raises(F.FetchError) as caught:
        F.fetch("un", tmp_path, url=url)
    if isinstance(reason, re.Pattern):  # how much of a chunk arrived is up to http.client
        assert reason.fullmatch(caught.value.reason), caught.value.reason
        reason = caught.value.reason
    assert str(caught.value) == f"un: {url}: {reason}; nothing stored"
    assert (caught.value.list, caught.value.url, caught.value.reason) == ("un", url, reason)
    assert files(tmp_path) == []  # not even the list's directory


def test_a_reset_connection_stores_nothing_and_keeps_the_earlier_snapshot(server, tmp_path):
    server.routes["/un.xml"] = Route(real(UN_0607))
    F.fetch("un", tmp_path, url=server.url("/un.xml"))
    listing = files(tmp_path)
    server.routes["/un.xml"] = Route(real(UN_0621), etag='"v2"', mode="reset")
    with pytest.raises(F.FetchError) as caught:
        F.fetch("un", tmp_path, url=server.url("/un.xml"))
    # an RST mid-body is either seen as a reset or as an early end of the body
    assert re.search(r"the connection failed: ConnectionResetError|closed after \d[\d,]* of the 1,605,617 bytes",
                     caught.value.reason), caught.value.reason
    assert files(tmp_path) == listing


def test_a_redirect_to_nowhere_is_a_fetch_error(server, tmp_path):
    server.routes["/un.xml"] = Route(mode="redirect:http://[::1/x")
    with pytest.raises(F.FetchError) as caught:
        F.fetch("un", tmp_path, url=server.url("/un.xml"))
    assert caught.value.reason == "cannot follow the server: ValueError: Invalid IPv6 URL"
    assert files(tmp_path) == []


def test_a_sidecar_that_cannot_be_written_takes_its_file_with_it(server, tmp_path, monkeypatch):
    server.routes["/un.xml"] = Route(real(UN_0607))
    F.fetch("un", tmp_path, url=server.url("/un.xml"))
    listing = files(tmp_path)
    server.routes["/un.xml"] = Route(real(UN_0621), etag='"v2"')

    def full_disk(snap):
        raise OSError(28, "No space left on device", snap.path + ".json")

    monkeypatch.setattr(F, "_write_sidecar", full_disk)
    with pytest.raises(OSError, match="No space left on device"):
        F.fetch("un", tmp_path, url=server.url("/un.xml"))
    assert files(tmp_path) == listing


def test_an_interrupted_download_leaves_nothing(server, tmp_path):
    server.routes["/un.xml"] = Route(real(UN_0607))

    def interrupt(done, total):
        if done > 500_000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        F.fetch("un", tmp_path, url=server.url("/un.xml"), progress=interrupt)
    assert files(tmp_path) == []


@pytest.mark.parametrize("status, reason", [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error")])
def test_an_http_error_is_one_clear_error(server, tmp_path, status, reason):
    server.routes["/un.xml"] = Route(status=status)
    with pytest.raises(F.FetchError) as caught:
        F.fetch("un", tmp_path, url=server.url("/un.xml"))
    assert caught.value.reason == reason
    assert files(tmp_path) == []


def test_a_page_that_is_not_the_list_is_refused(server, tmp_path):
    server.routes["/un.xml"] = Route(b"<!DOCTYPE html><html><body>Service maintenance</body></html>\n",
                                     content_type="text/html")
    with pytest.raises(F.FetchError) as caught:
        F.fetch("un", tmp_path, url=server.url("/un.xml"))
    assert caught.value.reason == ("not the UN Security Council consolidated list: no <CONSOLIDATED_LIST> "
                                   "element at the start of the body")
    assert files(tmp_path) == []


def test_an_sdn_csv_cut_inside_its_last_record_is_refused(server, tmp_path):
    body = real(SDN_0809)
    cut = body[: body.rindex(b"Gender")]  # a file cut at the source: its Content-Length agrees with it
    server.routes["/SDN.CSV"] = Route(cut + b"\r\n", content_type="text/csv")
    with pytest.raises(F.FetchError) as caught:
        F.fetch("ofac-sdn", tmp_path, url=server.url("/SDN.CSV"))
    assert caught.value.reason.startswith("not the OFAC SDN list (SDN.CSV): the last record is not 12 fields")
    assert files(tmp_path) == []


def test_a_partial_content_answer_is_refused(server, tmp_path):
    server.routes["/un.xml"] = Route(real(UN_0607), mode="partial")
    with pytest.raises(F.FetchError) as caught:
        F.fetch("un", tmp_path, url=server.url("/un.xml"))
    assert caught.value.reason == "HTTP 206 Partial Content: expected 200 with the list"
    assert files(tmp_path) == []


def test_two_fetches_at_once_store_one_snapshot(server, tmp_path):
    server.routes["/un.xml"] = Route(real(UN_0607), mode="ignore")
    results: list[F.FetchResult] = []
    threads = [threading.Thread(target=lambda: results.append(F.fetch("un", tmp_path, url=server.url("/un.xml"))))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.outcome for r in results) == ["stored", "unchanged", "unchanged", "unchanged"]
    assert files(tmp_path) == ["un", "un/un_2018-06-07T230343Z.xml", "un/un_2018-06-07T230343Z.xml.json"]


def test_the_size_cap(server, tmp_path):
    server.routes["/un.xml"] = Route(real(UN_0607))
    with pytest.raises(F.FetchError) as caught:
        F.fetch("un", tmp_path, url=server.url("/un.xml"), max_size=1_000_000)
    assert caught.value.reason == ("the list is 1,601,028 bytes, over the size cap of 1,000,000 bytes "
                                   "(raise it with --max-size)")
    server.routes["/un.xml"] = Route(real(UN_0607), mode="nolength")
    with pytest.raises(F.FetchError) as caught:
        F.fetch("un", tmp_path, url=server.url("/un.xml"), max_size=500_000)
    assert caught.value.reason == "the body passed the size cap of 500,000 bytes"
    assert files(tmp_path) == []


def test_a_stalled_server_times_out(server, tmp_path):
    server.routes["/un.xml"] = Route(real(UN_0607), mode="stall")
    with pytest.raises(F.FetchError) as caught:
        F.fetch("un", tmp_path, url=server.url("/un.xml"), timeout=0.3)
    assert caught.value.reason == "timed out (no data for 0.3 s)"
    assert files(tmp_path) == []


def test_an_encoded_body_is_refused(server, tmp_path):
    server.routes["/un.xml"] = Route(real(UN_0607), extra={"Content-Encoding": "gzip"})
    with pytest.raises(F.FetchError) as caught:
        F.fetch("un", tmp_path, url=server.url("/un.xml"))
    assert caught.value.reason == "the server sent a 'gzip'-encoded body though none was accepted"


def test_nothing_listens(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(F.FetchError) as caught:
        F.fetch("un", tmp_path, url=f"http://127.0.0.1:{port}/un.xml")
    assert caught.value.reason.startswith("cannot connect: ConnectionRefusedError:")


def test_a_damaged_sidecar_is_named(server, tmp_path):
    server.routes["/un.xml"] = Route(real(UN_0607))
    snap = F.fetch("un", tmp_path, url=server.url("/un.xml")).snapshot
    side = Path(snap.path + ".json")
    side.write_text('{"list": "un",\n  "file": ', encoding="utf-8")
    with pytest.raises(F.FetchError) as caught:
        F.fetch("un", tmp_path, url=server.url("/un.xml"))
    assert str(caught.value).startswith(f"un: {side}: sidecar is not valid JSON (line 2: ")


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="unknown list 'ofac'"):
        F.fetch("ofac", tmp_path)
    with pytest.raises(ValueError, match="is not an http:// or https:// URL"):
        F.fetch("un", tmp_path, url="file:///etc/passwd")
    with pytest.raises(ValueError, match="does not exist"):
        F.fetch("un", tmp_path / "missing", url="http://127.0.0.1:9/x")


# -- the layout the importers fold ------------------------------------------------------------------


def test_the_names_carry_the_date_the_sdn_importer_reads(server, tmp_path):
    """Two fetched SDN.CSV copies diff by the dates in their names, as ``import --history`` folds them."""
    from sanctrack.importers import ofac

    server.routes["/a"] = Route(real(SDN_0803), last_modified="Thu, 03 Aug 2023 18:43:40 GMT")
    server.routes["/b"] = Route(real(SDN_0809), last_modified="Wed, 09 Aug 2023 18:43:27 GMT")
    a = F.fetch("ofac-sdn", tmp_path, url=server.url("/a")).snapshot
    b = F.fetch("ofac-sdn", tmp_path, url=server.url("/b")).snapshot
    assert [ofac.snapshot_date_from_name(s.path) for s in (a, b)] == ["2023-08-03T184340Z", "2023-08-09T184327Z"]
    old = ofac.read_snapshot(a.path, ofac.snapshot_date_from_name(a.path))
    new = ofac.read_snapshot(b.path, ofac.snapshot_date_from_name(b.path))
    diff = ofac.diff_snapshots(old, new, program="BELARUS-EO14038")
    added = {c.uid for c in diff.added}
    assert {44541, 44580} <= {int(u) for u in added}  # BELAVIA and its aircraft EW-301PJ (SOURCES.md)
    assert (len(old), len(new)) == (12800, 12817)


# -- the command line ---------------------------------------------------------------------------------


def cli(*args: str) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "sanctrack", "fetch", *args], capture_output=True, text=True,
                          timeout=120, cwd=REPO)
    assert "Traceback" not in proc.stderr
    return proc.returncode, proc.stdout, proc.stderr


def test_cli_end_to_end(server, tmp_path):
    server.routes["/consolidated.xml"] = Route(real(UN_0607))
    out_dir = tmp_path / "snapshots"
    url = server.url("/consolidated.xml")
    code, out, err = cli("--url", f"un={url}", "-o", str(out_dir))
    assert (code, err) == (0, "")
    assert out == ("un: stored un/un_2018-06-07T230343Z.xml (1,601,028 bytes, sha256 d665c1cad420, "
                   "published 2018-06-07 per dateGenerated)\n")
    assert [p for p, _ in server.requests] == ["/consolidated.xml"]  # only the list named by --url

    code, out, err = cli("--url", f"un={url}", "-o", str(out_dir))
    assert (code, out, err) == (0, "un: not modified (HTTP 304) since un/un_2018-06-07T230343Z.xml; "
                                   "nothing stored\n", "")

    server.routes["/consolidated.xml"].mode = "ignore"
    code, out, err = cli("un", "--url", f"un={url}", "-o", str(out_dir), "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["errors"] == []
    assert [(r["list"], r["outcome"], r["status"], r["file"], r["sha256"]) for r in doc["results"]] == [
        ("un", "unchanged", 200, "un_2018-06-07T230343Z.xml", sha(real(UN_0607)))]
    assert files(out_dir) == ["un", "un/un_2018-06-07T230343Z.xml", "un/un_2018-06-07T230343Z.xml.json"]


def test_cli_failures_are_one_line_and_exit_1(server, tmp_path):
    server.routes["/un.xml"] = Route(real(UN_0607), mode="drop")
    server.routes["/adv.xml"] = Route(real(ADVANCED))
    code, out, err = cli("--url", f"un={server.url('/un.xml')}", "--url", f"ofac-advanced={server.url('/adv.xml')}",
                         "--url", f"eu-fsf={server.url('/missing.xml')}", "-o", str(tmp_path))
    assert code == 1
    assert out == ("ofac-advanced: stored ofac-advanced/ofac-advanced_2020-03-17.xml (2,717,162 bytes, "
                   "sha256 f7a1d6c896db, published 2020-03-17 per DateOfIssue)\n")
    assert err.splitlines() == [
        f"sanctrack fetch: error: un: {server.url('/un.xml')}: the connection closed after 800,514 of the "
        "1,601,028 bytes announced (Content-Length); nothing stored",
        f"sanctrack fetch: error: eu-fsf: {server.url('/missing.xml')}: HTTP 404 Not Found; nothing stored",
    ]
    assert files(tmp_path) == ["ofac-advanced", "ofac-advanced/ofac-advanced_2020-03-17.xml",
                               "ofac-advanced/ofac-advanced_2020-03-17.xml.json"]


@pytest.mark.parametrize("args, message", [
    (["ofac", "-o", "X"], "unknown list 'ofac': expected one of ofac-sdn, ofac-advanced, eu-fsf, un"),
    (["--url", "un", "-o", "X"], "--url 'un': expected LIST=URL, e.g. un=https://host/consolidated.xml"),
    (["--url", "un=ftp://host/x", "-o", "X"], "URL for un 'ftp://host/x' is not an http:// or https:// URL"),
    (["--url", "un=http://[::1/x", "-o", "X"], "URL for un 'http://[::1/x' is not a valid URL (Invalid IPv6 URL)"),
    (["--url", "un=https:///x", "-o", "X"], "URL for un 'https:///x' has no host"),
    (["--url", "un=http://a b/x", "-o", "X"], "URL for un 'http://a b/x' contains white space or control characters"),
    (["un"], "the snapshot directory is required: -o DIR (or output: in --config)"),
    (["un", "-o", "X", "--timeout", "0"], "invalid --timeout '0': expected a positive number of seconds"),
    (["un", "-o", "X", "--max-size", "lots"],
     "invalid --max-size 'lots': expected a positive number of bytes, e.g. 500M or 2G"),
])
def test_cli_usage_errors_exit_2(tmp_path, args, message):
    code, out, err = cli(*args)
    assert (code, out) == (2, "")
    assert err == f"sanctrack fetch: error: {message} (see 'sanctrack fetch --help')\n"


def test_cli_global_options(server, tmp_path):
    server.routes["/un.xml"] = Route(real(UN_0607))
    code, out, err = cli("--url", f"un={server.url('/un.xml')}", "-o", str(tmp_path))
    assert code == 0
    proc = subprocess.run([sys.executable, "-m", "sanctrack", "--format", "json", "fetch", "--url",
                           f"un={server.url('/un.xml')}", "-o", str(tmp_path)], capture_output=True, text=True,
                          timeout=120)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert [r["outcome"] for r in json.loads(proc.stdout)["results"]] == ["not-modified"]
    proc = subprocess.run([sys.executable, "-m", "sanctrack", "--known", "2025-01-01", "fetch", "un", "-o",
                           str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == ("sanctrack fetch: error: --known does not apply to fetch: it downloads lists, it reads "
                           "no registry (see 'sanctrack fetch --help')\n")
    code, out, err = cli("un", "-o", str(tmp_path), "--program", "X")
    assert code == 2 and err.startswith("sanctrack: error: unrecognized arguments: --program X")


def test_cli_output_parent_must_exist(tmp_path):
    code, out, err = cli("un", "-o", str(tmp_path / "a" / "b"))
    assert code == 2
    assert err == (f"sanctrack fetch: error: cannot create {str(tmp_path / 'a' / 'b')!r}: directory "
                   f"{str(tmp_path / 'a')!r} does not exist\n")


def test_cli_config_file(server, tmp_path):
    server.routes["/adv.xml"] = Route(real(ADVANCED))
    config = tmp_path / "fetch.yaml"
    config.write_text(f"output: {tmp_path / 'snaps'}\nurls:\n  ofac-advanced: {server.url('/adv.xml')}\n"
                      "timeout: 20\nmax_size: 10M\n", encoding="utf-8")
    code, out, err = cli("ofac-advanced", "--config", str(config))
    assert (code, err) == (0, "")
    assert out.startswith("ofac-advanced: stored ofac-advanced/ofac-advanced_2020-03-17.xml ")
    bad = tmp_path / "bad.yaml"
    bad.write_text("urls:\n  ofac: http://x/\n", encoding="utf-8")
    code, out, err = cli("--config", str(bad))
    assert code == 2
    assert err == (f"sanctrack fetch: error: unknown list in {bad} urls: 'ofac': expected one of ofac-sdn, "
                   "ofac-advanced, eu-fsf, un (see 'sanctrack fetch --help')\n")
    code, out, err = cli("un", "-o", str(tmp_path), "--config", str(tmp_path / "none.yaml"))
    assert code == 2 and "cannot read --config" in err


# -- the progress bar ---------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _args(**kw):
    import argparse

    base = dict(lists=["un"], output=None, url=[], config=None, timeout=None, max_size=None, force=False,
                no_progress=False, fetch_format=None)
    base.update(kw)
    return argparse.Namespace(**base)


def test_a_progress_bar_on_a_terminal_only(server, tmp_path):
    server.routes["/un.xml"] = Route(real(UN_0607))
    url = server.url("/un.xml")
    err = Terminal()
    out = io.StringIO()
    assert run_fetch(_args(output=str(tmp_path / "t"), url=[f"un={url}"]), out, err) == 0
    last = err.getvalue().split("\r")[-1]
    assert last == "un             [############################] 100%     1.6/1.6 MB\n"
    assert out.getvalue().startswith("un: stored ")

    server.routes["/chunked.xml"] = Route(real(UN_0607), mode="chunked")  # no Content-Length: bytes only
    err = Terminal()
    assert run_fetch(_args(output=str(tmp_path / "c"), url=[f"un={server.url('/chunked.xml')}"]), out, err) == 0
    assert err.getvalue().split("\r")[-1] == "un                 1.6 MB\n"
    assert (tmp_path / "c" / "un" / "un_2018-06-07T230343Z.xml").read_bytes() == real(UN_0607)

    plain = io.StringIO()  # not a terminal: no bar
    assert run_fetch(_args(output=str(tmp_path / "p"), url=[f"un={url}"]), io.StringIO(), plain) == 0
    assert plain.getvalue() == ""
    quiet = Terminal()
    assert run_fetch(_args(output=str(tmp_path / "q"), url=[f"un={url}"], no_progress=True), io.StringIO(),
                     quiet) == 0
    assert quiet.getvalue() == ""


# -- laws of the completeness check and the date readers ------------------------------------------------

_XML_FILES = (("un", UN_0607), ("un", UN_2026), ("ofac-advanced", ADVANCED), ("eu-fsf", EU))


def _head_tail(body: bytes) -> tuple[str, bytes]:
    return body[: 1 << 16].decode("utf-8", errors="replace"), body[-4096:]


@pytest.mark.parametrize("list_name, source", _XML_FILES + (("ofac-sdn", SDN_0803), ("ofac-sdn", SDN_0809)))
def test_every_whole_real_file_has_the_shape_of_its_list(list_name, source):
    assert shape_problem(F.LISTS[list_name], *_head_tail(real(source))) is None


@pytest.mark.parametrize("list_name, source", _XML_FILES)
@settings(max_examples=60, deadline=None)
@given(lost=st.one_of(st.integers(min_value=1, max_value=64), st.integers(min_value=1, max_value=3_000_000)))
def test_an_xml_list_cut_anywhere_before_its_end_is_refused(list_name, source, lost):
    body = real(source)
    whole = len(body.rstrip(b" \t\r\n"))  # what follows is only trailing white space
    prefix = body[: whole - min(lost, whole)]
    assert shape_problem(F.LISTS[list_name], *_head_tail(prefix)) is not None


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300), list_name=st.sampled_from(sorted(F.LISTS)))
def test_the_date_readers_never_raise(text, list_name):
    reader = F.LISTS[list_name].published
    found = reader(text) if reader else None
    assert found is None or isinstance(found.date, dt.date)
    h = http_date(text, "Last-Modified")
    assert h is None or h.value.tzinfo is not None
