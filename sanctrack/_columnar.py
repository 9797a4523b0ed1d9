"""Records -> the JSON data of a load-cache entry (:mod:`sanctrack._cache`): its layout and schema.

:func:`document` turns a registry's records into the entry's data: per kind
of record a table of columns, with the schema they were written with.
:mod:`sanctrack._columnar_read` restores records from such data; signing,
reading and writing entries is :mod:`sanctrack._cache`'s.

This module is pure (no files, no clock, no printing) and knows only the
record types of :mod:`sanctrack._model`: it sits below the loader, the cache
and the registry.
"""

from __future__ import annotations

import array
import base64
import datetime as _dt
import enum
import sys
import types
import typing
from collections.abc import Iterable
from itertools import chain
from operator import attrgetter
from typing import Any

import attrs

from ._model import (
    Action,
    Authority,
    Basis,
    Confidence,
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
from ._unchecked import slot_setters

__all__ = ["FORMAT", "KINDS", "RECORD_TYPES", "ENUM_TYPES", "document", "indexes", "schema", "schemas"]

FORMAT = 3
"""Version of the cache file layout; part of every key.

3: columnar tables restored without validators, and every measure's latest runs (:mod:`sanctrack._index.stored`).
"""

KINDS: dict[str, type] = {
    # the kinds of records (the fields of ``Records``) stored as tables, in registry order
    "authorities": Authority,
    "entities": Entity,
    "instruments": Instrument,
    "sources": Source,
    "measures": Measure,
    "transitions": Transition,
    "releases": Release,
    "links": Link,
}


# -- records <-> JSON ---------------------------------------------------------------
#
# An entry stores each kind of record as a table: the number of records and one column
# per attrs field (in field order), each either a list (one encoded value per record) or
# {"all": value} when every record has the same value. How a field is encoded (its
# *codec*) follows from its declared type; the entry carries the schema (field names and
# codecs) it was written with, and a different schema is a miss.
#
# Restoring (sanctrack._columnar_read) does not run the records' converters and validators
# again: the records were validated when the YAML was loaded, and the signature says this is
# what was written then (sanctrack._unchecked.records_from_columns fills their slots column
# by column). Writing is strict instead: a value whose type is not exactly its
# codec's (a datetime where a date is declared, a list for a tuple, an unnamed enum
# value...) means no entry is written, so a restored record is always equal, type for
# type, to the record that was stored.

_NONE = type(None)
_PLAIN = frozenset({str, int, bool, _NONE})


class _Unsupported(Exception):
    """A value the entry format cannot restore exactly: the entry is not written."""


RECORD_TYPES: dict[str, type] = {c.__name__: c for c in (*KINDS.values(), RegistryInfo, Scope, Figure)}
ENUM_TYPES: dict[str, type[enum.Enum]] = {c.__name__: c for c in (Action, Basis, Confidence)}


def _codec_of(tp: Any) -> str:
    """The codec of a declared field type (see the table in :func:`_encoder`)."""
    args = typing.get_args(tp)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        rest = tuple(a for a in args if a is not _NONE)
        if all(a in _PLAIN for a in rest):
            return "v"
        if len(rest) == 1:
            return _codec_of(rest[0])  # every codec below also stores None
        raise _Unsupported(f"no codec for {tp!r}")
    if tp in _PLAIN:
        return "v"
    if tp is _dt.date:
        return "d"
    if tp is _dt.datetime:
        return "i"
    if isinstance(tp, type) and issubclass(tp, enum.Enum) and ENUM_TYPES.get(tp.__name__) is tp:
        return "e:" + tp.__name__
    if isinstance(tp, type) and RECORD_TYPES.get(tp.__name__) is tp:
        return "r:" + tp.__name__
    if origin is tuple:
        if args == (str, Ellipsis):
            return "t"
        if args == (_dt.date, _dt.date):
            return "w"
        if len(args) == 2 and args[1] is Ellipsis:
            inner = args[0]
            if isinstance(inner, type) and RECORD_TYPES.get(inner.__name__) is inner:
                return "R:" + inner.__name__
            if typing.get_origin(inner) is tuple and _codec_of(inner) == "c1":
                return "c"
        if all(_codec_of(a) == "v" for a in args):
            return "c1"  # a fixed tuple of plain values: only inside "c"
    raise _Unsupported(f"no codec for {tp!r}")


_HINTS: dict[tuple[str, str], Any] = {}


def _hint(cls: type, name: str) -> Any:
    """The declared type of a field (annotations are text here; a few distinct ones, evaluated once)."""
    ann = cls.__annotations__[name]
    if not isinstance(ann, str):
        return ann
    key = (cls.__module__, ann)
    got = _HINTS.get(key)
    if got is None:
        got = _HINTS[key] = eval(ann, vars(sys.modules[cls.__module__]))  # as typing.get_type_hints does
    return got


_SCHEMAS: dict[type, tuple[tuple[str, str], ...]] = {}


def schema(cls: type) -> tuple[tuple[str, str], ...]:
    """``(field name, codec)`` for each attrs field of ``cls``, in field order.

    Only a class whose state is exactly its fields, each in a slot of its own, can be
    restored by filling the slots (:func:`sanctrack._unchecked.slot_setters`).
    """
    got = _SCHEMAS.get(cls)
    if got is None:
        got = tuple((a.name, _codec_of(_hint(cls, a.name))) for a in attrs.fields(cls))
        if any(codec == "c1" for _name, codec in got):
            raise _Unsupported(f"{cls.__name__}: a fixed tuple field")
        try:
            slot_setters(cls)
        except TypeError as exc:
            raise _Unsupported(str(exc)) from None
        _SCHEMAS[cls] = got
    return got


def schemas() -> dict[str, list[list[str]]]:
    """The schema of every record type an entry holds (stored in each entry, compared on read)."""
    return {name: [list(f) for f in schema(cls)] for name, cls in sorted(RECORD_TYPES.items())}


# -- writing


def _date_out(v: Any) -> Any:
    if v is None:
        return None
    if type(v) is not _dt.date:
        raise _Unsupported(f"not a date: {v!r}")
    return v.isoformat()


def _plain_out(v: Any) -> Any:
    if type(v) not in _PLAIN:
        raise _Unsupported(f"not a plain value: {v!r}")
    return v


def _encoder(codec: str) -> Any:
    """A function from a field's value to its JSON value; raises _Unsupported for anything inexact."""
    kind, _, name = codec.partition(":")
    if kind == "v":
        return _plain_out
    if kind == "d":
        return _date_out
    if kind == "i":
        def instant(v: Any) -> Any:
            if v is None:
                return None
            text = v.isoformat() if type(v) is _dt.datetime and type(v.tzinfo) is _dt.timezone else None
            back = None if text is None else _dt.datetime.fromisoformat(text)
            if back is None or (back, back.tzinfo, back.tzname()) != (v, v.tzinfo, v.tzname()):
                raise _Unsupported(f"not an instant with a fixed offset: {v!r}")
            return text
        return instant
    if kind == "e":
        cls = ENUM_TYPES[name]

        def member(v: Any) -> Any:
            if type(v) is not cls:
                raise _Unsupported(f"not a {name}: {v!r}")
            return v.value
        return member
    if kind == "t":
        def texts(v: Any) -> Any:
            if v is None:
                return None
            if type(v) is not tuple or any(type(x) is not str for x in v):
                raise _Unsupported(f"not a tuple of text: {v!r}")
            return list(v)
        return texts
    if kind == "w":
        def window(v: Any) -> Any:
            if v is None:
                return None
            if type(v) is not tuple or len(v) != 2:
                raise _Unsupported(f"not a pair of dates: {v!r}")
            return [_date_out(v[0]), _date_out(v[1])]
        return window
    if kind == "c":
        def changes(v: Any) -> Any:
            if type(v) is not tuple or any(type(x) is not tuple or len(x) != 3 for x in v):
                raise _Unsupported(f"not a tuple of (field, old, new): {v!r}")
            return [[_plain_out(y) for y in x] for x in v]
        return changes
    if kind in ("r", "R"):
        cls = RECORD_TYPES[name]
        fields = [(n, _encoder(c)) for n, c in schema(cls)]

        def row(v: Any) -> Any:
            if type(v) is not cls:
                raise _Unsupported(f"not a {name}: {v!r}")
            return [enc(getattr(v, n)) for n, enc in fields]

        if kind == "r":
            return lambda v: None if v is None else row(v)

        def rows(v: Any) -> Any:
            if type(v) is not tuple:
                raise _Unsupported(f"not a tuple of {name}: {v!r}")
            return [row(x) for x in v]
        return rows
    raise _Unsupported(codec)  # pragma: no cover - _codec_of makes only the codecs above


# Element types a column of each fast codec may hold, checked for every value before
# equal values are merged (so a str subclass or a datetime never hides behind an equal
# value of the right type); (top-level types, types of the items of the tuples).
_FAST: dict[str, tuple[frozenset[type], frozenset[type] | None]] = {
    "v": (frozenset({str, _NONE}), None),
    "d": (frozenset({_dt.date, _NONE}), None),
    "t": (frozenset({tuple, _NONE}), frozenset({str})),
    "w": (frozenset({tuple, _NONE}), frozenset({_dt.date})),
}


def _table(cls: type, records: Iterable[Any]) -> dict[str, Any]:
    records = list(records)
    if not set(map(type, records)) <= {cls}:
        raise _Unsupported(f"not only {cls.__name__} records")
    columns: list[Any] = []
    for name, codec in schema(cls):
        enc = _encoder(codec)
        values = list(map(attrgetter(name), records))
        if _exact(codec, values):
            # values of exactly these types are equal only if they encode alike: merge them first
            columns.append(_column(values, enc))
        else:
            columns.append(_column([None if v is None else _frozen(enc(v)) for v in values], _thawed))
    return {"n": len(records), "columns": columns}


def _exact(codec: str, values: list[Any]) -> bool:
    """Whether ``values`` have exactly the types of ``codec`` (checked for all, not per distinct value)."""
    types = set(map(type, values))
    if codec[0] == "e":
        return types <= {ENUM_TYPES[codec[2:]]}
    if codec == "c":
        if not types <= {tuple}:
            return False
        changes = list(chain.from_iterable(values))
        return set(map(type, changes)) <= {tuple} and set(map(len, changes)) <= {3} \
            and set(map(type, chain.from_iterable(changes))) <= {str, _NONE}
    fast = _FAST.get(codec)
    return fast is not None and types <= fast[0] and (
        fast[1] is None or set(map(type, chain.from_iterable(filter(None, values)))) <= fast[1])


def _frozen(v: Any) -> Any:
    """A JSON value as a dict key: lists become tuples, and True and 1 stay apart."""
    t = type(v)
    if t is list:
        return tuple(map(_frozen, v))
    return (_frozen, v) if t is bool else v


def _thawed(k: Any) -> Any:
    """The JSON value of a :func:`_frozen` key."""
    if type(k) is tuple:
        return k[1] if k and k[0] is _frozen else list(map(_thawed, k))
    return k


def _column(values: list[Any], encode: Any) -> Any:
    """A column as stored: ``{"all": value}``, ``{"keys": [...], "idx": [...]}`` or a plain list.

    ``values`` are dict keys that are equal only where their encodings (by ``encode``) are.
    The dictionary form (each distinct value once, then one index per record) is used when
    values repeat: it is smaller, faster to parse, and each distinct value is decoded once.
    """
    if not values:
        return []
    distinct = dict.fromkeys(values)
    if len(distinct) == 1:
        return {"all": encode(values[0])}
    if len(distinct) * 2 <= len(values):
        index = {v: i for i, v in enumerate(distinct)}
        width = 1 if len(distinct) <= 1 << 8 else 2 if len(distinct) <= 1 << 16 else 4
        idx = array.array(_UINT[width], map(index.__getitem__, values))
        if sys.byteorder != "little":  # pragma: no cover - stored little-endian everywhere
            idx.byteswap()
        return {"keys": list(map(encode, distinct)), "width": width,
                "idx": base64.b64encode(idx.tobytes()).decode("ascii")}
    return list(map(encode, values))


# Indexes are unsigned little-endian integers of 1, 2 or 4 bytes, in base64 (a JSON string
# parses far faster than a list of numbers; the entry stays JSON data).
_UINT = {array.array(code).itemsize: code for code in "LIHB"}


def indexes(col: dict[str, Any], n: int) -> array.array[int]:
    """The index column of ``{"keys": ..., "width": ..., "idx": ...}`` (``n`` of them), checked."""
    width, text = col["width"], col["idx"]
    if type(width) is not int or width not in (1, 2, 4) or type(text) is not str:
        raise ValueError("a malformed index column")
    idx = array.array(_UINT[width], base64.b64decode(text, validate=True))
    if len(idx) != n:
        raise ValueError("an index column of the wrong length")
    if sys.byteorder != "little":  # pragma: no cover
        idx.byteswap()
    return idx


def document(key: str, records: Any, digest: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "key": key,
        "digest": digest,
        "schema": schemas(),
        "info": None if records.info is None else _table(RegistryInfo, [records.info]),
        **{kind: _table(cls, getattr(records, kind)) for kind, cls in KINDS.items()},
    }
