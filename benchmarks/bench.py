"""sanctrack's as-of queries against their peers, every case in one process run.

    python benchmarks/bench.py                         # 10k and 100k transitions
    python benchmarks/bench.py --sizes 10k,100k,1m     # the full table (1M takes minutes)
    python benchmarks/bench.py --sizes 1m --out benchmarks/RESULTS.md

For each size a seeded synthetic registry (``benchmarks/synth.py``: ~10
transitions per measure, corrections, reliefs with ``until``, pending
announcements, six authorities) is built, and every case is timed on the same
random questions for every implementation:

* **sanctrack** — the library (``fast`` rows: with numpy; ``pure``: without);
* **naive replay** — ``benchmarks/oracle.py``: replays the measure's records
  on each question (the answer the fast paths are tested against);
* **bisect floor** — a dict of per-measure start lists and ``bisect`` (no
  answer object), and the same plus building one frozen attrs object (the
  floor a Python answer cannot go below);
* **compact floor** — per measure an ``array('i')`` of run start days and a
  tuple of prebuilt answers: a ``bisect`` then an index (the kept-answer floor);
* **SQLite** (stdlib, in memory) — an indexed interval table
  ``runs(measure, vf, vt, status, in_force)``, as a risk system would load it;
* **DuckDB** and **pandas** ``merge_asof`` — when installed (the ``bench``
  extra); skipped otherwise.

Times are medians over batches of calls (per call), on this machine, in this
run; ratios are against sanctrack's row of the same case. Nothing here is an
assertion: the numbers are printed (and written to ``--out`` as Markdown).
"""

from __future__ import annotations

import argparse
import bisect
import datetime as _dt
import gc
import operator
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from oracle import Oracle  # noqa: E402
from synth import generate  # noqa: E402

import sanctrack  # noqa: E402
from sanctrack import Registry  # noqa: E402
from sanctrack._index import accel  # noqa: E402
from sanctrack._index.inforce import build_index  # noqa: E402
from sanctrack._model import IN_FORCE  # noqa: E402

try:
    import duckdb  # type: ignore[import-not-found]
except ImportError:  # the optional bench extra
    duckdb = None
try:
    import pandas  # type: ignore[import-not-found]
except ImportError:
    pandas = None
NUMPY = accel.numpy

D = _dt.date
OPEN = 99_999_999  # the end ordinal of an open interval in the peers' tables


def _build_in_force(reg: Registry) -> None:
    """Build the everything-known view's in-force index (numpy arrays if numpy is on, else time blocks)."""
    numpy = accel.available()
    reg._views.of(None).index("in_force_arrays" if numpy else "in_force_blocks",
                              lambda y: build_index(reg._catalog, y, numpy=numpy))


def _build_flip_keys(reg: Registry) -> None:
    """Build the everything-known view's flip keys (the vectorised screen's index)."""
    reg._views.of(None).index("flip_keys", lambda y: accel.NumpyRuns(reg._catalog.view_runs(y)))


@attrs.frozen(slots=True)
class Answer:
    """The 'one frozen attrs object' of the floor: what a point query minimally returns."""

    measure: str
    status: str | None
    start: int
    end: int


# -- timing -----------------------------------------------------------------------


def per_call(fn: Callable[..., Any], args: Sequence[tuple], batch: int = 100, budget: float = 3.0) -> float:
    """Median seconds per call of ``fn(*a)`` over batches of ``args``, within about ``budget`` seconds."""
    times = []
    start = time.perf_counter()
    for i in range(0, len(args), batch):
        chunk = args[i:i + batch]
        t0 = time.perf_counter()
        for a in chunk:
            fn(*a)
        times.append((time.perf_counter() - t0) / len(chunk))
        if time.perf_counter() - start > budget and len(times) >= 5:
            break
    return statistics.median(times)


def once(fn: Callable[[], Any], repeat: int = 5, budget: float = 20.0) -> float:
    """Median seconds of ``fn()`` over ``repeat`` runs (fewer if over ``budget``)."""
    times = []
    start = time.perf_counter()
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if time.perf_counter() - start > budget:
            break
    return statistics.median(times)


def fmt(sec: float | None) -> str:
    if sec is None:
        return "—"
    if sec < 1e-3:
        return f"{sec * 1e6:.2f} µs"
    if sec < 1:
        return f"{sec * 1e3:.2f} ms"
    return f"{sec:.2f} s"


class Table:
    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: list[tuple[str, str, float | None, str]] = []  # case, impl, seconds, note
        self.ref: dict[str, float] = {}

    def add(self, case: str, impl: str, sec: float | None, note: str = "", ref: bool = False) -> None:
        if ref and sec is not None:
            self.ref[case] = sec
        self.rows.append((case, impl, sec, note))
        ratio = ""
        if sec is not None and case in self.ref and not ref:
            ratio = f"  ({sec / self.ref[case]:.2f}× sanctrack)"
        print(f"  {case:<34} {impl:<34} {fmt(sec):>12}{ratio} {note}", flush=True)

    def markdown(self) -> str:
        out = [f"### {self.title}", "", "| case | implementation | median | vs sanctrack | note |",
               "|---|---|---:|---:|---|"]
        last = None
        for case, impl, sec, note in self.rows:
            r = self.ref.get(case)
            ratio = "1.00×" if r is not None and sec == r else (f"{sec / r:.2f}×" if r and sec is not None else "")
            out.append(f"| {case if case != last else ''} | {impl} | {fmt(sec)} | {ratio} | {note} |")
            last = case
        return "\n".join(out)


