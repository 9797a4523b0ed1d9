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

The registry's files are read by :mod:`sanctrack._files`, the load cache by
:mod:`sanctrack._cache`; the fields of each record are converted by
:mod:`sanctrack._fields`. This module builds the records and :func:`load`
ties the steps together.
"""

from __future__ import annotations

import gc
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import attrs

from ._errors import Problem, RegistryError
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
from ._files import MAX_FILE_SIZE, bundled_path, registry_files, stat_signature
from ._files import display_path as _display
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
from ._yaml import MAX_DEPTH, MAX_NODES, MarkedList, MarkedMap, location, parse_yaml

__all__ = ["load", "load_records", "Records", "registry_files", "bundled_path", "MAX_FILE_SIZE"]


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


_NEEDS_SOURCES = "names no source"


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
            if sig is not None and _same_stat(root, sig, max_file_size, limits):
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
        if _cache.put(key, records, reg.digest, cache_dir) and sig is not None \
                and _same_stat(root, sig, max_file_size, limits):
            _cache.put_stat(sig[0], key, sig[1], cache_dir)
    return reg


def _same_stat(root: Path, sig: tuple[str, int], max_file_size: int, limits: tuple[int, ...]) -> bool:
    """Whether the files still have the stat fingerprint taken before they were read.

    The stat index maps a fingerprint to the content key of the bytes read; it is
    written only when the fingerprint is the same before and after the read, so it
    never ties the stats of one version of the files to the bytes of another.
    """
    return stat_signature(root, max_file_size=max_file_size, limits=limits) == sig
