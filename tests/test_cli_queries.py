"""The query commands (``in-force``, ``state``, ``history``, ``changes``, ``diff``, ``explain``,
``compare``, ``deals``) run as a user runs them: answers from the bundled registry (facts of
FACTS.md §7) as tables, JSON and CSV, and the empty answers ("nothing found").
"""

from __future__ import annotations

import csv
import io
import json

import pytest

import sanctrack

from ._cli_run import lines, one_line, sanctrack_cmd


@pytest.fixture(scope="module")
def bundled() -> sanctrack.Registry:
    return sanctrack.load()


def test_in_force(bundled):
    code, out, err = sanctrack_cmd("in-force", "2025-09-20", "--target", "Belavia")
    assert (code, err) == (0, "")
    got = lines(out)
    assert got[0] == "MEASURE AUTHORITY STATUS SINCE LICENCES INSTRUMENT"
    assert "us-ofac-belavia-sdn US-OFAC relieved 2025-09-11 GL 11 GL 11" in got
    # the state holds since the EU's February 2025 renewal (a dated extend since FACTS §8, 2026-12-05)
    assert any(line.startswith("eu-belarus-airspace-ban EU in_force 2025-02-28 —") for line in got)
    assert any(line.startswith("us-bis-belarus-aircraft-licence-req US-BIS relieved 2025-09-12") for line in got)
    assert not any(line.startswith("us-bis-belavia-tdo") for line in got)  # lapsed 2024-12
    rows = [line for line in out.splitlines()[1:-1] if not line.startswith(" ")]  # not continuation lines
    assert got[-1] == f"# {len(rows)} in force on 2025-09-20 · belarus {bundled.digest[:19]}…"
    assert len(rows) == 6
    assert max(len(line) for line in out.splitlines()) <= 100


def _table_rows(text: str, anchor: int) -> list[list[str]]:
    """A CLI table's rows, each cell's continuation lines joined (after a hyphen with nothing between).

    Columns start where the header's words do; a row begins on a line whose ``anchor`` column
    is filled (a column that never wraps)."""
    head, *body = [line for line in text.splitlines() if not line.startswith("#")]
    starts = [i for i, c in enumerate(head) if c != " " and (i == 0 or head[i - 1] == " ")
              and (i < 2 or head[i - 2] == " ")]
    rows: list[list[list[str]]] = []
    for line in body:
        cells = [line[a:b].strip() for a, b in zip(starts, starts[1:] + [None])]
        if cells[anchor]:
            rows.append([[c] if c else [] for c in cells])
        else:
            for parts, c in zip(rows[-1], cells):
                if c:
                    parts.append(c)

    def join(parts: list[str]) -> str:
        text = ""
        for p in parts:
            text += p if not text or text.endswith("-") else " " + p
        return text

    return [[join(parts) for parts in row] for row in rows]


def test_in_force_fits_an_80_column_terminal_and_keeps_every_cell_whole(bundled):
    code, out, _ = sanctrack_cmd("in-force", "2025-09-20", columns=80)
    assert code == 0
    assert all(len(line) <= 80 for line in out.splitlines())
    assert "…" not in out.replace(f"{bundled.digest[:19]}…", "")  # nothing cut
    from sanctrack import _format as fmt

    expected = [[s.measure.id, s.measure.authority, fmt.status_text(s), s.since.isoformat(),
                 fmt.licences_text(s), fmt.instrument_label(bundled, s)] for s in bundled.in_force("2025-09-20")]
    assert len(expected) == 40  # the registry of 2026-12-05
    assert _table_rows(out, anchor=1) == expected  # the same cells as at any width, wrapped not cut
    assert len(out.splitlines()) > 32  # some cells did wrap


