"""`sanctrack serve` through a real HTTP client against a real server on 127.0.0.1.

Every answer is compared with the library's answer to the same question, built
independently here with the public API and the CLI's JSON builders.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

import sanctrack  # noqa: E402
from sanctrack import _format as fmt  # noqa: E402
from sanctrack.cli import main  # noqa: E402
from sanctrack.server import SCREEN_LIMIT, create_app, registry_facts  # noqa: E402
from sanctrack.server._app import Served  # noqa: E402
from sanctrack.server._receipts import AuditLog  # noqa: E402

from ._serving import serving  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
KEY = b"k" * 32
REG = sanctrack.load()
DIGEST = REG.digest


@pytest.fixture(scope="module")
def base() -> str:
    with serving(create_app(Served(sanctrack.load), receipt_key=KEY)) as url:
        yield url


@pytest.fixture(scope="module")
def client(base: str):
    with httpx.Client(base_url=base, timeout=30) as c:
        yield c


def get(client, path: str, **params) -> dict:
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == f'"{DIGEST}"'
    doc = r.json()
    assert doc["registry"]["digest"] == DIGEST
    return doc


# -- every endpoint answers as the library does ------------------------------------


def test_state_belavia_relieved_by_gl11(client) -> None:
    doc = get(client, "/state/us-ofac-belavia-sdn", on="2025-09-20")
    assert doc["command"] == "state"
    assert doc["query"] == {"measure": "us-ofac-belavia-sdn", "on": "2025-09-20", "known": None}
    r = doc["result"]
    assert (r["status"], [x["label"] for x in r["reliefs"]], r["valid_from"]) == ("relieved", ["GL 11"], "2025-09-11")
    assert r == fmt.state_doc(REG, REG.state("us-ofac-belavia-sdn", "2025-09-20"))


def test_state_audit_replay_2025_10_01(client) -> None:
    doc = get(client, "/state/us-ofac-belavia-sdn", on="2025-11-10", known="2025-10-01")
    r = doc["result"]
    assert r["status"] == "relieved"
    assert (r["knowledge"], r["projection"]) == ("2025-10-01", True)  # a date after the knowledge date
    assert [p["announced"] for p in r["pending"]] == ["2025-09-11"]
    then = REG.as_known_on("2025-10-01")
    assert r == fmt.state_doc(then, then.state("us-ofac-belavia-sdn", "2025-11-10"))
    assert get(client, "/state/us-ofac-belavia-sdn", on="2025-11-10")["result"]["status"] == "lifted"


def test_in_force_potash_relieved_by_gl13(client) -> None:
    doc = get(client, "/in-force", on="2025-12-20", authority="US-OFAC", target="Belaruskali", receipt="false")
    assert doc["query"] == {"on": "2025-12-20", "known": None, "authority": "US-OFAC", "target": "Belaruskali"}
    assert [(s["measure"], s["status"], [x["label"] for x in s["reliefs"]]) for s in doc["result"]] == \
        [("us-ofac-belaruskali-sdn", "relieved", ["GL 13"])]
    before = get(client, "/in-force", on="2025-12-01", authority="US-OFAC", target="Belaruskali")
    assert [(s["measure"], s["status"]) for s in before["result"]] == [("us-ofac-belaruskali-sdn", "in_force")]
    assert "receipt" not in doc and "receipt" in before  # receipts by default when the server has a key


def test_in_force_unfiltered_equals_library(client) -> None:
    doc = get(client, "/in-force", on="2025-09-20")
    assert doc["result"] == [fmt.state_doc(REG, s) for s in REG.in_force("2025-09-20")]
    assert len(doc["result"]) == len(REG.in_force("2025-09-20")) > 0


def test_screen_equals_library(client) -> None:
    body = {"queries": [{"target": "Belavia", "on": "2025-12-01"},
                        {"measure": "us-ofac-belavia-sdn", "on": "2025-10-01"},
                        {"measure": "us-ofac-belavia-sdn", "on": "2025-12-01"},
                        {"measure": "us-ofac-belavia-sdn", "on": "2025-11-10", "known": "2025-10-01"}],
            "receipt": False}
    r = client.post("/screen", json=body)
    assert r.status_code == 200, r.text
    res = r.json()["result"]
    assert [x["hit"] for x in res] == [True, True, False, True]
    assert [s["measure"] for s in res[0]["states"]] == [
        "eu-belarus-airspace-ban", "eu-belavia-listing", "uk-belavia-flying-restriction",
        "uk-belavia-operating-permit", "us-bis-belarus-aircraft-licence-req"]
    assert res[3]["states"][0]["status"] == "relieved" and res[3]["known"] == "2025-10-01"
    hits = REG.screen([("Belavia", "2025-12-01"), ("us-ofac-belavia-sdn", "2025-10-01"),
                       ("us-ofac-belavia-sdn", "2025-12-01"), ("us-ofac-belavia-sdn", "2025-11-10", "2025-10-01")])
    # the library's own answer, made JSON by hand here (query, on, known, hit, states)
    assert res == [{"query": h.query, "on": str(h.on), "known": h.known and h.known.isoformat(), "hit": h.hit,
                    "states": [fmt.state_doc(REG, s) for s in h.states]} for h in hits]


def test_changes_diff_history_explain_compare_deals(client) -> None:
    doc = get(client, "/changes", **{"from": "2025-09-01", "to": "2025-12-31"})
    assert doc["query"] == {"start": "2025-09-01", "end": "2025-12-31", "known": None}
    assert doc["result"] == [fmt.transition_doc(REG, t) for t in REG.changes("2025-09-01", "2025-12-31")]
    assert any(t["id"] == "us-ofac-belavia-sdn.gl11" for t in doc["result"])

    doc = get(client, "/diff", a="2025-09-01", b="2025-12-20", authority="US-OFAC")
    assert doc["result"] == [fmt.change_doc(REG, c) for c in REG.diff("2025-09-01", "2025-12-20", authority="US-OFAC")]

    doc = get(client, "/history/us-ofac-belavia-sdn")
    assert [(v["valid_from"], v["status"], [x["label"] for x in v["reliefs"]]) for v in doc["result"]["versions"]] == [
        ("2023-08-09", "relieved", ["GL 9"]), ("2023-09-08", "in_force", []), ("2025-09-11", "relieved", ["GL 11"]),
        ("2025-11-04", "lifted", [])]
    assert doc["result"] == fmt.history_doc(REG, REG.history("us-ofac-belavia-sdn"))

    doc = get(client, "/explain/us-ofac-belavia-sdn", on="2025-09-20")
    assert doc["result"] == fmt.explanation_doc(REG, REG.explain("us-ofac-belavia-sdn", "2025-09-20"))

    doc = get(client, "/compare/Belaruskali", on="2026-05-01")
    assert doc["result"]["by_authority"] == {"EU": True, "LT": True, "UK": True, "US-OFAC": False}
    assert doc["result"]["divergent"] is True
    assert doc["result"] == fmt.compare_doc(REG, REG.compare("Belaruskali", "2026-05-01"))

    doc = get(client, "/deals")
    assert doc["result"] == [fmt.deal_doc(REG, d) for d in REG.deals()]
    assert len(doc["result"]) == len(REG.releases) == 24


def test_registry_facts(client) -> None:
    doc = get(client, "/registry")
    assert doc["result"] == registry_facts(REG)
    assert doc["result"]["counts"]["measures"] == len(REG.measures) == 45
    assert doc["result"]["knowledge_date"] == max(
        [t.recorded for t in REG.transitions] + [r.recorded for r in REG.releases]
        + [ln.recorded for ln in REG.links]).isoformat()
    assert doc["result"]["knowledge_date"] == REG.state("us-ofac-belavia-sdn", "2025-09-20").knowledge.isoformat()


def test_answers_equal_the_cli_json(client, capsys) -> None:
    """The server's envelope is the CLI's --format json document, key for key."""
    for path, params, argv in [
        ("/state/us-ofac-belavia-sdn", {"on": "2025-11-10", "known": "2025-10-01"},
         ["state", "us-ofac-belavia-sdn", "2025-11-10", "--known", "2025-10-01"]),
        ("/in-force", {"on": "2025-12-20", "target": "Belaruskali", "receipt": "0"},
         ["in-force", "2025-12-20", "--target", "Belaruskali"]),
        ("/compare/Belaruskali", {"on": "2026-05-01"}, ["compare", "Belaruskali", "2026-05-01"]),
        ("/changes", {"from": "2025-09-01", "to": "2025-10-01"}, ["changes", "2025-09-01", "2025-10-01"]),
        ("/diff", {"a": "2025-09-01", "b": "2025-12-20", "known": "2025-10-01", "authority": "US-OFAC"},
         ["diff", "2025-09-01", "2025-12-20", "--known", "2025-10-01", "--authority", "US-OFAC"]),
        ("/history/us-ofac-belavia-sdn", {}, ["history", "us-ofac-belavia-sdn"]),
        ("/explain/us-ofac-belavia-sdn", {"on": "2025-09-20"}, ["explain", "us-ofac-belavia-sdn", "2025-09-20"]),
        ("/deals", {"known": "2025-10-01"}, ["deals", "--known", "2025-10-01"]),
    ]:
        assert main(argv + ["--format", "json"]) == 0
        cli = json.loads(capsys.readouterr().out)
        served = get(client, path, **params)
        assert served["command"] == cli["command"]
        assert served["query"] == cli["query"]
        assert served["result"] == cli["result"]
        assert served["registry"] == cli["registry"]


# -- bad input: 4xx with the CLI's one-line message, never 500 ---------------------------


@pytest.mark.parametrize("path, params, status, words", [
    ("/state/us-ofac-belavia-sdn", {"on": "2025-09"}, 422, "invalid date '2025-09': expected a calendar date"),
    ("/state/us-ofac-belavia-sdn", {}, 422, "missing parameter 'on'"),
    ("/state/us-ofac-belavia", {"on": "2025-09-20"}, 404, "did you mean 'us-ofac-belavia-sdn'?"),
    ("/compare/Belavija", {"on": "2025-09-20"}, 404, "unknown target 'Belavija'"),
    ("/in-force", {"on": "2025-09-20", "known": "2025-13-01"}, 422, "invalid date '2025-13-01'"),
    ("/in-force", {"on": "2025-09-20", "colour": "red"}, 422, "unknown parameter 'colour'"),
    ("/changes", {"from": "2025-10-01", "to": "2025-09-01"}, 422, "is before FROM"),
    ("/history/us-ofac-belavia-sdn", {"receipt": "1"}, 422, "gives no receipt"),
    ("/nowhere", {}, 404, "no endpoint /nowhere"),
    ("/in-force", {"on": "2025-09-20", "authority": "US-OFA"}, 404, "did you mean 'US-OFAC'?"),
    ("/changes", {"from": "2025-01-01", "to": "2026-01-01", "kind": "blockin"}, 404, "did you mean 'blocking'?"),
])
def test_bad_input(client, path, params, status, words) -> None:
    r = client.get(path, params=params)
    assert r.status_code == status
    err = r.json()["error"]
    assert err["status"] == status and words in err["message"]
    assert "\n" not in err["message"] and "Traceback" not in r.text


def test_bad_date_message_is_the_clis(client, capsys) -> None:
    assert main(["state", "us-ofac-belavia-sdn", "2025-09"]) == 2
    cli = capsys.readouterr().err.strip().removeprefix("sanctrack: error: ")
    assert client.get("/state/us-ofac-belavia-sdn", params={"on": "2025-09"}).json()["error"]["message"] == cli


@pytest.mark.parametrize("body, status, words", [
    ({"queries": [{"measure": "us-ofac-belavia", "on": "2025-09-20"}]}, 404,
     "queries[0]: unknown measure 'us-ofac-belavia' (did you mean"),
    ({"queries": [{"target": "Belavija", "on": "2025-09-20"}]}, 404, "queries[0]: unknown target 'Belavija'"),
    ({"queries": [{"target": "Belavia", "on": "20250920"}]}, 422, "queries[0]: invalid date '20250920'"),
    ({"queries": [{"target": "Belavia", "measure": "x", "on": "2025-09-20"}]}, 422, "exactly one"),
    ({"queries": [{"target": "us-ofac-belavia-sdn", "on": "2025-09-20"}]}, 422, "is a measure id"),
    ({"questions": []}, 422, "expected a JSON object"),
    ([1, 2], 422, "expected a JSON object"),
    ({"queries": [{"measure": "us-ofac-belavia-sdn", "on": "2025-09-20"}] * (SCREEN_LIMIT + 1)}, 413,
     f"expected at most {SCREEN_LIMIT:,}"),
])
def test_screen_bad_input(client, body, status, words) -> None:
    r = client.post("/screen", json=body)
    assert r.status_code == status, r.text
    assert words in r.json()["error"]["message"]


def test_screen_not_json_and_oversize_body(client) -> None:
    r = client.post("/screen", content=b"{not json")
    assert r.status_code == 422 and "body is not JSON" in r.json()["error"]["message"]
    r = client.post("/screen", content=b" " * (8 * 1024 * 1024 + 1))
    assert r.status_code == 413


def test_screen_at_the_limit_is_answered(client) -> None:
    body = {"queries": [{"measure": "us-ofac-belavia-sdn", "on": "2025-09-20"}] * SCREEN_LIMIT, "receipt": False}
    r = client.post("/screen", json=body)
    assert r.status_code == 200
    res = r.json()["result"]
    assert len(res) == SCREEN_LIMIT
    one = {"query": "us-ofac-belavia-sdn", "on": "2025-09-20", "known": None, "hit": True,
           "states": [fmt.state_doc(REG, REG.state("us-ofac-belavia-sdn", "2025-09-20"))]}
    assert all(x == one for x in res)


def test_screen_large_mixed_batch_equals_library(client) -> None:
    """A batch big enough for the registry's column path, targets and measures mixed, dates varied."""
    import datetime as dt

    names = [("measure", m.id) for m in REG.measures] + [("target", t) for t in ("Belavia", "Belaruskali", "BPC")]
    days = [(dt.date(2020, 1, 1) + dt.timedelta(days=37 * i)).isoformat() for i in range(60)]
    qs = [{k: v, "on": days[i % len(days)]} for i, (k, v) in enumerate(names * 5)]
    r = client.post("/screen", json={"queries": qs, "receipt": False})
    assert r.status_code == 200
    hits = REG.screen([(q.get("measure") or q["target"], q["on"]) for q in qs])
    assert r.json()["result"] == [fmt.screen_doc(REG, h) for h in hits]
    assert sum(x["hit"] for x in r.json()["result"]) > 10


