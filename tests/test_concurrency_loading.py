"""Loads never tear: a writer swaps a registry directory between two versions while readers load it.

Two versions of the bundled registry, A and B (B: three measure titles changed,
one release file removed, so the set of files differs too), and a writer
process that flips the directory between them as fast as it can, in one of
three ways:

* ``rewrite``: every differing file rewritten in place (truncate, then write),
  the release file removed and re-created — the worst case: files are
  half-written at moments;
* ``symlink``: the registry path is a symlink, atomically pointed at A or B;
* ``exchange``: two directories swapped with ``renameat2(RENAME_EXCHANGE)`` (what
  ``sanctrack import -o`` does; skipped where the kernel lacks it).

Reader processes load the path in a loop (with and without the load cache).
Every load must be exactly A (its digest), exactly B, or a ``RegistryError``
whose one problem says "the registry changed while loading": 0 torn loads.
In ``rewrite`` mode the directory itself passes through states that are
neither (the writer rewrites one file after another, and each file is
truncated before it is written); a writer descheduled there leaves such a
state on disk for a while, and a load may read it faithfully. Those are
counted apart, and only these: a registry whose digest is one of the flip's
real half-way states (the first k files of the new version, in the writer's
order — a mix in any other order is torn), or problems in exactly one of the
writer's files when the writer was inside a file operation at the end of the
read or worked on a file during it (a file truly half-written on disk at the
moment of the final check cannot be told from a missed change by the
writer's counters alone: the atomic modes, ``symlink`` and ``exchange``, are
the strict proof, with no exception at all). Any other load that is neither A nor B nor
"changed" fails the test. The counts are printed. About 45 s in all.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest

import sanctrack
from sanctrack._files import bundled_path

from .conftest import report_lines

SECONDS = float(os.environ.get("SANCTRACK_CONCURRENCY_SECONDS", "15"))
READERS = 3
CHANGED = "the registry changed while loading"
COUNTS: dict[str, Counter[str]] = {}


def _versions(tmp: Path) -> tuple[Path, Path, dict[str, bytes | None], dict[str, bytes | None]]:
    a = tmp / "A"
    shutil.copytree(bundled_path(), a)
    b = tmp / "B"
    shutil.copytree(a, b)
    measures = sorted((b / "measures").iterdir())
    changed: dict[str, bytes | None] = {}
    for p in (measures[0], measures[len(measures) // 2], measures[-1]):
        text = p.read_text(encoding="utf-8")
        head, sep, rest = text.partition("\ntitle: ")
        assert sep, p
        p.write_text(head + sep + "Version B of " + rest, encoding="utf-8")
        changed[f"measures/{p.name}"] = p.read_bytes()
    gone = sorted((b / "releases").iterdir())[-1]
    gone.unlink()
    changed[f"releases/{gone.name}"] = None
    originals = {rel: (a / rel).read_bytes() for rel in changed}
    return a, b, originals, changed


def _halfway_digests(tmp: Path, a: Path, va: dict, vb: dict) -> set[str]:
    """The digests of the states a rewrite flip passes through: the first 1-3 files done, in order."""
    out = set()
    for frm, to in ((va, vb), (vb, va)):
        for done in range(1, len(frm)):
            d = tmp / f"halfway-{len(out)}"
            shutil.copytree(a, d)
            for n, rel in enumerate(frm):
                data = to[rel] if n < done else frm[rel]
                if data is None:
                    (d / rel).unlink(missing_ok=True)
                else:
                    (d / rel).write_bytes(data)
            out.add(sanctrack.load(d, cache=False).digest)
    return out


def _writer(mode: str, root: str, a: str, b: str, va: dict, vb: dict, stop: float, seed: int,
            seq, ops) -> None:
    rnd = random.Random(seed)
    flips = 0
    current = "A"
    while time.time() < stop:
        seq.value += 1  # odd: a flip under way
        if mode == "rewrite":
            files = vb if current == "A" else va
            for rel, data in files.items():
                path = os.path.join(root, rel)
                ops.value += 1  # odd: a file half-written (or being removed) right now
                if data is None:
                    os.unlink(path)
                else:
                    with open(path, "wb") as fh:  # truncate, then write: half-written for a moment
                        fh.write(data[: len(data) // 2])
                        fh.flush()
                        fh.write(data[len(data) // 2:])
                ops.value += 1
        elif mode == "symlink":
            tmp = root + ".new"
            os.symlink(b if current == "A" else a, tmp)
            os.replace(tmp, root)
        else:
            from sanctrack.importers._write import _exchange

            assert _exchange(Path(root), Path(a))  # `a` holds the other version after each swap
        seq.value += 1  # even: the directory is A or B again
        current = "B" if current == "A" else "A"
        flips += 1
        time.sleep(rnd.choice((0, 0.001, 0.01, 0.05, 0.15)))


def _reader(root: str, stop: float, digests: dict[str, str], halfway: set[str], writers_files: set[str],
            cache_dir: str | None, q, ops) -> None:
    from sanctrack import _loader

    counts: Counter[str] = Counter()
    torn: list[str] = []
    window: list[int] = [0, 0]
    read = _loader.registry_files

    def watched(*args, **kwargs):
        window[0] = ops.value
        try:
            return read(*args, **kwargs)
        finally:
            window[1] = ops.value

    _loader.registry_files = watched
    while time.time() < stop:
        window[:] = [-1, -2]
        what = None
        try:
            reg = sanctrack.load(root, cache=cache_dir is not None, cache_dir=cache_dir)
        except sanctrack.RegistryError as exc:
            if len(exc.problems) == 1 and CHANGED in exc.problems[0].message:
                what = "changed while loading"
            else:
                detail = str(exc)[:300]
                # a file the writer was half-way through writing when the read ended
                files = {os.path.relpath(p.path, root) for p in exc.problems if p.path}
                if (window[1] % 2 or window[1] > window[0]) and len(files) == 1 and files <= writers_files:
                    what = "a file half-written on disk when the read ended"
        except Exception as exc:
            detail = f"{type(exc).__name__}: {exc}"[:300]
        else:
            what = next((k for k, d in digests.items() if d == reg.digest), None)
            if what is None and reg.digest in halfway:
                what = "a flip's half-done state (the first files of the new version)"
            detail = f"{len(reg.measures)} measures, digest {reg.digest}"
        if what is None:
            what = "torn"
            torn.append(f"[writer's file operations {window[0]}->{window[1]}] {detail}")
        counts[what] += 1
    q.put((dict(counts), torn[:5]))


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    if not COUNTS:
        return
    lines: list[str] = []
    for mode, c in COUNTS.items():
        lines.append(f"loading while a writer swaps ({mode}, {SECONDS:g} s, {READERS} readers): "
                      + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    report_lines(request, *lines)


def _exchange_works(tmp: Path) -> bool:
    from sanctrack.importers._write import _exchange

    x, y = tmp / "x", tmp / "y"
    x.mkdir()
    y.mkdir()
    try:
        return _exchange(x, y)
    except OSError:
        return False


@pytest.mark.parametrize("mode", ["rewrite", "symlink", "exchange"])
def test_every_load_is_one_version_or_says_it_changed(tmp_path: Path, mode: str) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("needs fork")
    if mode == "exchange" and not _exchange_works(tmp_path):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not available here")
    a, b, va, vb = _versions(tmp_path)
    digests = {"A": sanctrack.load(a, cache=False).digest, "B": sanctrack.load(b, cache=False).digest}
    assert digests["A"] != digests["B"]
    if mode == "rewrite":
        root = tmp_path / "live"
        shutil.copytree(a, root)
    elif mode == "symlink":
        root = tmp_path / "live"
        root.symlink_to(a)
    else:
        root = tmp_path / "live"
        shutil.copytree(a, root)
        shutil.rmtree(a)
        shutil.copytree(b, a)  # `a` now holds B: each exchange swaps the two
    ctx = multiprocessing.get_context("fork")
    stop = time.time() + SECONDS
    halfway = _halfway_digests(tmp_path, a, va, vb) if mode == "rewrite" else set()
    q = ctx.Queue()
    seq = ctx.Value("q", 0)
    ops = ctx.Value("q", 0)
    writer = ctx.Process(target=_writer, args=(mode, str(root), str(a), str(b), va, vb, stop, 1, seq, ops))
    caches = [None, str(tmp_path / "cache"), None][:READERS]
    writers_files = set(va) if mode == "rewrite" else set()
    readers = [ctx.Process(target=_reader, args=(str(root), stop, digests, halfway, writers_files, c, q, ops))
               for c in caches]
    writer.start()
    for r in readers:
        r.start()
    results = [q.get(timeout=SECONDS + 120) for _ in readers]
    for p in (*readers, writer):
        p.join(timeout=60)
        assert p.exitcode == 0
    total: Counter[str] = Counter()
    torn: list[str] = []
    for counts, examples in results:
        total.update(counts)
        torn.extend(examples)
    COUNTS[mode] = total
    assert total["torn"] == 0, torn
    assert total["A"] + total["B"] > 0, total  # loads did get through
