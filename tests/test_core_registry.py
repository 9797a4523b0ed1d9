"""The registry and its queries, on a small registry built in code (DESIGN §2–§4)."""

from __future__ import annotations

import datetime as dt

import pytest

import sanctrack as s

D = dt.date
AUTH = [
    s.Authority("US-OFAC", "Office of Foreign Assets Control", "US", "America/New_York"),
    s.Authority("EU", "Council of the European Union", "EU", "Europe/Brussels"),
]
ENT = [
    s.Entity("belavia", "organisation", "Open Joint Stock Company Belavia Belarusian Airlines",
             aliases=("Belavia", "OJSC Belavia"), identifiers=("ofac:44541",)),
    s.Entity("bpc", "organisation", "Open Joint Stock Company Belarusian Potash Company",
             aliases=("Joint Stock Company Belarusian Potash Company", "BPC"), identifiers=("ofac:33374",)),
]
INS = [
    s.Instrument("gl-9", "general_licence", "Civil aviation safety / wind down", number="GL 9"),
    s.Instrument("gl-11", "general_licence", "Authorizing Transactions Involving Belavia", number="GL 11"),
    s.Instrument("gl-13", "general_licence", "Authorizing Transactions Involving BPC", number="GL 13"),
]
SRC = [s.Source("S20", "ExportPrac", "https://exportprac.com/x", quote="does not authorize the unblocking")]
MEA = [
    s.Measure("us-belavia", "US-OFAC", "blocking", "Belavia SDN", targets=("belavia",), program="BELARUS-EO14038",
              sources=("S20",)),
    s.Measure("eu-airspace", "EU", "airspace", "EU airspace ban", targets=("belavia",)),
    s.Measure("us-bpc", "US-OFAC", "blocking", "BPC SDN", targets=("bpc",), program="BELARUS-EO14038"),
]
GL11_SCOPE = s.Scope("All BSR-prohibited transactions with Belavia", ("unblocking of blocked property", "other SDNs"))
TRA = [
    s.Transition("b.impose", "us-belavia", "impose", recorded=D(2023, 8, 9), effective=D(2023, 8, 9), sources=("S20",)),
    s.Transition("b.gl9", "us-belavia", "relieve", recorded=D(2023, 8, 9), effective=D(2023, 8, 9),
                 until=D(2023, 9, 8), instrument="gl-9"),
    s.Transition("b.announce", "us-belavia", "lift", recorded=D(2025, 9, 11), announced=D(2025, 9, 11),
                 confidence="reported"),
    s.Transition("b.gl11", "us-belavia", "relieve", recorded=D(2025, 9, 11), effective=D(2025, 9, 11),
                 instrument="gl-11", scope=GL11_SCOPE),
    s.Transition("b.lift", "us-belavia", "lift", recorded=D(2025, 11, 4), effective=D(2025, 11, 4),
                 corrects="b.announce"),
    s.Transition("e.impose", "eu-airspace", "impose", recorded=D(2021, 6, 4), effective=D(2021, 6, 5),
                 effective_at=s.parse_instant("2021-06-05T00:00:00+02:00")),
    s.Transition("e.renew", "eu-airspace", "extend", recorded=D(2026, 2, 26), effective=D(2026, 2, 26),
                 until=D(2027, 2, 28)),
    s.Transition("p.impose", "us-bpc", "impose", recorded=D(2021, 12, 2), effective=D(2021, 12, 2)),
    s.Transition("p.gl13", "us-bpc", "relieve", recorded=D(2025, 12, 15), effective=D(2025, 12, 15),
                 instrument="gl-13", conditions=("sustained improvements in behaviour",)),
    s.Transition("p.lift", "us-bpc", "lift", recorded=D(2026, 3, 26), effective=D(2026, 3, 26),
                 effective_window=(D(2026, 3, 21), D(2026, 7, 24)), confidence="inferred"),
]
REL = [s.Release("r-2025-09-11", D(2025, 9, 11), D(2025, 9, 11), count=52),
       s.Release("r-2025-12-13", D(2025, 12, 13), D(2025, 12, 13), count=123)]
LNK = [s.Link("r-2025-09-11", "b.gl11", "reported", D(2025, 9, 11)),
       s.Link("r-2025-09-11", "b.lift", "reported", D(2025, 11, 4)),
       s.Link("r-2025-12-13", "p.gl13", "stated", D(2025, 12, 15))]


