"""The load cache: a verified JSON copy of registries that loaded with no problem."""

from __future__ import annotations

import array
import base64
import datetime as _dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

import sanctrack
from sanctrack import RegistryError, _cache, _columnar, _loader

MEASURE = "measures/us-ofac-acme-sdn.yaml"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SANCTRACK_CACHE_DIR", str(folder))
    monkeypatch.delenv("SANCTRACK_CACHE", raising=False)
    return folder


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("registry-*.json")) if folder.is_dir() else []


def read_entry(entry: Path) -> dict:
    """The JSON body of an entry (its first line is the signature)."""
    return json.loads(entry.read_bytes().partition(b"\n")[2])


def write_entry(entry: Path, doc: dict, *, sign: bool) -> None:
    """Write an entry; ``sign`` signs it with the cache's own secret, as an attacker holding it would."""
    body = json.dumps(doc).encode()
    secret = (entry.parent / "secret").read_bytes() if sign else b"\0" * 32
    entry.write_bytes(_cache._sign(secret, body) + b"\n" + body)


@pytest.fixture
def no_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make parsing YAML impossible: only a cache hit can load now."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the YAML was parsed")

    monkeypatch.setattr(_loader, "load_records", refuse)


def _answers(reg: sanctrack.Registry) -> list:
    out = []
    for m in reg.measures:
        for on in ("2024-01-09", "2024-01-10", "2024-02-01", "2024-05-01", "2024-06-01"):
            s = reg.state(m.id, on)
            out.append((m.id, on, s.status, [r.transition.id for r in s.reliefs], s.version, s.valid))
        out.append([(v.status, v.valid) for v in reg.history(m.id)])
    out.append([(d.release.id, [lt.transition.id for lt in d.links]) for d in reg.deals()])
    return out


