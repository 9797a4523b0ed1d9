"""Canonical plain form of records, and the registry digest.

The plain form is JSON-ready (text, numbers, booleans, lists, dicts): dates
become ``YYYY-MM-DD``, instants ISO 8601 with their offset, enums their value,
tuples lists. Fields that are ``None`` or empty are left out, so adding an
optional field to the model does not change the digest of registries that do
not use it. The same form is used by the JSON export
(:func:`canonical_document`), so a registry exported and loaded back has the
same digest.
"""

from __future__ import annotations

import datetime as _dt
import enum
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

__all__ = ["plain", "digest_of", "canonical_json", "canonical_document", "registry_digest"]


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
        from operator import attrgetter

        import attrs

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


def _canonical_doc(info: Any, authorities: Mapping[str, Any], entities: Mapping[str, Any],
                   instruments: Mapping[str, Any], sources: Mapping[str, Any], measures_: Mapping[str, Any],
                   records_of: Callable[[str], Sequence[Any]], releases_: Mapping[str, Any],
                   links: Sequence[Any]) -> dict[str, Any]:
    links_by_release: dict[str, list[Any]] = {}
    for ln in links:
        links_by_release.setdefault(ln.release, []).append(ln)
    measures = []
    for mid, m in measures_.items():
        m_doc = _plain_fast(m)
        m_doc["transitions"] = [_plain_fast(t, ("measure",)) for t in records_of(mid)]
        measures.append(m_doc)
    releases = []
    for r in sorted(releases_.values(), key=lambda r: r.id):
        r_doc = plain(r)
        r_doc["links"] = [plain(ln, skip=("release",))
                          for ln in sorted(links_by_release.get(r.id, ()), key=lambda ln: ln.transition)]
        releases.append(r_doc)
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


def canonical_document(reg: Any) -> dict[str, Any]:
    """The canonical plain document of a registry, from its public records: what its digest hashes.

    ``reg`` is a :class:`~sanctrack.Registry` (or anything with its record
    attributes: ``info``, ``authorities``, ``entities``, ``instruments``,
    ``sources``, ``measures``, ``transitions``, ``releases``, ``links``). The
    measures keep their order, each with its transitions in ``reg.transitions``
    order (canonical order); the other records are sorted by id. For a registry
    that is not a view, ``digest_of(canonical_document(reg)) == reg.digest``; a
    view made by ``as_known_on`` gives the document of the records it knows.
    """
    by_measure: dict[str, list[Any]] = {}
    for t in reg.transitions:
        by_measure.setdefault(t.measure, []).append(t)
    return _canonical_doc(reg.info, {a.code: a for a in reg.authorities}, {e.id: e for e in reg.entities},
                          {i.id: i for i in reg.instruments}, {s.id: s for s in reg.sources},
                          {m.id: m for m in reg.measures}, lambda mid: by_measure.get(mid, ()),
                          {r.id: r for r in reg.releases}, tuple(reg.links))


# -- the registry digest, written straight to canonical JSON text -------------------------
#
# ``registry_digest`` hashes exactly ``canonical_json(_canonical_doc(...))`` but never
# builds the document: each record type gets an encoder, generated once from its attrs
# fields, that writes the record's canonical JSON text directly (keys pre-sorted by code
# point as ``sort_keys`` sorts them, pre-encoded; text through the encoder ``json`` itself
# uses). Values of the common exact types (``str``, ``date``, ``datetime``, tuples of
# ``str``) are written inline; anything else goes through :func:`_value_json`, which is
# ``canonical_json(_value(v))`` with shortcuts, so unusual values give the same bytes.
# tests/test_digest.py checks the digest against the plain document.

_json_str: Callable[[str], str] = (getattr(json.encoder, "c_encode_basestring", None)
                                   or json.encoder.py_encode_basestring)
_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_ENUM_JSON: dict[int, tuple[Any, str]] = {}  # id(member) -> (member, its JSON); the member is kept alive
_NESTED: dict[type, Callable[[Any], str]] = {}  # attrs class -> encoder of its plain form
_DAY_JSON: dict[_dt.date, str] = {}  # date -> its JSON (isoformat is slow; a registry has few distinct days)


def _day_json(day: _dt.date) -> str:
    """The JSON of a ``datetime.date`` (exactly that type), remembered."""
    if len(_DAY_JSON) >= 1 << 16:
        _DAY_JSON.clear()
    text = _DAY_JSON[day] = '"' + day.isoformat() + '"'
    return text


