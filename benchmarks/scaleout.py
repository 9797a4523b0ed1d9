"""Scale-out benchmark: 10^6, 10^7, 10^8 (measure, date) pairs against the 1M-transition synthetic registry.

Engines (each in a process of its own, sizes in ascending order, so the peak RSS read after a
size is that size's peak): sanctrack ``screen`` in pure Python and with numpy, and the
``sanctrack screen PAIRS.parquet -o OUT.parquet`` command's code (file to file, in chunks); DuckDB (range join
and ASOF JOIN over Parquet); Polars (``join_asof`` backward by measure over Parquet); Spark SQL on
``local[2]`` (broadcast range join over Parquet; and the same join without the broadcast, a
sort-merge join that shuffles both sides by measure, to measure what a shuffle costs). Every engine
answers the same pairs, written once to Parquet; the hit counts of all engines are compared with
sanctrack's, and the statuses of a fixed sample of 2,000 pairs are compared with ``Registry.screen``
pair by pair.

The interval table the engines join is the registry's current belief (``recorded_to IS NULL``
rows of the interval table: measure, valid_from, valid_to, status, in_force), built from
``Registry.history`` per measure, written as Parquet with the export's types.

Timings: engines from the Parquet files to the hit count (scan, join, aggregate); sanctrack from
the pairs in memory (the registry's id strings and the dates; reading them from Parquet is
reported apart as ``load``). Peak RSS is the whole process tree (the JVM for Spark), sampled
every 0.25 s from /proc. Each result carries the machine's 1-minute load average when it ended.

    python benchmarks/scaleout.py --sizes 1e6,1e7,1e8 --work /tmp/scaleout   # writes scaleout.json
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
N_TRANSITIONS = 1_000_000
SEED = 7
SAMPLE = 2000
ENGINES = ("sanctrack-pure", "sanctrack-numpy", "sanctrack-screen-cmd", "duckdb-range", "duckdb-asof", "polars-asof",
           "spark-range", "spark-shuffle")


# -- data ------------------------------------------------------------------------------------------


def build_registry() -> Any:
    sys.path.insert(0, str(HERE))
    import synth

    from sanctrack import Registry

    s = synth.generate(N_TRANSITIONS, SEED)
    return Registry.build(**s.kwargs())


def prepare(work: Path, sizes: list[int]) -> None:
    """The interval table (current belief) and one Parquet file of pairs per size."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    work.mkdir(parents=True, exist_ok=True)
    if not (work / "intervals.parquet").exists():
        t = time.perf_counter()
        reg = build_registry()
        cols: dict[str, list] = {"measure": [], "valid_from": [], "valid_to": [], "status": [], "in_force": []}
        for m in reg.measures:
            for v in reg.history(m.id).versions:
                cols["measure"].append(m.id)
                cols["valid_from"].append(v.valid.start)
                cols["valid_to"].append(v.valid.end)
                cols["status"].append(None if v.status is None else str(v.status))
                cols["in_force"].append(v.in_force)
        table = pa.table({"measure": pa.array(cols["measure"], pa.string()),
                          "valid_from": pa.array(cols["valid_from"], pa.date32()),
                          "valid_to": pa.array(cols["valid_to"], pa.date32()),
                          "status": pa.array(cols["status"], pa.string()),
                          "in_force": pa.array(cols["in_force"], pa.bool_())})
        pq.write_table(table, work / "intervals.parquet")
        (work / "measures.json").write_text(json.dumps([m.id for m in reg.measures]))
        print(f"interval table: {table.num_rows:,} rows of {len(reg.measures):,} measures "
              f"({time.perf_counter() - t:.0f} s with the registry)", flush=True)
    ids = pa.array(json.loads((work / "measures.json").read_text()), pa.string())
    lo, hi = _dt.date(1999, 1, 1), _dt.date(2027, 12, 31)
    epoch = _dt.date(1970, 1, 1)
    for n in sizes:
        path = work / f"pairs-{n}.parquet"
        if path.exists():
            continue
        rng = np.random.default_rng(n)
        schema = pa.schema([("id", pa.int64()), ("measure", pa.string()), ("date", pa.date32())])
        with pq.ParquetWriter(path, schema) as w:
            step = 10_000_000
            for start in range(0, n, step):
                k = min(step, n - start)
                ranks = rng.integers(0, len(ids), k)
                days = rng.integers((lo - epoch).days, (hi - epoch).days, k).astype("int32")
                w.write_table(pa.table({"id": pa.array(np.arange(start, start + k), pa.int64()),
                                        "measure": ids.take(pa.array(ranks)),
                                        "date": pa.array(days, pa.int32()).cast(pa.date32())}, schema=schema))
        print(f"pairs: {n:,} -> {path}", flush=True)


