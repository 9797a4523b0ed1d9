"""A deliberately naive reference replay, to check the query engine against.

:func:`reference_state` answers "what was this measure on day D, as known on
Y" straight from the records, with none of the engine's machinery: no epochs,
no runs, no bisect, no caches, and its own reading of the rules (it does not
import :mod:`sanctrack._statemachine`). It replays the measure's records every
time it is asked, so it is slow, and it only handles calendar-date queries.
sanctrack's own property tests and :class:`sanctrack.strategies.RegistryMachine`
self-test compare :meth:`sanctrack.Registry.state` with it.

The rules it encodes (see the time-rules essay in :mod:`sanctrack._time`):

* records recorded after Y are unknown; a known correction replaces the record
  it corrects (in that record's place in the order), and a ``relief:`` reference
  to a corrected relieve means its latest known correction;
* the known, effective records apply in order of effective date, then
  ``effective_at``, then registry order; before a day's records apply, every
  ``until`` before that day has lapsed; after them, every ``until`` on or before
  the query day has lapsed;
* a pending announcement (no effective date) is listed on days on or after its
  announcement and before its known correction's date;
* a day is uncertain if it falls in ``[earliest, latest)`` of an active record's
  ``effective_window``.
"""

from __future__ import annotations

import datetime as _dt
from typing import Iterable

import attrs

from ._model import Action, Measure, MeasureState, Transition
from ._strategies_rules import Simulated

__all__ = ["Answer", "reference_state", "answer_of"]

_ONE_DAY = _dt.timedelta(days=1)


@attrs.frozen
class Answer:
    """The comparable part of a state: plain values, reliefs and pending sorted by id."""

    status: str | None
    until: _dt.date | None
    reliefs: tuple[tuple[str, _dt.date | None], ...]
    pending: tuple[str, ...]
    uncertain: bool
    program: str | None
    targets: tuple[str, ...]


def answer_of(state: MeasureState) -> Answer:
    """The :class:`Answer` part of an engine answer."""
    return Answer(
        None if state.status is None else str(state.status),
        state.until,
        tuple(sorted((r.transition.id, r.until) for r in state.reliefs)),
        tuple(sorted(p.id for p in state.pending)),
        state.uncertain,
        state.program,
        tuple(state.targets),
    )


def reference_state(measure: Measure, transitions: Iterable[Transition], day: _dt.date,
                    known: _dt.date | None = None) -> Answer:
    """The state of ``measure`` on ``day`` as known on ``known``, replayed naively.

    ``transitions`` are the registry's transitions in registry order (others'
    measures are ignored). Compare the result with :func:`answer_of` of
    :meth:`sanctrack.Registry.state`'s answer.
    """
    mine = [t for t in transitions if t.measure == measure.id]
    seen = [t for t in mine if known is None or t.recorded <= known]
    corrector = {t.corrects: t for t in seen if t.corrects is not None}
    active = [t for t in seen if t.id not in corrector]

    def latest(rid: str) -> str:
        while rid in corrector:
            rid = corrector[rid].id
        return rid

    def order(t: Transition) -> tuple[_dt.date, float]:
        at = t.effective_at.timestamp() if t.effective_at is not None else float("-inf")
        return (t.effective, at)  # type: ignore[return-value]  # only effective records are sorted

    steps = sorted((t for t in active if t.effective is not None and t.effective <= day), key=order)
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
