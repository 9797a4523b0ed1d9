"""Loading a registry directory: YAML files in, a :class:`~sanctrack.Registry` out.

Two passes, every problem at once:

1. **Parse** every file, in a fixed order (``registry.yaml``,
   ``authorities.yaml``, ``entities.yaml``, ``instruments.yaml``,
   ``sources.yaml``, then ``measures/*.yaml`` and ``releases/*.yaml`` sorted by
   name) with the one safe reader (:mod:`sanctrack._yaml`), and build records
   field by field. A bad field is a problem located at its value
   (``path:line:column`` and a location such as ``$.transitions[2].effective``);
   it does not hide the other fields or files.
2. **Resolve**: hand every record to :meth:`Registry.build`, which checks the
   references (authorities, entities, instruments, sources, link ends,
   ``corrects``) and replays each measure through the state machine. Its
   problems name records and fields; they are mapped back to files and lines
   here.

If there is any problem, one :class:`RegistryError` lists them all, sorted by
file, line and column, and nothing is loaded. Only ``RegistryError`` leaves
:func:`load` for bad input: oversized files, undecodable bytes, symlinks
leading out of the registry, special files, hostile YAML (deep nesting, alias
bombs, unknown tags) are all located problems.

This is the only module that reads registry files (with :mod:`sanctrack._cache`).
"""

from __future__ import annotations

import datetime as _dt
import gc
import hashlib
import os
import re
import stat
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import attrs

