"""Eight threads querying one freshly loaded registry get exactly the serial answers.

A registry builds some indexes lazily, on first use: the runs of earlier
knowledge epochs (for ``known=`` queries and ``as_known_on`` views), the
``changes`` index and the in-force index of each view. Here eight threads,
released together by a :class:`threading.Barrier`, hit those lazy paths of a
*fresh* registry at the same moment (each in its own shuffled order, with a
tiny switch interval so the threads interleave inside the builders), and every
answer is compared with a serial run on another fresh copy. The lazy builders
are also counted: each epoch's runs are computed once, however many threads
asked for them at once.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import sanctrack
from sanctrack import Registry
from sanctrack._index import changes as _changes
from sanctrack._index.timeline import Timeline
from sanctrack.strategies import boundary_dates, registry_records

from .conftest import report_lines

THREADS = 8
COUNTS: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    if not COUNTS:
        return
    lines: list[str] = []
    lines.append("")
    lines.append(f"concurrency: {COUNTS['rounds']} rounds of {THREADS} threads, "
                  f"{COUNTS['answers']} threaded answers compared with the serial run")
    report_lines(request, *lines)


@pytest.fixture(autouse=True)
def _switch_often():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


Query = tuple[str, Callable[[Registry], Any]]


def _queries(reg: Registry, max_dates: int = 12) -> list[Query]:
    """Questions that reach every lazy path: known= states, views, changes, in_force, history, diff, explain."""
    recorded = sorted({t.recorded for t in reg.transitions})
    knowns: list[dt.date | None] = [None, *recorded]
    out: list[Query] = []
    for m in reg.measures:
        days = boundary_dates(reg, m.id)
        days = [days[round(i * (len(days) - 1) / (max_dates - 1))] for i in range(max_dates)] \
            if len(days) > max_dates else list(days)
        own = sorted({t.recorded for t in reg.transitions if t.measure == m.id})
        for y in [None, own[0] - dt.timedelta(days=1), *own]:
            for d in days:
                out.append((f"state {m.id} {d} {y}", lambda r, m=m.id, d=d, y=y: r.state(m, d, known=y)))
            out.append((f"history {m.id} {y}", lambda r, m=m.id, y=y: r.history(m, known=y)))
            if y is not None:
                out.append((f"view {m.id} {y}", lambda r, m=m.id, d=days[-1], y=y: r.as_known_on(y).state(m, d)))
                out.append((f"explain {m.id} {y}", lambda r, m=m.id, d=days[0], y=y: r.explain(m, d, known=y)))
    all_days = boundary_dates(reg)
    for y in knowns[:: max(1, len(knowns) // 12)]:
        for a, b in zip(all_days[::7], all_days[3::7]):
            out.append((f"changes {a} {b} {y}", lambda r, a=a, b=b, y=y: r.changes(a, b, known=y)))
            out.append((f"in_force {a} {y}", lambda r, a=a, y=y: r.in_force(a, known=y)))
            out.append((f"diff {a} {b} {y}", lambda r, a=a, b=b, y=y: r.diff(a, b, known=y)))
            if y is not None:
                out.append((f"view in_force {a} {y}", lambda r, a=a, y=y: r.as_known_on(y).in_force(a)))
                out.append((f"view changes {a} {b} {y}", lambda r, a=a, b=b, y=y: r.as_known_on(y).changes(a, b)))
    return out


def _serial(reg: Registry, queries: list[Query]) -> list[Any]:
    return [q(reg) for _, q in queries]


def _threaded(reg: Registry, queries: list[Query]) -> list[list[Any]]:
    barrier = threading.Barrier(THREADS)
    results: list[list[Any]] = [[None] * len(queries) for _ in range(THREADS)]
    errors: list[BaseException] = []

    def work(n: int) -> None:
        order = list(range(len(queries)))
        random.Random(n).shuffle(order)  # each thread its own order; thread 0 the serial one
        if n == 0:
            order.sort()
        try:
            barrier.wait()
            for i in order:
                results[n][i] = queries[i][1](reg)
        except BaseException as exc:  # reported below, with the thread's traceback lost but its type kept
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    COUNTS["rounds"] += 1
    COUNTS["answers"] += THREADS * len(queries)
    return results


def _compare(serial: list[Any], threaded: list[list[Any]], queries: list[Query]) -> None:
    for n, answers in enumerate(threaded):
        for i, (want, got) in enumerate(zip(serial, answers)):
            assert got == want, f"thread {n}: {queries[i][0]}"


@pytest.fixture
def count_builds(monkeypatch):
    """Count how often each lazy builder runs: a measure's runs per (timeline, epoch), a view's changes index."""
    calls: Counter[tuple] = Counter()
    real_runs = Timeline.compute_runs
    real_changes = _changes.changes_index

    def compute_runs(self, k, ctx):
        calls[("runs", id(self), k)] += 1
        return real_runs(self, k, ctx)

    def changes_index(cat, y):
        calls[("changes", id(cat), y)] += 1
        return real_changes(cat, y)

    monkeypatch.setattr(Timeline, "compute_runs", compute_runs)
    monkeypatch.setattr(_changes, "changes_index", changes_index)
    return calls


@pytest.mark.parametrize("round_", range(3))
def test_eight_threads_on_a_fresh_bundled_registry_match_a_serial_run(round_, count_builds):
    calls = count_builds
    serial_reg = sanctrack.load(cache=False)
    queries = _queries(serial_reg, max_dates=6)
    serial = _serial(serial_reg, queries)
    fresh = sanctrack.load(cache=False)
    calls.clear()  # from here on, only the threads' builds on the fresh registry
    threaded = _threaded(fresh, queries)
    _compare(serial, threaded, queries)
    runs = {k: v for k, v in calls.items() if k[0] == "runs"}
    assert runs and max(runs.values()) == 1, [k for k, v in runs.items() if v > 1]


def test_the_queries_reach_the_lazy_paths(count_builds):
    reg = sanctrack.load(cache=False)
    queries = _queries(reg, max_dates=6)
    kinds = Counter(name.split(" ")[0] for name, _ in queries)
    assert set(kinds) == {"state", "history", "view", "explain", "changes", "in_force", "diff"}
    count_builds.clear()
    _serial(reg, queries)
    built = {k[0] for k in count_builds}
    assert built == {"runs", "changes"}  # earlier epochs' runs and the changes index waited for a query


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registry_records(with_corrections=True, with_pending=True, with_windows=True, recorded_lag=30))
def test_eight_threads_on_generated_registries_match_a_serial_run(records):
    serial_reg = Registry.build(**records)
    queries = _queries(serial_reg, max_dates=6)
    serial = _serial(serial_reg, queries)
    _compare(serial, _threaded(Registry.build(**records), queries), queries)
