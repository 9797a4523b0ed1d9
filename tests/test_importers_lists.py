"""The list importers on the real files: UN, EU FSF, OFAC Advanced, OpenSanctions FtM, sdn.csv.

Every expected value was derived from the files by hand or by a separate script
(regular expressions over the raw text, the csv module), not by the readers under test.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import io
import json
import shutil
import sys
from pathlib import Path

import pytest

import sanctrack
from sanctrack.importers import (
    KINDS,
    ListFormatError,
    Reader,
    diff,
    fold,
    import_files,
    import_history,
    read_snapshot,
    reader,
    write_registry,
)

pytest.importorskip("defusedxml", reason="the XML importers need defusedxml (the importers extra)")

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real-sanctions"
D = dt.date


def real(name: str) -> Path:
    if not DATA.is_dir():
        pytest.skip(f"real sanctions data not found at {DATA} (shared/data/real-sanctions)")
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{name} missing from {DATA}")
    return path


_cache: dict[tuple[str, str], object] = {}


def snap(kind: str, name: str):
    if (kind, name) not in _cache:
        _cache[kind, name] = read_snapshot(kind, real(name))
    return _cache[kind, name]


UN_0607 = "un_consolidated_2018-06-07.xml"
UN_0621 = "un_consolidated_2018-06-21.xml"
UN_2026 = "un_consolidated_2026-02-27.xml"
EU_2016 = "eu_fsf_v1_legacy_2016-02-11.xml"
OFAC_ADV = "ofac_cons_advanced_2020-03-17.xml"
OFAC_EXCERPTS = "ofac_sdn_advanced_2024-03-06_excerpts"
FTM_DELTA = "opensanctions_sanctions_entities.delta_2024-05-30.json"
FTM_SAMPLE = "opensanctions_eu_fsf_sample_2024-06.ftm.json"
SDN_FILES = ["ofac_sdn_2021-08-18T0939Z.csv", "ofac_sdn_2021-08-20T1850Z.csv", "ofac_sdn_2021-12-02T0141Z.csv",
             "ofac_sdn_2021-12-02T1850Z.csv", "ofac_sdn_2023-08-03.csv", "ofac_sdn_2023-08-09.csv",
             "ofac_sdn_2024-05-03.csv"]


# ----------------------------------------------------------------------------- the shape


def test_every_format_has_a_reader_of_the_one_shape():
    assert KINDS == ("ofac-sdn", "ofac-advanced", "eu-fsf", "un", "ftm")
    for kind in KINDS:
        r = reader(kind)
        assert isinstance(r, Reader) and r.list == kind
    with pytest.raises(ValueError, match="unknown list format 'uk'"):
        reader("uk")


@pytest.mark.parametrize("kind, name, count, date", [
    ("un", UN_0607, 1098, D(2018, 6, 7)),          # 693 INDIVIDUAL + 405 ENTITY
    ("un", UN_0621, 1100, D(2018, 6, 21)),         # 695 + 405
    ("un", UN_2026, 1003, D(2026, 2, 27)),         # 730 + 273
    ("eu-fsf", EU_2016, 595, D(2016, 2, 11)),      # 595 ENTITY, WHOLE Date="11/02/2016"
    ("ofac-advanced", OFAC_ADV, 759, D(2020, 3, 17)),       # 759 SanctionsEntry
    ("ofac-advanced", OFAC_EXCERPTS, 1, D(2024, 3, 6)),     # SanctionsEntry 36
    ("ftm", FTM_DELTA, 547, D(2024, 5, 30)),       # 43 ADD + 504 MOD Sanction entities
    ("ofac-sdn", "ofac_sdn_2024-05-03.csv", 14965, D(2024, 5, 3)),
])
def test_counts_of_entries_read_per_file(kind, name, count, date):
    s = snap(kind, name)
    assert (s.list, len(s), s.date) == (kind, count, date)
    assert len(s.sha256) == 64


# ----------------------------------------------------------------------------- UN


def test_un_pair_gives_exactly_the_two_additions():
    old, new = snap("un", UN_0607), snap("un", UN_0621)
    changes = diff(old, new)
    # independently: the REFERENCE_NUMBERs of 06-21 less those of 06-07 are QDi.413 and
    # QDi.414, none went away, and every other record's text is identical in both files
    assert [(c.action, c.key) for c in changes] == [("impose", "QDi.413"), ("impose", "QDi.414")]
    assert [c.entry.name for c in changes] == ["MYRNA AJIJUL MABANZA", "ABDULPATTA ESCALON ABUBAKAR"]
    for c in changes:  # LISTED_ON 2018-06-18: the list's own date, no window
        assert (c.effective, c.effective_window, c.recorded) == (D(2018, 6, 18), None, D(2018, 6, 21))
        assert c.entry.program == "Al-Qaida" and c.entry.identifiers[0] == f"un:{c.key}"
    assert not [c for c in changes if c.action != "impose"]


def test_un_listing_fields():
    e = snap("un", UN_0607).entries["QDi.001"]
    assert (e.name, e.kind, e.program, e.effective) == ("SAYF-AL ADL", "person", "Al-Qaida", D(2001, 1, 25))
    assert e.updated == (D(2010, 12, 16), D(2013, 7, 24), D(2017, 2, 15))  # LAST_DAY_UPDATED
    assert snap("un", UN_0607).generated == dt.datetime.fromisoformat("2018-06-07T19:03:43.970-04:00")


def test_un_2018_to_2026_additions_and_removals():
    changes = diff(snap("un", UN_0621), snap("un", UN_2026))
    kinds = collections.Counter(c.action for c in changes)
    # independently (regex over REFERENCE_NUMBER): 120 new, 217 gone
    assert (kinds["impose"], kinds["lift"]) == (120, 217)
    lifts = [c for c in changes if c.action == "lift"]
    # generated 2018-06-21T19:02-04:00: a delisting later that day is possible
    assert {c.effective_window for c in lifts} == {(D(2018, 6, 21), D(2026, 2, 27))}


# ----------------------------------------------------------------------------- EU


def test_eu_programmes_and_no_belarus():
    s = snap("eu-fsf", EU_2016)
    programmes = collections.Counter(e.program for e in s.entries.values())
    # independently: the programme attribute of the 595 ENTITY start tags
    assert programmes == {"IRQ": 292, "TAQA": 155, "AFG": 108, "TERR": 22, "COD": 16, "ZWE": 2}
    assert "BLR" not in programmes


def test_eu_mugabe_programme_regulation_and_dates():
    e = snap("eu-fsf", EU_2016).entries["1"]
    assert (e.name, e.kind, e.program) == ("Robert Gabriel Mugabe", "person", "ZWE")
    # his records carry 1643/2002 (2002-09-13), 898/2005 (2005-06-16), 151/2012 (2012-02-21
    # on the entity, 2012-02-22 on the passport): the earliest is the listing
    assert (e.effective, e.instrument) == (D(2002, 9, 13), "1643/2002 (OJ L247)")
    assert e.updated == (D(2005, 6, 16), D(2012, 2, 21), D(2012, 2, 22))
    assert e.published is None  # the legacy file does not give it
    assert e.identifiers[0] == "eu-fsf:1"
    saddam = snap("eu-fsf", EU_2016).entries["13"]
    assert (saddam.name, saddam.program, saddam.effective, saddam.instrument) == (
        "Saddam Hussein Al-Tikriti", "IRQ", D(2003, 7, 7), "1210/2003 (OJ L169)")
    assert saddam.aliases == ("Abu Ali", "Abou Ali")


def test_eu_zwe_import_dates_the_impose_by_the_regulation():
    imp = import_files("eu-fsf", [real(EU_2016)], program="ZWE")
    by_id = {t.measure: t for t in imp.transitions}
    t = by_id["eu-fsf-freeze-1"]
    assert (str(t.action), t.effective, t.effective_window, t.recorded, str(t.confidence)) == (
        "impose", D(2002, 9, 13), None, D(2016, 2, 11), "confirmed")
    inst = {i.id: i for i in imp.instruments}[t.instrument]
    assert (inst.number, inst.kind) == ("1643/2002 (OJ L247)", "regulation")
    reg = imp.registry()
    assert reg.state("eu-fsf-freeze-1", D(2010, 1, 1)).in_force
    assert reg.state("eu-fsf-freeze-1", D(2002, 9, 12)).status is None  # nothing before the act


EU_11 = """<?xml version="1.0" encoding="UTF-8"?>
<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2024-06-03T10:00:00.000+02:00">
<sanctionEntity logicalId="13" euReferenceNumber="EU.27.28" designationDate="2012-02-20">
  <regulation programme="ZWE" numberTitle="2012/97 (OJ L47)" publicationDate="2012-02-18" \