# -- pinning ---------------------------------------------------------------------------


def test_if_match_and_digest_pin(client) -> None:
    ok = client.get("/registry", headers={"If-Match": f'"{DIGEST}"'})
    assert ok.status_code == 200
    assert client.get("/registry", params={"digest": DIGEST}).status_code == 200
    assert client.get("/registry", headers={"If-Match": "*"}).status_code == 200
    other = "sha256:" + "0" * 64
    for r in (client.get("/state/us-ofac-belavia-sdn", params={"on": "2025-09-20"}, headers={"If-Match": f'"{other}"'}),
              client.get("/state/us-ofac-belavia-sdn", params={"on": "2025-09-20", "digest": other})):
        assert r.status_code == 412
        err = r.json()["error"]
        assert (err["served_digest"], err["requested_digest"]) == (DIGEST, other)
        assert r.headers["etag"] == f'"{DIGEST}"'


# -- receipts ----------------------------------------------------------------------------


def _verify(tmp_path: Path, doc: dict, *extra: str, key: bytes = KEY) -> tuple[int, str]:
    rp = tmp_path / "receipt.json"
    rp.write_text(json.dumps(doc), encoding="utf-8")
    kp = tmp_path / "key"
    kp.write_bytes(key)
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["verify-receipt", str(rp), "--receipt-key-file", str(kp), *extra])
    return code, (out.getvalue() + err.getvalue()).strip()