def test_a_wider_terminal_uses_its_width(bundled):
    code, out, _ = sanctrack_cmd("in-force", "2025-09-20", columns=220)
    assert code == 0
    widths = [len(line) for line in out.splitlines()]
    assert len(widths) == len(bundled.in_force("2025-09-20")) + 2  # one line per measure: nothing had to wrap
    assert 100 < max(widths) <= 220
    code, narrow, _ = sanctrack_cmd("in-force", "2025-09-20")  # not a terminal, no COLUMNS: 100 columns
    assert max(len(line) for line in narrow.splitlines()) <= 100 < max(widths)
    code, tiny, _ = sanctrack_cmd("in-force", "2025-09-20", columns=40)  # never narrower than 80
    assert tiny == sanctrack_cmd("in-force", "2025-09-20", columns=80)[1]


def test_explain_prints_every_source_url_whole(bundled):
    e = bundled.explain("us-ofac-belavia-sdn", "2025-09-20")
    urls = {s.url for st in e.steps for s in st.sources} | {s.url for s in e.measure_sources}
    assert any(len(u) > 80 for u in urls)  # some cannot fit an 80-column line
    code, out, _ = sanctrack_cmd("explain", "us-ofac-belavia-sdn", "2025-09-20", columns=80)
    assert code == 0
    printed = {w for line in out.splitlines() for w in line.split() if w.startswith(("https://", "http://"))}
    assert urls <= printed  # each whole, as one word
    for line in out.splitlines():  # only a line holding a URL alone may run past the width
        assert len(line) <= 80 or line.strip() in urls, line


