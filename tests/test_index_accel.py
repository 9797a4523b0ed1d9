"""sanctrack._index.accel: the numpy indexes answer like the pure ones (skipped without numpy)."""

from __future__ import annotations

import datetime as dt

import pytest

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
