"""The registry's files: where the bundled registry is, which files a registry has, their bytes.

:func:`registry_files` reads a registry directory's files in load order and
refuses, as located problems, what must not be read (files over the size
limit, symlinks leading out of the registry, special files, unknown names);
:func:`stat_signature` fingerprints the same files from their ``stat`` alone
(for the load cache's stat index, :mod:`sanctrack._cache`).

This module does I/O: it stats, lists and reads a registry directory's files.
It writes nothing and parses nothing. Every read goes through the one guarded open
(:mod:`sanctrack._guarded_open`); it and the writers' lock (:mod:`sanctrack._file_lock`) are
importable from here too.
"""

from __future__ import annotations

import difflib
import hashlib
import operator
import os
import stat
import time
from pathlib import Path

from ._errors import FileChanged, Problem, UnreadableFile
from ._file_lock import lock_beside
from ._guarded_open import (
    NOFOLLOW,
    OPEN_FLAGS,
    file_kind,
    identity,
    open_guarded,
    read_fd,
    read_guarded,
    read_guarded_stat,
)
from ._validate import did_you_mean

__all__ = ["MAX_FILE_SIZE", "TOP_FILES", "DIRS", "bundled_path", "display_path", "stat_signature", "registry_files",
           "read_guarded", "read_guarded_stat", "open_guarded", "identity", "lock_beside"]

MAX_FILE_SIZE = 10 * 1024 * 1024
"""Largest registry file accepted, in bytes (``load(path, max_file_size=...)``)."""

TOP_FILES = ("registry.yaml", "authorities.yaml", "entities.yaml", "instruments.yaml", "sources.yaml")
DIRS = ("measures", "releases")


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


_NAME = operator.attrgetter("name")


def display_path(root: Path, rel: str) -> str:
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
            if name.endswith((".yaml", ".yml")) or _stray_dir_hint(name) is not None:
                return None  # an unknown registry file or directory: a problem the full read reports
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
                with os.scandir(path) as listing:  # each entry's lstat without a path made in Python
                    entries = sorted(listing, key=_NAME)
                files: list[tuple[str, os.stat_result]] = []
                for entry in entries:
                    name = entry.name
                    if name.startswith("."):
                        if _hidden_yaml(name):
                            return None
                        continue
                    if not name.endswith(".yaml"):
                        return None
                    files.append((f"{rel}/{name}", entry.stat(follow_symlinks=False)))
            else:
                files = [(rel, st)]
            lines = []
            for f, fst in files:
                if not stat.S_ISREG(fst.st_mode) or fst.st_size > max_file_size:
                    return None
                lines.append(f"{f}\0{fst.st_size}\0{fst.st_mtime_ns}\0{fst.st_ctime_ns}\0{fst.st_ino}\0"
                             f"{fst.st_dev}\n")
                m, c = fst.st_mtime_ns, fst.st_ctime_ns
                if m > newest:
                    newest = m
                if c > newest:
                    newest = c
            h.update("".join(lines).encode())
    except (OSError, ValueError):
        return None
    return h.hexdigest(), newest
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_DIRECTORY", 0)


READ_ATTEMPTS = 4
#: The coarsest timestamp tick assumed for file times (Linux stamps files with a clock that moves
#: once a jiffy, 1-10 ms). A file changed within a tick of the read may be rewritten in that same
#: tick with its stat unchanged: it is read a second time once the tick is over.
TICK_NS = 25_000_000


def _stray_dir_hint(name: str) -> str | None:
    """A hint when ``name`` looks like a misspelt ``measures``/``releases`` directory, else None."""
    if name in DIRS or name.startswith("."):
        return None
    low = name.casefold().rstrip("/")
    for d in DIRS:
        if low == d or difflib.SequenceMatcher(None, low, d).ratio() >= 0.8:
            return f"did you mean {d!r}? only {d}/ (lower case) is read"
    return None


