"""The one place where sanctrack steps outside attrs' constructors and the garbage collector's rhythm.

Everything else in the library builds records with their attrs constructors
(``Transition(...)``, ``attrs.evolve``), which run every validator. A few things
need more speed than that and are kept here, where one reader can audit them:

* :func:`collection_paused`, a context manager that pauses the cyclic garbage
  collector while a registry is built or loaded. Building allocates hundreds of
  thousands of acyclic objects; without the pause the collector walks them over
  and over. Pausing is process-wide (other threads see it too), so it is done
  only here, is re-entrant, and restores the previous setting.
* :func:`records_from_columns` (and :func:`row_maker` and :func:`rows_maker`, its forms by row),
  the load cache's only constructors that skip validators: they restore the
  records of a warm load (a load cache hit) straight into their slots, column
  by column, or one row on first use. The records
  were checked when they were first loaded, and the cache entry holding them
  is signature-verified, so running the converters and validators again would
  only repeat work whose outcome is known. It pays (measured at 100k
  transitions, against attrs' constructors): restoring the records other than
  transitions takes a third of the time, making the transitions about half; a
  warm load followed by a first query on every measure takes about 15% less.
  ``tests/test_unchecked.py`` checks that it gives records equal, field for
  field and type for type, to the ones attrs' constructors give.

A cold YAML load builds its records with attrs' constructors: skipping the
validators its field converters make redundant saved only about 2%.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import types
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import repeat
from typing import Any, NamedTuple

import attrs

__all__ = ["Column", "collection_paused", "slot_setters", "records_from_columns", "row_maker", "rows_maker"]

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the duration of the block (re-entrant, thread-safe).

    The collector is re-enabled when the outermost block exits, if it was
    enabled when the outermost block entered.
    """
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()


# -- records made without running their validators: the load cache ---------------------------------
#
# records_from_columns gives the records ``cls(...)`` would give for the same, already-checked
# values (tests/test_unchecked.py checks it against attrs' constructors on generated and bundled
# records); it only skips work whose outcome is known.


_SETTERS: dict[type, tuple[Callable[[Any, Any], None], ...]] = {}


def slot_setters(cls: type) -> tuple[Callable[[Any, Any], None], ...]:
    """The slot setter of each attrs field of ``cls``, in field order (for :func:`records_from_columns`).

    Raises :class:`TypeError` unless the state of a ``cls`` instance is exactly its
    fields, each in a slot of its own: filling the slots must leave nothing unset
    (such as the hidden slot of a cached hash) and nothing beside them (a ``__dict__``).
    """
    got = _SETTERS.get(cls)
    if got is None:
        names = [a.name for a in attrs.fields(cls)]
        slots: list[str] = []
        for c in cls.__mro__:
            declared = c.__dict__.get("__slots__", ())
            slots.extend(n for n in ((declared,) if isinstance(declared, str) else declared) if n != "__weakref__")
        descriptors = [cls.__dict__.get(name) for name in names]
        if sorted(slots) != sorted(names) or "__dict__" in dir(cls) \
                or not all(type(d) is types.MemberDescriptorType for d in descriptors):
            raise TypeError(f"{cls.__name__}: not exactly one slot per field")
        got = _SETTERS[cls] = tuple(d.__set__ for d in descriptors)  # type: ignore[union-attr]
    return got


def records_from_columns(cls: type, n: int, columns: Sequence[Iterable[Any]]) -> list[Any]:
    """``n`` records of ``cls`` whose fields are ``columns`` (one iterable per field, in field order).

    For the load cache, whose records were checked when they were first loaded
    and whose entries are signature-verified: the records are made without
    ``__init__`` (no converters, no validators, no ``__attrs_post_init__``),
    every slot set column by column through the class's slot descriptors. Each
    column must give (at least) ``n`` values, each already what the field's
    converter makes (a tuple, not a list...) and what its validator accepts.
    """
    setters = _setters(cls, columns)
    out: list[Any] = list(map(_new, repeat(cls, n)))
    for setter, values in zip(setters, columns):
        deque(map(setter, out, values), maxlen=0)
    return out


_new = object.__new__


class Column(NamedTuple):
    """One column of a restored table, as :func:`row_maker` and :func:`rows_maker` read it: a row's value
    is ``values[row]``, else ``keys[idx[row]]`` (a dictionary column), else ``constant``."""

    values: Sequence[Any] | None = None
    keys: Sequence[Any] | None = None
    idx: Sequence[int] | None = None
    constant: Any = None


def _setters(cls: type, columns: Sequence[Any]) -> tuple[Callable[[Any, Any], None], ...]:
    """The slot setters of ``cls``, one a column (else a ValueError)."""
    setters = slot_setters(cls)
    if len(columns) != len(setters):
        raise ValueError(f"{len(columns)} columns for the {len(setters)} fields of {cls.__name__}")
    return setters


def _plan(cls: type, columns: Sequence[Column]) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    setters = _setters(cls, columns)
    plain = tuple((s, c.values) for s, c in zip(setters, columns) if c.values is not None)
    keyed = tuple((s, c.keys, c.idx) for s, c in zip(setters, columns) if c.values is None and c.keys is not None)
    fixed = tuple((s, c.constant) for s, c in zip(setters, columns) if c.values is None and c.keys is None)
    return plain, keyed, fixed


def row_maker(cls: type, columns: Sequence[Column]) -> Callable[[int], Any]:
    """A function making the record of ``cls`` at row ``j`` of ``columns`` (one :class:`Column` a field,
    in field order): the one-record form of :func:`records_from_columns`, with the same contract.

    A warm load makes a record only when an answer shows it (the transition that
    began a state, a relief in effect).
    """
    plain, keyed, fixed = _plan(cls, columns)

    def make(j: int) -> Any:
        o: Any = _new(cls)
        for setter, values in plain:
            setter(o, values[j])
        for setter, keys, idx in keyed:
            setter(o, keys[idx[j]])
        for setter, value in fixed:
            setter(o, value)
        return o

    return make


def rows_maker(cls: type, columns: Sequence[Column]) -> Callable[[Sequence[int]], list[Any]]:
    """A function making the records at several rows at once (:func:`records_from_columns` over those
    rows, column by column)."""
    _setters(cls, columns)

    def column(c: Column, rows: Sequence[int]) -> Iterable[Any]:
        if c.values is not None:
            vs = c.values
            return vs[rows.start:rows.stop] if type(rows) is range and rows.step == 1 else map(vs.__getitem__, rows)
        if c.keys is not None:
            idx: Any = c.idx
            sub = idx[rows.start:rows.stop] if type(rows) is range and rows.step == 1 else map(idx.__getitem__, rows)
            return map(c.keys.__getitem__, sub)
        return repeat(c.constant, len(rows))

    def make(rows: Sequence[int]) -> list[Any]:
        return records_from_columns(cls, len(rows), [column(c, rows) for c in columns])

    return make
