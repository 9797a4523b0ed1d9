"""sanctrack._index.accel: the numpy indexes answer like the pure ones (skipped without numpy)."""

from __future__ import annotations

import datetime as dt

import pytest

import sanctrack as s
from sanctrack._index import accel
from sanctrack._index.timeline import AnswerContext, Timeline

from ._index_fixtures import D, lifecycle, measure

pytestmark = pytest.mark.skipif(not accel.available(), reason="numpy (the fast extra) is not installed")


def _stores():
    ctx = AnswerContext("sha256:x", D(2020, 5, 1), {})
    return [Timeline(measure(), "UTC", lifecycle()).runs(k, ctx) for k in (5, 2, 0, 3)]


@pytest.mark.parametrize("segmented", [False, True])
def test_the_flip_keys_answer_like_the_flip_days(segmented):
    import bisect

    stores = _stores()
    keys = accel.NumpyRuns(stores)
    days = [D(2019, 12, 31) + dt.timedelta(days=n) for n in range(0, 200, 3)]
    ranks = [r for r in range(len(stores)) for _ in days]
    ords = [d.toordinal() for _ in stores for d in days]
    got = keys.screen(ranks, ords, segmented=segmented).tolist()
    want = [bisect.bisect_right(stores[r].flip_days(), d) % 2 == 1 for r in range(len(stores)) for d in days]
    assert got == want


def test_the_in_force_arrays_hand_out_the_stores_own_answers():
    from sanctrack._index.inforce import OPEN_END

    stores = _stores()
    runs = [(r, a, OPEN_END if b is None else b, rs, i)
            for r, rs in enumerate(stores) for i, a, b in rs.in_force_runs()]
    index = accel.NumpyInForce(runs, stores)
    o = D(2020, 2, 15).toordinal()
    got = index.at(o)
    assert got == [rs.at(o) for rs in stores if rs.at(o).in_force]
    assert all(a is b for a, b in zip(index.at(o), got))


def test_ranks_dates_and_ordinals():
    import numpy as np

    ranks = accel.ranks_of({"a": 0, "b": 1}, ["b", "x", "a", ["unhashable"]])
    assert ranks.tolist() == [1, -1, 0, -1]
    days = np.array(["2020-01-01", "2020-03-01"], dtype="datetime64[D]")
    assert accel.is_day_array(days) and not accel.is_day_array([D(2020, 1, 1)])
    assert accel.ordinals_of(days).tolist() == [D(2020, 1, 1).toordinal(), D(2020, 3, 1).toordinal()]
    assert accel.day_ordinals([D(2020, 1, 1)]).tolist() == [D(2020, 1, 1).toordinal()]


# -- screening ids read from a file: fresh strings, repeats, arrays (the same answers as the oracle) ------------


def _fresh_registry(n=600, seed=8):
    import sys
    from pathlib import Path

    from sanctrack.strategies import reference_state

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from synth import generate

    synth = generate(n, seed)
    reg = s.Registry.build(**synth.kwargs())
    measures = {m.id: m for m in synth.measures}
    records: dict = {}
    for t in synth.transitions:
        records.setdefault(t.measure, []).append(t)

    def oracle(q, d):
        return reference_state(measures[q], records.get(q, ()), d, None).status in ("in_force", "relieved")

    return reg, sorted(measures), oracle


def _questions(mids, n=3000, seed=1):
    import random

    rnd = random.Random(seed)
    lo, hi = dt.date(2000, 1, 1).toordinal(), dt.date(2026, 6, 30).toordinal()
    queries = [(mids[rnd.randrange(len(mids))] + "#")[:-1] for _ in range(n)]  # equal strings, other objects
    return queries, [dt.date.fromordinal(rnd.randint(lo, hi)) for _ in range(n)]


@pytest.mark.parametrize("arrow", ["arrow", "no arrow"])
@pytest.mark.parametrize("form", ["list", "numpy", "pyarrow"])
def test_fresh_string_ids_screen_as_the_oracle_answers(monkeypatch, arrow, form):
    np = pytest.importorskip("numpy")
    from sanctrack._index import screen as screen_module

    reg, mids, oracle = _fresh_registry()
    queries, dates = _questions(mids)
    want = [oracle(q, d) for q, d in zip(queries, dates)]
    pure = reg.screen(queries, dates)
    monkeypatch.setattr(screen_module, "NUMPY_MEASURES", 0)  # vectorised at any size
    if arrow == "no arrow":
        monkeypatch.setattr(accel, "arrow", None)
    if form == "numpy":
        column = np.array(queries)
    elif form == "pyarrow":
        pa = pytest.importorskip("pyarrow")
        column = pa.array(queries)
    else:
        column = queries
    got = reg.screen(column, dates)
    assert got.hits == want
    assert list(got.queries) == queries and got.queries[5] == queries[5] and type(got.queries[5]) is str
    assert got == pure  # every ScreenHit, states included
    monkeypatch.setattr(accel, "numpy", None)  # the pure paths take the arrays too
    assert reg.screen(column, dates) == pure


def test_repeated_and_unknown_ids_behave_as_before(monkeypatch):
    pytest.importorskip("numpy")
    from sanctrack._index import screen as screen_module

    reg, mids, oracle = _fresh_registry()
    day = dt.date(2020, 6, 1)
    queries = [(mids[3] + "#")[:-1]] * 2000 + [mids[4]] * 100
    monkeypatch.setattr(screen_module, "NUMPY_MEASURES", 0)
    assert reg.screen(queries, day).hits == [oracle(mids[3], day)] * 2000 + [oracle(mids[4], day)] * 100
    with_unknown = queries + ["no-such-measure-or-target"]
    pure_error = None
    try:
        expected = reg.screen(with_unknown, day)
    except Exception as e:
        pure_error = type(e), str(e)
    for column in (with_unknown, pytest.importorskip("pyarrow").array(with_unknown)):
        if pure_error is None:
            assert reg.screen(column, day) == expected
        else:
            with pytest.raises(pure_error[0]) as got:
                reg.screen(column, day)
            assert str(got.value) == pure_error[1]


def test_text_arrays_are_recognised():
    np = pytest.importorskip("numpy")
    pa = pytest.importorskip("pyarrow")
    assert accel.is_text_array(np.array(["a", "b"])) and accel.is_text_array(pa.array(["a"]))
    assert accel.is_text_array(pa.chunked_array([["a"], ["b"]]))
    assert not accel.is_text_array(["a"]) and not accel.is_text_array(np.array([1, 2]))
    assert not accel.is_text_array(pa.array([1]))
    assert accel.text_list(pa.array(["a", "b"])) == ["a", "b"] == accel.text_list(np.array(["a", "b"]))
