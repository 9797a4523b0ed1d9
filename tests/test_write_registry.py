"""``sanctrack.write_registry``: the one registry writer (sanctrack._dump).

Laws: whatever registry is written, ``load`` reads back an equal registry (the
same digest, the same answers); the same registry always gives the same bytes.
The files are the documented format (``docs/registry-format.md``): keys in its
order, absent values and empty lists left out except an amend's ``targets: []``,
text that would read as another type quoted.
"""

from __future__ import annotations

import datetime as dt
import doctest
import shutil
import tempfile
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sanctrack
from sanctrack import (
    Action,
    Authority,
    Confidence,
    Entity,
    Figure,
    Measure,
    Registry,
    RegistryInfo,
    Scope,
    Source,
    Transition,
)
from sanctrack._dump import dump_yaml, registry_texts
from sanctrack._yaml import parse_yaml
from sanctrack.strategies import query_dates, registries

FIXTURES = Path(__file__).parent / "fixtures" / "registries"
RELEASE = "releases/release-2024-02-01.yaml"
D = dt.date


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's cache directory from these tests."""
    monkeypatch.setenv("SANCTRACK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def base(tmp_path: Path) -> Path:
    """A copy of the loader's base fixture registry."""
    root = tmp_path / "reg"
    shutil.copytree(FIXTURES / "base", root)
    return root


def _answers(reg: Registry) -> list[tuple[Any, ...]]:
    out = []
    days = sorted({t.when for t in reg.transitions} | {t.when - dt.timedelta(days=1) for t in reg.transitions})
    for m in reg.measures:
        for d in days:
            s = reg.state(m.id, d)
            out.append((m.id, d, s.status, tuple(r.transition.id for r in s.reliefs),
                        tuple(p.id for p in s.pending), s.version, s.valid))
    return out


# -- the public name -------------------------------------------------------------------


def test_write_registry_is_public_and_its_example_runs() -> None:
    assert "write_registry" in sanctrack.__all__
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner()
    for test in finder.find(sanctrack.write_registry, "sanctrack.write_registry", globs=vars(sanctrack)):
        runner.run(test)
    assert runner.summarize(verbose=False) == doctest.TestResults(failed=0, attempted=3)


# -- the round-trip law --------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(registries(with_corrections=True, with_pending=True, with_windows=True, recorded_lag=30), st.data())
def test_load_of_write_registry_is_the_same_registry(reg: Registry, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = sanctrack.write_registry(reg, Path(tmp) / "registry")
        assert path == Path(tmp) / "registry"
        loaded = sanctrack.load(str(path), cache=False)
        again = registry_texts(loaded)
    assert loaded.digest == reg.digest
    assert again == registry_texts(reg)  # and it writes the same files again
    for m in reg.measures:
        for on in data.draw(st.lists(query_dates(reg), min_size=1, max_size=5)):
            assert loaded.state(m.id, on) == reg.state(m.id, on)


def test_the_bundled_registry_written_and_loaded_back_is_the_same(tmp_path: Path) -> None:
    reg = sanctrack.load(cache=False)
    again = sanctrack.load(str(sanctrack.write_registry(reg, tmp_path / "copy")), cache=False)
    assert again.digest == reg.digest
    assert _answers(again) == _answers(reg)


def test_a_view_writes_what_it_knows(tmp_path: Path) -> None:
    reg = sanctrack.load(cache=False)
    view = reg.as_known_on("2025-10-01")
    loaded = sanctrack.load(str(sanctrack.write_registry(view, tmp_path / "known")), cache=False)
    assert [t.id for t in loaded.transitions] == [t.id for t in view.transitions]
    assert {r.id for r in loaded.releases} == {r.id for r in view.releases}
    assert _answers(loaded) == _answers(view)
    assert loaded.digest != reg.digest  # the records known then, not the registry the view views


# -- the files -------------------------------------------------------------------------------


def _tiny(targets: tuple[str, ...] | None) -> dict[str, Any]:
    """A registry of one measure: imposed on acme, then amended to ``targets``."""
    return {
        "info": RegistryInfo("tiny", "1"),
        "authorities": [Authority("EU", "European Union", "EU", "Europe/Brussels")],
        "entities": [Entity("acme", "organisation", "Acme")],
        "sources": [Source("S1", "Official Journal", "https://example.org/oj")],
        "measures": [Measure("eu-acme", "EU", "airspace", "Airspace ban", targets=("acme",), sources=("S1",))],
        "transitions": [
            Transition("eu-acme.impose", "eu-acme", Action.IMPOSE, D(2024, 1, 10), effective=D(2024, 1, 10),
                       confidence=Confidence.CONFIRMED, sources=("S1",)),
            Transition("eu-acme.amend", "eu-acme", Action.AMEND, D(2024, 3, 1), effective=D(2024, 3, 1),
                       targets=targets, confidence=Confidence.REPORTED, sources=("S1",), note="114"),
        ],
    }


def test_a_measure_file_is_written_in_the_documented_key_order() -> None:
    files = registry_texts(_tiny(None))
    assert sorted(files) == ["authorities.yaml", "entities.yaml", "measures/eu-acme.yaml", "registry.yaml",
                             "sources.yaml"]
    assert files["registry.yaml"] == "name: tiny\nversion: '1'\n"
    assert files["measures/eu-acme.yaml"] == (
        "id: eu-acme\n"
        "authority: EU\n"
        "kind: airspace\n"
        "targets: [acme]\n"
        "title: Airspace ban\n"
        "sources: [S1]\n"
        "transitions:\n"
        "- id: eu-acme.impose\n"
        "  action: impose\n"
        "  effective: 2024-01-10\n"
        "  recorded: 2024-01-10\n"
        "  confidence: confirmed\n"
        "  sources: [S1]\n"
        "- id: eu-acme.amend\n"
        "  action: amend\n"
        "  effective: 2024-03-01\n"
        "  recorded: 2024-03-01\n"
        "  confidence: reported\n"
        "  sources: [S1]\n"
        "  note: '114'\n"
    )


def test_an_amend_to_no_targets_is_written_and_read_back_as_no_targets(tmp_path: Path) -> None:
    # targets=() (to no targets) and targets=None (targets unchanged) are different amends: the writer keeps
    # `targets: []`, which the loader reads as (), and leaves an absent targets out, read as None
    emptied = _tiny(())
    text = registry_texts(emptied)["measures/eu-acme.yaml"]
    assert "  targets: []\n" in text
    loaded = sanctrack.load(str(sanctrack.write_registry(emptied, tmp_path / "emptied")), cache=False)
    assert loaded.transition("eu-acme.amend").targets == ()
    assert loaded.state("eu-acme", "2024-06-01").targets == ()
    assert loaded.digest == Registry.build(**emptied).digest
    unchanged = sanctrack.load(str(sanctrack.write_registry(_tiny(None), tmp_path / "unchanged")), cache=False)
    assert unchanged.transition("eu-acme.amend").targets is None
    assert unchanged.state("eu-acme", "2024-06-01").targets == ("acme",)
    assert unchanged.digest != loaded.digest


def test_a_measure_with_no_targets_leaves_the_key_out() -> None:
    records = _tiny(None)
    records["measures"] = [attrs.evolve(records["measures"][0], targets=())]
    assert "targets" not in registry_texts(records)["measures/eu-acme.yaml"].split("transitions:")[0]


def test_a_scope_and_changes_are_nested_mappings(tmp_path: Path) -> None:
    records = _tiny(None)
    amend = records["transitions"][1]
    records["transitions"][1] = attrs.evolve(amend, scope=Scope("Wind-down", ("new contracts",)),
                                             changes=(("title", "Old", "New"),))
    text = registry_texts(records)["measures/eu-acme.yaml"]
    assert ("  scope:\n    authorises: Wind-down\n    excludes: [new contracts]\n" in text
            and "  changes:\n    title: [Old, New]\n" in text)
    loaded = sanctrack.load(str(sanctrack.write_registry(records, tmp_path / "r")), cache=False)
    assert loaded.transition("eu-acme.amend") == records["transitions"][1]


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1).filter(lambda s: s.strip()))
def test_any_text_written_by_the_writer_reads_back_as_the_same_text(text: str) -> None:
    doc, problems = parse_yaml(dump_yaml({"note": text, "list": [text]}).encode("utf-8"), "f.yaml")
    assert problems == []
    assert doc["note"] == text and doc["list"] == [text]


