"""``sanctrack fetch`` over loopback: what the safety costs against a bare download.

    python benchmarks/bench_fetch.py [--data ../shared/data/real-sanctions] [--repeat 7]

A ``http.server`` on 127.0.0.1 serves the real list files (with ETag and
Last-Modified). For each file it times, as medians of ``--repeat`` runs:

* **bare** — ``urllib`` reading the body into memory (the floor);
* **bare + sha256 + write** — the same, hashed and written to a file (no fsync);
* **fetch, stored** — ``sanctrack.fetch.fetch`` into an empty directory: stream to a
  temporary file, sha256, Content-Length and shape checks, fsync, rename, sidecar;
* **fetch, 304** — the second fetch (conditional GET answered ``304``);
* **fetch, unchanged** — a server that ignores the validators: the whole body again,
  found identical by sha256 and not stored.

Numbers are printed (MB/s of the file's size); nothing is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sanctrack import fetch as F  # noqa: E402

FILES = (
    ("un", "un_consolidated_2026-02-27.xml"),
    ("ofac-advanced", "ofac_cons_advanced_2020-03-17.xml"),
    ("eu-fsf", "eu_fsf_v1_legacy_2016-02-11.xml"),
    ("ofac-sdn", "ofac_sdn_2024-05-03.csv"),
)


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = self.server.bodies[self.path]  # type: ignore[attr-defined]
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        honour = self.server.honour  # type: ignore[attr-defined]
        if honour and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", "Fri, 03 May 2024 18:43:23 GMT")
        self.end_headers()
        self.wfile.write(body)


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "real-sanctions"))
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    os.environ["no_proxy"] = os.environ["NO_PROXY"] = "127.0.0.1"
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.bodies = {}  # type: ignore[attr-defined]
    srv.honour = True  # type: ignore[attr-defined]
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    print(f"Python {sys.version.split()[0]}, loopback, medians of {args.repeat} runs\n")
    print("| file | size | bare | bare + sha256 + write | fetch, stored | fetch, 304 | fetch, unchanged |")
    print("|---|---|---|---|---|---|---|")
    for list_name, name in FILES:
        path = Path(args.data) / name
        if not path.is_file():
            print(f"| {name} | missing | | | | | |")
            continue
        body = path.read_bytes()
        srv.bodies["/" + name] = body  # type: ignore[attr-defined]
        url = base + "/" + name
        mb = len(body) / 1e6

        def bare() -> None:
            with urllib.request.urlopen(url) as r:
                r.read()

        def bare_write() -> None:
            with tempfile.TemporaryDirectory() as d, urllib.request.urlopen(url) as r, \
                    open(os.path.join(d, "x"), "wb") as out:
                h = hashlib.sha256()
                while chunk := r.read(1 << 16):
                    h.update(chunk)
                    out.write(chunk)

        def stored() -> None:
            with tempfile.TemporaryDirectory() as d:
                assert F.fetch(list_name, d, url=url).outcome == "stored"

        work = tempfile.mkdtemp()
        F.fetch(list_name, work, url=url)

        def not_modified() -> None:
            assert F.fetch(list_name, work, url=url).outcome == "not-modified"

        def unchanged() -> None:
            srv.honour = False  # type: ignore[attr-defined]
            try:
                assert F.fetch(list_name, work, url=url).outcome == "unchanged"
            finally:
                srv.honour = True  # type: ignore[attr-defined]

        cells = []
        for fn in (bare, bare_write, stored):
            t = _median(fn, args.repeat)
            cells.append(f"{t * 1e3:.1f} ms ({mb / t:,.0f} MB/s)")
        cells.append(f"{_median(not_modified, args.repeat) * 1e3:.1f} ms")
        t = _median(unchanged, args.repeat)
        cells.append(f"{t * 1e3:.1f} ms ({mb / t:,.0f} MB/s)")
        print(f"| {name} | {len(body):,} B | " + " | ".join(cells) + " |")
    srv.shutdown()


if __name__ == "__main__":
    main()
