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
