"""The domain model: frozen, slotted value records.

Records never see YAML: loaders and importers build them from raw input and
hand them to :meth:`sanctrack.Registry.build`. Validators here are cheap and
local (types, vocabularies, simple orderings); everything that needs more than
one record (references, state-machine legality) is checked by the registry.
Collections are tuples.
"""

from __future__ import annotations

import datetime as _dt
import enum
from typing import Any, Callable

import attrs

from ._time import Validity

__all__ = [
    "Action",
    "Status",
    "Confidence",
    "Basis",
    "ENTITY_KINDS",
    "MEASURE_KINDS",
    "INSTRUMENT_KINDS",
    "IN_FORCE",
    "Authority",
    "Entity",
    "Instrument",
    "Source",
    "Scope",
    "Measure",
    "Transition",
    "Figure",
    "Release",
    "Link",
    "RegistryInfo",
    "Relief",
    "MeasureState",
    "Supersession",
    "History",
    "LinkedTransition",
    "LinkedRelease",
    "Deal",
    "Step",
    "Explanation",
    "StateChange",
    "Comparison",
    "Position",
    "POSITIONS",
    "ScreenHit",
]


class Action(enum.StrEnum):
    """What a transition does to a measure (see :mod:`sanctrack._statemachine`)."""

    IMPOSE = "impose"
    AMEND = "amend"
    RELIEVE = "relieve"
    REVOKE_RELIEF = "revoke_relief"
    EXTEND = "extend"
    SUSPEND = "suspend"
    RESUME = "resume"
    LIFT = "lift"
    REIMPOSE = "reimpose"


class Status(enum.StrEnum):
    """The status of a measure on a date.

    ``in_force`` and ``relieved`` (in force with licensed exceptions) count as
    *in force*; ``suspended``, ``lifted`` and ``expired`` do not.
    """

    IN_FORCE = "in_force"
    RELIEVED = "relieved"
    SUSPENDED = "suspended"
    LIFTED = "lifted"
    EXPIRED = "expired"


IN_FORCE = frozenset({Status.IN_FORCE, Status.RELIEVED})


class Confidence(enum.StrEnum):
    """How sure the registry is of a record: a primary legal source, press, or analysis."""

    CONFIRMED = "confirmed"
    REPORTED = "reported"
    INFERRED = "inferred"


class Basis(enum.StrEnum):
    """Why a release is linked to a transition."""

    STATED = "stated"  # an official tied them explicitly
    REPORTED = "reported"  # credible press tied them
    INFERRED = "inferred"  # analysis only


ENTITY_KINDS = frozenset(
    {"organisation", "person", "aircraft", "vessel", "sector", "country", "government_body"}
)
MEASURE_KINDS = frozenset(
    {
        "blocking",
        "sectoral",
        "export_control",
        "airspace",
        "aviation",
        "travel",
        "trade",
        "transit",
        "diplomatic",
        "financial",
        "programme",
    }
)
INSTRUMENT_KINDS = frozenset(
    {
        "executive_order",
        "general_licence",
        "licence",
        "sdn_action",
        "directive",
        "denial_order",
        "regulation",
        "decision",
        "statute",
        "statement",
        "rule",
        "notice",
    }
)


# -- validators ------------------------------------------------------------


def _one_of(allowed: frozenset[str] | type[enum.StrEnum]) -> Callable[[Any, attrs.Attribute, Any], None]:
    values = frozenset(str(a) for a in allowed)
    names = sorted(values)

    def check(_inst: Any, attribute: attrs.Attribute, value: Any) -> None:
        if not isinstance(value, str) or value not in values:
            raise ValueError(f"{attribute.name} {value!r} is not one of: {', '.join(names)}")

    return check


