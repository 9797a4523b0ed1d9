"""The rule-based state machine of :mod:`sanctrack.strategies` (re-exported there).

:class:`RegistryMachine` grows a registry one legal record at a time, drawing
each step like :func:`sanctrack.strategies.histories` does, and hands every
answer sanctrack gives to an overridable hook. Import it from
``sanctrack.strategies``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

import attrs
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from ._model import (
    MEASURE_KINDS,
    Action,
    Authority,
    Basis,
    Confidence,
    Entity,
    Instrument,
    Link,
    Measure,
    MeasureState,
    RegistryInfo,
    Release,
    Source,
    Transition,
)
from ._registry import Registry
from ._strategies_base import MAX_DATE, Env
from ._strategies_history import draw_step
from ._strategies_registries import boundary_dates
from ._strategies_walk import Walker

__all__ = ["RegistryMachine", "machine_settings"]


def machine_settings(**changes: Any) -> settings:
    """The settings :class:`RegistryMachine` test cases use: at least 200 examples, small steps."""
    base = settings()
    kw: dict[str, Any] = {
        "max_examples": max(200, base.max_examples),
        "stateful_step_count": 12,
        "deadline": None,
        "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much],
    }
    kw.update(changes)
    return settings(base, **kw)


class RegistryMachine(RuleBasedStateMachine):
    """A registry that grows one legal record at a time; subclass it to test your system.

    Rules add a measure, a legal transition (drawn like :func:`histories`: from
    the actions the table allows on that date), an announcement and the record
    that fulfils it, a correction (recorded later, superseding a record), and a
    release linked to a transition. After every step the registry is rebuilt
    with :meth:`Registry.build` (so every step is checked) and the invariant
    asks it the state of every measure on every boundary date (see
    :func:`boundary_dates`), as known now and as known on each knowledge date,
    and hands each answer to :meth:`check_state`.

    Override :meth:`check_state` (and :meth:`check_registry` for whole-registry
    questions) to compare your system's answers; :attr:`records` holds the
    current records as :meth:`Registry.build` keyword arguments, and
    :attr:`transitions_in_order` the transitions in registry order. Class
    attributes tune the walk: ``start``, ``max_measures``, ``max_gap``,
    ``max_dates`` (boundary dates checked per measure and knowledge date), ``max_knowns``
    (knowledge dates checked per measure),
    ``check_known`` (also check ``known=`` answers).

    ``TestCase.settings`` run at least 200 examples of 12 steps (a subclass can
    use ``@settings(...)`` as a class decorator, or assign ``TestCase.settings``).
    """

    start: _dt.date = _dt.date(2020, 1, 1)
    max_measures: int = 3
    max_gap: int = 90
    max_dates: int = 16
    max_knowns: int = 4
    check_known: bool = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.TestCase.settings = machine_settings()

    def __init__(self) -> None:
        super().__init__()
        self._env = Env(("S1", "S2"), ("gl-1",), ("target-a", "target-b"), self.start, MAX_DATE)
        self._base: dict[str, Any] = {
            "info": RegistryInfo(name="machine", version="1"),
            "authorities": (Authority("US-OFAC", "Office of Foreign Assets Control", "US", "America/New_York"),
                            Authority("EU", "Council of the European Union", "EU", "Europe/Brussels")),
            "entities": (Entity("target-a", "organisation", "Target A", aliases=("TA",)),
                         Entity("target-b", "person", "Target B")),
            "instruments": (Instrument("gl-1", "general_licence", "General License 1", number="GL 1"),),
            "sources": (Source("S1", "Publisher One", "https://example.org/1"),
                        Source("S2", "Publisher Two", "https://example.org/2")),
        }
        self._measures: list[Measure] = []
        self._walkers: list[Walker] = []
        self._days: list[_dt.date] = []
        self._recorded: list[_dt.date] = []
        self._trs: list[Transition] = []
        self._releases: list[Release] = []
        self._links: list[Link] = []
        self._n = 0
        self._registry: Registry | None = None

    # -- what subclasses read -------------------------------------------------

    @property
    def records(self) -> dict[str, Any]:
        """The current records, as :meth:`Registry.build` keyword arguments."""
        return {**self._base, "measures": tuple(self._measures), "transitions": tuple(self._trs),
                "releases": tuple(self._releases), "links": tuple(self._links)}

    @property
    def transitions_in_order(self) -> tuple[Transition, ...]:
        """Every transition, in registry order."""
        return tuple(self._trs)

    @property
    def registry(self) -> Registry:
        """The registry of the current records (built once per step)."""
        if self._registry is None:
            self._registry = Registry.build(**self.records)
        return self._registry

    # -- hooks -------------------------------------------------------------------

    def check_state(self, registry: Registry, measure_id: str, on: _dt.date, known: _dt.date | None,
                    state: MeasureState) -> None:
        """Compare your system's answer with ``state`` (sanctrack's); does nothing by default."""

    def check_registry(self, registry: Registry) -> None:
        """Whole-registry checks after every step; does nothing by default."""

    # -- rules ----------------------------------------------------------------------

    def _id(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def _changed(self) -> None:
        self._registry = None

    @initialize(kind=st.sampled_from(sorted(MEASURE_KINDS)), authority=st.integers(0, 1))
    def first_measure(self, kind: str, authority: int) -> None:
        self._new_measure(kind, authority, 0)

    def _new_measure(self, kind: str, authority: int, offset: int) -> None:
        mid = f"m{len(self._measures) + 1}"
        code = self._base["authorities"][authority].code
        self._measures.append(Measure(mid, code, kind, f"Measure {mid}", targets=("target-a",), sources=("S1",)))
        w = Walker()
        day = self.start + _dt.timedelta(days=offset)
        w.advance(day)
        t = Transition(id=f"{mid}.impose", measure=mid, action=Action.IMPOSE, effective=day, recorded=day,
                       sources=("S1",))
        w.apply(Action.IMPOSE, t.id)
        self._walkers.append(w)
        self._days.append(day)
        self._recorded.append(day)
        self._trs.append(t)
        self._changed()

    @precondition(lambda self: len(self._measures) < self.max_measures)
    @rule(kind=st.sampled_from(sorted(MEASURE_KINDS)), authority=st.integers(0, 1), offset=st.integers(0, 200))
    def add_measure(self, kind: str, authority: int, offset: int) -> None:
        self._new_measure(kind, authority, offset)

    @rule(data=st.data(), which=st.integers(0, 10), gap=st.integers(0, 10_000), lag=st.integers(0, 30),
          announce_first=st.booleans())
    def add_transition(self, data: st.DataObject, which: int, gap: int, lag: int, announce_first: bool) -> None:
        """A legal step of one measure, ``gap`` days after its last (optionally announced first)."""
        k = which % len(self._measures)
        w = self._walkers[k]
        mid = self._measures[k].id
        day = self._days[k] + _dt.timedelta(days=gap % (self.max_gap + 1))
        w.advance(day)
        recorded = max(self._recorded[k], day + _dt.timedelta(days=lag))
        tid = self._id(f"{mid}.t")
        t = draw_step(data.draw, w, tid, mid, day, recorded, self._env, with_windows=True)
        if announce_first:
            a_day = day - _dt.timedelta(days=gap % 7)
            a = Transition(id=self._id(f"{mid}.a"), measure=mid, action=t.action, announced=max(a_day, self.start),
                           recorded=max(a_day, self.start), until=t.until if t.action is Action.EXTEND else None,
                           confidence=Confidence.REPORTED, sources=("S2",), note="announced")
            self._trs.append(a)
            t = attrs.evolve(t, corrects=a.id)
        self._trs.append(t)
        self._days[k], self._recorded[k] = day, recorded
        self._changed()

    @rule(which=st.integers(0, 10), action=st.sampled_from((Action.LIFT, Action.RELIEVE, Action.SUSPEND)),
          offset=st.integers(0, 400))
    def announce(self, which: int, action: Action, offset: int) -> None:
        """An announcement nobody fulfils (yet): pending from its date on."""
        k = which % len(self._measures)
        mid = self._measures[k].id
        day = self.start + _dt.timedelta(days=offset)
        self._trs.append(Transition(id=self._id(f"{mid}.p"), measure=mid, action=action, announced=day,
                                    recorded=day, confidence=Confidence.REPORTED, sources=("S2",)))
        self._changed()

    def _correctable(self) -> list[Transition]:
        corrected = {t.corrects for t in self._trs if t.corrects}
        return [t for t in self._trs if t.id not in corrected]

    @precondition(lambda self: bool(self._correctable()))
    @rule(which=st.integers(0, 1000), delay=st.integers(0, 400),
          confidence=st.sampled_from(tuple(Confidence)))
    def correct(self, which: int, delay: int, confidence: Confidence) -> None:
        """A correction recorded ``delay`` days after the record it supersedes."""
        choices = self._correctable()
        old = choices[which % len(choices)]
        fix = attrs.evolve(old, id=self._id(f"{old.measure}.c"), corrects=old.id, confidence=confidence,
                           recorded=old.recorded + _dt.timedelta(days=delay), sources=("S2",),
                           note=f"corrects {old.id}")
        self._trs.insert(self._trs.index(old) + 1, fix)
        self._changed()

    @rule(which=st.integers(0, 1000), offset=st.integers(0, 30), basis=st.sampled_from(tuple(Basis)),
          count=st.integers(0, 200))
    def add_release(self, which: int, offset: int, basis: Basis, count: int) -> None:
        """A release, linked to an effective transition."""
        effective = [t for t in self._trs if t.effective is not None]
        t = effective[which % len(effective)]
        assert t.effective is not None
        day = t.effective - _dt.timedelta(days=offset)
        r = Release(id=self._id("release-"), date=day, recorded=max(day, t.recorded - _dt.timedelta(days=offset)),
                    count=count, sources=("S1",))
        self._releases.append(r)
        self._links.append(Link(release=r.id, transition=t.id, basis=basis,
                                recorded=max(r.recorded, t.recorded), sources=("S2",)))
        self._changed()

    # -- the invariant -----------------------------------------------------------------

    @staticmethod
    def _sample(days: Sequence[_dt.date], n: int) -> Sequence[_dt.date]:
        """At most ``n`` of ``days``, spread evenly, first and last included."""
        if len(days) <= n:
            return days
        return [days[round(i * (len(days) - 1) / (n - 1))] for i in range(n)]

    @invariant()
    def answers(self) -> None:
        """Every step builds; every answer on every boundary date goes to :meth:`check_state`."""
        if not self._measures:
            return
        reg = self.registry
        self.check_registry(reg)
        for m in self._measures:
            days = self._sample(boundary_dates(reg, m.id), self.max_dates)
            knowns: list[_dt.date | None] = [None]
            if self.check_known:
                recorded = sorted({t.recorded for t in self._trs if t.measure == m.id})
                knowns.extend(self._sample(recorded, self.max_knowns))
            for known in knowns:
                for on in days:
                    self.check_state(reg, m.id, on, known, reg.state(m.id, on, known=known))


RegistryMachine.TestCase.settings = machine_settings()