def build(**over):
    kw = dict(authorities=AUTH, entities=ENT, instruments=INS, sources=SRC, measures=MEA, transitions=TRA,
              releases=REL, links=LNK)
    kw.update(over)
    return s.Registry.build(**kw)


@pytest.fixture(scope="module")
def reg():
    return build()


def status(reg, m, on, **kw):
    st = reg.state(m, on, **kw).status
    return None if st is None else str(st)


# -- DESIGN §3, one test per rule ------------------------------------------------

def test_half_open_a_state_holds_from_its_first_day_to_the_day_before_the_next(reg):
    s1 = reg.state("us-belavia", "2025-09-11")
    assert (str(s1.status), s1.valid.start, s1.valid.end) == ("relieved", D(2025, 9, 11), D(2025, 11, 4))
    assert status(reg, "us-belavia", "2025-09-10") == "in_force"


def test_a_lift_effective_on_x_is_not_in_force_on_x(reg):
    assert reg.state("us-belavia", "2025-11-03").in_force is True
    assert reg.state("us-belavia", "2025-11-04").in_force is False
    assert status(reg, "us-belavia", "2025-11-04") == "lifted"


def test_until_u_holds_for_days_before_u(reg):
    assert [x.label for x in reg.state("us-belavia", "2023-09-07").reliefs] == ["GL 9"]
    assert reg.state("us-belavia", "2023-09-08").reliefs == ()
    assert status(reg, "us-belavia", "2023-09-08") == "in_force"


def test_same_day_transitions_in_registry_order():
    # impose and GL 9 on the same day: the relief applies after the impose
    assert build().state("us-belavia", "2023-08-09").status == "relieved"


def test_same_day_order_by_effective_at_then_registry_order():
    m = s.Measure("m", "US-OFAC", "blocking", "m")
    ts = [s.Transition("m.i", "m", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1)),
          # listed first but timed later in the day: applies after m.r1
          s.Transition("m.r2", "m", "revoke_relief", recorded=D(2020, 2, 1), effective=D(2020, 2, 1),
                       effective_at=s.parse_instant("2020-02-01T15:00:00-05:00")),
          s.Transition("m.r1", "m", "relieve", recorded=D(2020, 2, 1), effective=D(2020, 2, 1),
                       effective_at=s.parse_instant("2020-02-01T09:00:00-05:00"))]
    r = s.Registry.build(authorities=AUTH, measures=[m], transitions=ts)
    assert status(r, "m", "2020-02-01") == "in_force"  # the whole day: both applied
    assert status(r, "m", "2020-02-01T08:00:00-05:00") == "in_force"
    assert status(r, "m", "2020-02-01T10:00:00-05:00") == "relieved"
    assert status(r, "m", "2020-02-01T16:00:00-05:00") == "in_force"
    assert status(r, "m", "2020-02-01T20:30:00Z") == "in_force"   # 15:30 in Washington
    assert status(r, "m", "2020-02-01T14:30:00Z") == "relieved"   # 09:30 in Washington


def test_an_aware_instant_is_converted_to_the_authoritys_calendar_date(reg):
    # the EU ban applies from 00:00 Brussels time on 5 June 2021
    assert status(reg, "eu-airspace", "2021-06-04T23:30:00+01:00") == "in_force"  # 00:30 in Brussels
    assert status(reg, "eu-airspace", "2021-06-04T21:59:00Z") is None            # 23:59 in Brussels
    assert status(reg, "eu-airspace", dt.datetime(2021, 6, 4, 22, 0, tzinfo=dt.UTC)) == "in_force"
    # 2025-11-04 02:00 UTC is still 2025-11-03 in Washington: Belavia not yet delisted
    assert status(reg, "us-belavia", "2025-11-04T02:00:00Z") == "relieved"
    assert status(reg, "us-belavia", "2025-11-04T05:00:00Z") == "lifted"


def test_a_naive_datetime_is_refused(reg):
    with pytest.raises(s.InvalidDate, match="naive"):
        reg.state("us-belavia", dt.datetime(2025, 11, 4, 12, 0))
    with pytest.raises(s.InvalidDate):
        reg.state("us-belavia", "2025-11")


def test_before_the_first_transition_the_measure_does_not_exist(reg):
    st = reg.state("us-belavia", "2023-08-08")
    assert (st.status, st.exists, st.in_force, st.version) == (None, False, False, 0)
    assert st.valid.end == D(2023, 8, 9)


# -- overlays, pending, windows, knowledge time -----------------------------------

