"""Reading a record's fields: the converters, the parse context and the record specs.

A converter takes a raw YAML value (from :mod:`sanctrack._yaml`) and returns
the field's value, or raises ``_Bad``; :func:`fields` converts a whole
mapping by a :class:`SpecTable`, recording every problem (located at its
value) in a :class:`Ctx`. The record specs (``INFO``, ``AUTHORITY``, ...,
``LINK``) say which keys each kind of record has, how each is read and which
are required; they are derived from the format's one field list,
:mod:`sanctrack._schema`. :mod:`sanctrack._reading` builds the records from the result.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from . import _schema
from ._errors import InvalidDate, Problem
from ._model import Scope
from ._time import parse_date, parse_instant
from ._validate import did_you_mean
from ._yaml import MarkedList, MarkedMap, Quoted, location

__all__ = ["ID_RE", "CODE_RE", "SOURCE_ID_RE", "Ctx", "SpecTable", "fields", "kind_of",
           "spec_of", "INFO", "AUTHORITY", "ENTITY", "INSTRUMENT", "SOURCE", "MEASURE", "TRANSITION", "RELEASE",
           "FIGURE", "LINK"]

ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")
CODE_RE = re.compile(r"[A-Z0-9][A-Z0-9._-]*\Z")
SOURCE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_INT_RE = re.compile(r"(?:0|-?[1-9][0-9]*)\Z")


# -- field converters -------------------------------------------------------------
#
# A converter takes a raw YAML value (str, Quoted, None, MarkedMap, MarkedList)
# and returns the field's value, or raises _Bad. Converters of lists and nested
# mappings report their items' problems themselves (at the items' own marks)
# through the Ctx, and raise _Reported.


class _Bad(Exception):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class _Reported(Exception):
    """The problems were already recorded."""


def kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return f"{value!r}"


def _text(value: Any) -> str:
    if type(value) is str:
        if value.strip():
            return value
    elif isinstance(value, str):
        if value.strip():
            return str(value)
    else:
        raise _Bad(f"expected text, got {kind_of(value)}")
    raise _Bad("expected non-empty text, got an empty string")


def _id_conv(pattern: re.Pattern[str], shape: str) -> Callable[[Any], str]:
    match = pattern.match

    def conv(value: Any) -> str:
        if type(value) is str and match(value):  # the common case: a plain, good id
            return value
        text = _text(value)
        if not match(text):
            raise _Bad(f"invalid id {text!r}: expected {shape}",
                       hint="ids use lower-case letters, digits and . _ -" if pattern is ID_RE else None)
        return text

    return conv


_id = _id_conv(ID_RE, "lower-case [a-z0-9][a-z0-9._-]*")
_code = _id_conv(CODE_RE, "upper-case [A-Z0-9][A-Z0-9._-]* (e.g. US-OFAC)")
_source_id = _id_conv(SOURCE_ID_RE, "[A-Za-z0-9][A-Za-z0-9._-]*")


@lru_cache(maxsize=1 << 16)  # every day of 180 years; a registry repeats its dates many times
def _date_text(text: str) -> _dt.date:
    return parse_date(text)


def _date(value: Any) -> _dt.date:
    if type(value) is not str:
        if not isinstance(value, str):
            raise _Bad(f"expected a date YYYY-MM-DD, got {kind_of(value)}", hint="write the date as YYYY-MM-DD")
        value = str(value)
    try:
        return _date_text(value)
    except InvalidDate as exc:
        raise _Bad(str(exc), hint="write a full calendar date YYYY-MM-DD; bracket an uncertain date with "
                                  "a window") from None


def _instant(value: Any) -> _dt.datetime:
    if not isinstance(value, str):
        raise _Bad(f"expected an instant, got {kind_of(value)}")
    try:
        return parse_instant(str(value))
    except InvalidDate as exc:
        raise _Bad(str(exc), hint="write YYYY-MM-DDTHH:MM:SS+HH:MM with an explicit offset") from None


#: The most digits a whole number in a registry may have (Python refuses to convert more than
#: 4,300 by default, and no count or figure needs more than a few).
MAX_INT_DIGITS = 100


def _whole(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _Bad(f"a whole number of {digits} digits is too large (at most {MAX_INT_DIGITS} digits)",
                   hint="write the number as it is published; a figure that is not a number can be quoted text")
    try:
        return int(text)
    except ValueError:  # pragma: no cover - the interpreter's own digit limit set very low
        raise _Bad(f"a whole number of {digits} digits cannot be read here") from None


def _int(value: Any) -> int:
    if isinstance(value, Quoted):
        raise _Bad(f"expected a whole number, got the quoted text {str(value)[:40]!r}",
                   hint="write the number without quotes")
    if not isinstance(value, str) or not _INT_RE.match(value):
        raise _Bad(f"expected a whole number, got {_short(value)}",
                   hint="write digits only, without leading zeros, separators or signs")
    return _whole(value)


def _short(value: Any) -> str:
    text = kind_of(value)
    return text if len(text) <= 80 else text[:60] + f"… ({len(text)} characters)"


def _int_or_text(value: Any) -> int | str:
    if isinstance(value, str) and not isinstance(value, Quoted) and _INT_RE.match(value):
        return _whole(value)
    return _text(value)


def _bool(value: Any) -> bool:
    if type(value) is str and value in ("true", "false"):
        return value == "true"
    raise _Bad(f"expected true or false, got {kind_of(value)}",
               hint="booleans are written true or false (yes/no/on/off are not booleans here)")


def _vocab(allowed: Iterable[str]) -> Callable[[Any], str]:
    values = frozenset(str(a) for a in allowed)
    names = ", ".join(sorted(values))

    def conv(value: Any) -> str:
        if type(value) is str and value in values:  # the common case: a plain, known word
            return value
        text = _text(value)
        if text not in values:
            raise _Bad(f"{text!r} is not one of: {names}", hint=did_you_mean(text, values))
        return text

    return conv


def _optional(conv: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def opt(value: Any) -> Any:
        return None if value is None else conv(value)

    opt.__name__ = getattr(conv, "__name__", "opt")
    return opt


# -- the context: where we are, and the problems found ---------------------------


class Ctx:
    __slots__ = ("problems", "path")

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.path = ""

    def add(self, message: str, hint: str | None, mark: tuple[int, int] | None, parts: tuple[Any, ...]) -> None:
        line, column = mark if mark else (None, None)
        self.problems.append(Problem(message, hint=hint, path=self.path, line=line, column=column,
                                     location=location(parts)))


class _ListOf:
    """A converter for a YAML sequence whose items go through ``item``."""

    __slots__ = ("item", "what", "fast")

    def __init__(self, item: Callable[[Any], Any], what: str, fast: re.Pattern[str]) -> None:
        self.item = item
        self.what = what
        self.fast = fast  # matches every good item: a list of good items needs no per-item call

    def __call__(self, ctx: Ctx, value: Any, parts: tuple[Any, ...]) -> tuple[Any, ...]:
        if value is None:
            return ()
        if not isinstance(value, MarkedList):
            example = f"[{value}]" if isinstance(value, str) else "[a, b]"
            raise _Bad(f"expected a list of {self.what}, got {kind_of(value)}",
                       hint=f"a one-element list is still a list: write {example}")
        try:
            if all(map(self.fast.match, value)):
                return tuple(map(str, value))
        except TypeError:  # an item that is not text: the slow path says which
            pass
        out = []
        ok = True
        conv = self.item
        for n, item in enumerate(value):
            try:
                out.append(conv(item))
            except _Bad as bad:
                ok = False
                ctx.add(bad.message, bad.hint, value.items_at[n], parts + (n,))
        if not ok:
            raise _Reported
        return tuple(out)


# A field spec: key -> (converter, required). A converter is either a plain
# function of the value, or an object called with (ctx, value, parts).


class SpecTable:
    """A record's keys: key -> converter, split by how it is called, and the required keys."""

    __slots__ = ("keys", "simple", "nested", "required", "required_set", "order")

    def __init__(self, spec: dict[str, tuple[Any, bool]]) -> None:
        self.keys = tuple(spec)
        self.order = {k: n for n, k in enumerate(spec)}
        # simple: conv(value); nested: conv(ctx, value, parts); a key in neither with conv None is
        # known but read elsewhere (a measure's transitions, a release's figures and links)
        self.simple = {k: conv for k, (conv, _req) in spec.items()
                       if conv is not None and not isinstance(conv, (_ListOf, _Nested))}
        self.nested = {k: conv for k, (conv, _req) in spec.items() if isinstance(conv, (_ListOf, _Nested))}
        self.required = tuple(k for k, (_conv, req) in spec.items() if req)
        self.required_set = frozenset(self.required)

    def __contains__(self, key: object) -> bool:
        return key in self.order

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.keys)


