"""`sanctrack serve` as a process: the real command on 127.0.0.1, reloaded by SIGHUP."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

import sanctrack  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="SIGHUP is POSIX only")


def _until(check, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
            if value:
                return value
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def test_serve_command_sighup_reload_receipts_and_audit_log(tmp_path: Path) -> None:
    root = tmp_path / "reg"
    shutil.copytree(REPO / "registry", root)
    key = tmp_path / "key"
    key.write_text("a-receipt-key-of-32-bytes-000000\n", encoding="utf-8")
    log = tmp_path / "audit.jsonl"
    env = {k: v for k, v in os.environ.items() if k not in ("SANCTRACK_RECEIPT_KEY", "SANCTRACK_TOKEN")}
    proc = subprocess.Popen([sys.executable, "-m", "sanctrack", "serve", "--registry", str(root), "--port",
                             "0", "--receipt-key-file", str(key), "--audit-log", str(log)],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env, cwd=tmp_path)
    try:
        line = proc.stderr.readline()  # the command says where it listens once it does
        m = re.match(r"sanctrack: serving belarus (sha256:[0-9a-f]{64}) "
                     r"on (http://127\.0\.0\.1:\d+) \(receipts signed\)", line)
        assert m, line
        url = m.group(2)
        first = _until(lambda: httpx.get(url + "/registry").json()["registry"]["digest"])
        assert first == m.group(1)
        assert first == sanctrack.load().digest
        doc = httpx.get(url + "/in-force", params={"on": "2025-12-20", "target": "Belaruskali"}).json()
        assert doc["receipt"]["registry"]["digest"] == first

        p = root / "registry.yaml"
        p.write_text(re.sub(r'version: "[^"]*"', 'version: "2027.01.01"', p.read_text(encoding="utf-8")),
                     encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        second = _until(lambda: (d := httpx.get(url + "/registry").json()["registry"]["digest"]) != first and d)
        assert second == sanctrack.load(str(root)).digest

        (root / "measures" / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        time.sleep(1.5)
        assert httpx.get(url + "/registry").json()["registry"]["digest"] == second  # the old one keeps serving
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert f"reloaded: {first} -> {second}" in err
    assert f"reload refused, still serving {second}" in err
    assert "Traceback" not in err
    # the audit log holds the receipt; verify-receipt confirms it against the first registry (the bundled one)
    (line,) = log.read_text(encoding="utf-8").splitlines()
    assert json.loads(line) == doc["receipt"]
    rp = tmp_path / "r.json"
    rp.write_text(line, encoding="utf-8")
    ok = subprocess.run([sys.executable, "-m", "sanctrack", "verify-receipt", str(rp), "--receipt-key-file",
                         str(key)], capture_output=True, text=True, env=env)
    assert ok.returncode == 0 and ok.stdout.startswith("confirmed: in-force on=2025-12-20")
    (root / "measures" / "broken.yaml").unlink()
    no = subprocess.run([sys.executable, "-m", "sanctrack", "verify-receipt", str(rp), "--receipt-key-file",
                         str(key), "--registry", str(root)], capture_output=True, text=True, env=env)
    assert no.returncode == 1
    assert no.stdout == f"refuted: registry digest {second} is not the receipt's {first}\n"
