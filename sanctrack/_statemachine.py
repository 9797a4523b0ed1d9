"""The state machine of a sanction measure, as one table, and its replay.

Rules
-----

A measure does not exist until it is imposed. From then on it has one status:

* ``in_force``  — imposed, no licence in effect;
* ``relieved``  — in force, with one or more licences (reliefs) in effect;
* ``suspended`` — legally paused;
* ``lifted``    — ended by a legal act;
* ``expired``   — ended because its ``until`` passed with no ``extend``.

The table below says, for every action, from which statuses it is legal and
what status it leads to. Anything else is :class:`IllegalTransition`, naming the
offending transition and the one that made the state it was applied to.

``relieve`` adds a licence overlay (several may be in effect at once) and may
carry ``until``: the relief lapses by itself on that date, and the measure is
back to ``in_force`` when no relief remains. ``impose``/``reimpose`` may carry
``until``: on that date the measure ``expires`` unless an ``extend`` moved the
date. ``extend`` moves the measure's ``until`` or, with ``relief``, a relief's.
``lift`` ends every relief. ``revoke_relief`` ends one relief (``relief``) or all.
On a given day, all of that day's transitions apply first (in order), then the
lapses falling on that day.

Announcements with no effective date never reach the machine: they are
*pending* and listed beside the status (see :mod:`sanctrack._registry`).
This module is pure.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs

from ._errors import IllegalTransition
from ._model import Action, Instrument, Relief, Status, Transition

__all__ = ["TABLE", "Rule", "Machine", "Run", "replay", "is_legal"]

_ANY_ACTIVE = frozenset({Status.IN_FORCE, Status.RELIEVED, Status.SUSPENDED})


def _by_reliefs(machine: Machine) -> Status:
    return Status.RELIEVED if machine.reliefs else Status.IN_FORCE


def _same(machine: Machine) -> Status | None:  # (never None: its rules start from an active status)
    return machine.status


@attrs.frozen(slots=True)
class Rule:
    """One row of the table: ``action`` is legal from ``sources``; ``target`` gives the next status."""

    action: Action
    sources: frozenset[Status | None]
    target: Status | Callable[[Machine], Status | None]
    meaning: str


#: The whole state machine. ``None`` as a source means "the measure does not exist yet".
TABLE: Mapping[Action, Rule] = {
    r.action: r
    for r in (
        Rule(Action.IMPOSE, frozenset({None}), Status.IN_FORCE, "the measure comes into force"),
        Rule(Action.AMEND, _ANY_ACTIVE, _same, "scope, targets or program change; status unchanged"),
        Rule(Action.RELIEVE, frozenset({Status.IN_FORCE, Status.RELIEVED}), Status.RELIEVED,
             "a licence overlay is added"),
        Rule(Action.REVOKE_RELIEF, frozenset({Status.RELIEVED}), _by_reliefs,
             "one relief (or every relief) ends"),
        Rule(Action.EXTEND, _ANY_ACTIVE, _same, "the measure's (or a relief's) until moves"),
        Rule(Action.SUSPEND, frozenset({Status.IN_FORCE, Status.RELIEVED}), Status.SUSPENDED,
             "the measure is paused"),
        Rule(Action.RESUME, frozenset({Status.SUSPENDED}), _by_reliefs, "the pause ends"),
        Rule(Action.LIFT, _ANY_ACTIVE, Status.LIFTED, "the measure ends; every relief ends with it"),
        Rule(Action.REIMPOSE, frozenset({Status.LIFTED, Status.EXPIRED}), Status.IN_FORCE,
             "an ended measure comes back into force"),
    )
}


def is_legal(status: Status | None, action: Action | str) -> bool:
    """True if ``action`` is allowed from ``status``.

    >>> is_legal(None, "impose"), is_legal("lifted", "lift"), is_legal("expired", "reimpose")
    (True, False, True)
    """
    rule = TABLE.get(Action(action))
    return rule is not None and (status if status is None else Status(status)) in rule.sources


@attrs.define(slots=True)
class Machine:
    """The mutable replay state of one measure (private to one replay)."""

    status: Status | None = None
    reliefs: dict[str, Relief] = attrs.field(factory=dict)
    until: _dt.date | None = None
    program: str | None = None
    targets: tuple[str, ...] = ()
    last: Transition | None = None

    def copy(self) -> Machine:
        return Machine(self.status, dict(self.reliefs), self.until, self.program, self.targets, self.last)

    def apply(self, t: Transition, instruments: Mapping[str, Instrument],
              follow: Mapping[str, str] | None = None) -> None:
        """Apply one effective transition, or raise :class:`IllegalTransition`.

        ``follow`` maps a superseded relief id to the record that corrects it,
        so that ``relief:`` references follow corrections.
        """
        rule = TABLE[t.action]
        prev = self.last.id if self.last is not None else None
        if self.status not in rule.sources:
            raise IllegalTransition(t.id, t.action, self.status, prev)
        act = t.action
        eff = t.effective
        assert eff is not None
        if act is Action.IMPOSE or act is Action.REIMPOSE:
            self.until = t.until
            self.reliefs = {}
        elif act is Action.AMEND:
            if t.program is not None:
                self.program = t.program
            if t.targets is not None:
                self.targets = t.targets
        elif act is Action.RELIEVE:
            inst = instruments.get(t.instrument) if t.instrument else None
            self.reliefs[t.id] = Relief(t, inst, eff, t.until)
        elif act is Action.REVOKE_RELIEF:
            if t.relief is not None:
                rid = follow.get(t.relief, t.relief) if follow else t.relief
                if rid not in self.reliefs:
                    raise IllegalTransition(t.id, t.action, self.status, prev,
                                            f"relief {t.relief!r} is not in effect")
                del self.reliefs[rid]
            else:
                self.reliefs = {}
        elif act is Action.EXTEND:
            if t.relief is not None:
                rid = follow.get(t.relief, t.relief) if follow else t.relief
                old = self.reliefs.get(rid)
                if old is None:
                    raise IllegalTransition(t.id, t.action, self.status, prev,
                                            f"relief {t.relief!r} is not in effect")
                self.reliefs[rid] = attrs.evolve(old, until=t.until)
            else:
                self.until = t.until
        elif act is Action.LIFT:
            self.reliefs = {}
            self.until = None
        target = rule.target
        self.status = target(self) if callable(target) else target
        self.last = t

    def lapse(self, day: _dt.date) -> bool:
        """Let every ``until`` on or before ``day`` pass; True if anything changed."""
        changed = False
        if self.reliefs:
            gone = [k for k, r in self.reliefs.items() if r.until is not None and r.until <= day]
            for k in gone:
                del self.reliefs[k]
                changed = True
            if gone and self.status is Status.RELIEVED and not self.reliefs:
                self.status = Status.IN_FORCE
        if self.until is not None and self.until <= day and self.status in _ANY_ACTIVE:
            self.status = Status.EXPIRED
            self.reliefs = {}
            self.until = None
            changed = True
        return changed

    def next_lapse(self) -> _dt.date | None:
        dates = [r.until for r in self.reliefs.values() if r.until is not None]
        if self.until is not None and self.status in _ANY_ACTIVE:
            dates.append(self.until)
        return min(dates) if dates else None


# what makes two consecutive runs one: until, status, (relief id, until)s, pending ids, uncertain,
# program, targets
RunSignature = tuple[
    _dt.date | None, Status | None, tuple[tuple[str, _dt.date | None], ...], tuple[str, ...], bool, str | None,
    tuple[str, ...],
]


@attrs.frozen(slots=True)
class Run:
    """One state run of a measure: the state from ``start`` until the next run's start."""

    start: _dt.date
    status: Status | None
    reliefs: tuple[Relief, ...]
    pending: tuple[Transition, ...]
    transition: Transition | None
    cause: str
    uncertain: bool
    program: str | None
    targets: tuple[str, ...]
    until: _dt.date | None = None

    def signature(self) -> RunSignature:
        return (
            self.until,
            self.status,
            tuple((r.transition.id, r.until) for r in self.reliefs),
            tuple(p.id for p in self.pending),
            self.uncertain,
            self.program,
            self.targets,
        )


