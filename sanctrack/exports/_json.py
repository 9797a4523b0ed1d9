"""The whole registry as one JSON document, and back.

The document is the registry's *canonical form* (the very structure its digest
hashes: records in their plain form, measures carrying their transitions,
releases carrying their links), wrapped with the format name, its version and
the digest::

    {"format": "sanctrack-registry", "format_version": 1,
     "digest": "sha256:…", "registry": {"info": …, "authorities": […], …}}

:func:`load_json` rebuilds the records, builds a :class:`~sanctrack.Registry`
(so every check runs again) and refuses the document if the rebuilt digest is
not the one written: an export loaded back is the same registry. See
``docs/json.md``.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from typing import IO, Any

import attrs

from .. import _schema
from .._canonical import canonical_document
from .._errors import (
    FileChanged,
    Problem,
    RegistryError,
    SanctrackError,
    UnreadableFile,
)
from .._fields import MAX_INT_DIGITS
from .._files import READ_ATTEMPTS, read_guarded
from .._model import (
    Authority,
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
from .._registry import Registry
from .._time import parse_date, parse_instant

__all__ = ["JSON_FORMAT", "JSON_FORMAT_VERSION", "MAX_JSON_SIZE", "registry_document", "dump_json", "load_json"]

JSON_FORMAT = "sanctrack-registry"
JSON_FORMAT_VERSION = 1

# The typed keys of the records, from the format's one field list (a key has one kind in every record).
_DATE_FIELDS = _schema.names_of_kind("date")
_INSTANT_FIELDS = _schema.names_of_kind("instant")
_WINDOW_FIELDS = _schema.names_of_kind("window")
_SCOPE_FIELDS = _schema.names_of_kind("scope")


def registry_document(reg: Registry) -> dict[str, Any]:
    """The JSON-ready document of a registry (everything it holds, whatever view it is)."""
    return {
        "format": JSON_FORMAT,
        "format_version": JSON_FORMAT_VERSION,
        "digest": reg.digest,
        "registry": canonical_document(reg._whole()),  # a view's digest is its registry's: export all of it
    }


def dump_json(reg: Registry, out: IO[str], *, indent: int | None = 1) -> None:
    """Write the registry document as JSON (UTF-8 text, sorted keys) to a text stream."""
    json.dump(registry_document(reg), out, ensure_ascii=False, indent=indent, sort_keys=True)
    out.write("\n")


# -- loading -----------------------------------------------------------------


def _convert(cls: type, raw: Any, where: str, problems: list[Problem],
             extra: dict[str, Any] | None = None, skip: tuple[str, ...] = ()) -> Any:
    if not isinstance(raw, dict):
        problems.append(Problem(f"expected an object, got {type(raw).__name__}", location=where))
        return None
    kwargs: dict[str, Any] = dict(extra or {})
    known = {a.name for a in cls.__attrs_attrs__}  # type: ignore[attr-defined]
    for key, value in raw.items():
        if key in skip:
            continue
        if key not in known:
            problems.append(Problem(f"unknown key {key!r} for {cls.__name__}", location=f"{where}.{key}",
                                    record=raw.get("id") if isinstance(raw.get("id"), str) else None))
            continue
        try:
            if key in _INSTANT_FIELDS:
                value = parse_instant(value)
            elif key in _DATE_FIELDS:
                value = parse_date(value)
            elif key in _WINDOW_FIELDS:
                value = tuple(parse_date(v) for v in value)
            elif key in _SCOPE_FIELDS:
                value = Scope(**value)
            elif key == "figures":
                value = tuple(Figure(**f) for f in value)
        except (SanctrackError, TypeError, ValueError) as exc:
            problems.append(Problem(str(exc), location=f"{where}.{key}", field=key,
                                    record=raw.get("id") if isinstance(raw.get("id"), str) else None))
            return None
        kwargs[key] = value
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        problems.append(Problem(str(exc), location=where,
                                record=raw.get("id") if isinstance(raw.get("id"), str) else None))
        return None


def _records(doc: dict[str, Any], problems: list[Problem]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {k: [] for k in ("authorities", "entities", "instruments", "sources",
                                                  "measures", "transitions", "releases", "links")}

    def each(key: str, cls: type, fn: Callable[[Any, str], None] | None = None) -> None:
        items = doc.get(key, [])
        if not isinstance(items, list):
            problems.append(Problem(f"expected a list, got {type(items).__name__}", location=f"$.registry.{key}"))
            return
        for n, raw in enumerate(items):
            where = f"$.registry.{key}[{n}]"
            if fn is not None:
                fn(raw, where)
            else:
                rec = _convert(cls, raw, where, problems)
                if rec is not None:
                    out[key].append(rec)

    def measure(raw: Any, where: str) -> None:
        m = _convert(Measure, raw, where, problems, skip=("transitions",))
        if m is None:
            return
        out["measures"].append(m)
        for n, t in enumerate(raw.get("transitions", [])):
            rec = _convert(Transition, t, f"{where}.transitions[{n}]", problems, extra={"measure": m.id})
            if rec is not None:
                out["transitions"].append(rec)

    def release(raw: Any, where: str) -> None:
        r = _convert(Release, raw, where, problems, skip=("links",))
        if r is None:
            return
        out["releases"].append(r)
        for n, ln in enumerate(raw.get("links", [])):
            rec = _convert(Link, ln, f"{where}.links[{n}]", problems, extra={"release": r.id})
            if rec is not None:
                out["links"].append(rec)

    each("authorities", Authority)
    each("entities", Entity)
    each("instruments", Instrument)
    each("sources", Source)
    each("measures", Measure, measure)
    each("releases", Release, release)
    each("orphan_links", Link)
    out["links"].extend(out.pop("orphan_links", []))
    return out


#: The largest JSON export :func:`load_json` reads from a file, in bytes.
MAX_JSON_SIZE = 512 * 1024 * 1024


class _BigInt(Exception):
    pass


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _BigInt(text)
    return int(text)


def _big_int_problem(text: str, name: str | None) -> Problem:
    m = re.search(rf"-?[0-9]{{{MAX_INT_DIGITS + 1},}}", text)
    line = column = None
    if m:
        line = text.count("\n", 0, m.start()) + 1
        column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    digits = len(m.group().lstrip("-")) if m else MAX_INT_DIGITS + 1
    return Problem(f"a number of {digits} digits is too large (at most {MAX_INT_DIGITS} digits)",
                   hint="export the registry again (sanctrack export --format json)", path=name, line=line,
                   column=column)


def _read_text(source: Any, name: str | None) -> str:
    """The text of a stream, or of the file ``name`` through the guarded read (read again if it
    changed while read, as the loader reads a registry directory)."""
    if name is None:
        data = source.read()
        if isinstance(data, (bytes, bytearray)):
            data = bytes(data).decode("utf-8")
        return str(data)
    for attempt in range(READ_ATTEMPTS):
        try:
            data = read_guarded(name, limit=MAX_JSON_SIZE)
        except FileChanged:
            time.sleep(min(0.002 * 4 ** attempt, 0.1))
            continue
        except UnreadableFile as exc:
            raise RegistryError([Problem(f"cannot read the export: {exc.reason}", path=name)]) from None
        except OSError as exc:
            raise RegistryError([Problem(f"cannot read the export: {exc.strerror or exc}", path=name)]) from None
        return data.decode("utf-8")
    raise RegistryError([Problem(f"the export changed while loading (rewritten during each of {READ_ATTEMPTS} "
                                 "attempts to read it)", hint="load it again once it is written; nothing was "
                                 "loaded", path=name)])


def load_json(source: str | os.PathLike[str] | IO[str], *, allow_unverified: bool = False) -> Registry:
    """Load a registry exported by :func:`dump_json` (a path or a text stream).

    Raises :class:`~sanctrack.RegistryError` (every problem, with its JSON
    location) if the document is not a sanctrack registry, a record is
    malformed, the registry does not build, or its ``digest`` is missing or
    differs from the digest of its content. The digest guards against
    accidents (a truncated copy, a hand edit, a merge gone wrong), not forgery:
    anyone can write a matching digest. ``allow_unverified=True`` (the CLI's
    ``--allow-unverified``) loads a document whose digest is missing or wrong;
    the registry then carries the digest of what was actually loaded.
    A file is read through the guarded open (a regular file of at most
    :data:`MAX_JSON_SIZE` bytes) and read again if it changed while read.
    """
    name = None if hasattr(source, "read") else os.fspath(source)
    try:
        text = _read_text(source, name)
        doc = json.loads(text, parse_int=_parse_int)
    except _BigInt:
        raise RegistryError([_big_int_problem(text, name)]) from None
    except json.JSONDecodeError as exc:
        raise RegistryError([Problem(f"not valid JSON: {exc.msg}", path=name, line=exc.lineno,
                                     column=exc.colno)]) from None
    except (UnicodeDecodeError, RecursionError) as exc:  # bytes that are not UTF-8; nesting too deep
        raise RegistryError([Problem(f"not a readable JSON document: {type(exc).__name__}",
                                     hint="export the registry again (sanctrack export --format json)",
                                     path=name)]) from None
    if not isinstance(doc, dict) or doc.get("format") != JSON_FORMAT:
        raise RegistryError([Problem(f"not a sanctrack registry document (expected \"format\": \"{JSON_FORMAT}\")",
                                     path=name, location="$.format")])
    if doc.get("format_version") != JSON_FORMAT_VERSION:
        raise RegistryError([Problem(f"unsupported format_version {_clip(doc.get('format_version'))}",
                                     hint=f"this sanctrack reads version {JSON_FORMAT_VERSION}",
                                     path=name, location="$.format_version")])
    body = doc.get("registry")
    if not isinstance(body, dict):
        raise RegistryError([Problem("missing the \"registry\" object", path=name, location="$.registry")])
    problems: list[Problem] = []
    try:
        info = _convert(RegistryInfo, body.get("info", {"name": "registry"}), "$.registry.info", problems)
        recs = _records(body, problems)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:  # a list or record of the wrong shape
        raise RegistryError([Problem(f"malformed registry document: {type(exc).__name__}: {_clip(str(exc))}",
                                     path=name, location="$.registry")]) from None
    if problems:
        raise RegistryError([_at(p, name) for p in problems])
    try:
        reg = Registry.build(info=info, authorities=recs["authorities"], entities=recs["entities"],
                             instruments=recs["instruments"], sources=recs["sources"], measures=recs["measures"],
                             transitions=recs["transitions"], releases=recs["releases"], links=recs["links"])
    except RegistryError as exc:
        raise RegistryError([_at(p, name) for p in exc.problems]) from None
    except (TypeError, ValueError, AttributeError, KeyError, ArithmeticError) as exc:  # a value of the wrong type
        raise RegistryError([Problem(f"malformed registry document: {type(exc).__name__}: {_clip(str(exc))}",
                                     path=name, location="$.registry")]) from None
    written = doc.get("digest")
    if not allow_unverified:
        if written is None or "digest" not in doc:
            raise RegistryError([Problem("the document has no digest: its content cannot be checked",
                                         hint="export the registry again, or load it with allow_unverified=True "
                                              "(--allow-unverified) if you accept an unchecked document",
                                         path=name, location="$.digest")])
        if written != reg.digest:
            raise RegistryError([Problem(f"digest mismatch: the document says {_clip(written)}, its content "
                                         f"hashes to {reg.digest}", hint="the document was edited after export "
                                         "(load it with allow_unverified=True, --allow-unverified, to accept it)",
                                         path=name, location="$.digest")])
    return reg


def _clip(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 100 else text[:80] + f"… ({len(text)} characters)"


def _at(p: Problem, name: str | None) -> Problem:
    if name is None or p.path is not None:
        return p
    return attrs.evolve(p, path=name)
