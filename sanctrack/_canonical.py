"""Canonical plain form of records, and the registry digest.

The plain form is JSON-ready (text, numbers, booleans, lists, dicts): dates
become ``YYYY-MM-DD``, instants ISO 8601 with their offset, enums their value,
tuples lists. Fields that are ``None`` or empty are left out, so adding an
optional field to the model does not change the digest of registries that do
not use it. The same form is used by the JSON export, so a registry exported
and loaded back has the same digest.
"""

from __future__ import annotations

import datetime as _dt
import enum
import hashlib
import json
from typing import Any, Callable, Mapping, Sequence

import attrs

__all__ = ["plain", "digest_of", "canonical_json", "registry_digest"]


def _value(v: Any) -> Any:
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, _dt.datetime):
        return v.isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    if attrs.has(type(v)):
        return plain(v)
    if isinstance(v, (tuple, list)):
        return [_value(x) for x in v]
    return v


def plain(record: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The plain (JSON-ready) form of a record, without ``None`` or empty fields.

    An empty collection is kept where the field's default is ``None``: there
    empty and absent differ (an ``amend`` to no targets vs. no change of targets).
    """
    out: dict[str, Any] = {}
    for a in attrs.fields(type(record)):
        if a.name in skip:
            continue
        v = getattr(record, a.name)
        if v is None or ((v == () or v == []) and a.default is not None):
            continue
        if a.name == "changes":
            out[a.name] = {k: [old, new] for k, old, new in v}
            continue
        out[a.name] = _value(v)
    return out


def canonical_json(doc: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 text."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_of(doc: Any) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``doc``."""
    return "sha256:" + hashlib.sha256(canonical_json(doc).encode("utf-8")).hexdigest()


_PLAIN_SPECS: dict[tuple[type, tuple[str, ...]], tuple[tuple[str, ...], Any, frozenset[str]]] = {}
_DATE, _DATETIME = _dt.date, _dt.datetime


def _plain_fast(record: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Exactly :func:`sanctrack._canonical.plain`, faster for the records a registry has by the million.

    All fields are read in one ``attrgetter`` call; text (the common case) is
    kept as is, and everything else goes through the same conversions as
    ``plain`` (tests/test_fastpaths.py checks the digest against ``plain``).
    """
    spec = _PLAIN_SPECS.get((type(record), skip))
    if spec is None:
        import attrs
        from operator import attrgetter

        names = tuple(a.name for a in attrs.fields(type(record)) if a.name not in skip)
        get = attrgetter(*names) if len(names) > 1 else (lambda r, _n=names[0]: (getattr(r, _n),))
        keep = frozenset(a.name for a in attrs.fields(type(record)) if a.default is None)  # empty != absent
        spec = _PLAIN_SPECS[(type(record), skip)] = (names, get, keep)
    names, get, keep = spec
    out: dict[str, Any] = {}
    for name, v in zip(names, get(record)):
        if v is None:
            continue
        t = type(v)
        if t is str:
            out[name] = v
        elif t is tuple:
            if not v:
                if name in keep:
                    out[name] = []
                continue
            if name == "changes":
                out[name] = {k: [old, new] for k, old, new in v}
            else:
                out[name] = [x if type(x) is str else _value(x) for x in v]
        elif t is _DATE or t is _DATETIME:
            out[name] = v.isoformat()
        elif v == () or v == []:
            continue
        else:
            out[name] = _value(v)
    return out


def registry_digest(*, info: Any, authorities: Mapping[str, Any], entities: Mapping[str, Any],
                    instruments: Mapping[str, Any], sources: Mapping[str, Any], measures: Mapping[str, Any],
                    records_of: Callable[[str], Sequence[Any]], releases: Mapping[str, Any],
                    links: Sequence[Any]) -> str:
    """The digest of a registry: ``measures`` in id order, ``records_of(measure id)`` in canonical order."""
    return digest_of(_canonical_doc(info, authorities, entities, instruments, sources, measures, records_of,
                                    releases, links))


def _canonical_doc(info: Any, authorities: Mapping[str, Any], entities: Mapping[str, Any],
                   instruments: Mapping[str, Any], sources: Mapping[str, Any], measures_: Mapping[str, Any],
                   records_of: Callable[[str], Sequence[Any]], releases_: Mapping[str, Any],
                   links: Sequence[Any]) -> dict[str, Any]:
    links_by_release: dict[str, list[Any]] = {}
    for ln in links:
        links_by_release.setdefault(ln.release, []).append(ln)
    measures = []
    for mid, m in measures_.items():
        doc = _plain_fast(m)
        doc["transitions"] = [_plain_fast(t, ("measure",)) for t in records_of(mid)]
        measures.append(doc)
    releases = []
    for r in sorted(releases_.values(), key=lambda r: r.id):
        doc = plain(r)
        doc["links"] = [plain(ln, skip=("release",))
                        for ln in sorted(links_by_release.get(r.id, ()), key=lambda ln: ln.transition)]
        releases.append(doc)
    orphan_links = [plain(ln) for ln in links if ln.release not in releases_]
    doc: dict[str, Any] = {
        "info": plain(info),
        "authorities": [plain(a) for a in sorted(authorities.values(), key=lambda a: a.code)],
        "entities": [_plain_fast(e) for e in sorted(entities.values(), key=lambda e: e.id)],
        "instruments": [plain(i) for i in sorted(instruments.values(), key=lambda i: i.id)],
        "sources": [plain(s) for s in sorted(sources.values(), key=lambda s: s.id)],
        "measures": measures,
        "releases": releases,
    }
    if orphan_links:
        doc["orphan_links"] = sorted(orphan_links, key=lambda x: (x["release"], x["transition"]))
    return doc
