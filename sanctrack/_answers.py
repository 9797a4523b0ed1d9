"""The answers of the queries: frozen value classes a registry returns, never built from input.

:class:`MeasureState` (one measure on one date) is the unit; the others gather states, versions,
links, explanations, comparisons and screening hits around it.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import attrs

from ._records import Entity, Instrument, Link, Measure, Release, Scope, Source, Transition
from ._time import Validity
from ._vocabulary import IN_FORCE, Status

__all__ = ["Relief", "MeasureState", "Supersession", "History", "LinkedTransition", "LinkedRelease", "Deal", "Step",
           "Explanation", "StateChange", "Comparison", "Position", "POSITIONS", "ScreenHit"]


@attrs.frozen(slots=True)
class Relief:
    """A licence overlay in effect: the relieving transition, its instrument and scope."""

    transition: Transition
    instrument: Instrument | None
    since: _dt.date
    until: _dt.date | None

    @property
    def scope(self) -> Scope | None:
        return self.transition.scope

    @property
    def conditions(self) -> tuple[str, ...]:
        return self.transition.conditions

    @property
    def label(self) -> str:
        """The instrument's short label, else the transition id."""
        return self.instrument.label if self.instrument is not None else self.transition.id


@attrs.frozen(slots=True)
class MeasureState:
    """What a measure was on a date: the answer of :meth:`Registry.state`.

    ``status`` is ``None`` when the measure did not exist yet on that date.
    ``valid`` is the interval this state holds for; ``version`` numbers the
    states of the measure from 1; ``transition`` is the last transition applied
    when this state began (``None`` when it began by a lapse or an announcement);
    ``cause`` says what began it: an action name, ``"lapse"``, ``"announcement"``
    or ``"window"``. ``uncertain`` is true inside an ``effective_window``.
    ``until`` is the date the measure is scheduled to lapse (``expired``) unless
    extended. ``digest`` identifies the registry that answered: with the query
    date and the knowledge date it reproduces the answer.

    Facts and projections: ``knowledge`` is the knowledge date of the answer
    (the ``known=`` date or the view's :meth:`~Registry.as_known_on` date, else
    the registry's latest ``recorded`` date; None only for a registry with no
    records). ``projection`` is true when the answer is for a date after its
    knowledge date: later records may change it. ``scheduled`` is true when the
    state began after the knowledge date by a scheduled lapse (an ``until``):
    an ``expired`` state that is scheduled has not happened yet. A version of
    :meth:`~Registry.history` is marked as of its start date.

    Provenance: ``basis`` is the act that made the status — ``transition``
    when a transition began the state; after a lapse, the act the status rests
    on (the imposing act once a licence lapsed, the act whose ``until`` ran out
    for ``expired``); after a licence lapsed, the relief still in effect for
    ``relieved``. ``lapsed`` names the records whose ``until`` was reached on
    the state's first day (empty unless ``cause`` is ``"lapse"``).
    """

    measure: Measure
    status: Status | None
    reliefs: tuple[Relief, ...]
    pending: tuple[Transition, ...]
    version: int
    transition: Transition | None
    cause: str
    valid: Validity
    uncertain: bool
    program: str | None
    targets: tuple[str, ...]
    digest: str
    until: _dt.date | None = None
    knowledge: _dt.date | None = None
    projection: bool = False
    scheduled: bool = False
    basis: Transition | None = None
    lapsed: tuple[Transition, ...] = ()

    def __repr__(self) -> str:
        reliefs = ", ".join(r.label for r in self.reliefs)
        extra = f" reliefs=[{reliefs}]" if reliefs else ""
        if self.pending:
            extra += f" pending=[{', '.join(p.id for p in self.pending)}]"
        if self.until is not None:
            extra += f" until={self.until}"
        if self.uncertain:
            extra += " uncertain"
        if self.scheduled:
            extra += " scheduled"
        elif self.projection:
            extra += " projection"
        return f"<MeasureState {self.measure.id} {self.status} v{self.version} {self.valid}{extra}>"

    @property
    def measure_id(self) -> str:
        return self.measure.id

    @property
    def exists(self) -> bool:
        """False before the measure's first transition."""
        return self.status is not None

    @property
    def in_force(self) -> bool:
        """True if ``in_force`` or ``relieved``."""
        return self.status in IN_FORCE

    @property
    def since(self) -> _dt.date | None:
        return self.valid.start

    @property
    def is_fact(self) -> bool:
        """True unless the answer is a projection (a date after its knowledge date)."""
        return not self.projection


