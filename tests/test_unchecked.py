"""The load cache's constructor that skips validators gives what attrs' constructors give; the pause nests.

:mod:`sanctrack._unchecked` holds the only constructor of the loader and the
load cache that does not run a record's validators, :func:`records_from_columns`
(every record of a warm load, a load cache hit). It must give the record ``cls(...)`` gives for
the same values: equal, field for field and type for type.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sanctrack
from sanctrack import Measure, Registry, Transition, _cache, _columnar_read, strategies
from sanctrack._model import (
    Authority,
    Entity,
    Figure,
    Instrument,
    Link,
    RegistryInfo,
    Release,
    Scope,
    Source,
)
from sanctrack._unchecked import (
    collection_paused,
    records_from_columns,
    slot_setters,
)

from .test_cache_records import entry_of, same

RECORD_TYPES = (RegistryInfo, Authority, Entity, Instrument, Source, Measure, Transition, Release, Link, Scope,
                Figure)
KINDS = ("authorities", "entities", "instruments", "sources", "measures", "transitions", "releases", "links")
_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def every_record(records: Any) -> Iterator[Any]:
    """Every record of a registry's records (``Records``, a registry or ``registry_records()``), nested ones too."""
    def get(kind: str) -> Any:
        return records[kind] if isinstance(records, dict) else getattr(records, kind)

    if get("info") is not None:
        yield get("info")
    for kind in KINDS:
        for record in get(kind):
            yield record
            if type(record) is Transition and record.scope is not None:
                yield record.scope
            if type(record) is Release:
                yield from record.figures


def values(record: Any) -> dict[str, Any]:
    return {a.name: getattr(record, a.name) for a in attrs.fields(type(record))}


def by_attrs(record: Any) -> Any:
    """The record attrs' constructor makes of ``record``'s field values."""
    return type(record)(**values(record))


# -- records_from_columns: the records of a warm load --------------------------------------------


def rebuilt_in_columns(records: list[Any]) -> list[Any]:
    """``records`` (all of one class) made again by :func:`records_from_columns`, column by column."""
    cls = type(records[0])
    columns = [[getattr(r, a.name) for r in records] for a in attrs.fields(cls)]
    return records_from_columns(cls, len(records), columns)


def check_columns_give_attrs_records(records: Iterator[Any]) -> set[type]:
    by_class: dict[type, list[Any]] = {}
    for r in records:
        by_class.setdefault(type(r), []).append(r)
    for rs in by_class.values():
        for fast, r in zip(rebuilt_in_columns(rs), rs, strict=True):
            slow = by_attrs(r)
            same(fast, slow, type(r).__name__)
            assert hash(fast) == hash(slow) and repr(fast) == repr(slow)
    return set(by_class)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.registry_records(max_size=4, with_corrections=True, with_pending=True, with_windows=True,
                                   recorded_lag=20))
def test_generated_records_made_from_columns_equal_attrs_records(records: dict[str, Any]) -> None:
    check_columns_give_attrs_records(every_record(records))


_WORDS = st.sampled_from(["flights", "humanitarian trade", "\u00e9t\u00e9", "wind-down", "x"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.builds(Scope, authorises=st.none() | _WORDS, excludes=st.lists(_WORDS, max_size=3).map(tuple)),
                min_size=1, max_size=5))
def test_generated_scopes_made_from_columns_equal_attrs_records(scopes: list[Scope]) -> None:
    assert check_columns_give_attrs_records(iter(scopes)) == {Scope}  # registry_records() makes no scope


def test_bundled_records_made_from_columns_equal_attrs_records() -> None:
    seen = check_columns_give_attrs_records(every_record(sanctrack.load(cache=False)))
    assert seen == set(RECORD_TYPES)  # the bundled registry has a record of every type


def test_a_warm_load_restores_records_equal_to_attrs_records(tmp_path: Path) -> None:
    """The whole path of a cache hit: JSON columns decoded, then made by records_from_columns."""
    sanctrack.load(cache=True, cache_dir=tmp_path)  # writes the entry
    restored = _columnar_read.records(entry_of(tmp_path))
    seen = set()
    for record in every_record(restored):
        seen.add(type(record))
        same(record, by_attrs(record), type(record).__name__)
    assert seen == set(RECORD_TYPES)
    hit = _cache.get(entry_of(tmp_path)["key"], tmp_path)
    assert type(hit) is Registry
    for record in every_record(hit):
        same(record, by_attrs(record), type(record).__name__)


def test_zero_records_and_a_wrong_number_of_columns() -> None:
    assert records_from_columns(Scope, 0, [[], []]) == []
    with pytest.raises(ValueError, match="1 columns for the 2 fields of Scope"):
        records_from_columns(Scope, 1, [["x"]])


def test_only_classes_whose_state_is_their_slotted_fields_can_be_filled() -> None:
    @attrs.frozen(slots=True, cache_hash=True)  # a hidden slot filling would leave unset
    class Hashed:
        name: str

    @attrs.frozen(slots=False)
    class Plain:
        name: str

    for cls in (Hashed, Plain):
        with pytest.raises(TypeError, match="not exactly one slot per field"):
            slot_setters(cls)
    assert len(slot_setters(Transition)) == len(attrs.fields(Transition))


# -- collection_paused ------------------------------------------------------------------------------


@pytest.fixture
def collector() -> Iterator[None]:
    was = gc.isenabled()
    try:
        yield
    finally:
        gc.enable() if was else gc.disable()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_pause_nests_and_restores_the_collector_as_it_found_it(collector: None, enabled: bool) -> None:
    gc.enable() if enabled else gc.disable()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still holds the pause
    assert gc.isenabled() is enabled
    with pytest.raises(ZeroDivisionError), collection_paused():
        _ = 1 / 0
    assert gc.isenabled() is enabled


def test_overlapping_pauses_in_threads_resume_the_collector_once_all_end(collector: None) -> None:
    gc.enable()
    inside, leave = threading.Barrier(3), threading.Event()

    def pause() -> None:
        with collection_paused():
            inside.wait()
            leave.wait()

    threads = [threading.Thread(target=pause) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait()
    assert not gc.isenabled()
    leave.set()
    for t in threads:
        t.join()
    assert gc.isenabled()
