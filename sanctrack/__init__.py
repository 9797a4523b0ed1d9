"""sanctrack: how sanctions change over time.

A sanction measure is not a boolean. sanctrack models each measure as a
versioned chain of dated state transitions, overlays licences on the measures
they relieve, links each relief to the prisoner release it was traded for, and
answers "what was in force on date X, as known on date Y" fast and
reproducibly. ``sanctrack.load()`` returns the bundled, fully sourced registry
of the Belarus track 2006–2026.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from ._index.screen import Screening
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
from ._version import __version__

if TYPE_CHECKING:
    import os
    from pathlib import Path
    from typing import TypedDict, Unpack

    class _LoadOptions(TypedDict, total=False):
        """The keyword options :func:`load` passes on (see :func:`sanctrack._loader.load`)."""

        cache: bool | None
        cache_dir: str | os.PathLike[str] | None
        max_file_size: int
        max_depth: int
        max_nodes: int

__all__ = [
    "__version__",
    "load",
    "write_registry",
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


def load(path: str | None = None, **options: Unpack[_LoadOptions]) -> Registry:
    """Load a registry directory; with no path, the bundled Belarus registry.

    Raises :class:`RegistryError` listing every problem (file:line:column,
    location, hint); nothing is loaded if there is one.
    """
    from ._loader import load as _load

    return _load(path, **options)


def write_registry(source: object, directory: str | os.PathLike[str]) -> Path:
    """Write a registry (or its records) as a registry directory; returns its absolute path.

    The one writer of the YAML layout (``docs/registry-format.md``): keys in the
    format's order, records sorted by id, dates ``YYYY-MM-DD``, ambiguous text
    quoted; the same registry always gives the same bytes, and ``load`` of the
    directory gives an equal registry (the same digest). Written atomically; an
    existing directory is replaced only if it holds nothing but registry files
    (else ``FileExistsError``). ``ValueError`` for records that cannot be
    written. See :func:`sanctrack._dump.write_registry`.

    >>> import tempfile
    >>> reg = load()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     load(str(write_registry(reg, tmp + "/copy")), cache=False).digest == reg.digest
    True
    """
    from ._dump import write_registry as _write

    return _write(source, directory)