def _hidden_yaml(name: str) -> bool:
    """A dot-file that would be a registry file but for its leading dot (editor locks ``.#x`` aside)."""
    return name.startswith(".") and not name.startswith(".#") and name.endswith((".yaml", ".yml")) \
        and len(name) > len(".yaml")


class _Changed(Exception):
    """The directory changed under a read: try again."""


def registry_files(root: Path, problems: list[Problem], *, max_file_size: int = MAX_FILE_SIZE,
                   display: Path | None = None, refused: list[str] | None = None,
                   attempts: int = READ_ATTEMPTS) -> list[tuple[str, bytes]]:
    """The registry's files as ``(relative path, bytes)`` in load order; problems for the rest.

    Refuses (as located problems) files larger than ``max_file_size``, paths that
    resolve outside the registry directory (symlinks), special files, unknown
    ``.yaml`` files, hidden ``.yaml`` files, misspelt ``measures``/``releases``
    directories and unreadable files.

    The read is **consistent**: the directory is opened once and every file read
    relative to it (a directory swapped by a rename during the read does not
    mix two versions); after reading, the set of files and each one's identity
    (inode, size, modification and change times) are taken again and must be
    what they were when each was read, and a file changed within
    :data:`RACY_NS` of the read is read twice and compared. A file listed then
    vanished, replaced, grown or rewritten means the directory changed: the
    read starts again, up to ``attempts`` times, then one problem "the registry
    changed while loading" is reported and no file is returned — never a
    partial or mixed set.
    """
    shown = display if display is not None else root
    refused_out = refused if refused is not None else []
    for attempt in range(max(1, attempts)):
        found: list[Problem] = []
        refused_now: list[str] = []
        try:
            out = _read_consistent(root, found, max_file_size, shown, refused_now)
        except _Changed:
            time.sleep(min(0.002 * (4 ** attempt), 0.1))
            continue
        problems.extend(found)
        refused_out.extend(refused_now)
        return out
    problems.append(Problem(f"the registry changed while loading (files were added, removed or rewritten "
                            f"during each of {max(1, attempts)} attempts to read it)",
                            hint="load it again once the import, checkout or save that is writing it has "
                                 "finished; nothing was loaded", path=os.fspath(shown)))
    refused_out.append("registry.yaml")
    return []


def _read_listed(name: str, dfd: int, st: os.stat_result, limit: int) -> tuple[bytes, os.stat_result]:
    """:func:`read_guarded_stat` for a name just ``lstat``-ed in a directory being read consistently.

    The ``lstat`` already taken stands for the guarded open's first one, and no
    ``fstat`` follows the read: the consistent read stats every file again at
    its end, which catches a change during the read as well.
    """
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableFile(name, f"not a regular file ({file_kind(st.st_mode)})")
    if st.st_size > limit:
        raise UnreadableFile(name, f"too large ({st.st_size} bytes; the limit is {limit})")
    fd = os.open(name, OPEN_FLAGS | NOFOLLOW, dir_fd=dfd)
    try:
        fst = os.fstat(fd)
        if (fst.st_dev, fst.st_ino) != (st.st_dev, st.st_ino) or not stat.S_ISREG(fst.st_mode):
            raise FileChanged(name, "replaced by another file while it was opened")
        data = read_fd(fd, fst.st_size, limit)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise UnreadableFile(name, f"too large (more than {limit} bytes)")
    if len(data) != fst.st_size:
        raise FileChanged(name, "changed while it was being read")
    return data, fst


def _listdir(fd: int) -> list[str]:
    return sorted(os.listdir(fd))


