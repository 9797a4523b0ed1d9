"""Writing a registry back to YAML: the inverse of :mod:`sanctrack._loader`, and its one writer.

:func:`write_registry` (public as :func:`sanctrack.write_registry`) writes the
registry layout (``registry.yaml``, ``authorities.yaml``, ``entities.yaml``,
``instruments.yaml``, ``sources.yaml``, ``measures/<id>.yaml``,
``releases/<id>.yaml``) so that loading the directory gives the same records,
the same digest and the same answers. :func:`registry_texts` gives the same
files as text without writing them; the importers write those (with their
generated-file header) through :func:`sanctrack.importers.write_registry`.

* **Deterministic**: keys in the order of the format's field list
  (:mod:`sanctrack._schema`, the order ``docs/registry-format.md`` lists them),
  empty and absent values left out (except an empty list that means something:
  an amend's ``targets: []``, "to no targets"), records sorted by id
  (transitions of a measure in registry order, links of a release by
  transition), one trailing newline, no timestamps. Writing the same registry
  twice gives the same bytes.
* **Unambiguous**: dates are written ``YYYY-MM-DD``; any text that another
  YAML reader could take for a number, a boolean, a date or null
  (``"114"``, ``"yes"``, ``"2025-09-11"``, ``"null"``) is quoted, so the files
  mean the same to every YAML tool, not only to sanctrack's reader.
* **Atomic**: everything is written into a temporary directory next to the
  target and renamed into place; an existing registry directory is replaced as
  a whole (never merged), and only if it looks like a registry (it holds only
  registry files), so a wrong path cannot destroy unrelated data.
"""

from __future__ import annotations

import datetime as _dt
import enum
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from . import _schema
from ._fields import ID_RE
from ._files import DIRS, TOP_FILES
from ._model import Figure, Link, Scope, Transition

__all__ = ["write_registry", "registry_texts", "dump_yaml"]

_TOP, _DIRS = TOP_FILES, DIRS  # the registry's files and folders, as the loader reads them

# The keys of each kind of record, in the order the format lists them, and the empty lists
# that are written (they differ from an absent key): from the one field list, sanctrack._schema.
_KEYS = {name: _schema.written_keys(fields) for name, fields in _schema.RECORDS.items()}
_KEEP_EMPTY = {name: frozenset(f.name for f in fields if f.empty_differs) for name, fields in _schema.RECORDS.items()}
_CHANGES = _schema.names_of_kind("changes")


