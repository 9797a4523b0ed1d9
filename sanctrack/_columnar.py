"""Records <-> the JSON data of a load-cache entry (:mod:`sanctrack._cache`).

:func:`document` turns a registry's records into the entry's data: per kind
of record a table of columns, with the schema they were written with;
:func:`registry` restores the records of such data, without running their
validators again, and builds the registry of them (the transitions made
measure by measure on first use). Signing, reading and writing entries is
:mod:`sanctrack._cache`'s.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import array
import base64
import datetime as _dt
import enum
import itertools
import sys
import types
import typing
from collections import deque
from itertools import chain, repeat
from operator import attrgetter
from typing import Any, Iterable

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

__all__ = ["FORMAT", "document", "registry"]

FORMAT = 2
"""Version of the cache file layout; part of every key (2: columnar tables, restored without validators)."""

_KINDS: dict[str, type] = {
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
# Restoring does not run the records' converters and validators again: the records were
# validated when the YAML was loaded, and the signature says this is what was written
# then. Records are allocated with object.__new__ and their slots filled column by column
# through the classes' slot descriptors; dates are rebuilt once per distinct value, enums
# by a dict lookup. Writing is strict instead: a value whose type is not exactly its
# codec's (a datetime where a date is declared, a list for a tuple, an unnamed enum
# value...) means no entry is written, so a restored record is always equal, type for
# type, to the record that was stored.

_NONE = type(None)
_PLAIN = frozenset({str, int, bool, _NONE})


class _Unsupported(Exception):
    """A value the entry format cannot restore exactly: the entry is not written."""


_RECORD_TYPES: dict[str, type] = {c.__name__: c for c in (*_KINDS.values(), RegistryInfo, Scope, Figure)}
_ENUM_TYPES: dict[str, type] = {c.__name__: c for c in (Action, Basis, Confidence)}


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
    if isinstance(tp, type) and issubclass(tp, enum.Enum) and _ENUM_TYPES.get(tp.__name__) is tp:
        return "e:" + tp.__name__
    if isinstance(tp, type) and _RECORD_TYPES.get(tp.__name__) is tp:
        return "r:" + tp.__name__
    if origin is tuple:
        if args == (str, Ellipsis):
            return "t"
        if args == (_dt.date, _dt.date):
            return "w"
        if len(args) == 2 and args[1] is Ellipsis:
            inner = args[0]
            if isinstance(inner, type) and _RECORD_TYPES.get(inner.__name__) is inner:
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
_SETTERS: dict[type, tuple[Any, ...]] = {}


def _schema(cls: type) -> tuple[tuple[str, str], ...]:
    """``(field name, codec)`` for each attrs field of ``cls``, in field order.

    Only a class whose state is exactly its fields, each in a slot of its own, can be
    restored by filling the slots (no hidden slot such as a cached hash left unset).
    """
    got = _SCHEMAS.get(cls)
    if got is None:
        got = tuple((a.name, _codec_of(_hint(cls, a.name))) for a in attrs.fields(cls))
        if any(codec == "c1" for _name, codec in got):
            raise _Unsupported(f"{cls.__name__}: a fixed tuple field")
        slots = []
        for c in cls.__mro__:
            declared = c.__dict__.get("__slots__", ())
            slots.extend(n for n in ((declared,) if isinstance(declared, str) else declared) if n != "__weakref__")
        descriptors = tuple(cls.__dict__.get(name) for name, _codec in got)
        if sorted(slots) != sorted(name for name, _codec in got) or "__dict__" in dir(cls) \
                or not all(type(d) is types.MemberDescriptorType for d in descriptors):
            raise _Unsupported(f"{cls.__name__}: not exactly one slot per field")
        _SETTERS[cls] = tuple(d.__set__ for d in descriptors)  # type: ignore[union-attr]
        _SCHEMAS[cls] = got
    return got


def _schemas() -> dict[str, list[list[str]]]:
    """The schema of every record type an entry holds (stored in each entry, compared on read)."""
    return {name: [list(f) for f in _schema(cls)] for name, cls in sorted(_RECORD_TYPES.items())}


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
        cls = _ENUM_TYPES[name]

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
        cls = _RECORD_TYPES[name]
        fields = [(n, _encoder(c)) for n, c in _schema(cls)]

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
    for name, codec in _schema(cls):
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
        return types <= {_ENUM_TYPES[codec[2:]]}
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


def _indexes(col: dict[str, Any], n: int) -> array.array:
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
        "schema": _schemas(),
        "info": None if records.info is None else _table(RegistryInfo, [records.info]),
        **{kind: _table(cls, getattr(records, kind)) for kind, cls in _KINDS.items()},
    }


# -- reading


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
        members = _ENUM_TYPES[name]._value2member_map_
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
        cls = _RECORD_TYPES[name]
        width = len(_schema(cls))

        def records(rows: list[Any]) -> list[Any]:
            for row in rows:
                if len(row) != width:
                    raise ValueError(f"a {name} has {len(row)} fields, not {width}")
            return _restore(cls, len(rows), [list(c) for c in zip(*rows)] if rows else [[]] * width, dates)

        if kind == "r":
            def optional(col: list[Any]) -> list[Any]:
                some = iter(records([row for row in col if row is not None]))
                return [None if row is None else next(some) for row in col]
            return optional

        def many(col: list[Any]) -> list[Any]:
            flat = iter(records([row for rows in col for row in rows]))
            return [tuple(next(flat) for _ in rows) for rows in col]
        return many
    raise ValueError(f"unknown codec {codec!r}")  # pragma: no cover


def _pair(pair: Any) -> Any:
    if type(pair) is not list or len(pair) != 2:
        raise ValueError("a window is not a pair")
    return pair


_new = object.__new__


def _restore(cls: type, n: int, columns: list[Any], dates: dict[Any, Any] | None = None) -> list[Any]:
    """``n`` records of ``cls`` from their columns (lists of JSON values, or ``{"all": value}``).

    The records are made without ``__init__`` (no converters, no validators): every slot
    is set from the decoded columns through the class's slot descriptors. ``dates`` maps
    the ISO texts of dates already parsed (shared by the tables of one entry).
    """
    if dates is None:
        dates = {None: None}
    schema = _schema(cls)
    if type(n) is not int or n < 0 or type(columns) is not list or len(columns) != len(schema):
        raise ValueError(f"a malformed {cls.__name__} table")
    out = list(map(_new, repeat(cls, n)))
    for (name, codec), col, setter in zip(schema, columns, _SETTERS[cls]):
        deque(map(setter, out, _values(cls, name, codec, col, n, dates)), maxlen=0)
    return out


def _values(cls: type, name: str, codec: str, col: Any, n: int, dates: dict[Any, Any]) -> Any:
    """The ``n`` values of one column: a list, or a ``repeat`` of one value, or a lazy map."""
    decode = _decoder(codec, dates)
    if type(col) is list and len(col) == n:
        return decode(col)
    if type(col) is dict and col.keys() == {"all"}:
        return repeat(decode([col["all"]])[0], n)
    if type(col) is dict and col.keys() == {"keys", "width", "idx"} and type(col["keys"]) is list:
        # a dict, not the list: an index out of range is an error
        return map(dict(enumerate(decode(col["keys"]))).__getitem__, _indexes(col, n))
    raise ValueError(f"a malformed {cls.__name__}.{name} column")


class _Same:
    """A column whose every value is ``value``."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _deferred_transitions(table: Any, dates: dict[Any, Any]) -> tuple[int, dict[str, Any], list[str], Any, Any]:
    """The transitions of an entry, decoded now and made measure by measure on first use.

    Every column is decoded here (anything malformed fails now, while the entry can
    still be a miss); making the records of one measure is then only filling their
    slots. Returns ``(count, {measure id: make}, ids, measure column, latest recorded date or None)``.
    """
    cls = Transition
    schema = _schema(cls)
    n, columns = table["n"], table["columns"]
    if type(n) is not int or n < 0 or type(columns) is not list or len(columns) != len(schema):
        raise ValueError("a malformed Transition table")
    decoded: list[Any] = []
    for (name, codec), col in zip(schema, columns):
        values = _values(cls, name, codec, col, n, dates)
        decoded.append(_Same(next(values)) if type(values) is repeat and n else
                       values if type(values) is list else list(values))
    names = [name for name, _ in schema]
    ids, measures = decoded[names.index("id")], decoded[names.index("measure")]
    if type(ids) is _Same and n > 1:
        raise ValueError("a duplicate transition id in the entry")
    spans: dict[str, list[tuple[int, int]]] = {}
    if type(measures) is _Same:
        if n:
            spans[measures.value] = [(0, n)]
        measure_of: Any = repeat(measures.value, n)
    else:
        measure_of = measures
        lo = 0
        for mid, run in itertools.groupby(measures):
            hi = lo + sum(1 for _ in run)
            spans.setdefault(mid, []).append((lo, hi))
            lo = hi
    setters = _SETTERS[cls]

    def maker(ranges: list[tuple[int, int]]) -> Any:
        def make() -> list[Transition]:
            out: list[Transition] = []
            for lo, hi in ranges:
                part = list(map(_new, repeat(cls, hi - lo)))
                for values, setter in zip(decoded, setters):
                    deque(map(setter, part, repeat(values.value, hi - lo) if type(values) is _Same
                              else values[lo:hi]), maxlen=0)
                out.extend(part)
            return out
        return make

    recorded = decoded[names.index("recorded")]
    latest = (recorded.value if type(recorded) is _Same else max(recorded)) if n else None
    return n, {mid: maker(r) for mid, r in spans.items()}, (ids if type(ids) is list else [ids.value] * n), \
        (list(measure_of) if type(measure_of) is repeat else measure_of), latest