def test_receipt_confirmed_and_tampering_refuted(client, tmp_path) -> None:
    doc = get(client, "/in-force", on="2025-12-20", target="Belaruskali", authority="US-OFAC")
    rc = doc["receipt"]
    assert rc["registry"]["digest"] == DIGEST and rc["command"] == "in-force"
    assert rc["query"] == doc["query"]
    assert rc["signature"].startswith("hmac-sha256:")
    code, line = _verify(tmp_path, doc)
    assert code == 0 and line.startswith("confirmed: in-force on=2025-12-20") and "\n" not in line
    code, line = _verify(tmp_path, rc)  # the receipt alone does too
    assert code == 0

    forged = dict(rc, query=dict(rc["query"], on="2025-12-01"))  # a changed question, old signature
    code, line = _verify(tmp_path, forged)
    assert code == 1 and line.startswith("refuted: signature does not match")
    code, line = _verify(tmp_path, rc, key=b"x" * 32)  # another key
    assert code == 1 and "signature does not match" in line


def test_receipt_of_empty_answer_proves_nothing_in_force(client, tmp_path) -> None:
    """'On that data version, for that date, nothing was in force' — checked after the fact."""
    r = client.post("/screen", json={"queries": [{"measure": "us-ofac-belavia-sdn", "on": "2025-12-01"}]})
    doc = r.json()
    assert doc["result"][0]["hit"] is False
    code, line = _verify(tmp_path, doc)
    assert code == 0 and "of 1 question" in line