def test_the_writer_quotes_what_would_read_as_another_type(tmp_path: Path) -> None:
    reg = sanctrack.load(str(base(tmp_path)), cache=False)
    rel = reg.release("release-2024-02-01")
    odd = attrs.evolve(rel, figures=(Figure("released", "2", True, ("S2",)), Figure("taken", 2, False, ("S2",))),
                       note="yes", people=("2024-01-01", "null", "0o17"))
    records = {name: getattr(reg, name) for name in ("info", "authorities", "entities", "instruments", "sources",
                                                    "measures", "transitions", "links")}
    records["releases"] = [odd]
    out = sanctrack.write_registry(records, tmp_path / "odd")
    text = (out / RELEASE).read_text()
    assert "note: 'yes'" in text and "'2024-01-01'" in text and "'null'" in text
    back = sanctrack.load(str(out), cache=False).release("release-2024-02-01")
    assert back == odd
    assert [f.value for f in back.figures] == ["2", 2]


def test_records_that_cannot_be_written_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    records = _tiny(None)
    records["measures"] = [attrs.evolve(records["measures"][0], id="EU/acme")]
    with pytest.raises(ValueError, match="measure id 'EU/acme' cannot be a file name"):
        sanctrack.write_registry(records, tmp_path / "bad")
    orphan = _tiny(None)
    orphan["measures"] = []
    with pytest.raises(ValueError, match="transitions of unknown measures: eu-acme"):
        sanctrack.write_registry(orphan, tmp_path / "bad")
    assert list(tmp_path.iterdir()) == []


# -- atomic, whole, and never over other data ----------------------------------------------------


def test_writing_is_deterministic_and_replaces_a_registry_whole(tmp_path: Path) -> None:
    reg = sanctrack.load(str(base(tmp_path)), cache=False)
    out = tmp_path / "out"
    sanctrack.write_registry(reg, out)
    (out / "measures" / "stale.yaml").write_text("id: stale\n")
    first = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*.yaml"))}
    sanctrack.write_registry(reg, out)
    second = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*.yaml"))}
    assert Path("measures/stale.yaml") not in second
    del first[Path("measures/stale.yaml")]
    assert first == second
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp dirs left


def test_the_writer_refuses_to_replace_a_directory_that_is_not_a_registry(tmp_path: Path) -> None:
    reg = sanctrack.load(str(base(tmp_path)), cache=False)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    with pytest.raises(FileExistsError, match="holds files that are not registry files"):
        sanctrack.write_registry(reg, precious)
    assert (precious / "thesis.tex").read_text() == "years of work"