# -- peers' tables -------------------------------------------------------------------


def interval_rows(reg: Registry) -> list[tuple[str, int, int, str, int]]:
    """Every state run as (measure, valid-from, valid-to, status, in force) — what a DB would hold."""
    rows = []
    for m in reg.measures:
        for v in reg.history(m.id):
            end = v.valid.end.toordinal() if v.valid.end is not None else OPEN
            rows.append((m.id, v.valid.start.toordinal(), end, str(v.status), int(v.in_force)))
    return rows


def sqlite_db(rows: list[tuple], changes: list[tuple]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE runs (measure TEXT, vf INTEGER, vt INTEGER, status TEXT, in_force INTEGER)")
    db.executemany("INSERT INTO runs VALUES (?,?,?,?,?)", rows)
    db.execute("CREATE INDEX runs_m ON runs (measure, vf)")
    db.execute("CREATE INDEX runs_vf ON runs (vf)")
    db.execute("CREATE TABLE changes (id TEXT, measure TEXT, eff INTEGER, action TEXT)")
    db.executemany("INSERT INTO changes VALUES (?,?,?,?)", changes)
    db.execute("CREATE INDEX changes_eff ON changes (eff)")
    return db


def duckdb_db(rows: list[tuple], changes: list[tuple]) -> Any:
    db = duckdb.connect()
    cols = list(zip(*rows))
    db.register("runs_df", pandas.DataFrame({"measure": cols[0], "vf": cols[1], "vt": cols[2], "status": cols[3],
                                             "in_force": cols[4]}))
    db.execute("CREATE TABLE runs AS SELECT * FROM runs_df ORDER BY measure, vf")
    db.unregister("runs_df")
    c = list(zip(*changes))
    db.register("ch_df", pandas.DataFrame({"id": c[0], "measure": c[1], "eff": c[2], "action": c[3]}))
    db.execute("CREATE TABLE changes AS SELECT * FROM ch_df ORDER BY eff")
    db.unregister("ch_df")
    return db


# -- one size ---------------------------------------------------------------------------


def floors(reg: Registry) -> tuple[Callable[[str, _dt.date], Any], Callable[[str, _dt.date], Any]]:
    """The floor: per-measure start lists and a bisect; and the same plus one frozen attrs object."""
    starts: dict[str, list[int]] = {}
    status: dict[str, list[str | None]] = {}
    for m, vf, _vt, st, _ in interval_rows(reg):
        starts.setdefault(m, []).append(vf)
        status.setdefault(m, []).append(st)

    def floor(m: str, x: _dt.date) -> Any:
        i = bisect.bisect_right(starts[m], x.toordinal()) - 1
        return status[m][i] if i >= 0 else None

    def floor_attrs(m: str, x: _dt.date) -> Any:
        ss = starts[m]
        i = bisect.bisect_right(ss, x.toordinal()) - 1
        return Answer(m, status[m][i] if i >= 0 else None, ss[i] if i >= 0 else 0, OPEN)

    return floor, floor_attrs


def compact_floor(reg: Registry) -> Callable[[str, _dt.date], Any]:
    """The compact floor: per measure an ``array('i')`` of run start ordinals and a tuple of prebuilt
    answers (sanctrack's own, made ahead), a ``bisect`` then an index — no answer made on the ask."""
    table: dict[str, tuple[array[int], tuple[Any, ...]]] = {}
    for m in reg.measures:
        hist = reg.history(m.id)
        table[m.id] = (array("i", [v.valid.start.toordinal() for v in hist]), tuple(hist))

    def floor(m: str, x: _dt.date) -> Any:
        starts, answers = table[m]
        i = bisect.bisect_right(starts, x.toordinal()) - 1
        return answers[i] if i >= 0 else None

    return floor


def run_size(n: int, seed: int, pairs_n: int, memory: bool, load: bool) -> tuple[Table, dict[str, Any]]:
    print(f"\n== {n:,} transitions (seed {seed}) ==", flush=True)
    t0 = time.perf_counter()
    synth = generate(n, seed)
    print(f"  generated {len(synth.transitions):,} transitions, {len(synth.measures):,} measures "
          f"in {time.perf_counter() - t0:.1f} s", flush=True)
    tab = Table(f"{len(synth.transitions):,} transitions, {len(synth.measures):,} measures")
    facts: dict[str, Any] = {"n": len(synth.transitions), "measures": len(synth.measures)}
    rnd = random.Random(seed)

    # -- build: checked (what Registry.build and a cold load do), then from checked records (a warm load)
    gc.collect()
    t0 = time.perf_counter()
    reg = Registry.build(**synth.kwargs())
    build = time.perf_counter() - t0
    gc.collect()
    t0 = time.perf_counter()
    trusted = Registry.build(**synth.kwargs(), _verified_digest=reg.digest)
    index_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    trusted._catalog.view_runs(None)  # every measure's runs (the replay deferred by the trusted build)
    runs_first = time.perf_counter() - t0
    del trusted
    X = D(2025, 6, 1)
    t0 = time.perf_counter()
    _build_in_force(reg)  # in_force builds it on its second ask; build it now
    inforce_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    if NUMPY is not None:
        _build_flip_keys(reg)
    runs_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    reg.changes(D(1900, 1, 1), D(2100, 1, 1))
    changes_build = time.perf_counter() - t0
    facts["build"] = build
    facts["index_build"] = index_build
    facts["runs_first"] = runs_first
    facts["global"] = inforce_build + runs_build + changes_build
    tab.add("Registry.build (all checks, digest)", "sanctrack", build, ref=True)
    tab.add("index build from checked records", "sanctrack", index_build,
            "the load cache's path: no checks; each measure's runs on first use")
    tab.add("every measure's runs, on first use", "sanctrack", runs_first, "after the index build above (replay)")
    tab.add("global indexes, on first use", "sanctrack", facts["global"],
            f"in_force {fmt(inforce_build)}, screen {fmt(runs_build)}, changes {fmt(changes_build)}")

    ids = [m.id for m in synth.measures]
    lo, hi = D(2000, 1, 1).toordinal(), D(2026, 6, 30).toordinal()
    qs = [(ids[rnd.randrange(len(ids))], D.fromordinal(rnd.randint(lo, hi))) for _ in range(20_000)]
    recorded = sorted({t.recorded for t in synth.transitions})
    qk = [(m, x, recorded[rnd.randrange(len(recorded))]) for m, x in qs]

    floor, floor_attrs = floors(reg)

    # -- state(m, X)
    state = reg.state
    t0 = time.perf_counter()
    for m, x in qs:  # the first ask of a run makes its answer (kept for the next ask)
        state(m, x)
    s_first = (time.perf_counter() - t0) / len(qs)
    s_state = per_call(state, qs)
    facts["state"] = s_state
    facts["state_first"] = s_first
    tab.add("state(m, X)", "sanctrack", s_state, "every answer asked before (kept)", ref=True)
    tab.add("state(m, X)", "sanctrack, first pass", s_first,
            "mean over the same questions asked for the first time: answers made then")
    tab.add("state(m, X)", "bisect floor", per_call(floor, qs))
    f_attrs = per_call(floor_attrs, qs)
    facts["floor"] = f_attrs
    tab.add("state(m, X)", "bisect + one frozen attrs object", f_attrs)
    facts["compact_floor"] = per_call(compact_floor(reg), qs)
    tab.add("state(m, X)", "compact floor (array('i') + prebuilt answers)", facts["compact_floor"],
            f"sanctrack {s_state / facts['compact_floor']:.2f}× this")
    # the same questions over 1,000 measures at every size: the working set held equal, so what
    # is left of the growth is the algorithm's (the dict lookup and the bisect), not the caches'
    hrnd = random.Random(seed + 1)
    hot = hrnd.sample(ids, min(1000, len(ids)))
    qh = [(hot[hrnd.randrange(len(hot))], D.fromordinal(hrnd.randint(lo, hi))) for _ in range(20_000)]
    for m, x in qh:
        state(m, x)
    facts["state_hot"] = per_call(state, qh)
    facts["floor_hot"] = per_call(floor_attrs, qh)
    tab.add("state(m, X), 1,000 measures asked", "sanctrack", facts["state_hot"],
            "the same working set at every size", ref=True)
    tab.add("state(m, X), 1,000 measures asked", "bisect + one frozen attrs object", facts["floor_hot"])
    _GROWTH[len(synth.transitions)] = (reg, state, floor_attrs, qs)  # for the interleaved growth rounds
    oracle = Oracle(synth, reg)
    tab.add("state(m, X)", "naive replay (oracle)", per_call(oracle.state, qs[:300], batch=20, budget=2))

    rows = interval_rows(reg)
    changes_rows = [(t.id, t.measure, t.effective.toordinal(), str(t.action))
                    for t in reg.changes(D(1900, 1, 1), D(2100, 1, 1))]
    db = sqlite_db(rows, changes_rows)

    def sqlite_state(m: str, x: _dt.date) -> Any:
        return db.execute("SELECT status, vf, vt FROM runs WHERE measure = ? AND vf <= ? ORDER BY vf DESC LIMIT 1",
                          (m, x.toordinal())).fetchone()

    facts["sqlite_state"] = per_call(sqlite_state, qs)
    tab.add("state(m, X)", "SQLite indexed point query", facts["sqlite_state"])
    ddb = None
    if duckdb is not None and pandas is not None:
        ddb = duckdb_db(rows, changes_rows)

        def duck_state(m: str, x: _dt.date) -> Any:
            return ddb.execute("SELECT status, vf, vt FROM runs WHERE measure = ? AND vf <= ? "
                               "ORDER BY vf DESC LIMIT 1", [m, x.toordinal()]).fetchone()

        tab.add("state(m, X)", "DuckDB point query", per_call(duck_state, qs[:200], batch=10, budget=3))

    # -- state(m, X, known=Y): first touch builds that epoch's runs; then it is a bisect
    t0 = time.perf_counter()
    for m, x, y in qk:
        state(m, x, known=y)
    first = (time.perf_counter() - t0) / len(qk)
    facts["state_known"] = per_call(lambda m, x, y: state(m, x, known=y), qk)
    facts["state_known_first"] = first
    tab.add("state(m, X, known=Y)", "sanctrack", facts["state_known"], "epochs' runs built", ref=True)
    tab.add("state(m, X, known=Y)", "sanctrack, first touch of each epoch", first,
            "mean; builds the epoch's runs (replay) on first use")
    tab.add("state(m, X, known=Y)", "as_known_on(Y).state(m, X)",
            per_call(lambda m, x, y: reg.as_known_on(y).state(m, x), qk))
    tab.add("state(m, X, known=Y)", "bisect + one frozen attrs object", f_attrs, "floor (no knowledge axis)")
    tab.add("state(m, X, known=Y)", "naive replay (oracle)",
            per_call(oracle.state, qk[:300], batch=20, budget=2))

    # -- in_force(X)
    hits = len(reg.in_force(X))
    facts["hits"] = hits
    facts["in_force"] = once(lambda: reg.in_force(X), repeat=7)
    tab.add("in_force(X), every state", "sanctrack" + (" (numpy)" if NUMPY is not None else ""),
            facts["in_force"], f"{hits:,} in force on {X}", ref=True)
    if NUMPY is not None:
        saved = accel.numpy
        accel.numpy = None
        try:
            _build_in_force(reg)
            facts["in_force_pure"] = once(lambda: reg.in_force(X), repeat=7)
            tab.add("in_force(X), every state", "sanctrack (pure Python)", facts["in_force_pure"])
        finally:
            accel.numpy = saved

    def naive_in_force() -> list:
        out = [s for s in (state(m, X) for m in ids) if s.status in IN_FORCE]
        out.sort(key=lambda s: (s.measure.authority, s.measure.id))
        return out

    tab.add("in_force(X), every state", "loop of per-measure bisects", once(naive_in_force, repeat=3))
    xo = X.toordinal()
    tab.add("in_force(X), every state", "SQLite WHERE vf <= X < vt, fetchall",
            once(lambda: db.execute("SELECT measure, vf, vt, status FROM runs WHERE vf <= ? AND ? < vt "
                                    "AND in_force = 1", (xo, xo)).fetchall(), repeat=5))
    if ddb is not None:
        q = "SELECT measure, vf, vt, status FROM runs WHERE vf <= ? AND ? < vt AND in_force = 1"
        facts["duck_in_force"] = once(lambda: ddb.execute(q, [xo, xo]).fetchall(), repeat=7)
        tab.add("in_force(X), every state", "DuckDB WHERE vf <= X < vt, fetchall", facts["duck_in_force"])
        facts["duck_in_force_np"] = once(lambda: ddb.execute(q, [xo, xo]).fetchnumpy(), repeat=7)
        tab.add("in_force(X), every state", "DuckDB same, fetchnumpy", facts["duck_in_force_np"])
    if pandas is not None:
        df = pandas.DataFrame(rows, columns=["measure", "vf", "vt", "status", "in_force"])
        vf, vt, inf = df["vf"].to_numpy(), df["vt"].to_numpy(), df["in_force"].to_numpy()
        tab.add("in_force(X), every state", "pandas boolean mask",
                once(lambda: df[(vf <= xo) & (xo < vt) & (inf == 1)], repeat=7))

    # -- changes(A, B), one year
    A, B = D(2024, 1, 1), D(2025, 1, 1)
    nchg = len(reg.changes(A, B))
    facts["changes"] = once(lambda: reg.changes(A, B), repeat=9)
    tab.add("changes(A, B), one year", "sanctrack", facts["changes"], f"{nchg:,} transitions", ref=True)
    ao, bo = A.toordinal(), B.toordinal()
    tab.add("changes(A, B), one year", "SQLite range query, fetchall",
            once(lambda: db.execute("SELECT id, measure, eff, action FROM changes WHERE eff >= ? AND eff < ? "
                                    "ORDER BY eff", (ao, bo)).fetchall(), repeat=9))
    if ddb is not None:
        facts["duck_changes"] = once(lambda: ddb.execute(
            "SELECT id, measure, eff, action FROM changes WHERE eff >= ? AND eff < ? ORDER BY eff",
            [ao, bo]).fetchall(), repeat=9)
        tab.add("changes(A, B), one year", "DuckDB range query, fetchall", facts["duck_changes"])

    # -- bulk screening
    pm = [ids[rnd.randrange(len(ids))] for _ in range(pairs_n)]
    pd_ = [D.fromordinal(rnd.randint(lo, hi)) for _ in range(pairs_n)]
    label = f"screen, {pairs_n:,} (measure, date) pairs"
    if NUMPY is not None:
        reg.screen(pm[:1000], pd_[:1000])
        facts["screen_fast"] = once(lambda: reg.screen(pm, pd_), repeat=5)
        tab.add(label, "sanctrack screen(ids, dates), fast extra installed", facts["screen_fast"],
                f"{pairs_n / facts['screen_fast'] / 1e6:.2f} M pairs/s", ref=True)
        t = once(lambda: reg.screen(pm, pd_).states, repeat=3)
        tab.add(label, "sanctrack, numpy, and every hit's MeasureState", t,
                f"{pairs_n / t / 1e6:.2f} M pairs/s (screen() makes a hit's state when it is asked for)")
        dnp = NUMPY.array(pd_, dtype="datetime64[D]")
        t = once(lambda: reg.screen(pm, dnp), repeat=5)
        tab.add(label, "sanctrack, numpy, datetime64 dates", t, f"{pairs_n / t / 1e6:.2f} M pairs/s")
        # the ids above are the registry's own string objects (found by address); a batch read from a
        # file holds equal strings that are other objects, each hashed and compared
        twins = {m: (m + "#")[:-1] for m in ids}
        pm_other = [twins[m] for m in pm]
        t = once(lambda: reg.screen(pm_other, pd_), repeat=3)
        tab.add(label, "sanctrack, numpy, ids as other (equal) string objects", t,
                f"{pairs_n / t / 1e6:.2f} M pairs/s ({len(twins):,} distinct objects, each looked up once)")
        pm_fresh = [(m + "#")[:-1] for m in pm]
        t = once(lambda: reg.screen(pm_fresh, pd_), repeat=3)
        tab.add(label, "sanctrack, numpy, every id a distinct string object", t,
                f"{pairs_n / t / 1e6:.2f} M pairs/s (as parsed from a file; each looked up in the dictionary)")
        del twins, pm_other, pm_fresh
    saved = accel.numpy
    accel.numpy = None
    try:
        facts["screen_pure"] = once(lambda: reg.screen(pm, pd_), repeat=3)
    finally:
        accel.numpy = saved
    tab.add(label, "sanctrack screen(ids, dates), pure Python", facts["screen_pure"],
            f"{pairs_n / facts['screen_pure'] / 1e6:.2f} M pairs/s", ref=NUMPY is None)
    k = min(pairs_n, 100_000)
    t = once(lambda: reg.screen(list(zip(pm[:k], pd_[:k]))), repeat=3) * pairs_n / k
    tab.add(label, "sanctrack screen(pairs) -> list[ScreenHit]", t, f"{pairs_n / t / 1e6:.2f} M pairs/s")
    t = once(lambda: [floor(m, x) for m, x in zip(pm, pd_)], repeat=3)
    tab.add(label, "bisect floor loop", t, f"{pairs_n / t / 1e6:.2f} M pairs/s")
    if ddb is not None:
        pairs_df = pandas.DataFrame({"m": pm, "d": NUMPY.fromiter((x.toordinal() for x in pd_), dtype=NUMPY.int64)})

        def duck_asof() -> Any:
            ddb.register("pairs", pairs_df)
            r = ddb.execute("SELECT p.m, p.d, r.status, r.in_force FROM pairs p ASOF JOIN runs r "
                            "ON p.m = r.measure AND p.d >= r.vf").fetchnumpy()
            ddb.unregister("pairs")
            return r

        facts["duck_asof"] = once(duck_asof, repeat=5)
        tab.add(label, "DuckDB ASOF JOIN, fetchnumpy", facts["duck_asof"],
                f"{pairs_n / facts['duck_asof'] / 1e6:.2f} M pairs/s (its input frame made beforehand)")

        def duck_asof_from_lists() -> Any:
            nonlocal pairs_df
            pairs_df = pandas.DataFrame({"m": pm, "d": NUMPY.fromiter(map(_dt.date.toordinal, pd_), dtype=NUMPY.int64,
                                                                      count=len(pd_))})
            return duck_asof()

        t = once(duck_asof_from_lists, repeat=3)
        tab.add(label, "DuckDB ASOF JOIN, from the same Python lists", t,
                f"{pairs_n / t / 1e6:.2f} M pairs/s "
                "(the frame built from pm, pd_ in the timing, as screen() gets them)")
    if pandas is not None:
        runs_df = pandas.DataFrame(rows, columns=["m", "vf", "vt", "status", "in_force"]).sort_values("vf")
        left = pandas.DataFrame({"m": pm, "d": [x.toordinal() for x in pd_]})

        def pandas_asof() -> Any:
            return pandas.merge_asof(left.sort_values("d"), runs_df, left_on="d", right_on="vf", by="m")

        t = once(pandas_asof, repeat=3)
        tab.add(label, "pandas merge_asof (by measure)", t, f"{pairs_n / t / 1e6:.2f} M pairs/s")

    # -- loading (YAML cold, JSON cache warm)
    if load:
        run_load(reg, tab, facts)

    # -- memory of the indexes, beyond the records (tracemalloc)
    if memory:
        del reg, oracle, db, ddb, rows
        gc.collect()
        tracemalloc.start()
        reg2 = Registry.build(**synth.kwargs())
        after_build = tracemalloc.get_traced_memory()[0]
        _build_in_force(reg2)
        reg2.changes(A, B)
        if NUMPY is not None:  # the screening indexes: the flip keys, and the ranks by id
            _build_flip_keys(reg2)
            _ = reg2._catalog.rank
        reg2._catalog.view_runs(None)
        gc.collect()
        total = tracemalloc.get_traced_memory()[0]
        for tl in reg2._catalog.timelines.values():  # every run's answer made (the most answers can cost)
            if tl.latest is not None:
                tl.latest.states()
        gc.collect()
        answers = tracemalloc.get_traced_memory()[0] - total
        for mid in reg2._catalog.timelines:  # the point path keeps each measure's point tuple by id
            reg2.state(mid, X)
        gc.collect()
        points = tracemalloc.get_traced_memory()[0] - total - answers
        reg2.in_force(X)  # in_force's memo of the answers it hands out (made on its first question)
        gc.collect()
        memo = tracemalloc.get_traced_memory()[0] - total - answers - points
        strings = 0  # (no table of the ids by their characters any more)
        tracemalloc.stop()
        nruns = sum(len(tl.latest) for tl in reg2._catalog.timelines.values() if tl.latest is not None)
        per = total / facts["n"]
        facts["mem"] = per
        facts["mem_build"] = after_build / facts["n"]
        facts["mem_answers"] = answers / facts["n"]
        facts["mem_inforce_memo"] = memo / facts["n"]
        facts["mem_points"] = points / facts["n"]
        facts["mem_string_table"] = strings / facts["n"]
        facts["runs"] = nruns
        print(f"  memory beyond the records: {per:.0f} B/transition after build and global indexes "
              f"({after_build / facts['n']:.0f} B after build alone); {nruns:,} state runs; "
              f"every run's answer made: +{answers / facts['n']:.0f} B/transition; "
              f"the point tuples' dictionary: +{points / facts['n']:.1f} B/transition; "
              f"in_force's memo, after one question: +{memo / facts['n']:.1f} B/transition; "
              f"the ids' string table (numpy screening): +{strings / facts['n']:.1f} B/transition", flush=True)
        del reg2
    return tab, facts


def run_load(reg: Registry, tab: Table, facts: dict[str, Any]) -> None:
    try:
        import yaml

        from sanctrack._dump import write_registry
    except ImportError:
        return
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "reg"
        write_registry(reg, root)
        files = sorted(root.rglob("*.yaml"))

        def libyaml() -> None:
            for f in files:
                yaml.load(f.read_bytes(), Loader=loader)

        facts["libyaml"] = once(libyaml, repeat=3)
        cache = Path(tmp) / "cache"
        facts["cold"] = once(lambda: sanctrack.load(root, cache=False), repeat=3)
        sanctrack.load(root, cache=True, cache_dir=cache)
        facts["warm"] = once(lambda: sanctrack.load(root, cache=True, cache_dir=cache), repeat=3)
        first_answers(root, cache, facts)
    tab.add("load, YAML (cold)", "sanctrack.load(cache=False)", facts["cold"], ref=True)
    tab.add("load, YAML (cold)", "libyaml alone (CSafeLoader), same files", facts["libyaml"])
    tab.add("load, JSON cache (warm)", "sanctrack.load(cache=True)", facts["warm"], ref=True)
    tab.add("first in_force after warm load", "sanctrack", facts["first_in_force"],
            "a fresh warm load, then one in_force(X) (median of 3)", ref=True)
    tab.add("first state after warm load", "sanctrack", facts["first_state"],
            "a fresh warm load, then 2,000 state(m, X) asked once each (mean per call)", ref=True)
    tab.add("first state after warm load", "sanctrack, kept answers", facts["kept_state"],
            f"the same questions asked again; first/kept {facts['first_state'] / facts['kept_state']:.2f}×")


def first_answers(root: Path, cache: Path, facts: dict[str, Any]) -> None:
    """The first answers after a warm load (what a restarted risk system pays on its first request)."""
    X = D(2025, 6, 1)
    in_force, first, kept = [], [], []
    for rep in range(3):
        reg = sanctrack.load(str(root), cache=True, cache_dir=cache)
        t0 = time.perf_counter()
        reg.in_force(X)
        in_force.append(time.perf_counter() - t0)
        del reg
        reg = sanctrack.load(str(root), cache=True, cache_dir=cache)
        rnd = random.Random(rep)
        ids = [m.id for m in reg.measures]
        lo, hi = D(2000, 1, 1).toordinal(), D(2026, 6, 30).toordinal()
        qs = [(ids[rnd.randrange(len(ids))], D.fromordinal(rnd.randint(lo, hi))) for _ in range(2_000)]
        t0 = time.perf_counter()
        for m, x in qs:
            reg.state(m, x)
        first.append((time.perf_counter() - t0) / len(qs))
        kept.append(per_call(reg.state, qs, budget=1.0))
        del reg
    facts["first_in_force"] = statistics.median(in_force)
    facts["first_state"] = statistics.median(first)
    facts["kept_state"] = statistics.median(kept)


# -- targets ------------------------------------------------------------------------------


#: per size: the registry, its state(), the floor and the questions (kept for interleaved_growth)
_GROWTH: dict[int, tuple[Any, Any, Any, list]] = {}


#: alternating rounds of the growth measurement (each times both sizes)
GROWTH_ROUNDS = 11


def interleaved_growth(small: int, big: int, rounds: int = GROWTH_ROUNDS) -> dict[str, float]:
    """Point-query growth from rounds that alternate the two sizes, both registries in memory.

    Each size's section runs minutes apart from the other's, and this shared
    VM's speed drifts by up to 2x over minutes, so a ratio of two sections' times
    says as much about the drift as about the growth. Here each round times, for
    the small size and then the big one: the first ask of every question (the
    kept answers dropped first), the same questions again (answers kept), and the
    floor. The growth is the ratio of the medians over the rounds.
    """
    out: dict[str, list[float]] = {}
    for _ in range(rounds):
        for tag, n in (("small", small), ("big", big)):
            reg, state, floor_attrs, qs = _GROWTH[n]
            for tl in reg._catalog.timelines.values():
                if tl.latest is not None:
                    tl.latest.answers = None
            reg._catalog.points.clear()  # the point tuples hold answers too
            gc.collect()
            t0 = time.perf_counter()
            for m, x in qs:
                state(m, x)
            out.setdefault(f"first_{tag}", []).append((time.perf_counter() - t0) / len(qs))
            out.setdefault(f"kept_{tag}", []).append(per_call(state, qs, budget=1.0))
            out.setdefault(f"floor_{tag}", []).append(per_call(floor_attrs, qs, budget=1.0))
            # what any path pays before its own work: the loop and a call that touches nothing
            # (``is_``), and the lookup of the id alone (``points.get(id, date)``, in the same loop)
            out.setdefault(f"call_{tag}", []).append(per_call(operator.is_, qs, budget=0.5))
            out.setdefault(f"lookup_{tag}", []).append(per_call(reg._catalog.points.get, qs, budget=0.5))
    res = {k: statistics.median(v) for k, v in out.items()}
    # the spread: each round's own ratio (its two sizes timed seconds apart)
    per_round = [b / a for a, b in zip(out["kept_small"], out["kept_big"])]
    res["kept_ratio_min"], res["kept_ratio_max"] = min(per_round), max(per_round)
    return res


def growth_setup(n: int, seed: int) -> int:
    """Only what the growth rounds need for one size (``--growth-only``): the same registry,
    questions and floor as :func:`run_size` makes. Returns the number of transitions."""
    synth = generate(n, seed)
    reg = Registry.build(**synth.kwargs())
    rnd = random.Random(seed)
    ids = [m.id for m in synth.measures]
    lo, hi = D(2000, 1, 1).toordinal(), D(2026, 6, 30).toordinal()
    qs = [(ids[rnd.randrange(len(ids))], D.fromordinal(rnd.randint(lo, hi))) for _ in range(20_000)]
    _, floor_attrs = floors(reg)
    _GROWTH[len(synth.transitions)] = (reg, reg.state, floor_attrs, qs)
    return len(synth.transitions)


def targets(all_facts: list[dict[str, Any]]) -> str:
    big = max(all_facts, key=lambda f: f["n"])
    small = min(all_facts, key=lambda f: f["n"])
    rows = []

    def row(what: str, target: str, measured: str, ok: bool | None) -> None:
        rows.append(f"| {what} | {target} | {measured} | {'—' if ok is None else ('yes' if ok else '**no**')} |")

    f = big
    row("state(m, X)", "≤ 2× bisect+attrs floor, < SQLite",
        f"{fmt(f['state'])} = {f['state'] / f['floor']:.2f}× floor, {f['state'] / f['sqlite_state']:.2f}× SQLite",
        f["state"] <= 2 * f["floor"] and f["state"] < f["sqlite_state"])
    row("state(m, X) vs compact floor", "≤ 1.5× compact floor",
        f"{f['state'] / f['compact_floor']:.2f}× ({fmt(f['compact_floor'])})", f["state"] <= 1.5 * f["compact_floor"])
    row("state(m, X, known=Y)", "≤ 3× floor",
        f"{fmt(f['state_known'])} = {f['state_known'] / f['floor']:.2f}× floor "
        f"(first touch of an epoch: {fmt(f['state_known_first'])})", f["state_known"] <= 3 * f["floor"])
    if "duck_in_force" in f:
        row("in_force(X), every state", "< DuckDB fetchall (stretch: < fetchnumpy)",
            f"{fmt(f['in_force'])} (pure Python {fmt(f.get('in_force_pure'))}) vs {fmt(f['duck_in_force'])} / "
            f"{fmt(f['duck_in_force_np'])} ({f['hits']:,} hits)", f["in_force"] < f["duck_in_force"])
        row("changes(A, B), one year", "≥ 10× faster than DuckDB",
            f"{fmt(f['changes'])} vs {fmt(f['duck_changes'])} ({f['duck_changes'] / f['changes']:.0f}×)",
            f["duck_changes"] >= 10 * f["changes"])
    row(f"screen, {f['pairs']:,} pairs, pure Python", "≥ 1M pairs/s",
        f"{f['pairs'] / f['screen_pure'] / 1e6:.2f} M pairs/s", f["pairs"] / f["screen_pure"] >= 1e6)
    if "screen_fast" in f and "duck_asof" in f:
        row(f"screen, {f['pairs']:,} pairs, fast extra", "≥ DuckDB ASOF JOIN",
            f"{f['pairs'] / f['screen_fast'] / 1e6:.2f} vs {f['pairs'] / f['duck_asof'] / 1e6:.2f} M pairs/s",
            f["screen_fast"] <= f["duck_asof"])
    row("state(m, X), first pass", "≤ 2× floor", f"{fmt(f['state_first'])} = {f['state_first'] / f['floor']:.2f}× "
        "floor (each question's answer made on its first ask)", f["state_first"] <= 2 * f["floor"])
    if small is not big:
        g = big["state"] / small["state"]
        g1 = big["state_first"] / small["state_first"]
        gf = big["floor"] / small["floor"]
        il = big.get("interleaved")
        row("point-query growth, sections minutes apart", f"≤ 2× ({small['n']:,} → {big['n']:,})",
            f"{g:.2f}× answers kept ({fmt(small['state'])} → {fmt(big['state'])}); {g1:.2f}× first pass "
            f"({fmt(small['state_first'])} → {fmt(big['state_first'])}); the floor itself {gf:.2f}×",
            None if il else g <= 2)
        if il:
            gi = il["kept_big"] / il["kept_small"]
            gi1 = il["first_big"] / il["first_small"]
            row("point-query growth, interleaved rounds", f"≤ 2× ({small['n']:,} → {big['n']:,})",
                f"{gi:.2f}× answers kept ({fmt(il['kept_small'])} → {fmt(il['kept_big'])}); "
                f"first ask {gi1:.2f}× ({fmt(il['first_small'])} → {fmt(il['first_big'])}); the floor itself "
                f"{il['floor_big'] / il['floor_small']:.2f}× (medians of {il['rounds']:.0f} alternating rounds; "
                f"answers kept, round by round: {il['kept_ratio_min']:.2f}–{il['kept_ratio_max']:.2f}×)",
                gi <= 2)
        gh = big["state_hot"] / small["state_hot"]
        row("point-query growth, 1,000 measures asked", "(the same working set at every size)",
            f"{gh:.2f}× ({fmt(small['state_hot'])} → {fmt(big['state_hot'])}); the floor itself "
            f"{big['floor_hot'] / small['floor_hot']:.2f}×", None)
    row("index build", "≤ 1.5 s at 1M",
        f"{fmt(f['index_build'])} from checked records (the cache's path; each measure's runs on first use: "
        f"all of them {fmt(f['runs_first'])}); Registry.build with every check {fmt(f['build'])}",
        f["index_build"] <= 1.5 if f["n"] >= 900_000 else None)
    for ff in all_facts:
        if "cold" in ff:
            row(f"cold load, YAML, {ff['n']:,}", "≤ 1.3× libyaml",
                f"{fmt(ff['cold'])} = {ff['cold'] / ff['libyaml']:.2f}× libyaml ({fmt(ff['libyaml'])})",
                ff["cold"] <= 1.3 * ff["libyaml"])
            row(f"warm load, cache, {ff['n']:,}", "≤ 0.6 s", fmt(ff["warm"]), ff["warm"] <= 0.6)
            row(f"first in_force after warm load, {ff['n']:,}", "≤ 1 s", fmt(ff["first_in_force"]),
                ff["first_in_force"] <= 1.0)
            row(f"first state after warm load, {ff['n']:,}", "≤ 2× kept",
                f"{fmt(ff['first_state'])} = {ff['first_state'] / ff['kept_state']:.2f}× kept "
                f"({fmt(ff['kept_state'])})", ff["first_state"] <= 2 * ff["kept_state"])
    if "mem" in f:
        row("index memory", "≤ 150 B/transition beyond records",
            f"{f['mem']:.0f} B/transition ({f['mem_build']:.0f} after build alone; {f['runs']:,} runs); "
            f"answers are made on first use and kept: every run's answer +{f['mem_answers']:.0f} B/transition, "
            f"the point tuples' dictionary +{f['mem_points']:.1f}, in_force's memo +{f['mem_inforce_memo']:.1f}"
            + (f", the ids' string table (a screen of other string objects) +{f['mem_string_table']:.1f}"
               if f.get("mem_string_table") else ""),
            f["mem"] <= 150)
    return "\n".join(["| target | goal | measured (largest size) | met |", "|---|---|---|---|", *rows])


def machine_line() -> str:
    versions = [f"Python {platform.python_version()}", f"sanctrack {sanctrack.__version__}"]
    for name, mod in (("numpy", NUMPY), ("duckdb", duckdb), ("pandas", pandas)):
        versions.append(f"{name} {mod.__version__}" if mod is not None else f"{name} absent")
    import yaml

    libyaml = "yes" if getattr(yaml, "__with_libyaml__", False) else "no"
    versions.append(f"PyYAML {yaml.__version__} (libyaml {libyaml})")
    versions.append(f"SQLite {sqlite3.sqlite_version}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, load {load:.1f} at start; "
            + ", ".join(versions))


def parse_size(text: str) -> int:
    t = text.strip().lower().replace("_", "")
    mult = 1
    if t.endswith("k"):
        mult, t = 1000, t[:-1]
    elif t.endswith("m"):
        mult, t = 1_000_000, t[:-1]
    return int(float(t) * mult)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10k,100k", help="comma-separated, e.g. 10k,100k,1m")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--pairs", default="1m", help="bulk screening pairs (default 1m)")
    p.add_argument("--no-memory", action="store_true", help="skip the tracemalloc build")
    p.add_argument("--load-size", default="100k", help="the size whose YAML cold/warm load is timed ('' = none)")
    p.add_argument("--out", help="write the tables as Markdown to this file")
    p.add_argument("--growth-only", action="store_true",
                   help="only the point-query growth rounds between the smallest and the largest size")
    args = p.parse_args(argv)
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    if args.growth_only:
        print(machine_line())
        small, big = growth_setup(min(sizes), args.seed), growth_setup(max(sizes), args.seed)
        il = interleaved_growth(small, big)
        print(f"point-query growth {small:,} -> {big:,} transitions, medians of {GROWTH_ROUNDS} alternating rounds:")
        print("  " + ", ".join(f"{k} {fmt(v)}" for k, v in il.items() if "ratio" not in k))
        print(f"  answers kept {il['kept_big'] / il['kept_small']:.2f}x, "
              f"first ask {il['first_big'] / il['first_small']:.2f}x, "
              f"floor {il['floor_big'] / il['floor_small']:.2f}x; "
              f"answers kept round by round {il['kept_ratio_min']:.2f}-{il['kept_ratio_max']:.2f}x")
        print(f"  of the big size's {fmt(il['kept_big'])}: the loop and a call {fmt(il['call_big'])}, the id's "
              f"dictionary lookup alone {fmt(il['lookup_big'])} (the 2x budget: {fmt(2 * il['kept_small'])})")
        return 0
    load_size = parse_size(args.load_size) if args.load_size else None
    pairs = parse_size(args.pairs)
    line = machine_line()
    print(line)
    tables, facts = [], []
    for n in sizes:
        tab, f = run_size(n, args.seed, pairs, not args.no_memory, n == load_size)
        f["pairs"] = pairs
        tables.append(tab)
        facts.append(f)
    if len(facts) > 1:
        small, big = min(f["n"] for f in facts), max(f["n"] for f in facts)
        print(f"\n== point-query growth: {small:,} and {big:,} transitions in alternating rounds ==", flush=True)
        il = interleaved_growth(small, big)
        il["rounds"] = GROWTH_ROUNDS
        for f in facts:
            if f["n"] == big:
                f["interleaved"] = il
        shown = (f"{k} {fmt(v)}" for k, v in il.items() if k != "rounds" and "ratio" not in k)
        print("  " + ", ".join(shown), flush=True)
    _GROWTH.clear()
    summary = targets(facts)
    print("\n" + summary)
    if args.out:
        when = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        text = "\n\n".join([f"## Benchmark results ({when})", f"Machine: {line}.",
                            f"Command: `python benchmarks/bench.py {' '.join(argv or sys.argv[1:])}`",
                            "### Targets", summary, *(t.markdown() for t in tables)]) + "\n"
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
