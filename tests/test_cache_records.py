"""A cache hit restores exactly the records the YAML gives: equal, field for field, type for type."""

from __future__ import annotations

import datetime as _dt
import json
import tempfile
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

import sanctrack
from sanctrack import Registry, _columnar_read, _loader, strategies
from sanctrack._dump import write_registry
from sanctrack._model import Action, Confidence, Figure, Scope

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


def entry_of(folder: Path) -> dict[str, Any]:
    (entry,) = folder.glob("registry-*.json")
    doc: dict[str, Any] = json.loads(entry.read_bytes().partition(b"\n")[2])
    return doc


def parsed_records(root: Path) -> Any:
    problems: list[Any] = []
    files = _loader.registry_files(root, problems)
    records, _index = _loader.load_records(root, files, problems)
    assert problems == []
    return records


def check_round_trip(root: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Registry:
    """Load ``root`` (writing the entry), then compare the entry's records and a real hit with the YAML's."""
    parsed = sanctrack.load(root, cache=False)
    sanctrack.load(root, cache=True, cache_dir=folder)  # writes the entry
    restored = _loader.Records(**_columnar_read.records(entry_of(folder)))
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
def test_generated_registries_round_trip_exactly(records: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "reg"
        write_registry(Registry.build(**records), root)
        check_round_trip(root, Path(tmp) / "cache", monkeypatch)
