"""Fuzzing with what the project's other fuzzers never produced (issue 20).

* **Huge whole numbers** (5,000 digits, signed or not) in every numeric and
  textual field of registry files and of JSON exports;
* **time-zone keys that are paths**, relative (``../../etc/passwd``,
  ``./UTC``, ``Europe/../UTC``) and absolute (``/etc/passwd``, ``/dev/zero``,
  ``/usr/share/zoneinfo/UTC``), generated from path pieces;
* **instants and dates at both ends of the range** (within two days of
  0001-01-01 and 9999-12-31, with offsets up to ±23:59), as registry values
  and as the arguments of every query and CLI command;
* **FIFOs and device files in every path the library opens**: each registry
  file, a measure file, the cache's secret, a cache entry, a stat-index entry,
  a JSON export, both importer snapshots — each as a FIFO, a symlink to a
  FIFO, and a symlink to ``/dev/zero`` / ``/dev/null`` (device files).

The laws: a load raises :class:`RegistryError` or returns a whole registry; a
query answers or raises :class:`InvalidDate`; a CLI command exits 0, 1 or 2;
nothing hangs (an alarm fails any call that takes 20 s). The counts are
printed at the end of the module.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import signal
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sanctrack
from sanctrack import InvalidDate, RegistryError, UnreadableFile, _cache, _files, _loader, cli
from sanctrack.exports import dump_json, load_json
from sanctrack.importers import ofac

from .conftest import report_lines

FIXTURES = Path(__file__).parent / "fixtures" / "registries"
COUNTS: Counter[str] = Counter()
EXAMPLES = int(os.environ.get("SANCTRACK_FUZZ_HOSTILE", "60"))
ROW = '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    if not COUNTS:
        return
    lines: list[str] = []
    lines.append("hostile fuzzing: " + ", ".join(f"{k} {v}" for k, v in sorted(COUNTS.items())))
    report_lines(request, *lines)


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTRACK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@contextmanager
def deadline(seconds: int = 20):
    """Fail instead of hanging: SIGALRM raises in the main thread after ``seconds``."""
    def boom(signum, frame):
        raise TimeoutError(f"hung for {seconds} s")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# -- the hostile values ----------------------------------------------------------------

huge_ints = st.builds(lambda sign, first, n: sign + first + "0" * n, st.sampled_from(["", "-"]),
                      st.sampled_from("123456789"), st.integers(4290, 5000))
_pieces = st.sampled_from(["..", ".", "etc", "passwd", "dev", "zero", "usr", "share", "zoneinfo", "UTC",
                           "Europe", "Brussels", "", "tmp", "proc", "self", "fd", "0"])
tz_keys = st.one_of(
    st.lists(_pieces, min_size=1, max_size=8).map(lambda p: "/".join(p)),
    st.lists(_pieces, min_size=1, max_size=8).map(lambda p: "/" + "/".join(p)),
    st.sampled_from(["../../../../etc/passwd", "/etc/passwd", "/dev/zero", "/dev/null", "./UTC",
                     "Europe/../Europe/Brussels", "/usr/share/zoneinfo/UTC", "..", ".", "/", "UTC/..",
                     "C:\\Windows", "~/tz", "$HOME", "Europe\\Brussels"]),
)
_offsets = st.integers(-(23 * 60 + 59), 23 * 60 + 59)


def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


edge_days = st.one_of(st.integers(0, 2).map(lambda n: dt.date(1, 1, 1) + dt.timedelta(days=n)),
                      st.integers(0, 2).map(lambda n: dt.date(9999, 12, 31) - dt.timedelta(days=n)))
edge_instants = st.builds(lambda d, s, off: f"{d.isoformat()}T{s // 3600:02d}:{s % 3600 // 60:02d}"
                                            f"{_offset_text(off) if off else 'Z'}",
                          edge_days, st.integers(0, 86399), _offsets)
edge_whens = st.one_of(edge_days.map(dt.date.isoformat), edge_instants)


def small(tmp_path: Path) -> Path:
    root = tmp_path / "reg"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(FIXTURES / "base", root)
    return root


def whole_or_refused(root: Path) -> str:
    try:
        with deadline():
            reg = sanctrack.load(root, cache=False)
    except RegistryError as exc:
        assert exc.problems and all(p.path for p in exc.problems), exc  # located
        return "refused"
    assert len(reg.measures) == 1
    return "loaded"


# (file, line to replace, template) for every field the hostile values go into
SLOTS = [
    ("releases/release-2024-02-01.yaml", "count: 2", "count: {v}"),
    ("releases/release-2024-02-01.yaml", "    value: 2", "    value: {v}"),
    ("releases/release-2024-02-01.yaml", "date: 2024-02-01", "date: {v}"),
    ("releases/release-2024-02-01.yaml", "recorded: 2024-02-02\ncount", "recorded: {v}\ncount"),
    ("measures/us-ofac-acme-sdn.yaml", "    effective: 2024-01-10\n",
     "    effective: 2024-01-10\n    effective_at: {v}\n"),
    ("measures/us-ofac-acme-sdn.yaml", "    effective: 2024-02-01\n", "    effective: {v}\n"),
    ("measures/us-ofac-acme-sdn.yaml", "    until: 2024-05-01\n", "    until: {v}\n"),
    ("measures/us-ofac-acme-sdn.yaml", "title: SDN blocking of Acme Trading LLC", "title: {v}"),
    ("authorities.yaml", "timezone: America/New_York", "timezone: {v}"),
]


@settings(max_examples=EXAMPLES * 3, deadline=None, suppress_health_check=list(HealthCheck))
@given(slot=st.sampled_from(SLOTS), value=st.one_of(huge_ints, tz_keys.map(json.dumps), edge_whens, edge_instants))
def test_hostile_values_in_registry_files(tmp_path_factory, slot, value):
    root = small(tmp_path_factory.mktemp("h"))
    rel, old, new = slot
    text = (root / rel).read_text()
    assert old in text
    (root / rel).write_text(text.replace(old, new.format(v=value), 1))
    COUNTS[f"registry files with hostile values: {whole_or_refused(root)}"] += 1


@settings(max_examples=EXAMPLES * 2, deadline=None, suppress_health_check=list(HealthCheck))
@given(where=st.sampled_from(["format_version", "count", "value", "effective", "effective_at", "timezone",
                              "digest"]),
       value=st.one_of(huge_ints, tz_keys.map(json.dumps), edge_whens.map(json.dumps),
                       edge_instants.map(json.dumps)))
def test_hostile_values_in_json_exports(tmp_path_factory, where, value):
    tmp = tmp_path_factory.mktemp("j")
    buf = io.StringIO()
    dump_json(sanctrack.load(small(tmp), cache=False), buf)
    text = buf.getvalue()
    key = f'"{where}": '
    i = text.find(key)
    if i < 0:
        text = text.replace('"format": ', f'{key}{value}, "format": ', 1)
    else:
        end = text.index("\n", i)
        tail = "," if text[end - 1] == "," else ""
        text = text[:i] + key + value + tail + text[end:]
    path = tmp / "x.json"
    path.write_text(text)
    for allow in (False, True):
        try:
            with deadline():
                load_json(path, allow_unverified=allow)
            COUNTS["JSON exports with hostile values: loaded"] += 1
        except RegistryError as exc:
            assert exc.problems and all(p.path == str(path) for p in exc.problems)
            COUNTS["JSON exports with hostile values: refused"] += 1


REG = sanctrack.load()
QUERIES = [
    ("state", lambda w: REG.state("us-ofac-belavia-sdn", w)), ("in_force", lambda w: REG.in_force(w)),
    ("diff", lambda w: REG.diff(w, "2025-01-01")), ("diff", lambda w: REG.diff("2025-01-01", w)),
    ("explain", lambda w: REG.explain("us-ofac-belavia-sdn", w)), ("compare", lambda w: REG.compare("belavia", w)),
    ("changes", lambda w: REG.changes("0001-01-01", w) if len(w) == 10 else REG.changes(w, "9999-12-31")),
    ("as_known_on", lambda w: REG.as_known_on(w).in_force("2025-01-01") if len(w) == 10 else None),
]


@settings(max_examples=EXAMPLES * 4, deadline=None, suppress_health_check=list(HealthCheck))
@given(when=edge_whens, q=st.sampled_from(QUERIES))
def test_queries_at_the_ends_of_the_range_answer_or_say_invalid_date(when, q):
    name, call = q
    try:
        call(when)
        COUNTS["range-end queries: answered"] += 1
    except InvalidDate:
        COUNTS["range-end queries: InvalidDate"] += 1


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(when=edge_whens, argv=st.sampled_from([["in-force", "{w}"], ["state", "us-ofac-belavia-sdn", "{w}"],
                                               ["diff", "{w}", "2025-01-01"], ["explain", "us-ofac-belavia-sdn", "{w}"],
                                               ["compare", "belavia", "{w}"], ["changes", "0001-01-01", "{w}"],
                                               ["in-force", "2025-01-01", "--known", "{w}"],
                                               ["timeline", "--to", "{w}", "-o", os.devnull],
                                               ["timeline", "--from", "{w}", "-o", os.devnull]]))
def test_the_cli_at_the_ends_of_the_range_exits_0_1_or_2(when, argv, capsys):
    code = cli.main([a.format(w=when) for a in argv])
    err = capsys.readouterr().err
    assert code in (0, 1, 2), err
    assert "internal error" not in err and "Traceback" not in err
    COUNTS[f"range-end command lines: exit {code}"] += 1


# -- special files in every path the library opens ----------------------------------------------

fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
KINDS = ["fifo", "symlink to fifo", "symlink to /dev/zero", "symlink to /dev/null"]


def plant(path: Path, kind: str, tmp: Path) -> None:
    if path.exists() or path.is_symlink():
        path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink to fifo":
        target = tmp / f"pipe-{path.name}"
        if not target.exists():
            os.mkfifo(target)
        path.symlink_to(target)
    else:
        path.symlink_to(kind.split(" to ")[1])


REGISTRY_PATHS = ["registry.yaml", "authorities.yaml", "entities.yaml", "instruments.yaml", "sources.yaml",
                  "measures/us-ofac-acme-sdn.yaml", "releases/release-2024-02-01.yaml", "measures/extra.yaml"]


@fifo
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rel", REGISTRY_PATHS)
def test_special_files_as_registry_files_are_located_problems(tmp_path, rel, kind):
    root = small(tmp_path)
    plant(root / rel, kind, tmp_path)
    with deadline(), pytest.raises(RegistryError) as exc:
        sanctrack.load(root, cache=False)
    assert any(p.path == f"{root}/{rel}" for p in exc.value.problems), exc.value
    COUNTS["special files as registry files: refused"] += 1


@fifo
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("what", ["secret", "entry", "stat"])
def test_special_files_in_the_cache_are_misses(tmp_path, what, kind):
    root = small(tmp_path)
    cache = tmp_path / "c"
    good = sanctrack.load(root, cache_dir=cache).digest
    if what == "secret":
        target = cache / "secret"
    elif what == "entry":
        target = next(cache.glob("registry-*.json"))
    else:
        sig = _files.stat_signature(root, limits=(_loader.MAX_DEPTH, _loader.MAX_NODES))
        target = cache / f"stat-{sig[0]}.json"
    plant(target, kind, tmp_path)
    with deadline():
        assert sanctrack.load(root, cache_dir=cache).digest == good
        _cache.status(directory=cache)
    COUNTS["special files in the cache: loaded from the YAML"] += 1


@fifo
@pytest.mark.parametrize("kind", KINDS)
def test_special_files_as_json_exports_are_refused(tmp_path, kind):
    path = tmp_path / "x.json"
    plant(path, kind, tmp_path)
    with deadline():
        with pytest.raises(RegistryError, match="cannot read the export: not a regular file"):
            load_json(path)
        assert cli.main(["validate", "--registry", str(path)]) in (1, 2)
    COUNTS["special files as JSON exports: refused"] += 1


@fifo
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("which", ["old", "new"])
def test_special_files_as_snapshots_are_refused(tmp_path, kind, which, capsys):
    good = tmp_path / "good.csv"
    good.write_text(ROW)
    bad = tmp_path / "bad.csv"
    plant(bad, kind, tmp_path)
    with deadline():
        with pytest.raises(UnreadableFile, match="not a regular file"):
            ofac.read_snapshot(bad, "2024-01-01")
        a, b = (bad, good) if which == "old" else (good, bad)
        code = cli.main(["import", "ofac-sdn", str(a), str(b), "--old-date", "2024-01-01", "--new-date", "2024-01-02"])
    assert code == 1 and "not a regular file" in capsys.readouterr().err
    COUNTS["special files as snapshots: refused"] += 1