def _check_consistent(records: Any, transition_ids: list[str] | None = None,
                      transition_measures: list[str] | None = None) -> None:
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
    if doc.get("schema") != _schemas():
        raise ValueError("the entry was written for other record types")
    kinds = {}
    for kind, cls in _KINDS.items():
        if kind != skip:
            table = doc[kind]
            kinds[kind] = _restore(cls, table["n"], table["columns"], dates)
    info = doc["info"]
    return (None if info is None else _restore(RegistryInfo, info["n"], info["columns"])[0]), kinds


def _records(doc: Any) -> Any:
    """Every record of an entry, restored at once (the reference the lazy path is tested against)."""
    from ._loader import Records

    info, kinds = _tables(doc, {None: None})
    return Records(info=info, **kinds)


def registry(doc: Any, digest: str) -> Any:
    """The registry of an entry: every record restored but the transitions, made per measure on first use."""
    from ._registry import Registry

    dates: dict[Any, Any] = {None: None}
    info, kinds = _tables(doc, dates, skip="transitions")
    count, makers, ids, measures, latest = _deferred_transitions(doc["transitions"], dates)
    kinds["transitions"] = ()
    _check_consistent(types.SimpleNamespace(**kinds), ids, measures)
    return Registry.build(info=info, **kinds, _verified_digest=digest, _deferred=(count, makers, latest))
