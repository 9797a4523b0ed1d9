"""The domain model: frozen, slotted value records, in three parts.

- :mod:`sanctrack._vocabulary`: the enumerations and the kinds;
- :mod:`sanctrack._records`: what a registry holds (measures, transitions, releases, links…),
  checked field by field by :mod:`sanctrack._field_checks`;
- :mod:`sanctrack._answers`: what the queries return (states, histories, comparisons…).

This module gathers them under one name for the rest of the package.
"""

from __future__ import annotations

from ._answers import (
                       POSITIONS,
                       Comparison,
                       Deal,
                       Explanation,
                       History,
                       LinkedRelease,
                       LinkedTransition,
                       MeasureState,
                       Position,
                       Relief,
                       ScreenHit,
                       StateChange,
                       Step,
                       Supersession,
)
from ._records import (
                       Authority,
                       Entity,
                       Figure,
                       Instrument,
                       Link,
                       Measure,
                       RegistryInfo,
                       Release,
                       Scope,
                       Source,
                       Transition,
)
from ._records import _to_action as _to_action  # the converters, for the loader's tests
from ._records import _to_basis as _to_basis
from ._records import _to_confidence as _to_confidence
from ._vocabulary import ENTITY_KINDS, IN_FORCE, INSTRUMENT_KINDS, MEASURE_KINDS, Action, Basis, Confidence, Status

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
