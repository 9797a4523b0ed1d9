"""A cache hit restores exactly the records the YAML gives: equal, field for field, type for type."""

from __future__ import annotations

import datetime as _dt
import enum
import json
import tempfile
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

import sanctrack
from sanctrack import Registry, _cache, _columnar, _loader, strategies
from sanctrack._dump import write_registry
from sanctrack._model import Action, Confidence, Figure, Scope, Transition

KINDS = ("authorities", "entities", "instruments", "sources", "measures", "transitions", "releases", "links")


def same(a: Any, b: Any, where: str = "") -> None:
    """``a`` and ``b`` are equal and of the same type, all the way down (tuples stay tuples...)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__} ({a!r} / {b!r})"
    if attrs.has(type(a)):
        for f in attrs.fields(type(a)):
            same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif type(a) is tuple:
        assert len(a) == len(b), f"{where}: {a!r} != {b!r}"
        for n, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{n}]")
    elif isinstance(a, _dt.datetime):
        assert (a, a.tzinfo, a.utcoffset()) == (b, b.tzinfo, b.utcoffset()), where
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"
    assert a == b, where


def same_records(cached: Any, parsed: Any) -> None:
    """Every record of every kind, in order (``Records`` or registries)."""
    same(cached.info, parsed.info, "info")
    for kind in KINDS:
        xs, ys = tuple(getattr(cached, kind)), tuple(getattr(parsed, kind))
        assert len(xs) == len(ys), kind
        for x, y in zip(xs, ys):
            same(x, y, f"{kind}[{getattr(y, 'id', None)}]")


def entry_of(folder: Path) -> dict:
    (entry,) = folder.glob("registry-*.json")
    return json.loads(entry.read_bytes().partition(b"\n")[2])


def parsed_records(root: Path) -> Any:
    problems: list = []
    files = _loader.registry_files(root, problems)
    records, _index = _loader.load_records(root, files, problems)
    assert problems == []
    return records


def check_round_trip(root: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Registry:
    """Load ``root`` (writing the entry), then compare the entry's records and a real hit with the YAML's."""
    parsed = sanctrack.load(root, cache=False)
    sanctrack.load(root, cache=True, cache_dir=folder)  # writes the entry
    restored = _columnar._records(entry_of(folder))
    same_records(restored, parsed_records(root))
    with monkeypatch.context() as m:
        m.setattr(_loader, "load_records", lambda *a, **k: (_ for _ in ()).throw(AssertionError("parsed")))
        hit = sanctrack.load(root, cache=True, cache_dir=folder)
    assert hit.digest == parsed.digest
    same_records(hit, parsed)
    return hit


def test_bundled_registry_round_trips_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hit = check_round_trip(_loader.bundled_path(), tmp_path / "cache", monkeypatch)
    # the bundled registry exercises every kind of field the entry format encodes
    ts = hit.transitions
    assert any(type(t.effective_at) is _dt.datetime for t in ts)
    assert any(t.changes for t in ts) and any(type(t.scope) is Scope for t in ts)
    assert any(t.effective_window is not None for t in ts) and any(t.until is not None for t in ts)
    assert any(t.effective is None for t in ts)  # a pending announcement
    assert {type(t.action) for t in ts} == {Action} and {type(t.confidence) for t in ts} == {Confidence}
    assert any(type(f) is Figure for r in hit.releases for f in r.figures)
    assert any(r.date_window is not None for r in hit.releases)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(records=strategies.registry_records(max_size=4, with_corrections=True, with_pending=True,
                                           with_windows=True, recorded_lag=20))
def test_generated_registries_round_trip_exactly(records: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "reg"
        write_registry(Registry.build(**records), root)
        check_round_trip(root, Path(tmp) / "cache", monkeypatch)


def test_schema_says_how_each_transition_field_is_stored() -> None:
    assert _columnar._schemas()["Transition"] == [
        ["id", "v"], ["measure", "v"], ["action", "e:Action"], ["recorded", "d"], ["effective", "d"],
        ["effective_at", "i"], ["announced", "d"], ["published", "d"], ["until", "d"],
        ["effective_window", "w"], ["instrument", "v"], ["scope", "r:Scope"], ["conditions", "t"],
        ["program", "v"], ["targets", "t"], ["changes", "c"], ["relief", "v"], ["confidence", "e:Confidence"],
        ["sources", "t"], ["corrects", "v"], ["note", "v"]]
    assert _columnar._schemas()["Release"][-2:] == [["figures", "R:Figure"], ["note", "v"]]


def test_columns_repeat_a_value_once_or_index_distinct_values() -> None:
    def column(values: list) -> Any:
        return _columnar._column([_columnar._frozen(v) for v in values], _columnar._thawed)

    assert column([]) == []
    assert column([None, None, None]) == {"all": None}
    # indexes: little-endian unsigned bytes [0, 0, 1, 0] in base64
    assert column([["a"], ["a"], ["b"], ["a"]]) == {"keys": [["a"], ["b"]], "width": 1, "idx": "AAABAA=="}
    assert column(["a", "b", "c"]) == ["a", "b", "c"]
    mixed = column([1, True, 1, True, [True], [1], 1, True])  # compared as JSON text: True == 1 in Python
    assert json.dumps(mixed["keys"]) == json.dumps([1, True, [True], [1]])
    assert list(_columnar._indexes(mixed, 8)) == [0, 1, 0, 1, 2, 3, 0, 1]
    assert json.dumps(column([True, 1, [1], [True]])) == json.dumps([True, 1, [1], [True]])
    days = [_dt.date(2024, 1, 1), None, _dt.date(2024, 1, 1), None]
    assert _columnar._column(days, _columnar._date_out) == {"keys": ["2024-01-01", None], "width": 1, "idx": "AAEAAQ=="}


@pytest.mark.parametrize("distinct, width", [(256, 1), (257, 2), (65536, 2), (65537, 4)])
def test_indexes_are_as_wide_as_needed(distinct: int, width: int) -> None:
    values = [f"v{i}" for i in range(distinct)] * 2
    col = _columnar._column(values, str)
    assert col["width"] == width and col["keys"] == values[:distinct]
    assert list(_columnar._indexes(col, len(values))) == list(range(distinct)) * 2
    with pytest.raises(ValueError):
        _columnar._indexes(col, len(values) + 1)


def test_true_and_one_stay_apart(tmp_path: Path) -> None:
    from sanctrack._model import Release
    def release(value: Any) -> Release:
        return Release(id="r1", date=_dt.date(2024, 1, 1), recorded=_dt.date(2024, 1, 1), count=value,
                       figures=(Figure("killed", value, True),))

    releases = [release(1), release(True), release(1), release(True)]  # equal records in Python
    doc = json.loads(json.dumps(_columnar._table(Release, releases)))
    for back, original in zip(_columnar._restore(Release, doc["n"], doc["columns"]), releases, strict=True):
        same(back, original)


def _transition(**kw: Any) -> Transition:
    base = dict(id="m.t1", measure="m", action="impose", recorded=_dt.date(2024, 1, 1),
                effective=_dt.date(2024, 1, 1))
    return Transition(**{**base, **kw})


@pytest.mark.parametrize("field, value", [
    ("sources", ["s1"]),  # a list where a tuple is declared
    ("recorded", _dt.datetime(2024, 1, 1, tzinfo=_dt.timezone.utc)),  # a datetime where a date is
    ("action", "impose"),  # text where an Action is
    ("effective_at", _dt.datetime(2024, 1, 1, tzinfo=_dt.timezone(_dt.timedelta(hours=1), "CET"))),  # a named zone
    ("note", 1.5),  # not a JSON value that comes back as itself
])
def test_a_value_that_would_not_come_back_exactly_is_not_written(field: str, value: Any, tmp_path: Path) -> None:
    t = _transition()
    object.__setattr__(t, field, value)  # past the validators, as a buggy importer might
    with pytest.raises(_columnar._Unsupported):
        _columnar._table(Transition, [t])
    records = _loader.Records(transitions=[t])
    assert _cache.put("0" * 64, records, "digest", tmp_path) is False
    assert list(tmp_path.glob("registry-*.json")) == []


def test_fixed_offsets_and_enums_are_restored_as_such() -> None:
    at = _dt.datetime(2024, 1, 1, 12, 30, 15, 250, tzinfo=_dt.timezone(-_dt.timedelta(hours=5, minutes=30)))
    t = _transition(effective_at=at, confidence="reported", until=_dt.date(2024, 2, 1),
                    scope=Scope(authorises="x", excludes=("y",)), changes={"title": (None, "new")},
                    effective_window=(_dt.date(2023, 12, 30), _dt.date(2024, 1, 2)))
    doc = json.loads(json.dumps(_columnar._table(Transition, [t, _transition(id="m.t2")])))
    back = _columnar._restore(Transition, doc["n"], doc["columns"])
    same(back[0], t)
    same(back[1], _transition(id="m.t2"))
    assert isinstance(back[0].confidence, enum.Enum)


def test_only_classes_whose_state_is_their_slotted_fields_are_stored() -> None:
    @attrs.frozen(slots=True, cache_hash=True)  # a hidden slot restoring would leave unset
    class Hashed:
        name: str

    @attrs.frozen(slots=False)
    class Plain:
        name: str

    for cls in (Hashed, Plain):
        with pytest.raises(_columnar._Unsupported):
            _columnar._schema(cls)
    assert [name for name, _codec in _columnar._schema(Transition)] == [a.name for a in attrs.fields(Transition)]
