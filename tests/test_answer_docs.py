"""The JSON documents of the answers: plain data, ISO dates, the envelope naming the registry."""

from __future__ import annotations

import datetime
import json

import pytest

import sanctrack
from sanctrack._answer_docs import JSON_SCHEMA_VERSION, dumps, envelope, iso, state_doc, transition_doc


@pytest.fixture(scope="module")
def bundled() -> sanctrack.Registry:
    return sanctrack.load()


def test_dates_are_iso_text_and_none_stays_none() -> None:
    assert iso(datetime.date(2025, 1, 2)) == "2025-01-02"
    assert iso(datetime.datetime(2021, 6, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))) \
        == "2021-06-05T00:00:00+02:00"
    assert iso(None) is None


def test_a_state_document(bundled: sanctrack.Registry) -> None:
    doc = state_doc(bundled, bundled.state("us-ofac-belavia-sdn", "2025-09-20"))
    assert {k: doc[k] for k in ("measure", "authority", "status", "in_force", "valid_from", "valid_to", "version",
                                "cause", "transition", "basis", "lapsed")} == {
        "measure": "us-ofac-belavia-sdn", "authority": "US-OFAC", "status": "relieved", "in_force": True,
        "valid_from": "2025-09-11", "valid_to": "2025-11-04", "version": 3, "cause": "relieve",
        "transition": "us-ofac-belavia-sdn.gl11", "basis": "us-ofac-belavia-sdn.gl11", "lapsed": []}
    assert doc["instrument"] == {"id": "ofac-gl-11", "kind": "general_licence", "label": "GL 11",
                                 "title": "Authorizing Transactions Involving Open Joint Stock Company Belavia "
                                          "Belarusian Airlines"}
    assert [r["label"] for r in doc["reliefs"]] == ["GL 11"]
    assert [(p["action"], p["announced"]) for p in doc["pending"]] == [("lift", "2025-09-11")]
    assert json.loads(dumps(doc)) == doc  # plain data all the way down


def test_a_transition_document_names_its_measure_and_dates(bundled: sanctrack.Registry) -> None:
    t = next(t for t in bundled.transitions if t.id == "us-ofac-belavia-sdn.gl11")
    doc = transition_doc(bundled, t)
    assert doc["id"] == "us-ofac-belavia-sdn.gl11" and doc["measure"] == "us-ofac-belavia-sdn"
    assert doc["action"] == "relieve" and doc["effective"] == "2025-09-11"


def test_the_envelope_says_which_registry_answered_which_query(bundled: sanctrack.Registry) -> None:
    doc = envelope(bundled, "state", {"on": "2025-09-20"}, {"r": 1})
    assert doc == {"schema": JSON_SCHEMA_VERSION, "sanctrack": sanctrack.__version__, "command": "state",
                   "query": {"on": "2025-09-20"},
                   "registry": {"name": "belarus", "version": bundled.info.version, "digest": bundled.digest},
                   "result": {"r": 1}}


def test_dumps_is_indented_utf8_json_with_a_final_newline() -> None:
    assert dumps({"a": "é", "b": [1]}) == '{\n  "a": "é",\n  "b": [\n    1\n  ]\n}\n'
