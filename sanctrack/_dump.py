"""Writing a registry back to YAML: the inverse of :mod:`sanctrack._loader`.

``write_registry(registry_or_records, directory)`` writes the registry layout
(``registry.yaml``, ``authorities.yaml``, ``entities.yaml``,
``instruments.yaml``, ``sources.yaml``, ``measures/<id>.yaml``,
``releases/<id>.yaml``) so that loading the directory gives the same records,
the same digest and the same answers.

* **Deterministic**: keys in the order of the format spec, records sorted by id
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
from pathlib import Path
from typing import Any

import yaml

from ._model import Figure, Link, Scope, Transition

__all__ = ["write_registry", "dump_yaml"]

_TOP = ("registry.yaml", "authorities.yaml", "entities.yaml", "instruments.yaml", "sources.yaml")
_DIRS = ("measures", "releases")

_INFO_KEYS = ("name", "version", "description")
_AUTHORITY_KEYS = ("code", "name", "jurisdiction", "timezone")
_ENTITY_KEYS = ("id", "kind", "name", "aliases", "identifiers", "note")
_INSTRUMENT_KEYS = ("id", "kind", "authority", "number", "title", "url", "signed", "issued", "published",
                    "sources", "note")
_SOURCE_KEYS = ("id", "publisher", "title", "url", "published", "quote", "note")
_MEASURE_KEYS = ("id", "authority", "kind", "program", "targets", "title", "summary", "sources")
_TRANSITION_KEYS = ("id", "action", "effective", "effective_at", "announced", "published", "recorded", "until",
                    "relief", "effective_window", "instrument", "scope", "conditions", "program", "targets",
                    "changes", "confidence", "sources", "corrects", "note")
_RELEASE_KEYS = ("id", "date", "date_window", "recorded", "count", "people", "nationalities", "destinations",
                 "negotiators", "sources", "note")
_FIGURE_KEYS = ("quantity", "value", "used", "sources", "note")
_LINK_KEYS = ("transition", "basis", "recorded", "sources", "quote", "note")


class _Flow(list):
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
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                     width=100, indent=2)


def _value(v: Any) -> Any:
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, _dt.datetime):
        return v.isoformat()
    if isinstance(v, _dt.date):
        return v  # written plain as YYYY-MM-DD
    if isinstance(v, Scope):
        return _fields(v, ("authorises", "excludes"))
    if isinstance(v, Figure):
        return _fields(v, _FIGURE_KEYS)
    if isinstance(v, str):
        return str(v)
    if isinstance(v, tuple):
        items = [_value(x) for x in v]
        if all(isinstance(x, (str, int, _dt.date)) and not (isinstance(x, str) and "\n" in x) for x in items) \
                and sum(len(str(x)) for x in items) < 80:
            return _Flow(items)
        return items
    return v


def _fields(record: Any, keys: tuple[str, ...], keep_empty: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in keys:
        v = getattr(record, k)
        if v is None or (v == () and k not in keep_empty):
            continue
        if k == "changes":
            out[k] = {name: _Flow([old, new]) for name, old, new in v}
            continue
        out[k] = _value(v)
    return out


def _transition(t: Transition) -> dict[str, Any]:
    # targets=() (an amend to no targets) differs from targets=None (no change): keep it
    return _fields(t, _TRANSITION_KEYS, keep_empty=("targets",) if t.targets == () else ())


def _records(source: Any) -> dict[str, Any]:
    """The records of a Registry or of a records bundle, as lists."""
    get = (lambda name: getattr(source, name)) if not isinstance(source, dict) else source.get
    out = {}
    for name in ("authorities", "entities", "instruments", "sources", "measures", "transitions", "releases",
                 "links"):
        out[name] = list(get(name) or ())
    out["info"] = get("info")
    return out


def _files(source: Any) -> dict[str, str]:
    """Relative path -> YAML text for every file of the registry."""
    from ._fields import ID_RE

    r = _records(source)
    files: dict[str, str] = {}
    info = r["info"]
    files["registry.yaml"] = dump_yaml(_fields(info, _INFO_KEYS) if info is not None else {"name": "registry"})
    for name, keys, sort in (("authorities", _AUTHORITY_KEYS, "code"), ("entities", _ENTITY_KEYS, "id"),
                             ("instruments", _INSTRUMENT_KEYS, "id"), ("sources", _SOURCE_KEYS, "id")):
        items = sorted(r[name], key=lambda x: getattr(x, sort))
        if items:
            files[f"{name}.yaml"] = dump_yaml([_fields(x, keys) for x in items])
    by_measure: dict[str, list[Transition]] = {}
    for t in r["transitions"]:
        by_measure.setdefault(t.measure, []).append(t)
    for m in sorted(r["measures"], key=lambda m: m.id):
        if not ID_RE.match(m.id):
            raise ValueError(f"measure id {m.id!r} cannot be a file name (expected [a-z0-9][a-z0-9._-]*)")
        doc = _fields(m, _MEASURE_KEYS)
        doc["transitions"] = [_transition(t) for t in by_measure.pop(m.id, ())]
        files[f"measures/{m.id}.yaml"] = dump_yaml(doc)
    if by_measure:
        raise ValueError(f"transitions of unknown measures: {', '.join(sorted(by_measure))}")
    links: dict[str, list[Link]] = {}
    for ln in r["links"]:
        links.setdefault(ln.release, []).append(ln)
    for rel in sorted(r["releases"], key=lambda x: x.id):
        if not ID_RE.match(rel.id):
            raise ValueError(f"release id {rel.id!r} cannot be a file name (expected [a-z0-9][a-z0-9._-]*)")
        doc = _fields(rel, _RELEASE_KEYS)
        if rel.figures:
            doc["figures"] = [_fields(f, _FIGURE_KEYS) for f in rel.figures]
        ls = sorted(links.pop(rel.id, ()), key=lambda ln: ln.transition)
        if ls:
            doc["links"] = [_fields(ln, _LINK_KEYS) for ln in ls]
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


def write_registry(source: Any, directory: "str | os.PathLike[str]") -> Path:
    """Write a :class:`Registry` (or its records) as a registry directory; returns its path.

    ``source`` is a Registry, a ``Records`` bundle, or a mapping with the keys
    ``info``, ``authorities``, ``entities``, ``instruments``, ``sources``,
    ``measures``, ``transitions``, ``releases``, ``links``. An existing
    ``directory`` is replaced as a whole, but only if it is empty or holds only
    registry files (else :class:`FileExistsError`). Raises ``ValueError`` for
    records that cannot be written (an id that is no file name, a transition of
    an unknown measure, a link of an unknown release).
    """
    target = Path(os.path.abspath(os.fspath(directory)))
    files = _files(source)
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
