"""Answers in words and as CSV rows: what a table cell or a CSV field says about a state."""

from __future__ import annotations

import pytest

import sanctrack
from sanctrack import _format as fmt


@pytest.fixture(scope="module")
def bundled() -> sanctrack.Registry:
    return sanctrack.load()


def test_a_relieved_state_in_words(bundled: sanctrack.Registry) -> None:
    s = bundled.state("us-ofac-belavia-sdn", "2025-09-20")  # GL 11 in force, the lift announced
    assert fmt.status_text(s) == "relieved"
    assert fmt.licences_text(s) == "GL 11"
    assert fmt.instrument_label(bundled, s) == "GL 11"
    assert fmt.cause_text(bundled, s) == "relieve"
    assert fmt.short_state(s) == "relieved [GL 11] +pending"


def test_a_measure_that_did_not_exist_yet_is_a_dash(bundled: sanctrack.Registry) -> None:
    assert fmt.short_state(bundled.state("us-ofac-belavia-sdn", "2000-01-01")) == "—"


def test_a_state_as_a_csv_row(bundled: sanctrack.Registry) -> None:
    row = fmt.state_row(bundled, bundled.state("us-ofac-belavia-sdn", "2025-09-20"))
    assert tuple(row) == fmt.STATE_COLUMNS
    assert row == {
        "measure": "us-ofac-belavia-sdn", "authority": "US-OFAC", "kind": "blocking", "program": "BELARUS-EO14038",
        "targets": "belavia", "status": "relieved", "in_force": "true", "valid_from": "2025-09-11",
        "valid_to": "2025-11-04", "version": "3", "licences": "GL 11", "instrument": "GL 11",
        "transition": "us-ofac-belavia-sdn.gl11", "pending": "us-ofac-belavia-sdn.announce-2025-09-11",
        "uncertain": "false", "digest": bundled.digest, "knowledge": bundled.knowledge.isoformat(),
        "projection": "false", "scheduled": "false", "basis": "us-ofac-belavia-sdn.gl11", "lapsed": "",
    }


def test_csv_text_quotes_what_needs_quoting_and_ends_lines_with_newlines() -> None:
    assert fmt.csv_text(("a", "b"), [{"a": "x,y", "b": "1"}, {"a": "z", "b": ""}]) == 'a,b\n"x,y",1\nz,\n'


def test_an_instrument_label_by_id(bundled: sanctrack.Registry) -> None:
    assert fmt.label_of(bundled, "ofac-gl-11") == "GL 11"
    assert fmt.label_of(bundled, "no-such-instrument") == "no-such-instrument"
    assert fmt.label_of(bundled, None) == ""


def test_the_footer_names_the_registry_and_a_short_digest(bundled: sanctrack.Registry) -> None:
    assert fmt.footer(bundled, "3 things") == f"# 3 things · belarus {bundled.digest[:19]}…\n"


def test_the_deals_ledger_lists_every_release(bundled: sanctrack.Registry) -> None:
    deals = bundled.deals()
    text = fmt.deals_ledger(bundled, deals)
    for d in deals:
        assert d.release.date.isoformat() in text
    assert all(len(line) <= fmt.WIDTH or "://" in line for line in text.splitlines())


def test_the_formatting_module_gathers_the_documents_and_the_layout() -> None:
    from sanctrack import _answer_docs, _text_table

    assert fmt.state_doc is _answer_docs.state_doc and fmt.envelope is _answer_docs.envelope
    assert fmt.table is _text_table.table and fmt.block is _text_table.block
