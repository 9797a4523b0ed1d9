"""The JSON data of a load-cache entry -> records (the inverse of :mod:`sanctrack._columnar`).

:func:`restore` gives the records of an entry, without running their
validators again (:func:`sanctrack._unchecked.records_from_columns`): every
column is decoded at once, so anything malformed fails while the entry can
still be a miss, but the transitions are made measure by measure on first
use, one by one (:class:`LazyRecords`). :func:`records` restores everything at once. Building the registry of
them is :mod:`sanctrack._cache`'s.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import collections
import datetime as _dt
import itertools
import operator
import threading
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import repeat
from typing import Any, NamedTuple

from ._columnar import ENUM_TYPES, KINDS, RECORD_TYPES, indexes, schema, schemas
from ._model import RegistryInfo, Transition
from ._unchecked import Column, records_from_columns, row_maker, rows_maker

__all__ = ["LazyRecords", "records", "restore", "Restored"]


def _as_is(col: list[Any]) -> list[Any]:
    return col


def _dates_in(col: list[Any], dates: dict[Any, Any]) -> list[Any]:
    """The dates of ISO texts (or None), each distinct text parsed once per restore (``dates``)."""
    for text in set(col).difference(dates):
        dates[text] = _dt.date.fromisoformat(text)
    return list(map(dates.__getitem__, col))


def _decoder(codec: str, dates: dict[Any, Any]) -> Any:
    """A function from a list of JSON values to the list of field values (the inverse of _encoder)."""
    kind, _, name = codec.partition(":")
    if kind == "v":
        return _as_is
    if kind == "d":
        return lambda col: _dates_in(col, dates)
    if kind == "i":
        return lambda col: [None if s is None else _dt.datetime.fromisoformat(s) for s in col]
    if kind == "e":
        members = ENUM_TYPES[name]._value2member_map_
        return lambda col: list(map(members.__getitem__, col))
    if kind == "t":
        return lambda col: list(map(tuple, col)) if None not in col else \
            [None if v is None else tuple(v) for v in col]
    if kind == "w":
        def windows(col: list[Any]) -> list[Any]:
            days = iter(_dates_in([d for pair in col if pair is not None for d in _pair(pair)], dates))
            return [None if pair is None else (next(days), next(days)) for pair in col]
        return windows
    if kind == "c":
        return lambda col: [tuple(map(tuple, v)) for v in col]
    if kind in ("r", "R"):
        cls = RECORD_TYPES[name]
        width = len(schema(cls))

        def rows_of(rows: list[Any]) -> list[Any]:
            for row in rows:
                if len(row) != width:
                    raise ValueError(f"a {name} has {len(row)} fields, not {width}")
            return _restore(cls, len(rows), [list(c) for c in zip(*rows)] if rows else [[]] * width, dates)

        if kind == "r":
            def optional(col: list[Any]) -> list[Any]:
                some = iter(rows_of([row for row in col if row is not None]))
                return [None if row is None else next(some) for row in col]
            return optional

        def many(col: list[Any]) -> list[Any]:
            flat = iter(rows_of([row for rows in col for row in rows]))
            return [tuple(next(flat) for _ in rows) for rows in col]
        return many
    raise ValueError(f"unknown codec {codec!r}")  # pragma: no cover


def _pair(pair: Any) -> Any:
    if type(pair) is not list or len(pair) != 2:
        raise ValueError("a window is not a pair")
    return pair


def _restore(cls: type, n: int, columns: list[Any], dates: dict[Any, Any] | None = None) -> list[Any]:
    """``n`` records of ``cls`` from their columns (lists of JSON values, or ``{"all": value}``...).

    The records are made without ``__init__`` by
    :func:`sanctrack._unchecked.records_from_columns`. ``dates`` maps the ISO texts
    of dates already parsed (shared by the tables of one entry).
    """
    if dates is None:
        dates = {None: None}
    fields = schema(cls)
    if type(n) is not int or n < 0 or type(columns) is not list or len(columns) != len(fields):
        raise ValueError(f"a malformed {cls.__name__} table")
    return records_from_columns(cls, n, [_values(cls, name, codec, col, n, dates)
                                         for (name, codec), col in zip(fields, columns)])


def _values(cls: type, name: str, codec: str, col: Any, n: int, dates: dict[Any, Any]) -> Any:
    """The ``n`` values of one column: a list, or a ``repeat`` of one value, or a lazy map."""
    decode = _decoder(codec, dates)
    if type(col) is list and len(col) == n:
        return decode(col)
    if type(col) is dict and col.keys() == {"all"}:
        return repeat(decode([col["all"]])[0], n)
    if type(col) is dict and col.keys() == {"keys", "width", "idx"} and type(col["keys"]) is list:
        # a dict, not the list: an index out of range is an error
        return map(dict(enumerate(decode(col["keys"]))).__getitem__, indexes(col, n))
    raise ValueError(f"a malformed {cls.__name__}.{name} column")


class LazyRecords:
    """One measure's transitions restored from an entry, each made on first use (a read-only sequence).

    ``rows`` are the records' rows in the entry's transition table, in the
    order this sequence gives them. A record is made once (under a lock, so
    every thread sees the same object) by :func:`sanctrack._unchecked.row_maker`;
    iterating makes the ones not made yet.
    """

    __slots__ = ("_made", "_make", "_make_all", "rows")

    def __init__(self, make: Callable[[int], Transition], make_all: Callable[[Sequence[int]], list[Transition]],
                 rows: Sequence[int]) -> None:
        self._make = make
        self._make_all = make_all
        self.rows = rows
        self._made: list[Transition | None] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> Transition:
        made = self._made
        t = None if made is None else made[i]
        if t is None:
            with _MAKING:
                made = self._made
                if made is None:
                    made = self._made = [None] * len(self.rows)
                t = made[i]
                if t is None:
                    t = made[i] = self._make(self.rows[i])
        return t

    def __iter__(self) -> Iterator[Transition]:
        if self._made is None:  # none made yet: all at once, column by column
            with _MAKING:
                if self._made is None:
                    self._made = list(self._make_all(self.rows))
        return iter([self[i] for i in range(len(self.rows))])

    def reordered(self, order: Sequence[int]) -> LazyRecords:
        """The same records (made once, shared) in another order: ``order[i]`` is the place in this one."""
        out = LazyRecords(self._make, self._make_all, [self.rows[i] for i in order])
        if self._made is not None:
            out._made = [self._made[i] for i in order]
        return out

    def __repr__(self) -> str:
        return f"<{len(self.rows)} transitions made on first use>"


_MAKING = threading.Lock()


def _column(cls: type, name: str, codec: str, col: Any, n: int, dates: dict[Any, Any]) -> Column:
    """One column of a table, decoded as its records will read it (see :class:`sanctrack._unchecked.Column`).

    A dictionary column stays its distinct values and its index array (a record reads
    ``keys[idx[row]]``): nothing a row long is made, and the collector never walks it.
    """
    decode = _decoder(codec, dates)
    if type(col) is list and len(col) == n:
        return Column(values=tuple(decode(col)))
    if type(col) is dict and col.keys() == {"all"}:
        return Column(constant=decode([col["all"]])[0])
    if type(col) is dict and col.keys() == {"keys", "width", "idx"} and type(col["keys"]) is list:
        keys = tuple(decode(col["keys"]))
        idx = indexes(col, n)
        if n and max(idx) >= len(keys):
            raise ValueError(f"an index out of range in the {cls.__name__}.{name} column")
        return Column(keys=keys, idx=idx)
    raise ValueError(f"a malformed {cls.__name__}.{name} column")


def _spans(column: Column, n: int) -> dict[Any, Sequence[int]]:
    """Each value of a column -> the rows holding it, in table order (ranges where they are contiguous)."""
    if not n:
        return {}
    if column.values is None and column.keys is None:
        return {column.constant: range(n)}
    idx: Any = column.idx
    keys: Any = column.keys
    if idx is not None and all(map(operator.le, idx, itertools.islice(idx, 1, None))):
        # grouped (a file a measure): key k holds one run of rows; keys are in order of first appearance
        counts = collections.Counter(idx)
        out: dict[Any, Sequence[int]] = {}
        lo = 0
        for k, key in enumerate(keys):
            hi = lo + counts[k]
            out[key] = range(lo, hi)
            lo = hi
        return out
    values = column.values if column.values is not None else [keys[i] for i in idx]
    rows: dict[Any, Any] = {}
    lo = 0
    for value, run in itertools.groupby(values):
        hi = lo + sum(1 for _ in run)
        got = rows.get(value)
        rows[value] = range(lo, hi) if got is None else [*got, *range(lo, hi)]
        lo = hi
    return rows


def _distinct(column: Column, n: int) -> Any:
    """The distinct values of a column (of ``n`` rows)."""
    if column.keys is not None:
        return column.keys
    if column.values is not None:
        return column.values
    return (column.constant,) if n else ()


def _deferred_transitions(table: Any, dates: dict[Any, Any]) -> tuple[int, dict[str, LazyRecords], Any, Any, Any]:
    """The transitions of an entry, decoded now and each made on first use.

    Every column is decoded here (anything malformed fails now, while the entry can
    still be a miss); making a record is then only filling its slots. Returns
    ``(count, {measure id: its records, in table order}, ids, the measures they name, latest recorded or None)``.
    """
    cls = Transition
    fields = schema(cls)
    n, columns = table["n"], table["columns"]
    if type(n) is not int or n < 0 or type(columns) is not list or len(columns) != len(fields):
        raise ValueError("a malformed Transition table")
    decoded = [_column(cls, name, codec, col, n, dates) for (name, codec), col in zip(fields, columns)]
    names = [name for name, _ in fields]
    ids = decoded[names.index("id")]
    measures = decoded[names.index("measure")]
    if ids.values is None and n > 1:
        raise ValueError("a duplicate transition id in the entry")
    recorded = _distinct(decoded[names.index("recorded")], n)
    rows = _spans(measures, n)
    make, make_all = row_maker(cls, decoded), rows_maker(cls, decoded)
    return n, {mid: LazyRecords(make, make_all, r) for mid, r in rows.items()}, \
        (ids.values if ids.values is not None else _distinct(ids, n)), _distinct(measures, n), \
        (max(recorded) if recorded else None)


def _check_consistent(records: Any, transition_ids: Sequence[str] | None = None,
                      transition_measures: Iterable[str] | None = None) -> None:
    """Cheap structural invariants of any registry that loaded with no problem.

    Ids are unique within each kind and every transition's measure exists: the trusted
    build indexes records by id and groups transitions by measure, so an entry breaking
    these (a writer bug, an entry from another sanctrack with the same version string)
    would silently lose records instead of failing. Not a defence against a forger
    holding the secret (see "Trust" in the module docstring).
    """
    for kind, ids in (("authority", [a.code for a in records.authorities]),
                      ("entity", [e.id for e in records.entities]),
                      ("instrument", [i.id for i in records.instruments]),
                      ("source", [s.id for s in records.sources]),
                      ("measure", [m.id for m in records.measures]),
                      ("transition", [t.id for t in records.transitions] if transition_ids is None
                       else transition_ids),
                      ("release", [r.id for r in records.releases])):
        if len(set(ids)) != len(ids):
            raise ValueError(f"a duplicate {kind} id in the entry")
    measures = {m.id for m in records.measures}
    if not measures.issuperset([t.measure for t in records.transitions] if transition_measures is None
                               else transition_measures):
        raise ValueError("a transition of an unknown measure in the entry")


def _tables(doc: Any, dates: dict[Any, Any], *, skip: str = "") -> tuple[Any, dict[str, Any]]:
    """The entry's info and its record tables restored (all kinds but ``skip``), after its schema is checked."""
    if doc.get("schema") != schemas():
        raise ValueError("the entry was written for other record types")
    kinds = {}
    for kind, cls in KINDS.items():
        if kind != skip:
            table = doc[kind]
            kinds[kind] = _restore(cls, table["n"], table["columns"], dates)
    info = doc["info"]
    return (None if info is None else _restore(RegistryInfo, info["n"], info["columns"])[0]), kinds


