"""The canonical document of a registry (sanctrack._canonical.canonical_document).

Built from the registry's public records, it is what the digest hashes: for a
registry that is not a view, ``digest_of(canonical_document(reg)) == reg.digest``;
for a view, it is the document of the records the view knows. It is the body of
the JSON export.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings

import sanctrack
from sanctrack import Registry
from sanctrack._canonical import canonical_document, digest_of, plain
from sanctrack.strategies import registries, registry_records

BUNDLED_DIGEST = "sha256:fe0d25a669e02ed29d41162b15e3029169bc1915d71d81de7656ade3815b9ebf"


def test_the_bundled_registrys_document_hashes_to_its_digest() -> None:
    reg = sanctrack.load(cache=False)
    doc = canonical_document(reg)
    assert digest_of(doc) == reg.digest == BUNDLED_DIGEST
    assert sorted(doc) == ["authorities", "entities", "info", "instruments", "measures", "releases", "sources"]
    assert doc["info"] == plain(reg.info)
    assert [m["id"] for m in doc["measures"]] == [m.id for m in reg.measures]
    belavia = next(m for m in doc["measures"] if m["id"] == "us-ofac-belavia-sdn")
    assert [t["id"] for t in belavia["transitions"]] == [
        "us-ofac-belavia-sdn.impose", "us-ofac-belavia-sdn.gl9", "us-ofac-belavia-sdn.announce-2025-09-11",
        "us-ofac-belavia-sdn.gl11", "us-ofac-belavia-sdn.lift"]
    assert all("measure" not in t for m in doc["measures"] for t in m["transitions"])
    assert [r["id"] for r in doc["releases"]] == sorted(r.id for r in reg.releases)


@settings(max_examples=60, deadline=None)
@given(registries(with_corrections=True, with_pending=True, with_windows=True, recorded_lag=30))
def test_the_document_of_any_registry_hashes_to_its_digest(reg: Registry) -> None:
    assert digest_of(canonical_document(reg)) == reg.digest


@settings(max_examples=30, deadline=None)
@given(registry_records(with_corrections=True, with_pending=True, recorded_lag=30))
def test_a_views_document_is_the_document_of_the_records_it_knows(records: dict) -> None:
    reg = Registry.build(**records)
    days = sorted({t.recorded for t in reg.transitions})
    y = days[len(days) // 2]
    view = reg.as_known_on(y)
    known = Registry.build(info=view.info, authorities=view.authorities, entities=view.entities,
                           instruments=view.instruments, sources=view.sources, measures=view.measures,
                           transitions=view.transitions, releases=view.releases, links=view.links)
    assert canonical_document(view) == canonical_document(known)
    assert digest_of(canonical_document(view)) == known.digest
    assert all(dt.date.fromisoformat(t["recorded"]) <= y
               for m in canonical_document(view)["measures"] for t in m["transitions"])


def test_an_amend_to_no_targets_keeps_its_empty_list() -> None:
    reg = sanctrack.load(cache=False)
    doc = canonical_document(reg)
    kept = [t for m in doc["measures"] for t in m["transitions"] if t.get("targets") == []]
    assert [t["id"] for t in kept] == [t.id for t in reg.transitions if t.targets == ()]
    assert all("targets" not in m or m["targets"] for m in doc["measures"])
