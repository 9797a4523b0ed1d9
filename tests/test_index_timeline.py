"""sanctrack._index.timeline: one measure's records in canonical order, its epochs, its runs, its legality."""

from __future__ import annotations

import datetime as dt

import sanctrack as s
from sanctrack._index.timeline import (
    AnswerContext,
    Timeline,
    check_legality,
    corrected,
    known_records,
)

from ._index_fixtures import D, lifecycle, measure

UTC = dt.UTC


def _ctx():
    return AnswerContext("sha256:x", D(2020, 5, 1), {})


def test_records_are_put_in_canonical_order_effective_then_instant_then_registry_order():
    t = [s.Transition("late", "m", "lift", recorded=D(2020, 1, 1), effective=D(2020, 3, 1)),
         s.Transition("timed", "m", "relieve", recorded=D(2020, 1, 1), effective=D(2020, 1, 1),
                      effective_at=dt.datetime(2020, 1, 1, 12, tzinfo=UTC)),
         s.Transition("first", "m", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1))]
    tl = Timeline(measure(), "UTC", t)
    assert [r.id for r in tl.records] == ["first", "timed", "late"]


def test_records_may_be_made_on_first_use():
    calls = []

    def make():
        calls.append(1)
        return list(lifecycle())

    tl = Timeline(measure(), "UTC", make)
    assert not calls
    assert tl.n == 5 and len(tl.records) == 5 and calls == [1]


def test_epochs_are_the_distinct_recorded_dates():
    tl = Timeline(measure(), "UTC", lifecycle())
    assert tl.epochs == [D(2020, n, 1) for n in range(1, 6)]
    assert [tl.epoch(k) for k in (None, D(2019, 12, 31), D(2020, 2, 15), D(2030, 1, 1))] == [5, 0, 2, 5]
    assert [t.id for t in known_records(tl, 2)] == ["t1", "t2"]


def test_runs_are_built_once_per_epoch_and_answer_each_day():
    tl = Timeline(measure(), "UTC", lifecycle())
    ctx = _ctx()
    runs = tl.runs(5, ctx)
    assert tl.runs(5, ctx) is runs and tl.latest is runs
    assert tl.runs(2, ctx) is tl.runs(2, ctx) is tl.cached(2)
    states = [tl.state(5, D(2020, n, 15), ctx)[0].status for n in range(1, 6)]
    assert [str(x) for x in states] == ["in_force", "relieved", "suspended", "relieved", "lifted"]
    assert tl.state(0, D(2020, 3, 1), ctx)[0].cause == "unknown"  # nothing recorded yet


def test_an_instant_is_answered_by_effective_at_on_its_day():
    t = (s.Transition("t1", "m", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1)),
         s.Transition("t2", "m", "lift", recorded=D(2020, 1, 1), effective=D(2020, 2, 1),
                      effective_at=dt.datetime(2020, 2, 1, 12, tzinfo=UTC)))
    tl = Timeline(measure(), "UTC", t)
    ctx = _ctx()
    before, o = tl.state(1, dt.datetime(2020, 2, 1, 11, 59, tzinfo=UTC), ctx)
    after, _ = tl.state(1, dt.datetime(2020, 2, 1, 12, tzinfo=UTC), ctx)
    assert o == D(2020, 2, 1).toordinal()
    assert str(before.status) == "in_force" and str(after.status) == "lifted"


def test_a_correction_supersedes_its_record_only_once_known():
    t = (s.Transition("t1", "m", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1)),
         s.Transition("t2", "m", "impose", recorded=D(2020, 3, 1), effective=D(2020, 1, 2), corrects="t1"))
    tl = Timeline(measure(), "UTC", t)
    active, superseded = corrected(tl, 1)
    assert [x.id for x in active] == ["t1"] and superseded == ()
    active, superseded = corrected(tl, 2)
    assert [x.id for x in active] == ["t2"] and [x.record.id for x in superseded] == ["t1"]


def test_the_legality_check_names_the_first_illegal_step():
    legal = Timeline(measure(), "UTC", lifecycle())
    assert check_legality(legal, _ctx()) is None
    bad = Timeline(measure(), "UTC", (s.Transition("t1", "m", "lift", recorded=D(2020, 1, 1),
                                                    effective=D(2020, 1, 1)),))
    problem = check_legality(bad, _ctx())
    assert problem is not None and problem.record == "t1" and problem.field == "action"