def _value_json(v: Any) -> str:
    """``canonical_json(_value(v))``."""
    c = type(v)
    if c is str:
        return _json_str(v)
    if c is _DATE:
        return _DAY_JSON.get(v) or _day_json(v)
    enc = _NESTED.get(c)
    if enc is not None:
        return enc(v)
    if c is _DATETIME:
        return '"' + str(v.isoformat()) + '"'
    hit = _ENUM_JSON.get(id(v))
    if hit is not None:
        return hit[1]
    if isinstance(v, enum.Enum):
        text = _dumps(_value(v))
        member: Any = v  # an enum may also be a tuple or list (and then equal an empty one)
        if type(v.value) is str and not (member == () or member == []):  # immutable; never a skipped "empty" value
            _ENUM_JSON[id(v)] = (v, text)
        return text
    if isinstance(v, (_dt.datetime, _dt.date)):
        return _dumps(_value(v))
    if attrs.has(c):  # a nested record: its plain form
        enc = _NESTED[c] = _encoder(c)
        return enc(v)
    if isinstance(v, (tuple, list)):
        return "[" + ",".join(map(_value_json, v)) + "]"
    return _dumps(v)


def _field_json(v: Any) -> str | None:
    """The JSON of field value ``v`` in :func:`plain`, ``None`` if left out (field default not ``None``)."""
    if v == () or v == []:
        return None
    return _value_json(v)


def _changes_json(v: Any) -> str:
    return _dumps({k: [old, new] for k, old, new in v})


_ENCODERS: dict[tuple[type, tuple[str, ...], tuple[str, ...]], Callable[..., str]] = {}


def _encoder(cls: type, skip: tuple[str, ...] = (), extra: tuple[str, ...] = ()) -> Callable[..., str]:
    """``encode(record, *extra_json)``: ``canonical_json(plain(record, skip=skip) | extra)``.

    ``extra`` names keys added after :func:`plain` (``transitions``, ``links``); the
    function takes their values already as JSON text, in that order.
    """
    key = (cls, skip, extra)
    fn = _ENCODERS.get(key)
    if fn is None:
        fn = _ENCODERS[key] = _make_encoder(cls, skip, extra)
    return fn


def _make_encoder(cls: type, skip: tuple[str, ...], extra: tuple[str, ...]) -> Callable[..., str]:
    """The source of ``encode``: for each key in sorted order, read the field and append
    ``,"key":`` and its value's JSON unless :func:`plain` leaves it out; the first comma
    is dropped at the end. Exact types are tested inline, the rest goes to ``_value_json``."""
    import keyword

    entries: list[tuple[str, Any]] = [(a.name, a) for a in attrs.fields(cls)
                                      if a.name not in skip and a.name not in extra]
    entries += [(name, n) for n, name in enumerate(extra)]
    entries.sort(key=lambda e: e[0])  # code point order, as json's sort_keys
    ns: dict[str, Any] = {"_s": _json_str, "_D": _DATE, "_T": _DATETIME, "_E": _ENUM_JSON, "_d": _DAY_JSON.get,
                          "_day": _day_json, "_v": _value_json, "_f": _field_json, "_c": _changes_json,
                          "_g": getattr}
    args = ", ".join(f"x{n}" for n in range(len(extra)))
    lines = [f"def encode(r{', ' + args if args else ''}):", "    p = ['{']", "    a = p.append"]
    for n, (name, a) in enumerate(entries):
        k = f"k{n}"
        ns[k] = "," + _json_str(name) + ":"
        if not isinstance(a, attrs.Attribute):
            lines.append(f"    a({k}); a(x{a})")
            continue
        keep = a.default is None  # empty and absent differ: keep ()
        if name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("__"):
            lines.append(f"    v = r.{name}")
        else:
            ns[f"n{n}"] = name
            lines.append(f"    v = _g(r, n{n})")
        if name == "changes":  # the mapping form, exactly as plain writes it
            lines += ["    if v is not None:",
                      f"        if {'True' if keep else 'not (v == () or v == [])'}:",
                      f"            a({k}); a(_c(v))"]
            continue
        lines += ["    if v is not None:",
                  "        c = type(v)",
                  "        if c is str:",
                  f"            a({k}); a(_s(v))",
                  "        elif c is _D:",
                  "            e = _d(v)",
                  "            if e is None:",
                  "                e = _day(v)",
                  f"            a({k}); a(e)",
                  "        elif c is _T:",
                  f"            a({k}); a('\"' + v.isoformat() + '\"')",
                  "        elif c is tuple:",
                  "            if len(v) == 1 and type(v[0]) is str:",
                  f"                a({k}); a('[' + _s(v[0]) + ']')",
                  "            elif v:",
                  "                for y in v:",
                  "                    if type(y) is not str:",
                  f"                        a({k}); a(_v(v))",
                  "                        break",
                  "                else:",
                  f"                    a({k}); a('[' + ','.join(map(_s, v)) + ']')"]
        if keep:
            lines += ["            else:", f"                a({k}); a('[]')"]
        lines += ["        else:",
                  "            e = _E.get(id(v))",
                  "            if e is not None:",
                  f"                a({k}); a(e[1])"]
        if keep:
            lines += ["            else:", f"                a({k}); a(_v(v))"]
        else:
            lines += ["            else:",
                      "                e = _f(v)",
                      "                if e is not None:",
                      f"                    a({k}); a(e)"]
    lines += ["    if len(p) > 1:", "        p[1] = p[1][1:]", "    a('}')", "    return ''.join(p)"]
    exec(compile("\n".join(lines), f"<sanctrack canonical encoder for {cls.__qualname__}>", "exec"), ns)
    return ns["encode"]  # type: ignore[no-any-return]


