"""A legal walk through the rules, one step at a time.

:class:`Walker` simulates one measure while :mod:`sanctrack.strategies` draws
its history, so that every drawn step is legal by construction (nothing is
generated and then filtered). It reads the rules from
:mod:`sanctrack._strategies_rules`, the same reading the reference oracle
(:func:`sanctrack.strategies.reference_state`) replays, not from the engine:
the actions legal from a status come from ``LEGAL_FROM``; an ``until`` lapses
by itself (a change holds for ``d < until``); on one day every transition
applies before the lapses of that day, so an ``extend`` effective on the
expiry date still finds the measure (or the relief) in effect.

What the walk adds to the shared rules is the generator's own concern: a
current day that only moves forward, and the choices a step may make (which
actions, which ``until`` an ``extend`` can move). Answering questions about a
finished history is the oracle's job, never the walker's.

Pure: no hypothesis here, so it can be unit-tested and reused by the
rule-based state machine.
"""

from __future__ import annotations

import datetime as _dt

from ._model import Action, Status
from ._strategies_rules import ACTIVE, LEGAL_FROM, Simulated

__all__ = ["Walker", "ACTIVE"]

_ONE_DAY = _dt.timedelta(days=1)


class Walker:
    """The simulated status of one measure, advanced day by day as steps are drawn.

    ``reliefs`` maps the id of each relief in effect (the relieve transition)
    to its ``until``; ``until`` is the measure's own ``until``.
    """

    __slots__ = ("_sim", "day")

    def __init__(self) -> None:
        self._sim = Simulated()
        self.day: _dt.date | None = None

    @property
    def status(self) -> Status | None:
        """The simulated status (None before the first ``impose``)."""
        return self._sim.status

    @property
    def reliefs(self) -> dict[str, _dt.date | None]:
        """The reliefs in effect: relief id -> its ``until``."""
        return self._sim.reliefs

    @property
    def until(self) -> _dt.date | None:
        """The measure's own ``until``."""
        return self._sim.until

    def copy(self) -> Walker:
        """An independent copy."""
        w = Walker()
        w._sim, w.day = self._sim.copy(), self.day
        return w

    def advance(self, day: _dt.date) -> None:
        """Move to ``day``: every ``until`` before it has lapsed (not those on it)."""
        if self.day is not None and day < self.day:
            raise ValueError(f"cannot walk back from {self.day} to {day}")
        self._sim.lapse(day - _ONE_DAY)
        self.day = day

    def status_at_end_of_day(self) -> Status | None:
        """The status once the current day's lapses have passed too."""
        assert self.day is not None
        sim = self._sim.copy()
        sim.lapse(self.day)
        return sim.status

    def options(self) -> list[Action]:
        """The actions legal now, in table order (``impose`` first; shrinking goes there)."""
        out = []
        for action in LEGAL_FROM:
            if not self._sim.legal(action):
                continue
            if action is Action.EXTEND and self.until is None and not self.reliefs:
                continue  # nothing in effect carries an until to move
            out.append(action)
        return out

    def extendable(self) -> list[str | None]:
        """What an ``extend`` can move now: ``None`` (the measure's until) and relief ids."""
        out: list[str | None] = [None] if self.until is not None and self.status in ACTIVE else []
        out.extend(sorted(self.reliefs))
        return out

    def apply(self, action: Action, tid: str, *, until: _dt.date | None = None,
              relief: str | None = None) -> None:
        """Apply a legal step (the caller chose it from :meth:`options`)."""
        if not self._sim.legal(action):
            raise ValueError(f"{action} is not legal from {self.status}")
        assert self.day is not None
        if until is not None and until <= self.day:
            raise ValueError(f"until {until} must be after {self.day}")
        if relief is not None and relief not in self.reliefs:
            raise ValueError(f"no relief {relief!r} in effect")
        self._sim.apply(action, tid, until, relief)
