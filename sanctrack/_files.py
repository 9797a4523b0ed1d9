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

import hashlib
import os
import stat
from pathlib import Path

from ._errors import Problem
from ._validate import did_you_mean

__all__ = ["MAX_FILE_SIZE", "TOP_FILES", "DIRS", "bundled_path", "display_path", "stat_signature", "registry_files"]

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
            if name.endswith((".yaml", ".yml")):
                return None  # an unknown registry file: a problem the full read reports
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


def _read_bytes(path: "str | Path", size: int, limit: int) -> bytes:
    """A file's bytes, at most ``limit + 1`` of them (one over says "too large").

    Reads with the file's size from its stat (a buffer of the limit's size for
    every file costs more than the read), then on if it grew since, up to the
    limit. ``O_NONBLOCK``: a file swapped for a FIFO after the stat cannot hang
    the load.
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
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
    finally:
        os.close(fd)


def registry_files(root: Path, problems: list[Problem], *, max_file_size: int = MAX_FILE_SIZE,
                   display: Path | None = None, refused: list[str] | None = None) -> list[tuple[str, bytes]]:
    """The registry's files as ``(relative path, bytes)`` in load order; problems for the rest.

    Refuses (as located problems) files larger than ``max_file_size``, paths that
    resolve outside the registry directory (symlinks), special files, unknown
    ``.yaml`` files and unreadable files.
    """
    shown = display if display is not None else root
    out: list[tuple[str, bytes]] = []
    refused = refused if refused is not None else []
    try:
        real_root = root.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        problems.append(Problem(f"cannot open the registry directory: {exc.__class__.__name__}",
                                path=os.fspath(shown)))
        return out

    def read(rel: str, required: bool) -> None:
        n = len(problems)
        _read(rel, required)
        if len(problems) > n:
            refused.append(rel)

    root_s = os.fspath(root)
    dir_is_link: dict[str, bool] = {}

    def _read(rel: str, required: bool) -> None:
        path = os.path.join(root_s, rel)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            if required:
                problems.append(Problem(f"missing {rel}", hint="a registry has a registry.yaml with at least "
                                        "`name: ...`", path=display_path(shown, rel)))
            return
        except OSError as exc:
            problems.append(Problem(f"cannot open the file: {exc.strerror or exc}", path=display_path(shown, rel)))
            return
        folder = rel.rpartition("/")[0]
        if folder and folder not in dir_is_link:
            dir_is_link[folder] = os.path.islink(os.path.join(root_s, folder))
        real: "str | Path" = path
        if stat.S_ISLNK(st.st_mode) or (folder and dir_is_link[folder]):
            # only a symlink can lead out of the registry: resolve it and check where it leads
            try:
                real = Path(path).resolve(strict=True)
                st = os.stat(real)
            except (OSError, RuntimeError) as exc:
                problems.append(Problem(f"cannot open the file: {exc.__class__.__name__}", path=display_path(shown, rel)))
                return
            if real != real_root and real_root not in real.parents:
                problems.append(Problem("the path leads outside the registry directory (a symlink?)",
                                        hint="registry files must live inside the registry directory",
                                        path=display_path(shown, rel)))
                return
        if not stat.S_ISREG(st.st_mode):
            problems.append(Problem("not a regular file", hint="registry files are plain YAML files", path=display_path(shown, rel)))
            return
        if st.st_size > max_file_size:
            problems.append(Problem(f"the file is too large ({st.st_size} bytes; the limit is {max_file_size})",
                                    hint="split it, or raise the limit with load(path, max_file_size=...)",
                                    path=display_path(shown, rel)))
            return
        try:
            data = _read_bytes(real, st.st_size, max_file_size)
        except OSError as exc:
            problems.append(Problem(f"cannot read the file: {exc.strerror or exc}", path=display_path(shown, rel)))
            return
        if len(data) > max_file_size:
            problems.append(Problem(f"the file is too large (more than {max_file_size} bytes)", path=display_path(shown, rel)))
            return
        out.append((rel, data))

    for name in TOP_FILES:
        read(name, name == "registry.yaml")
    try:
        top = sorted(os.listdir(root))
    except OSError as exc:
        problems.append(Problem(f"cannot list the registry directory: {exc.strerror or exc}", path=os.fspath(shown)))
        return out
    for name in top:
        if name in TOP_FILES or name in DIRS or name.startswith("."):
            continue
        if name.endswith((".yaml", ".yml")):
            hint = did_you_mean(name, TOP_FILES) or f"the registry files are {', '.join(TOP_FILES)}, measures/ " \
                                                    "and releases/"
            problems.append(Problem(f"unknown registry file {name!r}", hint=hint, path=display_path(shown, name)))
    for d in DIRS:
        if not (root / d).exists():
            continue
        if not (root / d).is_dir():
            problems.append(Problem(f"{d} is not a directory", path=display_path(shown, d)))
            continue
        try:
            names = sorted(os.listdir(root / d))
        except OSError as exc:
            problems.append(Problem(f"cannot list {d}/: {exc.strerror or exc}", path=display_path(shown, d)))
            continue
        for name in names:
            if name.startswith("."):
                continue
            rel = f"{d}/{name}"
            if not name.endswith(".yaml"):
                hint = "rename it to .yaml" if name.endswith(".yml") else f"{d}/ holds <id>.yaml files only"
                problems.append(Problem(f"unexpected file {rel!r}", hint=hint, path=display_path(shown, rel)))
                refused.append(rel)
                continue
            read(rel, False)
    return out