def test_receipt_refuted_by_another_registry_or_answer(client, tmp_path) -> None:
    doc = get(client, "/in-force", on="2025-12-20", target="Belaruskali")
    rc = doc["receipt"]
    # a receipt re-signed by someone holding the key, but with another answer hash: the re-run refutes it
    from sanctrack.server._receipts import sign

    lie = dict(rc, answer_sha256="0" * 64)
    lie["signature"] = sign(lie, KEY)
    code, line = _verify(tmp_path, lie)
    assert code == 1 and line.startswith("refuted: the answer to in-force")
    # the right receipt against another registry version: refuted by digest
    other = tmp_path / "other"
    shutil.copytree(REPO / "registry", other)
    _set_version(other, "2099.01.01")
    code, line = _verify(tmp_path, doc, "--registry", str(other))
    assert code == 1 and "is not the receipt's" in line


def test_receipt_needs_a_key(tmp_path) -> None:
    with serving(create_app(Served(sanctrack.load))) as url:
        r = httpx.get(url + "/in-force", params={"on": "2025-12-20", "receipt": "true"})
        assert r.status_code == 409 and "receipts are not enabled" in r.json()["error"]["message"]
        assert "receipt" not in httpx.get(url + "/in-force", params={"on": "2025-12-20"}).json()