entryIntoForceDate="2012-02-19"/>
  <subjectType code="person" classificationCode="P"/>
  <nameAlias wholeName="Robert Gabriel Mugabe"/>
</sanctionEntity>
<sanctionEntity logicalId="14">
  <regulation programme="BLR" numberTitle="2022/398 (OJ L82)" publicationDate="2022-03-09" \
entryIntoForceDate="2022-03-10"/>
  <subjectType code="enterprise" classificationCode="E"/>
  <nameAlias wholeName="Belaruskali OAO"/>
  <identification number="600122610" identificationTypeCode="regnumber"/>
</sanctionEntity>
</export>
"""


def test_eu_fsf_1_1_dates(tmp_path):
    """The 1.1 form: designationDate, else entryIntoForceDate; publicationDate as published."""
    p = tmp_path / "eu.xml"
    p.write_text(EU_11, encoding="utf-8")
    s = read_snapshot("eu-fsf", p)
    assert s.date == D(2024, 6, 3)
    a, b = s.entries["13"], s.entries["14"]
    assert (a.effective, a.published, a.instrument, a.program) == (
        D(2012, 2, 20), D(2012, 2, 18), "2012/97 (OJ L47)", "ZWE")
    assert (b.effective, b.published, b.instrument, b.program, b.kind) == (
        D(2022, 3, 10), D(2022, 3, 9), "2022/398 (OJ L82)", "BLR", "organisation")
    assert b.line == 8  # its start tag is the eighth line


# ----------------------------------------------------------------------------- OFAC Advanced


def test_ofac_advanced_entry_event_dates_of_named_entries():
    s = snap("ofac-advanced", OFAC_ADV)
    assert len({e.target for e in s.entries.values()}) == 375  # DistinctParty
    e = s.entries["18299"]  # on the SDN list since 2020-02-18 (the Venezuela designation)
    assert (e.name, e.effective, e.target) == ("ROSNEFT TRADING S.A.", D(2020, 2, 18), "18299")
    assert e.program == "UKRAINE-EO13662; VENEZUELA-EO13850"
    assert e.measures == ("SDN List", "13662 Sectoral Directive 2", "13662 Sectoral Directive 4", "Block")
    gpn_ssi, gpn_cons = s.entries["50017143"], s.entries["70017143"]
    assert (gpn_ssi.name, gpn_ssi.effective, gpn_ssi.measures[0]) == (
        "OJSC GAZPROM NEFT", D(2014, 9, 12), "Sectoral Sanctions Identifications List")
    assert (gpn_cons.effective, gpn_cons.measures[0]) == (D(2014, 10, 10), "Consolidated List")
    haniya = s.entries["10009639"]
    assert (haniya.name, haniya.effective, haniya.program, haniya.kind) == (
        "HANIYA Ismail Abdul Salah", D(2006, 4, 12), "NS-PLC", "person")
    assert haniya.instrument == "General License 4 Under EO 13224 (Terrorism)"
    assert haniya.identifiers == ("ofac:9639",)


def test_ofac_advanced_excerpts_directory():
    s = snap("ofac-advanced", OFAC_EXCERPTS)
    e = s.entries["36"]
    assert (e.name, e.effective, e.program, e.measures, e.aliases) == (
        "AEROCARIBBEAN AIRLINES", D(1986, 12, 10), "CUBA", ("SDN List", "Block"), ("AERO-CARIBBEAN",))


def test_ofac_advanced_one_entity_per_party():
    imp = import_files("ofac-advanced", [real(OFAC_ADV)], program="NS-PLC")
    haniya = [e for e in imp.entities if "ofac:9639" in e.identifiers]
    assert len(haniya) == 1
    ms = sorted(m.id for m in imp.measures if haniya[0].id in m.targets)
    assert ms == ["us-ofac-entry-10009639", "us-ofac-entry-70009639"]
    when = {t.measure: (t.effective, str(t.confidence)) for t in imp.transitions}
    assert when["us-ofac-entry-10009639"] == (D(2006, 4, 12), "confirmed")


def test_ofac_advanced_measure_kinds_follow_the_sanctions_measures():
    imp = import_files("ofac-advanced", [real(OFAC_ADV)])
    kinds = {m.id: m.kind for m in imp.measures}
    assert kinds["us-ofac-entry-18299"] == "blocking"      # SDN List: Block
    assert kinds["us-ofac-entry-50017143"] == "sectoral"   # SSI: sectoral directives only
    assert kinds["us-ofac-entry-10009639"] == "financial"  # NS-PLC: Reject


# ----------------------------------------------------------------------------- FtM


def test_ftm_delta_counts_and_dates():
    s = snap("ftm", FTM_DELTA)
    assert dict(s.ops) == {"ADD": 90, "MOD": 1039, "DEL": 571}
    listings = list(s.entries.values())
    assert sum(e.effective is not None for e in listings) == 14  # startDate
    assert sum(e.ended is not None for e in listings) == 7       # endDate
    assert sum(e.known_since is not None for e in listings) == 547  # first_seen, kept apart
    e = s.entries["il-nbctf-e72670f5e9039d8fe057f02871c254a4f74fdc91"]
    assert (e.name, e.effective, e.known_since) == ("MOHAMMAD SADIQ", D(2011, 11, 22), D(2023, 4, 20))


def test_ftm_first_seen_is_never_an_effective_date():
    s = snap("ftm", FTM_DELTA)
    imp = import_files("ftm", [real(FTM_DELTA)])
    by_measure = {}
    for t in imp.transitions:
        by_measure.setdefault(t.measure, []).append(t)
    undated = [e for e in s.entries.values() if e.effective is None]
    assert len(undated) == 533
    assert sum(e.known_since < D(2024, 5, 30) for e in undated) > 400  # first_seen earlier: not used
    for e in undated:
        (t,) = [t for t in by_measure[f"os-{e.key.lower()}"] if str(t.action) == "impose"]
        # listed by the file's date, inferred; never first_seen
        assert (t.effective, str(t.confidence)) == (D(2024, 5, 30), "inferred")


def test_ftm_sample_without_sanction_entities_is_refused():
    with pytest.raises(ListFormatError, match=r"no Sanction entity \(7 entities of other schemas\)"):
        read_snapshot("ftm", real(FTM_SAMPLE))


def _ftm_line(eid, schema, props, first_seen="2024-01-01T00:00:00"):
    return {"id": eid, "schema": schema, "caption": (props.get("name") or [eid])[0], "properties": props,
            "first_seen": first_seen, "last_seen": "2024-05-27T00:00:00"}


def test_ftm_delta_applied_in_order_onto_a_base(tmp_path):
    base = [
        _ftm_line("p1", "Person", {"name": ["Ivan Petrov"]}),
        _ftm_line("s1", "Sanction", {"entity": ["p1"], "program": ["BLR"], "startDate": ["2020-10-02"]}),
        _ftm_line("s2", "Sanction", {"entity": ["p1"], "program": ["RUS"]}, first_seen="2022-03-01T00:00:00"),
    ]
    (tmp_path / "entities_2024-05-27.ftm.json").write_text("\n".join(json.dumps(x) for x in base) + "\n")
    ops = [
        {"op": "MOD", "entity": _ftm_line("s1", "Sanction", {"entity": ["p1"], "program": ["BLR"],
                                                              "startDate": ["2020-10-02"], "endDate": ["2024-05-28"]})},
        {"op": "DEL", "entity": {"id": "s2"}},
        {"op": "ADD", "entity": _ftm_line("s3", "Sanction", {"entity": ["p1"], "program": ["UKR"]})},
        {"op": "MOD", "entity": _ftm_line("s3", "Sanction", {"entity": ["p1"], "program": ["UKR"],
                                                              "listingDate": ["2024-05-28"]})},
        {"op": "ADD", "entity": _ftm_line("s4", "Sanction", {"entity": ["p1"], "program": ["X"]})},
        {"op": "DEL", "entity": {"id": "s4"}},
    ]
    (tmp_path / "entities.delta_2024-05-29.json").write_text("\n".join(json.dumps(x) for x in ops) + "\n")
    imp = import_files("ftm", [tmp_path / "entities_2024-05-27.ftm.json", tmp_path / "entities.delta_2024-05-29.json"])
    assert dict(imp.snapshots[1].ops) == {"ADD": 2, "MOD": 2, "DEL": 2}
    got = sorted((c.key, c.action, c.effective, c.effective_window) for c in imp.changes)
    assert got == [
        ("s1", "lift", D(2024, 5, 28), None),                       # endDate, inside the window
        ("s2", "lift", None, (D(2024, 5, 28), D(2024, 5, 29))),      # DEL: no date, a window
        ("s3", "impose", D(2024, 5, 28), None),                      # the MOD after the ADD wins
    ]
    reg = imp.registry()
    assert reg.state("os-s1", D(2024, 5, 27)).in_force and not reg.state("os-s1", D(2024, 5, 28)).in_force


# ----------------------------------------------------------------------------- sdn.csv


def test_fold_the_seven_sdn_copies():
    snaps = [snap("ofac-sdn", n) for n in SDN_FILES]
    changes = fold(snaps)
    kinds = collections.Counter(c.action for c in changes)
    # independently with the csv module: per consecutive pair, uids added / removed / with
    # another name or program set: (32,0,36) (121,236,41) (35,0,0) (4145,380,119) (17,0,0) (2435,287,51)
    assert (kinds["impose"], kinds["lift"], kinds["amend"]) == (6785, 903, 247)
    assert all(c.effective_window is not None for c in changes)  # sdn.csv has no dates
    belavia = [c for c in changes if c.key == "44541"]
    assert [(c.action, c.effective_window) for c in belavia] == [("impose", (D(2023, 8, 4), D(2023, 8, 9)))]


def test_sdn_history_cli_writes_a_registry_that_loads(tmp_path, capsys):
    hist = tmp_path / "hist"
    hist.mkdir()
    for n in SDN_FILES:
        (hist / n).symlink_to(real(n))
    out = tmp_path / "out"
    code, text, err = run_cli("import", "ofac-sdn", "--history", str(hist), "--program", "BELARUS-EO14038",
                              "-o", str(out))
    assert (code, err) == (0, "")
    reg = sanctrack.load(out)
    ts = [t for t in reg.transitions if t.measure == "us-ofac-sdn-44541"]
    assert [(str(t.action), t.effective_window, t.recorded) for t in ts] == [
        ("impose", (D(2023, 8, 4), D(2023, 8, 9)), D(2023, 8, 9))]
    assert "197 transition(s) (programme BELARUS-EO14038): 37 amend, 160 impose" in text
    # the 2021-08 relabelling BELARUS-EO -> BELARUS-EO14038: an amend of each of the 33 parties
    relabels = [t for t in reg.transitions if str(t.action) == "amend" and t.recorded == D(2021, 8, 20)]
    assert len(relabels) == 33
    assert {t.changes for t in relabels} == {(("program", "BELARUS-EO", "BELARUS-EO14038"),)}
    assert {t.effective_window for t in relabels} == {(D(2021, 8, 18), D(2021, 8, 20))}  # taken 09:39Z


# ----------------------------------------------------------------------------- records and CLI


def run_cli(*argv: str) -> tuple[int, str, str]:
    from sanctrack import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = cli._run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_un_import_written_and_loaded_back(tmp_path):
    imp = import_files("un", [real(UN_0607), real(UN_0621)])
    report = write_registry(imp, tmp_path / "un")
    assert "measures/un-sc-qdi.413.yaml" in report.written
    reg = sanctrack.load(tmp_path / "un")
    assert reg.digest == imp.registry().digest
    s = reg.state("un-sc-qdi.413", D(2018, 6, 18))
    assert s.in_force and s.transition.recorded == D(2018, 6, 21)
    assert reg.state("un-sc-qdi.413", D(2018, 6, 17)).status is None


def test_ids_are_stable_across_snapshots():
    a = import_files("un", [real(UN_0607), real(UN_0621)])
    b = import_files("un", [real(UN_0621), real(UN_2026)])
    # QDi.001 is in all three: the same measure and entity ids whichever pair shows it
    one = {m.id for m in import_files("un", [real(UN_0607)], program="Al-Qaida").measures}
    assert "un-sc-qdi.001" in one
    assert {m.id for m in a.measures} == {"un-sc-qdi.413", "un-sc-qdi.414"}
    assert {"un-sc-qdi.413", "un-sc-qdi.414"} & {m.id for m in b.measures} == set()  # still listed


def test_cli_un_pair_json():
    code, text, err = run_cli("import", "un", str(real(UN_0607)), str(real(UN_0621)), "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(text)
    assert [(t["measure"], t["action"], t["effective"], t["recorded"]) for t in doc["transitions"]] == [
        ("un-sc-qdi.413", "impose", "2018-06-18", "2018-06-21"),
        ("un-sc-qdi.414", "impose", "2018-06-18", "2018-06-21")]


def test_cli_eu_and_ofac_advanced_and_ftm_tables():
    code, text, _ = run_cli("import", "eu-fsf", str(real(EU_2016)), "--program", "ZWE")
    assert code == 0 and "eu-fsf-freeze-1 on 2002-09-13 [confirmed]" in text and "2 transition(s)" in text
    code, text, _ = run_cli("import", "ofac-advanced", str(real(OFAC_ADV)), "--program", "VENEZUELA-EO13850")
    assert code == 0 and "us-ofac-entry-18299 on 2020-02-18" in text
    code, text, _ = run_cli("import", "ftm", str(real(FTM_DELTA)))
    assert code == 0 and "ops ADD 90, MOD 1039, DEL 571" in text


def test_cli_errors_are_located_one_liners(tmp_path):
    bad = tmp_path / "bad_2024-01-01.xml"
    bad.write_text("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>")
    code, text, err = run_cli("import", "un", str(bad))
    assert code == 1 and f"{bad}:1:" in err and "not well-formed" in err and "Traceback" not in err
    code, _, err = run_cli("import", "un")
    assert code == 2 and "give FILE(s) or --history DIR" in err
    code, _, err = run_cli("import", "un", str(real(UN_0607)), "--program", "Belarus")
    assert code == 1 and "no entry carries programme 'Belarus'" in err  # never an empty import
    code, _, err = run_cli("import", "un", "--history", str(tmp_path))
    assert code == 1 and "1 un snapshot(s) found: a history needs two or more" in err


def test_cli_compare_with_the_bundled_registry_for_the_sdn_history(tmp_path):
    hist = tmp_path / "hist"
    hist.mkdir()
    for n in ("ofac_sdn_2023-08-03.csv", "ofac_sdn_2023-08-09.csv"):
        (hist / n).symlink_to(real(n))
    code, text, err = run_cli("import", "ofac-sdn", "--history", str(hist), "--program", "BELARUS-EO14038",
                              "--compare")
    assert code == 0, err
    assert "comparison with the curated registry" in text
    assert "ofac:44541 impose [2023-08-04, 2023-08-09]" in text


UN_SMALL = """<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="{generated}"><INDIVIDUALS>
<INDIVIDUAL><FIRST_NAME>{name}</FIRST_NAME><UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>
<REFERENCE_NUMBER>QDi.001</REFERENCE_NUMBER><LISTED_ON>2001-01-25</LISTED_ON>
<LAST_DAY_UPDATED>{updated}</LAST_DAY_UPDATED></INDIVIDUAL>
{extra}</INDIVIDUALS></CONSOLIDATED_LIST>
"""

QDI_2 = ("<INDIVIDUAL><FIRST_NAME>TWO</FIRST_NAME><UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>"
         "<REFERENCE_NUMBER>QDi.002</REFERENCE_NUMBER><LISTED_ON>2001-01-25</LISTED_ON></INDIVIDUAL>")


def test_un_amend_is_dated_by_last_day_updated_and_a_removal_by_the_window(tmp_path):
    a = tmp_path / "a.xml"
    b = tmp_path / "b.xml"
    a.write_text(UN_SMALL.format(generated="2020-01-10T10:00:00Z", name="SAYF", updated="<VALUE/>", extra=QDI_2))
    b.write_text(UN_SMALL.format(generated="2020-03-01T10:00:00Z", name="SAYF AL-ADL",
                                 updated="<VALUE>2017-02-15</VALUE><VALUE>2020-02-20</VALUE>", extra=""))
    imp = import_files("un", [a, b])
    got = [(c.key, c.action, c.effective, c.effective_window, [(f.field, f.old, f.new) for f in c.fields])
           for c in imp.changes]
    assert got == [
        ("QDi.001", "amend", D(2020, 2, 20), None, [("name", "SAYF", "SAYF AL-ADL")]),
        ("QDi.002", "lift", None, (D(2020, 1, 10), D(2020, 3, 1)), []),
    ]
    ts = {t.id: t for t in imp.transitions}
    # both measures start with a baseline dated by LISTED_ON, confirmed by the list
    base = ts["un-sc-qdi.001.listed-2020-01-10"]
    assert (str(base.action), base.effective, base.recorded, str(base.confidence)) == (
        "impose", D(2001, 1, 25), D(2020, 1, 10), "confirmed")
    lift = ts["un-sc-qdi.002.lift-2020-03-01"]
    assert (lift.effective, lift.effective_window, str(lift.confidence)) == (
        D(2020, 3, 1), (D(2020, 1, 10), D(2020, 3, 1)), "inferred")
    reg = imp.registry()
    assert reg.state("un-sc-qdi.002", D(2020, 1, 9)).in_force
    assert reg.state("un-sc-qdi.002", D(2020, 3, 1)).status == "lifted"


def test_the_core_never_imports_defusedxml():
    import subprocess

    code = (
        "import sys, sanctrack, sanctrack.importers, sanctrack.importers.un, sanctrack.importers.eu, "
        "sanctrack.importers.ofac_advanced, sanctrack.importers.ftm\n"
        "sanctrack.load()\n"
        "assert 'defusedxml' not in sys.modules, 'imported too early'\n"
        "sys.modules['defusedxml'] = None  # as if it were not installed\n"
        "from sanctrack.importers import read_snapshot, ListFormatError\n"
        "import tempfile, os\n"
        "p = os.path.join(tempfile.mkdtemp(), 'un.xml')\n"
        "open(p, 'w').write('<CONSOLIDATED_LIST/>')\n"
        "try:\n"
        "    read_snapshot('un', p)\n"
        "except ListFormatError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "reading XML lists needs defusedxml: pip install 'sanctrack[importers]'" in out


def test_un_history_of_three_copies(tmp_path):
    hist = tmp_path / "un"
    hist.mkdir()
    for n in (UN_0607, UN_0621, UN_2026):
        shutil.copyfile(real(n), hist / n)
    (hist / "un_consolidated_2018-06-21.xml.metadata.json").write_text("{}")  # a sidecar: skipped
    out = tmp_path / "out"
    code, text, err = run_cli("import", "un", "--history", str(hist), "-o", str(out), "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(text)
    assert [s["entries"] for s in doc["snapshots"]] == [1098, 1100, 1003]
    acts = collections.Counter((t["action"], t["recorded"]) for t in doc["transitions"] if ".listed-" not in t["id"])
    # the measures first seen changing after 06-21 (217 lifts, 82 amends) start with a
    # baseline impose from the 06-21 copy, dated by their LISTED_ON. 82: independently, a
    # regex pass over both files comparing (UN_LIST_TYPE, the name parts, the set of
    # ALIAS_NAME and NAME_ORIGINAL_SCRIPT, the set of document type: number) per reference
    baselines = [t for t in doc["transitions"] if ".listed-" in t["id"]]
    assert len(baselines) == 217 + 82 and {t["recorded"] for t in baselines} == {"2018-06-21"}
    # 2 additions by 06-21; by 2026-02-27: 120 additions (own LISTED_ON dates) and 217 removals
    assert acts[("impose", "2018-06-21")] == 2
    assert acts[("impose", "2026-02-27")] == 120 and acts[("lift", "2026-02-27")] == 217
    reg = sanctrack.load(out)
    assert reg.state("un-sc-qdi.413", D(2026, 2, 27)).in_force == ("QDi.413" in snap("un", UN_2026).entries)


def test_a_link_is_read_as_its_file_and_a_link_to_a_fifo_is_refused_at_once(tmp_path):
    import os

    (tmp_path / UN_0607).symlink_to(real(UN_0607))
    assert len(read_snapshot("un", tmp_path / UN_0607)) == 1098
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "un_2018-01-01.xml").symlink_to(tmp_path / "fifo")
    with pytest.raises(ListFormatError, match=r"un_2018-01-01.xml: cannot read: not a regular file \(a FIFO"):
        read_snapshot("un", tmp_path / "un_2018-01-01.xml")


def test_two_copies_of_one_day_fold_in_generation_order_from_a_fetch_directory(tmp_path):
    """The fetch layout: DIR/un/un_<instant>.xml with <file>.json sidecars; two copies of one day."""
    d = tmp_path / "snapshots" / "un"
    d.mkdir(parents=True)
    early = UN_SMALL.format(generated="2020-03-01T08:00:00Z", name="SAYF", updated="<VALUE/>", extra=QDI_2)
    late = UN_SMALL.format(generated="2020-03-01T20:00:00Z", name="SAYF AL-ADL", updated="<VALUE/>", extra="")
    (d / "un_2020-03-01T080000Z.xml").write_text(early)
    (d / "un_2020-03-01T200000Z.xml").write_text(late)
    (d / "un_2020-03-01T080000Z.xml.json").write_text('{"published": "2020-03-01"}')
    imp = import_history("un", tmp_path / "snapshots")
    assert [s.name for s in imp.snapshots] == ["un_2020-03-01T080000Z.xml", "un_2020-03-01T200000Z.xml"]
    assert sorted((c.key, c.action, c.effective_window) for c in imp.changes) == [
        ("QDi.001", "amend", (D(2020, 3, 1), D(2020, 3, 1))),
        ("QDi.002", "lift", (D(2020, 3, 1), D(2020, 3, 1)))]
    imp.registry()
    (d / "un_2020-03-01T080000Z.xml").write_text(early.replace("08:00:00Z", "20:00:00Z"))
    with pytest.raises(ValueError, match="both dated 2020-03-01: cannot order them"):
        import_history("un", tmp_path / "snapshots")


def test_files_generated_under_the_older_header_still_count_as_generated():
    import hashlib

    from sanctrack.importers._write import generated_status

    body = "name: ofac-sdn-import\n"
    digest = hashlib.sha256(body.encode()).hexdigest()
    old = ("# Generated by sanctrack.importers.ofac from dated copies of the OFAC SDN list.\n"
           "# Edit it and it counts as hand-curated: the importer will not overwrite it.\n"
           f"# sanctrack-import-sha256: {digest}\n")
    assert generated_status(old + body) == "generated"
    assert generated_status(old + body + "x: 1\n") == "edited"
    assert generated_status("# Generated by sanctrack.importersX\n" + old[old.index("# s"):] + body) == "curated"


def test_a_copy_far_smaller_than_the_one_before_is_refused_not_a_mass_delisting(tmp_path):
    small = tmp_path / "un_small.xml"
    small.write_text(UN_SMALL.format(generated="2026-03-01T10:00:00Z", name="SAYF", updated="<VALUE/>", extra=""))
    with pytest.raises(ListFormatError, match=r"1 entries against 1003 in un_consolidated_2026-02-27.xml"):
        import_files("un", [real(UN_2026), small])
    code, _, err = run_cli("import", "un", str(real(UN_2026)), str(small))
    assert code == 1 and "not a mass delisting" in err
    code, text, _ = run_cli("import", "un", str(real(UN_2026)), str(small), "--min-ratio", "0")
    assert code == 0 and "1002 lift" in text
