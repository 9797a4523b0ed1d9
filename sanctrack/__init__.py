"""sanctrack: how sanctions change over time.

A sanction measure is not a boolean. sanctrack models each measure as a
versioned chain of dated state transitions, overlays licences on the measures
they relieve, links each relief to the prisoner release it was traded for, and
answers "what was in force on date X, as known on date Y" fast and
reproducibly. ``sanctrack.load()`` returns the bundled, fully sourced registry
of the Belarus track 2006–2026.
"""

from __future__ import annotations

from ._errors import (
    IllegalTransition,
    InputError,
    InvalidDate,
    Problem,
    RegistryError,
    UnreadableFile,
    FileChanged,
    SanctrackError,
    UnknownFilter,
    UnknownMeasure,
    UnknownRecord,
    UnknownTarget,
)
from ._model import (
    IN_FORCE,
    Action,
    Authority,
    Basis,
    Comparison,
    Confidence,
    Deal,
    Entity,
    Explanation,
    Figure,
    History,
    Instrument,
    Link,
    LinkedRelease,
    LinkedTransition,
    Measure,
    MeasureState,
    Position,
    RegistryInfo,
    Relief,
    Release,
    ScreenHit,
    Scope,
    Source,
    StateChange,
    Status,
    Step,
    Supersession,
    Transition,
)
from ._index.screen import Screening
from ._registry import Registry, normalise_name
from ._statemachine import TABLE, is_legal
from ._time import Validity, parse_date, parse_instant, parse_when

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "load",
    "Registry",
    # model
    "Action",
    "Status",
    "Confidence",
    "Basis",
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
    # answers
    "MeasureState",
    "Relief",
    "History",
    "Supersession",
    "Deal",
    "LinkedTransition",
    "LinkedRelease",
    "Explanation",
    "Step",
    "StateChange",
    "Comparison",
    "Position",
    "ScreenHit",
    "Screening",
    # time and rules
    "Validity",
    "parse_date",
    "parse_instant",
    "parse_when",
    "normalise_name",
    "TABLE",
    "is_legal",
    # errors
    "SanctrackError",
    "InputError",
    "InvalidDate",
    "IllegalTransition",
    "UnknownMeasure",
    "UnknownTarget",
    "UnknownFilter",
    "UnknownRecord",
    "Problem",
    "RegistryError",
    "UnreadableFile",
    "FileChanged",
]


def load(path: "str | None" = None, **options: object) -> Registry:
    """Load a registry directory; with no path, the bundled Belarus registry.

    Raises :class:`RegistryError` listing every problem (file:line:column,
    location, hint); nothing is loaded if there is one.
    """
    from ._loader import load as _load

    return _load(path, **options)
