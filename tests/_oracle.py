"""A naive oracle and a generator of valid random registries, for the core's property tests.

The oracle replays a measure's records in the simplest possible way, with
its own small rule set (it does not use sanctrack's table or index), so that
comparing the two catches a bug in either.
"""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import strategies as st

import sanctrack as s

INF = math.inf


def _instant(t: s.Transition) -> float:
    return t.effective_at.timestamp() if t.effective_at is not None else -INF


class Sim:
    """The oracle's own, minimal model of one measure: status, reliefs and until."""

    def __init__(self, follow=lambda tid: tid) -> None:
        self.status: str | None = None
        self.reliefs: dict[str, dt.date | None] = {}
        self.until: dt.date | None = None
        self.follow = follow  # maps a relief reference to the record now standing for it

    def lapse(self, upto: dt.date) -> None:
        """Every until on or before ``upto`` passes."""
        for rid in [r for r, u in self.reliefs.items() if u is not None and u <= upto]:
            del self.reliefs[rid]
            if self.status == "relieved" and not self.reliefs:
                self.status = "in_force"
        if self.until is not None and self.until <= upto and self.status in ("in_force", "relieved", "suspended"):
            self.status, self.until, self.reliefs = "expired", None, {}

    def apply(self, action: str, tid: str, until: dt.date | None = None, relief: str | None = None) -> None:
        if action in ("impose", "reimpose"):
            self.status, self.until, self.reliefs = "in_force", until, {}
        elif action == "relieve":
            self.reliefs[tid] = until
            self.status = "relieved"
        elif action == "revoke_relief":
            if relief:
                self.reliefs.pop(self.follow(relief))
            else:
                self.reliefs = {}
            self.status = "relieved" if self.reliefs else "in_force"
        elif action == "extend":
            if relief:
                self.reliefs[self.follow(relief)] = until
            else:
                self.until = until
        elif action == "suspend":
            self.status = "suspended"
        elif action == "resume":
            self.status = "relieved" if self.reliefs else "in_force"
        elif action == "lift":
            self.status, self.until, self.reliefs = "lifted", None, {}


def oracle(records: list[s.Transition], on: dt.date, known: dt.date | None = None):
    """(status, relief ids, pending ids, uncertain) of one measure on a date.

    ``records`` are the measure's transitions in registry order.
    """
    recs = [t for t in records if known is None or t.recorded <= known]
    corrector = {t.corrects: t for t in recs if t.corrects}
    active = [t for t in recs if t.id not in corrector and t.effective is not None]
    active.sort(key=lambda t: (t.effective, _instant(t)))  # stable: registry order breaks ties
    def final(tid):
        while tid in corrector:
            tid = corrector[tid].id
        return tid

    m = Sim(final)
    for t in active:
        if t.effective > on:
            break
        m.lapse(t.effective - dt.timedelta(days=1))
        m.apply(t.action, t.id, t.until, t.relief)
    m.lapse(on)
    status, reliefs = m.status, m.reliefs
    pending = []
    for t in recs:
        if t.effective is None and t.announced <= on:
            c = corrector.get(t.id)
            if c is None or on < c.when:
                pending.append(t.id)
    uncertain = any(t.effective_window[0] <= on < t.effective_window[1]
                    for t in active if t.effective_window is not None)
    return status, sorted(reliefs), sorted(pending), uncertain


def answer(state: s.MeasureState):
    """The same shape as :func:`oracle`, from sanctrack's answer."""
    return (
        None if state.status is None else str(state.status),
        sorted(r.transition.id for r in state.reliefs),
        sorted(p.id for p in state.pending),
        state.uncertain,
    )


# -- a generator of valid random registries (legal walks, written for these tests) --

BASE = dt.date(2020, 1, 1)
AUTHORITIES = [
    s.Authority("US-OFAC", "Office of Foreign Assets Control", "US", "America/New_York"),
    s.Authority("EU", "Council of the European Union", "EU", "Europe/Brussels"),
]
ENTITIES = [
    s.Entity("acme", "organisation", "Acme Air OJSC", aliases=("Acme",), identifiers=("ofac:1",)),
    s.Entity("potashco", "organisation", "Potash Company", identifiers=("ofac:2",)),
]
SOURCES = [s.Source("src", "Test Publisher", "https://example.org/src")]


