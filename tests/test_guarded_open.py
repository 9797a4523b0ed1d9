"""The one guarded open: regular files only, never blocking, never more than one byte over the limit."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sanctrack import FileChanged, UnreadableFile
from sanctrack._guarded_open import file_kind, identity, open_guarded, read_fd, read_guarded, read_guarded_stat


@pytest.mark.parametrize(
    ("content", "stat_size", "limit", "expected"),
    [
        (b"abc", 3, 10, b"abc"),  # the common case: the stat is right
        (b"abcdefghij", 10, 10, b"abcdefghij"),  # exactly at the limit
        (b"abcdefghijk", 11, 10, b"abcdefghijk"),  # one over the limit: read one over, then stop
        (b"abcdefghijklmnop", 16, 10, b"abcdefghijk"),  # far over: still one over, never more
        (b"abcdefgh", 3, 10, b"abcdefgh"),  # grew since the stat: the rest is read
        (b"abcdefghijklmnop", 3, 10, b"abcdefghijk"),  # grew past the limit: one over
        (b"ab", 9, 10, b"ab"),  # shrank since the stat
        (b"", 0, 10, b""),  # empty
    ],
)
def test_reading_a_descriptor_stops_one_byte_over_the_limit_whatever_the_stat_said(
        tmp_path: Path, content: bytes, stat_size: int, limit: int, expected: bytes) -> None:
    f = tmp_path / "f.yaml"
    f.write_bytes(content)
    fd = os.open(f, os.O_RDONLY)
    try:
        assert read_fd(fd, stat_size, limit) == expected
    finally:
        os.close(fd)


def test_a_regular_file_within_the_limit_is_read_whole(tmp_path: Path) -> None:
    f = tmp_path / "f.yaml"
    f.write_bytes(b"name: x\n")
    assert read_guarded(f, limit=8) == b"name: x\n"
    data, st = read_guarded_stat(f, limit=8)
    assert data == b"name: x\n" and identity(st) == identity(os.stat(f))


def test_a_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    f = tmp_path / "f.yaml"
    f.write_bytes(b"123456789")
    with pytest.raises(UnreadableFile, match=r"too large \(9 bytes; the limit is 8\)"):
        read_guarded(f, limit=8)


def test_a_directory_is_refused_as_not_a_regular_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match=r"not a regular file \(a directory\)"):
        read_guarded(tmp_path, limit=100)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    with pytest.raises(UnreadableFile, match=r"not a regular file \(a FIFO \(named pipe\)\)"):
        read_guarded(fifo, limit=100)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_symbolic_link_is_followed_only_when_asked(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_bytes(b"x: 1\n")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real.yaml")
    assert read_guarded(tmp_path / "link.yaml", limit=100) == b"x: 1\n"
    with pytest.raises(UnreadableFile, match=r"a symbolic link"):
        read_guarded(tmp_path / "link.yaml", limit=100, follow=False)


def test_a_missing_file_raises_the_plain_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_guarded(tmp_path / "nope.yaml", limit=10)


def test_a_stream_refuses_to_read_past_the_limit(tmp_path: Path) -> None:
    f = tmp_path / "f.csv"
    f.write_bytes(b"a,b\n1,2\n")
    with open_guarded(f, limit=8) as fh:
        assert fh.read() == b"a,b\n1,2\n"
    with open_guarded(f, limit=8) as fh:
        with f.open("ab") as grow:  # it grows after the checks
            grow.write(b"3,4\n")
        with pytest.raises(UnreadableFile, match=r"too large \(more than 8 bytes\)"):
            fh.read()


def test_file_kinds_in_words() -> None:
    assert file_kind(stat.S_IFIFO) == "a FIFO (named pipe)"
    assert file_kind(stat.S_IFDIR) == "a directory"
    assert file_kind(stat.S_IFSOCK) == "a socket"


def test_file_changed_is_an_oserror() -> None:
    assert issubclass(FileChanged, OSError) and issubclass(UnreadableFile, OSError)
