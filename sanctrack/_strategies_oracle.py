"""The reference oracle: a deliberately naive replay, to check the query engine against.

:func:`reference_state` answers "what was this measure on day D (or at
instant I), as known on Y" straight from the records, with none of the
engine's machinery: no epochs, no runs, no bisect, no caches, and its own
reading of the rules (:mod:`sanctrack._strategies_rules`; it does not import
:mod:`sanctrack._statemachine`). It replays the measure's records every time
it is asked, so it is slow. :func:`reference_in_force` asks it about every
measure. sanctrack's own property tests and the
:class:`sanctrack.strategies.RegistryMachine` self-test compare
:meth:`sanctrack.Registry.state` with it, through :func:`answer_of`.

The rules it encodes (see the time-rules essay in :mod:`sanctrack._time`):

* records recorded after Y are unknown; a known correction replaces the record
  it corrects (in that record's place in the order), and a ``relief:`` reference
  to a corrected relieve means its latest known correction;
* the known, effective records apply in order of effective date, then
  ``effective_at``, then registry order; before a day's records apply, every
  ``until`` before that day has lapsed; after them, every ``until`` on or before
  the query day has lapsed;
* an instant is a day and a moment: its calendar date in the authority's zone
  is the day, and of that day's records only those with no ``effective_at``
  (they hold for the whole day) or an ``effective_at`` at or before the instant
  have applied; the day's lapses have passed at every moment of it;
* a pending announcement (no effective date) is listed on days on or after its
  announcement and before its known correction's date;
* a day is uncertain if it falls in ``[earliest, latest)`` of an active record's
  ``effective_window``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

import attrs
from dateutil import tz as _tz

from ._model import Action, Measure, MeasureState, Transition
from ._strategies_rules import Simulated

__all__ = ["Answer", "answer_of", "reference_in_force", "reference_state"]

_ONE_DAY = _dt.timedelta(days=1)
_IN_FORCE = ("in_force", "relieved")


@attrs.frozen
class Answer:
    """The comparable part of a state: plain values, reliefs and pending sorted by id.

    ``status`` is None before the measure's first transition; ``reliefs``
    pairs each relief in effect (the id of its relieve record, or of the
    correction standing for it) with its ``until``.
    """

    status: str | None
    until: _dt.date | None
    reliefs: tuple[tuple[str, _dt.date | None], ...]
    pending: tuple[str, ...]
    uncertain: bool
    program: str | None
    targets: tuple[str, ...]

    @property
    def in_force(self) -> bool:
        """True if the measure is in force (``in_force`` or ``relieved``)."""
        return self.status in _IN_FORCE


def answer_of(state: MeasureState) -> Answer:
    """The :class:`Answer` part of an engine answer (a :class:`sanctrack.MeasureState`)."""
    return Answer(
        None if state.status is None else str(state.status),
        state.until,
        tuple(sorted((r.transition.id, r.until) for r in state.reliefs)),
        tuple(sorted(p.id for p in state.pending)),
        state.uncertain,
        state.program,
        tuple(state.targets),
    )


def _day_and_moment(on: _dt.date, timezone: str | None) -> tuple[_dt.date, float | None]:
    """The query's calendar day, and its instant as a timestamp (None for a date)."""
    if not isinstance(on, _dt.datetime):
        return on, None
    if on.tzinfo is None or on.utcoffset() is None:
        raise ValueError(f"a naive datetime is not an instant: {on!r}")
    if timezone is None:
        raise ValueError("an instant needs timezone= (the IANA zone of the measure's authority)")
    zone = _tz.gettz(timezone)
    if zone is None:
        raise ValueError(f"unknown time zone {timezone!r}")
    return on.astimezone(zone).date(), on.timestamp()


def reference_state(measure: Measure, transitions: Iterable[Transition], on: _dt.date,
                    known: _dt.date | None = None, *, timezone: str | None = None) -> Answer:
    """The state of ``measure`` on ``on`` as known on ``known``, replayed naively.

    ``transitions`` are the registry's transitions in registry order (others'
    measures are ignored; a measure's records in the order of
    :attr:`sanctrack.Registry.transitions` do too). ``on`` is a calendar date,
    or an aware ``datetime`` together with ``timezone``, the IANA zone of the
    measure's authority. Compare the result with :func:`answer_of` of the
    answer of :meth:`sanctrack.Registry.state`.
    """
    day, moment = _day_and_moment(on, timezone)
    mine = [t for t in transitions if t.measure == measure.id]
    seen = [t for t in mine if known is None or t.recorded <= known]
    corrector = {t.corrects: t for t in seen if t.corrects is not None}
    active = [t for t in seen if t.id not in corrector]

    def latest(rid: str) -> str:
        while rid in corrector:
            rid = corrector[rid].id
        return rid

    def at(t: Transition) -> float:
        return t.effective_at.timestamp() if t.effective_at is not None else float("-inf")

    def applied(t: Transition) -> bool:
        if t.effective is None or t.effective > day:
            return False
        return moment is None or t.effective < day or at(t) <= moment

    steps = sorted((t for t in active if applied(t)), key=lambda t: (t.effective, at(t)))
    sim = Simulated(latest)
    program, targets = measure.program, tuple(measure.targets)
    current: _dt.date | None = None
    for t in steps:
        assert t.effective is not None
        if t.effective != current:
            sim.lapse(t.effective - _ONE_DAY)  # every until before the day has passed
            current = t.effective
        if t.action is Action.AMEND:
            if t.program is not None:
                program = t.program
            if t.targets is not None:
                targets = tuple(t.targets)
        sim.apply(t.action, t.id, t.until, t.relief)
    sim.lapse(day)

    pending = []
    for t in seen:
        if t.effective is not None or t.announced is None or t.announced > day:
            continue
        c = corrector.get(t.id)
        if c is None or c.when > day:
            pending.append(t.id)
    uncertain = any(
        t.effective_window[0] <= day < t.effective_window[1]
        for t in active
        if t.effective is not None and t.effective_window is not None
    )
    status = None if sim.status is None else str(sim.status)
    return Answer(status, sim.until, tuple(sorted(sim.reliefs.items())), tuple(sorted(pending)), uncertain,
                  program, targets)


def reference_in_force(measures: Iterable[Measure], transitions: Iterable[Transition], on: _dt.date,
                       known: _dt.date | None = None, *, target: str | None = None) -> tuple[str, ...]:
    """The ids of the measures in force on ``on`` as known on ``known``, by authority then id.

    With ``target`` (an entity id), only the measures whose targets on that
    day include it. Each measure is asked with :func:`reference_state`, so
    ``on`` is a calendar date.
    """
    records = list(transitions)
    out = []
    for m in sorted(measures, key=lambda m: (m.authority, m.id)):
        a = reference_state(m, records, on, known)
        if a.in_force and (target is None or target in a.targets):
            out.append(m.id)
    return tuple(out)