@st.composite
def measure_records(draw, mid: str, *, corrections: bool = True, pending: bool = True,
                    windows: bool = True) -> list[s.Transition]:
    """A legal walk through the state machine for one measure, with recorded dates."""
    n = draw(st.integers(1, 9))
    day = BASE + dt.timedelta(days=draw(st.integers(0, 60)))
    recorded = day
    m = Sim()
    out: list[s.Transition] = []

    for i in range(n):
        step = draw(st.sampled_from([0, 0, 1, 3, 10, 30, 90]))
        day = day + dt.timedelta(days=step)
        m.lapse(day - dt.timedelta(days=1))
        legal = [a for a in s.Action if s.is_legal(m.status, a)]
        if m.status == "relieved" and not m.reliefs:
            legal = [a for a in legal if a != "revoke_relief"]
        action = draw(st.sampled_from(legal))
        recorded = max(recorded, day + dt.timedelta(days=draw(st.sampled_from([0, 0, 1, 5]))))
        kw: dict = {}
        tid = f"{mid}.t{i}"
        if action in ("impose", "reimpose", "relieve") and draw(st.booleans()):
            kw["until"] = day + dt.timedelta(days=draw(st.integers(1, 120)))
        if action == "extend":
            if m.reliefs and draw(st.booleans()):
                kw["relief"] = draw(st.sampled_from(sorted(m.reliefs)))
            kw["until"] = day + dt.timedelta(days=draw(st.integers(1, 120)))
        if action == "revoke_relief" and draw(st.booleans()):
            kw["relief"] = draw(st.sampled_from(sorted(m.reliefs)))
        if action == "amend":
            kw["program"] = draw(st.sampled_from(["P1", "P2"]))
        if windows and draw(st.integers(0, 5)) == 0:
            kw["effective_window"] = (day - dt.timedelta(days=draw(st.integers(0, 5))),
                                      day + dt.timedelta(days=draw(st.integers(0, 5))))
        if pending and action != "extend" and draw(st.integers(0, 4)) == 0:
            ann = day - dt.timedelta(days=draw(st.integers(0, 20)))
            prec = min(recorded, max(ann, out[-1].recorded if out else ann))
            p = s.Transition(f"{mid}.p{i}", mid, action, recorded=prec, announced=ann, sources=("src",))
            out.append(p)
            if draw(st.booleans()):
                kw["corrects"] = p.id
        t = s.Transition(tid, mid, action, recorded=recorded, effective=day, sources=("src",), **kw)
        out.append(t)
        # the walk's own bookkeeping (a superseded relief id is still the key here)
        m.apply(action, tid, kw.get("until"), kw.get("relief"))
        if corrections and draw(st.integers(0, 6)) == 0:
            # a later correction that re-records the same change with a fuller note
            recorded = recorded + dt.timedelta(days=draw(st.integers(1, 30)))
            fix = s.Transition(f"{tid}.fix", mid, action, recorded=recorded, effective=day,
                               sources=("src",), note="corrected", **kw | {"corrects": tid})
            out.append(fix)
    return out


@st.composite
def registries(draw, **options) -> tuple[s.Registry, dict[str, list[s.Transition]]]:
    """A valid registry and, per measure, its records in registry order."""
    k = draw(st.integers(1, 4))
    measures, per = [], {}
    for j in range(k):
        mid = f"m{j}"
        auth = draw(st.sampled_from(AUTHORITIES)).code
        targets = tuple(draw(st.lists(st.sampled_from([e.id for e in ENTITIES]), min_size=1, max_size=2, unique=True)))
        measures.append(s.Measure(mid, auth, draw(st.sampled_from(["blocking", "sectoral"])), f"Measure {j}",
                                  targets=targets, program="P0", sources=("src",)))
        per[mid] = draw(measure_records(mid, **options))
    transitions = [t for recs in per.values() for t in recs]
    reg = s.Registry.build(authorities=AUTHORITIES, entities=ENTITIES, sources=SOURCES,
                           measures=measures, transitions=transitions)
    return reg, per


def boundary_dates(per: dict[str, list[s.Transition]]) -> list[dt.date]:
    """Every date on, just before and just after a boundary of the records."""
    days = set()
    for recs in per.values():
        for t in recs:
            for d in (t.effective, t.until, t.announced, t.recorded,
                      *(t.effective_window or ())):
                if d is not None:
                    days.update({d - dt.timedelta(days=1), d, d + dt.timedelta(days=1)})
    return sorted(days)
