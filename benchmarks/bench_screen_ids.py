"""Screening ids read from a file: sanctrack vs DuckDB ``ASOF JOIN`` vs Polars ``join_asof``.

Builds the synthetic registry (``--size``: 10k, 100k or 1m transitions, a
tenth as many measures), writes ``--pairs`` random (measure id, date) pairs to
a CSV file and reads them back, so every id is a fresh string object equal to
the registry's (what a bank screens), and every date a fresh ``date``. Each
engine is then timed from those same Python lists, its conversion inside the
timing:

* sanctrack ``Registry.screen(ids, dates)``: pure Python, numpy (ids by
  dictionary), numpy + pyarrow (the default with both installed), and from a
  pyarrow and a numpy string array of the ids;
* DuckDB ``ASOF JOIN`` (the pairs registered as a pyarrow table made from the
  lists), fetching the per-pair verdict column;
* Polars ``join_asof`` by measure (the frame made from the lists, sorted by
  date), the per-pair verdict column.

Prints the machine line, M pairs/s per engine and the ratios vs DuckDB and
Polars, and checks every engine finds the same number of pairs in force.

    python benchmarks/bench_screen_ids.py --size 1m
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import gc
import os
import platform
import random
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synth import generate

import sanctrack
from sanctrack import Registry
from sanctrack._index import accel

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
END = _dt.date(9999, 12, 31)


def best(f: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The best of ``repeat`` timings of ``f()`` and its last result."""
    times = []
    out = None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return min(times), out


def machine_line() -> str:
    versions = [f"Python {platform.python_version()}", f"sanctrack {sanctrack.__version__}"]
    for name in ("numpy", "pyarrow", "duckdb", "polars"):
        try:
            versions.append(f"{name} {__import__(name).__version__}")
        except ImportError:
            versions.append(f"{name} absent")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, load {load:.1f} at start; " + \
        ", ".join(versions)


def pairs_from_file(ids: list[str], n: int, seed: int) -> tuple[list[str], list[_dt.date]]:
    """``n`` random (id, date) pairs written to a CSV file and read back: fresh strings and dates."""
    rnd = random.Random(seed)
    lo, hi = _dt.date(2000, 1, 1).toordinal(), _dt.date(2026, 6, 30).toordinal()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pairs.csv"
        with path.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(("target", "date"))
            for _ in range(n):
                w.writerow((ids[rnd.randrange(len(ids))], _dt.date.fromordinal(rnd.randint(lo, hi)).isoformat()))
        with path.open(newline="") as f:
            rows = list(csv.reader(f))[1:]
    return [r[0] for r in rows], [_dt.date.fromisoformat(r[1]) for r in rows]


