"""The YAML registry loader: tiny fixture registries, one defect each.

Every fixture under ``tests/fixtures/registries/<name>/`` holds only the files
that differ from ``base/``; :func:`registry` lays the overlay on a copy of the
base. Each defect test asserts the exact ``file:line:column`` of the problem.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sanctrack
from sanctrack import (
    Action,
    Authority,
    Basis,
    Confidence,
    Entity,
    Figure,
    Instrument,
    Link,
    Measure,
    Registry,
    RegistryError,
    RegistryInfo,
    Release,
    Scope,
    Source,
    Status,
    Transition,
)
from sanctrack._yaml import MarkedList, MarkedMap, Quoted, parse_yaml

FIXTURES = Path(__file__).parent / "fixtures" / "registries"
MEASURE = "measures/us-ofac-acme-sdn.yaml"
RELEASE = "releases/release-2024-02-01.yaml"


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's cache directory from these tests."""
    monkeypatch.setenv("SANCTRACK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def registry(tmp_path: Path, name: str = "base") -> Path:
    """A copy of the base fixture with the overlay ``name`` laid on it."""
    root = tmp_path / "reg"
    shutil.copytree(FIXTURES / "base", root)
    if name != "base":
        shutil.copytree(FIXTURES / name, root, dirs_exist_ok=True)
    return root


def problems_of(root: Path, **options: object) -> list[str]:
    """The problems of loading ``root``, as text, with the directory prefix removed."""
    with pytest.raises(RegistryError) as info:
        sanctrack.load(root, cache=False, **options)
    prefix = str(root) + os.sep
    return [str(p).replace(prefix, "") for p in info.value.problems]


# -- the base fixture loads, and means what it says ----------------------------------


def base_records() -> Registry:
    """The base fixture, built by hand: the oracle for the loader."""
    d = dt.date
    return Registry.build(
        info=RegistryInfo("fixture", "1", "A tiny registry for the loader tests."),
        authorities=[Authority("US-OFAC", "Office of Foreign Assets Control", "US", "America/New_York")],
        entities=[Entity("acme", "organisation", "Acme Trading LLC", ("Acme",), ("ofac:99999",))],
        instruments=[Instrument("ofac-gl-1", "general_licence",
                                "Authorizing wind-down transactions involving Acme Trading LLC", number="GL 1",
                                authority="US-OFAC", issued=d(2024, 2, 1), sources=("S2",))],
        sources=[Source("S1", "OFAC", "https://example.org/s1", "Recent actions", d(2024, 1, 10)),
                 Source("S2", "OFAC", "https://example.org/s2", "General License 1", d(2024, 2, 1))],
        measures=[Measure("us-ofac-acme-sdn", "US-OFAC", "blocking", "SDN blocking of Acme Trading LLC",
                          ("acme",), "TEST-PROGRAM", sources=("S1",))],
        transitions=[
            Transition("us-ofac-acme-sdn.impose", "us-ofac-acme-sdn", Action.IMPOSE, d(2024, 1, 10),
                       effective=d(2024, 1, 10), confidence=Confidence.CONFIRMED, sources=("S1",)),
            Transition("us-ofac-acme-sdn.gl1", "us-ofac-acme-sdn", Action.RELIEVE, d(2024, 2, 1),
                       effective=d(2024, 2, 1), until=d(2024, 5, 1), instrument="ofac-gl-1",
                       scope=Scope("Wind-down transactions", ("unblocking of blocked property",)),
                       confidence=Confidence.CONFIRMED, sources=("S2",)),
            Transition("us-ofac-acme-sdn.lift", "us-ofac-acme-sdn", Action.LIFT, d(2024, 6, 1),
                       effective=d(2024, 6, 1), confidence=Confidence.REPORTED, sources=("S1",)),
        ],
        releases=[Release("release-2024-02-01", d(2024, 2, 1), d(2024, 2, 2), count=2,
                          people=("Jane Doe", "John Roe"), sources=("S2",),
                          figures=(Figure("released", 2, True, ("S2",)),))],
        links=[Link("release-2024-02-01", "us-ofac-acme-sdn.gl1", Basis.REPORTED, d(2024, 2, 2), ("S2",))],
    )


def test_base_fixture_loads_to_the_records_written_by_hand(tmp_path: Path) -> None:
    reg = sanctrack.load(registry(tmp_path), cache=False)
    assert reg.digest == base_records().digest
    assert reg.info == RegistryInfo("fixture", "1", "A tiny registry for the loader tests.")
    assert [t.id for t in reg.transitions] == ["us-ofac-acme-sdn.impose", "us-ofac-acme-sdn.gl1",
                                               "us-ofac-acme-sdn.lift"]


@pytest.mark.parametrize(("on", "status", "reliefs"), [
    ("2024-01-09", None, []),
    ("2024-01-10", Status.IN_FORCE, []),
    ("2024-03-01", Status.RELIEVED, ["GL 1"]),
    ("2024-04-30", Status.RELIEVED, ["GL 1"]),
    ("2024-05-01", Status.IN_FORCE, []),  # until is exclusive: the licence has lapsed
    ("2024-06-01", Status.LIFTED, []),  # a lift effective on X: not in force on X
])
def test_base_fixture_answers(tmp_path: Path, on: str, status: Status | None, reliefs: list[str]) -> None:
    s = sanctrack.load(registry(tmp_path), cache=False).state("us-ofac-acme-sdn", on)
    assert s.status == status
    assert [r.label for r in s.reliefs] == reliefs


def test_load_accepts_str_and_pathlike(tmp_path: Path) -> None:
    root = registry(tmp_path)
    assert sanctrack.load(str(root), cache=False).digest == sanctrack.load(root, cache=False).digest


# -- one defect each: the exact file:line:column -------------------------------------


@pytest.mark.parametrize(("fixture", "expected"), [
    ("bad-date", f"{MEASURE}:17:16: effective: invalid date '2024-02-31': expected a calendar date YYYY-MM-DD "
                 "(day is out of range for month) at $.transitions[1].effective"),
    ("unknown-authority", f"{MEASURE}:2:12: unknown authority 'US-OFCA' at $.authority "
                          "(hint: did you mean 'US-OFAC'?)"),
    ("dangling-source", f"{MEASURE}:14:19: unknown source 'S9' at $.transitions[0].sources[1]"),
    ("duplicate-key", f"{MEASURE}:13:5: duplicate key 'recorded' (first at line 12, again at line 13) "
                      "at $.transitions[0].recorded"),
    ("python-tag", "entities.yaml:6:9: tag !!python/object/apply:os.system is not allowed at $[0].note"),
    ("unknown-key", f"{MEASURE}:7:1: unknown key 'summry' in a measure at $.summry "
                    "(hint: did you mean 'summary'?)"),
    ("stem-mismatch", f"{MEASURE}:1:5: the file name 'us-ofac-acme-sdn.yaml' does not match the measure id "
                      "'us-ofac-acme-block' at $.id"),
])
def test_one_defect_one_located_problem(tmp_path: Path, fixture: str, expected: str) -> None:
    found = problems_of(registry(tmp_path, fixture))
    assert len(found) == 1, found
    assert found[0].startswith(expected), found[0]


def test_five_defects_in_three_files_are_all_reported_sorted(tmp_path: Path) -> None:
    found = problems_of(registry(tmp_path, "five-defects"))
    assert [f.split(" ")[0] for f in found] == [
        "entities.yaml:2:9:",
        f"{MEASURE}:14:19:",
        f"{MEASURE}:28:16:",
        f"{RELEASE}:4:8:",
        f"{RELEASE}:13:17:",
    ]
    assert "'organization' is not one of" in found[0] and "did you mean 'organisation'?" in found[0]
    assert "unknown source 'S7'" in found[1]
    assert "invalid date '2024-06-31'" in found[2]
    assert "expected a whole number, got the quoted text '2'" in found[3]
    assert "unknown transition 'us-ofac-acme-sdn.gl2'" in found[4]
    assert "did you mean 'us-ofac-acme-sdn.gl1'?" in found[4]


def test_registry_error_is_a_value_error_and_its_text_lists_every_problem(tmp_path: Path) -> None:
    root = registry(tmp_path, "five-defects")
    with pytest.raises(ValueError) as info:
        sanctrack.load(root, cache=False)
    text = str(info.value)
    assert text.splitlines()[0] == "invalid registry: 5 problems:"
    assert f"{root / RELEASE}:13:17: unknown transition" in text


# -- values: text stays text, booleans are true/false only ------------------------------


def edit(root: Path, rel: str, old: str, new: str) -> None:
    p = root / rel
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_yes_is_not_a_boolean(tmp_path: Path) -> None:
    root = registry(tmp_path)
    edit(root, RELEASE, "used: true", "used: yes")
    (p,) = problems_of(root)
    assert p.startswith(f"{RELEASE}:10:11: used: expected true or false, got 'yes' at $.figures[0].used")


def test_yes_no_on_off_numbers_and_dates_in_text_fields_stay_text(tmp_path: Path) -> None:
    root = registry(tmp_path)
    edit(root, "registry.yaml", 'version: "1"', "version: 1.10")
    edit(root, "entities.yaml", "aliases: [Acme]", "aliases: [yes, no, on, off, 2024-01-01, 0x1F, ~x]")
    reg = sanctrack.load(root, cache=False)
    assert reg.info.version == "1.10"
    assert reg.entity("acme").aliases == ("yes", "no", "on", "off", "2024-01-01", "0x1F", "~x")


def test_quoted_and_plain_dates_are_the_same_date(tmp_path: Path) -> None:
    root = registry(tmp_path)
    edit(root, MEASURE, "effective: 2024-01-10", "effective: '2024-01-10'")
    assert sanctrack.load(root, cache=False).digest == base_records().digest


def test_figure_value_plain_number_is_int_quoted_is_text(tmp_path: Path) -> None:
    root = registry(tmp_path)
    edit(root, RELEASE, "value: 2", 'value: "2"')
    (fig,) = sanctrack.load(root, cache=False).release("release-2024-02-01").figures
    assert fig.value == "2"


def test_leading_zero_count_is_refused(tmp_path: Path) -> None:
    root = registry(tmp_path)
    edit(root, RELEASE, "count: 2", "count: 02")
    (p,) = problems_of(root)
    assert p.startswith(f"{RELEASE}:4:8: count: expected a whole number, got '02'")


def test_effective_at_must_fall_on_the_effective_date(tmp_path: Path) -> None:
    root = registry(tmp_path)
    edit(root, MEASURE, "    effective: 2024-01-10\n", "    effective: 2024-01-10\n"
                                                    "    effective_at: 2024-01-11T12:00:00+00:00\n")
    (p,) = problems_of(root)
    assert p.startswith(f"{MEASURE}:12:19: effective_at 2024-01-11T12:00:00+00:00 is 2024-01-11 in "
                        "America/New_York, not the effective date 2024-01-10 at $.transitions[0].effective_at")


def test_naive_effective_at_is_refused(tmp_path: Path) -> None:
    root = registry(tmp_path)
    edit(root, MEASURE, "    effective: 2024-01-10\n", "    effective: 2024-01-10\n"
                                                    "    effective_at: 2024-01-10T09:00:00\n")
    (p,) = problems_of(root)
    assert p.startswith(f"{MEASURE}:12:19: effective_at: invalid date '2024-01-10T09:00:00'")
    assert "naive times are refused" in p


def test_missing_required_key_and_scalar_instead_of_list(tmp_path: Path) -> None:
    root = registry(tmp_path)
    edit(root, MEASURE, "    action: lift\n", "")
    edit(root, MEASURE, "sources: [S1]\ntransitions", "sources: S1\ntransitions")
    found = problems_of(root)
    assert [f.split(" (hint")[0] for f in found] == [
        f"{MEASURE}:7:10: sources: expected a list of source ids, got 'S1' at $.sources",
        f"{MEASURE}:26:5: missing required key 'action' in a transition at $.transitions[2]",
    ]
    assert "write [S1]" in found[0]


def test_a_record_with_no_source_is_a_problem(tmp_path: Path) -> None:
    root = registry(tmp_path)
    edit(root, MEASURE, "    sources: [S1]\n  - id: us-ofac-acme-sdn.gl1",
         "    sources: []\n  - id: us-ofac-acme-sdn.gl1")
    (p,) = problems_of(root)
    assert p.startswith(f"{MEASURE}:14:14: the transition names no source at $.transitions[0].sources")


def test_upper_case_id_is_refused(tmp_path: Path) -> None:
    root = registry(tmp_path)
    edit(root, "entities.yaml", "- id: acme", "- id: Acme")
    found = problems_of(root)
    assert [f.split(" (hint")[0] for f in found] == [
        "entities.yaml:1:7: id: invalid id 'Acme': expected lower-case [a-z0-9][a-z0-9._-]* at $[0].id",
        f"{MEASURE}:5:11: unknown entity 'acme' at $.targets[0]",
    ]


# -- files and directories --------------------------------------------------------------


def test_missing_directory(tmp_path: Path) -> None:
    (p,) = problems_of(tmp_path / "nowhere")
    assert p.startswith("the registry directory does not exist") or "does not exist" in p


def test_missing_registry_yaml(tmp_path: Path) -> None:
    root = registry(tmp_path)
    (root / "registry.yaml").unlink()
    (p,) = problems_of(root)
    assert p.startswith("registry.yaml: missing registry.yaml")


def test_unknown_and_misnamed_files(tmp_path: Path) -> None:
    root = registry(tmp_path)
    (root / "README.md").write_text("not a registry file, ignored\n")
    (root / ".hidden.yaml").write_text("ignored: true\n")
    (root / "source.yaml").write_text("- id: S3\n")
    (root / "measures" / "x.yml").write_text("id: x\n")
    found = problems_of(root)
    assert found == [
        "measures/x.yml: unexpected file 'measures/x.yml' (hint: rename it to .yaml)",
        "source.yaml: unknown registry file 'source.yaml' (hint: did you mean 'sources.yaml'?)",
    ]


def test_symlink_out_of_the_registry_is_refused(tmp_path: Path) -> None:
    root = registry(tmp_path)
    outside = tmp_path / "outside.yaml"
    shutil.copy(root / MEASURE, outside)
    (root / MEASURE).unlink()
    (root / MEASURE).symlink_to(outside)
    (p,) = problems_of(root)
    assert p.startswith(f"{MEASURE}: the path leads outside the registry directory")


def test_symlinked_directory_out_of_the_registry_is_refused(tmp_path: Path) -> None:
    root = registry(tmp_path)
    shutil.move(str(root / "releases"), tmp_path / "elsewhere")
    (root / "releases").symlink_to(tmp_path / "elsewhere")
    (p,) = problems_of(root)
    assert p.startswith(f"{RELEASE}: the path leads outside the registry directory")


def test_symlink_inside_the_registry_is_followed(tmp_path: Path) -> None:
    root = registry(tmp_path)
    (root / "shared").mkdir()
    shutil.move(str(root / MEASURE), root / "shared" / "m.yaml")
    (root / MEASURE).symlink_to(root / "shared" / "m.yaml")
    assert sanctrack.load(root, cache=False).digest == base_records().digest


def test_file_larger_than_the_limit(tmp_path: Path) -> None:
    root = registry(tmp_path)
    size = (root / MEASURE).stat().st_size
    (p,) = problems_of(root, max_file_size=size - 1)
    assert p.startswith(f"{MEASURE}: the file is too large ({size} bytes; the limit is {size - 1})")


def test_special_file_is_refused(tmp_path: Path) -> None:
    root = registry(tmp_path)
    (root / RELEASE).unlink()
    os.mkfifo(root / RELEASE)  # reading it would block forever
    found = problems_of(root)
    assert found[0].startswith(f"{RELEASE}: not a regular file")


# -- hostile or broken YAML -------------------------------------------------------------


def test_syntax_error_is_located(tmp_path: Path) -> None:
    root = registry(tmp_path)
    edit(root, MEASURE, "targets: [acme]", "targets: [acme")
    (p,) = problems_of(root)
    assert p.startswith(f"{MEASURE}:6:6: YAML syntax error: while parsing a flow sequence")


def test_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    root = registry(tmp_path)
    (root / "entities.yaml").write_bytes((FIXTURES / "base" / "entities.yaml").read_bytes()
                                         .replace(b"Acme Trading", b"Acme Tr\xe9ding"))
    (p,) = problems_of(root)
    assert p.startswith("entities.yaml:3:16: the file is not UTF-8 text: byte 0xe9 cannot be decoded")


def test_control_character(tmp_path: Path) -> None:
    root = registry(tmp_path)
    edit(root, "entities.yaml", "Acme Trading", "Acme\x07Trading")
    (p,) = problems_of(root)
    assert p.startswith("entities.yaml:3:") and "control characters are not allowed" in p


def test_two_documents_in_one_file(tmp_path: Path) -> None:
    root = registry(tmp_path)
    with open(root / "sources.yaml", "a") as fh:
        fh.write("---\n- id: S3\n")
    (p,) = problems_of(root)
    assert p.startswith("sources.yaml:11:1: more than one YAML document in the file")


def test_billion_laughs_is_refused_without_expanding(tmp_path: Path) -> None:
    root = registry(tmp_path)
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 10):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    (root / "registry.yaml").write_text("\n".join(lines) + "\n")
    (p,) = problems_of(root)
    assert p.startswith("registry.yaml:7:") and "expands to more than 3000000 values" in p


