"""Fuzzing the loader: whatever is in the files, ``load`` raises RegistryError or loads everything.

Four families of input, each written into a registry directory and loaded
with ``sanctrack.load(path, cache=False)``:

* random text and random bytes, as any one registry file;
* random YAML documents (mappings, lists, scalars, with the format's own keys
  mixed in), as any one registry file;
* mutations of the bundled registry's files: deleted keys, swapped types,
  shuffled dates, cut files, duplicated ids and records, renamed files.

The law: ``load`` either raises :class:`RegistryError` (never any other
exception), or returns a *whole* registry: one measure per measure file, one
release per release file, and the same digest once written out and loaded
again. The JSON export (``--registry FILE.json``) is fuzzed the same way
(mutated exports of the bundled registry). Every CI run feeds 600 inputs
(150 + 150 + 100 + 100 YAML, 100 JSON); ``pytest -m fuzz`` (or
``SANCTRACK_FUZZ=1``) 13,000 (5 × 2,600). The counts are printed at
the end of the module.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sanctrack
from sanctrack import Registry, RegistryError
from sanctrack._dump import write_registry
from sanctrack._files import bundled_path
from sanctrack.exports._json import dump_json, load_json

from .conftest import report_lines

BUNDLED = bundled_path()
FILES: dict[str, bytes] = {
    str(p.relative_to(BUNDLED)).replace(os.sep, "/"): p.read_bytes()
    for p in sorted(BUNDLED.rglob("*.yaml"))
}
TOP = {k: v for k, v in FILES.items() if "/" not in k}
SLOTS = ("registry.yaml", "authorities.yaml", "entities.yaml", "instruments.yaml", "sources.yaml",
         "measures/fuzz.yaml", "releases/fuzz.yaml")
KEYS = ("id", "name", "code", "kind", "action", "effective", "recorded", "until", "announced", "sources",
        "transitions", "links", "figures", "relief", "corrects", "effective_window", "scope", "targets",
        "authority", "timezone", "title", "count", "date", "basis", "transition", "value", "used")

COUNTS: Counter[str] = Counter()
_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: the mutator parses a lot
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
#: inputs per family: every CI run 150 + 150 + 100 + 100 (+ 100 JSON) = 600; the long run 5 × 2,600 = 13,000
MODES = [pytest.param(150, id="ci"), pytest.param(2600, id="long", marks=pytest.mark.fuzz)]
MODES_SLOW = [pytest.param(100, id="ci"), pytest.param(2600, id="long", marks=pytest.mark.fuzz)]


def _settings(n: int) -> settings:
    return settings(max_examples=n, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    if not COUNTS:
        return
    lines: list[str] = []
    lines.append("")
    inputs = {k: v for k, v in COUNTS.items() if k != "round trips"}
    parts = ", ".join(f"{k} {v}" for k, v in sorted(inputs.items()))
    lines.append(f"loader fuzz inputs: {sum(inputs.values())} in total ({parts}); "
                  f"{COUNTS['round trips']} loaded registries written out and reloaded")
    report_lines(request, *lines)


def _write(root: Path, files: dict[str, bytes]) -> Path:
    if root.exists():
        shutil.rmtree(root)
    (root / "measures").mkdir(parents=True)
    (root / "releases").mkdir()
    for rel, data in files.items():
        (root / rel).write_bytes(data)
    return root


def _check(root: Path, files: dict[str, bytes]) -> None:
    """The law: RegistryError, or a whole registry."""
    try:
        reg = sanctrack.load(root, cache=False)
    except RegistryError as exc:
        assert exc.problems, "a RegistryError lists at least one problem"
        assert all(p.message for p in exc.problems)
        str(exc)  # formatting never fails
        return
    assert isinstance(reg, Registry)
    # whole: every measure, transition, release and link in the files is in the registry
    docs = {k: yaml.load(v, Loader=_YAML) for k, v in files.items() if k.startswith(("measures/", "releases/"))}
    measures = [d for k, d in docs.items() if k.startswith("measures/")]
    releases = [d for k, d in docs.items() if k.startswith("releases/")]
    assert len(reg.measures) == len(measures) and len(reg.releases) == len(releases)
    assert len(reg.transitions) == sum(len(d.get("transitions") or ()) for d in measures)
    assert len(reg.links) == sum(len(d.get("links") or ()) for d in releases)
    if COUNTS["round trips"] < 20:  # and, now and then, the same digest once written out and loaded again
        COUNTS["round trips"] += 1
        again = write_registry(reg, root.parent / (root.name + "-again"))
        assert sanctrack.load(again, cache=False).digest == reg.digest
        shutil.rmtree(again)


def _run(tmp_path: Path, name: str, strategy: st.SearchStrategy[dict[str, bytes]], n: int) -> None:
    root = tmp_path / "reg"

    @_settings(n)
    @given(strategy)
    def fuzz(files: dict[str, bytes]) -> None:
        COUNTS[name] += 1
        _check(_write(root, files), files)

    fuzz()


def _in_a_slot(content: st.SearchStrategy[bytes]) -> st.SearchStrategy[dict[str, bytes]]:
    """The bundled top-level files, with one file (maybe a measure or release) replaced by ``content``."""
    return st.tuples(st.sampled_from(SLOTS), content).map(lambda sc: {**TOP, sc[0]: sc[1]})


# -- random text, random bytes ------------------------------------------------------


@pytest.mark.parametrize("n", MODES)
def test_random_text_and_bytes(tmp_path, n):
    text = st.text(max_size=400).map(lambda s: s.encode("utf-8", "surrogatepass"))
    near_yaml = st.lists(st.sampled_from(["- ", "id: ", "a", ": ", "\n", "  ", "[", "]", "{", "}", "'", '"', "&a ",
                                          "*a", "!!str ", "? ", "|", ">", "#", "---\n", "...\n", "2025-09-11", "\t",
                                          "%YAML 1.1\n", "\ufeff", "\x00", "é"]),
                         max_size=80).map(lambda parts: "".join(parts).encode("utf-8"))
    _run(tmp_path, "text+bytes", _in_a_slot(st.one_of(text, st.binary(max_size=400), near_yaml)), n)


# -- random YAML documents -----------------------------------------------------------

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
    st.text(max_size=20), st.dates().map(str), st.sampled_from(["yes", "no", "on", "~", "2025-02-30", "2025-09",
                                                                "2021-06-05T00:00:00", "impose", "US-OFAC"]),
)
_DOCS = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), inner,
                                            max_size=6)),
    max_leaves=30,
)


@pytest.mark.parametrize("n", MODES)
def test_random_yaml_documents(tmp_path, n):
    docs = _DOCS.map(lambda d: yaml.dump(d, Dumper=_DUMPER, allow_unicode=True).encode("utf-8"))
    _run(tmp_path, "yaml documents", _in_a_slot(docs), n)


# -- mutations of the bundled registry ------------------------------------------------


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.extend(_paths(v, prefix + (k,)))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.extend(_paths(v, prefix + (i,)))
    return out


def _get(doc: Any, path: tuple) -> Any:
    for p in path:
        doc = doc[p]
    return doc


_OTHER_TYPES = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False),
                         st.just([]), st.just({}), st.lists(st.text(max_size=5), max_size=2),
                         st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2),
                         st.sampled_from(["", " ", "2025-02-30", "2025-13-01", "20250911", "2025-9-1", "yes",
                                          "impose", "lifted", "US-OFAC", "S1", "x" * 300]),
                         st.dates().map(str))


@st.composite
def _mutated(draw) -> dict[str, bytes]:
    files = dict(FILES)
    for _ in range(draw(st.integers(1, 3))):
        rel = draw(st.sampled_from(sorted(files)))
        data = files[rel]
        op = draw(st.sampled_from(["delete key", "swap type", "shuffle dates", "cut", "duplicate item",
                                   "duplicate id", "copy file", "delete file", "rename file"]))
        if op == "cut":
            files[rel] = data[: draw(st.integers(0, max(0, len(data) - 1)))]
            continue
        if op == "delete file":
            del files[rel]
            continue
        if op in ("copy file", "rename file"):
            folder = rel.rsplit("/", 1)[0] if "/" in rel else "measures"
            new = f"{folder}/{draw(st.sampled_from(['copy', 'z-copy', rel.rsplit('/', 1)[-1][:-5] + '-2']))}.yaml"
            files[new] = data
            if op == "rename file":
                del files[rel]
            continue
        try:
            doc = yaml.load(data, Loader=_YAML)
        except yaml.YAMLError:
            continue  # already broken by an earlier mutation
        paths = _paths(doc)
        if op == "delete key":
            keyed = [p for p in paths if p and isinstance(p[-1], str)]
            if keyed:
                p = draw(st.sampled_from(keyed))
                del _get(doc, p[:-1])[p[-1]]
        elif op == "swap type":
            p = draw(st.sampled_from(paths))
            if p:
                _get(doc, p[:-1])[p[-1]] = draw(_OTHER_TYPES)
            else:
                doc = draw(_OTHER_TYPES)
        elif op == "shuffle dates":
            dated = [p for p in paths if p and isinstance(_get(doc, p), (dt.date, str))
                     and str(_get(doc, p))[:2] in ("19", "20") and len(str(_get(doc, p))) == 10]
            if len(dated) >= 2:
                values = [_get(doc, p) for p in dated]
                values = draw(st.permutations(values))
                for p, v in zip(dated, values):
                    _get(doc, p[:-1])[p[-1]] = v
        elif op == "duplicate item":
            lists = [p for p in paths if isinstance(_get(doc, p), list) and _get(doc, p)]
            if lists:
                seq = _get(doc, draw(st.sampled_from(lists)))
                seq.append(seq[draw(st.integers(0, len(seq) - 1))])
        elif op == "duplicate id":
            ids = [p for p in paths if p and p[-1] in ("id", "code", "transition")]
            if len(ids) >= 2:
                a, b = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
                _get(doc, a[:-1])[a[-1]] = _get(doc, b)
        files[rel] = yaml.dump(doc, Dumper=_DUMPER, allow_unicode=True, sort_keys=False).encode("utf-8")
    return files


@pytest.mark.parametrize("n", MODES_SLOW)
def test_mutations_of_the_bundled_registry(tmp_path, n):
    _run(tmp_path, "mutations", _mutated(), n)


@pytest.mark.parametrize("n", MODES_SLOW)
def test_line_level_mutations_of_the_bundled_files(tmp_path, n):
    """Cut, repeat, swap and re-indent lines of one bundled file (text-level, no YAML round trip)."""

    @st.composite
    def lines(draw) -> dict[str, bytes]:
        files = dict(FILES)
        rel = draw(st.sampled_from(sorted(files)))
        rows = files[rel].decode("utf-8").splitlines(keepends=True)
        for _ in range(draw(st.integers(1, 4))):
            if not rows:
                break
            i = draw(st.integers(0, len(rows) - 1))
            op = draw(st.sampled_from(["drop", "repeat", "swap", "indent", "dedent", "tab", "splice"]))
            if op == "drop":
                del rows[i]
            elif op == "repeat":
                rows.insert(i, rows[i])
            elif op == "swap":
                j = draw(st.integers(0, len(rows) - 1))
                rows[i], rows[j] = rows[j], rows[i]
            elif op == "indent":
                rows[i] = "  " + rows[i]
            elif op == "dedent":
                rows[i] = rows[i].lstrip(" ")
            elif op == "tab":
                rows[i] = "\t" + rows[i]
            else:
                rows[i] = rows[i][: draw(st.integers(0, len(rows[i])))] + draw(st.text(max_size=5)) + "\n"
        files[rel] = "".join(rows).encode("utf-8", "surrogatepass")
        return files

    _run(tmp_path, "line mutations", lines(), n)


# -- the JSON export, the other way a registry is read (``--registry FILE.json``) -----------------

_EXPORT: dict[str, Any] = {}


def _export() -> dict[str, Any]:
    if not _EXPORT:
        buf = io.StringIO()
        dump_json(sanctrack.load(cache=False), buf)
        _EXPORT.update(json.loads(buf.getvalue()))
    return _EXPORT


@st.composite
def _json_mutants(draw) -> str:
    doc = copy.deepcopy(_export())
    paths = _paths(doc)[1:]
    for _ in range(draw(st.integers(1, 3))):
        p = draw(st.sampled_from(paths))
        try:
            parent = _get(doc, p[:-1])
            if isinstance(parent, dict) and draw(st.booleans()):
                del parent[p[-1]]
            else:
                parent[p[-1]] = draw(_OTHER_TYPES)
        except (KeyError, IndexError, TypeError):
            pass  # the path went away with an earlier mutation
    text = json.dumps(doc, default=str)
    if draw(st.integers(0, 4)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    return text


@pytest.mark.parametrize("n", MODES_SLOW)
def test_mutations_of_the_json_export(n):
    @_settings(n)
    @given(_json_mutants())
    def fuzz(text: str) -> None:
        COUNTS["json export"] += 1
        try:
            reg = load_json(io.StringIO(text))
        except RegistryError as exc:
            assert exc.problems and str(exc)
            return
        assert len(reg.measures) == len(_export()["registry"]["measures"])

    fuzz()


def test_json_export_regressions(tmp_path):
    """Found by fuzzing: these raised RecursionError, UnicodeDecodeError and TypeError (the CLI exited 70)."""
    wrong_shape = copy.deepcopy(_export())
    wrong_shape["registry"]["measures"][0]["transitions"] = 5
    cases = {"deep.json": ("[" * 100_000 + "]" * 100_000).encode(), "bytes.json": b"\xff\xfe{}",
             "shape.json": json.dumps(wrong_shape).encode()}
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(RegistryError) as info:
            load_json(path)
        assert info.value.problems[0].path == str(path)


def test_an_unmutated_copy_loads_whole(tmp_path):
    """The control: the bundled files, copied as they are, load (so the fuzz starts from a valid registry)."""
    root = _write(tmp_path / "reg", FILES)
    reg = sanctrack.load(root, cache=False)
    assert reg.digest == sanctrack.load(cache=False).digest
    assert len(reg.measures) == sum(1 for k in FILES if k.startswith("measures/"))