def _text(_inst: Any, attribute: attrs.Attribute, value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{attribute.name} must be non-empty text, got {value!r}")


def _opt_text(_inst: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is not None:
        _text(_inst, attribute, value)


def _texts(_inst: Any, attribute: attrs.Attribute, value: Any) -> None:
    if not isinstance(value, tuple):
        raise TypeError(f"{attribute.name} must be a tuple, got {type(value).__name__}")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"{attribute.name} items must be non-empty text, got {item!r}")


def _day(_inst: Any, attribute: attrs.Attribute, value: Any) -> None:
    if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
        raise TypeError(f"{attribute.name} must be a datetime.date, got {value!r}")


def _opt_day(_inst: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is not None:
        _day(_inst, attribute, value)


def _opt_instant(_inst: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, _dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise TypeError(f"{attribute.name} must be an aware datetime, got {value!r}")


def _opt_window(_inst: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is None:
        return
    if not (isinstance(value, tuple) and len(value) == 2):
        raise TypeError(f"{attribute.name} must be a pair (earliest, latest), got {value!r}")
    a, b = value
    _day(_inst, attribute, a)
    _day(_inst, attribute, b)
    if b < a:
        raise ValueError(f"{attribute.name} latest {b} is before earliest {a}")


def _tuple(value: Any) -> tuple:
    """Converter: lists (and other iterables but text) become tuples."""
    if type(value) is tuple:
        return value
    if value is None:
        return ()
    if isinstance(value, (str, bytes)):
        return (value,)
    return tuple(value)


def _opt_tuple(value: Any) -> tuple | None:
    return None if value is None else _tuple(value)


def _member_or_value(cls: type[enum.StrEnum]) -> Callable[[Any], Any]:
    """Converter: a value of the enumeration becomes its member; anything else is kept (the validator refuses it)."""
    members = cls._value2member_map_

    def conv(value: Any) -> Any:
        return members.get(value, value)  # what ``cls(value) if value in members else value`` gives, cheaper

    conv.__name__ = f"_to_{cls.__name__.lower()}"
    return conv


_to_action = _member_or_value(Action)
_to_confidence = _member_or_value(Confidence)
_to_basis = _member_or_value(Basis)


# -- records ---------------------------------------------------------------


@attrs.frozen(slots=True)
class RegistryInfo:
    """``registry.yaml``: what this registry is."""

    name: str = attrs.field(validator=_text)
    version: str | None = attrs.field(default=None, validator=_opt_text)
    description: str | None = attrs.field(default=None, validator=_opt_text)


@attrs.frozen(slots=True)
class Authority:
    """A sanctioning authority (``US-OFAC``, ``EU``…) and its calendar's time zone."""

    code: str = attrs.field(validator=_text)
    name: str = attrs.field(validator=_text)
    jurisdiction: str = attrs.field(validator=_text)
    timezone: str = attrs.field(validator=_text)


@attrs.frozen(slots=True)
class Entity:
    """A target: an organisation, person, aircraft, sector…"""

    id: str = attrs.field(validator=_text)
    kind: str = attrs.field(validator=_one_of(ENTITY_KINDS))
    name: str = attrs.field(validator=_text)
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_texts)
    identifiers: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_texts)
    note: str | None = attrs.field(default=None, validator=_opt_text)


@attrs.frozen(slots=True)
class Source:
    """Where a fact comes from."""

    id: str = attrs.field(validator=_text)
    publisher: str = attrs.field(validator=_text)
    url: str = attrs.field(validator=_text)
    title: str | None = attrs.field(default=None, validator=_opt_text)
    published: _dt.date | None = attrs.field(default=None, validator=_opt_day)
    quote: str | None = attrs.field(default=None, validator=_opt_text)
    note: str | None = attrs.field(default=None, validator=_opt_text)


@attrs.frozen(slots=True)
class Instrument:
    """The legal act behind a change (an executive order, a general licence…)."""

    id: str = attrs.field(validator=_text)
    kind: str = attrs.field(validator=_one_of(INSTRUMENT_KINDS))
    title: str = attrs.field(validator=_text)
    number: str | None = attrs.field(default=None, validator=_opt_text)
    authority: str | None = attrs.field(default=None, validator=_opt_text)
    url: str | None = attrs.field(default=None, validator=_opt_text)
    signed: _dt.date | None = attrs.field(default=None, validator=_opt_day)
    issued: _dt.date | None = attrs.field(default=None, validator=_opt_day)
    published: _dt.date | None = attrs.field(default=None, validator=_opt_day)
    sources: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_texts)
    note: str | None = attrs.field(default=None, validator=_opt_text)

    @property
    def label(self) -> str:
        """A short human label: the number if any, else the title."""
        return self.number or self.title


@attrs.frozen(slots=True)
class Scope:
    """What a relief authorises and what it excludes."""

    authorises: str | None = attrs.field(default=None, validator=_opt_text)
    excludes: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_texts)


@attrs.frozen(slots=True)
class Measure:
    """One restriction by one authority. Its changes are :class:`Transition` records."""

    id: str = attrs.field(validator=_text)
    authority: str = attrs.field(validator=_text)
    kind: str = attrs.field(validator=_one_of(MEASURE_KINDS))
    title: str = attrs.field(validator=_text)
    targets: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_texts)
    program: str | None = attrs.field(default=None, validator=_opt_text)
    summary: str | None = attrs.field(default=None, validator=_opt_text)
    sources: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_texts)


def _changes(value: Any) -> tuple[tuple[str, str | None, str | None], ...]:
    if value is None:
        return ()
    if isinstance(value, dict):
        out = []
        for key, pair in value.items():
            old, new = pair
            out.append((str(key), None if old is None else str(old), None if new is None else str(new)))
        return tuple(sorted(out))
    return tuple(tuple(item) for item in value)  # type: ignore[misc]


