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


def test_eu_renewal_extends_every_eu_measure_to_2027_02_28(reg):
    for m in reg.measures:
        if m.authority != "EU":
            continue
        renewal = reg.transition(f"{m.id}.renewal-2026")
        assert renewal.action == "extend"
        assert renewal.until == dt.date(2027, 2, 28)
        assert reg.state(m.id, "2027-02-27").status == "in_force", m.id
        assert reg.state(m.id, "2027-02-28").status == "expired", m.id


def test_eu_airspace_ban_starts_at_midnight_brussels_time(reg):
    t = reg.transition("eu-belarus-airspace-ban.impose")
    assert t.effective_at == dt.datetime(2021, 6, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    utc = dt.timezone.utc
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
    assert bank.status == "relieved"  # an easing (instrument unknown), still on the SDN list
    assert _pending_ids(bank) == ["us-ofac-belinvestbank-sdn.announce-2026-03-19"]
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
    expected["us-ofac-directive1-minfin-devbank.announce-2026-03-19"] = "stated"
    assert _linked(deal) == expected


def test_deal_2025_11_22_reported_by_the_moscow_times(reg):
    assert _linked(_deal(reg, "release-2025-11-22")) == {"us-ofac-belavia-sdn.lift": "reported"}


def test_releases_without_a_concession_have_no_links(reg):
    linked = {"release-2025-09-11", "release-2025-11-22", "release-2025-12-13", "release-2026-03-19"}
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
