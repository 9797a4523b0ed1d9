"""The load cache's stat index: a warm load finds its entry from the files' stat, without reading them."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

import sanctrack
from sanctrack import _cache, _loader

MEASURE = "measures/us-ofac-acme-sdn.yaml"
LIMITS = (_loader.MAX_DEPTH, _loader.MAX_NODES)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SANCTRACK_CACHE_DIR", str(folder))
    monkeypatch.delenv("SANCTRACK_CACHE", raising=False)
    monkeypatch.setattr(_cache, "RACY_NS", 0)  # the fixture's files were written a moment ago
    return folder


def stats(folder: Path) -> list[Path]:
    return sorted(folder.glob("stat-*.json")) if folder.is_dir() else []


def _status(reg: sanctrack.Registry) -> str:
    return str(reg.state("us-ofac-acme-sdn", "2024-07-01").status)


def test_a_warm_load_reads_no_file(root: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = sanctrack.load(root)
    assert len(stats(cache)) == 1
    with monkeypatch.context() as m:
        m.setattr(_loader, "registry_files", lambda *a, **k: (_ for _ in ()).throw(AssertionError("read")))
        again = sanctrack.load(root)
    assert again.digest == first.digest and _status(again) == "lifted"


def test_a_same_size_edit_with_its_mtime_put_back_is_seen(root: Path, cache: Path) -> None:
    sanctrack.load(root)
    f = root / MEASURE
    before = os.stat(f)
    text = f.read_text()
    edited = text.replace("action: lift", "action: lift").replace("effective: 2024-06-01", "effective: 2024-06-02")
    assert len(edited) == len(text) and edited != text
    f.write_text(edited)
    os.utime(f, ns=(before.st_atime_ns, before.st_mtime_ns))  # the change time still moves
    reg = sanctrack.load(root)
    assert str(reg.state("us-ofac-acme-sdn", "2024-06-01").status) != "lifted"
    assert str(reg.state("us-ofac-acme-sdn", "2024-06-02").status) == "lifted"


def test_a_new_measure_file_changes_the_fingerprint(root: Path) -> None:
    a = _loader.stat_signature(root, limits=LIMITS)
    shutil.copy(root / MEASURE, root / "measures" / "zz-copy.yaml")
    b = _loader.stat_signature(root, limits=LIMITS)
    assert a is not None and b is not None and a[0] != b[0]


def test_limits_are_part_of_the_fingerprint(root: Path) -> None:
    a = _loader.stat_signature(root, limits=LIMITS)
    b = _loader.stat_signature(root, limits=(LIMITS[0] + 1, LIMITS[1]))
    c = _loader.stat_signature(root, max_file_size=10, limits=LIMITS)
    assert a is not None and b is not None and len({a[0], b[0]}) == 2
    assert c is None  # a file over the limit: only the full read can say what is wrong


@pytest.mark.parametrize("make", ["stray yaml", "stray file in measures", "symlink", "no registry.yaml"])
def test_anything_unusual_means_the_full_read(root: Path, make: str) -> None:
    if make == "stray yaml":
        (root / "extra.yaml").write_text("x: 1\n")
    elif make == "stray file in measures":
        (root / "measures" / "notes.txt").write_text("x\n")
    elif make == "symlink":
        (root / MEASURE).rename(root / "elsewhere.txt")
        os.symlink(root / "elsewhere.txt", root / MEASURE)
    else:
        (root / "registry.yaml").unlink()
    assert _loader.stat_signature(root, limits=LIMITS) is None


def test_a_stat_entry_with_a_bad_signature_is_ignored(root: Path, cache: Path) -> None:
    sanctrack.load(root)
    (entry,) = stats(cache)
    raw = entry.read_bytes()
    entry.write_bytes(b"0" * 64 + raw[64:])
    assert _cache.key_for_stat(entry.name[5:-5]) is None
    assert _status(sanctrack.load(root)) == "lifted"  # read and parsed as if there were no index


def test_no_index_is_written_for_files_changed_a_moment_ago(root: Path, cache: Path) -> None:
    sanctrack.load(root)
    sig = _loader.stat_signature(root, limits=LIMITS)
    assert sig is not None
    now = time.time_ns()
    assert _cache.put_stat("a" * 64, "b" * 64, now, now_ns=now + 1) is True  # RACY_NS is 0 here
    _cache.RACY_NS = 2_000_000_000
    assert _cache.put_stat("c" * 64, "b" * 64, now, now_ns=now + 1_999_999_999) is False
    assert _cache.put_stat("d" * 64, "b" * 64, now, now_ns=now + 2_000_000_000) is True
    assert _cache.key_for_stat("c" * 64) is None and _cache.key_for_stat("d" * 64) == "b" * 64


def test_the_cache_disabled_means_no_index(root: Path, cache: Path) -> None:
    sanctrack.load(root, cache=False)
    assert stats(cache) == []
