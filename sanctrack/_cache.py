"""A safe, content-addressed cache of loaded registries (JSON, never pickle).

:func:`sanctrack.load` reads the registry's files, hashes their relative
paths and bytes together with sanctrack's version, this cache's format
version and the loader's limits (the *content key*), and looks for
``registry-<key>.json`` in the cache directory:

* ``$SANCTRACK_CACHE_DIR``, else ``$XDG_CACHE_HOME/sanctrack``, else
  ``~/.cache/sanctrack``; ``load(path, cache_dir=...)`` overrides it;
* disabled by ``load(path, cache=False)`` or ``SANCTRACK_CACHE=0``.

Only a registry that loaded with **zero problems** is ever written, so a hit
cannot hide a problem: changing any byte of any file changes the key.

An entry is JSON data only: each kind of record is a table (a record count
and one column per field, a column being a list, a single repeated value, or
the distinct values once and an index per record), with the schema (field
names and how each is encoded) it was written with; :mod:`sanctrack._columnar`
makes that data and :mod:`sanctrack._columnar_read` reads it back, this module
signs, writes and reads the files, and builds the registry of a hit.
A hit restores the records without running their validators again, straight
into their slots (:func:`sanctrack._unchecked.records_from_columns`), equal
field for field and type for type to the records the YAML gave; the checks of
:meth:`Registry.build` and the eager replay are not repeated (the private
``_verified_digest`` path). Every column is decoded at
once (a malformed one makes the hit a miss), but the transitions — most of
the records — are made one by one when an answer first shows them.

The entry also keeps every measure's latest state runs, as the cold load's
legality check made them (:mod:`sanctrack._index.stored`): a hit restores a
measure's runs on its first question instead of replaying it, and an answer
makes only the records it shows. Stored runs are believed only from the engine
that wrote them: the entry carries :func:`engine_fingerprint` (the source of
the modules that decide what runs are), and another fingerprint is a miss.

Trust. Each entry is signed (HMAC-SHA256) with a random secret kept in the
cache directory (``secret``, mode 0600). The secret is used only if it is a
regular file owned by the current user, of mode 0600, in a directory owned by
the user and writable by no one else; otherwise the cache is off (a planted
secret in a shared directory would let forged entries verify), and
:func:`status` — ``sanctrack validate --verbose`` — says why. A secret of the
wrong length (truncated) is replaced by the next write. Every file here (the
secret, entries, the stat index) is read through the guarded open of
:mod:`sanctrack._files`: a FIFO, a device or a symlink is a miss, never a hang. An entry whose signature, format,
embedded key or schema is off — corrupt, truncated, copied from another
machine or user, written by anything but sanctrack, or by a sanctrack with
other record types — is ignored: the YAML is parsed as if there were no
cache, and the entry rewritten. A bad signature is rejected before the entry
is even parsed as JSON. The signature is the trust boundary: an entry that
verifies is taken to be what sanctrack wrote after a zero-problem load of
these files, and its records and digest are believed. Whoever can read the
secret (the user, root) can therefore forge an entry that verifies, with any
records and digest, including records that would fail the checks; but the
secret is readable only by the user who owns the cache directory (and root),
who can equally change what that user's Python runs (user site-packages,
environment, start-up files), so the cache adds no power they lack. A cheap
structural check remains (every column as long as its table, unique ids
within each kind, every transition's measure present): it catches an
inconsistent entry that would otherwise silently lose records; it is not a
defence against a forger.
To distrust the cache, disable it (``cache=False``) or remove the directory.

A hit pauses the cyclic garbage collector (process-wide, through
:func:`sanctrack._unchecked.collection_paused`) while it restores, and resumes
it as it found it: the objects made are all kept, and collecting meanwhile
only walks them again and again (without the pause a hit at 100k transitions
took about 15% longer).

Stat index. Reading 10,000 files costs more than restoring their registry,
so a warm load first takes a *stat fingerprint* of the files it would read
(:func:`sanctrack._files.stat_signature`: each file's relative path, size,
modification and change times in ns, inode and device, the directory's
identity and the limits) and looks for ``stat-<fingerprint>.json``: a small
signed entry naming the content key those files had when they were last
read. A hit there skips reading the files. Any write to a file moves its
change time (which no user program can set back), so an edited file changes
the fingerprint; the index is not written while any file changed within
:data:`RACY_NS` (2 s) of now, as an edit within the same timestamp tick
could leave a stat unchanged (git's "racily clean" case). A symlink, a
special file, a stray name or anything else the full read would judge means
no fingerprint: the files are read.

Writing is atomic (a temporary file renamed into place) and best effort: an
unwritable cache directory, or a record value the format cannot restore
exactly, only means no cache.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import stat
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ._columnar import FORMAT
from ._columnar import document as _document
from ._columnar_read import restore as _restore
from ._files import read_guarded
from ._index.build import Deferred
from ._index.stored import StoredRuns
from ._index.stored import encode as _stored_runs
from ._registry import Registry
from ._unchecked import collection_paused
from ._version import __version__

__all__ = ["FORMAT", "enabled", "cache_dir", "key_of", "get", "put", "entry_path", "MAX_ENTRY_SIZE", "status",
           "secret_status"]

MAX_ENTRY_SIZE = 512 * 1024 * 1024
"""A cache file larger than this is ignored (never read)."""

MAX_ENTRIES = 16
"""Entries kept per cache directory; the least recently written go first."""


def enabled(flag: bool | None = None) -> bool:
    """Whether to use the cache: ``flag`` if given, else ``SANCTRACK_CACHE`` (default on)."""
    if flag is not None:
        return bool(flag)
    return os.environ.get("SANCTRACK_CACHE", "1").strip().lower() not in ("0", "false", "no", "off")


def cache_dir(override: str | os.PathLike[str] | None = None) -> Path:
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
    h = hashlib.sha256()
    h.update(f"sanctrack-registry-cache\0{FORMAT}\0{__version__}\0{limits!r}\0".encode())
    for rel, data in files:
        name = rel.encode("utf-8", "surrogateescape")
        h.update(len(name).to_bytes(8, "big") + name + len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


#: the modules whose code decides what a measure's runs are (an entry stores runs they made)
ENGINE_MODULES = ("sanctrack._statemachine", "sanctrack._index.timeline", "sanctrack._index.runs",
                  "sanctrack._index.stored")
_ENGINE: list[str] = []


def engine_fingerprint() -> str:
    """sha256 of the engine modules' source (:data:`ENGINE_MODULES`), read once a process.

    An entry keeps the runs the engine made; a sanctrack whose engine differs
    (a development checkout of the same version, say) must replay instead of
    believing them, so an entry with another fingerprint is a miss.
    """
    if not _ENGINE:
        h = hashlib.sha256()
        for name in ENGINE_MODULES:
            module = sys.modules.get(name)
            path = getattr(module, "__file__", None)
            try:
                with open(path, "rb") as fh:  # type: ignore[arg-type]
                    h.update(fh.read())
            except (OSError, TypeError):
                h.update(f"{name}: no source\0{__version__}".encode())
        _ENGINE.append(h.hexdigest())
    return _ENGINE[0]


def entry_path(key: str, directory: str | os.PathLike[str] | None = None) -> Path:
    return cache_dir(directory) / f"registry-{key}.json"


# -- get / put ------------------------------------------------------------------------


SECRET_SIZE = 32


def _dir_problem(folder: Path) -> str | None:
    """Why ``folder`` cannot hold a trusted cache (None: it can)."""
    try:
        st = os.stat(folder)
    except FileNotFoundError:
        return None  # made on first write, 0700
    except OSError as exc:
        return f"cannot open the cache directory {os.fspath(folder)!r}: {exc.strerror or exc}"
    if not stat.S_ISDIR(st.st_mode):
        return f"the cache directory {os.fspath(folder)!r} is not a directory"
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return f"the cache directory {os.fspath(folder)!r} is owned by another user (uid {st.st_uid})"
    if st.st_mode & 0o022:
        return (f"the cache directory {os.fspath(folder)!r} is writable by others (mode "
                f"{stat.S_IMODE(st.st_mode):04o}): anyone who can write there could plant a secret")
    return None


def _secret_problem(path: Path, st: os.stat_result) -> str | None:
    if not stat.S_ISREG(st.st_mode):
        return f"the cache secret {os.fspath(path)!r} is not a regular file"
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return f"the cache secret {os.fspath(path)!r} is owned by another user (uid {st.st_uid})"
    if stat.S_IMODE(st.st_mode) != 0o600:
        return f"the cache secret {os.fspath(path)!r} has mode {stat.S_IMODE(st.st_mode):04o}, not 0600"
    return None


def _new_secret(folder: Path, *, replace: bool) -> None:
    """Write a fresh secret: first writer wins (``replace``: over a damaged one)."""
    data = secrets.token_bytes(SECRET_SIZE)
    tmp = folder / f".secret-{secrets.token_hex(8)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException:
            raise
        if replace:
            os.replace(tmp, folder / "secret")
        else:
            try:
                os.link(tmp, folder / "secret")  # never replace a secret others already use
            except FileExistsError:
                pass
    finally:
        try:
            os.unlink(tmp)  # a full disk, or any failure, leaves no .secret-* behind
        except FileNotFoundError:
            pass


def secret_status(folder: Path, create: bool) -> tuple[bytes | None, str | None]:
    """The cache directory's signing secret, or None and why the cache is off.

    The secret must be a regular file owned by the current user, mode 0600, in a
    directory owned by the user and not writable by others; otherwise the cache
    is not used (a planted secret would let forged entries verify). A missing
    secret is created on first write; one of the wrong length (truncated) is
    replaced then, so a damaged secret never switches the cache off for good.
    """
    reason = _dir_problem(folder)
    if reason is not None:
        return None, reason
    path = folder / "secret"
    for _ in range(2):
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            if not create:
                return None, "no cache secret yet (made by the first load that writes the cache)"
            _new_secret(folder, replace=False)
            continue
        reason = _secret_problem(path, st)
        if reason is not None:
            return None, reason
        data = read_guarded(path, limit=4 * SECRET_SIZE, follow=False)
        if len(data) == SECRET_SIZE:
            return data, None
        if not create:
            return None, f"the cache secret {os.fspath(path)!r} is damaged ({len(data)} bytes, not {SECRET_SIZE})"
        _new_secret(folder, replace=True)
    return None, "the cache secret could not be made"


def _secret(folder: Path, create: bool) -> bytes | None:
    """The cache directory's signing secret (created on first write), or None."""
    return secret_status(folder, create)[0]


