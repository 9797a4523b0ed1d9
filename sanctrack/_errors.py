"""The error hierarchy.

Every error sanctrack raises is a :class:`SanctrackError` and also a builtin
(``ValueError`` or ``LookupError``), so callers that do not know sanctrack can
still catch it. Facts are kept as attributes, not only in the message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

__all__ = [
    "SanctrackError",
    "InvalidDate",
    "InputError",
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


class SanctrackError(Exception):
    """Base class of every sanctrack error."""


class InputError(SanctrackError, ValueError):
    """Input a command cannot use: a bad row of a user's file (its file:line, the value and
    the expected shape), or a file format whose optional extra is not installed."""


class InvalidDate(SanctrackError, ValueError):
    """A date or instant that is not of the strict shape sanctrack accepts.

    ``value`` is the offending input, ``expected`` the shape that was expected.
    """

    def __init__(self, value: Any, expected: str, reason: str | None = None) -> None:
        self.value = value
        self.expected = expected
        self.reason = reason
        msg = f"invalid date {value!r}: expected {expected}"
        if reason:
            msg += f" ({reason})"
        super().__init__(msg)


class IllegalTransition(SanctrackError, ValueError):
    """A transition that the state machine does not allow from the current state.

    ``transition`` is the offending transition's id, ``previous`` the id of the
    transition that made the state it was applied to (``None`` if the measure did
    not exist yet), ``status`` that state.
    """

    def __init__(
        self,
        transition: str,
        action: str,
        status: str | None,
        previous: str | None,
        detail: str | None = None,
    ) -> None:
        self.transition = transition
        self.action = action
        self.status = status
        self.previous = previous
        self.detail = detail
        if previous is None:
            where = "the measure does not exist yet (no impose before it)"
        else:
            where = f"the measure is {status} after transition {previous!r}"
        msg = f"illegal transition {transition!r}: cannot {action} when {where}"
        if detail:
            msg += f"; {detail}"
        super().__init__(msg)


class _Unknown(SanctrackError, LookupError):
    """Base of the lookup errors: one readable message, with an optional hint."""

    def __init__(self, message: str, hint: str | None) -> None:
        self.hint = hint
        super().__init__(f"{message} ({hint})" if hint else message)

    def __str__(self) -> str:  # LookupError would repr() the args
        return str(self.args[0])


class UnknownMeasure(_Unknown):
    """No measure with that id."""

    def __init__(self, measure_id: str, hint: str | None = None) -> None:
        self.measure_id = measure_id
        super().__init__(f"unknown measure {measure_id!r}", hint)


class UnknownTarget(_Unknown):
    """No entity matches that id, name, alias or identifier."""

    def __init__(self, target: str, hint: str | None = None, *, filter: bool = False) -> None:
        self.target = target
        #: True when the target was a query's filter (``target=``): a usage error, not an empty answer
        self.filter = filter
        super().__init__(f"unknown target {target!r}: no entity has that id, name, alias or identifier", hint)


class UnknownFilter(_Unknown):
    """A filter value (``authority``, ``kind``, ``program``) that the registry does not know.

    A typo in a filter must never read as "nothing in force": ``filter`` names
    the filter, ``value`` is the value given, ``known`` every value the registry
    knows for it (sorted) and ``hint`` a "did you mean" when one is close.
    """

    def __init__(self, filter: str, value: object, known: Iterable[str], hint: str | None = None) -> None:
        self.filter = filter
        self.value = value
        self.known: tuple[str, ...] = tuple(sorted(known))
        shown = ", ".join(self.known[:40]) + (f", … ({len(self.known)} in all)" if len(self.known) > 40 else "")
        message = f"unknown {filter} {value!r}"
        if hint:
            message += f"; {hint}"
        message += f"; known {filter} values: {shown or '(none)'}"
        super().__init__(message, None)


class UnknownRecord(_Unknown):
    """No record of that kind with that id (transition, release, entity …)."""

    def __init__(self, kind: str, record_id: str, hint: str | None = None) -> None:
        self.kind = kind
        self.record_id = record_id
        super().__init__(f"unknown {kind} {record_id!r}", hint)


@attrs.frozen(slots=True)
class Problem:
    """One problem found while building or loading a registry.

    ``record`` is the id of the record it concerns and ``field`` the field name
    (the core knows no files); a loader fills in ``path``, ``line``, ``column``
    and ``location`` (a JSON-path-like ``$.transitions[2].effective``).
    ``related`` names other records involved (e.g. the earlier transition of an
    illegal sequence), so a loader can locate them too.
    """

    message: str
    hint: str | None = None
    record: str | None = None
    field: str | None = None
    related: tuple[str, ...] = ()
    path: str | None = None
    line: int | None = None
    column: int | None = None
    location: str | None = None

    def __str__(self) -> str:
        head = ""
        if self.path is not None:
            head = self.path
            if self.line is not None:
                head += f":{self.line}"
                if self.column is not None:
                    head += f":{self.column}"
            head += ": "
        elif self.record is not None:
            head = f"{self.record}: "
        text = head + self.message
        if self.location:
            text += f" at {self.location}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class RegistryError(SanctrackError, ValueError):
    """A registry that cannot be built or loaded; ``problems`` lists every problem."""

    def __init__(self, problems: Iterable[Problem], summary: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        n = len(self.problems)
        head = summary or f"invalid registry: {n} problem{'s' if n != 1 else ''}"
        body = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(head + (":\n" + body if body else ""))


# -- files sanctrack refuses to read (sanctrack._files) -----------------------------


class UnreadableFile(SanctrackError, OSError):
    """A file sanctrack will not read: not a regular file, too large, or unreadable.

    ``path`` is the file (also ``filename``, as for any ``OSError``), ``reason``
    says why in words. Raised by the one guarded open of :mod:`sanctrack._files`
    for every file the library opens (registry files, JSON exports, cache
    entries, list snapshots), so a FIFO, a device or a huge file never hangs
    or exhausts a load.
    """

    def __init__(self, path: Any, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.filename = path
        self.strerror = reason
        self.reason = reason

    def __str__(self) -> str:
        return str(self.args[0])


class FileChanged(UnreadableFile):
    """A file (or a directory's set of files) that changed while it was being read."""