@attrs.frozen(slots=True)
class Replay:
    """The result of replaying one measure: its runs, and intra-day states."""

    runs: tuple[Run, ...]
    #: day -> ((utc timestamp, run-like state after the transitions up to it), ...)
    intraday: Mapping[_dt.date, tuple[tuple[float, Run], ...]]


def _snapshot(m: Machine, day: _dt.date, pending: tuple[Transition, ...], uncertain: bool,
              transition: Transition | None, cause: str) -> Run:
    return Run(day, m.status, tuple(m.reliefs.values()), pending, transition, cause, uncertain,
               m.program, m.targets, m.until)


def replay(
    effective: Sequence[Transition],
    *,
    program: str | None,
    targets: tuple[str, ...],
    instruments: Mapping[str, Instrument],
    pending: Iterable[tuple[Transition, _dt.date, _dt.date | None]] = (),
    windows: Iterable[tuple[_dt.date, _dt.date]] = (),
    instant_of: Callable[[Transition], float] | None = None,
    follow: Mapping[str, str] | None = None,
) -> Replay:
    """Replay a measure's effective transitions into state runs.

    ``effective`` must be in canonical order (effective date, effective_at,
    registry order). ``pending`` gives each pending announcement with the
    half-open interval of dates on which it is listed; ``windows`` the
    half-open intervals on which states are uncertain. ``instant_of`` returns a
    transition's instant (UTC timestamp) for same-day ordering, where known.
    ``follow`` maps superseded relief ids to their corrections.
    Raises :class:`IllegalTransition` on the first illegal step.
    """
    pend = [(p, a, z) for p, a, z in pending if z is None or a < z]
    wins = [(a, b) for a, b in windows if a < b]
    static: set[_dt.date] = set()
    by_day: dict[_dt.date, list[Transition]] = {}
    for t in effective:
        eff = t.effective
        assert eff is not None  # effective transitions only
        static.add(eff)
        by_day.setdefault(eff, []).append(t)
    for _, a, z in pend:
        static.add(a)
        if z is not None:
            static.add(z)
    for a, b in wins:
        static.add(a)
        static.add(b)
    days = sorted(static)

    m = Machine(program=program, targets=targets)
    runs: list[Run] = []
    intraday: dict[_dt.date, tuple[tuple[float, Run], ...]] = {}
    last_sig: tuple[object, ...] | None = None  # the live state's (Relief objects, not their ids)
    last_pending: tuple[Transition, ...] = ()
    i = 0
    ndays = len(days)
    while True:
        nxt_static = days[i] if i < ndays else None
        # nothing can lapse without a relief or an until (the common case skips the scan)
        nxt_lapse = m.next_lapse() if (m.reliefs or m.until is not None) else None
        if nxt_static is None and nxt_lapse is None:
            break
        if nxt_static is None or (nxt_lapse is not None and nxt_lapse < nxt_static):
            day = nxt_lapse
        else:
            day = nxt_static
            i += 1
        assert day is not None
        todays = by_day.get(day, ())
        cause = ""
        subs: list[tuple[float, Run]] = []
        for t in todays:
            if t.effective_at is not None and instant_of is not None and not subs:
                # the state from the start of the day until the first timed transition
                subs.append((float("-inf"), _intraday(m, day, m.last)))
            m.apply(t, instruments, follow)
            cause = t.action.value
            if t.effective_at is not None and instant_of is not None:
                subs.append((instant_of(t), _intraday(m, day, t)))
        if (m.reliefs or m.until is not None) and m.lapse(day) and not cause:
            cause = "lapse"
        listed = tuple(p for p, a, z in pend if a <= day and (z is None or day < z)) if pend else ()
        uncertain = any(a <= day < b for a, b in wins) if wins else False
        if not cause:
            cause = "announcement" if (not runs or listed != last_pending) else "window"
        reliefs = tuple(m.reliefs.values())
        if subs:
            # a partial state of the day holds the day's lapses too, and the day's listing
            intraday[day] = tuple(
                (ts, attrs.evolve(r, pending=listed, uncertain=uncertain)) for ts, r in subs
            )
        # the state's signature: a new run only when it differs from the last (Relief objects are
        # immutable and replaced when they change, so comparing them compares (transition, until))
        sig = (m.until, m.status, reliefs, listed, uncertain, m.program, m.targets)
        if sig == last_sig:
            continue
        if m.status is None and not listed and not uncertain and not runs:
            continue
        runs.append(Run(day, m.status, reliefs, listed, m.last if todays else None, cause, uncertain,
                        m.program, m.targets, m.until))
        last_sig = sig
        last_pending = listed
    return Replay(tuple(runs), intraday)


def _intraday(m: Machine, day: _dt.date, t: Transition | None) -> Run:
    c = m.copy()
    c.lapse(day)
    return _snapshot(c, day, (), False, t, str(t.action) if t is not None else "none")