def status(flag: bool | None = None, directory: str | os.PathLike[str] | None = None) -> tuple[bool, str]:
    """Whether loads use the cache, and a sentence saying where or why not (``validate --verbose``)."""
    if not enabled(flag):
        return False, "off (SANCTRACK_CACHE=0 or cache=False)"
    folder = cache_dir(directory)
    try:
        _secret_data, reason = secret_status(folder, create=False)
    except OSError as exc:
        return False, f"off: the cache secret cannot be read: {exc}"
    if reason is None:
        return True, f"on, in {os.fspath(folder)}"
    if reason.startswith("no cache secret yet"):
        return True, f"on, in {os.fspath(folder)} ({reason})"
    if "damaged" in reason:
        return True, f"on, in {os.fspath(folder)} ({reason}; the next load replaces it)"
    return False, f"off: {reason}"


def _sign(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, body, hashlib.sha256).hexdigest().encode("ascii")


def get(key: str, directory: str | os.PathLike[str] | None = None) -> Registry | None:
    """The cached registry for ``key``, verified; None on a miss or on anything suspicious."""
    try:
        folder = cache_dir(directory)
        secret = _secret(folder, create=False)
        if secret is None:
            return None
        try:
            # a regular file only, never followed through a symlink, never blocking (a FIFO)
            raw = read_guarded(folder / f"registry-{key}.json", limit=MAX_ENTRY_SIZE, follow=False)
        except OSError:
            return None
        signature, _, body = raw.partition(b"\n")
        if not hmac.compare_digest(signature, _sign(secret, body)):
            return None
        del raw
        # Restoring makes a few hundred thousand objects and frees none: the cyclic
        # collector would only walk them again and again, so it is paused meanwhile
        with collection_paused():
            doc = json.loads(body)
            if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("key") != key:
                return None
            if doc.get("engine") != engine_fingerprint():  # runs stored by another engine: replay instead
                return None
            digest = doc.get("digest")
            if not isinstance(digest, str):
                return None
            # the signature says sanctrack wrote this entry for these files, after records
            # with this digest passed every check (see "Trust" in the module docstring)
            got = _restore(doc)
            count, records_of, latest = got.deferred
            stored = StoredRuns(doc["runs"], [m.id for m in got.kinds["measures"]])
            return Registry.build(info=got.info, **got.kinds, _verified_digest=digest,
                                  _deferred=Deferred(count, records_of, latest, stored))
    except Exception:  # a cache entry is never trusted: any failure means "parse the YAML"
        return None