def test_a_relief_carries_instrument_scope_and_since(reg):
    st = reg.state("us-belavia", "2025-09-20")
    (r,) = st.reliefs
    assert (r.instrument.id, r.label, r.since, r.until) == ("gl-11", "GL 11", D(2025, 9, 11), None)
    assert r.scope.excludes == ("unblocking of blocked property", "other SDNs")
    assert st.transition.id == "b.gl11" and st.cause == "relieve"


def test_a_pending_announcement_changes_no_status_and_is_listed_until_its_correction_takes_effect(reg):
    assert [p.id for p in reg.state("us-belavia", "2025-09-10").pending] == []
    st = reg.state("us-belavia", "2025-10-01")
    assert (str(st.status), [p.id for p in st.pending]) == ("relieved", ["b.announce"])
    assert reg.state("us-belavia", "2025-11-04").pending == ()


def test_as_known_before_the_correction_the_announcement_stays_pending(reg):
    view = reg.as_known_on("2025-10-01")
    for st in (view.state("us-belavia", "2025-11-10"), reg.state("us-belavia", "2025-11-10", known="2025-10-01")):
        assert (str(st.status), [p.id for p in st.pending]) == ("relieved", ["b.announce"])
    assert status(reg, "us-belavia", "2025-11-10", known="2025-11-04") == "lifted"


def test_knowledge_time_hides_later_records(reg):
    assert status(reg, "us-bpc", "2025-12-20", known="2025-12-14") == "in_force"
    assert status(reg, "us-bpc", "2025-12-20", known="2025-12-15") == "relieved"
    assert status(reg, "us-bpc", "2020-01-01", known="2020-01-01") is None
    view = reg.as_known_on("2021-12-01")
    assert [m.id for m in view.measures] == ["eu-airspace"]
    assert view.known == D(2021, 12, 1) and view.digest == reg.digest
    # a view of a view never sees more than its parent
    assert view.as_known_on("2026-01-01").known == D(2021, 12, 1)


def test_corrections_never_delete(reg):
    h = reg.history("us-belavia")
    assert [(x.record.id, x.by.id) for x in h.superseded] == [("b.announce", "b.lift")]
    assert "b.announce" in {t.id for t in reg.transitions}


def test_states_inside_an_effective_window_are_uncertain(reg):
    assert reg.state("us-bpc", "2026-03-20").uncertain is False
    assert reg.state("us-bpc", "2026-03-21").uncertain is True
    st = reg.state("us-bpc", "2026-03-25")
    assert (str(st.status), st.uncertain) == ("relieved", True)
    assert (status(reg, "us-bpc", "2026-04-01"), reg.state("us-bpc", "2026-04-01").uncertain) == ("lifted", True)
    assert reg.state("us-bpc", "2026-07-24").uncertain is False


def test_history_versions_tile_time(reg):
    h = reg.history("us-belavia")
    assert [(str(v.status), str(v.valid)) for v in h] == [
        ("relieved", "[2023-08-09, 2023-09-08)"),
        ("in_force", "[2023-09-08, 2025-09-11)"),
        ("relieved", "[2025-09-11, 2025-11-04)"),
        ("lifted", "[2025-11-04, open)"),
    ]
    assert [v.version for v in h] == [1, 2, 3, 4]
    assert [v.cause for v in h] == ["relieve", "lapse", "relieve", "lift"]


# -- queries -----------------------------------------------------------------------

def test_in_force_with_filters(reg):
    def ids(xs):
        return [x.measure.id for x in xs]

    assert ids(reg.in_force("2025-09-20")) == ["eu-airspace", "us-belavia", "us-bpc"]
    assert ids(reg.in_force("2025-11-04")) == ["eu-airspace", "us-bpc"]
    assert ids(reg.in_force("2025-09-20", authority="US-OFAC")) == ["us-belavia", "us-bpc"]
    assert ids(reg.in_force("2025-09-20", kind="airspace")) == ["eu-airspace"]
    assert ids(reg.in_force("2025-09-20", program="BELARUS-EO14038")) == ["us-belavia", "us-bpc"]
    for ref in ("belavia", "Belavia", "  OJSC belavia ", "open joint-stock company belavia, belarusian airlines",
                "ofac:44541", "OFAC:44541"):
        assert ids(reg.in_force("2025-09-20", target=ref)) == ["eu-airspace", "us-belavia"], ref
    assert ids(reg.in_force("2025-09-20", target="Joint Stock Company Belarusian Potash Company")) == ["us-bpc"]
    with pytest.raises(s.UnknownTarget, match="Belavai"):
        reg.in_force("2025-09-20", target="Belavai")


