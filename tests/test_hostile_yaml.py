"""Hostile registry files: tags, alias bombs, deep nesting, huge files, symlinks and special files.

Each is refused as a located problem of a :class:`RegistryError` — never
constructed, never expanded, never a crash — and nothing is loaded. The limits
are the loader's defaults (``sanctrack._yaml.MAX_DEPTH`` = 64 levels,
``MAX_NODES`` = 3,000,000 values after alias expansion,
``sanctrack._loader.MAX_FILE_SIZE`` = 10 MiB), each adjustable per call.
Memory is measured with ``tracemalloc``; no test measures time (a subprocess
timeout guards against a hang).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest

import sanctrack
from sanctrack import RegistryError
from sanctrack._files import MAX_FILE_SIZE
from sanctrack._yaml import MAX_DEPTH, MAX_NODES

MEASURE = textwrap.dedent("""\
    id: m1
    authority: US-OFAC
    kind: blocking
    title: A measure
    sources: [S1]
    transitions:
      - id: m1.impose
        action: impose
        effective: 2025-01-01
        recorded: 2025-01-01
        confidence: confirmed
        sources: [S1]
    """)
TOP = {
    "registry.yaml": "name: hostile\n",
    "authorities.yaml": "- code: US-OFAC\n  name: OFAC\n  jurisdiction: US\n  timezone: America/New_York\n",
    "sources.yaml": "- id: S1\n  publisher: Publisher\n  url: https://example.org/1\n",
}


def _registry(root: Path, files: dict[str, str | bytes]) -> Path:
    (root / "measures").mkdir(parents=True, exist_ok=True)
    (root / "releases").mkdir(exist_ok=True)
    for rel, data in {**TOP, **files}.items():
        p = root / rel
        if isinstance(data, bytes):
            p.write_bytes(data)
        else:
            p.write_text(data, encoding="utf-8")
    return root


def _problems(root: Path, **options) -> list[str]:
    with pytest.raises(RegistryError) as info:
        sanctrack.load(root, cache=False, **options)
    return [str(p) for p in info.value.problems]


def test_the_base_registry_loads(tmp_path):
    reg = sanctrack.load(_registry(tmp_path / "r", {"measures/m1.yaml": MEASURE}), cache=False)
    assert [m.id for m in reg.measures] == ["m1"]


# -- tags ---------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:os.system ['touch {marker}']",
    "!!python/object:builtins.open {{}}",
    "!!python/name:os.system",
    "!!python/module:os",
])
def test_python_tags_are_refused_and_never_constructed(tmp_path, tag):
    marker = tmp_path / "pwned"
    value = tag.format(marker=marker)
    root = _registry(tmp_path / "r", {"registry.yaml": f"name: hostile\ndescription: {value}\n"})
    problems = _problems(root)
    short = value.split(" ")[0]
    head = f"{root}/registry.yaml:2:14: tag {short} is not allowed at $.description"
    assert any(p.startswith(head) for p in problems), \
        problems
    assert not marker.exists()


def test_other_non_standard_tags_are_refused_with_their_lines(tmp_path):
    measure = (MEASURE.replace("title: A measure", "title: !!timestamp 2025-01-01")
               .replace("sources: [S1]\ntransitions", "sources: !!set {S1: null}\ntransitions"))
    top = "name: hostile\ndescription: !!binary aGVsbG8=\nversion: !custom 1\n"
    root = _registry(tmp_path / "r", {"registry.yaml": top, "measures/m1.yaml": measure})
    text = "\n".join(_problems(root))
    assert f"{root}/registry.yaml:2:14: tag !!binary is not allowed at $.description" in text
    assert f"{root}/registry.yaml:3:10: tag !custom is not allowed at $.version" in text
    assert f"{root}/measures/m1.yaml:4:8: tag !!timestamp is not allowed at $.title" in text
    assert f"{root}/measures/m1.yaml:5:10: tag !!set is not allowed at $.sources" in text


def test_standard_tags_are_plain_text(tmp_path):
    root = _registry(tmp_path / "r", {"registry.yaml": "name: hostile\nversion: !!str 1.10\n",
                                      "measures/m1.yaml": MEASURE})
    assert sanctrack.load(root, cache=False).info.version == "1.10"


# -- alias bombs ------------------------------------------------------------------------------


def _laughs(levels: int) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "name: hostile\n" + "\n".join(lines) + "\n"


def test_a_billion_laughs_is_refused_in_bounded_memory(tmp_path):
    root = _registry(tmp_path / "r", {"registry.yaml": _laughs(9)})  # 9**9 ≈ 387 million strings
    tracemalloc.start()
    try:
        problems = _problems(root)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(problems) == 1
    assert problems[0].startswith(f"{root}/registry.yaml:8:")
    assert f"the document expands to more than {MAX_NODES} values" in problems[0]
    assert peak < 64 * 2**20, f"peak {peak / 2**20:.1f} MiB"


def test_aliases_within_the_limit_load_and_the_limit_is_adjustable(tmp_path):
    root = _registry(tmp_path / "r", {"registry.yaml": "name: &n hostile\ndescription: *n\n",
                                      "measures/m1.yaml": MEASURE})
    assert sanctrack.load(root, cache=False).info.description == "hostile"
    small = _registry(tmp_path / "s", {"registry.yaml": _laughs(3), "measures/m1.yaml": MEASURE})  # 9**3 values
    problems = _problems(small, max_nodes=500)
    assert any("the document expands to more than 500 values" in p for p in problems), problems


def test_a_bomb_cannot_hang_the_process(tmp_path):
    """In a fresh interpreter, with a generous timeout as the guard: refused, exit 1."""
    root = _registry(tmp_path / "r", {"registry.yaml": _laughs(12)})
    code = ("import sanctrack, sys\ntry:\n    sanctrack.load(sys.argv[1], cache=False)\n"
            "except sanctrack.RegistryError as e:\n    print(e.problems[0].message); sys.exit(1)\n")
    out = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, out.stderr
    assert out.stdout.strip() == f"the document expands to more than {MAX_NODES} values"


# -- deep nesting ----------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1_000, 100_000])
def test_deep_flow_nesting_is_a_clear_error(tmp_path, depth):
    root = _registry(tmp_path / "r", {"registry.yaml": "name: " + "[" * depth + "]" * depth + "\n"})
    problems = _problems(root)
    assert len(problems) == 1
    assert problems[0].startswith(f"{root}/registry.yaml:1:")
    assert f"nesting deeper than {MAX_DEPTH} levels" in problems[0]


def test_deep_block_nesting_is_a_clear_error(tmp_path):
    deep = "".join("  " * i + "a:\n" for i in range(200))
    problems = _problems(_registry(tmp_path / "r", {"measures/m1.yaml": deep}))
    assert any(f"/measures/m1.yaml:{MAX_DEPTH + 1}:" in p and f"nesting deeper than {MAX_DEPTH} levels" in p
               for p in problems), problems


def test_nesting_at_the_limit_is_only_a_format_problem(tmp_path):
    nested = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    problems = _problems(_registry(tmp_path / "r", {"registry.yaml": f"name: hostile\ndescription: {nested}\n"}))
    assert not any("nesting deeper" in p for p in problems), problems


# -- huge files --------------------------------------------------------------------------------


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path):
    root = _registry(tmp_path / "r", {"measures/m1.yaml": MEASURE})
    with open(root / "registry.yaml", "w") as fh:
        fh.write("name: hostile\n")
        line = "# " + "x" * 97 + "\n"
        for _ in range(50 * 2**20 // len(line)):
            fh.write(line)
    size = (root / "registry.yaml").stat().st_size
    assert size > 50 * 10**6
    tracemalloc.start()
    try:
        problems = _problems(root)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problems == [f"{root}/registry.yaml: the file is too large ({size} bytes; the limit is {MAX_FILE_SIZE}) "
                        "(hint: split it, or raise the limit with load(path, max_file_size=...))"]
    # refused from its size, never read: the peak is far below the file's 50 MB (reading a small file
    # with read(limit + 1) briefly reserves one limit-sized buffer)
    assert peak < 2 * MAX_FILE_SIZE + 2**20, f"peak {peak / 2**20:.1f} MiB"


def test_a_50_mb_scalar_under_a_raised_limit_loads(tmp_path):
    root = _registry(tmp_path / "r", {"registry.yaml": "name: hostile\ndescription: " + "x" * (50 * 2**20) + "\n",
                                      "measures/m1.yaml": MEASURE})
    reg = sanctrack.load(root, cache=False, max_file_size=64 * 2**20)
    assert len(reg.info.description) == 50 * 2**20


# -- symlinks and special files -------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path) -> Path:
    """A valid measure file outside the registry directory."""
    d = tmp_path / "outside"
    d.mkdir()
    (d / "m2.yaml").write_text(MEASURE.replace("m1", "m2"), encoding="utf-8")
    (d / "registry.yaml").write_text("name: elsewhere\n", encoding="utf-8")
    return d


def test_a_measure_symlinked_outside_the_registry_is_refused(tmp_path, outside):
    root = _registry(tmp_path / "r", {"measures/m1.yaml": MEASURE})
    os.symlink(outside / "m2.yaml", root / "measures" / "m2.yaml")
    assert _problems(root) == [
        f"{root}/measures/m2.yaml: the path leads outside the registry directory (a symlink?) "
        "(hint: registry files must live inside the registry directory)"]


def test_a_relative_symlink_climbing_out_is_refused(tmp_path, outside):
    root = _registry(tmp_path / "r", {"measures/m1.yaml": MEASURE})
    os.symlink(os.path.join("..", "..", "outside", "m2.yaml"), root / "measures" / "m2.yaml")
    assert _problems(root)[0].startswith(f"{root}/measures/m2.yaml: the path leads outside the registry directory")


def test_registry_yaml_symlinked_outside_is_refused(tmp_path, outside):
    root = _registry(tmp_path / "r", {"measures/m1.yaml": MEASURE})
    os.remove(root / "registry.yaml")
    os.symlink(outside / "registry.yaml", root / "registry.yaml")
    assert any(p.startswith(f"{root}/registry.yaml: the path leads outside") for p in _problems(root))


def test_a_measures_directory_symlinked_outside_is_refused(tmp_path, outside):
    root = _registry(tmp_path / "r", {})
    os.rmdir(root / "measures")
    os.symlink(outside, root / "measures")
    problems = _problems(root)
    assert any(p.startswith(f"{root}/measures/m2.yaml: the path leads outside") for p in problems), problems


def test_a_symlink_to_a_device_is_refused_without_reading_it(tmp_path):
    root = _registry(tmp_path / "r", {"measures/m1.yaml": MEASURE})
    os.symlink("/dev/zero", root / "measures" / "zero.yaml")
    assert any(p.startswith(f"{root}/measures/zero.yaml: the path leads outside") for p in _problems(root))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    root = _registry(tmp_path / "r", {"measures/m1.yaml": MEASURE})
    os.mkfifo(root / "measures" / "pipe.yaml")
    assert _problems(root) == [f"{root}/measures/pipe.yaml: not a regular file "
                               "(hint: registry files are plain YAML files)"]


def test_a_symlink_loop_is_a_clear_error(tmp_path):
    root = _registry(tmp_path / "r", {"measures/m1.yaml": MEASURE})
    os.symlink(root / "measures" / "b.yaml", root / "measures" / "a.yaml")
    os.symlink(root / "measures" / "a.yaml", root / "measures" / "b.yaml")
    problems = _problems(root)
    assert len(problems) == 2 and all("cannot open the file" in p for p in problems), problems


def test_a_symlink_inside_the_registry_is_followed(tmp_path):
    root = _registry(tmp_path / "r", {"measures/m1.yaml": MEASURE, "real-sources.yaml.txt": TOP["sources.yaml"]})
    os.remove(root / "sources.yaml")
    os.symlink(root / "real-sources.yaml.txt", root / "sources.yaml")
    assert [m.id for m in sanctrack.load(root, cache=False).measures] == ["m1"]


# -- bytes ------------------------------------------------------------------------------------


def test_non_utf8_bytes_are_located(tmp_path):
    root = _registry(tmp_path / "r", {"registry.yaml": b"name: ok\ndescription: caf\xe9\n",
                                      "measures/m1.yaml": MEASURE})
    assert _problems(root) == [f"{root}/registry.yaml:2:17: the file is not UTF-8 text: byte 0xe9 cannot be decoded "
                               "(hint: save the file as UTF-8)"]


def test_duplicate_keys_are_refused(tmp_path):
    root = _registry(tmp_path / "r", {"registry.yaml": "name: one\nname: two\n", "measures/m1.yaml": MEASURE})
    problems = _problems(root)
    assert len(problems) == 1 and problems[0].startswith(f"{root}/registry.yaml:2:1: duplicate key 'name'"), problems
