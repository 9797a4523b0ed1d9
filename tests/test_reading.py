"""Pass 1 of loading: a registry's files to records, each bad field a located problem."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from sanctrack import _reading
from sanctrack._files import registry_files
from sanctrack._reading import load_records
from sanctrack._yaml import parse_yaml as real

from .test_loader import MEASURE, base_records, edit, registry

KINDS = ("authorities", "entities", "instruments", "sources", "measures", "transitions", "releases", "links")


def read(root: Path) -> tuple[Any, list[str]]:
    problems: list[Any] = []
    records, _index = load_records(root, registry_files(root, problems), problems)
    prefix = f"{root}/"
    return records, [str(p).replace(prefix, "") for p in problems]


def test_the_base_fixture_reads_to_the_records_written_by_hand(tmp_path: Path) -> None:
    records, problems = read(registry(tmp_path))
    assert problems == []
    expected = base_records()
    assert records.info == expected.info
    for kind in KINDS:
        assert list(getattr(records, kind)) == list(getattr(expected, kind)), kind
    assert records.build().digest == expected.digest


def test_a_bad_field_is_a_located_problem_and_its_record_is_left_out(tmp_path: Path) -> None:
    root = registry(tmp_path)
    edit(root, MEASURE, "effective: 2024-06-01", "effective: 2024-06-31")
    records, problems = read(root)
    assert [p.split(" at ")[0] for p in problems] == [
        f"{MEASURE}:28:16: effective: invalid date '2024-06-31': expected a calendar date YYYY-MM-DD "
        "(day is out of range for month)"]
    assert [t.id for t in records.transitions] == ["us-ofac-acme-sdn.impose", "us-ofac-acme-sdn.gl1"]


def test_references_are_not_resolved_here(tmp_path: Path) -> None:
    root = registry(tmp_path)
    edit(root, MEASURE, "authority: US-OFAC", "authority: US-OFCA")
    records, problems = read(root)
    assert problems == [] and records.measures[0].authority == "US-OFCA"  # pass 2 reports it


@pytest.mark.parametrize("enabled", [True, False])
def test_load_records_leaves_the_collector_as_it_found_it(tmp_path: Path, enabled: bool,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "registry.yaml").write_text("name: x\n", encoding="utf-8")
    seen = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        monkeypatch.setattr(_reading, "parse_yaml", spy)
        load_records(tmp_path, [("registry.yaml", b"name: x\n")], [])
        assert seen == [False]  # paused while reading
        assert gc.isenabled() is enabled
        monkeypatch.setattr(_reading, "parse_yaml", lambda *a, **k: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            load_records(tmp_path, [("registry.yaml", b"name: x\n")], [])
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def _walk(node: Any, parts: tuple[Any, ...]) -> Any:
    for step in parts:
        node = node[step]
    return node


def _synth_registry(tmp_path: Path, n: int) -> Path:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        import synth
    finally:
        sys.path.pop(0)
    from sanctrack import Registry, write_registry

    return write_registry(Registry.build(**synth.generate(n, seed=3).kwargs()), tmp_path / "synth")


@pytest.mark.parametrize("which", ["base", "synth"])
def test_every_indexed_place_reads_back_to_the_mapping_pass_one_read(tmp_path: Path, which: str) -> None:
    # pass 1 keeps no parsed values: a place is read again from the file's bytes when a
    # problem is located; it must be the very mapping (values and marks) of a whole-file parse
    root = registry(tmp_path) if which == "base" else _synth_registry(tmp_path, 300)
    problems: list[Any] = []
    files = registry_files(root, problems)
    text = dict(files)
    records, index = load_records(root, list(files), problems, release=True)
    assert problems == []
    ids = {t.id for t in records.transitions} | {m.id for m in records.measures} | {e.id for e in records.entities}
    assert ids <= index.by_id.keys()
    checked = 0
    for rid, places in index.by_id.items():
        for where in places:
            rel = where.path[len(str(root)) + 1:]
            doc, found = real(text[rel], where.path)
            expected = _walk(doc, where.parts)
            got = where.node
            assert found == [] and got == expected and got.mark == expected.mark
            assert got.keys_at == expected.keys_at and got.values_at == expected.values_at
            key = "code" if where.kind == "authority" else ("transition" if where.kind == "link" else "id")
            assert str(got[key]) in rid
            checked += 1
    assert checked >= len(ids)


def test_released_files_give_the_same_records(tmp_path: Path) -> None:
    root = _synth_registry(tmp_path, 200)
    problems: list[Any] = []
    files = registry_files(root, problems)
    kept, _ = load_records(root, list(files), problems)
    released = list(files)
    records, _ = load_records(root, released, problems, release=True)
    assert problems == []
    assert records == kept and records.build().digest == kept.build().digest
    assert [rel for rel, _ in released] == [rel for rel, _ in files]
    assert all(data == b"" for _, data in released)  # each file's bytes let go once read


def test_a_problem_found_after_reading_is_located_in_a_released_file(tmp_path: Path) -> None:
    root = _synth_registry(tmp_path, 200)
    measure = sorted((root / "measures").iterdir())[3]
    text = measure.read_text(encoding="utf-8")
    at = text.index("  sources: [", text.index("transitions:"))  # the first transition's sources
    line = text[:at].count("\n") + 1
    measure.write_text(text[:at] + "  sources: [nowhere, " + text[at + len("  sources: ["):], encoding="utf-8")
    import sanctrack

    with pytest.raises(sanctrack.RegistryError) as info:
        sanctrack.load(str(root), cache=False)
    (p,) = info.value.problems
    assert p.path == str(measure) and p.message.startswith("unknown source 'nowhere'")
    assert (p.line, p.column, p.location) == (line, 13, "$.transitions[0].sources[0]")


_PEAK = """
import sys, sanctrack
def status(name):  # VmHWM: the peak of this process since exec (ru_maxrss can carry the forking parent's)
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith(name)) * 1024
sanctrack.load(cache=False)  # the bundled registry: imports everything a load needs (import sanctrack is lazy)
before = status("VmRSS")
reg = sanctrack.load(sys.argv[1], cache=False)
print((status("VmHWM") - before) / len(reg.transitions))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmRSS from /proc")
def test_a_cold_load_does_not_hold_the_parsed_files(tmp_path: Path) -> None:
    # holding every file's parsed values until the registry was built cost about 4.5 KB per
    # transition (5.8 KB at this size); reading file by file and keeping only records, it is
    # about 1.8 KB here (small registries pay more per transition for the allocator's arenas)
    import os
    import subprocess
    import sys

    root = _synth_registry(tmp_path, 5000)
    out = subprocess.run([sys.executable, "-c", _PEAK, str(root)], check=True, capture_output=True, text=True,
                         env={**os.environ, "SANCTRACK_CACHE": "0"}, cwd=Path(__file__).resolve().parents[1])
    assert float(out.stdout) < 3000, out.stdout
