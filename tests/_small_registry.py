"""A small registry built in code, for the CLI/export/timeline tests.

Shaped after the Belavia and potash facts (FACTS §7) but built with
``Registry.build`` so the tests do not depend on the YAML loader. It holds a
relief with ``until``, a pending announcement superseded by a lift, a
correction recorded later (two knowledge epochs), an ``extend``, an
``effective_at`` instant and two releases linked to transitions.
"""

from __future__ import annotations

import datetime as dt

from sanctrack import (
    Authority,
    Entity,
    Figure,
    Instrument,
    Link,
    Measure,
    Registry,
    RegistryInfo,
    Release,
    Scope,
    Source,
    Transition,
)

D = dt.date.fromisoformat


def build() -> Registry:
    authorities = [
        Authority("US-OFAC", "Office of Foreign Assets Control", "US", "America/New_York"),
        Authority("US-BIS", "Bureau of Industry and Security", "US", "America/New_York"),
        Authority("EU", "Council of the European Union", "EU", "Europe/Brussels"),
    ]
    entities = [
        Entity("belavia", "organisation", "Open Joint Stock Company Belavia Belarusian Airlines",
               aliases=("Belavia", "OJSC Belavia"), identifiers=("ofac:44541",)),
        Entity("belaruskali", "organisation", "Belaruskali OAO", aliases=("Belaruskali",),
               identifiers=("ofac:32746",)),
    ]
    sources = [
        Source("S20", "ExportPrac", "https://exportprac.com/stories/ofac-gives-belarus-airline-wings,14271",
               title="OFAC gives Belarus airline wings", published=D("2025-09-12")),
        Source("S21", "Willkie", "https://complianceconcourse.willkie.com/articles/ofac-designates"),
        Source("S08", "Respectus", "https://www.respectus.space/post/eu-prohibits-belarusian-air-carriers"),
        Source("S16", "US Embassy Minsk", "https://by.usembassy.gov/u-s-takes-enforcement-action-against-belavia"),
        Source("S03", "Mondaq", "https://www.mondaq.com/unitedstates/human-rights/1100966"),
        Source("S46", "BelTA", "https://eng.belta.by/politics/view/potash"),
    ]
    instruments = [
        Instrument("ofac-sdn-2023-08-09", "sdn_action", "SDN designation of Belavia", number="SDN 2023-08-09",
                   authority="US-OFAC", sources=("S21",)),
        Instrument("ofac-gl-9", "general_licence", "Civil aviation safety and wind down", number="GL 9",
                   authority="US-OFAC", sources=("S21",)),
        Instrument("ofac-gl-11", "general_licence",
                   "Authorizing Transactions Involving Open Joint Stock Company Belavia Belarusian Airlines",
                   number="GL 11", authority="US-OFAC", url="https://ofac.treasury.gov/media/934541/download",
                   issued=D("2025-09-11"), sources=("S20",)),
        Instrument("ofac-sdn-2025-11-04", "sdn_action", "SDN removal of Belavia", number="SDN 2025-11-04",
                   authority="US-OFAC", sources=("S20",)),
        Instrument("eu-2021-907", "regulation", "Council Regulation (EU) 2021/907", number="Reg. 2021/907",
                   authority="EU", sources=("S08",)),
        Instrument("bis-tdo-2022-06-16", "denial_order", "Temporary Denial Order: Belavia", number="TDO",
                   authority="US-BIS", sources=("S16",)),
        Instrument("ofac-gl-4", "general_licence", "Wind down of transactions with Belaruskali", number="GL 4",
                   authority="US-OFAC", sources=("S03",)),
        Instrument("ofac-gl-13", "general_licence", "Authorizing transactions involving Belaruskali",
                   number="GL 13", authority="US-OFAC", sources=("S46",)),
    ]
    measures = [
        Measure("us-ofac-belavia-sdn", "US-OFAC", "blocking", "SDN blocking of OJSC Belavia",
                targets=("belavia",), program="BELARUS-EO14038", sources=("S21",)),
        Measure("us-bis-belavia-tdo", "US-BIS", "export_control", "BIS Temporary Denial Order: Belavia",
                targets=("belavia",), sources=("S16",)),
        Measure("eu-belarus-airspace-ban", "EU", "airspace", "EU ban on Belarusian air carriers",
                targets=("belavia",), program="EU-BELARUS", sources=("S08",)),
        Measure("us-ofac-belaruskali-sdn", "US-OFAC", "blocking", "SDN blocking of Belaruskali OAO",
                targets=("belaruskali",), program="BELARUS-EO14038", sources=("S03",)),
    ]
    T = Transition
    transitions = [
        T("us-ofac-belavia-sdn.impose", "us-ofac-belavia-sdn", "impose", D("2023-08-09"),
          effective=D("2023-08-09"), instrument="ofac-sdn-2023-08-09", sources=("S21",)),
        T("us-ofac-belavia-sdn.gl9", "us-ofac-belavia-sdn", "relieve", D("2023-08-09"),
          effective=D("2023-08-09"), until=D("2023-09-08"), instrument="ofac-gl-9",
          confidence="reported", sources=("S21",)),
        T("us-ofac-belavia-sdn.announce-2025-09-11", "us-ofac-belavia-sdn", "lift", D("2025-09-11"),
          announced=D("2025-09-11"), confidence="reported", sources=("S20",),
          note='Envoy John Coale in Minsk: "we have lifted sanctions on Belavia"'),
        T("us-ofac-belavia-sdn.gl11", "us-ofac-belavia-sdn", "relieve", D("2025-09-11"),
          effective=D("2025-09-11"), instrument="ofac-gl-11",
          scope=Scope("All transactions prohibited by the BSR involving Belavia",
                      ("unblocking of blocked property",)),
          sources=("S20",)),
        T("us-ofac-belavia-sdn.lift", "us-ofac-belavia-sdn", "lift", D("2025-11-04"),
          effective=D("2025-11-04"), instrument="ofac-sdn-2025-11-04",
          corrects="us-ofac-belavia-sdn.announce-2025-09-11", sources=("S20",)),
        T("us-bis-belavia-tdo.impose", "us-bis-belavia-tdo", "impose", D("2022-06-16"),
          effective=D("2022-06-16"), until=D("2022-12-13"), instrument="bis-tdo-2022-06-16", sources=("S16",)),
        T("us-bis-belavia-tdo.renew-2022-12", "us-bis-belavia-tdo", "extend", D("2022-12-13"),
          effective=D("2022-12-13"), until=D("2023-06-07"), confidence="reported", sources=("S16",)),
        T("eu-belarus-airspace-ban.impose", "eu-belarus-airspace-ban", "impose", D("2021-06-04"),
          effective=D("2021-06-05"), effective_at=dt.datetime(2021, 6, 5, 0, 0,
                                                              tzinfo=dt.timezone(dt.timedelta(hours=2))),
          instrument="eu-2021-907", sources=("S08",)),
        T("us-ofac-belaruskali-sdn.impose", "us-ofac-belaruskali-sdn", "impose", D("2021-08-09"),
          effective=D("2021-08-09"), sources=("S03",)),
        T("us-ofac-belaruskali-sdn.gl4", "us-ofac-belaruskali-sdn", "relieve", D("2021-08-09"),
          effective=D("2021-08-09"), until=D("2021-12-08"), instrument="ofac-gl-4", sources=("S03",)),
        T("us-ofac-belaruskali-sdn.gl13", "us-ofac-belaruskali-sdn", "relieve", D("2025-12-15"),
          effective=D("2025-12-15"), instrument="ofac-gl-13", sources=("S46",),
          conditions=("conditional on sustained improvements",)),
        # first recorded with a wrong date, corrected two days later: two knowledge epochs
        T("us-ofac-belaruskali-sdn.lift-draft", "us-ofac-belaruskali-sdn", "lift", D("2026-03-26"),
          effective=D("2026-03-25"), confidence="inferred", sources=("S46",)),
        T("us-ofac-belaruskali-sdn.lift", "us-ofac-belaruskali-sdn", "lift", D("2026-03-28"),
          effective=D("2026-03-26"), corrects="us-ofac-belaruskali-sdn.lift-draft",
          confidence="inferred", sources=("S46",)),
    ]
    releases = [
        Release("release-2025-09-11", D("2025-09-11"), D("2025-09-11"), count=52,
                people=("Mikola Statkevich",), nationalities=("BY", "PL"), destinations=("Lithuania",),
                negotiators=("John Coale",), sources=("S20",)),
        Release("release-2025-12-13", D("2025-12-13"), D("2025-12-13"), count=123,
                people=("Ales Bialiatski", "Maria Kalesnikava"), destinations=("Ukraine", "Lithuania"),
                sources=("S46",),
                figures=(Figure("taken_to_ukraine", 114, used=True, sources=("S46",)),
                         Figure("taken_to_ukraine", 109, sources=("S46",)))),
    ]
    links = [
        Link("release-2025-09-11", "us-ofac-belavia-sdn.gl11", "reported", D("2025-09-11"), sources=("S20",)),
        Link("release-2025-09-11", "us-ofac-belavia-sdn.lift", "reported", D("2025-11-04"), sources=("S20",)),
        Link("release-2025-12-13", "us-ofac-belaruskali-sdn.gl13", "stated", D("2025-12-15"), sources=("S46",),
             quote="в связи с отменой незаконных санкций против калийной отрасли"),
    ]
    return Registry.build(info=RegistryInfo("small", "test", "A small test registry"),
                          authorities=authorities, entities=entities, instruments=instruments,
                          sources=sources, measures=measures, transitions=transitions,
                          releases=releases, links=links)