def test_deep_nesting_is_refused_not_a_crash(tmp_path: Path) -> None:
    root = registry(tmp_path)
    (root / "registry.yaml").write_text("name: " + "[" * 200_000 + "]" * 200_000 + "\n")
    (p,) = problems_of(root)
    assert p.startswith("registry.yaml:1:70: nesting deeper than 64 levels")
    (root / "registry.yaml").write_text("- " * 200_000 + "x\n")
    (p,) = problems_of(root)
    assert "nesting deeper than 64 levels" in p


def test_alias_to_an_unknown_anchor(tmp_path: Path) -> None:
    root = registry(tmp_path)
    edit(root, "entities.yaml", "aliases: [Acme]", "aliases: [*nothing]")
    found = problems_of(root)
    assert found[0].startswith("entities.yaml:4:13: unknown alias *nothing at $[0].aliases[0]")


def test_complex_key_is_refused(tmp_path: Path) -> None:
    root = registry(tmp_path)
    edit(root, "registry.yaml", "name: fixture", "name: fixture\n[a]: b")
    (p,) = problems_of(root)
    assert p.startswith("registry.yaml:2:1: a key must be text, not a list")


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=200), where=st.integers(min_value=0, max_value=10_000))
def test_any_bytes_spliced_into_a_file_give_a_registry_or_a_registry_error(
        tmp_path_factory: pytest.TempPathFactory, data: bytes, where: int) -> None:
    root = registry(tmp_path_factory.mktemp("fuzz"))
    original = (root / MEASURE).read_bytes()
    cut = where % (len(original) + 1)
    (root / MEASURE).write_bytes(original[:cut] + data + original[cut:])
    try:
        reg = sanctrack.load(root, cache=False)
    except RegistryError as exc:
        assert exc.problems
        assert all(p.path is not None for p in exc.problems)
    else:
        assert isinstance(reg, Registry)


