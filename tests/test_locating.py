"""The registry's problems (pass 2) are mapped back to the file, line and column of what they name."""

from __future__ import annotations

from pathlib import Path

import pytest

import sanctrack
from sanctrack import RegistryError
from sanctrack._errors import Problem
from sanctrack._locating import Index, Where
from sanctrack._yaml import parse_yaml

from .test_loader import MEASURE, registry

TEXT = """\
id: m1
transitions:
  - id: m1.t1
    sources: [S1, S9]
    action: impose
"""


def index() -> Index:
    doc, problems = parse_yaml(TEXT, "m1.yaml")
    assert problems == []
    found = Index()
    found.add("m1", Where("measure", "m1.yaml", doc, ()))
    found.add("m1.t1", Where("transition", "m1.yaml", doc["transitions"][0], ("transitions", 0)))
    return found


def test_a_problem_is_located_at_the_field_it_names() -> None:
    p = index().locate(Problem("cannot relieve", record="m1.t1", field="action"))
    assert (p.path, p.line, p.column, p.location) == ("m1.yaml", 5, 13, "$.transitions[0].action")


def test_a_problem_about_a_list_item_is_located_at_the_item_it_quotes() -> None:
    p = index().locate(Problem("unknown source 'S9'", record="m1.t1", field="sources"))
    assert (p.line, p.column, p.location) == (4, 19, "$.transitions[0].sources[1]")


def test_a_related_record_is_named_with_its_place() -> None:
    p = index().locate(Problem("after 'm1'", record="m1.t1", field="action", related=("m1",)))
    assert p.message == "after 'm1'; 'm1' is at m1.yaml:1:1"


def test_a_problem_about_an_unknown_record_is_left_as_it_is() -> None:
    p = Problem("unknown authority 'X'", record="nowhere", field="authority")
    assert index().locate(p) == p


def test_a_problem_that_only_echoes_a_broken_record_is_dropped() -> None:
    found = index()
    found.broken.add("m1.t0")
    assert found.follows_from_broken(Problem("unknown transition 'm1.t0'", record="m1.t1"), {})
    assert not found.follows_from_broken(Problem("unknown transition 'm1.t2'", record="m1.t1"), {})
    found.broken.add("m1")
    assert found.follows_from_broken(Problem("cannot lift", record="m1.t1", field="action"), {"m1.t1": "m1"})


def test_illegal_sequence_names_both_transitions_with_file_and_line(tmp_path: Path) -> None:
    root = registry(tmp_path, "illegal-sequence")
    with pytest.raises(RegistryError) as info:
        sanctrack.load(root, cache=False)
    (p,) = info.value.problems
    assert (p.path, p.line, p.column, p.location) == (str(root / MEASURE), 16, 13, "$.transitions[1].action")
    assert p.record == "us-ofac-acme-sdn.gl1"
    assert "cannot relieve when the measure is lifted after transition 'us-ofac-acme-sdn.lift'" in p.message
    assert f"'us-ofac-acme-sdn.lift' is at {root / MEASURE}:26:5" in p.message
