"""The registry's records: frozen, slotted value classes built from raw input by loaders and importers.

Records never see YAML: loaders and importers build them from raw input and
hand them to :meth:`sanctrack.Registry.build`. Validators here are cheap and
local (types, vocabularies, simple orderings); everything that needs more than
one record (references, state-machine legality) is checked by the registry.
Collections are tuples.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import attrs

from ._field_checks import (
    as_opt_tuple,
    as_tuple,
    check_day,
    check_opt_day,
    check_opt_instant,
    check_opt_text,
    check_opt_window,
    check_text,
    check_texts,
    one_of,
)
from ._vocabulary import ENTITY_KINDS, INSTRUMENT_KINDS, MEASURE_KINDS, Action, Basis, Confidence

__all__ = ["RegistryInfo", "Authority", "Entity", "Source", "Instrument", "Scope", "Measure", "Transition",
           "Figure", "Release", "Link"]

_ACTIONS = Action._value2member_map_
_CONFIDENCES = Confidence._value2member_map_
_BASES = Basis._value2member_map_


def _to_action(value: Any) -> Any:
    """Converter: a value of :class:`Action` becomes its member; anything else is kept (the validator refuses it)."""
    return _ACTIONS.get(value, value)


def _to_confidence(value: Any) -> Any:
    """Converter: a value of :class:`Confidence` becomes its member; anything else is kept."""
    return _CONFIDENCES.get(value, value)


def _to_basis(value: Any) -> Any:
    """Converter: a value of :class:`Basis` becomes its member; anything else is kept."""
    return _BASES.get(value, value)


@attrs.frozen(slots=True)
class RegistryInfo:
    """``registry.yaml``: what this registry is."""

    name: str = attrs.field(validator=check_text)
    version: str | None = attrs.field(default=None, validator=check_opt_text)
    description: str | None = attrs.field(default=None, validator=check_opt_text)


@attrs.frozen(slots=True)
class Authority:
    """A sanctioning authority (``US-OFAC``, ``EU``…) and its calendar's time zone."""

    code: str = attrs.field(validator=check_text)
    name: str = attrs.field(validator=check_text)
    jurisdiction: str = attrs.field(validator=check_text)
    timezone: str = attrs.field(validator=check_text)


@attrs.frozen(slots=True)
class Entity:
    """A target: an organisation, person, aircraft, sector…"""

    id: str = attrs.field(validator=check_text)
    kind: str = attrs.field(validator=one_of(ENTITY_KINDS))
    name: str = attrs.field(validator=check_text)
    aliases: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=check_texts)
    identifiers: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=check_texts)
    note: str | None = attrs.field(default=None, validator=check_opt_text)


@attrs.frozen(slots=True)
class Source:
    """Where a fact comes from."""

    id: str = attrs.field(validator=check_text)
    publisher: str = attrs.field(validator=check_text)
    url: str = attrs.field(validator=check_text)
    title: str | None = attrs.field(default=None, validator=check_opt_text)
    published: _dt.date | None = attrs.field(default=None, validator=check_opt_day)
    quote: str | None = attrs.field(default=None, validator=check_opt_text)
    note: str | None = attrs.field(default=None, validator=check_opt_text)


@attrs.frozen(slots=True)
class Instrument:
    """The legal act behind a change (an executive order, a general licence…)."""

    id: str = attrs.field(validator=check_text)
    kind: str = attrs.field(validator=one_of(INSTRUMENT_KINDS))
    title: str = attrs.field(validator=check_text)
    number: str | None = attrs.field(default=None, validator=check_opt_text)
    authority: str | None = attrs.field(default=None, validator=check_opt_text)
    url: str | None = attrs.field(default=None, validator=check_opt_text)
    signed: _dt.date | None = attrs.field(default=None, validator=check_opt_day)
    issued: _dt.date | None = attrs.field(default=None, validator=check_opt_day)
    published: _dt.date | None = attrs.field(default=None, validator=check_opt_day)
    sources: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=check_texts)
    note: str | None = attrs.field(default=None, validator=check_opt_text)

    @property
    def label(self) -> str:
        """A short human label: the number if any, else the title."""
        return self.number or self.title


@attrs.frozen(slots=True)
class Scope:
    """What a relief authorises and what it excludes."""

    authorises: str | None = attrs.field(default=None, validator=check_opt_text)
    excludes: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=check_texts)