def fields(ctx: Ctx, node: Any, parts: tuple[Any, ...], spec: SpecTable, what: str,
            mark: tuple[int, int] | None) -> dict[str, Any] | None:
    """Convert a mapping field by field; None if any problem (all of them recorded)."""
    if type(node) is not MarkedMap:
        ctx.add(f"expected {what} (a mapping of keys to values), got {kind_of(node)}", None, mark, parts)
        return None
    out: dict[str, Any] = {}
    ok = True
    simple = spec.simple
    for key, value in node.items():
        conv = simple.get(key)
        if conv is not None:
            if value is None:
                continue
            try:
                out[key] = conv(value)
            except _Bad as bad:
                ctx.add(f"{key}: {bad.message}", bad.hint, node.at(key), parts + (key,))
                ok = False
            continue
        if key not in spec.order:
            hint = did_you_mean(key, spec.keys) or f"the keys of {what} are: {', '.join(spec.keys)}"
            ctx.add(f"unknown key {key!r} in {what}", hint, node.keys_at.get(key), parts + (key,))
            ok = False
            continue
        conv = spec.nested.get(key)
        if value is None or conv is None:
            continue
        try:
            out[key] = conv(ctx, value, parts + (key,))
        except _Bad as bad:
            ctx.add(f"{key}: {bad.message}", bad.hint, node.at(key), parts + (key,))
            ok = False
        except _Reported:
            ok = False
    if not spec.required_set <= out.keys():
        for key in spec.required:
            if node.get(key) is None:
                if key in node:
                    ctx.add(f"{key} is empty in {what}", f"give {key} a value", node.at(key), parts + (key,))
                else:
                    ctx.add(f"missing required key {key!r} in {what}", f"add `{key}: ...`", node.mark, parts)
                ok = False
    return out if ok else None


