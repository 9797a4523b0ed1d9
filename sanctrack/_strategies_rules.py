"""The reference reading of the measure rules: which moves are legal, what a move does.

This is the independent second reading of the rules that
:mod:`sanctrack._statemachine` (the engine's table and replay) implements. It
does not import the engine, so checking one against the other catches a rule
bug in either. Two users share it:

* :func:`sanctrack.strategies.reference_state` (the answering oracle) replays a
  measure's records through a :class:`Simulated` measure;
* :class:`sanctrack._strategies_walk.Walker` (the generator) draws each step of
  a history among the moves :data:`LEGAL_FROM` allows and applies it the same
  way, so every generated history is legal by construction.

The rules, as written here:

* :data:`LEGAL_FROM` — an action is legal only from the listed statuses
  (``None``: the measure does not exist yet);
* ``impose``/``reimpose`` put the measure in force, with the record's ``until``
  and no reliefs; ``relieve`` adds a relief (with its ``until``) and makes the
  measure ``relieved``; ``revoke_relief`` ends one relief (``relief``) or all,
  ``extend`` moves the measure's ``until`` or, with ``relief``, a relief's;
  ``suspend`` pauses, ``resume`` ends the pause; ``lift`` ends the measure and
  every relief; ``amend`` changes no status;
* an ``until`` of U holds for days before U: :meth:`Simulated.lapse` up to a
  day ends every relief whose ``until`` is on or before it (back to
  ``in_force`` when the last one goes) and expires an active measure whose own
  ``until`` is.

Pure: no hypothesis, no engine.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping

from ._model import Action, Status

__all__ = ["ACTIVE", "LEGAL_FROM", "Simulated"]

#: The statuses in which a measure is active (an ``until`` can expire it).
ACTIVE: frozenset[Status | None] = frozenset({Status.IN_FORCE, Status.RELIEVED, Status.SUSPENDED})

#: For every action, in the table's order, the statuses it is legal from.
LEGAL_FROM: Mapping[Action, frozenset[Status | None]] = {
    Action.IMPOSE: frozenset({None}),
    Action.AMEND: ACTIVE,
    Action.RELIEVE: frozenset({Status.IN_FORCE, Status.RELIEVED}),
    Action.REVOKE_RELIEF: frozenset({Status.RELIEVED}),
    Action.EXTEND: ACTIVE,
    Action.SUSPEND: frozenset({Status.IN_FORCE, Status.RELIEVED}),
    Action.RESUME: frozenset({Status.SUSPENDED}),
    Action.LIFT: ACTIVE,
    Action.REIMPOSE: frozenset({Status.LIFTED, Status.EXPIRED}),
}


def _same(relief: str) -> str:
    return relief


class Simulated:
    """One measure's status, reliefs (id -> ``until``) and own ``until``, moved by :meth:`apply`.

    ``follow`` maps a ``relief:`` reference to the key the relief is kept
    under (the reference oracle passes "its latest known correction").
    """

    __slots__ = ("status", "reliefs", "until", "follow")

    def __init__(self, follow: Callable[[str], str] = _same) -> None:
        self.status: Status | None = None
        self.reliefs: dict[str, _dt.date | None] = {}
        self.until: _dt.date | None = None
        self.follow = follow

    def copy(self) -> Simulated:
        """An independent copy."""
        c = Simulated(self.follow)
        c.status, c.reliefs, c.until = self.status, dict(self.reliefs), self.until
        return c

    def lapse(self, last_day: _dt.date) -> None:
        """Every ``until`` on or before ``last_day`` passes."""
        gone = [k for k, u in self.reliefs.items() if u is not None and u <= last_day]
        for k in gone:
            del self.reliefs[k]
        if gone and self.status is Status.RELIEVED and not self.reliefs:
            self.status = Status.IN_FORCE
        if self.until is not None and self.until <= last_day and self.status in ACTIVE:
            self.status, self.reliefs, self.until = Status.EXPIRED, {}, None

    def legal(self, action: Action) -> bool:
        """True if ``action`` is legal from the current status."""
        return self.status in LEGAL_FROM[action]

    def apply(self, action: Action, tid: str, until: _dt.date | None = None, relief: str | None = None) -> None:
        """The effect of one record (``tid`` with ``until`` and ``relief``); legality is not checked here."""
        if action is Action.IMPOSE or action is Action.REIMPOSE:
            self.status, self.until, self.reliefs = Status.IN_FORCE, until, {}
        elif action is Action.RELIEVE:
            self.reliefs[tid] = until
            self.status = Status.RELIEVED
        elif action is Action.REVOKE_RELIEF:
            if relief is None:
                self.reliefs = {}
            else:
                self.reliefs.pop(self.follow(relief), None)
            self.status = Status.RELIEVED if self.reliefs else Status.IN_FORCE
        elif action is Action.EXTEND:
            if relief is None:
                self.until = until
            else:
                self.reliefs[self.follow(relief)] = until
        elif action is Action.SUSPEND:
            self.status = Status.SUSPENDED
        elif action is Action.RESUME:
            self.status = Status.RELIEVED if self.reliefs else Status.IN_FORCE
        elif action is Action.LIFT:
            self.status, self.until, self.reliefs = Status.LIFTED, None, {}
        # AMEND changes no status