def test_unknown_measure(reg):
    with pytest.raises(s.UnknownMeasure) as err:
        reg.state("us-belavai", "2025-01-01")
    assert str(err.value) == "unknown measure 'us-belavai' (did you mean 'us-belavia'?)"
    assert isinstance(err.value, LookupError)


def test_changes_in_a_half_open_range(reg):
    assert [t.id for t in reg.changes("2025-09-11", "2025-11-04")] == ["b.gl11"]
    assert [t.id for t in reg.changes("2025-09-11", "2025-11-05")] == ["b.gl11", "b.lift"]
    assert [t.id for t in reg.changes("2025-01-01", "2027-01-01", authority="EU")] == ["e.renew"]
    assert [t.id for t in reg.changes("2021-01-01", "2022-01-01")] == ["e.impose", "p.impose"]
    assert [t.id for t in reg.changes("2025-01-01", "2026-01-01", known="2025-10-01")] == ["b.gl11"]


def test_diff_between_two_dates(reg):
    d = reg.diff("2025-09-10", "2025-12-20")
    assert [(c.measure.id, str(c.before.status), str(c.after.status)) for c in d] == [
        ("us-belavia", "in_force", "lifted"), ("us-bpc", "in_force", "relieved")]
    assert reg.diff("2025-09-12", "2025-09-20") == []


def test_explain_gives_the_chain_and_sources(reg):
    ex = reg.explain("us-belavia", "2025-09-20")
    assert [st.transition.id for st in ex.steps] == ["b.impose", "b.gl9", "b.gl11"]
    assert ex.steps[0].sources[0].url == "https://exportprac.com/x"
    assert ex.steps[2].instrument.number == "GL 11"
    assert [x.id for x in ex.measure_sources] == ["S20"]
    assert [p.id for p in ex.state.pending] == ["b.announce"]


def test_compare_shows_divergence(reg):
    c = reg.compare("Belavia", "2025-11-10")
    assert c.target.id == "belavia"
    assert c.by_authority == (("EU", True), ("US-OFAC", False))
    assert c.divergent is True
    # both have it in force, but OFAC's GL 11 authorises what the EU blocks: licensed against blocked diverges
    c = reg.compare("belavia", "2025-09-20")
    assert c.by_authority == (("EU", True), ("US-OFAC", True))
    assert [(p.authority, p.position) for p in c.positions] == [("EU", "blocked"), ("US-OFAC", "licensed")]
    assert c.divergent is True


def test_deals_and_links(reg):
    deals = reg.deals()
    assert [(d.release.id, [(x.transition.id, str(x.link.basis)) for x in d.links]) for d in deals] == [
        ("r-2025-09-11", [("b.gl11", "reported"), ("b.lift", "reported")]),
        ("r-2025-12-13", [("p.gl13", "stated")]),
    ]
    assert [x.release.id for x in reg.releases_for("b.lift")] == ["r-2025-09-11"]
    assert [x.transition.id for x in reg.transitions_for("r-2025-12-13")] == ["p.gl13"]
    # links count only once recorded
    early = reg.as_known_on("2025-10-01").deals()
    assert [(d.release.id, [x.transition.id for x in d.links]) for d in early] == [("r-2025-09-11", ["b.gl11"])]
    with pytest.raises(s.UnknownRecord):
        reg.transitions_for("r-1999")


def test_screen_answers_many_questions(reg):
    hits = reg.screen([("Belavia", "2025-09-20"), ("us-bpc", "2026-04-01"), ("BPC", "2025-12-20", "2025-12-01")])
    assert [[x.measure.id for x in h.states] for h in hits] == [["eu-airspace", "us-belavia"], [], ["us-bpc"]]
    assert [str(h.states[0].status) for h in hits if h.hit] == ["in_force", "in_force"]


# -- construction ------------------------------------------------------------------

def test_every_problem_is_reported_at_once():
    bad = TRA + [
        s.Transition("b.again", "us-belavia", "lift", recorded=D(2025, 12, 1), effective=D(2025, 12, 1)),
        s.Transition("x.orphan", "no-such-measure", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1)),
        s.Transition("p.bad", "us-bpc", "amend", recorded=D(2022, 1, 1), effective=D(2022, 1, 1),
                     instrument="gl-14", sources=("S21",)),
    ]
    with pytest.raises(s.RegistryError) as err:
        build(transitions=bad)
    probs = {(p.record, p.field): p for p in err.value.problems}
    assert set(probs) == {("x.orphan", "measure"), ("p.bad", "instrument"), ("p.bad", "sources"),
                          ("b.again", "action")}
    assert probs[("p.bad", "instrument")].hint == "did you mean 'gl-13'?"
    illegal = probs[("b.again", "action")]
    assert illegal.related == ("b.lift",)
    assert "cannot lift when the measure is lifted after transition 'b.lift'" in illegal.message