def test_audit_log_records_every_receipt_and_rotates(tmp_path) -> None:
    log = tmp_path / "audit.jsonl"
    audit = AuditLog(str(log), max_bytes=4000, backups=3)
    with serving(create_app(Served(sanctrack.load), receipt_key=KEY, audit=audit)) as url, \
            httpx.Client(base_url=url) as c:
        receipts = [c.get("/in-force", params={"on": f"2025-12-{d:02d}", "target": "Belaruskali"}).json()["receipt"]
                    for d in range(1, 21)]
        receipts.append(c.post("/screen", json={"queries": [{"target": "Belavia", "on": "2025-12-01"}]})
                        .json()["receipt"])
    audit.close()
    files = sorted(tmp_path.glob("audit.jsonl*"))
    assert len(files) > 1  # rotated
    lines = [json.loads(x) for f in files for x in f.read_text(encoding="utf-8").splitlines()]
    assert sorted(x["signature"] for x in lines) == sorted(x["signature"] for x in receipts)


# -- reload ----------------------------------------------------------------------------------


def _dir_loader(root: Path):
    return lambda: sanctrack.load(str(root))


def test_reload_under_load_loses_no_request(tmp_path) -> None:
    root = tmp_path / "reg"
    shutil.copytree(REPO / "registry", root)
    served = Served(_dir_loader(root))
    first = served.current.registry.digest
    assert first == DIGEST
    results: list[tuple[int, str, str]] = []
    failures: list[BaseException] = []
    stop = threading.Event()
    with serving(create_app(served)) as url:
        def hammer() -> None:
            try:
                with httpx.Client(base_url=url, timeout=30) as c:
                    while not stop.is_set():
                        r = c.get("/state/us-ofac-belavia-sdn", params={"on": "2025-09-20"})
                        results.append((r.status_code, r.headers["etag"].strip('"'),
                                        r.json()["registry"]["digest"]))
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        digests = [first]
        with httpx.Client(base_url=url, timeout=60) as admin:
            for i in range(3):
                _set_version(root, f"2026.12.0{i + 1}")
                r = admin.post("/admin/reload")
                assert r.status_code == 200, r.text
                assert r.json()["old_digest"] == digests[-1]
                digests.append(r.json()["digest"])
            # an invalid registry is refused; the old one keeps serving
            (root / "measures" / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
            r = admin.post("/admin/reload")
            assert r.status_code == 422 and "new registry refused, still serving" in r.json()["error"]["message"]
            assert admin.get("/registry").json()["registry"]["digest"] == digests[-1]
        stop.set()
        for t in threads:
            t.join()
    assert not failures
    assert len(set(digests)) == 4
    assert len(results) > 20
    assert all(code == 200 for code, _, _ in results)
    assert all(etag == body for _, etag, body in results)  # one data version per answer
    assert {etag for _, etag, _ in results} <= set(digests)


def _set_version(root: Path, version: str) -> None:
    p = root / "registry.yaml"
    p.write_text(re.sub(r'version: "[^"]*"', f'version: "{version}"', p.read_text(encoding="utf-8"), count=1),
                 encoding="utf-8")


# -- auth and binding ---------------------------------------------------------------------


def test_bearer_token(tmp_path) -> None:
    token = "t" * 24
    with serving(create_app(Served(sanctrack.load), token=token)) as url:
        r = httpx.get(url + "/registry")
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert httpx.get(url + "/registry", headers={"Authorization": "Bearer " + "x" * 24}).status_code == 401
        assert httpx.get(url + "/registry", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_serve_refuses_a_public_bind_without_token(capsys) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "refusing to serve on non-loopback '0.0.0.0' without a bearer token" in capsys.readouterr().err
    assert main(["serve", "--known", "2025-01-01"]) == 2


# -- what never reaches a client, and what stays out of the core ---------------------------


def test_a_bug_is_a_one_line_500_without_traceback(monkeypatch) -> None:
    import attrs

    from sanctrack.server import _answers

    def boom(reg, args):
        raise ZeroDivisionError("secret internals")

    monkeypatch.setitem(_answers.BY_COMMAND, "state", attrs.evolve(_answers.BY_COMMAND["state"], run=boom))
    with serving(create_app(Served(sanctrack.load))) as url:
        r = httpx.get(url + "/state/us-ofac-belavia-sdn", params={"on": "2025-09-20"})
    assert r.status_code == 500
    assert r.json() == {"error": {"status": 500, "type": "InternalError",
                                  "message": "internal error: ZeroDivisionError"}}
    assert "Traceback" not in r.text and "secret" not in r.text


def test_reload_refused_from_a_non_loopback_client() -> None:
    import asyncio

    async def ask() -> httpx.Response:  # the app called as from 10.1.2.3 (no real non-loopback interface here)
        transport = httpx.ASGITransport(app=create_app(Served(sanctrack.load)), client=("10.1.2.3", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://sanctrack") as c:
            return await c.post("/admin/reload")

    r = asyncio.run(ask())
    assert r.status_code == 403 and "loopback interface only" in r.json()["error"]["message"]


def test_the_core_and_the_cli_parser_do_not_import_the_server_stack() -> None:
    import subprocess
    import sys

    code = ("import sys, sanctrack, sanctrack.cli; sanctrack.cli.build_parser(); "
            "sanctrack.load().state('us-ofac-belavia-sdn', '2025-09-20'); "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'sanctrack.server._app') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_receipt_of_the_audit_replay(client, tmp_path) -> None:
    """As known on 2025-10-01 Belavia's SDN measure was still relieved on 2025-11-10; the receipt keeps `known`."""
    doc = get(client, "/in-force", on="2025-11-10", known="2025-10-01", authority="US-OFAC", target="Belavia")
    assert [(s["measure"], s["status"]) for s in doc["result"]] == [("us-ofac-belavia-sdn", "relieved")]
    assert doc["receipt"]["query"]["known"] == "2025-10-01"
    assert _verify(tmp_path, doc)[0] == 0
    now = get(client, "/in-force", on="2025-11-10", authority="US-OFAC", target="Belavia")
    assert now["result"] == []  # lifted on 2025-11-04, as known today: an empty answer, with its receipt
    code, line = _verify(tmp_path, now)
    assert code == 0 and line.startswith("confirmed: in-force on=2025-11-10 authority=US-OFAC target=Belavia")


def test_a_trailing_slash_is_a_404_not_a_redirect(client) -> None:
    # found by the OpenAPI property test: Starlette answered 307 to /history/0 (undeclared)
    r = client.get("/history/us-ofac-belavia-sdn/", follow_redirects=False)
    assert r.status_code == 404
    assert r.json()["error"]["message"] == "no endpoint /history/us-ofac-belavia-sdn/: see /openapi.json"