def registry_digest(*, info: Any, authorities: Mapping[str, Any], entities: Mapping[str, Any],
                    instruments: Mapping[str, Any], sources: Mapping[str, Any], measures: Mapping[str, Any],
                    records_of: Callable[[str], Sequence[Any]], releases: Mapping[str, Any],
                    links: Sequence[Any]) -> str:
    """The digest of a registry: ``measures`` in id order, ``records_of(measure id)`` in canonical order.

    Equal to ``digest_of(_canonical_doc(...))``, without building the document: the
    canonical JSON text is written record by record and hashed in chunks.
    """
    h = hashlib.sha256()
    parts: list[str] = []
    add = parts.append

    def flush() -> None:
        h.update("".join(parts).encode("utf-8"))
        parts.clear()

    def records(key: str, values: Any, sort_key: Callable[[Any], Any]) -> None:
        add(key + "[" + ",".join(_each_json(sorted(values, key=sort_key))) + "]")

    add("{")
    records('"authorities":', authorities.values(), lambda a: a.code)
    records(',"entities":', entities.values(), lambda e: e.id)
    add(',"info":' + _encoder(type(info))(info))
    records(',"instruments":', instruments.values(), lambda i: i.id)
    add(',"measures":[')
    sep = ""
    m_cls = m_enc = t_cls = t_enc = None
    for mid, m in measures.items():
        ts = []
        for t in records_of(mid):
            if type(t) is not t_cls:
                t_cls = type(t)
                t_enc = _encoder(t_cls, _NO_MEASURE)
            ts.append(t_enc(t))  # type: ignore[misc]
        if type(m) is not m_cls:
            m_cls = type(m)
            m_enc = _encoder(m_cls, (), _TRANSITIONS)
        add(sep + m_enc(m, "[" + ",".join(ts) + "]"))  # type: ignore[misc]
        sep = ","
        if len(parts) >= 2048:
            flush()
    add("]")
    links_by_release: dict[str, list[Any]] = {}
    for ln in links:
        links_by_release.setdefault(ln.release, []).append(ln)
    orphan_links = [plain(ln) for ln in links if ln.release not in releases]
    if orphan_links:
        add(',"orphan_links":')
        add(_dumps(sorted(orphan_links, key=lambda x: (x["release"], x["transition"]))))
    add(',"releases":[')
    for n, r in enumerate(sorted(releases.values(), key=lambda r: r.id)):
        lns = sorted(links_by_release.get(r.id, ()), key=lambda ln: ln.transition)
        add(("," if n else "") + _encoder(type(r), (), _LINKS)(r, "[" + ",".join(_each_json(lns, _NO_RELEASE)) + "]"))
    add("]")
    records(',"sources":', sources.values(), lambda s: s.id)
    add("}")
    flush()
    return "sha256:" + h.hexdigest()


_NO_MEASURE, _NO_RELEASE, _TRANSITIONS, _LINKS = ("measure",), ("release",), ("transitions",), ("links",)


def _each_json(records: Any, skip: tuple[str, ...] = ()) -> list[str]:
    """``[canonical_json(plain(r, skip=skip)) for r in records]``."""
    out = []
    cls = enc = None
    for r in records:
        if type(r) is not cls:
            cls = type(r)
            enc = _encoder(cls, skip)
        out.append(enc(r))  # type: ignore[misc]
    return out
