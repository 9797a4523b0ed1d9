"""The bundled Belarus registry answers the worked checks of FACTS.md §7.

These tests read the real data shipped in ``registry/`` through the public API
only. Every expected value below is a fact from FACTS.md (or the modelling rule
the registry states for it), so a failure means either the data or the engine
changed meaning.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

import sanctrack


@pytest.fixture(scope="module")
def reg() -> sanctrack.Registry:
    # load() raises RegistryError listing every problem: loading at all means zero problems.
    return sanctrack.load()


def _relief_instruments(state) -> list[str | None]:
    return [r.instrument.id if r.instrument is not None else None for r in state.reliefs]


def _pending_ids(state) -> list[str]:
    return [t.id for t in state.pending]


# -- the registry loads, whole and sourced ----------------------------------------


def test_bundled_registry_loads_with_zero_problems(reg):
    assert reg.info.name == "belarus"
    assert len(reg.measures) >= 30
    assert len(reg.releases) >= 15


def test_required_measures_exist(reg):
    ids = {m.id for m in reg.measures}
    required = {
        "us-ofac-belavia-sdn", "us-ofac-ew301pj-blocked-property", "us-ofac-gov-aircraft-ew001pa-pb-ph",
        "us-bis-belavia-tdo", "us-bis-belarus-aircraft-licence-req", "us-ofac-belaruskali-sdn",
        "us-ofac-bpc-sdn", "us-ofac-agrorozkvit-sdn", "us-ofac-belinvestbank-sdn",
        "us-ofac-directive1-minfin-devbank", "eu-belarus-airspace-ban", "eu-belavia-listing",
        "eu-potash-sectoral", "eu-belaruskali-listing", "eu-bpc-listing", "uk-belavia-flying-restriction",
        "uk-belarus-aircraft-ban", "uk-belaruskali-asset-freeze", "lt-potash-transit-ban",
        "us-ofac-eo13405-programme", "us-ofac-eo14038-programme", "us-ofac-bsr-31cfr548",
        "us-bis-belarus-country-rule", "us-bis-belavia-aircraft-list", "uk-belavia-operating-permit",
        "us-state-embassy-minsk-suspension", "us-ofac-belarus-soe-sdn", "us-ofac-dana-holdings-sdn",
        "us-ofac-karic-sdn",
    }
    assert required <= ids
    assert {a.code for a in reg.authorities} == {"US-OFAC", "US-BIS", "US-STATE", "EU", "UK", "LT"}


def test_every_record_names_a_source_and_every_source_has_a_url(reg):
    source_ids = {s.id for s in reg.sources}
    for s in reg.sources:
        assert s.url, s.id
        assert s.publisher, s.id
        if s.quote is not None:
            assert len(s.quote.split()) < 30, s.id
    for kind, records in (("measure", reg.measures), ("transition", reg.transitions),
                          ("release", reg.releases), ("link", reg.links)):
        for r in records:
            assert len(r.sources) >= 1, f"{kind} {r.id} has no source"
            assert set(r.sources) <= source_ids, f"{kind} {r.id}"


def test_transition_ids_are_measure_prefixed(reg):
    for t in reg.transitions:
        assert t.id.startswith(t.measure + "."), t.id


# -- FACTS §7: Belavia on 2025-09-20 -------------------------------------------


def test_belavia_ofac_blocking_relieved_by_gl11_on_2025_09_20(reg):
    st = reg.state("us-ofac-belavia-sdn", "2025-09-20")
    assert st.status == "relieved"
    assert st.in_force
    assert _relief_instruments(st) == ["ofac-gl-11"]
    (relief,) = st.reliefs
    assert relief.instrument.number == "GL 11"
    assert relief.since == dt.date(2025, 9, 11)
    assert relief.until is None
    assert "unblocking of property already blocked" in relief.scope.excludes
    # Coale's "we have lifted sanctions on Belavia" is still only an announcement
    assert _pending_ids(st) == ["us-ofac-belavia-sdn.announce-2025-09-11"]


def test_belavia_bis_aircraft_rule_relieved_by_the_letter_on_2025_09_20(reg):
    st = reg.state("us-bis-belarus-aircraft-licence-req", "2025-09-20")
    assert st.status == "relieved"
    assert _relief_instruments(st) == ["bis-letter-2025-09-12"]
    assert st.reliefs[0].since == dt.date(2025, 9, 12)
    # the day before the letter took effect the rule applied in full
    assert reg.state("us-bis-belarus-aircraft-licence-req", "2025-09-11").status == "in_force"


def test_belavia_tdo_expired_on_2025_09_20(reg):
    st = reg.state("us-bis-belavia-tdo", "2025-09-20")
    assert st.status == "expired"
    assert not st.in_force
    assert st.reliefs == ()


@pytest.mark.parametrize("measure", ["eu-belarus-airspace-ban", "eu-belavia-listing",
                                     "uk-belavia-flying-restriction", "uk-belavia-operating-permit",
                                     "uk-belarus-aircraft-ban"])
def test_belavia_eu_and_uk_measures_in_force_without_relief_on_2025_09_20(reg, measure):
    st = reg.state(measure, "2025-09-20")
    assert st.status == "in_force"
    assert st.reliefs == ()


def test_belavia_divergence_on_2025_09_20(reg):
    in_force = {s.measure.id: s.status for s in reg.in_force("2025-09-20", target="Belavia")}
    assert in_force == {
        "us-ofac-belavia-sdn": "relieved",
        "us-bis-belarus-aircraft-licence-req": "relieved",
        "eu-belarus-airspace-ban": "in_force",
        "eu-belavia-listing": "in_force",
        "uk-belavia-flying-restriction": "in_force",
        "uk-belavia-operating-permit": "in_force",
    }


# -- FACTS §7: Belavia's OFAC blocking around the delisting -------------------------


def test_belavia_ofac_blocking_relieved_on_2025_11_03_and_lifted_on_2025_11_04(reg):
    before = reg.state("us-ofac-belavia-sdn", "2025-11-03")
    assert before.status == "relieved"
    assert before.in_force
    assert _relief_instruments(before) == ["ofac-gl-11"]
    after = reg.state("us-ofac-belavia-sdn", "2025-11-04")
    assert after.status == "lifted"
    assert not after.in_force
    assert after.reliefs == ()
    assert after.pending == ()  # the lift corrects the 2025-09-11 announcement
    assert after.transition.id == "us-ofac-belavia-sdn.lift"
    assert reg.state("us-ofac-ew301pj-blocked-property", "2025-11-04").status == "lifted"


def test_belavia_before_designation_does_not_exist(reg):
    st = reg.state("us-ofac-belavia-sdn", "2023-08-08")
    assert st.status is None
    assert not st.in_force


def test_belavia_gl9_wind_down(reg):
    assert _relief_instruments(reg.state("us-ofac-belavia-sdn", "2023-09-07")) == ["ofac-gl-9"]
    st = reg.state("us-ofac-belavia-sdn", "2023-09-08")
    assert st.status == "in_force"
    assert st.reliefs == ()


# -- FACTS §7: potash on 2025-12-01 and 2025-12-20 ------------------------------------

POTASH = ["us-ofac-belaruskali-sdn", "us-ofac-bpc-sdn", "us-ofac-agrorozkvit-sdn"]


@pytest.mark.parametrize("measure", POTASH)
def test_potash_sdn_in_force_without_licence_on_2025_12_01(reg, measure):
    st = reg.state(measure, "2025-12-01")
    assert st.status == "in_force"
    assert st.reliefs == ()
    assert st.pending == ()


@pytest.mark.parametrize("measure", POTASH)
def test_potash_sdn_announced_but_not_relieved_on_2025_12_14(reg, measure):
    st = reg.state(measure, "2025-12-14")
    assert st.status == "in_force"
    assert _pending_ids(st) == [f"{measure}.announce-2025-12-13"]


@pytest.mark.parametrize("measure", POTASH)
def test_potash_sdn_relieved_by_gl13_on_2025_12_20(reg, measure):
    st = reg.state(measure, "2025-12-20")
    assert st.status == "relieved"
    assert _relief_instruments(st) == ["ofac-gl-13"]
    (relief,) = st.reliefs
    assert relief.instrument.number == "GL 13"
    assert relief.since == dt.date(2025, 12, 15)
    assert relief.until is None  # "The license has no expiration date."
    assert st.pending == ()  # GL 13 corrects the 2025-12-13 announcement


def test_potash_us_measures_in_force_on_2025_12_01_and_2025_12_20(reg):
    def us_potash(on):
        return {s.measure.id: s.status for s in reg.in_force(on, authority="US-OFAC")
                if s.measure.id in POTASH}

    assert us_potash("2025-12-01") == dict.fromkeys(POTASH, "in_force")
    assert us_potash("2025-12-20") == dict.fromkeys(POTASH, "relieved")


@pytest.mark.parametrize("measure", POTASH)
def test_potash_delisting_is_inferred_with_the_list_snapshot_window(reg, measure):
    lift = reg.transition(f"{measure}.lift")
    assert lift.action == "lift"
    assert lift.confidence == "inferred"
    assert lift.effective == dt.date(2026, 3, 26)
    assert lift.effective_window == (dt.date(2026, 3, 21), dt.date(2026, 7, 24))
    assert lift.corrects == f"{measure}.announce-2026-03-19"
    inside = reg.state(measure, "2026-04-15")
    assert inside.status == "lifted"
    assert inside.uncertain
    assert reg.state(measure, "2026-03-20").status == "relieved"
    assert _pending_ids(reg.state(measure, "2026-03-20")) == [f"{measure}.announce-2026-03-19"]
    settled = reg.state(measure, "2026-08-01")
    assert settled.status == "lifted"
    assert not settled.uncertain


def test_eu_does_not_follow_the_us_on_potash(reg):
    for measure in ("eu-potash-sectoral", "eu-belaruskali-listing", "eu-bpc-listing", "lt-potash-transit-ban",
                    "uk-belaruskali-asset-freeze"):
        assert reg.state(measure, "2026-05-15").status == "in_force", measure


# -- knowledge time -----------------------------------------------------------------


def test_as_known_on_2025_10_01_belavia_delisting_still_pending(reg):
    view = reg.as_known_on("2025-10-01")
    st = view.state("us-ofac-belavia-sdn", "2025-10-01")
    assert st.status == "relieved"
    assert _pending_ids(st) == ["us-ofac-belavia-sdn.announce-2025-09-11"]
    later = view.state("us-ofac-belavia-sdn", "2025-11-10")
    assert later.status == "relieved"  # the 2025-11-04 lift was not yet known
    assert _relief_instruments(later) == ["ofac-gl-11"]
    assert _pending_ids(later) == ["us-ofac-belavia-sdn.announce-2025-09-11"]


def test_known_keyword_matches_the_view(reg):
    st = reg.state("us-ofac-belavia-sdn", "2025-11-10", known="2025-10-01")
    assert st.status == "relieved"
    assert _pending_ids(st) == ["us-ofac-belavia-sdn.announce-2025-09-11"]
    assert reg.state("us-ofac-belavia-sdn", "2025-11-10").status == "lifted"


def test_gl12_published_later_than_it_took_effect(reg):
    t = reg.transition("us-ofac-gov-aircraft-ew001pa-pb-ph.gl12")
    assert t.effective == dt.date(2025, 11, 4)
    assert t.published == dt.date(2026, 3, 2)
    assert reg.instrument("ofac-gl-12").published == dt.date(2026, 3, 2)
    st = reg.state("us-ofac-gov-aircraft-ew001pa-pb-ph", "2025-12-01")
    assert st.status == "relieved"
    assert _relief_instruments(st) == ["ofac-gl-12"]
    assert set(st.targets) == {"aircraft-ew-001pa", "aircraft-ew-001pb", "aircraft-ew-001ph"}


# -- the other dated rules the registry encodes -----------------------------------------


def test_bis_tdo_renewals_and_lapse(reg):
    assert reg.state("us-bis-belavia-tdo", "2022-06-15").status is None
    for day in ("2022-06-16", "2023-01-15", "2023-06-07", "2023-12-07", "2024-11-30"):
        assert reg.state("us-bis-belavia-tdo", day).status == "in_force", day
    st = reg.state("us-bis-belavia-tdo", "2024-12-01")
    assert st.status == "expired"
    assert st.cause == "lapse"
    inferred = reg.transition("us-bis-belavia-tdo.renewal-2024-06")
    assert inferred.action == "extend"
    assert inferred.confidence == "inferred"


def test_eu_renewal_runs_every_eu_measure_through_2027_02_28(reg):
    """"until 28 February 2027" is inclusive: sanctrack's exclusive until is 2027-03-01 (corrected on 2026-12-05;
    the registry shipped 2027-02-28, and known= before the fix still says so)."""
    for m in reg.measures:
        if m.authority != "EU" or m.id == "eu-disappearances-four-listing" or m.id.startswith("eu-lukashenko"):
            continue
        renewal = reg.transition(f"{m.id}.renewal-2026-until")
        assert (renewal.action, renewal.until, renewal.corrects) == (
            "extend", dt.date(2027, 3, 1), f"{m.id}.renewal-2026")
        assert reg.state(m.id, "2027-02-28").status == "in_force", m.id
        assert reg.state(m.id, "2027-03-01").status == "expired", m.id
        assert reg.state(m.id, "2027-02-28", known="2026-12-04").status == "expired", m.id
        assert reg.state(m.id, "2027-02-27", known="2026-12-04").status == "in_force", m.id


def test_eu_airspace_ban_starts_at_midnight_brussels_time(reg):
    t = reg.transition("eu-belarus-airspace-ban.impose")
    assert t.effective_at == dt.datetime(2021, 6, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    utc = dt.UTC
    assert reg.state("eu-belarus-airspace-ban", dt.datetime(2021, 6, 4, 21, 59, tzinfo=utc)).status is None
    assert reg.state("eu-belarus-airspace-ban", dt.datetime(2021, 6, 4, 22, 0, tzinfo=utc)).status == "in_force"


def test_wind_down_licences_lapse_on_their_dates(reg):
    assert _relief_instruments(reg.state("us-ofac-belaruskali-sdn", "2021-12-07")) == ["ofac-gl-4"]
    assert reg.state("us-ofac-belaruskali-sdn", "2021-12-08").status == "in_force"
    for m in ("us-ofac-bpc-sdn", "us-ofac-agrorozkvit-sdn"):
        assert _relief_instruments(reg.state(m, "2022-03-31")) == ["ofac-gl-5"]
        assert reg.state(m, "2022-04-01").status == "in_force"


def test_belaruskali_program_relabelled_in_august_2021(reg):
    assert reg.state("us-ofac-belaruskali-sdn", "2021-08-10").program == "BELARUS-EO"
    assert reg.state("us-ofac-belaruskali-sdn", "2021-09-01").program == "BELARUS-EO14038"


def test_finance_announcements_of_2026_03_19_stay_pending(reg):
    bank = reg.state("us-ofac-belinvestbank-sdn", "2026-08-20")
    assert bank.status == "in_force"  # still on the SDN list, no licence found (FACTS §8.H item 3)
    assert _pending_ids(bank) == ["us-ofac-belinvestbank-sdn.announce-2026-03-19",
                                  "us-ofac-belinvestbank-sdn.easing-2026-03-26-announced"]
    # what the registry said before the 2026-12-05 correction
    old = reg.state("us-ofac-belinvestbank-sdn", "2026-08-20", known="2026-12-04")
    assert old.status == "relieved"
    assert [r.transition.id for r in old.reliefs] == ["us-ofac-belinvestbank-sdn.easing-2026-03-26"]
    directive = reg.state("us-ofac-directive1-minfin-devbank", "2026-08-20")
    assert directive.status == "in_force"
    assert _pending_ids(directive) == ["us-ofac-directive1-minfin-devbank.announce-2026-03-19"]


def test_dana_holdings_and_karic_delisted_in_august_2025_without_a_release(reg):
    for m in ("us-ofac-dana-holdings-sdn", "us-ofac-karic-sdn"):
        assert reg.state(m, "2025-08-20").status == "in_force"
        assert reg.state(m, "2025-08-23").status == "lifted"
        assert reg.releases_for(f"{m}.lift") == ()


# -- deals --------------------------------------------------------------------------


def _deal(reg, release_id):
    (deal,) = [d for d in reg.deals() if d.release.id == release_id]
    return deal


def _linked(deal) -> dict[str, str]:
    return {lt.transition.id: str(lt.link.basis) for lt in deal.links}


def test_deals_list_every_release(reg):
    assert [d.release.id for d in reg.deals()] == sorted(r.id for r in reg.releases)


def test_deal_2025_09_11_belavia_reported(reg):
    deal = _deal(reg, "release-2025-09-11")
    assert deal.release.count == 52
    assert _linked(deal) == {
        "us-ofac-belavia-sdn.announce-2025-09-11": "reported",
        "us-ofac-belavia-sdn.gl11": "reported",
        "us-bis-belarus-aircraft-licence-req.letter-2025-09-12": "reported",
        "us-bis-belavia-aircraft-list.letter-2025-09-12": "reported",
        "us-ofac-belavia-sdn.lift": "reported",
        "us-ofac-ew301pj-blocked-property.lift": "reported",
        "us-ofac-gov-aircraft-ew001pa-pb-ph.gl12": "reported",
    }


def test_deal_2025_12_13_potash_stated(reg):
    deal = _deal(reg, "release-2025-12-13")
    assert deal.release.count == 123
    expected = {}
    for m in POTASH:
        expected[f"{m}.announce-2025-12-13"] = "stated"
        expected[f"{m}.gl13"] = "stated"
    assert _linked(deal) == expected


def test_deal_2026_03_19_potash_and_finance_stated(reg):
    deal = _deal(reg, "release-2026-03-19")
    assert deal.release.count == 250
    expected = {}
    for m in POTASH:
        expected[f"{m}.announce-2026-03-19"] = "stated"
        expected[f"{m}.lift"] = "stated"
    expected["us-ofac-belinvestbank-sdn.announce-2026-03-19"] = "stated"
    expected["us-ofac-belinvestbank-sdn.easing-2026-03-26"] = "stated"
    expected["us-ofac-belinvestbank-sdn.easing-2026-03-26-announced"] = "stated"
    expected["us-ofac-directive1-minfin-devbank.announce-2026-03-19"] = "stated"
    assert _linked(deal) == expected


def test_deal_2025_11_22_reported_by_the_moscow_times(reg):
    assert _linked(_deal(reg, "release-2025-11-22")) == {"us-ofac-belavia-sdn.lift": "reported"}


def test_releases_without_a_concession_have_no_links(reg):
    linked = {"release-2008-08-16", "release-2008-08-20", "release-2015-08-22",
              "release-2025-09-11", "release-2025-11-22", "release-2025-12-13", "release-2026-03-19"}
    for d in reg.deals():
        assert bool(d.links) == (d.release.id in linked), d.release.id


# -- conflicting figures ------------------------------------------------------------------


def _figures(reg, release_id):
    (release,) = [r for r in reg.releases if r.id == release_id]
    by_quantity = defaultdict(list)
    for f in release.figures:
        by_quantity[f.quantity].append(f)
    return by_quantity


def _used(figures):
    (used,) = [f for f in figures if f.used]
    return str(used.value)


def test_8g_the_december_2025_supplement_keeps_156_beside_the_count_used(reg):
    # FACTS §8.G: Lukashenko's office counted 156 with its late-November pardons (A93); 123 is used
    (release,) = [r for r in reg.releases if r.id == "release-2025-12-13"]
    assert release.count == 123
    (total,) = _figures(reg, "release-2025-12-13")["pardoned_with_late_november_decisions"]
    assert (str(total.value), total.used, total.sources) == ("156", False, ("A93",))
    assert {"Aleksandr Syrica", "Anna Sokolenko", "Maria Batalonok", "Natalia Bielska",
            "Masatoshi Nakanishi", "Roman Galuza"} <= set(release.people)


def test_conflicting_figures_are_kept_with_the_value_used_marked(reg):
    dec = _figures(reg, "release-2025-12-13")
    assert sorted(str(f.value) for f in dec["taken_to_ukraine"]) == ["109", "114"]
    assert _used(dec["taken_to_ukraine"]) == "114"
    assert sorted(str(f.value) for f in dec["viasna_political_prisoners_before_release"]) == ["1197", "1227"]
    assert _used(dec["viasna_political_prisoners_before_release"]) == "1227"
    sep = _figures(reg, "release-2025-09-11")
    assert sorted(str(f.value) for f in sep["count"]) == ["51", "52"]
    assert _used(sep["count"]) == "52"
    assert _used(sep["release_date_ihar_losik"]) == "2025-09-11"
    assert {str(f.value) for f in sep["release_date_ihar_losik"]} == {"2025-06-21", "2025-09-11"}
    mar = _figures(reg, "release-2026-03-19")
    assert _used(mar["release_date_valiantsin_stefanovich"]) == "2026-03-19"
    assert {str(f.value) for f in mar["release_date_valiantsin_stefanovich"]} == {"2025-12-13", "2026-03-19"}
    for quantity in dec, sep, mar:
        for figures in quantity.values():
            for f in figures:
                assert f.sources, f.quantity


def test_bpc_names_are_aliases_of_one_entity(reg):
    (a,) = reg.resolve("Open Joint Stock Company Belarusian Potash Company")
    (b,) = reg.resolve("Joint Stock Company Belarusian Potash Company")
    assert a.id == b.id == "bpc"
    assert reg.entity("ofac:33374").id == "bpc"
    assert reg.entity("tail:EW-301PJ").id == "aircraft-ew-301pj"


# -- FACTS §8 (2026-12-05): one exact-value test per table ------------------------------------


def _st(reg, m, d, known=None):
    s = reg.state(m, d, known=known)
    return (str(s.status) if s.exists else None, [r.transition.id.split(".", 1)[1] for r in s.reliefs])


def test_8a_lakokraska_polotsk_licence_2008_to_2011(reg):
    m = "us-ofac-lakokraska-polotsk-sdn"
    assert not reg.state(m, "2008-05-14").exists
    assert _st(reg, m, "2008-05-15") == ("in_force", [])
    assert _st(reg, m, "2008-09-04") == ("in_force", [])
    assert _st(reg, m, "2008-09-05") == ("relieved", ["gl-2008"])
    assert _st(reg, m, "2010-11-30") == ("relieved", ["gl-2008"])
    s = reg.state(m, "2010-11-30")
    assert s.reliefs[0].until == dt.date(2011, 6, 1)  # "until May 31, 2011" (75 FR 73958), inclusive
    pending = reg.state(m, "2011-02-10")
    assert pending.status == "relieved" and _pending_ids(pending) == [f"{m}.announce-revoke-2011-01-31"]
    assert _st(reg, m, "2011-02-11") == ("in_force", [])
    assert reg.state(m, "2011-02-11").pending == ()
    # the 2008 licence ran "until 2 March 2009" inclusive
    assert reg.transition(f"{m}.gl-2008").until == dt.date(2009, 3, 3)
    assert reg.transition(f"{m}.gl-2008-ext-2009-06").effective_window == (dt.date(2008, 9, 6), dt.date(2009, 3, 2))
    assert _st(reg, "us-ofac-belneftekhim-sdn", "2007-11-13") == ("in_force", [])
    assert not reg.state("us-ofac-belneftekhim-sdn", "2007-11-12").exists
    assert _st(reg, "us-ofac-belarus-soe-sdn", "2011-08-11") == ("in_force", [])
    assert not reg.state("us-ofac-belarus-soe-sdn", "2011-08-10").exists
    # the shipped registry had this measure only from an inferred 2014-12-31, with Belneftekhim among its targets
    assert not reg.state("us-ofac-belarus-soe-sdn", "2012-01-01", known="2026-12-04").exists
    assert reg.state("us-ofac-belarus-soe-sdn", "2015-01-01", known="2026-12-04").targets == (
        "belneftekhim", "belshina", "grodno-azot", "naftan")
    assert reg.state("us-ofac-belarus-soe-sdn", "2015-01-01").targets == (
        "belshina", "grodno-azot", "grodno-khimvolokno", "naftan")


def test_lukashenko_us_and_eu_diverge_while_the_eu_suspended_its_measures(reg):
    c = reg.compare("Alexander Lukashenko", "2016-01-01")
    assert c.by_authority == (("EU", False), ("US-OFAC", True)) and c.divergent
    assert {s.measure.id: str(s.status) for s in c.states} == {
        "eu-lukashenko-asset-freeze": "suspended", "eu-lukashenko-travel-ban": "suspended",
        "us-ofac-lukashenko-sdn": "in_force"}
    c = reg.compare("Lukashenka", "2026-06-01")
    assert c.by_authority == (("EU", True), ("US-OFAC", True)) and not c.divergent


def test_8b_grodno_azot_gl2_series(reg):
    def azot(d, known=None):
        (s,) = list(reg.in_force(d, target="Grodno Azot", authority="US-OFAC", known=known)) if known is None else \
            [reg.state("us-ofac-belarus-soe-sdn", d, known=known)]
        return str(s.status), [r.transition.id for r in s.reliefs], s.uncertain
    soe = "us-ofac-belarus-soe-sdn"
    assert azot("2015-10-29") == ("in_force", [], False)
    assert azot("2015-10-30") == ("relieved", [f"{soe}.gl2"], False)
    assert azot("2016-04-30") == ("relieved", [f"{soe}.gl2a"], False)
    assert azot("2017-10-30") == ("relieved", [f"{soe}.gl2d"], False)
    assert azot("2019-05-01") == ("relieved", [f"{soe}.gl2f"], True)  # which licence: bracketed
    assert azot("2021-04-18") == ("relieved", [f"{soe}.gl2g"], False)
    assert azot("2021-04-19") == ("relieved", [f"{soe}.gl2h"], False)
    assert azot("2021-06-02") == ("relieved", [f"{soe}.gl2h"], False)
    assert azot("2021-06-03") == ("in_force", [], False)
    # "through April 30, 2016" -> until 2016-05-01; "12:01 a.m. … June 3, 2021" -> until 2021-06-03
    assert reg.transition(f"{soe}.gl2").until == dt.date(2016, 5, 1)
    assert reg.transition(f"{soe}.gl2h").until == dt.date(2021, 6, 3)
    assert reg.transition(f"{soe}.gl2g").until == dt.date(2021, 4, 27)
    # before the 2026-12-05 correction the registry said: relieved only from an inferred 2015-12-31
    assert azot("2015-10-30", known="2026-12-04") == ("in_force", [], True)
    assert azot("2015-12-31", known="2026-12-04") == ("relieved", [f"{soe}.gl2-series"], False)
    assert reg.transition(f"{soe}.gl2").corrects == f"{soe}.gl2-series"


def test_8c_eu_lukashenko_suspended_lifted_relisted(reg):
    tb, af = "eu-lukashenko-travel-ban", "eu-lukashenko-asset-freeze"
    assert _st(reg, tb, "2008-10-12") == ("in_force", [])
    assert _st(reg, tb, "2008-10-13") == ("suspended", [])
    assert _st(reg, af, "2008-10-13") == ("in_force", [])  # asset freezes kept in 2008
    assert _st(reg, tb, "2011-01-30") == ("suspended", [])
    assert _st(reg, tb, "2011-01-31") == ("in_force", [])
    for m in (tb, af):
        assert _st(reg, m, "2015-10-30") == ("in_force", [])
        assert _st(reg, m, "2015-10-31") == ("suspended", [])
        assert _pending_ids(reg.state(m, "2016-02-26")) == [f"{m}.announce-lift-2016-02-15"]
        assert _st(reg, m, "2016-02-27") == ("lifted", [])
        assert _st(reg, m, "2020-11-05") == ("lifted", [])
        assert _st(reg, m, "2020-11-06") == ("in_force", [])
        assert reg.state(m, "2020-11-06").targets == ("alexander-lukashenko",)
    four = "eu-disappearances-four-listing"
    assert _st(reg, four, "2015-10-31") == ("in_force", [])
    assert _st(reg, four, "2016-02-27") == ("in_force", [])
    assert reg.state(four, "2016-02-27").until == dt.date(2017, 3, 1)
    assert reg.state(four, "2019-06-01").until == dt.date(2020, 2, 29)  # "until 28 February 2020", leap year
    assert set(reg.measure(four).targets) == {"viktar-sheiman", "yury-sivakou", "dzmitry-paulichenka",
                                              "uladzimir-naumau"}
    us = "us-ofac-lukashenko-sdn"
    us_days = ("2006-06-16", "2008-10-13", "2015-10-31", "2016-02-27", "2026-08-20")
    assert [str(reg.state(us, d).status) for d in us_days] == ["in_force"] * 5


def test_8d_eu_renewals_read_inclusively(reg):
    m = "eu-belavia-listing"
    assert reg.state(m, "2023-01-01").until == dt.date(2023, 3, 1)
    assert reg.state(m, "2023-06-01").until == dt.date(2024, 2, 29)
    assert reg.state(m, "2024-06-01").until == dt.date(2025, 3, 1)
    assert reg.state(m, "2026-01-01").until == dt.date(2026, 3, 1)
    assert reg.state(m, "2026-06-01").until == dt.date(2027, 3, 1)
    assert reg.state(m, "2026-06-01", known="2026-12-04").until == dt.date(2027, 2, 28)  # as shipped
    assert reg.state(m, "2023-06-01", known="2026-12-04").until is None
    for luka in ("eu-lukashenko-travel-ban", "eu-disappearances-four-listing"):
        assert reg.state(luka, "2021-06-01").until == dt.date(2022, 3, 1)
        assert reg.state(luka, "2027-02-28").status == "in_force"
        assert reg.state(luka, "2027-03-01").status == "expired"


def test_8e_corrections_bel_kap_steel_and_belinvestbank(reg):
    m = "us-ofac-bel-kap-steel-sdn"
    lift = reg.transition(f"{m}.lift-2026-07-23")
    assert (lift.effective, lift.effective_window, lift.corrects, lift.recorded) == (
        dt.date(2026, 7, 23), (dt.date(2026, 3, 21), dt.date(2026, 7, 23)), f"{m}.lift", dt.date(2026, 12, 5))
    assert (str(reg.state(m, "2026-03-20").status), reg.state(m, "2026-03-20").uncertain) == ("in_force", False)
    assert (str(reg.state(m, "2026-03-21").status), reg.state(m, "2026-03-21").uncertain) == ("in_force", True)
    assert (str(reg.state(m, "2026-07-23").status), reg.state(m, "2026-07-23").uncertain) == ("lifted", False)
    assert str(reg.state(m, "2026-03-21", known="2026-12-04").status) == "lifted"  # the shipped answer
    assert str(reg.state(m, "2026-03-21", known="2026-12-05").status) == "in_force"
    for potash in POTASH:
        assert reg.transition(f"{potash}.lift-window-2026-07-23").effective_window == (
            dt.date(2026, 3, 21), dt.date(2026, 7, 23))
        assert reg.state(potash, "2026-07-23").uncertain is False
        assert reg.state(potash, "2026-07-23", known="2026-12-04").uncertain is True


def test_8f_uk_packages(reg):
    assert str(reg.state("uk-belaeronavigatsia-asset-freeze", "2021-06-21").status) == "in_force"
    assert not reg.state("uk-bnk-uk-asset-freeze", "2021-06-20").exists
    assert str(reg.state("uk-belarus-iron-steel-import-ban", "2022-07-05").status) == "in_force"
    s = reg.state("uk-belarus-import-bans-2023", "2024-01-01")  # laid 2023-06-08; in-force date not found
    assert not s.exists and _pending_ids(s) == ["uk-belarus-import-bans-2023.announce-2023-06-08"]


def test_8g_deals_of_2008_and_2015(reg):
    gl08 = {"us-ofac-lakokraska-polotsk-sdn.gl-2008": "reported", "eu-lukashenko-travel-ban.suspend-2008": "stated"}
    assert _linked(_deal(reg, "release-2008-08-16")) == gl08
    assert _linked(_deal(reg, "release-2008-08-20")) == gl08
    deal = _deal(reg, "release-2015-08-22")
    assert deal.release.count == 6
    assert _linked(deal) == {
        "us-ofac-belneftekhim-sdn.gl2": "stated", "us-ofac-belarusian-oil-trade-house-sdn.gl2": "stated",
        "us-ofac-lakokraska-polotsk-sdn.gl2": "stated", "us-ofac-belarus-soe-sdn.gl2": "stated",
        "eu-lukashenko-travel-ban.suspend-2015": "stated", "eu-lukashenko-asset-freeze.suspend-2015": "stated"}
    assert _linked(_deal(reg, "release-2009-06-30")) == {}
    assert {d.release.id for d in reg.deals()} >= {"release-2008-08-16", "release-2015-08-22", "release-2025-12-13",
                                                    "release-2026-03-19"}


def test_8i_missing_releases_recorded_when_learned(reg):
    (r,) = [r for r in reg.releases if r.id == "release-2025-09-16"]
    assert (r.count, r.recorded) == (25, dt.date(2026, 12, 5))
    assert "release-2025-09-16" not in {d.release.id for d in reg.as_known_on("2026-12-04").deals()}
    assert "release-2025-09-16" in {d.release.id for d in reg.as_known_on("2026-12-05").deals()}
    figures = _figures(reg, "release-2024-09-16")["count"]
    assert sorted((f.value, f.used) for f in figures) == [(30, False), (37, True)]


PRIMARY = ("ofac.treasury.gov", "treasury.gov", "federalregister.gov", "govinfo.gov", "gpo.gov", "eur-lex.europa.eu",
           "publications.europa.eu", "legislation.gov.uk", "curia.europa.eu", "state.gov", "usembassy.gov",
           "whitehouse", "bailii.org", "justia.com/regulations/fedreg", "api.ai-analytics.org/treasury-rule",
           "api.ai-analytics.org/commerce-rule", "github.com/jackdwyer/specially-designated-nationals-list")


def _primary(src) -> bool:
    return any(p in src.url for p in PRIMARY)


def test_every_confirmed_transition_has_a_primary_source_or_two_publishers(reg):
    weak = []
    for t in reg.transitions:
        if t.confidence != "confirmed":
            continue
        srcs = [reg.source(s) for s in t.sources]
        if any(_primary(s) for s in srcs):
            continue
        if len({s.publisher.split(" (")[0].split(",")[0] for s in srcs}) >= 2:
            continue
        weak.append(t.id)
    assert weak == []
