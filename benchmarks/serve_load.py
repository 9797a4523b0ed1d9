"""Load test of ``sanctrack serve`` on 127.0.0.1, beside the same questions asked in-process.

For each registry (the bundled one, and a seeded synthetic one of ~N
transitions from ``synth.py``) a server (the real application on uvicorn) is
forked into its own process, and client processes (1, then 8) each send
requests one after another over one keep-alive connection (``http.client``):

* ``GET /state/{measure}?on=`` — random measure, random date;
* ``POST /screen`` with batches of 1,000 ``{measure, on}`` questions.

It reports requests/s and p50/p99 latency, and beside them the in-process
time of the same question: the engine alone (``reg.state`` / ``reg.screen``)
and the whole answer (the JSON document built as the server builds it). The
HTTP-overhead ratio is the p50 latency at one client over the engine's time.

Bounded: a fixed number of requests per client, and ``--seconds`` per
measurement. Loopback only::

    python benchmarks/serve_load.py                       # bundled + 1M synthetic
    python benchmarks/serve_load.py --sizes 0 --requests 500
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import socket
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sanctrack
from sanctrack import Registry
from sanctrack.server import answer, create_app
from sanctrack.server._app import Served

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _serve(reg: Registry, port: int) -> None:  # in the forked server process
    import uvicorn

    app = create_app(Served(lambda: reg))
    uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False, lifespan="off")


def _wait(port: int, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _client(args: tuple[int, list[tuple[str, str, bytes | None]], float]) -> list[float]:
    port, reqs, seconds = args
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    lat = []
    stop = time.monotonic() + seconds
    for method, path, body in reqs:
        t = time.perf_counter()
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        lat.append(time.perf_counter() - t)
        if r.status != 200:
            raise RuntimeError(f"{method} {path[:80]}: {r.status} {data[:200]!r}")
        if time.monotonic() > stop:
            break
    conn.close()
    return lat


def _load(port: int, make: Any, clients: int, per_client: int, seconds: float) -> dict[str, float]:
    work = [(port, [make() for _ in range(per_client)], seconds) for _ in range(clients)]
    with mp.get_context("fork").Pool(clients) as pool:
        pool.map(_client, [(port, w[1][:3], seconds) for w in work])  # warm-up, connections made
        t0 = time.perf_counter()
        lats = pool.map(_client, work)
        wall = time.perf_counter() - t0
    all_lat = sorted(x for lat in lats for x in lat)
    n = len(all_lat)
    return {"n": n, "rps": n / wall, "p50": all_lat[n // 2], "p99": all_lat[min(n - 1, int(n * 0.99))]}


def _inproc(fn: Any, reps: int) -> float:
    fn()
    best = []
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(reps):
            fn()
        best.append((time.perf_counter() - t) / reps)
    return min(best)


def run(name: str, reg: Registry, args: argparse.Namespace) -> list[str]:
    ids = [m.id for m in reg.measures]
    rnd = random.Random(7)
    lo, hi = sanctrack.parse_date("2000-01-01").toordinal(), sanctrack.parse_date("2026-06-30").toordinal()

    def day() -> str:
        return sanctrack.parse_date("2000-01-01").fromordinal(rnd.randint(lo, hi)).isoformat()

    def state_req() -> tuple[str, str, None]:
        return ("GET", f"/state/{rnd.choice(ids)}?on={day()}", None)

    def screen_body() -> dict[str, Any]:
        return {"queries": [{"measure": rnd.choice(ids), "on": day()} for _ in range(1000)]}

    def screen_req() -> tuple[str, str, bytes]:
        return ("POST", "/screen", json.dumps(screen_body()).encode())

    # in-process: the engine alone, and the whole answer as the server builds it (without HTTP)
    qs = [(rnd.choice(ids), day()) for _ in range(2000)]
    it = iter(qs * 1000)
    engine_state = _inproc(lambda: reg.state(*next(it)), 2000)
    answer_state = _inproc(lambda: json.dumps(answer(reg, "state", dict(zip(("measure", "on"), next(it))))), 2000)
    body = screen_body()
    pairs = [(q["measure"], q["on"]) for q in body["queries"]]
    engine_screen = _inproc(lambda: reg.screen(pairs), 20)
    answer_screen = _inproc(lambda: json.dumps(answer(reg, "screen", body)), 10)

    port = _free_port()
    server = mp.get_context("fork").Process(target=_serve, args=(reg, port), daemon=True)
    server.start()
    rows = []
    try:
        _wait(port)
        for label, make, engine, whole, per in (
                ("GET /state", state_req, engine_state, answer_state, args.requests),
                ("POST /screen ×1,000", screen_req, engine_screen, answer_screen, max(args.requests // 40, 10))):
            for c in (1, 8):
                r = _load(port, make, c, per if c == 1 else max(per // 4, 5), args.seconds)
                ratio = r["p50"] / engine
                rows.append(f"| {name} | {label} | {c} | {r['n']:,} | {r['rps']:,.0f} | {r['p50'] * 1e3:.2f} | "
                            f"{r['p99'] * 1e3:.2f} | {engine * 1e3:.3f} | {whole * 1e3:.3f} | {ratio:,.0f}× |")
                print(rows[-1], flush=True)
    finally:
        server.terminate()
        server.join(10)
    return rows


HEADER = ("| registry | request | clients | requests | req/s | p50 ms | p99 ms | engine in-process ms | "
          "answer in-process ms | p50 / engine |\n|---|---|---|---|---|---|---|---|---|---|")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="0,1000000", help="0 = the bundled registry, else synthetic transitions")
    p.add_argument("--requests", type=int, default=2000, help="GET /state requests per client at 1 client")
    p.add_argument("--seconds", type=float, default=60, help="stop a client after this long")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    print(f"# {os.cpu_count()} cores, Python {sys.version.split()[0]}, sanctrack {sanctrack.__version__}")
    print(HEADER, flush=True)
    for size in (int(x) for x in args.sizes.split(",")):
        if size == 0:
            reg = sanctrack.load()
            name = f"bundled ({len(reg.transitions):,} transitions)"
        else:
            from synth import generate

            t = time.perf_counter()
            synth = generate(size, args.seed)
            reg = Registry.build(**synth.kwargs())
            name = f"synthetic ({len(synth.transitions):,} transitions)"
            print(f"# built {name} in {time.perf_counter() - t:.0f} s", flush=True)
        run(name, reg, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