@attrs.frozen(slots=True)
class Transition:
    """One dated change of one measure.

    A transition with an ``announced`` date and no ``effective`` date is a
    *pending announcement*: it changes no status and is listed under
    ``pending`` until a record that ``corrects`` it takes effect.
    """

    id: str = attrs.field(validator=_text)
    measure: str = attrs.field(validator=_text)
    action: Action = attrs.field(converter=_to_action,
                                 validator=_one_of(Action))
    recorded: _dt.date = attrs.field(validator=_day)
    effective: _dt.date | None = attrs.field(default=None, validator=_opt_day)
    effective_at: _dt.datetime | None = attrs.field(default=None, validator=_opt_instant)
    announced: _dt.date | None = attrs.field(default=None, validator=_opt_day)
    published: _dt.date | None = attrs.field(default=None, validator=_opt_day)
    until: _dt.date | None = attrs.field(default=None, validator=_opt_day)
    effective_window: tuple[_dt.date, _dt.date] | None = attrs.field(
        default=None, converter=_opt_tuple, validator=_opt_window
    )
    instrument: str | None = attrs.field(default=None, validator=_opt_text)
    scope: Scope | None = attrs.field(default=None, validator=attrs.validators.optional(attrs.validators.instance_of(Scope)))
    conditions: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_texts)
    program: str | None = attrs.field(default=None, validator=_opt_text)
    targets: tuple[str, ...] | None = attrs.field(default=None, converter=_opt_tuple)
    changes: tuple[tuple[str, str | None, str | None], ...] = attrs.field(default=(), converter=_changes)
    relief: str | None = attrs.field(default=None, validator=_opt_text)
    confidence: Confidence = attrs.field(
        default=Confidence.CONFIRMED,
        converter=_to_confidence,
        validator=_one_of(Confidence),
    )
    sources: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_texts)
    corrects: str | None = attrs.field(default=None, validator=_opt_text)
    note: str | None = attrs.field(default=None, validator=_opt_text)

    def __attrs_post_init__(self) -> None:
        if self.effective is None and self.announced is None:
            raise ValueError("a transition needs an effective date or an announced date")
        if self.effective is not None and self.until is not None and self.until <= self.effective:
            raise ValueError(f"until {self.until} must be after effective {self.effective} (until is exclusive: "
                             "'through D' or 'until D' in an instrument is D + 1 day, '12:01 a.m. on D' is D)")
        if self.effective_window is not None:
            if self.effective is None:
                raise ValueError("effective_window needs a best-estimate effective date")
            lo, hi = self.effective_window
            if not lo <= self.effective <= hi:
                raise ValueError(f"effective {self.effective} is outside effective_window [{lo}, {hi}]")

    @property
    def is_pending(self) -> bool:
        """True for an announcement with no effective date yet."""
        return self.effective is None

    @property
    def when(self) -> _dt.date:
        """The date this record is placed at: ``effective``, else ``announced``."""
        return self.effective if self.effective is not None else self.announced  # type: ignore[return-value]


@attrs.frozen(slots=True)
class Figure:
    """One reported figure about a release; conflicting figures are kept side by side."""

    quantity: str = attrs.field(validator=_text)
    value: int | str = attrs.field(validator=attrs.validators.instance_of((int, str)))
    used: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    sources: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_texts)
    note: str | None = attrs.field(default=None, validator=_opt_text)


@attrs.frozen(slots=True)
class Release:
    """A quid-pro-quo event: a prisoner release."""

    id: str = attrs.field(validator=_text)
    date: _dt.date = attrs.field(validator=_day)
    recorded: _dt.date = attrs.field(validator=_day)
    count: int | None = attrs.field(default=None, validator=attrs.validators.optional(attrs.validators.instance_of(int)))
    date_window: tuple[_dt.date, _dt.date] | None = attrs.field(
        default=None, converter=_opt_tuple, validator=_opt_window
    )
    people: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_texts)
    nationalities: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_texts)
    destinations: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_texts)
    negotiators: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_texts)
    sources: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_texts)
    figures: tuple[Figure, ...] = attrs.field(default=(), converter=_tuple)
    note: str | None = attrs.field(default=None, validator=_opt_text)

    def __attrs_post_init__(self) -> None:
        if self.count is not None and self.count < 0:
            raise ValueError(f"count must not be negative, got {self.count}")
        if self.date_window is not None and not self.date_window[0] <= self.date <= self.date_window[1]:
            raise ValueError(f"date {self.date} is outside date_window {list(map(str, self.date_window))}")


@attrs.frozen(slots=True)
class Link:
    """A release ↔ transition link and its basis."""

    release: str = attrs.field(validator=_text)
    transition: str = attrs.field(validator=_text)
    basis: Basis = attrs.field(
        converter=_to_basis, validator=_one_of(Basis)
    )
    recorded: _dt.date = attrs.field(validator=_day)
    sources: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_texts)
    quote: str | None = attrs.field(default=None, validator=_opt_text)
    note: str | None = attrs.field(default=None, validator=_opt_text)

    @property
    def id(self) -> str:
        return f"{self.release}->{self.transition}"


# -- answers ---------------------------------------------------------------


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