# -- engines (run in a child process) ---------------------------------------------------------------


def run_engine(engine: str, work: Path, sizes: list[int], timeout: float) -> list[dict[str, Any]]:
    out = []
    state: dict[str, Any] = {}
    for n in sizes:
        pairs = str(work / f"pairs-{n}.parquet")
        t0 = time.perf_counter()
        try:
            res = ENGINE_FUNCS[engine](state, work, pairs, n)
        except MemoryError:
            out.append({"engine": engine, "n": n, "error": "MemoryError"})
            break
        res.update(engine=engine, n=n, loadavg=round(os.getloadavg()[0], 1))  # the machine's 1-minute load after
        print(json.dumps(res), flush=True)
        out.append(res)
        if time.perf_counter() - t0 > timeout:
            print(json.dumps({"engine": engine, "stopped_after": n, "reason": f"one size took > {timeout:.0f} s"}),
                  flush=True)
            break
    return out


def _sample_ids(n: int) -> list[int]:
    import numpy as np

    return sorted(np.random.default_rng(25).choice(n, size=min(SAMPLE, n), replace=False).tolist())


def _sanctrack(state: dict[str, Any], work: Path, pairs: str, n: int, numpy_path: bool) -> dict[str, Any]:
    import numpy as np
    import pyarrow.parquet as pq

    from sanctrack._index import accel as _fast

    if "reg" not in state:
        t = time.perf_counter()
        state["reg"] = reg = build_registry()
        if not numpy_path:
            _fast.numpy = None  # the pure-Python path
        ids = [m.id for m in reg.measures]  # warm: the screening indexes of every measure built once
        reg.screen(ids, [_dt.date(2020, 1, 1)] * len(ids))
        state["build"] = time.perf_counter() - t
    reg = state["reg"]
    own = {m.id: m.id for m in reg.measures}
    t = time.perf_counter()
    table = pq.read_table(pairs, read_dictionary=["measure"])
    col = table.column("measure").combine_chunks()
    lookup = [own[s] for s in col.dictionary.to_pylist()]  # the registry's own id strings
    queries = list(map(lookup.__getitem__, col.indices.to_numpy().tolist()))
    dates_np = table.column("date").to_numpy()
    del table, col
    if numpy_path:
        dates: Any = dates_np.astype("datetime64[D]")
    else:
        ords = dates_np.astype("datetime64[D]").astype("int64")
        pool = {int(o): _dt.date(1970, 1, 1) + _dt.timedelta(days=int(o)) for o in np.unique(ords)}
        dates = list(map(pool.__getitem__, ords.tolist()))
    load = time.perf_counter() - t
    t = time.perf_counter()
    s = reg.screen(queries, dates)
    hits = s.hits
    sec = time.perf_counter() - t
    n_hits = int(sum(hits))
    sample = {}
    for i in _sample_ids(n):
        sample[i] = str(s[i].states[0].status) if hits[i] else None
    del queries, dates, s, hits
    return {"seconds": sec, "load": load, "hits": n_hits, "sample": sample, "build": state["build"]}


def _screen_command(state: dict[str, Any], work: Path, pairs: str, n: int) -> dict[str, Any]:
    """``sanctrack screen PAIRS.parquet -o OUT.parquet`` (its code, in this process): file to file, in chunks."""
    import pyarrow.parquet as pq

    from sanctrack._screen_file import screen_file

    if "reg" not in state:
        t = time.perf_counter()
        state["reg"] = reg = build_registry()
        ids = [m.id for m in reg.measures]
        reg.screen(ids, [_dt.date(2020, 1, 1)] * len(ids))
        state["build"] = time.perf_counter() - t
    src, out = work / f"questions-{n}.parquet", work / f"answers-{n}.parquet"
    if not src.exists():  # the pairs with the command's column names (not timed)
        f = pq.ParquetFile(pairs)
        with pq.ParquetWriter(src, f.schema_arrow.remove(1).insert(1, f.schema_arrow.field(1).with_name("target"))
                              ) as w:
            for b in f.iter_batches(batch_size=1_000_000):
                w.write_batch(b.rename_columns(["id", "target", "date"]))
    t = time.perf_counter()
    _done, hits = screen_file(state["reg"], src, out, chunk=100_000)
    sec = time.perf_counter() - t
    ids = _sample_ids(n)
    got = {r["row"] - 1: r["status"] for r in pq.read_table(out, columns=["row", "status"],
                                                            filters=[("row", "in", [i + 1 for i in ids])]).to_pylist()}
    out.unlink()
    return {"seconds": sec, "hits": int(hits), "sample": {i: got.get(i) for i in ids}, "build": state["build"]}