def test_duplicate_ids_and_bad_corrections_are_problems():
    bad = TRA + [
        s.Transition("b.gl11", "us-belavia", "relieve", recorded=D(2025, 9, 11), effective=D(2025, 9, 12)),
        s.Transition("p.fix", "us-bpc", "relieve", recorded=D(2020, 1, 1), effective=D(2025, 12, 15),
                     corrects="p.gl13"),
    ]
    with pytest.raises(s.RegistryError) as err:
        build(transitions=bad)
    text = str(err.value)
    assert "duplicate transition id 'b.gl11'" in text
    assert "recorded 2020-01-01 is before the record it corrects ('p.gl13', recorded 2025-12-15)" in text


def test_an_illegal_sequence_only_in_a_past_view_is_found():
    m = s.Measure("m", "US-OFAC", "blocking", "m")
    # the relief was recorded before the impose it depends on: illegal as known on 2020-02-01
    ts = [s.Transition("i", "m", "impose", recorded=D(2020, 3, 1), effective=D(2020, 1, 1)),
          s.Transition("r", "m", "relieve", recorded=D(2020, 2, 1), effective=D(2020, 2, 1))]
    with pytest.raises(s.RegistryError, match=r"as known on 2020-02-01"):
        s.Registry.build(authorities=AUTH, measures=[m], transitions=ts)


def test_effective_at_must_fall_on_the_effective_date():
    m = s.Measure("m", "EU", "airspace", "m")
    t = s.Transition("i", "m", "impose", recorded=D(2021, 6, 4), effective=D(2021, 6, 4),
                     effective_at=s.parse_instant("2021-06-05T00:00:00+02:00"))
    with pytest.raises(s.RegistryError, match="is 2021-06-05 in Europe/Brussels, not the effective date 2021-06-04"):
        s.Registry.build(authorities=AUTH, measures=[m], transitions=[t])


def test_records_validate_locally():
    with pytest.raises(ValueError, match="until 2020-01-01 must be after effective 2020-01-01"):
        s.Transition("x", "m", "relieve", recorded=D(2020, 1, 1), effective=D(2020, 1, 1), until=D(2020, 1, 1))
    with pytest.raises(ValueError, match="needs an effective date or an announced date"):
        s.Transition("x", "m", "lift", recorded=D(2020, 1, 1))
    with pytest.raises(ValueError, match="outside effective_window"):
        s.Transition("x", "m", "lift", recorded=D(2020, 1, 1), effective=D(2020, 1, 1),
                     effective_window=(D(2020, 1, 2), D(2020, 1, 5)))
    with pytest.raises(ValueError, match="kind 'airline' is not one of"):
        s.Entity("x", "airline", "X")


def test_digest_ignores_insertion_order_but_not_content(reg):
    again = build(transitions=list(reversed(TRA[5:])) + TRA[:5], measures=list(reversed(MEA)),
                  entities=list(reversed(ENT)), releases=list(reversed(REL)), links=list(reversed(LNK)))
    assert again.digest == reg.digest
    changed = build(sources=[s.Source("S20", "ExportPrac", "https://exportprac.com/y")])
    assert changed.digest != reg.digest
    assert reg.digest.startswith("sha256:") and len(reg.digest) == 71


def test_a_correction_cycle_is_a_problem_not_a_hang():
    m = s.Measure("m", "US-OFAC", "blocking", "m")
    ts = [s.Transition("i", "m", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1)),
          s.Transition("a", "m", "relieve", recorded=D(2020, 2, 1), effective=D(2020, 2, 1), corrects="b"),
          s.Transition("b", "m", "relieve", recorded=D(2020, 2, 1), effective=D(2020, 2, 1), corrects="a")]
    with pytest.raises(s.RegistryError, match="corrections form a cycle"):
        s.Registry.build(authorities=AUTH, measures=[m], transitions=ts)


def test_as_known_on_none_means_everything_known(reg):
    assert reg.as_known_on(None).known is None
    assert reg.as_known_on("2025-10-01").as_known_on(None).known == D(2025, 10, 1)
    with pytest.raises(s.InvalidDate):
        reg.as_known_on("2025-10")
