"""What every ``sanctrack`` subcommand shares: the usage error, the registry it asks, its options.

The command modules (:mod:`sanctrack._cli_queries`, :mod:`sanctrack._cli_registry`,
:mod:`sanctrack.server._cli`) import from here and :mod:`sanctrack.cli` builds the parser and
maps exceptions to exit codes; nothing here imports a command module, so the imports run one way.
"""

from __future__ import annotations

import argparse
import datetime as _dt
from pathlib import Path
from typing import Any, Callable, Sequence, TextIO

from . import _format as fmt
from ._errors import SanctrackError
from ._time import parse_date, parse_when

__all__ = ["UsageError", "NothingFound", "PROG", "FORMATS", "FILTERS", "load_registry", "opt", "when",
           "output_format", "query_of", "filters_of", "iso", "emit", "open_out"]

PROG = "sanctrack"
FORMATS = ("table", "json", "csv")
#: The options that narrow a query to some measures.
FILTERS = ("authority", "target", "kind", "program")


class UsageError(SanctrackError, ValueError):
    """A command line that cannot be run as given (exit code 2)."""


class NothingFound(SanctrackError, LookupError):
    """A query with an empty answer (exit code 1); the answer is still printed."""


def opt(args: argparse.Namespace, name: str) -> Any:
    """The value of option ``name``, or None when it was not given (or the command has no such option)."""
    return getattr(args, name, None)


def when(text: str) -> _dt.date | _dt.datetime:
    """A DATE argument: a date, or an aware instant."""
    return parse_when(text)


def load_registry(args: argparse.Namespace, path: str | None = None) -> Any:
    """The registry a command asks: ``path``, else ``--registry`` (a directory or a JSON export), else
    the bundled one; as known on ``--known`` when given."""
    import sanctrack

    path = path if path is not None else opt(args, "registry")
    if path is None:
        reg = sanctrack.load()
    else:
        p = Path(path)
        if not p.exists():
            raise UsageError(f"registry path {path!r} does not exist: expected a registry directory "
                             "or a JSON export (.json)")
        if p.is_file():
            if p.suffix.lower() != ".json":
                raise UsageError(f"registry path {path!r} is a file but not a JSON export: expected a registry "
                                 "directory or a JSON export (.json)")
            from .exports import load_json

            reg = load_json(p, allow_unverified=bool(opt(args, "allow_unverified")))
        else:
            reg = sanctrack.load(str(p))
    known = opt(args, "known")
    if known is not None:
        reg = reg.as_known_on(parse_date(known))
    return reg


def output_format(args: argparse.Namespace, allowed: Sequence[str] = FORMATS, default: str = "table") -> str:
    """The ``--format`` asked (``default`` when none), refused unless the command writes it."""
    f = opt(args, "format")
    if f is None:
        f = default
    if f not in allowed:
        raise UsageError(f"invalid --format {f!r} for {args.command}: expected one of {', '.join(allowed)}")
    return str(f)


def query_of(args: argparse.Namespace, **extra: Any) -> dict[str, Any]:
    """The ``query`` of a JSON answer: ``extra``, ``known`` and the filters given."""
    q: dict[str, Any] = dict(extra)
    q["known"] = opt(args, "known")
    for name in FILTERS:
        if opt(args, name) is not None:
            q[name] = opt(args, name)
    return q


def filters_of(args: argparse.Namespace) -> dict[str, Any]:
    """The filter options as keyword arguments of a query method."""
    return {k: opt(args, k) for k in FILTERS}


def iso(value: Any) -> str:
    """A date or an instant as ISO 8601 text."""
    return str(value.isoformat())


def emit(out: TextIO, args: argparse.Namespace, reg: Any, f: str, *, query: dict[str, Any], result: Any,
         table: Callable[[], str], csv: Callable[[], str]) -> None:
    """Write an answer as ``f``: the JSON envelope around ``result``, or the ``csv()`` or ``table()`` text."""
    if f == "json":
        out.write(fmt.dumps(fmt.envelope(reg, args.command, query, result)))
    elif f == "csv":
        out.write(csv())
    else:
        out.write(table())


def open_out(path: str) -> TextIO:
    """``path`` opened for writing text, refused (a usage error) when its directory does not exist."""
    p = Path(path)
    if not p.parent.is_dir():
        raise UsageError(f"cannot write {path!r}: directory {str(p.parent)!r} does not exist")
    return open(p, "w", encoding="utf-8", newline="")