def _duckdb(state: dict[str, Any], work: Path, pairs: str, n: int, asof: bool) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect()
    iv = (work / "intervals.parquet").as_posix()
    if asof:
        q = (f"FROM read_parquet('{pairs}') p ASOF JOIN read_parquet('{iv}') it "
             "ON p.measure = it.measure AND p.date >= it.valid_from "
             "WHERE (it.valid_to IS NULL OR p.date < it.valid_to) AND it.in_force")
    else:
        q = (f"FROM read_parquet('{pairs}') p JOIN read_parquet('{iv}') it "
             "ON it.measure = p.measure AND it.valid_from <= p.date AND (it.valid_to IS NULL OR p.date < it.valid_to) "
             "WHERE it.in_force")
    t = time.perf_counter()
    hits = con.execute(f"SELECT count(*) {q}").fetchone()[0]
    sec = time.perf_counter() - t
    ids = ",".join(map(str, _sample_ids(n)))
    got = dict(con.execute(f"SELECT p.id, it.status {q} AND p.id IN ({ids})").fetchall())
    return {"seconds": sec, "hits": int(hits), "sample": {i: got.get(i) for i in _sample_ids(n)}}


def _polars(state: dict[str, Any], work: Path, pairs: str, n: int) -> dict[str, Any]:
    import polars as pl

    def query(lf: Any) -> Any:
        iv = pl.scan_parquet(work / "intervals.parquet").sort("valid_from")
        return (lf.sort("date").join_asof(iv, left_on="date", right_on="valid_from", by="measure",
                                          strategy="backward", check_sortedness=False)
                .filter((pl.col("valid_to").is_null() | (pl.col("date") < pl.col("valid_to"))) & pl.col("in_force")))

    t = time.perf_counter()
    hits = query(pl.scan_parquet(pairs)).select(pl.len()).collect().item()
    sec = time.perf_counter() - t
    ids = _sample_ids(n)
    got = dict(query(pl.scan_parquet(pairs).filter(pl.col("id").is_in(ids))).select("id", "status").collect().rows())
    return {"seconds": sec, "hits": int(hits), "sample": {i: got.get(i) for i in ids}}


def _spark(state: dict[str, Any], work: Path, pairs: str, n: int, broadcast: bool = True) -> dict[str, Any]:
    if "spark" not in state:
        from pyspark.sql import SparkSession

        state["spark"] = (SparkSession.builder.master("local[2]").appName("scaleout")
                          .config("spark.ui.enabled", "false").config("spark.driver.memory", "12g")
                          .config("spark.sql.shuffle.partitions", "8").getOrCreate())
        state["spark"].sparkContext.setLogLevel("ERROR")
        if not broadcast:  # a sort-merge join: both sides shuffled by measure (what a join without broadcast costs)
            state["spark"].conf.set("spark.sql.autoBroadcastJoinThreshold", "-1")
    spark = state["spark"]
    hint = "/*+ BROADCAST(it) */" if broadcast else ""
    spark.read.parquet(str(work / "intervals.parquet")).createOrReplaceTempView("it")
    spark.read.parquet(pairs).createOrReplaceTempView("p")
    q = ("FROM p JOIN it ON it.measure = p.measure AND it.valid_from <= p.date "
         "AND (it.valid_to IS NULL OR p.date < it.valid_to) WHERE it.in_force")
    t = time.perf_counter()
    hits = spark.sql(f"SELECT {hint} count(*) {q}").collect()[0][0]
    sec = time.perf_counter() - t
    ids = _sample_ids(n)
    got = {r[0]: r[1] for r in spark.sql(f"SELECT {hint} p.id, it.status {q} "
                                         f"AND p.id IN ({','.join(map(str, ids))})").collect()}
    return {"seconds": sec, "hits": int(hits), "sample": {i: got.get(i) for i in ids}}


ENGINE_FUNCS = {
    "sanctrack-pure": lambda st, w, p, n: _sanctrack(st, w, p, n, False),
    "sanctrack-numpy": lambda st, w, p, n: _sanctrack(st, w, p, n, True),
    "duckdb-range": lambda st, w, p, n: _duckdb(st, w, p, n, False),
    "duckdb-asof": lambda st, w, p, n: _duckdb(st, w, p, n, True),
    "polars-asof": _polars,
    "spark-range": _spark,
    "sanctrack-screen-cmd": _screen_command,
    "spark-shuffle": lambda st, w, p, n: _spark(st, w, p, n, broadcast=False),
}


# -- the parent: peak RSS of the child's process tree ---------------------------------------------