@attrs.frozen(slots=True)
class Measure:
    """One restriction by one authority. Its changes are :class:`Transition` records."""

    id: str = attrs.field(validator=check_text)
    authority: str = attrs.field(validator=check_text)
    kind: str = attrs.field(validator=one_of(MEASURE_KINDS))
    title: str = attrs.field(validator=check_text)
    targets: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=check_texts)
    program: str | None = attrs.field(default=None, validator=check_opt_text)
    summary: str | None = attrs.field(default=None, validator=check_opt_text)
    sources: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=check_texts)


def _changes(value: Any) -> tuple[tuple[str, str | None, str | None], ...]:
    if value is None:
        return ()
    if isinstance(value, dict):
        out = []
        for key, pair in value.items():
            old, new = pair
            out.append((str(key), None if old is None else str(old), None if new is None else str(new)))
        return tuple(sorted(out))
    return tuple(tuple(item) for item in value)


@attrs.frozen(slots=True)
class Transition:
    """One dated change of one measure.

    A transition with an ``announced`` date and no ``effective`` date is a
    *pending announcement*: it changes no status and is listed under
    ``pending`` until a record that ``corrects`` it takes effect.
    """

    id: str = attrs.field(validator=check_text)
    measure: str = attrs.field(validator=check_text)
    action: Action = attrs.field(converter=_to_action,
                                 validator=one_of(Action))
    recorded: _dt.date = attrs.field(validator=check_day)
    effective: _dt.date | None = attrs.field(default=None, validator=check_opt_day)
    effective_at: _dt.datetime | None = attrs.field(default=None, validator=check_opt_instant)
    announced: _dt.date | None = attrs.field(default=None, validator=check_opt_day)
    published: _dt.date | None = attrs.field(default=None, validator=check_opt_day)
    until: _dt.date | None = attrs.field(default=None, validator=check_opt_day)
    effective_window: tuple[_dt.date, _dt.date] | None = attrs.field(
        default=None, converter=as_opt_tuple, validator=check_opt_window
    )
    instrument: str | None = attrs.field(default=None, validator=check_opt_text)
    scope: Scope | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(Scope))
    )
    conditions: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=check_texts)
    program: str | None = attrs.field(default=None, validator=check_opt_text)
    targets: tuple[str, ...] | None = attrs.field(default=None, converter=as_opt_tuple)
    changes: tuple[tuple[str, str | None, str | None], ...] = attrs.field(default=(), converter=_changes)
    relief: str | None = attrs.field(default=None, validator=check_opt_text)
    confidence: Confidence = attrs.field(
        default=Confidence.CONFIRMED,
        converter=_to_confidence,
        validator=one_of(Confidence),
    )
    sources: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=check_texts)
    corrects: str | None = attrs.field(default=None, validator=check_opt_text)
    note: str | None = attrs.field(default=None, validator=check_opt_text)

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

    quantity: str = attrs.field(validator=check_text)
    value: int | str = attrs.field(validator=attrs.validators.instance_of((int, str)))
    used: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    sources: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=check_texts)
    note: str | None = attrs.field(default=None, validator=check_opt_text)


@attrs.frozen(slots=True)
class Release:
    """A quid-pro-quo event: a prisoner release."""

    id: str = attrs.field(validator=check_text)
    date: _dt.date = attrs.field(validator=check_day)
    recorded: _dt.date = attrs.field(validator=check_day)
    count: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(int))
    )
    date_window: tuple[_dt.date, _dt.date] | None = attrs.field(
        default=None, converter=as_opt_tuple, validator=check_opt_window
    )
    people: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=check_texts)
    nationalities: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=check_texts)
    destinations: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=check_texts)
    negotiators: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=check_texts)
    sources: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=check_texts)
    figures: tuple[Figure, ...] = attrs.field(default=(), converter=as_tuple)
    note: str | None = attrs.field(default=None, validator=check_opt_text)

    def __attrs_post_init__(self) -> None:
        if self.count is not None and self.count < 0:
            raise ValueError(f"count must not be negative, got {self.count}")
        if self.date_window is not None and not self.date_window[0] <= self.date <= self.date_window[1]:
            raise ValueError(f"date {self.date} is outside date_window {list(map(str, self.date_window))}")


@attrs.frozen(slots=True)
class Link:
    """A release ↔ transition link and its basis."""

    release: str = attrs.field(validator=check_text)
    transition: str = attrs.field(validator=check_text)
    basis: Basis = attrs.field(
        converter=_to_basis, validator=one_of(Basis)
    )
    recorded: _dt.date = attrs.field(validator=check_day)
    sources: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=check_texts)
    quote: str | None = attrs.field(default=None, validator=check_opt_text)
    note: str | None = attrs.field(default=None, validator=check_opt_text)

    @property
    def id(self) -> str:
        return f"{self.release}->{self.transition}"
