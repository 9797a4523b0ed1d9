"""Laws of the core, on random valid registries (legal walks through the state machine).

Registries come from :func:`sanctrack.strategies.registry_records`; every
answer is checked against the one reference oracle,
:func:`sanctrack.strategies.reference_state`.
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import attrs
from hypothesis import given
from hypothesis import strategies as st

import sanctrack as s
from sanctrack import strategies
from sanctrack.strategies import answer_of, reference_state


@st.composite
def registries(draw):
    """A valid registry and, per measure, its records in registry order."""
    records = draw(strategies.registry_records(max_size=4, max_transitions=8, with_corrections=True,
                                               with_pending=True, with_windows=True, recorded_lag=5,
                                               with_releases=False))
    per = {m.id: [t for t in records["transitions"] if t.measure == m.id] for m in records["measures"]}
    return s.Registry.build(**records), per


def boundary_dates(per):
    """Every date on, just before and just after a boundary of the records."""
    days = set()
    for recs in per.values():
        for t in recs:
            for d in (t.effective, t.until, t.announced, t.recorded, *(t.effective_window or ())):
                if d is not None:
                    days.update({d - dt.timedelta(days=1), d, d + dt.timedelta(days=1)})
    return sorted(days)


@given(registries())
def test_a_state_equals_the_reference_oracle(rp):
    reg, per = rp
    for day in boundary_dates(per):
        for mid, recs in per.items():
            assert answer_of(reg.state(mid, day)) == reference_state(reg.measure(mid), recs, day), (mid, day)


@given(registries(), st.data())
def test_a_bitemporal_state_equals_the_reference_oracle_as_known(rp, data):
    reg, per = rp
    days = boundary_dates(per)
    for _ in range(20):
        day, known = data.draw(st.sampled_from(days)), data.draw(st.sampled_from(days))
        view = reg.as_known_on(known)
        for mid, recs in per.items():
            want = reference_state(reg.measure(mid), recs, day, known)
            assert answer_of(reg.state(mid, day, known=known)) == want, (mid, day, known)
            assert answer_of(view.state(mid, day)) == want, (mid, day, known)


@given(registries())
def test_b_in_force_is_the_set_of_measures_in_force(rp):
    reg, per = rp
    for day in boundary_dates(per):
        got = [x.measure.id for x in reg.in_force(day)]
        want = sorted((reg.measure(m).authority, m) for m in per if reg.state(m, day).in_force)
        assert got == [m for _, m in want]
        assert all(x.status in s.IN_FORCE for x in reg.in_force(day))


@given(registries())
def test_c_knowledge_is_monotone_and_the_last_view_is_the_registry(rp):
    reg, per = rp
    days = boundary_dates(per)
    last = max(t.recorded for recs in per.values() for t in recs)
    prev: set[str] = set()
    for y in days:
        ids = {t.id for t in reg.as_known_on(y).transitions}
        assert prev <= ids
        prev = ids
    full = reg.as_known_on(last)
    assert {t.id for t in full.transitions} == {t.id for t in reg.transitions}
    for day in days:
        for mid in per:
            assert full.state(mid, day) == reg.state(mid, day)


@given(registries(), st.randoms(use_true_random=False))
def test_d_the_digest_does_not_depend_on_insertion_order(rp, rnd):
    reg, per = rp
    # shuffle everything, keeping each measure's own records in registry order
    queues = {m: list(recs) for m, recs in per.items()}
    order = [m for m, recs in per.items() for _ in recs]
    rnd.shuffle(order)
    shuffled = [queues[m].pop(0) for m in order]
    measures = list(reg.measures)
    rnd.shuffle(measures)
    again = s.Registry.build(info=reg.info, authorities=reg.authorities[::-1], entities=reg.entities[::-1],
                             instruments=reg.instruments[::-1], sources=reg.sources[::-1], measures=measures,
                             transitions=shuffled)
    assert again.digest == reg.digest


@given(registries())
def test_e_history_is_ordered_and_tiles_time(rp):
    reg, per = rp
    for mid in per:
        h = reg.history(mid)
        vs = list(h)
        assert [v.version for v in vs] == list(range(1, len(vs) + 1))
        for a, b in pairwise(vs):
            assert a.valid.end == b.valid.start and a.valid.start < b.valid.start
        if vs:
            assert vs[-1].valid.end is None
            first_effective = min(t.effective for t in per[mid] if t.effective is not None)
            assert vs[0].valid.start <= first_effective
            # every day from the first version on lies in exactly one version
            for day in boundary_dates(per):
                if day >= vs[0].valid.start:
                    assert sum(v.valid.contains(day) for v in vs) == 1
                    # the same version; its marks are the day's (a history version is marked as of its start)
                    got = reg.state(mid, day)
                    v = next(v for v in vs if v.valid.contains(day))
                    assert attrs.evolve(got, projection=v.projection, scheduled=v.scheduled) == v
                    assert got.projection is (day > reg.knowledge)


@given(registries())
def test_changes_are_the_effective_active_transitions_in_range(rp):
    reg, per = rp
    days = boundary_dates(per)
    a, b = days[0], days[-1]
    superseded = {t.corrects for recs in per.values() for t in recs if t.corrects}
    want = sorted(t.id for recs in per.values() for t in recs
                  if t.effective is not None and t.id not in superseded and a <= t.effective < b)
    assert sorted(t.id for t in reg.changes(a, b)) == want
