"""The registry's files: where the bundled registry is, which files a registry has, their bytes.

:func:`registry_files` reads a registry directory's files in load order and
refuses, as located problems, what must not be read (files over the size
limit, symlinks leading out of the registry, special files, unknown names);
:func:`stat_signature` fingerprints the same files from their ``stat`` alone
(for the load cache's stat index, :mod:`sanctrack._cache`).

This module does I/O: it stats, lists and reads a registry directory's files.
It writes nothing and parses nothing.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import os
import stat
import time
from pathlib import Path
from typing import Any

from ._errors import FileChanged, Problem, UnreadableFile
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
                names = sorted(os.listdir(path))
                files = []
                for name in names:
                    if name.startswith("."):
                        if _hidden_yaml(name):
                            return None
                        continue
                    if not name.endswith(".yaml"):
                        return None
                    files.append(f"{rel}/{name}")
            else:
                files = [rel]
                names = None
            for f in files:
                fst = st if names is None else os.lstat(os.path.join(root_s, f))
                if not stat.S_ISREG(fst.st_mode) or fst.st_size > max_file_size:
                    return None
                h.update(f"{f}\0{fst.st_size}\0{fst.st_mtime_ns}\0{fst.st_ctime_ns}\0{fst.st_ino}\0"
                         f"{fst.st_dev}\n".encode())
                newest = max(newest, fst.st_mtime_ns, fst.st_ctime_ns)
    except (OSError, ValueError):
        return None
    return h.hexdigest(), newest


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_DIRECTORY", 0)


# -- the one guarded open ----------------------------------------------------------
#
# Every file the library opens goes through here: registry files, JSON exports,
# cache entries and the cache's secret, list snapshots. A path is stat'ed first and
# refused unless it is a regular file (a FIFO, a socket or a device is never even
# opened), then opened with O_NONBLOCK (a file swapped for a FIFO after the stat
# cannot hang), its descriptor fstat'ed again (same file, still regular), and read
# up to a size limit.


def identity(st: os.stat_result) -> tuple[int, int, int, int, int]:
    """What says "the same file, unchanged": device, inode, size, modification and change times (ns)."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"),
                       (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return name
    return "a special file"


def _open_checked(path: "str | os.PathLike[str]", limit: int, *, follow: bool,
                  dir_fd: int | None = None) -> tuple[int, os.stat_result]:
    """A descriptor of the regular file at ``path`` (at most ``limit`` bytes) and its stat."""
    shown = os.fspath(path)
    st = os.stat(path, dir_fd=dir_fd, follow_symlinks=follow)
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableFile(shown, f"not a regular file ({_kind(st.st_mode)})")
    if st.st_size > limit:
        raise UnreadableFile(shown, f"too large ({st.st_size} bytes; the limit is {limit})")
    fd = os.open(path, _OPEN_FLAGS | (0 if follow else _NOFOLLOW), dir_fd=dir_fd)
    try:
        fst = os.fstat(fd)
        if not stat.S_ISREG(fst.st_mode):
            raise UnreadableFile(shown, f"not a regular file ({_kind(fst.st_mode)})")
        if (fst.st_dev, fst.st_ino) != (st.st_dev, st.st_ino):
            raise FileChanged(shown, "replaced by another file while it was opened")
        if fst.st_size > limit:
            raise UnreadableFile(shown, f"too large ({fst.st_size} bytes; the limit is {limit})")
    except BaseException:
        os.close(fd)
        raise
    return fd, fst


def _read_fd(fd: int, size: int, limit: int) -> bytes:
    chunks = []
    total = 0
    want = min(size, limit) + 1
    while True:
        b = os.read(fd, want - total)
        if not b:
            break
        chunks.append(b)
        total += len(b)
        if total >= want:
            if total > limit:
                break
            want = limit + 1  # it grew since the stat: read on, up to one byte over the limit
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_guarded_stat(path: "str | os.PathLike[str]", *, limit: int, follow: bool = True,
                      dir_fd: int | None = None) -> tuple[bytes, os.stat_result]:
    """:func:`read_guarded`, with the file's stat as it was opened (for identity checks)."""
    shown = os.fspath(path)
    fd, st = _open_checked(path, limit, follow=follow, dir_fd=dir_fd)
    try:
        data = _read_fd(fd, st.st_size, limit)
        after = os.fstat(fd)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise UnreadableFile(shown, f"too large (more than {limit} bytes)")
    if identity(after) != identity(st) or len(data) != st.st_size:
        raise FileChanged(shown, "changed while it was being read")
    return data, st


def read_guarded(path: "str | os.PathLike[str]", *, limit: int, follow: bool = True) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    Raises :class:`~sanctrack.UnreadableFile` (an ``OSError``) for anything that
    is not a regular file (FIFO, device, socket, directory; a symbolic link too
    when ``follow`` is false) or is larger than ``limit`` — without blocking and
    without reading it — and :class:`~sanctrack.FileChanged` if the file changed
    while it was read (its size, times or inode moved); other ``OSError`` errors
    (missing, permission) pass through.
    """
    return read_guarded_stat(path, limit=limit, follow=follow)[0]


class _BoundedRaw(io.RawIOBase):
    """A raw binary stream over a descriptor that refuses to read past ``limit`` bytes."""

    def __init__(self, fd: int, path: str, limit: int) -> None:
        self._fd = fd
        self._path = path
        self._limit = limit
        self._read = 0
        self.name = path

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def readinto(self, buffer: Any) -> int:
        if self._read > self._limit:
            raise UnreadableFile(self._path, f"too large (more than {self._limit} bytes)")
        view = memoryview(buffer).cast("B")
        want = min(len(view), self._limit + 1 - self._read)
        data = os.read(self._fd, want)
        view[: len(data)] = data
        self._read += len(data)
        if self._read > self._limit:
            raise UnreadableFile(self._path, f"too large (more than {self._limit} bytes)")
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                os.close(self._fd)
            finally:
                super().close()


def open_guarded(path: "str | os.PathLike[str]", *, limit: int, follow: bool = True,
                 buffer_size: int = 1 << 16) -> io.BufferedReader:
    """The regular file at ``path`` as a buffered binary stream that refuses to read past ``limit``.

    The same checks as :func:`read_guarded` before anything is read; reading
    more than ``limit`` bytes (a file that grew) raises
    :class:`~sanctrack.UnreadableFile`. Use it as a context manager.
    """
    fd, _st = _open_checked(path, limit, follow=follow)
    return io.BufferedReader(_BoundedRaw(fd, os.fspath(path), limit), buffer_size=buffer_size)


def _read_bytes(path: "str | Path", size: int, limit: int) -> bytes:
    """A file's bytes, at most ``limit + 1`` of them (one over says "too large"); ``O_NONBLOCK``."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        return _read_fd(fd, size, limit)
    finally:
        os.close(fd)


#: Attempts at a consistent read of a registry directory before "changed while loading".
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
        raise UnreadableFile(name, f"not a regular file ({_kind(st.st_mode)})")
    if st.st_size > limit:
        raise UnreadableFile(name, f"too large ({st.st_size} bytes; the limit is {limit})")
    fd = os.open(name, _OPEN_FLAGS | _NOFOLLOW, dir_fd=dfd)
    try:
        fst = os.fstat(fd)
        if (fst.st_dev, fst.st_ino) != (st.st_dev, st.st_ino) or not stat.S_ISREG(fst.st_mode):
            raise FileChanged(name, "replaced by another file while it was opened")
        data = _read_fd(fd, fst.st_size, limit)
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
    seen: dict[str, tuple[tuple[int, ...], bytes, "str | None"]] = {}
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
                    dfd = os.open(d, _DIR_FLAGS | _NOFOLLOW, dir_fd=rfd)
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
        for rel, (ident, data, real) in seen.items():
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


# -- an advisory lock for writers -----------------------------------------------------


class lock_beside:
    """An exclusive advisory lock (``fcntl.flock``) on a lock file beside ``target``.

    ``with lock_beside(target):`` serialises the writers of one directory (two
    imports into the same target wait for each other instead of tripping over
    each other's temporary directories). The lock file is
    ``.<name>.sanctrack-lock`` in the target's parent directory, removed when the
    lock is released; a writer that got the lock on a file removed meanwhile
    (its inode is no longer the one at the path) takes it again. Readers never
    take it: a load reads consistently on its own. Where ``fcntl`` is missing
    (Windows) it is a no-op.
    """

    def __init__(self, target: "str | os.PathLike[str]") -> None:
        t = Path(os.path.abspath(os.fspath(target)))
        self.path = t.parent / f".{t.name}.sanctrack-lock"
        self._fd: int | None = None

    def __enter__(self) -> "lock_beside":
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            return self
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | _NOFOLLOW, 0o600)
            try:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode):  # pragma: no cover - a planted special file
                    raise UnreadableFile(os.fspath(self.path), "the lock file is not a regular file")
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    now = os.stat(self.path, follow_symlinks=False)
                except FileNotFoundError:
                    now = None
                if now is not None and (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino):
                    self._fd = fd
                    return self
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)  # the holder before us removed that file: lock the one at the path now

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            try:
                os.unlink(self.path)  # still ours: nobody else can hold it while we do
            except OSError:  # pragma: no cover
                pass
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None
