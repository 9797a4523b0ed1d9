"""sanctrack: how sanctions change over time.

A sanction measure is not a boolean. sanctrack models each measure as a
versioned chain of dated state transitions, overlays licences on the measures
they relieve, links each relief to the prisoner release it was traded for, and
answers "what was in force on date X, as known on date Y" fast and
reproducibly. ``sanctrack.load()`` returns the bundled, fully sourced registry
of the Belarus track 2006–2026.
"""

from __future__ import annotations

import typing as _typing

from ._errors import (
    FileChanged,
    IllegalTransition,
    InputError,
    InvalidDate,
    Problem,
    RegistryError,
    SanctrackError,
    UnknownFilter,
    UnknownMeasure,
    UnknownRecord,
    UnknownTarget,
    UnreadableFile,
)
from ._fast import Screening
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
    Release,
    Relief,
    Scope,
    ScreenHit,
    Source,
    StateChange,
    Status,
    Step,
    Supersession,
    Transition,
)
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


if _typing.TYPE_CHECKING:  # for the checker only: the package's namespace stays as it is
    import os
    from typing import TypedDict, Unpack

    class _LoadOptions(TypedDict, total=False):
        """The keyword options :func:`load` passes on (see :func:`sanctrack._loader.load`)."""

        cache: bool | None
        cache_dir: str | os.PathLike[str] | None
        max_file_size: int
        max_depth: int
        max_nodes: int


def load(path: str | None = None, **options: Unpack[_LoadOptions]) -> Registry:
    """Load a registry directory; with no path, the bundled Belarus registry.

    Raises :class:`RegistryError` listing every problem (file:line:column,
    location, hint); nothing is loaded if there is one.
    """
    from ._loader import load as _load

    return _load(path, **options)