class _Flow(list[Any]):
    """A list written in flow style: ``[a, b]``."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:  # equal dates must not become &anchors
        return True


def _flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data.rstrip("\n") and data == data.strip(" ") and "\t" not in data else None
    if style and not data.endswith("\n"):
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(_Flow, _flow)
_Dumper.add_representer(str, _str)


def dump_yaml(doc: Any) -> str:
    """YAML text of plain values, the way registry files are written."""
    text: str = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=100, indent=2)
    return text


def _value(v: Any) -> Any:
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, _dt.datetime):
        return v.isoformat()
    if isinstance(v, _dt.date):
        return v  # written plain as YYYY-MM-DD
    if isinstance(v, Scope):
        return _mapping(v, "scope")
    if isinstance(v, Figure):
        return _mapping(v, "figure")
    if isinstance(v, str):
        return str(v)
    if isinstance(v, tuple):
        items = [_value(x) for x in v]
        if all(isinstance(x, (str, int, _dt.date)) and not (isinstance(x, str) and "\n" in x) for x in items) \
                and sum(len(str(x)) for x in items) < 80:
            return _Flow(items)
        return items
    return v


def _mapping(record: Any, kind: str) -> dict[str, Any]:
    """The mapping written for ``record`` (a record of ``kind``, a key of ``_schema.RECORDS``).

    Absent (``None``) values are left out, and so are empty lists except where
    empty and absent differ (an amend to no targets, ``targets: []``).
    """
    out: dict[str, Any] = {}
    keep_empty = _KEEP_EMPTY[kind]
    for k in _KEYS[kind]:
        v = getattr(record, k)
        if v is None or (v == () and k not in keep_empty):
            continue
        if k in _CHANGES:
            out[k] = {name: _Flow([old, new]) for name, old, new in v}
            continue
        out[k] = _value(v)
    return out


def _records(source: Any) -> dict[str, Any]:
    """The records of a Registry or of a records bundle, as lists."""
    get = source.get if isinstance(source, Mapping) else (lambda name: getattr(source, name))
    out: dict[str, Any] = {}
    for name in ("authorities", "entities", "instruments", "sources", "measures", "transitions", "releases",
                 "links"):
        out[name] = list(get(name) or ())
    out["info"] = get("info")
    return out


def registry_texts(source: Any) -> dict[str, str]:
    """Relative posix path -> YAML text of every file of the registry ``source`` (see :func:`write_registry`).

    Pure: nothing is written. The files of a kind of record that ``source`` has
    none of (``entities.yaml`` with no entity, …) are left out, as the loader
    reads a missing file as an empty list.
    """
    r = _records(source)
    files: dict[str, str] = {}
    info = r["info"]
    files["registry.yaml"] = dump_yaml(_mapping(info, "registry") if info is not None else {"name": "registry"})
    for name, kind, sort in (("authorities", "authority", "code"), ("entities", "entity", "id"),
                             ("instruments", "instrument", "id"), ("sources", "source", "id")):
        items = sorted(r[name], key=lambda x: getattr(x, sort))
        if items:
            files[f"{name}.yaml"] = dump_yaml([_mapping(x, kind) for x in items])
    by_measure: dict[str, list[Transition]] = {}
    for t in r["transitions"]:
        by_measure.setdefault(t.measure, []).append(t)
    for m in sorted(r["measures"], key=lambda m: m.id):
        if not ID_RE.match(m.id):
            raise ValueError(f"measure id {m.id!r} cannot be a file name (expected [a-z0-9][a-z0-9._-]*)")
        doc = _mapping(m, "measure")
        doc["transitions"] = [_mapping(t, "transition") for t in by_measure.pop(m.id, ())]
        files[f"measures/{m.id}.yaml"] = dump_yaml(doc)
    if by_measure:
        raise ValueError(f"transitions of unknown measures: {', '.join(sorted(by_measure))}")
    links: dict[str, list[Link]] = {}
    for ln in r["links"]:
        links.setdefault(ln.release, []).append(ln)
    for rel in sorted(r["releases"], key=lambda x: x.id):
        if not ID_RE.match(rel.id):
            raise ValueError(f"release id {rel.id!r} cannot be a file name (expected [a-z0-9][a-z0-9._-]*)")
        doc = _mapping(rel, "release")
        if rel.figures:
            doc["figures"] = [_mapping(f, "figure") for f in rel.figures]
        ls = sorted(links.pop(rel.id, ()), key=lambda ln: ln.transition)
        if ls:
            doc["links"] = [_mapping(ln, "link") for ln in ls]
        files[f"releases/{rel.id}.yaml"] = dump_yaml(doc)
    if links:
        raise ValueError(f"links of unknown releases: {', '.join(sorted(links))}")
    return files


def _looks_like_registry(path: Path) -> bool:
    for entry in os.scandir(path):
        name = entry.name
        if name.startswith("."):
            continue
        if name in _DIRS and entry.is_dir(follow_symlinks=False):
            continue
        if name in _TOP and entry.is_file(follow_symlinks=False):
            continue
        return False
    return True


def write_registry(source: Any, directory: str | os.PathLike[str]) -> Path:
    """Write a :class:`Registry` (or its records) as a registry directory; returns its absolute path.

    ``source`` is a Registry, or the records of one: an object with the
    attributes, or a mapping with the keys, ``info``, ``authorities``, ``entities``, ``instruments``,
    ``sources``, ``measures``, ``transitions``, ``releases``, ``links``. A
    Registry is written with what it shows: a view made by
    :meth:`Registry.as_known_on` writes the records known on its date. Loading
    the written directory gives an equal registry (the same digest, for a
    Registry that is not a view).

    The files are written into a temporary directory beside ``directory`` and
    renamed into place. An existing ``directory`` is replaced as a whole, but
    only if it is empty or holds only registry files (else
    :class:`FileExistsError`). Raises ``ValueError`` for records that cannot be
    written (an id that is no file name, a transition of an unknown measure, a
    link of an unknown release); nothing is written then.
    """
    target = Path(os.path.abspath(os.fspath(directory)))
    files = registry_texts(source)
    if target.exists():
        if not target.is_dir() or target.is_symlink():
            raise FileExistsError(f"{target} exists and is not a directory")
        if not _looks_like_registry(target):
            raise FileExistsError(f"{target} holds files that are not registry files: refusing to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        for d in _DIRS:
            (tmp / d).mkdir()
        for rel, text in files.items():
            with open(tmp / rel, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        os.chmod(tmp, 0o755)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.rmdir(old)
            os.rename(target, old)
            try:
                os.rename(tmp, target)
            except BaseException:
                os.rename(old, target)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