def _tree_rss(root: int) -> int:
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def measure(engine: str, work: Path, sizes: list[int], timeout: float) -> list[dict[str, Any]]:
    cmd = [sys.executable, __file__, "--child", engine, "--work", str(work), "--sizes",
           ",".join(map(str, sizes)), "--timeout", str(timeout)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.25)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    results = []
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("{"):
            r = json.loads(line)
            if "n" in r:
                r["peak_rss"] = peak[0]  # sizes ascend: the peak so far is this size's
            results.append(r)
            print(f"  {engine:<16} {json.dumps({k: v for k, v in r.items() if k != 'sample'})}", flush=True)
    proc.wait()
    stop.set()
    th.join()
    return results


def machine_line() -> str:
    import importlib

    vs = [f"Python {platform.python_version()}"]
    for name in ("sanctrack", "numpy", "pyarrow", "duckdb", "polars", "pyspark"):
        try:
            vs.append(f"{name} {importlib.import_module(name).__version__}")
        except ImportError:
            vs.append(f"{name} absent")
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB; "
            + ", ".join(vs) + (f"; {java[0]}" if java else ""))


def crosscheck(results: list[dict[str, Any]]) -> None:
    """Every engine's hit count and sample statuses against sanctrack's, per size (sets ``agrees``)."""
    ref = {r["n"]: r for r in results if r.get("engine") in ("sanctrack-numpy", "sanctrack-pure") and "hits" in r}
    for r in results:
        if "hits" in r and r["n"] in ref:
            r["agrees"] = r["hits"] == ref[r["n"]]["hits"] and {int(k): v for k, v in r["sample"].items()} == {
                int(k): v for k, v in ref[r["n"]]["sample"].items()}


def markdown(results: list[dict[str, Any]]) -> str:
    """The table of RESULTS.md: rows by engine, columns by size (M pairs/s, peak RSS, cross-check)."""
    sizes = sorted({r["n"] for r in results if "n" in r})
    engines = list(dict.fromkeys(r["engine"] for r in results if "engine" in r))
    head = "| engine | " + " | ".join(f"{n:.0e} pairs".replace("e+0", "e") for n in sizes) + " |"
    out = [head, "|---|" + "---:|" * len(sizes)]
    for e in engines:
        cells = []
        for n in sizes:
            r = next((r for r in results if r.get("engine") == e and r.get("n") == n), None)
            if r is None or "seconds" not in r:
                cells.append("not run")
                continue
            ok = {True: "", False: " **DISAGREES**", None: ""}[r.get("agrees")]
            read = f" + {r['load']:.0f} s to read the pairs from Parquet" if "load" in r else ""
            cells.append(f"{n / r['seconds'] / 1e6:.2f} M/s ({r['seconds']:.1f} s{read}), "
                         f"{r['peak_rss'] / 2**30:.1f} GiB{ok}")
        out.append(f"| {e} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="1e6,1e7,1e8")
    p.add_argument("--engines", default=",".join(ENGINES))
    p.add_argument("--work", default="/tmp/sanctrack-scaleout")
    p.add_argument("--timeout", type=float, default=600.0, help="stop an engine after a size slower than this")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    p.add_argument("--out", default=None, help="the results as JSON (default WORK/scaleout.json)")
    p.add_argument("--markdown", nargs="+", metavar="JSON", help="print the table of these result files, and stop")
    a = p.parse_args(argv)
    if a.markdown:
        rs = [r for f in a.markdown for r in json.loads(Path(f).read_text())["results"]]
        crosscheck(rs)
        print(markdown(rs))
        return 0
    sizes = [int(float(s)) for s in a.sizes.split(",")]
    work = Path(a.work)
    if a.child:
        run_engine(a.child, work, sizes, a.timeout)
        return 0
    print(machine_line(), flush=True)
    prepare(work, sizes)
    results: list[dict[str, Any]] = []
    for e in a.engines.split(","):
        results.extend(measure(e, work, sizes, a.timeout))
    crosscheck(results)
    out = Path(a.out) if a.out else work / "scaleout.json"
    out.write_text(json.dumps({"machine": machine_line(), "results": results}, indent=1))
    print(f"\n{'engine':<16} {'pairs':>12} {'seconds':>9} {'M pairs/s':>10} {'peak RSS':>10} agrees")
    for r in results:
        if "seconds" in r:
            print(f"{r['engine']:<16} {r['n']:>12,} {r['seconds']:>9.2f} {r['n'] / r['seconds'] / 1e6:>10.2f} "
                  f"{r['peak_rss'] / 2**30:>8.2f} G {r.get('agrees')}")
        else:
            print(r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