from ._errors import InvalidDate, Problem, RegistryError
from ._model import (
    ENTITY_KINDS,
    INSTRUMENT_KINDS,
    MEASURE_KINDS,
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
from ._registry import Registry
from ._time import parse_date, parse_instant
from ._validate import did_you_mean
from ._yaml import MAX_DEPTH, MAX_NODES, MarkedList, MarkedMap, Quoted, location, parse_yaml

__all__ = ["load", "load_records", "Records", "registry_files", "bundled_path", "MAX_FILE_SIZE"]

MAX_FILE_SIZE = 10 * 1024 * 1024
"""Largest registry file accepted, in bytes (``load(path, max_file_size=...)``)."""

TOP_FILES = ("registry.yaml", "authorities.yaml", "entities.yaml", "instruments.yaml", "sources.yaml")
DIRS = ("measures", "releases")

ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")
CODE_RE = re.compile(r"[A-Z0-9][A-Z0-9._-]*\Z")
SOURCE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_INT_RE = re.compile(r"(?:0|-?[1-9][0-9]*)\Z")


# -- the records of a registry -------------------------------------------------


@attrs.define
class Records:
    """Every record of a registry, in registry order (the input of :meth:`Registry.build`)."""

    info: RegistryInfo | None = None
    authorities: list[Authority] = attrs.Factory(list)
    entities: list[Entity] = attrs.Factory(list)
    instruments: list[Instrument] = attrs.Factory(list)
    sources: list[Source] = attrs.Factory(list)
    measures: list[Measure] = attrs.Factory(list)
    transitions: list[Transition] = attrs.Factory(list)
    releases: list[Release] = attrs.Factory(list)
    links: list[Link] = attrs.Factory(list)

    def build(self, *, verified_digest: str | None = None) -> Registry:
        return Registry.build(info=self.info, authorities=self.authorities, entities=self.entities,
                              instruments=self.instruments, sources=self.sources, measures=self.measures,
                              transitions=self.transitions, releases=self.releases, links=self.links,
                              _verified_digest=verified_digest)


# -- field converters -------------------------------------------------------------
#
# A converter takes a raw YAML value (str, Quoted, None, MarkedMap, MarkedList)
# and returns the field's value, or raises _Bad. Converters of lists and nested
# mappings report their items' problems themselves (at the items' own marks)
# through the _Ctx, and raise _Reported.


class _Bad(Exception):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class _Reported(Exception):
    """The problems were already recorded."""


def _kind_of(value: Any) -> str:
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
        raise _Bad(f"expected text, got {_kind_of(value)}")
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
            raise _Bad(f"expected a date YYYY-MM-DD, got {_kind_of(value)}", hint="write the date as YYYY-MM-DD")
        value = str(value)
    try:
        return _date_text(value)
    except InvalidDate as exc:
        raise _Bad(str(exc), hint="write a full calendar date YYYY-MM-DD; bracket an uncertain date with "
                                  "a window") from None


def _instant(value: Any) -> _dt.datetime:
    if not isinstance(value, str):
        raise _Bad(f"expected an instant, got {_kind_of(value)}")
    try:
        return parse_instant(str(value))
    except InvalidDate as exc:
        raise _Bad(str(exc), hint="write YYYY-MM-DDTHH:MM:SS+HH:MM with an explicit offset") from None


def _int(value: Any) -> int:
    if isinstance(value, Quoted):
        raise _Bad(f"expected a whole number, got the quoted text {str(value)!r}",
                   hint="write the number without quotes")
    if not isinstance(value, str) or not _INT_RE.match(value):
        raise _Bad(f"expected a whole number, got {_kind_of(value)}",
                   hint="write digits only, without leading zeros, separators or signs")
    return int(value)


def _int_or_text(value: Any) -> int | str:
    if isinstance(value, str) and not isinstance(value, Quoted) and _INT_RE.match(value):
        return int(value)
    return _text(value)


def _bool(value: Any) -> bool:
    if type(value) is str and value in ("true", "false"):
        return value == "true"
    raise _Bad(f"expected true or false, got {_kind_of(value)}",
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


class _Ctx:
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

    def __call__(self, ctx: _Ctx, value: Any, parts: tuple[Any, ...]) -> tuple:
        if value is None:
            return ()
        if not isinstance(value, MarkedList):
            example = f"[{value}]" if isinstance(value, str) else "[a, b]"
            raise _Bad(f"expected a list of {self.what}, got {_kind_of(value)}",
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
_Spec = "_SpecTable"


class _SpecTable:
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


def _fields(ctx: _Ctx, node: Any, parts: tuple[Any, ...], spec: "_SpecTable", what: str,
            mark: tuple[int, int] | None) -> dict[str, Any] | None:
    """Convert a mapping field by field; None if any problem (all of them recorded)."""
    if type(node) is not MarkedMap:
        ctx.add(f"expected {what} (a mapping of keys to values), got {_kind_of(node)}", None, mark, parts)
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

    def __init__(self, fn: Callable[[_Ctx, Any, tuple[Any, ...]], Any]) -> None:
        self.fn = fn

    def __call__(self, ctx: _Ctx, value: Any, parts: tuple[Any, ...]) -> Any:
        return self.fn(ctx, value, parts)


_TEXTS = _ListOf(_text, "text", re.compile(r"\s*\S"))
_IDS = _ListOf(_id, "ids", ID_RE)
_SOURCE_IDS = _ListOf(_source_id, "source ids", SOURCE_ID_RE)

_SCOPE = _SpecTable({"authorises": (_text, False), "excludes": (_TEXTS, False)})


def _scope(ctx: _Ctx, value: Any, parts: tuple[Any, ...]) -> Scope:
    kw = _fields(ctx, value, parts, _SCOPE, "a scope", getattr(value, "mark", None))
    if kw is None:
        raise _Reported
    return Scope(**kw)


def _window(ctx: _Ctx, value: Any, parts: tuple[Any, ...]) -> tuple[_dt.date, _dt.date]:
    if not isinstance(value, MarkedList) or len(value) != 2:
        raise _Bad(f"expected [earliest, latest] (two dates), got {_kind_of(value)}",
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


def _changes(ctx: _Ctx, value: Any, parts: tuple[Any, ...]) -> dict[str, tuple[str | None, str | None]]:
    if not isinstance(value, MarkedMap):
        raise _Bad(f"expected a mapping field: [old, new], got {_kind_of(value)}")
    out = {}
    ok = True
    for key, pair in value.items():
        if not isinstance(pair, MarkedList) or len(pair) != 2 or any(isinstance(x, (dict, list)) for x in pair):
            ctx.add(f"changes.{key}: expected [old, new], got {_kind_of(pair)}", "write `field: [old, new]`",
                    value.at(key), parts + (key,))
            ok = False
            continue
        old, new = pair
        out[key] = (None if old is None else str(old), None if new is None else str(new))
    if not ok:
        raise _Reported
    return out


# -- record specs -------------------------------------------------------------------

_INFO = _SpecTable({"name": (_text, True), "version": (_text, False), "description": (_text, False)})
_AUTHORITY = _SpecTable({"code": (_code, True), "name": (_text, True), "jurisdiction": (_text, True),
                     "timezone": (_text, True)})
_ENTITY = _SpecTable({"id": (_id, True), "kind": (_vocab(ENTITY_KINDS), True), "name": (_text, True),
                  "aliases": (_TEXTS, False), "identifiers": (_TEXTS, False), "note": (_text, False)})
_INSTRUMENT = _SpecTable({"id": (_id, True), "kind": (_vocab(INSTRUMENT_KINDS), True), "authority": (_code, False),
                      "number": (_text, False), "title": (_text, True), "url": (_text, False),
                      "signed": (_date, False), "issued": (_date, False), "published": (_date, False),
                      "sources": (_SOURCE_IDS, False), "note": (_text, False)})
_SOURCE = _SpecTable({"id": (_source_id, True), "publisher": (_text, True), "title": (_text, False),
                  "url": (_text, True), "published": (_date, False), "quote": (_text, False),
                  "note": (_text, False)})
_MEASURE = _SpecTable({"id": (_id, True), "authority": (_code, True), "kind": (_vocab(MEASURE_KINDS), True),
                   "program": (_text, False), "targets": (_IDS, False), "title": (_text, True),
                   "summary": (_text, False), "sources": (_SOURCE_IDS, True), "transitions": (None, False)})
_TRANSITION = _SpecTable({
    "id": (_id, True), "action": (_vocab(Action), True), "effective": (_date, False),
    "effective_at": (_instant, False), "announced": (_date, False), "published": (_date, False),
    "recorded": (_date, True), "until": (_date, False), "relief": (_id, False),
    "effective_window": (_Nested(_window), False), "instrument": (_id, False), "scope": (_Nested(_scope), False),
    "conditions": (_TEXTS, False), "program": (_text, False), "targets": (_IDS, False),
    "changes": (_Nested(_changes), False), "confidence": (_vocab(Confidence), True),
    "sources": (_SOURCE_IDS, True), "corrects": (_id, False), "note": (_text, False),
})
_RELEASE = _SpecTable({
    "id": (_id, True), "date": (_date, True), "date_window": (_Nested(_window), False), "recorded": (_date, True),
    "count": (_int, False), "people": (_TEXTS, False), "nationalities": (_TEXTS, False),
    "destinations": (_TEXTS, False), "negotiators": (_TEXTS, False), "sources": (_SOURCE_IDS, True),
    "note": (_text, False), "figures": (None, False), "links": (None, False),
})
_FIGURE = _SpecTable({"quantity": (_text, True), "value": (_int_or_text, True), "used": (_bool, False),
                  "sources": (_SOURCE_IDS, False), "note": (_text, False)})
_LINK = _SpecTable({"transition": (_id, True), "basis": (_vocab(Basis), True), "recorded": (_date, True),
                "sources": (_SOURCE_IDS, True), "quote": (_text, False), "note": (_text, False)})

_NEEDS_SOURCES = "names no source"


# -- building records -----------------------------------------------------------------


class _Maker:
    """Builds records of one class from fields the loader has already checked.

    ``cls(**kw)`` runs attrs' converters, then every field's validator, then
    ``__attrs_post_init__``. For the fields in ``trusted`` the loader's own
    converter (a spec entry) already guarantees what the validator checks (text
    is non-empty text, a date a ``datetime.date``, a vocabulary word one of the
    class's words, a list a tuple of such); those validators are skipped. Every
    other field (``measure``, filled in by the loader from the file) is still
    validated, the converters still run, and so do the record's own checks
    (``__attrs_post_init__``): the record, or the error, is the one ``cls(**kw)``
    gives (``tests/test_loader_speed_paths.py`` checks that on many inputs).
    Anything unexpected in ``kw`` (a missing required field, an unknown one)
    goes through ``cls(**kw)`` itself.
    """

    __slots__ = ("cls", "required", "names", "build")

    def __init__(self, cls: type, trusted: Iterable[str]) -> None:
        trusted = frozenset(trusted)
        self.cls = cls
        # straight-line code, as attrs writes __init__: set each slot (through its converter, defaults
        # included), then the validators of the fields not trusted, then the record's own checks
        env: dict[str, Any] = {"new": object.__new__, "set": object.__setattr__, "cls": cls,
                               "disabled": attrs.validators.get_disabled}
        lines = ["def build(kw):", "    inst = new(cls)", "    get = kw.get"]
        checks = []
        required = []
        for n, a in enumerate(attrs.fields(cls)):
            if isinstance(a.default, attrs.Factory):  # pragma: no cover - no record class uses one
                raise TypeError(f"{cls.__name__}.{a.name}: a factory default is not supported")
            if isinstance(a.converter, attrs.Converter):  # pragma: no cover - no record class uses one
                raise TypeError(f"{cls.__name__}.{a.name}: a Converter object is not supported")
            if a.default is attrs.NOTHING:
                required.append(a.name)
                value = f"kw[{a.name!r}]"
            else:
                env[f"d{n}"] = a.default
                value = f"get({a.name!r}, d{n})"
            if a.converter is not None:
                env[f"c{n}"] = a.converter
                value = f"c{n}({value})"
            lines.append(f"    set(inst, {a.name!r}, {value})")
            if a.validator is not None and a.name not in trusted:
                env[f"a{n}"] = a
                env[f"v{n}"] = a.validator
                checks.append(f"        v{n}(inst, a{n}, inst.{a.name})")
        if checks:
            lines += ["    if not disabled():", *checks]
        if getattr(cls, "__attrs_post_init__", None) is not None:
            lines.append("    inst.__attrs_post_init__()")
        lines.append("    return inst")
        exec(compile("\n".join(lines), f"<sanctrack record builder {cls.__name__}>", "exec"), env)
        self.build = env["build"]
        self.required = frozenset(required)
        self.names = frozenset(a.name for a in attrs.fields(cls))

    def __call__(self, kw: dict[str, Any]) -> Any:
        if not self.required <= kw.keys() <= self.names:
            return self.cls(**kw)
        return self.build(kw)


_MAKERS: dict[type, _Maker] = {Transition: _Maker(Transition, _TRANSITION.keys), Measure: _Maker(Measure, _MEASURE.keys)}


# -- where records live: for mapping the registry's problems back to files ----------


class _Where:
    """Where one record is defined: its kind, file, mapping (with marks) and location."""

    __slots__ = ("kind", "path", "node", "parts")

    def __init__(self, kind: str, path: str, node: Any, parts: tuple[Any, ...]) -> None:
        self.kind = kind
        self.path = path
        self.node = node
        self.parts = parts


class _Index:
    """record id -> the places it is defined (kind, file, node, location)."""

    def __init__(self) -> None:
        self.by_id: dict[str, list[_Where]] = {}
        self.broken: set[str] = set()  # ids of records (and measures) that failed in pass 1
        self.unreadable: set[str] = set()  # kinds of records in a file that could not be read at all

    def follows_from_broken(self, p: Problem, measure_of: dict[str, str]) -> bool:
        """True for a registry problem that only echoes a record that failed in pass 1."""
        if not self.broken and not self.unreadable:
            return False
        if p.message.startswith("unknown "):
            if p.message.split(" ", 2)[1] in self.unreadable:
                return True
            for quoted in re.findall(r"'([^']*)'", p.message):
                if quoted in self.broken:
                    return True
        if p.field == "action" and measure_of.get(p.record or "") in self.broken:
            return True
        return False

    def add(self, record_id: str, where: _Where) -> None:
        self.by_id.setdefault(record_id, []).append(where)

    def locate_safely(self, p: Problem) -> Problem:
        """:meth:`locate`, or the problem as it is if it cannot be located."""
        try:
            return self.locate(p)
        except Exception:  # pragma: no cover - a problem must never be lost to a locating bug
            return p

    def locate(self, p: Problem) -> Problem:
        places = self.by_id.get(p.record or "", [])
        if not places:
            return p
        m = re.match(r"duplicate (\w+) id", p.message)
        if m:
            same = [w for w in places if w.kind == m.group(1)] or places
            where = same[-1]
        else:
            base = _field_parts(p.field)
            where = next((w for w in places if base and isinstance(w.node, MarkedMap) and base[0] in w.node),
                         places[0])
        line, column, parts = self._field_mark(where, p)
        message = p.message
        for rid in p.related:
            others = self.by_id.get(rid)
            if others:
                o = others[0]
                mark = o.node.mark if isinstance(o.node, MarkedMap) else None
                at = f"{o.path}:{mark[0]}:{mark[1]}" if mark else o.path
                message += f"; {rid!r} is at {at}"
        return attrs.evolve(p, message=message, path=where.path, line=line, column=column,
                            location=location(parts))

    @staticmethod
    def _field_mark(where: _Where, p: Problem) -> tuple[int, int, tuple[Any, ...]]:
        node = where.node
        parts = where.parts
        mark = node.mark
        for step in _field_parts(p.field):
            if isinstance(node, MarkedMap) and isinstance(step, str) and step in node:
                mark = node.at(step)
                node = node[step]
                parts = parts + (step,)
            elif isinstance(node, MarkedList) and isinstance(step, int) and 0 <= step < len(node):
                mark = node.items_at[step]
                node = node[step]
                parts = parts + (step,)
            else:
                break
        if isinstance(node, MarkedList):  # point at the item the message quotes, if any
            for n, item in enumerate(node):
                if isinstance(item, str) and repr(str(item)) in p.message:
                    return node.items_at[n][0], node.items_at[n][1], parts + (n,)
        return mark[0], mark[1], parts


def _field_parts(field: str | None) -> tuple[Any, ...]:
    if not field:
        return ()
    out: list[Any] = []
    for name, index in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]", field):
        out.append(name if name else int(index))
    return tuple(out)


def _record_field(message: str, node: MarkedMap, spec: _Spec) -> str | None:
    """The first field of ``spec`` named in a record-level error message (for locating it)."""
    best: tuple[int, str] | None = None
    for key in spec:
        m = re.search(rf"\b{re.escape(key)}\b", message)
        if m and key in node and (best is None or m.start() < best[0]):
            best = (m.start(), key)
    return best[1] if best else None


# -- pass 1: files to records -------------------------------------------------------


@lru_cache(maxsize=None)
def _a(kind: str) -> str:
    """``an authority``, ``a transition``."""
    return f"a{'n' if kind[0] in 'aeiou' else ''} {kind}"



class _Builder:
    def __init__(self, problems: list[Problem]) -> None:
        self.ctx = _Ctx(problems)
        self.records = Records()
        self.index = _Index()

    def make(self, cls: type, kw: dict[str, Any], node: MarkedMap, parts: tuple[Any, ...],
             spec: _Spec, kind: str, record_id: str | None) -> Any:
        try:
            maker = _MAKERS.get(cls)
            record = cls(**kw) if maker is None else maker(kw)
        except (ValueError, TypeError) as exc:
            field = _record_field(str(exc), node, spec)
            mark = node.at(field) if field else node.mark
            self.ctx.add(str(exc), None, mark, parts + ((field,) if field else ()))
            if record_id is not None:
                self.index.add(record_id, _Where(kind, self.ctx.path, node, parts))
                self.index.broken.add(record_id)
            if "measure" in kw:
                self.index.broken.add(kw["measure"])
            return None
        if record_id is not None:
            self.index.add(record_id, _Where(kind, self.ctx.path, node, parts))
        return record

    def _one(self, cls: type, node: Any, parts: tuple[Any, ...], spec: _Spec, kind: str,
             key: str, mark: tuple[int, int] | None, extra: dict[str, Any] | None = None,
             record_id: Callable[[dict[str, Any]], str] | None = None) -> Any:
        kw = _fields(self.ctx, node, parts, spec, _a(kind), mark)
        if kw is None:
            # still index the record, so problems elsewhere that name it can be located
            if isinstance(node, MarkedMap) and isinstance(node.get(key), str):
                self.index.add(str(node[key]), _Where(kind, self.ctx.path, node, parts))
                self.index.broken.add(str(node[key]))
            if extra and "measure" in extra:
                self.index.broken.add(extra["measure"])
            return None
        if extra:
            kw.update(extra)
        rid = record_id(kw) if record_id else kw[key]
        return self.make(cls, kw, node, parts, spec, kind, rid)

    def sources_needed(self, node: MarkedMap, kw_sources: Any, kind: str, parts: tuple[Any, ...]) -> None:
        if isinstance(kw_sources, MarkedList) and not kw_sources:
            self.ctx.add(f"the {kind} {_NEEDS_SOURCES}", "every measure, transition, release and link names "
                         "at least one source", node.at("sources"), parts + ("sources",))

    # -- one file each ----------------------------------------------------------

    def info(self, doc: Any) -> None:
        if doc is None:
            self.ctx.add("registry.yaml is empty", "give at least `name: ...`", (1, 1), ())
            return
        kw = _fields(self.ctx, doc, (), _INFO, "registry.yaml", (1, 1))
        if kw is not None:
            self.records.info = self.make(RegistryInfo, kw, doc, (), _INFO, "registry", None)

    def listing(self, doc: Any, cls: type, spec: _Spec, kind: str, key: str, out: list[Any]) -> None:
        if doc is None:
            return
        if not isinstance(doc, MarkedList):
            self.ctx.add(f"expected a list of {kind} records (`- {key}: ...`), got {_kind_of(doc)}", None,
                         getattr(doc, "mark", (1, 1)), ())
            self.index.unreadable.add(kind)
            return
        for n, node in enumerate(doc):
            record = self._one(cls, node, (n,), spec, kind, key, doc.items_at[n])
            if record is not None:
                out.append(record)

    def _check_stem(self, node: MarkedMap, stem: str, kind: str) -> None:
        rid = node.get("id")
        if isinstance(rid, str) and str(rid) != stem:
            self.ctx.add(f"the file name {stem + '.yaml'!r} does not match the {kind} id {str(rid)!r}",
                         f"rename the file to {str(rid) + '.yaml'!r} or change the id: a {kind} file is "
                         "named after its id", node.at("id"), ("id",))

    def measure(self, doc: Any, stem: str) -> None:
        if not isinstance(doc, MarkedMap):
            self.ctx.add(f"expected a measure (a mapping with id, authority, kind, title, sources, "
                         f"transitions), got {_kind_of(doc)}", None, getattr(doc, "mark", (1, 1)), ())
            self.index.unreadable.update(("measure", "transition"))
            return
        self._check_stem(doc, stem, "measure")
        m = self._one(Measure, doc, (), _MEASURE, "measure", "id", doc.mark)
        self.sources_needed(doc, doc.get("sources"), "measure", ())
        mid = m.id if m is not None else (str(doc["id"]) if isinstance(doc.get("id"), str) else stem)
        if m is not None:
            self.records.measures.append(m)
        trs = doc.get("transitions")
        if trs is None:
            return
        if not isinstance(trs, MarkedList):
            self.ctx.add(f"transitions: expected a list of transitions, got {_kind_of(trs)}", None,
                         doc.at("transitions"), ("transitions",))
            self.index.unreadable.add("transition")
            return
        for n, node in enumerate(trs):
            parts = ("transitions", n)
            t = self._one(Transition, node, parts, _TRANSITION, "transition", "id", trs.items_at[n],
                          extra={"measure": mid})
            if isinstance(node, MarkedMap):
                self.sources_needed(node, node.get("sources"), "transition", parts)
            if t is not None:
                self.records.transitions.append(t)

    def release(self, doc: Any, stem: str) -> None:
        if not isinstance(doc, MarkedMap):
            self.ctx.add(f"expected a release (a mapping with id, date, recorded, sources, links), "
                         f"got {_kind_of(doc)}", None, getattr(doc, "mark", (1, 1)), ())
            self.index.unreadable.add("release")
            return
        self._check_stem(doc, stem, "release")
        figures = []
        figs = doc.get("figures")
        ok = True
        if figs is not None:
            if not isinstance(figs, MarkedList):
                self.ctx.add(f"figures: expected a list of figures, got {_kind_of(figs)}", None,
                             doc.at("figures"), ("figures",))
                ok = False
            else:
                for n, node in enumerate(figs):
                    kw = _fields(self.ctx, node, ("figures", n), _FIGURE, "a figure", figs.items_at[n])
                    f = None if kw is None else self.make(Figure, kw, node, ("figures", n), _FIGURE, "figure", None)
                    if f is None:
                        ok = False
                    else:
                        figures.append(f)
        r = self._one(Release, doc, (), _RELEASE, "release", "id", doc.mark, extra={"figures": tuple(figures)})
        self.sources_needed(doc, doc.get("sources"), "release", ())
        rid = r.id if r is not None else (str(doc["id"]) if isinstance(doc.get("id"), str) else stem)
        if r is not None and ok:
            self.records.releases.append(r)
        else:
            self.index.broken.add(rid)
        lks = doc.get("links")
        if lks is None:
            return
        if not isinstance(lks, MarkedList):
            self.ctx.add(f"links: expected a list of links, got {_kind_of(lks)}", None, doc.at("links"), ("links",))
            return
        for n, node in enumerate(lks):
            parts = ("links", n)
            ln = self._one(Link, node, parts, _LINK, "link", "transition", lks.items_at[n],
                           extra={"release": rid}, record_id=lambda kw: f"{kw['release']}->{kw['transition']}")
            if isinstance(node, MarkedMap):
                self.sources_needed(node, node.get("sources"), "link", parts)
            if ln is not None:
                self.records.links.append(ln)


# -- files ----------------------------------------------------------------------------


def bundled_path() -> Path:
    """The bundled registry: package data in a wheel, else the checkout's ``registry/``."""
    try:
        from importlib.resources import files

        data = files("sanctrack") / "_registry_data"
        if data.is_dir():
            return Path(str(data))
    except (ImportError, OSError, TypeError, ValueError):  # pragma: no cover - exotic importers
        pass
    return Path(__file__).resolve().parent.parent / "registry"


def _display(root: Path, rel: str) -> str:
    return os.path.join(os.fspath(root), rel)


def stat_signature(root: Path, *, max_file_size: int = MAX_FILE_SIZE,
                   limits: tuple[int, ...] = ()) -> tuple[str, int] | None:
    """A fingerprint of the registry's files from their ``stat`` alone, and the newest of their times.

    It covers exactly the files :func:`registry_files` reads — each one's
    relative path, size, modification and change times (ns), inode and device —
    and the registry directory's own identity. ``None`` when anything needs the
    full read to be judged (a symlink, a special file, a file over the limit,
    a stray name that would be a problem, an unreadable directory): then the
    files are read as usual. The load cache maps a fingerprint to the content
    key of the bytes read under it, so a warm load does not read 10,000 files
    (see :mod:`sanctrack._cache`, "Stat index").
    """
    h = hashlib.sha256()
    newest = 0
    root_s = os.fspath(root)
    try:
        rst = os.stat(root_s)
        h.update(f"{os.path.realpath(root_s)}\0{rst.st_dev}\0{rst.st_ino}\0{max_file_size}\0{limits}\n".encode())
        top = os.listdir(root_s)
        for name in top:
            if name in TOP_FILES or name in DIRS or name.startswith("."):
                continue
            if name.endswith((".yaml", ".yml")):
                return None  # an unknown registry file: a problem the full read reports
        for rel in (*TOP_FILES, *DIRS):
            path = os.path.join(root_s, rel)
            try:
                st = os.lstat(path)
            except FileNotFoundError:
                if rel == "registry.yaml":
                    return None
                h.update(f"{rel}\0absent\n".encode())
                continue
            if rel in DIRS:
                if not stat.S_ISDIR(st.st_mode):
                    return None
                names = sorted(os.listdir(path))
                files = []
                for name in names:
                    if name.startswith("."):
                        continue
                    if not name.endswith(".yaml"):
                        return None
                    files.append(f"{rel}/{name}")
            else:
                files = [rel]
                names = None
            for f in files:
                fst = st if names is None else os.lstat(os.path.join(root_s, f))
                if not stat.S_ISREG(fst.st_mode) or fst.st_size > max_file_size:
                    return None
                h.update(f"{f}\0{fst.st_size}\0{fst.st_mtime_ns}\0{fst.st_ctime_ns}\0{fst.st_ino}\0"
                         f"{fst.st_dev}\n".encode())
                newest = max(newest, fst.st_mtime_ns, fst.st_ctime_ns)
    except (OSError, ValueError):
        return None
    return h.hexdigest(), newest


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def _read_bytes(path: "str | Path", size: int, limit: int) -> bytes:
    """A file's bytes, at most ``limit + 1`` of them (one over says "too large").

    Reads with the file's size from its stat (a buffer of the limit's size for
    every file costs more than the read), then on if it grew since, up to the
    limit. ``O_NONBLOCK``: a file swapped for a FIFO after the stat cannot hang
    the load.
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
        chunks = []
        total = 0
        want = min(size, limit) + 1
        while True:
            b = os.read(fd, want - total)
            if not b:
                break
            chunks.append(b)
            total += len(b)
            if total >= want:
                if total > limit:
                    break
                want = limit + 1  # it grew since the stat: read on, up to one byte over the limit
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)


def registry_files(root: Path, problems: list[Problem], *, max_file_size: int = MAX_FILE_SIZE,
                   display: Path | None = None, refused: list[str] | None = None) -> list[tuple[str, bytes]]:
    """The registry's files as ``(relative path, bytes)`` in load order; problems for the rest.

    Refuses (as located problems) files larger than ``max_file_size``, paths that
    resolve outside the registry directory (symlinks), special files, unknown
    ``.yaml`` files and unreadable files.
    """
    shown = display if display is not None else root
    out: list[tuple[str, bytes]] = []
    refused = refused if refused is not None else []
    try:
        real_root = root.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        problems.append(Problem(f"cannot open the registry directory: {exc.__class__.__name__}",
                                path=os.fspath(shown)))
        return out

    def read(rel: str, required: bool) -> None:
        n = len(problems)
        _read(rel, required)
        if len(problems) > n:
            refused.append(rel)

    root_s = os.fspath(root)
    dir_is_link: dict[str, bool] = {}

    def _read(rel: str, required: bool) -> None:
        path = os.path.join(root_s, rel)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            if required:
                problems.append(Problem(f"missing {rel}", hint="a registry has a registry.yaml with at least "
                                        "`name: ...`", path=_display(shown, rel)))
            return
        except OSError as exc:
            problems.append(Problem(f"cannot open the file: {exc.strerror or exc}", path=_display(shown, rel)))
            return
        folder = rel.rpartition("/")[0]
        if folder and folder not in dir_is_link:
            dir_is_link[folder] = os.path.islink(os.path.join(root_s, folder))
        real: "str | Path" = path
        if stat.S_ISLNK(st.st_mode) or (folder and dir_is_link[folder]):
            # only a symlink can lead out of the registry: resolve it and check where it leads
            try:
                real = Path(path).resolve(strict=True)
                st = os.stat(real)
            except (OSError, RuntimeError) as exc:
                problems.append(Problem(f"cannot open the file: {exc.__class__.__name__}", path=_display(shown, rel)))
                return
            if real != real_root and real_root not in real.parents:
                problems.append(Problem("the path leads outside the registry directory (a symlink?)",
                                        hint="registry files must live inside the registry directory",
                                        path=_display(shown, rel)))
                return
        if not stat.S_ISREG(st.st_mode):
            problems.append(Problem("not a regular file", hint="registry files are plain YAML files", path=_display(shown, rel)))
            return
        if st.st_size > max_file_size:
            problems.append(Problem(f"the file is too large ({st.st_size} bytes; the limit is {max_file_size})",
                                    hint="split it, or raise the limit with load(path, max_file_size=...)",
                                    path=_display(shown, rel)))
            return
        try:
            data = _read_bytes(real, st.st_size, max_file_size)
        except OSError as exc:
            problems.append(Problem(f"cannot read the file: {exc.strerror or exc}", path=_display(shown, rel)))
            return
        if len(data) > max_file_size:
            problems.append(Problem(f"the file is too large (more than {max_file_size} bytes)", path=_display(shown, rel)))
            return
        out.append((rel, data))

    for name in TOP_FILES:
        read(name, name == "registry.yaml")
    try:
        top = sorted(os.listdir(root))
    except OSError as exc:
        problems.append(Problem(f"cannot list the registry directory: {exc.strerror or exc}", path=os.fspath(shown)))
        return out
    for name in top:
        if name in TOP_FILES or name in DIRS or name.startswith("."):
            continue
        if name.endswith((".yaml", ".yml")):
            hint = did_you_mean(name, TOP_FILES) or f"the registry files are {', '.join(TOP_FILES)}, measures/ " \
                                                    "and releases/"
            problems.append(Problem(f"unknown registry file {name!r}", hint=hint, path=_display(shown, name)))
    for d in DIRS:
        if not (root / d).exists():
            continue
        if not (root / d).is_dir():
            problems.append(Problem(f"{d} is not a directory", path=_display(shown, d)))
            continue
        try:
            names = sorted(os.listdir(root / d))
        except OSError as exc:
            problems.append(Problem(f"cannot list {d}/: {exc.strerror or exc}", path=_display(shown, d)))
            continue
        for name in names:
            if name.startswith("."):
                continue
            rel = f"{d}/{name}"
            if not name.endswith(".yaml"):
                hint = "rename it to .yaml" if name.endswith(".yml") else f"{d}/ holds <id>.yaml files only"
                problems.append(Problem(f"unexpected file {rel!r}", hint=hint, path=_display(shown, rel)))
                refused.append(rel)
                continue
            read(rel, False)
    return out


_KINDS_IN = {"registry.yaml": (), "authorities.yaml": ("authority",), "entities.yaml": ("entity",),
             "instruments.yaml": ("instrument",), "sources.yaml": ("source",),
             "measures": ("measure", "transition"), "releases": ("release",)}


def load_records(root: Path, files: list[tuple[str, bytes]], problems: list[Problem], *,
                 display: Path | None = None, max_depth: int = MAX_DEPTH,
                 max_nodes: int = MAX_NODES, refused: Iterable[str] = ()) -> tuple[Records, _Index]:
    """Pass 1: parse each file and build its records; problems are appended.

    The cyclic garbage collector is paused meanwhile (and resumed if it was on):
    parsing allocates millions of containers, none of them in a cycle, and the
    collector's passes over them cost a quarter of the time.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_records(root, files, problems, display=display, max_depth=max_depth, max_nodes=max_nodes,
                             refused=refused)
    finally:
        if collecting:
            gc.enable()


def _load_records(root: Path, files: list[tuple[str, bytes]], problems: list[Problem], *,
                  display: Path | None, max_depth: int, max_nodes: int, refused: Iterable[str]) -> tuple[Records, _Index]:
    shown = display if display is not None else root
    b = _Builder(problems)
    for rel in refused:
        b.index.unreadable.update(_KINDS_IN.get(rel.split("/")[0], ()))
    rec = b.records
    for rel, data in files:
        path = _display(shown, rel)
        b.ctx.path = path
        doc, found = parse_yaml(data, path, max_depth=max_depth, max_nodes=max_nodes)
        if found:
            problems.extend(found)
            if doc is None:
                b.index.unreadable.update(_KINDS_IN.get(rel.split("/")[0], ()))
                continue
        if rel == "registry.yaml":
            b.info(doc)
        elif rel == "authorities.yaml":
            b.listing(doc, Authority, _AUTHORITY, "authority", "code", rec.authorities)
        elif rel == "entities.yaml":
            b.listing(doc, Entity, _ENTITY, "entity", "id", rec.entities)
        elif rel == "instruments.yaml":
            b.listing(doc, Instrument, _INSTRUMENT, "instrument", "id", rec.instruments)
        elif rel == "sources.yaml":
            b.listing(doc, Source, _SOURCE, "source", "id", rec.sources)
        elif rel.startswith("measures/"):
            b.measure(doc, rel[len("measures/"):-len(".yaml")])
        elif rel.startswith("releases/"):
            b.release(doc, rel[len("releases/"):-len(".yaml")])
    return rec, b.index


def _sort_key(p: Problem) -> tuple:
    return (p.path or "", p.line or 0, p.column or 0, p.message)


def _fail(problems: list[Problem]) -> RegistryError:
    return RegistryError(sorted(problems, key=_sort_key))


def load(path: "str | os.PathLike[str] | None" = None, *, cache: bool | None = None,
         cache_dir: "str | os.PathLike[str] | None" = None, max_file_size: int = MAX_FILE_SIZE,
         max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> Registry:
    """Load the registry in directory ``path`` (the bundled one if None).

    Raises :class:`RegistryError` listing every problem (``path:line:column:
    message at $.location (hint: ...)``) and loads nothing if there is one.
    ``cache`` (default: on, unless ``SANCTRACK_CACHE=0``) keeps a verified JSON
    copy of registries that loaded with no problem, keyed by the files' bytes;
    ``cache_dir`` overrides where (default ``$SANCTRACK_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/sanctrack``, else ``~/.cache/sanctrack``).
    """
    if path is None:
        root = bundled_path()
        display = root
    else:
        try:
            display = Path(os.path.normpath(os.fspath(path)))
        except TypeError:
            raise TypeError(f"path must be a str or os.PathLike, not {type(path).__name__}") from None
        root = display
    problems: list[Problem] = []
    if not root.is_dir():
        what = "does not exist" if not root.exists() else "is not a directory"
        raise _fail([Problem(f"the registry directory {what}", hint="give the directory that holds "
                             "registry.yaml", path=os.fspath(display))])
    from . import _cache

    limits = (max_depth, max_nodes)
    sig = None
    if _cache.enabled(cache):
        # the stat index: the files' stat -> the content key their bytes had (no file read on a hit)
        sig = stat_signature(root, max_file_size=max_file_size, limits=limits)
        if sig is not None:
            key = _cache.key_for_stat(sig[0], cache_dir)
            if key is not None:
                reg = _cache.get(key, cache_dir)
                if reg is not None:
                    return reg
    refused: list[str] = []
    files = registry_files(root, problems, max_file_size=max_file_size, display=display, refused=refused)

    use_cache = not problems and _cache.enabled(cache)
    key = None
    if use_cache:
        key = _cache.key_of(files, limits=limits)
        reg = _cache.get(key, cache_dir)
        if reg is not None:
            if sig is not None:
                _cache.put_stat(sig[0], key, sig[1], cache_dir)
            return reg
    records, index = load_records(root, files, problems, display=display, max_depth=max_depth,
                                  max_nodes=max_nodes, refused=refused)
    try:
        reg = records.build()
    except RegistryError as exc:
        measure_of = {t.id: t.measure for t in records.transitions}
        problems.extend(index.locate_safely(p) for p in exc.problems
                        if not index.follows_from_broken(p, measure_of))
        raise _fail(problems) from None
    except (ValueError, TypeError, LookupError, ArithmeticError, RecursionError) as exc:  # a bug, not bad input
        problems.append(Problem(f"internal error while building the registry: {exc!r}",
                                hint="please report this with the registry that caused it", path=os.fspath(display)))
        raise _fail(problems) from exc
    if problems:
        raise _fail(problems)
    if use_cache and key is not None:
        if _cache.put(key, records, reg.digest, cache_dir) and sig is not None:
            _cache.put_stat(sig[0], key, sig[1], cache_dir)
    return reg