class _Nested:
    """A converter for a nested mapping (scope, changes) or a pair (windows)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[Ctx, Any, tuple[Any, ...]], Any]) -> None:
        self.fn = fn

    def __call__(self, ctx: Ctx, value: Any, parts: tuple[Any, ...]) -> Any:
        return self.fn(ctx, value, parts)


_TEXTS = _ListOf(_text, "text", re.compile(r"\s*\S"))
_IDS = _ListOf(_id, "ids", ID_RE)
_SOURCE_IDS = _ListOf(_source_id, "source ids", SOURCE_ID_RE)


def _scope(ctx: Ctx, value: Any, parts: tuple[Any, ...]) -> Scope:
    kw = fields(ctx, value, parts, _SCOPE, "a scope", getattr(value, "mark", None))
    if kw is None:
        raise _Reported
    return Scope(**kw)


def _window(ctx: Ctx, value: Any, parts: tuple[Any, ...]) -> tuple[_dt.date, _dt.date]:
    if not isinstance(value, MarkedList) or len(value) != 2:
        raise _Bad(f"expected [earliest, latest] (two dates), got {kind_of(value)}",
                   hint="write [YYYY-MM-DD, YYYY-MM-DD]")
    out = []
    for n, item in enumerate(value):
        try:
            out.append(_date(item))
        except _Bad as bad:
            ctx.add(bad.message, bad.hint, value.items_at[n], parts + (n,))
    if len(out) != 2:
        raise _Reported
    if out[1] < out[0]:
        raise _Bad(f"latest {out[1]} is before earliest {out[0]}", hint="write [earliest, latest]")
    return (out[0], out[1])


def _changes(ctx: Ctx, value: Any, parts: tuple[Any, ...]) -> dict[str, tuple[str | None, str | None]]:
    if not isinstance(value, MarkedMap):
        raise _Bad(f"expected a mapping field: [old, new], got {kind_of(value)}")
    out = {}
    ok = True
    for key, pair in value.items():
        if not isinstance(pair, MarkedList) or len(pair) != 2 or any(isinstance(x, (dict, list)) for x in pair):
            ctx.add(f"changes.{key}: expected [old, new], got {kind_of(pair)}", "write `field: [old, new]`",
                    value.at(key), parts + (key,))
            ok = False
            continue
        old, new = pair
        out[key] = (None if old is None else str(old), None if new is None else str(new))
    if not ok:
        raise _Reported
    return out


# -- record specs -------------------------------------------------------------------
#
# Derived from the one declaration of the format's fields (sanctrack._schema): each field
# kind has its converter; the spec keeps the declaration's key order.

_CONVERTERS: dict[str, Any] = {
    "text": _text, "id": _id, "code": _code, "source_id": _source_id, "date": _date, "instant": _instant,
    "int": _int, "int_or_text": _int_or_text, "bool": _bool, "texts": _TEXTS, "ids": _IDS,
    "source_ids": _SOURCE_IDS, "window": _Nested(_window), "scope": _Nested(_scope),
    "changes": _Nested(_changes), "records": None,
}


def spec_of(declared: tuple[_schema.Field, ...]) -> SpecTable:
    """The loader's spec of a kind of record, from its declared fields."""
    return SpecTable({f.name: (_vocab(f.vocabulary) if f.kind == "vocab" else _CONVERTERS[f.kind], f.required)
                      for f in declared})


INFO = spec_of(_schema.INFO)
AUTHORITY = spec_of(_schema.AUTHORITY)
ENTITY = spec_of(_schema.ENTITY)
INSTRUMENT = spec_of(_schema.INSTRUMENT)
SOURCE = spec_of(_schema.SOURCE)
MEASURE = spec_of(_schema.MEASURE)
TRANSITION = spec_of(_schema.TRANSITION)
RELEASE = spec_of(_schema.RELEASE)
FIGURE = spec_of(_schema.FIGURE)
LINK = spec_of(_schema.LINK)
_SCOPE = spec_of(_schema.SCOPE)  # a transition's scope (read by _scope)