def test_in_force_filters_and_json(bundled):
    code, out, err = sanctrack_cmd("in-force", "2025-12-20", "--authority", "US-OFAC", "--target", "bpc",
                                   "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["command"] == "in-force"
    assert doc["query"] == {"on": "2025-12-20", "known": None, "authority": "US-OFAC", "target": "bpc"}
    assert doc["registry"]["digest"] == bundled.digest
    (state,) = doc["result"]
    assert (state["measure"], state["status"], state["in_force"]) == ("us-ofac-bpc-sdn", "relieved", True)
    assert [r["label"] for r in state["reliefs"]] == ["GL 13"]
    assert state["reliefs"][0]["since"] == "2025-12-15"


def test_in_force_csv():
    code, out, _ = sanctrack_cmd("in-force", "2025-12-01", "--kind", "blocking", "--target", "Belaruskali",
                                 "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    by_id = {r["measure"]: r for r in rows}
    assert by_id["us-ofac-belaruskali-sdn"]["status"] == "in_force"
    assert by_id["us-ofac-belaruskali-sdn"]["licences"] == ""
    assert by_id["us-ofac-belaruskali-sdn"]["valid_from"] == "2021-12-08"
    assert {r["kind"] for r in rows} == {"blocking"}


def test_state(bundled):
    code, out, err = sanctrack_cmd("state", "us-ofac-belavia-sdn", "2025-09-20")
    assert (code, err) == (0, "")
    got = lines(out)
    assert "status relieved (in force)" in got
    assert "since 2025-09-11, until 2025-11-04 (version 3, by relieve)" in got
    assert "instrument GL 11 [confirmed]" in got
    assert any(line.startswith("licence GL 11 since 2025-09-11: All transactions prohibited") for line in got)
    assert "pending lift announced 2025-09-11 (us-ofac-belavia-sdn.announce-2025-09-11)" in got
    assert got[-1] == f"digest {bundled.digest}"


def test_state_as_known_on_an_earlier_date():
    code, out, _ = sanctrack_cmd("--known", "2025-09-10", "state", "us-ofac-belavia-sdn", "2025-09-15")
    assert code == 0
    got = lines(out)
    assert "on 2025-09-15 (as known on 2025-09-10)" in got
    # 2025-09-15 is after the knowledge date 2025-09-10: a projection, said so
    assert "status in_force (projected) (in force)" in got
    assert "since 2023-09-08, open (version 2, by lapse of GL 9)" in got
    assert "instrument SDN designations 2023-08-09 [confirmed]" in got
    assert ("projection 2025-09-15 is after the knowledge date 2025-09-10: later records may change this answer"
            in got)


def test_state_json_carries_the_query_and_digest(bundled):
    code, out, _ = sanctrack_cmd("state", "us-ofac-belavia-sdn", "2025-11-04", "--format", "json", "--known",
                                 "2025-12-31")
    doc = json.loads(out)
    assert code == 0
    assert doc["query"] == {"measure": "us-ofac-belavia-sdn", "on": "2025-11-04", "known": "2025-12-31"}
    assert doc["registry"] == {"name": "belarus", "version": bundled.info.version, "digest": bundled.digest}
    r = doc["result"]
    assert (r["status"], r["in_force"], r["valid_from"], r["valid_to"]) == ("lifted", False, "2025-11-04", None)
    assert r["transition"] == "us-ofac-belavia-sdn.lift"
    assert r["instrument"]["id"] == "ofac-sdn-2025-11-04"


def test_state_before_the_measure_existed_is_nothing_found():
    code, out, err = sanctrack_cmd("state", "us-ofac-belavia-sdn", "2020-01-01")
    assert code == 1
    assert "status did not exist on that date; first state from 2023-08-09" in lines(out)
    assert err == "sanctrack: nothing found: measure 'us-ofac-belavia-sdn' did not exist on 2020-01-01\n"


def test_history():
    code, out, _ = sanctrack_cmd("history", "us-ofac-belavia-sdn")
    assert code == 0
    got = lines(out)
    assert got[:5] == [
        "V FROM TO STATUS LICENCES CAUSE INSTRUMENT",
        "1 2023-08-09 2023-09-08 relieved GL 9 relieve GL 9",
        # the act the blocking rests on once GL 9 lapsed, with the lapse named as the cause
        "2 2023-09-08 2025-09-11 in_force — lapse of GL 9 SDN designations 2023-08-09",
        "3 2025-09-11 2025-11-04 relieved GL 11 relieve GL 11",
        "4 2025-11-04 open lifted — lift SDN removals 2025-11-04",
    ]
    assert "superseded: us-ofac-belavia-sdn.announce-2025-09-11 by us-ofac-belavia-sdn.lift" in got


def test_changes():
    code, out, _ = sanctrack_cmd("changes", "2025-09-01", "2026-01-01", "--authority", "US-OFAC", "--format", "csv")
    assert code == 0
    rows = [(r["effective"], r["measure"], r["action"], r["instrument"]) for r in csv.DictReader(io.StringIO(out))]
    assert rows == [
        ("2025-09-11", "us-ofac-belavia-sdn", "relieve", "GL 11"),
        ("2025-11-04", "us-ofac-belavia-sdn", "lift", "SDN removals 2025-11-04"),
        ("2025-11-04", "us-ofac-ew301pj-blocked-property", "lift", "SDN removals 2025-11-04"),
        ("2025-11-04", "us-ofac-gov-aircraft-ew001pa-pb-ph", "relieve", "GL 12"),
        ("2025-12-15", "us-ofac-agrorozkvit-sdn", "relieve", "GL 13"),
        ("2025-12-15", "us-ofac-belaruskali-sdn", "relieve", "GL 13"),
        ("2025-12-15", "us-ofac-bpc-sdn", "relieve", "GL 13"),
    ]


def test_diff():
    code, out, _ = sanctrack_cmd("diff", "2025-12-01", "2025-12-20")
    assert code == 0
    assert lines(out)[:4] == [
        "MEASURE AUTHORITY ON 2025-12-01 ON 2025-12-20",
        "us-ofac-agrorozkvit-sdn US-OFAC in_force relieved [GL 13]",
        "us-ofac-belaruskali-sdn US-OFAC in_force relieved [GL 13]",
        "us-ofac-bpc-sdn US-OFAC in_force relieved [GL 13]",
    ]


def test_explain():
    code, out, _ = sanctrack_cmd("explain", "us-ofac-belaruskali-sdn", "2025-12-20")
    assert code == 0
    got = lines(out)
    assert "status relieved (in force)" in got
    assert "2021-08-09 impose SDN designations 2021-08-09 confirmed S03, S34" in got
    assert "2021-08-09 relieve GL 4 confirmed S03, S35, N-ofac-faq-939" in got  # OFAC FAQ 939 added 2026-12-05
    assert any(line.startswith("2025-12-15 relieve GL 13 confirmed") for line in got)
    assert "superseded: us-ofac-belaruskali-sdn.announce-2025-12-13 by us-ofac-belaruskali-sdn.gl13" in got
    assert "sources:" in got


def test_compare():
    code, out, _ = sanctrack_cmd("compare", "OJSC Belavia", "2025-09-20", "--format", "json")
    assert code == 0
    r = json.loads(out)["result"]
    assert r["target"] == "belavia"
    assert r["by_authority"] == {"EU": True, "UK": True, "US-BIS": True, "US-OFAC": True}
    statuses = {s["measure"]: s["status"] for s in r["states"]}
    assert statuses["us-ofac-belavia-sdn"] == "relieved"
    assert statuses["us-bis-belavia-tdo"] == "expired"
    assert statuses["eu-belarus-airspace-ban"] == "in_force"


def test_compare_table_shows_who_has_a_measure_in_force():
    code, out, _ = sanctrack_cmd("compare", "belavia", "2025-12-01")
    got = lines(out)
    assert code == 0
    assert "target Open Joint Stock Company Belavia Belarusian Airlines (belavia)" in got
    assert "verdict DIVERGENT: the authorities disagree" in got  # OFAC delisted Belavia on 2025-11-04
    assert "in force EU, UK, US-BIS" in got
    assert "not in force US-OFAC" in got


def test_deals():
    code, out, _ = sanctrack_cmd("deals")
    assert code == 0
    got = lines(out)
    assert got[0] == "2008-08-16 1 released: Alyaksandr Kazulin (Kozulin)"
    assert "2015-08-22 6 released: Mikalai Statkevich, Mikalai Dziadok, Ihar Alinevich, Yauhen Vaskovich," in got
    text = " ".join(got)
    assert ("US-OFAC gave: licence GL 2 for Belneftekhim, Belneftekhim USA, Inc., from 2015-10-30 to 2016-04-30 — "
            "basis: stated (us-ofac-belneftekhim-sdn)") in text
    assert ("EU gave: suspension Decision (CFSP) 2015/1957 for Alyaksandr Lukashenka, from 2015-10-31 — basis: stated "
            "(eu-lukashenko-travel-ban)") in text
    assert ("US-OFAC gave: licence GL 13 for Belaruskali OAO, from 2025-12-15 — basis: stated "
            "(us-ofac-belaruskali-sdn)") in text
    assert "2025-09-16 25 released to Belarus nothing given in return is recorded" in text
    # the corrected Belinvestbank relief is shown as superseded, its correction as an announcement
    assert "[superseded by us-ofac-belinvestbank-sdn.easing-2026-03-26-announced]" in text
    assert got[-1].startswith("# 24 releases, ")
    assert max(len(line) for line in out.splitlines()) <= 100


def test_deals_json_keeps_conflicting_figures():
    code, out, _ = sanctrack_cmd("deals", "--format", "json")
    deal = next(d for d in json.loads(out)["result"] if d["release"] == "release-2025-12-13")
    assert deal["count"] == 123
    assert {(f["value"], f["used"]) for f in deal["figures"] if f["quantity"] == "taken_to_ukraine"} == {
        (114, True), (109, False)}
    assert {ln["basis"] for ln in deal["links"]} == {"stated"}


def test_nothing_in_force():
    code, out, err = sanctrack_cmd("in-force", "1990-01-01")
    assert code == 1
    assert one_line(err) == "sanctrack: nothing found: no measure in force on 1990-01-01 matches the query"


def test_unknown_target():
    code, _, err = sanctrack_cmd("compare", "Acme Trading Ltd", "2025-09-20")
    assert code == 1
    assert one_line(err).startswith("sanctrack: error: unknown target 'Acme Trading Ltd'")


def test_changes_with_reversed_dates():
    code, _, err = sanctrack_cmd("changes", "2026-01-01", "2025-01-01")
    assert code == 2
    assert one_line(err) == "sanctrack: error: TO '2025-01-01' is before FROM '2026-01-01': expected FROM <= TO"