def _prune(folder: Path, pattern: str = "registry-*.json") -> None:
    entries = []
    for p in folder.glob(pattern):
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


def put(key: str, records: Any, registry: Registry, directory: str | os.PathLike[str] | None = None) -> bool:
    """Store a registry that loaded with no problem (built from ``records``); False if the cache could not be written.

    The entry holds the records and every measure's latest runs (which the
    build's legality check has just made), so a hit needs no replay.
    """
    try:
        folder = cache_dir(directory)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        secret = _secret(folder, create=True)
        if secret is None:
            return False
        doc = _document(key, records, registry.digest)
        table_order: dict[str, list[Any]] = {}
        for t in records.transitions:
            table_order.setdefault(t.measure, []).append(t)
        doc["engine"] = engine_fingerprint()
        doc["runs"] = _stored_runs(registry._catalog, [m.id for m in records.measures], table_order)
        body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
        _write_signed(folder, f"registry-{key}.json", secret, body)
        _prune(folder)
        return True
    except Exception:
        return False


def _write_signed(folder: Path, name: str, secret: bytes, body: bytes) -> None:
    """Write ``signature + newline + body`` atomically: a temporary file renamed into place."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(_sign(secret, body) + b"\n" + body)
        os.replace(tmp, folder / name)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# -- the stat index -------------------------------------------------------------------------

#: A file changed less than this long before the index would be written may change again within
#: the same timestamp tick unseen (the "racily clean" case of git's index): no index is written then.
RACY_NS = 2_000_000_000


def _stat_path(folder: Path, stat_key: str) -> Path:
    return folder / f"stat-{stat_key}.json"


def key_for_stat(stat_key: str, directory: str | os.PathLike[str] | None = None) -> str | None:
    """The content key recorded for this stat fingerprint (signed), or None."""
    try:
        folder = cache_dir(directory)
        secret = _secret(folder, create=False)
        if secret is None:
            return None
        raw = read_guarded(_stat_path(folder, stat_key), limit=4096, follow=False)
        signature, _, body = raw.partition(b"\n")
        if not hmac.compare_digest(signature, _sign(secret, body)):
            return None
        doc = json.loads(body)
        if (not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("stat") != stat_key
                or not isinstance(doc.get("key"), str) or not re.fullmatch(r"[0-9a-f]{64}", doc["key"])):
            return None
        return str(doc["key"])
    except Exception:  # like an entry: anything off is a miss
        return None


def put_stat(stat_key: str, key: str, newest_ns: int, directory: str | os.PathLike[str] | None = None,
             *, now_ns: int | None = None) -> bool:
    """Record that files with this stat fingerprint had content key ``key``.

    Not written (False) when a file changed within :data:`RACY_NS` of now:
    a change in the same timestamp tick could leave its stat unchanged.
    """
    try:
        now = time.time_ns() if now_ns is None else now_ns
        if now - newest_ns < RACY_NS:
            return False
        folder = cache_dir(directory)
        secret = _secret(folder, create=False)
        if secret is None:
            return False
        body = json.dumps({"format": FORMAT, "stat": stat_key, "key": key}, separators=(",", ":")).encode()
        _write_signed(folder, f"stat-{stat_key}.json", secret, body)
        _prune(folder, "stat-*.json")
        return True
    except Exception:
        return False