# -- the YAML reader itself ---------------------------------------------------------------


def test_reader_keeps_marks_and_quoting() -> None:
    doc, problems = parse_yaml(b"a: 1\nb: '1'\nc:\n  - x\n  - ~\n", "f.yaml")
    assert problems == []
    assert isinstance(doc, MarkedMap) and isinstance(doc["c"], MarkedList)
    assert doc == {"a": "1", "b": "1", "c": ["x", None]}
    assert type(doc["a"]) is str and type(doc["b"]) is Quoted
    assert doc.keys_at["b"] == (2, 1) and doc.values_at["b"] == (2, 4)
    assert doc["c"].items_at == [(4, 5), (5, 5)]


# -- the bundled registry -------------------------------------------------------------------


def test_bundled_registry_loads_from_any_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    reg = sanctrack.load(cache=False)
    assert reg.info.name == "belarus"
    assert len(reg.measures) > 0


# -- docs/registry-format.md stays true ---------------------------------------------------

DOC = Path(__file__).resolve().parents[1] / "docs" / "registry-format.md"


def test_the_documented_complete_example_is_the_base_fixture() -> None:
    import re

    text = DOC.read_text(encoding="utf-8")
    example = text[text.index("## A complete small example"):]
    blocks = dict(re.findall(r"`([\w./-]+\.yaml)`:\n\n```yaml\n(.*?)```", example, re.S))
    on_disk = {str(p.relative_to(FIXTURES / "base")): p.read_text(encoding="utf-8")
               for p in sorted((FIXTURES / "base").rglob("*.yaml"))}
    assert blocks == on_disk


@pytest.mark.parametrize("fixture", ["five-defects", "illegal-sequence"])
def test_the_documented_error_output_is_what_load_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         fixture: str) -> None:
    shutil.copytree(registry(tmp_path, fixture), tmp_path / "registry")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RegistryError) as info:
        sanctrack.load("registry", cache=False)
    text = DOC.read_text(encoding="utf-8")
    for p in info.value.problems:
        assert str(p) in text
    if fixture == "five-defects":
        assert str(info.value) in text