def test_first_load_writes_an_entry_and_the_second_is_a_hit(root: Path, cache: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    first = sanctrack.load(root)
    (entry,) = entries(cache)
    doc = read_entry(entry)
    assert doc["format"] == _cache.FORMAT and doc["digest"] == first.digest
    assert entry.name == f"registry-{doc['key']}.json"
    monkeypatch.setattr(_loader, "load_records", lambda *a, **k: (_ for _ in ()).throw(AssertionError("parsed")))
    second = sanctrack.load(root)
    assert second.digest == first.digest
    assert _answers(second) == _answers(first)


def test_cached_answers_equal_uncached_answers_on_the_bundled_registry(cache: Path) -> None:
    uncached = sanctrack.load(cache=False)
    assert entries(cache) == []
    sanctrack.load()  # writes
    cached = sanctrack.load()  # reads
    assert cached.digest == uncached.digest
    days = sorted({t.when for t in uncached.transitions})
    for m in uncached.measures:
        for d in days:
            a, b = uncached.state(m.id, d), cached.state(m.id, d)
            assert (a.status, a.reliefs, a.pending, a.version, a.valid) == \
                   (b.status, b.reliefs, b.pending, b.version, b.valid)
    # the knowledge date (the latest recorded) comes with the entry: the same marks, without making every record
    assert cached.knowledge == uncached.knowledge == _dt.date(2026, 12, 5)
    for m in uncached.measures:
        for d in (_dt.date(2026, 12, 5), _dt.date(2026, 12, 6), _dt.date(2027, 3, 1)):
            a, b = uncached.state(m.id, d), cached.state(m.id, d)
            assert (a.knowledge, a.projection, a.scheduled) == (b.knowledge, b.projection, b.scheduled)
            assert (a.basis, a.lapsed) == (b.basis, b.lapsed)
    assert cached.deals() == uncached.deals()
    assert [t.id for t in cached.transitions] == [t.id for t in uncached.transitions]


def test_any_change_to_any_file_invalidates(root: Path, cache: Path) -> None:
    before = sanctrack.load(root)
    text = (root / MEASURE).read_text()
    (root / MEASURE).write_text(text.replace("effective: 2024-06-01", "effective: 2024-06-02"))
    after = sanctrack.load(root)
    assert after.digest != before.digest
    assert str(after.state("us-ofac-acme-sdn", "2024-06-01").status) == "in_force"
    assert len(entries(cache)) == 2


def test_a_comment_changes_the_key_but_not_the_digest(root: Path, cache: Path) -> None:
    before = sanctrack.load(root)
    with open(root / "registry.yaml", "a") as fh:
        fh.write("# a comment\n")
    after = sanctrack.load(root)
    assert after.digest == before.digest
    assert len(entries(cache)) == 2


def test_cache_never_hides_a_problem(root: Path, cache: Path) -> None:
    sanctrack.load(root)
    text = (root / MEASURE).read_text()
    (root / MEASURE).write_text(text.replace("effective: 2024-06-01", "effective: 2024-06-31"))
    with pytest.raises(RegistryError) as info:
        sanctrack.load(root)
    assert "invalid date '2024-06-31'" in str(info.value)
    assert len(entries(cache)) == 1  # a registry with problems is never cached


@pytest.mark.parametrize("garbage", [b"", b"{", b"\xff\xfe", b"[]", b'{"format": 1}', b"null",
                                     b"[" * 100_000])
def test_corrupt_entry_is_ignored_and_rewritten(root: Path, cache: Path, garbage: bytes) -> None:
    good = sanctrack.load(root)
    (entry,) = entries(cache)
    entry.write_bytes(garbage)
    again = sanctrack.load(root)
    assert again.digest == good.digest
    assert read_entry(entry)["digest"] == good.digest  # rebuilt from the YAML


def test_foreign_entry_is_ignored(root: Path, cache: Path, tmp_path: Path) -> None:
    """An entry written under another cache directory (another secret) is never read."""
    elsewhere = tmp_path / "elsewhere"
    good = sanctrack.load(root, cache_dir=elsewhere)
    (foreign,) = entries(elsewhere)
    cache.mkdir(parents=True)
    (cache / "secret").write_bytes(b"s" * 32)
    (cache / "secret").chmod(0o600)  # a secret of any other mode switches the cache off
    shutil.copy(foreign, cache / foreign.name)
    assert sanctrack.load(root).digest == good.digest
    body = read_entry(cache / foreign.name)  # rewritten, signed with this cache's secret
    assert body["digest"] == good.digest
    assert (cache / foreign.name).read_bytes() != foreign.read_bytes()


def test_a_miss_parses_the_yaml(root: Path, cache: Path, no_yaml: None) -> None:
    with pytest.raises(AssertionError):
        sanctrack.load(root)  # nothing cached yet: the YAML must be parsed


def column(doc: dict, kind: str, field: str) -> list:
    """The values of one column of an entry, as a plain list (whatever form it is stored in)."""
    table = doc[kind]
    names = [name for name, _codec in doc["schema"][type_of[kind]]]
    col = table["columns"][names.index(field)]
    if isinstance(col, dict):
        col = [col["all"]] * table["n"] if "all" in col else \
            [col["keys"][i] for i in _columnar.indexes(col, table["n"])]
    return col


def set_column(doc: dict, kind: str, field: str, values: list) -> None:
    names = [name for name, _codec in doc["schema"][type_of[kind]]]
    doc[kind]["columns"][names.index(field)] = values


type_of = {kind: cls.__name__ for kind, cls in _columnar.KINDS.items()}


def test_tampered_records_without_the_secret_are_rejected(root: Path, cache: Path) -> None:
    good = sanctrack.load(root)
    (entry,) = entries(cache)
    doc = read_entry(entry)
    ids = column(doc, "transitions", "id")
    n = ids.index("us-ofac-acme-sdn.lift")
    for field in ("effective", "recorded"):
        values = column(doc, "transitions", field)
        values[n] = "2024-05-15"  # still a valid registry, but not these files
        set_column(doc, "transitions", field, values)
    write_entry(entry, doc, sign=False)
    again = sanctrack.load(root)
    assert again.digest == good.digest
    assert str(again.state("us-ofac-acme-sdn", "2024-05-20").status) == "in_force"
    assert column(read_entry(entry), "transitions", "effective")[n] == "2024-06-01"  # rewritten


def test_an_entry_signed_with_the_secret_is_believed(root: Path, cache: Path, tmp_path: Path) -> None:
    """The trust boundary (see the module docstring of sanctrack._cache): whoever holds the
    secret can make a hit answer anything, here another registry's records under these
    files' key. The digest is not recomputed on a hit (that was most of its cost)."""
    other = tmp_path / "other"
    shutil.copytree(root, other)
    text = (other / MEASURE).read_text()
    (other / MEASURE).write_text(text.replace("effective: 2024-06-01", "effective: 2024-07-01"))
    foreign = sanctrack.load(other)
    (foreign_entry,) = entries(cache)
    mine = sanctrack.load(root)
    entry = next(e for e in entries(cache) if e != foreign_entry)
    doc = read_entry(foreign_entry)
    doc["key"] = read_entry(entry)["key"]  # claims to be these files' entry, keeps its own digest
    write_entry(entry, doc, sign=True)
    forged = sanctrack.load(root)
    assert forged.digest == foreign.digest != mine.digest
    assert str(forged.state("us-ofac-acme-sdn", "2024-06-15").status) == "in_force"
    assert str(sanctrack.load(root, cache=False).state("us-ofac-acme-sdn", "2024-06-15").status) == "lifted"


def _duplicate_id(doc: dict) -> None:
    ids = column(doc, "transitions", "id")
    ids[1] = ids[0]
    set_column(doc, "transitions", "id", ids)


def _unknown_measure(doc: dict) -> None:
    measures = column(doc, "transitions", "measure")
    measures[0] = "no-such-measure"
    set_column(doc, "transitions", "measure", measures)


def _short_column(doc: dict) -> None:
    set_column(doc, "transitions", "note", column(doc, "transitions", "note")[:-1])


def _more_records(doc: dict) -> None:
    doc["transitions"]["n"] += 1


def _as_index_column(doc: dict, kind: str, field: str, shift: int = 0) -> dict:
    """Store a column as keys and indexes (each index + ``shift``); the stored column."""
    values = column(doc, kind, field)
    keys = sorted(set(values))
    idx = array.array("B", [keys.index(v) + shift for v in values])
    col = {"keys": keys, "width": 1, "idx": base64.b64encode(idx.tobytes()).decode()}
    set_column(doc, kind, field, col)
    return col


def _a_valid_index_column(doc: dict) -> None:  # the control: this damage is no damage
    _as_index_column(doc, "transitions", "measure")


def _index_out_of_range(doc: dict) -> None:
    _as_index_column(doc, "transitions", "measure", shift=1)  # the last points one past the keys


def _index_column_too_short(doc: dict) -> None:
    col = _as_index_column(doc, "transitions", "measure")
    col["idx"] = base64.b64encode(base64.b64decode(col["idx"])[:-1]).decode()


def _index_not_base64(doc: dict) -> None:
    _as_index_column(doc, "transitions", "measure")["idx"] = "not base64!"


def _unknown_action(doc: dict) -> None:
    actions = column(doc, "transitions", "action")
    actions[0] = "pardon"
    set_column(doc, "transitions", "action", actions)


def _bad_date(doc: dict) -> None:
    days = column(doc, "transitions", "recorded")
    days[0] = "2024-02-30"
    set_column(doc, "transitions", "recorded", days)


def _other_schema(doc: dict) -> None:
    doc["schema"]["Transition"][-1] = ["remark", "v"]  # written by a sanctrack with other record types


def _old_format(doc: dict) -> None:
    doc["format"] = 1


@pytest.mark.parametrize("damage", [_duplicate_id, _unknown_measure, _short_column, _more_records,
                                    _index_out_of_range, _index_column_too_short, _index_not_base64,
                                    _unknown_action, _bad_date, _other_schema, _old_format])
def test_an_inconsistent_entry_is_rejected_even_signed(root: Path, cache: Path, damage: Any) -> None:
    """Mistakes the signature cannot catch (a writer bug, another sanctrack's entry) are misses."""
    good = sanctrack.load(root)
    (entry,) = entries(cache)
    original = read_entry(entry)
    doc = read_entry(entry)
    damage(doc)
    write_entry(entry, doc, sign=True)
    assert _cache.get(original["key"], cache) is None
    again = sanctrack.load(root)
    assert again.digest == good.digest
    assert read_entry(entry) == original  # parsed from the YAML and rewritten


def test_an_index_column_is_read(root: Path, cache: Path) -> None:
    """The control of the damage above: a well-formed keys-and-indexes column is a hit."""
    good = sanctrack.load(root)
    (entry,) = entries(cache)
    doc = read_entry(entry)
    _a_valid_index_column(doc)
    write_entry(entry, doc, sign=True)
    hit = _cache.get(doc["key"], cache)
    assert hit is not None and hit.digest == good.digest
    assert [t.measure for t in hit.transitions] == [t.measure for t in good.transitions]


def test_tampered_key_field_is_ignored(root: Path, cache: Path) -> None:
    good = sanctrack.load(root)
    (entry,) = entries(cache)
    doc = read_entry(entry)
    doc["key"] = "0" * 64
    write_entry(entry, doc, sign=True)
    assert sanctrack.load(root).digest == good.digest
    assert read_entry(entry)["key"] != "0" * 64  # rewritten


def test_secret_is_private(root: Path, cache: Path) -> None:
    sanctrack.load(root)
    assert (cache / "secret").stat().st_mode & 0o077 == 0
    assert len((cache / "secret").read_bytes()) == 32


def test_disabled_by_argument(root: Path, cache: Path) -> None:
    sanctrack.load(root, cache=False)
    assert entries(cache) == []


def test_disabled_by_environment(root: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTRACK_CACHE", "0")
    sanctrack.load(root)
    assert entries(cache) == []
    assert sanctrack.load(root, cache=True) is not None  # the argument wins
    assert len(entries(cache)) == 1


def test_cache_dir_argument_and_xdg(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SANCTRACK_CACHE_DIR", raising=False)
    monkeypatch.delenv("SANCTRACK_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    sanctrack.load(root)
    assert len(entries(tmp_path / "xdg" / "sanctrack")) == 1
    sanctrack.load(root, cache_dir=tmp_path / "mine")
    assert len(entries(tmp_path / "mine")) == 1
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _cache.cache_dir() == tmp_path / "home" / ".cache" / "sanctrack"


def test_unwritable_cache_dir_still_loads(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("SANCTRACK_CACHE_DIR", str(blocker / "sub"))
    assert sanctrack.load(root).info.name == "fixture"


def test_key_covers_paths_bytes_and_limits() -> None:
    a = _cache.key_of([("a.yaml", b"x: 1\n")])
    assert a == _cache.key_of([("a.yaml", b"x: 1\n")])
    assert a != _cache.key_of([("b.yaml", b"x: 1\n")])
    assert a != _cache.key_of([("a.yaml", b"x: 2\n")])
    assert a != _cache.key_of([("a.yaml", b"x: 1\n")], limits=(1,))
    # no ambiguity in how paths and bytes are joined
    assert _cache.key_of([("a", b"bc")]) != _cache.key_of([("ab", b"c")])


def test_old_entries_are_pruned(root: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_cache, "MAX_ENTRIES", 3)
    text = (root / "registry.yaml").read_text()
    keys = []
    for n in range(5):
        (root / "registry.yaml").write_text(text + f"# edit {n}\n")
        sanctrack.load(root)
        keys.append(_cache.key_of(_loader.registry_files(root, []), limits=(_loader.MAX_DEPTH, _loader.MAX_NODES)))
        entry = cache / f"registry-{keys[-1]}.json"
        os.utime(entry, ns=(n * 10**9, n * 10**9))  # a clear order, whatever the clock's resolution
    assert sorted(read_entry(e)["key"] for e in entries(cache)) == sorted(keys[2:])


def test_a_hit_leaves_the_garbage_collector_as_it_found_it(root: Path, cache: Path) -> None:
    import gc

    sanctrack.load(root)  # writes
    assert gc.isenabled()
    assert sanctrack.load(root, cache=True) is not None and gc.isenabled()
    gc.disable()
    try:
        assert sanctrack.load(root, cache=True) is not None and not gc.isenabled()
    finally:
        gc.enable()
