"""The one guarded open: every file the library reads goes through here.

Registry files, JSON exports, cache entries and the cache's secret, list snapshots: a path is
stat'ed first and refused unless it is a regular file (a FIFO, a socket or a device is never
even opened), then opened with ``O_NONBLOCK`` (a file swapped for a FIFO after the stat cannot
hang), its descriptor fstat'ed again (same file, still regular), and read up to a size limit.
"""

from __future__ import annotations

import io
import os
import stat
from typing import Any

from ._errors import FileChanged, UnreadableFile

__all__ = ["OPEN_FLAGS", "NOFOLLOW", "identity", "file_kind", "open_checked", "read_fd", "read_guarded_stat",
           "read_guarded", "open_guarded"]

#: How every file is opened: read-only, not inherited by children, never blocking (a FIFO).
OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
#: Added to refuse a symbolic link as the last component of a path.
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def identity(st: os.stat_result) -> tuple[int, int, int, int, int]:
    """What says "the same file, unchanged": device, inode, size, modification and change times (ns)."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is, in words (``a FIFO (named pipe)``, ``a directory``…)."""
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"),
                       (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return name
    return "a special file"


def open_checked(path: str | os.PathLike[str], limit: int, *, follow: bool,
                  dir_fd: int | None = None) -> tuple[int, os.stat_result]:
    """A descriptor of the regular file at ``path`` (at most ``limit`` bytes) and its stat."""
    shown = os.fspath(path)
    st = os.stat(path, dir_fd=dir_fd, follow_symlinks=follow)
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableFile(shown, f"not a regular file ({file_kind(st.st_mode)})")
    if st.st_size > limit:
        raise UnreadableFile(shown, f"too large ({st.st_size} bytes; the limit is {limit})")
    fd = os.open(path, OPEN_FLAGS | (0 if follow else NOFOLLOW), dir_fd=dir_fd)
    try:
        fst = os.fstat(fd)
        if not stat.S_ISREG(fst.st_mode):
            raise UnreadableFile(shown, f"not a regular file ({file_kind(fst.st_mode)})")
        if (fst.st_dev, fst.st_ino) != (st.st_dev, st.st_ino):
            raise FileChanged(shown, "replaced by another file while it was opened")
        if fst.st_size > limit:
            raise UnreadableFile(shown, f"too large ({fst.st_size} bytes; the limit is {limit})")
    except BaseException:
        os.close(fd)
        raise
    return fd, fst


def read_fd(fd: int, size: int, limit: int) -> bytes:
    """The bytes of the open file ``fd``, at most ``limit + 1`` of them (one over says "too large").

    ``size`` is what its stat said; a file that grew since is read on, one that shrank stops early.
    """
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


def read_guarded_stat(path: str | os.PathLike[str], *, limit: int, follow: bool = True,
                      dir_fd: int | None = None) -> tuple[bytes, os.stat_result]:
    """:func:`read_guarded`, with the file's stat as it was opened (for identity checks)."""
    shown = os.fspath(path)
    fd, st = open_checked(path, limit, follow=follow, dir_fd=dir_fd)
    try:
        data = read_fd(fd, st.st_size, limit)
        after = os.fstat(fd)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise UnreadableFile(shown, f"too large (more than {limit} bytes)")
    if identity(after) != identity(st) or len(data) != st.st_size:
        raise FileChanged(shown, "changed while it was being read")
    return data, st


def read_guarded(path: str | os.PathLike[str], *, limit: int, follow: bool = True) -> bytes:
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


def open_guarded(path: str | os.PathLike[str], *, limit: int, follow: bool = True,
                 buffer_size: int = 1 << 16) -> io.BufferedReader:
    """The regular file at ``path`` as a buffered binary stream that refuses to read past ``limit``.

    The same checks as :func:`read_guarded` before anything is read; reading
    more than ``limit`` bytes (a file that grew) raises
    :class:`~sanctrack.UnreadableFile`. Use it as a context manager.
    """
    fd, _st = open_checked(path, limit, follow=follow)
    return io.BufferedReader(_BoundedRaw(fd, os.fspath(path), limit), buffer_size=buffer_size)
