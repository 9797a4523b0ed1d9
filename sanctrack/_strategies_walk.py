"""A legal walk through the state-machine table, one step at a time.

:class:`Walker` simulates one measure while :mod:`sanctrack.strategies` draws
its history, so that every drawn step is legal by construction (nothing is
generated and then filtered). It follows the rules of
:mod:`sanctrack._statemachine`: the actions legal from a status come from
``TABLE``; an ``until`` lapses by itself (a change holds for ``d < until``);
on one day every transition applies before the lapses of that day, so an
``extend`` effective on the expiry date still finds the measure (or the
relief) in effect.

Pure: no hypothesis here, so it can be unit-tested and reused by the
rule-based state machine.
"""

from __future__ import annotations

import datetime as _dt

from ._model import Action, Status
from ._statemachine import TABLE

__all__ = ["Walker", "ACTIVE"]

ACTIVE = frozenset({Status.IN_FORCE, Status.RELIEVED, Status.SUSPENDED})
_ONE_DAY = _dt.timedelta(days=1)


class Walker:
    """The simulated status of one measure, advanced day by day as steps are drawn.

    ``reliefs`` maps the id of each relief in effect (the relieve transition,
    or the correction that superseded it) to its ``until``; ``until`` is the
    measure's own ``until``.
    """

    __slots__ = ("status", "reliefs", "until", "day")

    def __init__(self) -> None:
        self.status: Status | None = None
        self.reliefs: dict[str, _dt.date | None] = {}
        self.until: _dt.date | None = None
        self.day: _dt.date | None = None

    def copy(self) -> "Walker":
        w = Walker()
        w.status, w.reliefs, w.until, w.day = self.status, dict(self.reliefs), self.until, self.day
        return w

    def advance(self, day: _dt.date) -> None:
        """Move to ``day``: every ``until`` before it has lapsed (not those on it)."""
        if self.day is not None and day < self.day:
            raise ValueError(f"cannot walk back from {self.day} to {day}")
        self._lapse(day - _ONE_DAY)
        self.day = day

    def _lapse(self, cutoff: _dt.date) -> None:
        gone = [k for k, u in self.reliefs.items() if u is not None and u <= cutoff]
        for k in gone:
            del self.reliefs[k]
        if gone and self.status is Status.RELIEVED and not self.reliefs:
            self.status = Status.IN_FORCE
        if self.until is not None and self.until <= cutoff and self.status in ACTIVE:
            self.status = Status.EXPIRED
            self.reliefs = {}
            self.until = None

    def status_at_end_of_day(self) -> Status | None:
        """The status once the current day's lapses have passed too."""
        w = self.copy()
        assert w.day is not None
        w._lapse(w.day)
        return w.status

    def options(self) -> list[Action]:
        """The actions legal now, in table order (``impose`` first; shrinking goes there)."""
        out = []
        for action, rule in TABLE.items():
            if self.status not in rule.sources:
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
        rule = TABLE[action]
        if self.status not in rule.sources:
            raise ValueError(f"{action} is not legal from {self.status}")
        assert self.day is not None
        if until is not None and until <= self.day:
            raise ValueError(f"until {until} must be after {self.day}")
        if action in (Action.IMPOSE, Action.REIMPOSE):
            self.status, self.until, self.reliefs = Status.IN_FORCE, until, {}
        elif action is Action.RELIEVE:
            self.reliefs[tid] = until
            self.status = Status.RELIEVED
        elif action is Action.REVOKE_RELIEF:
            if relief is None:
                self.reliefs = {}
            else:
                del self.reliefs[relief]
            self.status = Status.RELIEVED if self.reliefs else Status.IN_FORCE
        elif action is Action.EXTEND:
            if relief is None:
                self.until = until
            else:
                self.reliefs[relief] = until
        elif action is Action.SUSPEND:
            self.status = Status.SUSPENDED
        elif action is Action.RESUME:
            self.status = Status.RELIEVED if self.reliefs else Status.IN_FORCE
        elif action is Action.LIFT:
            self.status, self.until, self.reliefs = Status.LIFTED, None, {}
        # AMEND changes no status