def run_rows(reg: Registry) -> tuple[list[str], list[_dt.date], list[_dt.date], list[bool]]:
    """Every state run: measure, valid from, valid to, in force (what a database would hold)."""
    m_, vf, vt, live = [], [], [], []
    for m in reg.measures:
        for v in reg.history(m.id):
            m_.append(m.id)
            vf.append(v.valid.start)
            vt.append(v.valid.end if v.valid.end is not None else END)
            live.append(bool(v.in_force))
    return m_, vf, vt, live


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", default="1m", choices=sorted(SIZES), help="transitions (default 1m)")
    p.add_argument("--pairs", type=int, default=1_000_000, help="pairs screened (default 1,000,000)")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    print(machine_line(), flush=True)
    t0 = time.perf_counter()
    synth = generate(SIZES[a.size], a.seed)
    reg = Registry.build(**synth.kwargs())
    print(f"{len(synth.transitions):,} transitions, {len(synth.measures):,} measures "
          f"(built in {time.perf_counter() - t0:.1f} s); {a.pairs:,} pairs", flush=True)
    ids = [m.id for m in synth.measures]
    qs, ds = pairs_from_file(ids, a.pairs, a.seed + 1)
    n = len(qs)
    rows: list[tuple[str, float, int]] = []  # engine, seconds, pairs in force

    def add(name: str, sec: float, count: int) -> None:
        rows.append((name, sec, count))
        print(f"  {name:58s} {sec * 1e3:8.1f} ms  {n / sec / 1e6:6.2f} M pairs/s  ({count:,} in force)", flush=True)

    reg.screen(qs[:2000], ds[:2000])  # the screening index, built once (not timed)
    saved_np, saved_arrow = accel.numpy, accel.arrow
    try:
        accel.numpy = None
        sec, out = best(lambda: reg.screen(qs, ds), max(2, a.repeat // 2))  # the first builds the flips
        add("sanctrack pure Python, lists", sec, sum(out.hits))
        accel.numpy = saved_np
        if saved_np is not None:
            accel.arrow = None
            sec, out = best(lambda: reg.screen(qs, ds), a.repeat)
            add("sanctrack numpy, ids by dictionary, lists", sec, sum(out.hits))
            accel.arrow = saved_arrow
        sec, out = best(lambda: reg.screen(qs, ds), a.repeat)
        add("sanctrack default (numpy + pyarrow if installed), lists", sec, sum(out.hits))
        if saved_arrow is not None:
            pyarrow = saved_arrow[0]
            sec, out = best(lambda: reg.screen(pyarrow.array(qs, type=pyarrow.string()), ds), a.repeat)
            add("sanctrack, pyarrow string array made from the list", sec, sum(out.hits))
            arr = pyarrow.array(qs, type=pyarrow.string())
            sec, out = best(lambda: reg.screen(arr, ds), a.repeat)
            add("sanctrack, a pyarrow string array (made beforehand)", sec, sum(out.hits))
        if saved_np is not None:
            nq = saved_np.array(qs)
            sec, out = best(lambda: reg.screen(nq, ds), a.repeat)
            add("sanctrack, a numpy string array (made beforehand)", sec, sum(out.hits))
    finally:
        accel.numpy, accel.arrow = saved_np, saved_arrow
    ours = min(s for name, s, _ in rows if name.startswith("sanctrack default"))

    m_, vf, vt, live = run_rows(reg)
    peers: dict[str, float] = {}
    try:
        import duckdb
        import pyarrow as pa
    except ImportError:
        print("  DuckDB or pyarrow absent: no DuckDB row")
    else:
        db = duckdb.connect()
        db.register("runs_t", pa.table({"measure": m_, "vf": pa.array(vf, pa.date32()),
                                        "vt": pa.array(vt, pa.date32()), "live": live}))
        db.execute("CREATE TABLE runs AS SELECT * FROM runs_t ORDER BY measure, vf")
        db.unregister("runs_t")

        def duck() -> Any:
            db.register("pairs", pa.table({"m": pa.array(qs, pa.string()), "d": pa.array(ds, pa.date32())}))
            r = db.execute("SELECT (r.live AND p.d < r.vt) AS hit FROM pairs p ASOF JOIN runs r "
                           "ON p.m = r.measure AND p.d >= r.vf").fetchnumpy()
            db.unregister("pairs")
            return r

        sec, out = best(duck, a.repeat)
        peers["DuckDB"] = sec
        add("DuckDB ASOF JOIN from the lists (pyarrow table), fetchnumpy", sec, int(out["hit"].sum()))
    try:
        import polars as pl
    except ImportError:
        print("  Polars absent: no Polars row")
    else:
        runs_pl = pl.DataFrame({"m": m_, "vf": vf, "vt": vt, "live": live}).sort("vf")

        def polars() -> Any:
            left = pl.DataFrame({"m": qs, "d": ds}).sort("d")
            with warnings.catch_warnings():  # "sortedness cannot be checked" with by=: both are sorted
                warnings.simplefilter("ignore")
                j = left.join_asof(runs_pl, left_on="d", right_on="vf", by="m", strategy="backward")
                return j.select((pl.col("live") & (pl.col("d") < pl.col("vt"))).fill_null(False).alias("hit"))

        sec, out = best(polars, a.repeat)
        peers["Polars"] = sec
        add("Polars join_asof from the lists, by measure", sec, int(out["hit"].sum()))

    counts = {c for _, _, c in rows}
    print(f"answers agree: {'yes' if len(counts) == 1 else 'NO ' + str(sorted(counts))}")
    for peer, sec in peers.items():
        ratio = sec / ours
        print(f"sanctrack default vs {peer}: {ratio:.2f}x (target >= 2x: {'met' if ratio >= 2 else 'missed'})")
    for name, sec, _ in rows:
        if name.startswith("sanctrack") and "array" in name:
            print(f"{name}: " + ", ".join(f"{s / sec:.2f}x {peer}" for peer, s in peers.items()))
    return 0 if len(counts) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
