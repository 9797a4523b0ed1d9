"""A safe, content-addressed cache of loaded registries (JSON, never pickle).

:func:`sanctrack.load` reads the registry's files (it always does: the files
*are* the key), hashes their relative paths and bytes together with
sanctrack's version, this cache's format version and the loader's limits, and
looks for ``registry-<key>.json`` in the cache directory:

* ``$SANCTRACK_CACHE_DIR``, else ``$XDG_CACHE_HOME/sanctrack``, else
  ``~/.cache/sanctrack``; ``load(path, cache_dir=...)`` overrides it;
* disabled by ``load(path, cache=False)`` or ``SANCTRACK_CACHE=0``.

Only a registry that loaded with **zero problems** is ever written, so a hit
cannot hide a problem: changing any byte of any file changes the key. A cache
file is never taken on trust: its signature (below), its format and its
embedded key are verified first, its records are rebuilt through the attrs
validators, and the rebuilt registry's digest must equal the digest stored
when the YAML was loaded — so these are exactly the records that passed every
check of :meth:`Registry.build` then, and those checks and the eager replay
are not repeated (the private ``_verified_digest`` path); each measure's
state runs are built on first use. Anything off — a corrupt,
truncated, foreign or tampered file — and the cache is ignored: the YAML is
parsed as if there were no cache, and the entry rewritten.

Each entry is signed (HMAC-SHA256) with a random secret kept in the cache
directory (``secret``, mode 0600), so an entry copied from another machine or
user, or written by anything but sanctrack, is rejected before it is even
parsed as JSON.

Writing is atomic (a temporary file renamed into place) and best effort: an
unwritable cache directory only means no cache.
"""

from __future__ import annotations

import datetime as _dt
import enum
import hashlib
import hmac
import secrets
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

import attrs

