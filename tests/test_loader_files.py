"""Reading a registry file: at most one byte over the limit, whatever its stat said."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctrack._files import _read_bytes


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
def test_read_bytes(tmp_path: Path, content: bytes, stat_size: int, limit: int, expected: bytes) -> None:
    f = tmp_path / "f.yaml"
    f.write_bytes(content)
    assert _read_bytes(f, stat_size, limit) == expected


def test_read_bytes_of_a_missing_file_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        _read_bytes(tmp_path / "nope.yaml", 0, 10)