@attrs.frozen(slots=True)
class Supersession:
    """A record superseded by a correction; nothing is ever deleted."""

    record: Transition
    by: Transition


@attrs.frozen(slots=True)
class History:
    """Every version of a measure, oldest first, and the records that were superseded.

    Iterating over a History yields its versions (:class:`MeasureState`); their
    intervals tile time from the first one on, without gaps or overlaps.
    """

    measure: Measure
    versions: tuple[MeasureState, ...]
    superseded: tuple[Supersession, ...]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.versions)

    def __len__(self) -> int:
        return len(self.versions)

    def __getitem__(self, i: int) -> MeasureState:
        return self.versions[i]


@attrs.frozen(slots=True)
class LinkedTransition:
    link: Link
    transition: Transition


@attrs.frozen(slots=True)
class LinkedRelease:
    link: Link
    release: Release


@attrs.frozen(slots=True)
class Deal:
    """A release and the transitions linked to it."""

    release: Release
    links: tuple[LinkedTransition, ...]


@attrs.frozen(slots=True)
class Step:
    """One transition in the chain behind a state, with its instrument and sources."""

    transition: Transition
    instrument: Instrument | None
    sources: tuple[Source, ...]
    superseded_by: str | None = None


@attrs.frozen(slots=True)
class Explanation:
    """Why a measure had the state it had on a date."""

    state: MeasureState
    steps: tuple[Step, ...]
    measure_sources: tuple[Source, ...]
    superseded: tuple[Supersession, ...]


@attrs.frozen(slots=True)
class StateChange:
    """A measure whose state differs between two dates."""

    measure: Measure
    before: MeasureState
    after: MeasureState


#: An authority's practical position against a target on a date (see :class:`Position`).
POSITIONS = ("blocked", "licensed", "lifted", "no measure")


@attrs.frozen(slots=True)
class Position:
    """One authority's practical position against a target on a date.

    ``position`` is ``blocked`` (a measure in force with no licence in effect),
    ``licensed`` (every measure in force is relieved: ``reliefs`` says by which
    licences, what they authorise and what they exclude), ``lifted`` (measures
    existed but none is in force: ``statuses`` says lifted, expired or
    suspended) or ``no measure`` (none of its measures against the target
    exists on that date yet). ``states`` are its measures' states on that date
    (those that exist); ``projection`` is true if any of them is a projection.
    """

    authority: str
    position: str
    states: tuple[MeasureState, ...] = ()
    reliefs: tuple[Relief, ...] = ()
    statuses: tuple[str, ...] = ()
    projection: bool = False

    @property
    def restricted(self) -> bool:
        """True if a measure is in force (blocked or licensed)."""
        return self.position in ("blocked", "licensed")


@attrs.frozen(slots=True)
class Comparison:
    """One target across authorities on one date.

    ``positions`` gives every authority that has (or will have) a measure
    against the target its practical position (:class:`Position`);
    ``by_authority`` keeps, for the authorities with a measure on that date,
    whether one is in force.
    """

    target: Entity
    states: tuple[MeasureState, ...]
    by_authority: tuple[tuple[str, bool], ...]
    positions: tuple[Position, ...] = ()

    @property
    def divergent(self) -> bool:
        """True if the authorities' positions differ (licensed against blocked counts).

        Without positions (a Comparison made by hand): true if some authorities
        have a measure in force and others do not.
        """
        if self.positions:
            return len({p.position for p in self.positions}) > 1
        flags = {flag for _, flag in self.by_authority}
        return len(flags) > 1

    def position(self, authority: str) -> Position:
        """The position of one authority (KeyError if it has no measure against the target)."""
        for p in self.positions:
            if p.authority == authority:
                return p
        raise KeyError(authority)


@attrs.frozen(slots=True)
class ScreenHit:
    """One answer of :meth:`Registry.screen`: the question and the states in force."""

    query: str
    on: Any
    known: _dt.date | None
    states: tuple[MeasureState, ...]

    @property
    def hit(self) -> bool:
        return bool(self.states)
