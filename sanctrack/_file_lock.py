"""An advisory lock for writers: ``with lock_beside(target):`` serialises the writers of one directory."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ._errors import UnreadableFile
from ._guarded_open import NOFOLLOW

__all__ = ["lock_beside"]


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

    def __init__(self, target: str | os.PathLike[str]) -> None:
        t = Path(os.path.abspath(os.fspath(target)))
        self.path = t.parent / f".{t.name}.sanctrack-lock"
        self._fd: int | None = None

    def __enter__(self) -> lock_beside:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            return self
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | NOFOLLOW, 0o600)
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