def records(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Every record of an entry, restored at once: ``info`` and a list per kind (the fields of ``Records``).

    The reference the lazy path (:func:`restore`) is tested against.
    """
    info, kinds = _tables(doc, {None: None})
    return {"info": info, **kinds}


class Restored(NamedTuple):
    """What :meth:`Registry.build` needs to rebuild an entry's registry without checking it again."""

    info: Any
    kinds: dict[str, list[Any]]
    """Every kind of record but the transitions (an empty list), restored."""
    deferred: tuple[int, dict[str, LazyRecords], Any]
    """``(count, {measure id: its transitions, made on first use}, latest recorded date or None)``."""


def restore(doc: Mapping[str, Any]) -> Restored:
    """The records of an entry: every kind restored now but the transitions, made per measure on first use.

    Raises ``ValueError`` (or ``KeyError``, ``TypeError``...) for an entry that is
    malformed, was written for other record types, or breaks the structural
    invariants of :func:`_check_consistent`.
    """
    dates: dict[Any, Any] = {None: None}
    info, kinds = _tables(doc, dates, skip="transitions")
    count, makers, ids, measures, latest = _deferred_transitions(doc["transitions"], dates)
    kinds["transitions"] = []
    _check_consistent(types.SimpleNamespace(**kinds), ids, measures)
    return Restored(info, kinds, (count, makers, latest))
