"""Which files a registry directory has, read in load order; what must not be read is a located problem."""

from __future__ import annotations

from pathlib import Path

from sanctrack._errors import Problem
from sanctrack._files import bundled_path, registry_files, stat_signature


def _registry(root: Path) -> Path:
    (root / "registry.yaml").write_text("name: x\n")
    (root / "entities.yaml").write_text("[]\n")
    (root / "measures").mkdir()
    (root / "measures" / "b.yaml").write_text("b\n")
    (root / "measures" / "a.yaml").write_text("a\n")
    return root


def test_the_files_come_in_load_order_top_files_then_directories_sorted(tmp_path: Path) -> None:
    problems: list[Problem] = []
    files = registry_files(_registry(tmp_path), problems)
    assert files == [("registry.yaml", b"name: x\n"), ("entities.yaml", b"[]\n"),
                     ("measures/a.yaml", b"a\n"), ("measures/b.yaml", b"b\n")]
    assert problems == []


def test_an_unknown_file_is_a_problem_with_a_hint_and_is_not_read(tmp_path: Path) -> None:
    root = _registry(tmp_path)
    (root / "notes.yaml").write_text("x\n")
    problems: list[Problem] = []
    names = [name for name, _ in registry_files(root, problems)]
    assert "notes.yaml" not in names
    assert [str(p) for p in problems] == [
        f"{root}/notes.yaml: unknown registry file 'notes.yaml' (hint: did you mean 'entities.yaml'?)"]


def test_a_misspelt_directory_is_named_with_the_right_spelling(tmp_path: Path) -> None:
    root = _registry(tmp_path)
    (root / "Measures").mkdir()
    problems: list[Problem] = []
    registry_files(root, problems)
    assert [str(p) for p in problems] == [
        f"{root}/Measures: unknown directory 'Measures' in the registry: its files are not read "
        "(hint: did you mean 'measures'? only measures/ (lower case) is read)"]


def test_a_file_over_the_size_limit_is_a_problem_and_the_rest_is_read(tmp_path: Path) -> None:
    root = _registry(tmp_path)
    problems: list[Problem] = []
    files = registry_files(root, problems, max_file_size=4)
    assert [name for name, _ in files] == ["entities.yaml", "measures/a.yaml", "measures/b.yaml"]
    assert [str(p) for p in problems] == [
        f"{root}/registry.yaml: the file is too large (8 bytes; the limit is 4) "
        "(hint: split it, or raise the limit with load(path, max_file_size=...))"]


def test_the_stat_signature_moves_when_a_file_changes(tmp_path: Path) -> None:
    root = _registry(tmp_path)
    first = stat_signature(root)
    assert first is not None and first == stat_signature(root)
    (root / "measures" / "a.yaml").write_text("a changed\n")
    assert stat_signature(root) not in (None, first)


def test_a_directory_that_needs_a_full_read_has_no_stat_signature(tmp_path: Path) -> None:
    root = _registry(tmp_path)
    (root / "notes.yaml").write_text("x\n")  # a stray name: a problem only the full read reports
    assert stat_signature(root) is None


def test_the_bundled_registry_is_a_registry_directory() -> None:
    assert (bundled_path() / "registry.yaml").is_file()
    assert (bundled_path() / "measures").is_dir()
