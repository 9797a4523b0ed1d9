"""Facts and projections (DESIGN §3), provenance of a state, and licence-aware compare.

Exact values from the bundled registry: its latest ``recorded`` date is
2026-12-05 (the registry's knowledge date: the FACTS §8 corrections); the EU's
2026 renewal of its Belarus listings runs "until 28 February 2027" (exclusive
until 2027-03-01), so on 2027-03-01 the EU listing of Belavia is scheduled to
have lapsed unless renewed again.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sanctrack
from sanctrack import Status

D = dt.date


@pytest.fixture(scope="module")
def reg() -> sanctrack.Registry:
    return sanctrack.load()


# -- facts and projections: exact answers ------------------------------------------------


def test_the_registry_knowledge_date_is_its_latest_recorded(reg):
    latest = max([t.recorded for t in reg.transitions] + [r.recorded for r in reg.releases]
                 + [ln.recorded for ln in reg.links])
    assert latest == D(2026, 12, 5) == reg.knowledge
    assert reg.as_known_on("2025-10-01").knowledge == D(2025, 10, 1)


def test_a_lapse_after_the_knowledge_date_is_scheduled_not_a_past_expiry(reg):
    s = reg.state("eu-belavia-listing", "2027-03-01")
    assert (s.status, s.cause, s.valid.start, s.valid.end) == (Status.EXPIRED, "lapse", D(2027, 3, 1), None)
    assert (s.knowledge, s.projection, s.scheduled, s.is_fact) == (D(2026, 12, 5), True, True, False)
    # the act that ran out: the 2026 renewal (an extend "until 28 February 2027", until 2027-03-01),
    # named as what lapsed
    assert s.basis.id == "eu-belavia-listing.renewal-2026-until" and s.basis.until == D(2027, 3, 1)
    assert [t.id for t in s.lapsed] == ["eu-belavia-listing.renewal-2026-until"]
    assert repr(s) == "<MeasureState eu-belavia-listing expired v8 [2027-03-01, open) scheduled>"


def test_known_after_the_lapse_makes_it_a_fact(reg):
    # DESIGN §3: the knowledge date is Y when given; 2027-03-01 <= 2027-06-01, so not a projection
    s = reg.state("eu-belavia-listing", "2027-03-01", known="2027-06-01")
    assert (s.status, s.knowledge, s.projection, s.scheduled) == (Status.EXPIRED, D(2027, 6, 1), False, False)


def test_known_before_the_lapse_keeps_it_scheduled(reg):
    s = reg.state("eu-belavia-listing", "2027-03-01", known="2026-05-01")
    assert (s.status, s.knowledge, s.projection, s.scheduled) == (Status.EXPIRED, D(2026, 5, 1), True, True)


def test_an_in_force_answer_after_the_knowledge_date_is_a_projection_but_not_scheduled(reg):
    s = reg.state("eu-belavia-listing", "2026-12-20")
    assert (s.status, s.projection, s.scheduled, s.until) == (Status.IN_FORCE, True, False, D(2027, 3, 1))
    # the same run asked on or before the knowledge date is a fact (the same version, a different mark)
    f = reg.state("eu-belavia-listing", "2026-12-05")
    assert (f.version, f.valid, f.projection) == (s.version, s.valid, False)
    assert attrs.evolve(f, projection=True) == s


def test_a_past_lapse_is_a_fact(reg):
    s = reg.state("us-bis-belavia-tdo", "2025-01-01")
    assert (s.status, s.cause, s.projection, s.scheduled) == (Status.EXPIRED, "lapse", False, False)
    later = reg.state("us-bis-belavia-tdo", "2027-01-01")  # after the knowledge date, but the lapse was in 2024
    assert (later.projection, later.scheduled) == (True, False)


def test_before_a_measure_exists_the_answer_is_marked_too(reg):
    assert reg.state("eu-belavia-listing", "2020-01-01").projection is False
    view = reg.as_known_on("2019-01-01")
    s = view.state("eu-belavia-listing", "2020-01-01")
    assert (s.status, s.knowledge, s.projection) == (None, D(2019, 1, 1), True)


def test_history_marks_each_version_as_of_its_start(reg):
    h = reg.history("eu-belavia-listing")
    # versions 2-7 are the EU's renewals of 2022-2026 (dated extends since FACTS §8)
    assert [(v.version, v.projection, v.scheduled) for v in h] == [(n, False, False) for n in range(1, 8)] + [
        (8, True, True)]
    h = reg.history("eu-belavia-listing", known="2027-06-01")
    assert [(v.knowledge, v.projection, v.scheduled) for v in h][-1] == (D(2027, 6, 1), False, False)


def test_in_force_and_screen_carry_the_mark(reg):
    for _ in range(3):  # the first ask loops over the measures, the second builds the global index
        got = {s.measure.id: s.projection for s in reg.in_force("2026-12-20", authority="EU")}
        assert got and set(got.values()) == {True}
        assert {s.projection for s in reg.in_force("2025-12-20")} == {False}
    col = reg.screen(["eu-belavia-listing", "eu-belavia-listing"], ["2026-12-05", "2026-12-06"])
    assert [[s.projection for s in states] for states in col.states] == [[False], [True]]
    hits = reg.screen([("Belavia", "2026-12-20"), ("eu-belavia-listing", "2027-03-01")])
    assert {s.projection for s in hits[0].states} == {True} and hits[1].states == ()


def test_the_cli_says_scheduled_and_projected(reg):
    import contextlib
    import io

    from sanctrack import cli

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert cli.main(["state", "eu-belavia-listing", "2027-03-01"]) == 0
    lines = [" ".join(x.split()) for x in buf.getvalue().splitlines()]
    assert "status expired (scheduled) (not in force)" in lines
    assert "since 2027-03-01, open (version 8, by lapse of EU Belarus regime renewal 2026)" in lines
    assert any(x.startswith("projection scheduled: the lapse on 2027-03-01 lies after the knowledge date "
                            "2026-12-05") for x in lines)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert cli.main(["state", "eu-belavia-listing", "2027-03-01", "--format", "json"]) == 0
    import json
    doc = json.loads(buf.getvalue())["result"]
    assert (doc["status"], doc["knowledge"], doc["projection"], doc["scheduled"]) == ("expired", "2026-12-05",
                                                                                      True, True)
    assert doc["basis"] == "eu-belavia-listing.renewal-2026-until"
    assert [x["transition"] for x in doc["lapsed"]] == ["eu-belavia-listing.renewal-2026-until"]
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert cli.main(["in-force", "2026-12-20", "--authority", "EU"]) == 0
    assert "in_force (projected)" in buf.getvalue()


# -- facts and projections: the laws, on generated registries ------------------------------


def _latest_recorded(reg):
    days = [t.recorded for t in reg.transitions] + [r.recorded for r in reg.releases] + \
           [ln.recorded for ln in reg.links]
    return max(days, default=None)


def _dates(reg):
    from sanctrack.strategies import boundary_dates

    days = set(boundary_dates(reg))
    latest = _latest_recorded(reg)
    if latest is not None:
        days.update(latest + dt.timedelta(days=k) for k in (-1, 0, 1, 400))
    return sorted(days)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_an_answer_is_a_projection_exactly_when_its_date_is_after_its_knowledge_date(data):
    strategies = pytest.importorskip("sanctrack.strategies")
    reg = data.draw(strategies.registries(with_corrections=True, with_pending=True, with_windows=True))
    days = _dates(reg)
    latest = _latest_recorded(reg)
    for _ in range(12):
        m = data.draw(st.sampled_from(reg.measures)).id
        x = data.draw(st.sampled_from(days))
        y = data.draw(st.none() | st.sampled_from(days))
        s = reg.state(m, x, known=y)
        k = latest if y is None else y
        assert s.knowledge == k
        assert s.projection is (x > k)
        assert s.scheduled is (x > k and s.cause == "lapse" and s.valid.start is not None and s.valid.start > k)
        if y is not None:
            v = reg.as_known_on(y).state(m, x)
            assert v == s  # every field, the marks included
            assert attrs.asdict(v, recurse=False) == attrs.asdict(s, recurse=False)


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_path_marks_its_answers_like_the_point_query(data):
    strategies = pytest.importorskip("sanctrack.strategies")
    reg = data.draw(strategies.registries(with_corrections=True, with_pending=True, with_windows=True))
    days = _dates(reg)
    ids = [m.id for m in reg.measures]
    for _ in range(6):
        x = data.draw(st.sampled_from(days))
        y = data.draw(st.none() | st.sampled_from(days))
        expected = [reg.state(m, x, known=y) for m in ids]
        live = sorted((s for s in expected if s.in_force), key=lambda s: (s.measure.authority, s.measure.id))
        for _ in range(2):  # the loop, then the global index
            assert reg.in_force(x, known=y) == live
        col = reg.screen(ids * 40, [x] * (len(ids) * 40), known=y)  # columns (numpy where installed)
        want = [(s,) if s.in_force else () for s in expected] * 40
        assert col.states == want
        assert [h.states for h in reg.screen([(m, x, y) for m in ids])] == want[:len(ids)]
        h = reg.history(ids[0], known=y)
        k = _latest_recorded(reg) if y is None else y
        assert [v.projection for v in h] == [v.valid.start > k for v in h]


# -- provenance: the act that made the status ----------------------------------------------


def test_after_a_licence_lapsed_the_state_names_the_imposing_act_and_the_lapse(reg):
    # OFAC's GL 9 (wind-down for Belavia) lapsed on 2023-09-08: the blocking stood on the SDN designation
    s = reg.state("us-ofac-belavia-sdn", "2024-01-01")
    assert (s.status, s.cause, s.transition) == (Status.IN_FORCE, "lapse", None)
    assert s.basis.id == "us-ofac-belavia-sdn.impose"
    assert reg.instrument(s.basis.instrument).label == "SDN designations 2023-08-09"
    assert [t.id for t in s.lapsed] == ["us-ofac-belavia-sdn.gl9"]
    ex = reg.explain("us-ofac-belavia-sdn", "2024-01-01")
    assert ex.state.basis.id == "us-ofac-belavia-sdn.impose"


def test_a_state_begun_by_a_transition_rests_on_it(reg):
    s = reg.state("us-ofac-belavia-sdn", "2025-09-20")
    assert s.basis is s.transition and s.transition.id == "us-ofac-belavia-sdn.gl11" and s.lapsed == ()


def test_the_cli_never_shows_a_placeholder_instrument(reg):
    import contextlib
    import io

    from sanctrack import cli

    for argv in (["state", "us-ofac-belavia-sdn", "2024-01-01"], ["explain", "us-ofac-belavia-sdn", "2024-01-01"],
                 ["history", "us-ofac-belavia-sdn"], ["history", "us-ofac-bpc-sdn"]):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            assert cli.main(argv) == 0
        assert "(lapse)" not in buf.getvalue(), argv
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        cli.main(["state", "us-ofac-belavia-sdn", "2024-01-01"])
    lines = [" ".join(x.split()) for x in buf.getvalue().splitlines()]
    assert "instrument SDN designations 2023-08-09 [confirmed]" in lines
    assert "since 2023-09-08, until 2025-09-11 (version 2, by lapse of GL 9)" in lines


# -- compare: practical positions -----------------------------------------------------------


def test_compare_belaruskali_licensed_against_blocked_is_divergent(reg):
    c = reg.compare("Belaruskali", "2025-12-20")
    assert c.divergent
    assert [(p.authority, p.position) for p in c.positions] == [
        ("EU", "blocked"), ("LT", "blocked"), ("UK", "blocked"), ("US-OFAC", "licensed")]
    ofac = c.position("US-OFAC")
    assert [r.label for r in ofac.reliefs] == ["GL 13"]
    assert ofac.reliefs[0].scope.authorises.startswith("All transactions prohibited by the Belarus Sanctions")
    assert ofac.reliefs[0].scope.excludes == ("unblocking of any blocked property",)
    assert [s.measure.id for s in ofac.states] == ["us-ofac-belaruskali-sdn"]
    # every authority had it in force: the old in-force flags alone would not have called it divergent
    assert {flag for _, flag in c.by_authority} == {True}


def test_compare_lists_authorities_with_no_measure_yet(reg):
    c = reg.compare("belavia", "2021-06-04")
    assert [(p.authority, p.position) for p in c.positions] == [
        ("EU", "no measure"), ("UK", "blocked"), ("US-BIS", "no measure"), ("US-OFAC", "no measure")]
    assert c.divergent
    assert [s.measure.id for s in c.position("UK").states] == ["uk-belavia-flying-restriction",
                                                                "uk-belavia-operating-permit"]


def test_compare_lifted_and_agreement(reg):
    c = reg.compare("belavia", "2025-12-01")
    assert [(p.authority, p.position) for p in c.positions] == [
        ("EU", "blocked"), ("UK", "blocked"), ("US-BIS", "licensed"), ("US-OFAC", "lifted")]
    assert c.position("US-OFAC").statuses == ("lifted",)
    one = reg.compare("Belaruskali", "2022-07-01")
    assert [(p.authority, p.position) for p in one.positions] == [
        ("EU", "blocked"), ("LT", "blocked"), ("UK", "blocked"), ("US-OFAC", "blocked")]
    assert not one.divergent


def test_compare_in_a_view_leaves_out_measures_not_yet_recorded(reg):
    c = reg.compare("belavia", "2021-06-04", known="2021-06-04")
    assert all(p.authority != "US-OFAC" for p in c.positions)  # OFAC's Belavia record was made in 2023


def test_compare_cli_json_and_table(reg):
    import contextlib
    import io
    import json

    from sanctrack import cli

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert cli.main(["compare", "Belaruskali", "2025-12-20", "--format", "json"]) == 0
    r = json.loads(buf.getvalue())["result"]
    assert r["divergent"] is True
    assert [(p["authority"], p["position"]) for p in r["positions"]] == [
        ("EU", "blocked"), ("LT", "blocked"), ("UK", "blocked"), ("US-OFAC", "licensed")]
    assert [x["label"] for x in r["positions"][3]["licences"]] == ["GL 13"]
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert cli.main(["compare", "belavia", "2021-06-04"]) == 0
    lines = [" ".join(x.split()) for x in buf.getvalue().splitlines()]
    assert "verdict DIVERGENT: the authorities disagree" in lines
    assert "EU no measure on that date" in lines and "US-OFAC no measure on that date" in lines
    assert "UK blocked (uk-belavia-flying-restriction, uk-belavia-operating-permit)" in lines


def test_an_instant_is_marked_by_its_calendar_day_in_the_authority_zone(reg):
    # the EU airspace ban applies from 00:00 CEST on 2021-06-05 (a timed step): asked at instants
    utc = dt.UTC
    before = reg.state("eu-belarus-airspace-ban", dt.datetime(2021, 6, 4, 21, 59, tzinfo=utc))
    after = reg.state("eu-belarus-airspace-ban", dt.datetime(2021, 6, 4, 22, 0, tzinfo=utc))
    assert (before.exists, after.status, after.projection, after.knowledge) == (False, Status.IN_FORCE, False,
                                                                                D(2026, 12, 5))
    late = reg.state("eu-belarus-airspace-ban", dt.datetime(2027, 3, 1, 12, tzinfo=utc))
    assert (late.status, late.projection, late.scheduled) == (Status.EXPIRED, True, True)
    seen = reg.state("eu-belarus-airspace-ban", dt.datetime(2021, 6, 4, 22, 0, tzinfo=utc), known="2021-06-04")
    assert (seen.knowledge, seen.projection) == (D(2021, 6, 4), True)  # 2021-06-05 in Brussels