def _read_consistent(root: Path, problems: list[Problem], max_file_size: int, shown: Path,
                     refused: list[str]) -> list[tuple[str, bytes]]:
    out: list[tuple[str, bytes]] = []
    t0 = time.time_ns()
    root_s = os.fspath(root)
    try:
        real_root = Path(os.path.realpath(root_s))
        rfd = os.open(root_s, _DIR_FLAGS)
    except OSError as exc:
        problems.append(Problem(f"cannot open the registry directory: {exc.strerror or exc.__class__.__name__}",
                                path=os.fspath(shown)))
        return out
    fds = [rfd]
    # what was seen: the listing of each directory, and (rel -> identity, bytes) of each file read
    listings: dict[str, list[str]] = {}
    dir_fds: dict[str, int] = {}
    seen: dict[str, tuple[tuple[int, ...], bytes, str | None]] = {}
    try:
        try:
            top = _listdir(rfd)
        except OSError as exc:
            problems.append(Problem(f"cannot list the registry directory: {exc.strerror or exc}",
                                    path=os.fspath(shown)))
            return out
        listings[""] = top
        top_set = set(top)

        def read(rel: str, dfd: int, name: str, via_link: bool) -> None:
            where = display_path(shown, rel)
            try:
                st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
            except FileNotFoundError:
                raise _Changed from None  # listed, then gone
            except OSError as exc:
                problems.append(Problem(f"cannot open the file: {exc.strerror or exc}", path=where))
                refused.append(rel)
                return
            real: str | None = None
            if stat.S_ISLNK(st.st_mode) or via_link:
                # only a symlink can lead out of the registry: resolve it and check where it leads
                try:
                    rp = Path(os.path.join(root_s, rel)).resolve(strict=True)
                except FileNotFoundError:
                    if stat.S_ISLNK(st.st_mode):
                        problems.append(Problem("cannot open the file: a symbolic link to nothing",
                                                path=where))
                        refused.append(rel)
                        return
                    raise _Changed from None
                except (OSError, RuntimeError) as exc:
                    problems.append(Problem(f"cannot open the file: {exc.__class__.__name__}", path=where))
                    refused.append(rel)
                    return
                if rp != real_root and real_root not in rp.parents:
                    problems.append(Problem("the path leads outside the registry directory (a symlink?)",
                                            hint="registry files must live inside the registry directory",
                                            path=where))
                    refused.append(rel)
                    return
                real = os.fspath(rp)
            try:
                if real is None:
                    data, fst = _read_listed(name, dfd, st, max_file_size)
                else:
                    data, fst = read_guarded_stat(real, limit=max_file_size, follow=True)
            except FileChanged:
                raise _Changed from None
            except FileNotFoundError:
                raise _Changed from None
            except UnreadableFile as exc:
                if exc.reason.startswith("too large"):
                    problems.append(Problem(f"the file is {exc.reason}",
                                            hint="split it, or raise the limit with load(path, max_file_size=...)",
                                            path=where))
                else:
                    problems.append(Problem(exc.reason.partition(" (")[0], hint="registry files are plain YAML files",
                                            path=where))
                refused.append(rel)
                return
            except OSError as exc:
                problems.append(Problem(f"cannot read the file: {exc.strerror or exc}", path=where))
                refused.append(rel)
                return
            seen[rel] = (identity(fst), data, real)
            out.append((rel, data))

        for name in TOP_FILES:
            if name in top_set:
                read(name, rfd, name, False)
            elif name == "registry.yaml":
                problems.append(Problem("missing registry.yaml", hint="a registry has a registry.yaml with at least "
                                        "`name: ...`", path=display_path(shown, name)))
                refused.append(name)
        for name in top:
            if name in TOP_FILES or name in DIRS:
                continue
            if name.startswith("."):
                continue
            if name.endswith((".yaml", ".yml")):
                hint = did_you_mean(name, TOP_FILES) or f"the registry files are {', '.join(TOP_FILES)}, measures/ " \
                                                        "and releases/"
                problems.append(Problem(f"unknown registry file {name!r}", hint=hint, path=display_path(shown, name)))
                continue
            stray = _stray_dir_hint(name)
            if stray is not None:
                problems.append(Problem(f"unknown directory {name!r} in the registry: its files are not read",
                                        hint=stray, path=display_path(shown, name)))
        for d in DIRS:
            if d not in top_set:
                continue
            try:
                dst = os.stat(d, dir_fd=rfd, follow_symlinks=False)
            except FileNotFoundError:
                raise _Changed from None
            except OSError as exc:
                problems.append(Problem(f"cannot open {d}/: {exc.strerror or exc}", path=display_path(shown, d)))
                refused.append(d)
                continue
            via_link = stat.S_ISLNK(dst.st_mode)
            try:
                if via_link:
                    # each file's real path is checked to be inside the registry as it is read
                    target = Path(os.path.join(root_s, d)).resolve(strict=True)
                    dfd = os.open(os.fspath(target), _DIR_FLAGS)
                else:
                    if not stat.S_ISDIR(dst.st_mode):
                        problems.append(Problem(f"{d} is not a directory", path=display_path(shown, d)))
                        refused.append(d)
                        continue
                    dfd = os.open(d, _DIR_FLAGS | NOFOLLOW, dir_fd=rfd)
            except FileNotFoundError:
                raise _Changed from None
            except (OSError, RuntimeError) as exc:
                problems.append(Problem(f"cannot open {d}/: {getattr(exc, 'strerror', None) or exc}",
                                        path=display_path(shown, d)))
                refused.append(d)
                continue
            fds.append(dfd)
            dir_fds[d] = dfd
            if not stat.S_ISDIR(os.fstat(dfd).st_mode):  # pragma: no cover - swapped between stat and open
                raise _Changed
            try:
                names = _listdir(dfd)
            except OSError as exc:
                problems.append(Problem(f"cannot list {d}/: {exc.strerror or exc}", path=display_path(shown, d)))
                refused.append(d)
                continue
            listings[d] = names
            for name in names:
                rel = f"{d}/{name}"
                if name.startswith("."):
                    if _hidden_yaml(name):
                        problems.append(Problem(f"hidden file {rel!r} is not read",
                                                hint=f"a {d[:-1]} file is named <id>.yaml, without a leading dot: "
                                                     "rename it, or move it out of the registry",
                                                path=display_path(shown, rel)))
                        refused.append(rel)
                    continue
                if not name.endswith(".yaml"):
                    hint = "rename it to .yaml" if name.endswith(".yml") else f"{d}/ holds <id>.yaml files only"
                    problems.append(Problem(f"unexpected file {rel!r}", hint=hint, path=display_path(shown, rel)))
                    refused.append(rel)
                    continue
                read(rel, dfd, name, via_link)

        # the check: the same names, and every file read still the very file it was when read.
        # A file written within a timestamp tick of the read ("racy") could be rewritten in that
        # same tick with its stat unchanged: once the tick is surely over, its bytes are read again.
        racy = [rel for rel, (ident, _d, _r) in seen.items() if max(ident[3], ident[4]) + TICK_NS > t0]
        if racy:
            newest = max(max(seen[rel][0][3], seen[rel][0][4]) for rel in racy)
            wait = newest + TICK_NS - time.time_ns()
            if wait > 0:
                time.sleep(wait / 1e9)
        if _listdir(rfd) != listings[""]:
            raise _Changed
        for d, dfd in dir_fds.items():
            if d in listings and _listdir(dfd) != listings[d]:
                raise _Changed
        for rel, (ident, _, real) in seen.items():
            folder, _, name = rel.rpartition("/")
            try:
                if real is not None:
                    st = os.stat(real)
                else:
                    st = os.stat(name, dir_fd=dir_fds.get(folder, rfd), follow_symlinks=False)
            except OSError:
                raise _Changed from None
            if identity(st) != ident:
                raise _Changed
        for rel in racy:
            ident, data, real = seen[rel]
            folder, _, name = rel.rpartition("/")
            try:
                if real is not None:
                    again, st = read_guarded_stat(real, limit=max_file_size)
                else:
                    again, st = read_guarded_stat(name, limit=max_file_size, follow=False,
                                                  dir_fd=dir_fds.get(folder, rfd))
            except OSError:
                raise _Changed from None
            if again != data or identity(st) != ident:
                raise _Changed
        return out
    finally:
        for fd in fds:
            os.close(fd)
