"""Pass 1 of loading: a registry's files (bytes) to records, each problem located.

Each file is parsed with the one safe reader (:mod:`sanctrack._yaml`), and its
records built field by field (the fields converted by :mod:`sanctrack._fields`).
A bad field is a problem located at its value (``path:line:column`` and a
location such as ``$.transitions[2].effective``); it does not hide the other
fields or files. The records and an :class:`~sanctrack._locating.Index` of
where each is defined are handed back to :func:`sanctrack._loader.load`, which
resolves them (pass 2).

Memory: a file's parsed values live only while its records are built (at most
``MAX_NODES`` values, however large the registry); the index keeps a few
pointers per record and each file's bytes compressed, and reads a file again
only to locate a problem of pass 2. Values that repeat across records (sources,
instruments, scopes) are kept once. A cold load of 1M transitions peaks at
about 800 bytes per transition, most of it the records and the built registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import attrs

from ._errors import Problem
from ._fields import AUTHORITY as _AUTHORITY
from ._fields import ENTITY as _ENTITY
from ._fields import FIGURE as _FIGURE
from ._fields import INFO as _INFO
from ._fields import INSTRUMENT as _INSTRUMENT
from ._fields import LINK as _LINK
from ._fields import MEASURE as _MEASURE
from ._fields import RELEASE as _RELEASE
from ._fields import SOURCE as _SOURCE
from ._fields import TRANSITION as _TRANSITION
from ._fields import Ctx as _Ctx
from ._fields import SpecTable as _Spec
from ._fields import fields as _fields
from ._fields import kind_of as _kind_of
from ._files import display_path as _display
from ._locating import FileText, Index, Where, record_field
from ._model import (
    Authority,
    Entity,
    Figure,
    Instrument,
    Link,
    Measure,
    RegistryInfo,
    Release,
    Source,
    Transition,
)
from ._registry import Registry
from ._unchecked import collection_paused
from ._yaml import MAX_DEPTH, MAX_NODES, MarkedList, MarkedMap, parse_yaml

__all__ = ["Records", "load_records"]


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


# -- pass 1: files to records -------------------------------------------------------


@cache
def _a(kind: str) -> str:
    """``an authority``, ``a transition``."""
    return f"a{'n' if kind[0] in 'aeiou' else ''} {kind}"


_NEEDS_SOURCES = "names no source"

# Fields whose values repeat across many records (references, a few scopes): each
# distinct value is kept once, which saves about 150 bytes per transition of a
# large registry (its 20 sources, 200 instruments, 2 scopes at 100k transitions).
_SHARED = frozenset({"authority", "instrument", "program", "sources", "scope"})


class _Builder:
    def __init__(self, problems: list[Problem]) -> None:
        self.ctx = _Ctx(problems)
        self.records = Records()
        self.index = Index()
        self.source = FileText(b"", "")  # the file being read
        self.lists: dict[tuple[Any, ...], Where] = {}  # (kind, parts of a list) -> its place, in this file
        self.shared: dict[Any, Any] = {}  # one copy of each value of the _SHARED fields

    def where(self, record_id: str, kind: str, parts: tuple[Any, ...]) -> None:
        """Index ``record_id`` as defined at ``parts`` of the file being read."""
        if parts and type(parts[-1]) is int:  # an item of a list: one shared place for the list
            key = (kind,) + parts[:-1]
            within = self.lists.get(key)
            if within is None:
                within = self.lists[key] = Where(kind, self.ctx.path, self.source, parts[:-1])
            self.index.add_item(record_id, within, parts[-1])
        else:
            self.index.add(record_id, Where(kind, self.ctx.path, self.source, parts))

    def make(self, cls: type, kw: dict[str, Any], node: MarkedMap, parts: tuple[Any, ...],
             spec: _Spec, kind: str, record_id: str | None) -> Any:
        try:
            record = cls(**kw)
        except (ValueError, TypeError) as exc:
            field = record_field(str(exc), node, spec)
            mark = node.at(field) if field else node.mark
            self.ctx.add(str(exc), None, mark, parts + ((field,) if field else ()))
            if record_id is not None:
                self.where(record_id, kind, parts)
                self.index.broken.add(record_id)
            if "measure" in kw:
                self.index.broken.add(kw["measure"])
            return None
        if record_id is not None:
            self.where(record_id, kind, parts)
        return record

    def _one(self, cls: type, node: Any, parts: tuple[Any, ...], spec: _Spec, kind: str,
             key: str, mark: tuple[int, int] | None, extra: dict[str, Any] | None = None,
             record_id: Callable[[dict[str, Any]], str] | None = None) -> Any:
        kw = _fields(self.ctx, node, parts, spec, _a(kind), mark)
        if kw is None:
            # still index the record, so problems elsewhere that name it can be located
            if isinstance(node, MarkedMap) and isinstance(node.get(key), str):
                self.where(str(node[key]), kind, parts)
                self.index.broken.add(str(node[key]))
            if extra and "measure" in extra:
                self.index.broken.add(extra["measure"])
            return None
        share = self.shared.setdefault
        for name in _SHARED.intersection(kw):
            value = kw[name]
            if type(value) is tuple:
                value = tuple([share(item, item) for item in value])
            kw[name] = share(value, value)
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


_KINDS_IN = {"registry.yaml": (), "authorities.yaml": ("authority",), "entities.yaml": ("entity",),
             "instruments.yaml": ("instrument",), "sources.yaml": ("source",),
             "measures": ("measure", "transition"), "releases": ("release",)}


def load_records(root: Path, files: list[tuple[str, bytes]], problems: list[Problem], *,
                 display: Path | None = None, max_depth: int = MAX_DEPTH,
                 max_nodes: int = MAX_NODES, refused: Iterable[str] = (),
                 release: bool = False) -> tuple[Records, Index]:
    """Pass 1: parse each file and build its records; problems are appended.

    With ``release``, each item of ``files`` is replaced by ``(name, b"")`` once it
    is read, so the bytes of a large registry are not all held until the end (the
    index keeps a compressed copy, to locate the problems of pass 2).

    The cyclic garbage collector is paused meanwhile (:func:`sanctrack._unchecked.collection_paused`;
    resumed if it was on): parsing allocates millions of containers, none of them in a
    cycle, and without the pause a cold load of 100k transitions took about 40% longer.
    """
    with collection_paused():
        return _load_records(root, files, problems, display=display, max_depth=max_depth, max_nodes=max_nodes,
                             refused=refused, release=release)


def _load_records(root: Path, files: list[tuple[str, bytes]], problems: list[Problem], *, display: Path | None,
                  max_depth: int, max_nodes: int, refused: Iterable[str], release: bool) -> tuple[Records, Index]:
    shown = display if display is not None else root
    b = _Builder(problems)
    for rel in refused:
        b.index.unreadable.update(_KINDS_IN.get(rel.split("/")[0], ()))
    rec = b.records
    for i, (rel, data) in enumerate(files):
        if release:
            files[i] = (rel, b"")
        path = _display(shown, rel)
        b.ctx.path = path
        b.source = FileText(data, path, max_depth, max_nodes)
        b.lists = {}
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