from ._model import (
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

__all__ = ["FORMAT", "enabled", "cache_dir", "key_of", "get", "put", "entry_path", "MAX_ENTRY_SIZE"]

FORMAT = 1
"""Version of the cache file layout; part of every key."""

MAX_ENTRY_SIZE = 512 * 1024 * 1024
"""A cache file larger than this is ignored (never read)."""

MAX_ENTRIES = 16
"""Entries kept per cache directory; the least recently written go first."""

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

_DATE_FIELDS = frozenset({"effective", "announced", "published", "recorded", "until", "signed", "issued", "date"})
_WINDOW_FIELDS = frozenset({"effective_window", "date_window"})


def enabled(flag: bool | None = None) -> bool:
    """Whether to use the cache: ``flag`` if given, else ``SANCTRACK_CACHE`` (default on)."""
    if flag is not None:
        return bool(flag)
    return os.environ.get("SANCTRACK_CACHE", "1").strip().lower() not in ("0", "false", "no", "off")


def cache_dir(override: "str | os.PathLike[str] | None" = None) -> Path:
    """Where cache entries live (see the module docstring)."""
    if override is not None:
        return Path(override)
    env = os.environ.get("SANCTRACK_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "sanctrack"
    return Path.home() / ".cache" / "sanctrack"


def key_of(files: Iterable[tuple[str, bytes]], *, limits: tuple[int, ...] = ()) -> str:
    """sha256 over the files' relative paths and bytes, sanctrack's version, the format and limits."""
    from . import __version__

    h = hashlib.sha256()
    h.update(f"sanctrack-registry-cache\0{FORMAT}\0{__version__}\0{limits!r}\0".encode())
    for rel, data in files:
        name = rel.encode("utf-8", "surrogateescape")
        h.update(len(name).to_bytes(8, "big") + name + len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def entry_path(key: str, directory: "str | os.PathLike[str] | None" = None) -> Path:
    return cache_dir(directory) / f"registry-{key}.json"


# -- records <-> JSON ---------------------------------------------------------------


def _json_value(v: Any) -> Any:
    t = type(v)
    if t is str or t is int or t is bool:
        return v
    if t is _dt.date or t is _dt.datetime:
        return v.isoformat()
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, (tuple, list)):
        return [_json_value(x) for x in v]
    if attrs.has(t):
        return _to_json(v)
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    return v


_FIELDS: dict[type, tuple[tuple[str, Any], ...]] = {}


def _fields_of(cls: type) -> tuple[tuple[str, Any], ...]:
    got = _FIELDS.get(cls)
    if got is None:
        got = _FIELDS[cls] = tuple(
            (a.name, _NO_DEFAULT if a.default is attrs.NOTHING or isinstance(a.default, attrs.Factory)
             else a.default) for a in attrs.fields(cls))
    return got


_NO_DEFAULT = object()


def _to_json(record: Any) -> dict[str, Any]:
    """Every field that differs from its default (so None and () stay distinct)."""
    out: dict[str, Any] = {}
    for name, default in _fields_of(type(record)):
        v = getattr(record, name)
        if v is default or (default is not _NO_DEFAULT and type(v) is type(default) and v == default):
            continue
        out[name] = _json_value(v)
    return out


def _from_json(cls: type, doc: dict[str, Any]) -> Any:
    if not isinstance(doc, dict):
        raise ValueError("a record is not an object")
    kw: dict[str, Any] = {}
    for name, v in doc.items():
        if name in _DATE_FIELDS and isinstance(v, str):
            v = _dt.date.fromisoformat(v)
        elif name in _WINDOW_FIELDS and isinstance(v, list):
            v = tuple(_dt.date.fromisoformat(x) for x in v)
        elif name == "effective_at" and isinstance(v, str):
            v = _dt.datetime.fromisoformat(v)
        elif name == "scope" and isinstance(v, dict):
            v = Scope(**v)
        elif name == "figures" and isinstance(v, list):
            v = tuple(Figure(**f) for f in v)
        elif name == "changes" and isinstance(v, list):
            v = tuple(tuple(x) for x in v)
        kw[name] = v
    return cls(**kw)


def _document(key: str, records: Any, digest: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "key": key,
        "digest": digest,
        "info": None if records.info is None else _to_json(records.info),
        **{kind: [_to_json(r) for r in getattr(records, kind)] for kind in _KINDS},
    }


def _records(doc: Any) -> Any:
    from ._loader import Records

    info = doc["info"]
    return Records(
        info=None if info is None else _from_json(RegistryInfo, info),
        **{kind: [_from_json(cls, r) for r in doc[kind]] for kind, cls in _KINDS.items()},
    )


# -- get / put ------------------------------------------------------------------------


def _secret(folder: Path, create: bool) -> bytes | None:
    """The cache directory's signing secret (created on first write)."""
    path = folder / "secret"
    try:
        with open(path, "rb") as fh:
            data = fh.read(64)
        return data if len(data) == 32 else None
    except FileNotFoundError:
        if not create:
            return None
    data = secrets.token_bytes(32)
    tmp = folder / f".secret-{secrets.token_hex(8)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    try:
        os.link(tmp, path)  # first writer wins; never replace a secret others already use
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    with open(path, "rb") as fh:
        data = fh.read(64)
    return data if len(data) == 32 else None


def _sign(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, body, hashlib.sha256).hexdigest().encode("ascii")


def get(key: str, directory: "str | os.PathLike[str] | None" = None) -> Any:
    """The cached registry for ``key``, verified; None on a miss or on anything suspicious."""
    try:
        folder = cache_dir(directory)
        path = folder / f"registry-{key}.json"
        if not path.is_file() or path.stat().st_size > MAX_ENTRY_SIZE:
            return None
        secret = _secret(folder, create=False)
        if secret is None:
            return None
        with open(path, "rb") as fh:
            raw = fh.read()
        signature, _, body = raw.partition(b"\n")
        if not hmac.compare_digest(signature, _sign(secret, body)):
            return None
        doc = json.loads(body)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("key") != key:
            return None
        digest = doc.get("digest")
        if not isinstance(digest, str):
            return None
        # the signature says sanctrack wrote this entry for these files after records with
        # this digest passed every check; the rebuild recomputes the digest and must match
        return _records(doc).build(verified_digest=digest)
    except Exception:  # a cache entry is never trusted: any failure means "parse the YAML"
        return None


def _prune(folder: Path) -> None:
    entries = []
    for p in folder.glob("registry-*.json"):
        try:
            entries.append((p.stat().st_mtime_ns, p.name, p))
        except OSError:
            continue
    entries.sort(reverse=True)
    for _mtime, _name, p in entries[MAX_ENTRIES:]:
        try:
            p.unlink()
        except OSError:
            pass


def put(key: str, records: Any, digest: str, directory: "str | os.PathLike[str] | None" = None) -> bool:
    """Store a registry that loaded with no problem; False if the cache could not be written."""
    tmp = None
    try:
        folder = cache_dir(directory)
        folder.mkdir(parents=True, exist_ok=True)
        secret = _secret(folder, create=True)
        if secret is None:
            return False
        body = json.dumps(_document(key, records, digest), ensure_ascii=False, separators=(",", ":")).encode()
        fd, tmp = tempfile.mkstemp(prefix=".registry-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(_sign(secret, body) + b"\n" + body)
        os.replace(tmp, folder / f"registry-{key}.json")
        tmp = None
        _prune(folder)
        return True
    except Exception:
        return False
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
