"""Every fast path answers exactly like one independent oracle, with numpy and without.

The oracle is :func:`sanctrack.strategies.reference_state`: a naive
replay of a measure's records on each question, written apart from the engine.
The paths are forced through the choosers' documented knobs
(:func:`sanctrack._index.inforce.in_force_path`,
:func:`sanctrack._index.screen.screen_path`): ``accel.numpy = None`` for the
pure paths, the thresholds beside the screen chooser, and asking a knowledge
date twice to build its in-force index. Nothing here reads a private attribute
of a registry or a byte layout.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sanctrack as s
from sanctrack._index import accel
from sanctrack._index import screen as screen_module
from sanctrack._model import IN_FORCE
from sanctrack.strategies import answer_of, reference_state

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from synth import generate

D = dt.date

_BUILT: dict[tuple[int, int], tuple] = {}


class Reference:
    """The oracle's answers over one synthetic registry's records."""

    def __init__(self, synth):
        self.measures = {m.id: m for m in synth.measures}
        self.records: dict[str, list] = {}
        for t in synth.transitions:
            self.records.setdefault(t.measure, []).append(t)
        self.transitions = list(synth.transitions)

    def state(self, mid, day, known=None):
        return reference_state(self.measures[mid], self.records.get(mid, ()), day, known)

    def in_force(self, day, known=None):
        """[(measure id, answer)] of the measures in force, in answer order (authority, then id)."""
        order = sorted(self.measures.values(), key=lambda m: (m.authority, m.id))
        out = []
        for m in order:
            a = self.state(m.id, day, known)
            if a.status in ("in_force", "relieved"):
                out.append((m.id, a))
        return out

    def boundaries(self, mid):
        """Every day a record of the measure names, and the day before each."""
        days = set()
        for t in self.records.get(mid, ()):
            for d in (t.effective, t.announced, t.until, t.recorded):
                if d is not None:
                    days.update((d, d - dt.timedelta(days=1)))
        return sorted(days) or [D(2020, 1, 1)]

    def known_dates(self):
        return sorted({t.recorded for t in self.transitions})


def built(n, seed):
    key = (n, seed)
    if key not in _BUILT:
        synth = generate(n, seed)
        _BUILT[key] = (synth, s.Registry.build(**synth.kwargs()), Reference(synth))
    return _BUILT[key]


def fresh(n, seed):
    """A registry of its own (no index built yet) over the same records."""
    synth, _, ref = built(n, seed)
    return s.Registry.build(**synth.kwargs()), ref


def listed(states):
    return [(x.measure.id, answer_of(x)) for x in states]


sizes = st.sampled_from([30, 80, 200])
seeds = st.integers(0, 10_000)


@pytest.fixture(params=["numpy", "pure"])
def engine(request, monkeypatch):
    """Run a test with the numpy paths (at any size) and without numpy."""
    if request.param == "numpy":
        if not accel.available():
            pytest.skip("numpy (the fast extra) is not installed")
        monkeypatch.setattr(screen_module, "NUMPY_MEASURES", 0)  # vectorised at any size
    else:
        monkeypatch.setattr(accel, "numpy", None)
    return request.param


# -- point queries -------------------------------------------------------------------


@given(n=sizes, seed=seeds, data=st.data())
@settings(max_examples=30, deadline=None)
def test_state_equals_the_oracle_on_every_boundary(n, seed, data):
    _, reg, ref = built(n, seed)
    mid = data.draw(st.sampled_from(sorted(ref.measures)))
    known = data.draw(st.sampled_from([None, *ref.known_dates()]))
    for day in ref.boundaries(mid):
        assert answer_of(reg.state(mid, day, known=known)) == ref.state(mid, day, known), (mid, day, known)


@given(n=sizes, seed=seeds, data=st.data())
@settings(max_examples=30, deadline=None)
def test_the_bitemporal_point_path_equals_a_view_and_the_oracle(n, seed, data):
    _, reg, ref = built(n, seed)
    mid = data.draw(st.sampled_from(sorted(ref.measures)))
    known = data.draw(st.sampled_from(ref.known_dates()))
    view = reg.as_known_on(known)
    for day in ref.boundaries(mid):
        expected = ref.state(mid, day, known)
        assert answer_of(reg.state(mid, day, known=known)) == expected
        assert view.state(mid, day) == reg.state(mid, day, known=known)
        # a view's own knowledge date caps a later known=
        assert view.state(mid, day, known=known + dt.timedelta(days=400)) == reg.state(mid, day, known=known)


def test_the_point_shortcut_answers_like_a_knowledge_date_after_everything():
    _, reg, ref = built(200, 5)
    later = max(ref.known_dates())
    for mid in sorted(ref.measures)[:10]:
        for day in ref.boundaries(mid):
            a = reg.state(mid, day)
            assert a is reg.state(mid, day)  # the kept answer
            assert answer_of(a) == answer_of(reg.state(mid, day, known=later)) == ref.state(mid, day)


# -- in_force: each path --------------------------------------------------------------


@pytest.mark.parametrize("known_at", [None, 0.3, 0.8])
def test_in_force_equals_the_oracle_on_every_path(engine, known_at):
    reg, ref = fresh(200, 11)
    dates = ref.known_dates()
    known = None if known_at is None else dates[int(known_at * len(dates))]
    days = sorted({d for mid in sorted(ref.measures)[:8] for d in ref.boundaries(mid)})[::3]
    for day in days:
        expected = ref.in_force(day, known)
        # the first ask is answered measure by measure, the second builds the view's index, the third reads it
        for _ in range(3):
            assert listed(reg.in_force(day, known=known)) == expected, day


def test_in_force_on_a_target_and_with_filters_equals_filtering_the_oracle(engine):
    synth, reg, ref = built(3000, 11)
    for day in (D(2003, 1, 1), D(2010, 6, 30), D(2025, 9, 20)):
        everything = reg.in_force(day)
        assert listed(everything) == ref.in_force(day)
        assert len(everything) > 20
        assert reg.in_force(day) == everything == reg.in_force(day)
        for code in ("EU", "US-OFAC"):
            assert reg.in_force(day, authority=code) == [x for x in everything if x.measure.authority == code]
        assert reg.in_force(day, program="PROG-3") == [x for x in everything if x.program == "PROG-3"]
        ent = synth.entities[5]
        assert reg.in_force(day, target=ent.name) == [x for x in everything if ent.id in x.targets]


def test_the_pure_and_numpy_in_force_indexes_give_the_same_objects_as_the_point_path(monkeypatch):
    reg, ref = fresh(600, 3)
    days = sorted({d for mid in sorted(ref.measures)[:20] for d in ref.boundaries(mid)})
    for numpy_on in ([True, False] if accel.available() else [False]):
        if not numpy_on:
            monkeypatch.setattr(accel, "numpy", None)
        for day in days:
            reg.in_force(day)
            got = reg.in_force(day)
            assert got == [x for x in (reg.state(m, day) for m in _answer_order(reg)) if x.status in IN_FORCE]
            assert all(a is reg.state(a.measure.id, day) for a in got)


def _answer_order(reg):
    return [m.id for m in sorted(reg.measures, key=lambda m: (m.authority, m.id))]


def test_in_force_at_an_instant_answers_each_measure_in_its_zone():
    synth, reg, ref = built(2000, 3)
    timed = [t for t in synth.transitions if t.effective_at is not None]
    assert timed
    for t in timed[:20]:
        at = t.effective_at
        states = reg.in_force(at)
        assert states == [x for x in (reg.state(m, at) for m in _answer_order(reg)) if x.status in IN_FORCE]


def test_in_force_on_an_empty_registry_is_empty():
    assert s.Registry.build().in_force("2020-01-01") == []


# -- screen: each path --------------------------------------------------------------


def _screen_expectation(ref, queries, dates, known):
    return [ref.state(q, d, known).status in ("in_force", "relieved") for q, d in zip(queries, dates)]


@pytest.mark.parametrize("known_index", [None, 0, 7, -3])
@pytest.mark.parametrize("path", ["flips", "measure flips", "segmented"])
def test_a_screen_batch_equals_the_oracle_on_every_boundary(engine, known_index, path, monkeypatch):
    reg, ref = fresh(600, 8)
    known = None if known_index is None else ref.known_dates()[known_index]
    if path == "measure flips":
        monkeypatch.setattr(screen_module, "BATCH_SHARE", 0)  # never worth the whole view's flips
    if path == "segmented":
        monkeypatch.setattr(screen_module, "SEGMENT_FROM", 0)
        monkeypatch.setattr(screen_module, "SEGMENT_KEYS_FROM", 0)
    queries, dates = [], []
    for mid in sorted(ref.measures):
        for day in ref.boundaries(mid):
            queries.append(mid)
            dates.append(day)
    cols = reg.screen(queries, dates, known=known)
    assert cols.hits == _screen_expectation(ref, queries, dates, known)
    for i in range(0, len(queries), 97):  # each hit's state is the point query's
        assert cols[i].states == ((reg.state(queries[i], dates[i], known=known),) if cols.hits[i] else ())


@given(n=sizes, seed=seeds, data=st.data())
@settings(max_examples=20, deadline=None)
def test_screen_pairs_equal_the_oracle(n, seed, data):
    _, reg, ref = built(n, seed)
    mids = sorted(ref.measures)
    picks = data.draw(st.lists(st.sampled_from(mids), min_size=1, max_size=80))
    pairs = [(m, data.draw(st.sampled_from(ref.boundaries(m)))) for m in picks]
    hits = reg.screen(pairs)
    assert [h.hit for h in hits] == _screen_expectation(ref, [p[0] for p in pairs], [p[1] for p in pairs], None)


def test_a_screen_batch_with_one_target_answers_the_target_too(engine):
    synth, reg, ref = built(600, 9)
    mids = sorted(ref.measures)
    day = D(2015, 6, 1)
    ent = synth.entities[0]
    queries = [*mids, ent.name]
    cols = reg.screen(queries, day)
    assert cols.hits[:-1] == _screen_expectation(ref, mids, [day] * len(mids), None)
    assert cols[-1].states == tuple(reg.in_force(day, target=ent.name))


def test_screen_columns_take_one_date_strings_and_numpy_dates(engine):
    _, reg, ref = built(600, 2)
    mids = sorted(ref.measures) * 2
    day = D(2012, 3, 4)
    want = _screen_expectation(ref, mids, [day] * len(mids), None)
    assert reg.screen(mids, day).hits == want
    assert reg.screen(mids, "2012-03-04").hits == want
    if accel.available():
        import numpy as np

        assert reg.screen(mids, np.array([np.datetime64("2012-03-04")] * len(mids))).hits == want


def test_screen_columns_refuse_mismatched_lengths_and_report_unknown_targets():
    _, reg, ref = built(200, 1)
    with pytest.raises(ValueError, match="3 queries but 2 dates"):
        reg.screen(["a", "b", "c"], [D(2020, 1, 1)] * 2)
    with pytest.raises(s.UnknownTarget):
        reg.screen([("no such thing", D(2020, 1, 1))])
    with pytest.raises(s.UnknownTarget):
        reg.screen(["no such thing"] * 100, D(2020, 1, 1))


def test_a_screening_is_a_sequence_of_hits():
    _, reg, ref = built(200, 2)
    mid = sorted(ref.measures)[0]
    day = ref.boundaries(mid)[-1]
    cols = reg.screen([mid, mid], [day, D(1990, 1, 1)])
    assert len(cols) == 2 and cols[1] == s.ScreenHit(mid, D(1990, 1, 1), None, ())
    assert cols[:1] == [cols[0]] and list(cols) == [cols[0], cols[1]]
    assert cols.hits == [ref.state(mid, day).status in ("in_force", "relieved"), False]


def _one_measure(*transitions):
    return dict(authorities=[s.Authority("EU", "Council", "EU", "Europe/Brussels")],
                measures=[s.Measure("m", "EU", "blocking", "M")], transitions=transitions)


def test_relieved_is_in_force_and_suspended_and_lifted_are_not_on_every_screen_path(engine):
    """Derived by hand: in force from the impose, out on the suspend, in on the resume, out on the lift."""
    reg = s.Registry.build(**_one_measure(
        s.Transition("t1", "m", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1)),
        s.Transition("t2", "m", "relieve", recorded=D(2020, 2, 1), effective=D(2020, 2, 1)),
        s.Transition("t3", "m", "suspend", recorded=D(2020, 3, 1), effective=D(2020, 3, 1)),
        s.Transition("t4", "m", "resume", recorded=D(2020, 4, 1), effective=D(2020, 4, 1)),
        s.Transition("t5", "m", "lift", recorded=D(2020, 5, 1), effective=D(2020, 5, 1))))
    days = [D(2019, 12, 31), D(2020, 1, 1), D(2020, 2, 15), D(2020, 3, 1), D(2020, 3, 31), D(2020, 4, 1),
            D(2020, 4, 30), D(2020, 5, 1), D(2030, 1, 1)]
    expected = [False, True, True, False, False, True, True, False, False]
    for known in (None, D(2020, 2, 1)):
        want = expected if known is None else [False] + [True] * 8
        for pad in (0, 8192):  # a small batch and one past every threshold
            cols = reg.screen(["m"] * pad + ["m"] * len(days), [D(2020, 1, 1)] * pad + days, known=known)
            assert cols.hits[pad:] == want
            assert [h.states[0].transition.id if h.states else None for h in cols[pad:]] == ([
                None, "t1", "t2", None, None, "t4", "t4", None, None] if known is None else [
                None, "t1", "t2", "t2", "t2", "t2", "t2", "t2", "t2"])


def test_a_measure_with_hundreds_of_flips_is_screened_like_state(engine):
    first = D(2000, 1, 3)
    ts = [s.Transition("t0", "m", "impose", recorded=first, effective=first)]
    for i in range(1, 301):
        day = first + dt.timedelta(days=2 * i)
        ts.append(s.Transition(f"t{i}", "m", "suspend" if i % 2 else "resume", recorded=day, effective=day))
    reg = s.Registry.build(**_one_measure(*ts))
    days = [first + dt.timedelta(days=i) for i in range(-1, 620)]
    cols = reg.screen(["m"] * len(days), days)
    assert cols.hits == [reg.state("m", d).in_force for d in days]


# -- changes and knowledge views -------------------------------------------------------


@pytest.mark.parametrize("known_at", [None, 0.5, 0.8, 0.95])
def test_changes_in_exact_order_equal_a_naive_sort(known_at):
    synth, reg, ref = built(600, 6)
    dates = ref.known_dates()
    known = None if known_at is None else dates[int(known_at * (len(dates) - 1))]
    seen = [t for t in synth.transitions if known is None or t.recorded <= known]
    corrected = {t.corrects for t in seen if t.corrects is not None}
    rank = {m: n for n, m in enumerate(_answer_order(reg))}
    canonical = {t.id: n for n, t in enumerate(reg.transitions)}  # by measure, then canonical order
    expected = sorted((t for t in seen if t.effective is not None and t.id not in corrected),
                      key=lambda t: (t.effective, rank[t.measure], canonical[t.id]))
    a, b = D(1990, 1, 1), D(2100, 1, 1)
    for _ in range(2):
        assert reg.changes(a, b, known=known) == expected
    mid = D(2012, 1, 1)
    assert reg.changes(a, mid, known=known) + reg.changes(mid, b, known=known) == expected


def test_a_knowledge_view_answers_every_whole_registry_question_like_known(engine):
    _, reg, ref = built(600, 12)
    known = ref.known_dates()[len(ref.known_dates()) // 2]
    view = reg.as_known_on(known)
    day = D(2014, 2, 2)
    for _ in range(2):
        assert view.in_force(day) == reg.in_force(day, known=known)
        assert listed(view.in_force(day)) == ref.in_force(day, known)
    assert view.changes("1990-01-01", "2100-01-01") == reg.changes("1990-01-01", "2100-01-01", known=known)
    mids = sorted(ref.measures)
    assert view.screen(mids, day).hits == reg.screen(mids, day, known=known).hits


# -- legality -----------------------------------------------------------------------------


def test_an_epoch_that_is_illegal_as_known_then_is_still_reported():
    # the relieve was back-filled in 2021: as known in 2020 the revoke has nothing to revoke
    with pytest.raises(s.RegistryError) as err:
        s.Registry.build(**_one_measure(
            s.Transition("t1", "m", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1)),
            s.Transition("t2", "m", "relieve", recorded=D(2021, 1, 1), effective=D(2020, 2, 1)),
            s.Transition("t3", "m", "revoke_relief", recorded=D(2020, 3, 1), effective=D(2020, 3, 1))))
    (p,) = err.value.problems
    assert p.record == "t3" and p.field == "action"
    assert str(p.message).endswith("(as known on 2020-03-01)")


def test_a_correction_that_makes_the_latest_epoch_illegal_is_reported_once():
    with pytest.raises(s.RegistryError) as err:
        s.Registry.build(**_one_measure(
            s.Transition("t1", "m", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1)),
            s.Transition("t2", "m", "lift", recorded=D(2020, 2, 1), effective=D(2020, 2, 1)),
            s.Transition("t3", "m", "reimpose", recorded=D(2020, 3, 1), effective=D(2020, 3, 1)),
            s.Transition("t4", "m", "reimpose", recorded=D(2020, 4, 1), effective=D(2020, 1, 15), corrects="t3")))
    (p,) = err.value.problems
    assert p.record == "t4" and "(as known on" not in p.message


def test_a_measure_too_big_for_small_indexes_answers_like_the_oracle():
    first = D(2000, 1, 3)
    ts = [s.Transition("t0", "m", "impose", recorded=first, effective=first)]
    for i in range(1, 400):  # over 255 records: the runs' wide form
        day = first + dt.timedelta(days=i)
        ts.append(s.Transition(f"r{i}", "m", "relieve", recorded=day, effective=day, until=day + dt.timedelta(days=3)))
    reg = s.Registry.build(**_one_measure(*ts))
    m = s.Measure("m", "EU", "blocking", "M")
    for i in range(0, 420, 7):
        day = first + dt.timedelta(days=i)
        assert answer_of(reg.state("m", day)) == reference_state(m, ts, day)
