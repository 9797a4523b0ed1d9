"""sanctrack.importers.ofac: reading OFAC SDN snapshots and diffing them.

The real-file tests read ../shared/data/real-sanctions/ (see its SOURCES.md) and are
skipped when that folder is absent; the format tests build tiny files of their own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sanctrack.importers import ofac

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real-sanctions"

OLD_2023 = "ofac_sdn_2023-08-03.csv"
NEW_2023 = "ofac_sdn_2023-08-09.csv"
OLD_2021 = "ofac_sdn_2021-08-18T0939Z.csv"
NEW_2021 = "ofac_sdn_2021-08-20T1850Z.csv"
LEGACY_2024 = "ofac_sdn_2024-05-03.csv"
DERIVED_2026 = "ofac_sdn_derived_kindrat86_pub2026-08-20.csv"

BELAVIA, EW_301PJ, BELARUSKALI, BPC, AGROROZKVIT = 44541, 44580, 32746, 33374, 33372


def real(name: str) -> Path:
    """Path of a real snapshot; skip the test when the data folder is absent."""
    if not DATA.is_dir():
        pytest.skip(f"real sanctions data not found at {DATA} (shared/data/real-sanctions)")
    path = DATA / name
    if not path.is_file():
        pytest.skip(f"{name} missing from {DATA}")
    return path


_cache: dict[str, ofac.Snapshot] = {}


def snap(name: str) -> ofac.Snapshot:
    if name not in _cache:
        _cache[name] = ofac.read_snapshot(real(name))
    return _cache[name]


# ----------------------------------------------------------------- reading real files


@pytest.mark.parametrize(
    ("name", "form", "count", "sha12", "date"),
    [
        (OLD_2021, "legacy", 9083, "7044c060649f", dt.date(2021, 8, 18)),
        (NEW_2021, "legacy", 9115, "0bdc088d0be0", dt.date(2021, 8, 20)),
        (OLD_2023, "legacy", 12800, "f6aeaea93428", dt.date(2023, 8, 3)),
        (NEW_2023, "legacy", 12817, "0cd1a65b6d60", dt.date(2023, 8, 9)),
        (LEGACY_2024, "legacy", 14965, "210ca6b4a818", dt.date(2024, 5, 3)),
        (DERIVED_2026, "derived", 19249, "947009274b16", dt.date(2026, 8, 20)),
    ],
)
def test_reads_real_snapshots_of_both_forms(name, form, count, sha12, date):
    s = snap(name)
    assert (s.form, len(s), s.sha256[:12], s.date) == (form, count, sha12, date)
    assert s.eof_marker is (form == "legacy")  # OFAC ends sdn.csv with a DOS EOF byte


def test_legacy_entry_fields():
    s = snap(LEGACY_2024)
    belavia = s.entries[BELAVIA]
    assert belavia == ofac.SdnEntry(
        uid=BELAVIA,
        name="OPEN JOINT STOCK COMPANY BELAVIA BELARUSIAN AIRLINES",
        type="entity",
        programs=frozenset({"BELARUS-EO14038"}),
        remarks="Tax ID No. 600390798 (Belarus); Government Gazette Number 011286185000 (Belarus).",
    )
    assert belavia.identifier == "ofac:44541"
    assert s.entries[EW_301PJ].type == "aircraft"
    # several programs: "IRAN] [SDGT] [IRGC] [IFSR" in the file
    assert s.entries[4632].programs == {"IRAN", "SDGT", "IRGC", "IFSR"}


def test_derived_entry_fields():
    s = snap(DERIVED_2026)
    e = s.entries[4632]
    assert e.name == "BANK MARKAZI JOMHOURI ISLAMI IRAN"
    assert e.programs == {"IRAN", "SDGT", "IRGC", "IFSR"}
    assert e.alternate_names == (
        "CENTRAL BANK OF THE ISLAMIC REPUBLIC OF IRAN",
        "BANK MARKAZI IRAN",
        "CENTRAL BANK OF IRAN",
    )
    assert BELAVIA not in s.entries


def test_iter_entries_streams_in_file_order():
    it = ofac.iter_entries(real(OLD_2023))
    first = next(it)
    assert (first.uid, first.name, first.line) == (36, "AEROCARIBBEAN AIRLINES", 1)
    it.close()


def test_snapshot_time_is_washington_calendar_date():
    # 2021-12-02 01:41 UTC is the evening of 1 December in Washington
    s = ofac.read_snapshot(real("ofac_sdn_2021-12-02T0141Z.csv"))
    assert s.date == dt.date(2021, 12, 1)
    assert s.instant == dt.datetime(2021, 12, 2, 1, 41, tzinfo=dt.UTC)


# ----------------------------------------------------------------- the three real diffs


def test_2023_08_03_to_09_adds_exactly_belavia_and_the_rest():
    d = ofac.diff_snapshots(snap(OLD_2023), snap(NEW_2023))
    assert [c.uid for c in d.added] == [
        33283, 33401, 33402, 33403, 33404, 38996, 39162, 39163, 41322, 41437,
        44525, 44538, 44539, 44540, 44541, 44542, 44580,
    ]
    assert d.removed == () and d.amended == ()
    assert {c.action for c in d.added} == {"impose"}
    by_uid = {c.uid: c for c in d.added}
    assert by_uid[BELAVIA].new.name == "OPEN JOINT STOCK COMPANY BELAVIA BELARUSIAN AIRLINES"
    assert by_uid[EW_301PJ].new.name == "EW-301PJ"
    assert d.window == (dt.date(2023, 8, 4), dt.date(2023, 8, 9))  # (old, new] closed


def test_2021_08_relabels_belarus_eo_to_eo14038():
    d = ofac.diff_snapshots(snap(OLD_2021), snap(NEW_2021))
    assert d.removed == ()
    assert [c.uid for c in d.added] == [
        31914, 31920, 31928, 31929, 31930, 31931, 31932, 31934, 31935, 31936, 31938,
        31940, 31943, 31944, 32735, 32736, 32737, 32738, 32739, 32743, 32745, 32753,
        32754, 32814, 32851, 32954, 32971, 32972, 33016, 33020, 33021, 33051,
    ]
    assert len(d.amended) == 36
    relabels = [c for c in d.amended if c.changed("programs").old == "BELARUS-EO"]
    assert len(relabels) == 33
    assert all(c.changed("programs").new == "BELARUS-EO14038" for c in relabels)
    assert all(len(c.fields) == 1 for c in d.amended)  # programs only; no name/type changes
    kali = next(c for c in d.amended if c.uid == BELARUSKALI)
    assert kali.action == "amend"
    assert kali.old.name == kali.new.name == "BELARUSKALI OAO"
    assert kali.fields == (ofac.FieldChange("programs", "BELARUS-EO", "BELARUS-EO14038"),)
    # the other 3: PEESA -> PEESA-EO
    others = sorted((c.changed("programs").old, c.changed("programs").new)
                    for c in d.amended if c not in relabels)
    assert others == [("PEESA", "PEESA-EO"), ("PEESA", "PEESA-EO"),
                      ("PEESA; UKRAINE-EO13685", "PEESA-EO; UKRAINE-EO13685")]
    # both copies taken at known instants: the earlier one (05:39 in Washington on
    # 18 August) can predate changes published later that day
    assert d.window == (dt.date(2021, 8, 18), dt.date(2021, 8, 20))


def test_2021_08_filtered_to_the_new_program_keeps_relabels_as_amends():
    d = ofac.diff_snapshots(snap(OLD_2021), snap(NEW_2021), program="BELARUS-EO14038")
    assert (len(d.added), len(d.removed), len(d.amended)) == (0, 0, 33)


def test_2024_to_2026_mixed_forms_lifts_the_belarus_delistings():
    d = ofac.diff_snapshots(snap(LEGACY_2024), snap(DERIVED_2026), program="BELARUS-EO14038")
    lifted = {c.uid: c.old.name for c in d.removed}
    assert lifted == {
        32727: "DANA HOLDINGS LIMITED",
        32728: "KARIC, Nebojsa",
        BELARUSKALI: "BELARUSKALI OAO",
        AGROROZKVIT: "AGROROZKVIT LLC",
        BPC: "OPEN JOINT STOCK COMPANY BELARUSIAN POTASH COMPANY",
        44525: "BEL-KAP-STEEL LLC",
        BELAVIA: "OPEN JOINT STOCK COMPANY BELAVIA BELARUSIAN AIRLINES",
        EW_301PJ: "EW-301PJ",
    }
    assert {c.action for c in d.removed} == {"lift"}
    assert len(d.added) == 34 and d.amended == ()
    assert d.window == (dt.date(2024, 5, 4), dt.date(2026, 8, 20))
    assert d.window[0] <= dt.date(2025, 11, 4) <= d.window[1]  # the curated Belavia lift


def test_2024_to_2026_mixed_forms_unfiltered_counts():
    d = ofac.diff_snapshots(snap(LEGACY_2024), snap(DERIVED_2026))
    assert (len(d.added), len(d.removed), len(d.amended)) == (5292, 1008, 380)
    # alternate names (absent from the legacy form) are not compared; names are
    kinds = {f.field for c in d.amended for f in c.fields}
    assert kinds == {"programs", "name"}
    los_zetas = next(c for c in d.amended if c.uid == 11438)
    assert los_zetas.changed("name") == ofac.FieldChange("name", "LOS ZETAS", "CARTEL DEL NORESTE")


def test_diff_is_empty_for_a_snapshot_against_a_later_copy_of_itself(tmp_path):
    src = real(OLD_2023)
    copy = tmp_path / "copy.csv"
    copy.write_bytes(src.read_bytes())
    d = ofac.diff_snapshots(snap(OLD_2023), ofac.read_snapshot(copy, "2023-08-04"))
    assert len(d) == 0


def test_real_truncations_are_refused(tmp_path):
    data = real(OLD_2023).read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(data[: len(data) // 2])  # cut mid-record
    with pytest.raises(ofac.TruncatedSnapshot) as exc:
        ofac.read_snapshot(cut, "2023-08-09")
    assert exc.value.path == str(cut) and exc.value.line is not None
    # cut on a line boundary: every row is fine, but the diff refuses it
    head = tmp_path / "head.csv"
    head.write_bytes(b"".join(data.splitlines(keepends=True)[:1000]))
    small = ofac.read_snapshot(head, "2023-08-09")
    assert len(small) == 1000
    with pytest.raises(ofac.TruncatedSnapshot, match=r"1000 entries against 12800"):
        ofac.diff_snapshots(snap(OLD_2023), small)
    assert len(ofac.diff_snapshots(snap(OLD_2023), small, min_ratio=0).removed) == 11800


# ----------------------------------------------------------------- format errors (tiny files)

ROW = '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
ROW2 = '306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. \'BNC\'."\r\n'
HEADER = "uid,name,type,programs,alternate_names\r\n"


def write(tmp_path: Path, text: str | bytes, name: str = "sdn_2024-01-02.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("ascii") if isinstance(text, str) else text)
    return path


def test_tiny_legacy_file_reads(tmp_path):
    s = ofac.read_snapshot(write(tmp_path, ROW + ROW2 + "\x1a"))
    assert s.date == dt.date(2024, 1, 2)  # from the file name
    assert [e.uid for e in s.entries.values()] == [36, 306]
    assert s.entries[306].remarks == "a.k.a. 'BNC'."
    assert s.eof_marker


def test_legacy_cp1252_bytes_are_decoded(tmp_path):
    row = ROW.replace("AEROCARIBBEAN", "A\u00c9ROCARIBBEAN").encode("cp1252")
    s = ofac.read_snapshot(write(tmp_path, row))
    assert s.entries[36].name == "A\u00c9ROCARIBBEAN AIRLINES"


def test_derived_quoting(tmp_path):
    text = HEADER + '173,"ANGLO-CARIBBEAN CO., LTD.",entity,CUBA,"AVIA ""IMPORT""; X"\r\n'
    e = ofac.read_snapshot(write(tmp_path, text)).entries[173]
    assert (e.name, e.alternate_names) == ("ANGLO-CARIBBEAN CO., LTD.", ('AVIA "IMPORT"', "X"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", r"sdn_2024-01-02\.csv: file is empty"),
        ("\x1a", r"empty"),
        (HEADER, r"no entries"),
        (ROW + ROW2[:40], r":2: last record is cut off \(4 of 12 fields"),
        (ROW + '306,"BANCO NAC', r":2: last record is cut off"),
    ],
)
def test_empty_and_truncated_files_are_errors(tmp_path, content, message):
    path = write(tmp_path, content)
    with pytest.raises(ofac.TruncatedSnapshot, match=message):
        ofac.read_snapshot(path)


@pytest.mark.parametrize(
    ("content", "line", "field", "message"),
    [
        (ROW + ROW2.replace("306", "3O6"), 2, "ent_num", "not a positive integer: '3O6'"),
        (ROW2 + ROW.replace("-0- ,", "company,", 1), 2, "SDN_Type", "unknown type 'company'"),
        (ROW + ROW2.replace('"CUBA"', "-0- "), 2, "Program", "no program"),
        (ROW + ROW2.replace('"CUBA"', '"CUBA] ["'), 2, "Program", "malformed program list"),
        (ROW + ROW2.replace(",-0- \r", "\r").replace(",-0- ,", ",", 1), 2, None, "found 11"),
        (ROW + ROW2 + ROW, 3, "ent_num", "uid 36 already given on line 1"),
        (HEADER + "x,B,entity,CUBA,\r\n", 2, "uid", "not a positive integer"),
        (HEADER + "7,B,company,CUBA,\r\n", 2, "type", "unknown type 'company'"),
        (HEADER + "7,B,entity,,\r\n", 2, "programs", "malformed program list"),
        (HEADER + "7,,entity,CUBA,\r\n", 2, "name", "empty"),
        ("uid,name,type\r\n7,B,entity\r\n", 1, "programs", "header lacks column"),
        ("hello,world\r\n", 1, None, "neither OFAC's legacy sdn.csv"),
    ],
)
def test_malformed_rows_name_file_line_and_field(tmp_path, content, line, field, message):
    path = write(tmp_path, content)
    with pytest.raises(ofac.OfacFormatError) as exc:
        ofac.read_snapshot(path)
    err = exc.value
    assert isinstance(err, ValueError)
    assert (err.path, err.line, err.field) == (str(path), line, field)
    assert message in str(err)
    assert str(err).startswith(f"{path}:{line}:")
    if field:
        assert f"field {field!r}" in str(err)


def test_dates_must_be_in_order_and_parsed_strictly(tmp_path):
    path = write(tmp_path, ROW)
    a = ofac.read_snapshot(path, "2024-01-02")
    b = ofac.read_snapshot(path, "2024-01-02")
    with pytest.raises(ValueError, match="not older"):
        ofac.diff_snapshots(a, b)
    for bad in ("2024-01", "02/01/2024", "2024-01-02T10:00", "2024-02-30"):
        with pytest.raises(ValueError):
            ofac.read_snapshot(path, bad)
    with pytest.raises(ValueError, match="naive"):
        ofac.parse_snapshot_date(dt.datetime(2024, 1, 2, 10))
    with pytest.raises(ValueError, match="no snapshot date"):
        ofac.read_snapshot(write(tmp_path, ROW, "sdn.csv"))


def test_parse_snapshot_date_forms():
    utc = dt.UTC
    assert ofac.parse_snapshot_date("2023-08-09") == (dt.date(2023, 8, 9), None)
    assert ofac.parse_snapshot_date("2021-08-20T1850Z") == (
        dt.date(2021, 8, 20), dt.datetime(2021, 8, 20, 18, 50, tzinfo=utc))
    assert ofac.parse_snapshot_date("2021-12-02T01:41:59+00:00")[0] == dt.date(2021, 12, 1)
    assert ofac.snapshot_date_from_name("ofac_sdn_2021-08-18T0939Z.csv") == "2021-08-18T0939Z"
    assert ofac.snapshot_date_from_name(DERIVED_2026) == "2026-08-20"


# ----------------------------------------------------------------- records and registry


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_imported_records_for_the_belavia_designation():
    imp = ofac.import_snapshots([snap(OLD_2023), snap(NEW_2023)], program="BELARUS-EO14038")
    assert [m.id for m in imp.measures][:2] == ["us-ofac-sdn-33283", "us-ofac-sdn-33401"]
    assert len(imp.measures) == 14  # the 14 BELARUS-EO14038 parties among the 17 added
    (t,) = imp.transitions_of(BELAVIA)
    assert (t.id, str(t.action), t.effective, t.effective_window, t.recorded) == (
        "us-ofac-sdn-44541.impose-2023-08-09", "impose", d("2023-08-09"),
        (d("2023-08-04"), d("2023-08-09")), d("2023-08-09"),
    )
    assert str(t.confidence) == "inferred"
    assert t.instrument == "ofac-sdn-list-2023-08-09"
    assert t.sources == ("ofac-sdn-file-2023-08-03-f6aeaea9", "ofac-sdn-file-2023-08-09-0cd1a65b")
    entity = next(e for e in imp.entities if e.id == "ofac-44541")
    assert (entity.kind, entity.name, entity.identifiers) == (
        "organisation", "OPEN JOINT STOCK COMPANY BELAVIA BELARUSIAN AIRLINES", ("ofac:44541",))
    assert next(e for e in imp.entities if e.id == "ofac-44580").kind == "aircraft"
    measure = next(m for m in imp.measures if m.id == "us-ofac-sdn-44541")
    assert (measure.authority, measure.kind, measure.program, measure.targets) == (
        "US-OFAC", "blocking", "BELARUS-EO14038", ("ofac-44541",))
    source = next(s for s in imp.sources if s.id.endswith("0cd1a65b"))
    assert source.published == d("2023-08-09")
    assert "0cd1a65b6d60" in source.note and "ofac_sdn_2023-08-09.csv" in source.title
    reg = imp.registry()
    assert not reg.state("us-ofac-sdn-44541", "2023-08-03").exists
    s = reg.state("us-ofac-sdn-44541", "2023-08-05")
    assert not s.exists and s.uncertain  # imposed on some day in the window: not known yet
    s = reg.state("us-ofac-sdn-44541", "2023-08-09")
    assert s.in_force and not s.uncertain


def test_imported_belavia_lift_window_contains_the_curated_date():
    imp = ofac.import_snapshots([snap(LEGACY_2024), snap(DERIVED_2026)], program="BELARUS-EO14038")
    baseline, lift = imp.transitions_of(BELAVIA)
    assert (baseline.id, str(baseline.action), baseline.effective) == (
        "us-ofac-sdn-44541.listed-2024-05-03", "impose", d("2024-05-03"))
    assert (lift.id, str(lift.action), lift.effective) == (
        "us-ofac-sdn-44541.lift-2026-08-20", "lift", d("2026-08-20"))
    lo, hi = lift.effective_window
    assert (lo, hi) == (d("2024-05-04"), d("2026-08-20"))
    assert lo <= d("2025-11-04") <= hi  # the bundled registry's curated delisting date
    reg = imp.registry()
    s = reg.state("us-ofac-sdn-44541", "2025-11-04")
    assert s.in_force and s.uncertain  # not known to be lifted yet: inside the window
    assert str(reg.state("us-ofac-sdn-44541", "2026-08-20").status) == "lifted"
    lifted = {t.measure for t in imp.transitions if str(t.action) == "lift"}
    assert {"us-ofac-sdn-44541", "us-ofac-sdn-44580", "us-ofac-sdn-32746", "us-ofac-sdn-33374",
            "us-ofac-sdn-33372"} <= lifted


def test_imported_program_amend_carries_old_and_new_values():
    imp = ofac.import_snapshots([snap(OLD_2021), snap(NEW_2021)], program="BELARUS-EO14038")
    baseline, amend = imp.transitions_of(BELARUSKALI)
    assert baseline.id == "us-ofac-sdn-32746.listed-2021-08-18t0939z"
    assert (str(amend.action), amend.program, amend.changes) == (
        "amend", "BELARUS-EO14038", (("programs", "BELARUS-EO", "BELARUS-EO14038"),))
    assert amend.effective_window == (d("2021-08-18"), d("2021-08-20"))
    assert next(m for m in imp.measures if m.id == "us-ofac-sdn-32746").program == "BELARUS-EO"
    reg = imp.registry()
    assert reg.state("us-ofac-sdn-32746", "2021-08-21").program == "BELARUS-EO14038"


def test_a_chain_of_snapshots_needs_no_baseline_for_a_party_it_saw_added():
    chain = [snap(OLD_2023), snap(NEW_2023), snap(LEGACY_2024), snap(DERIVED_2026)]
    imp = ofac.import_snapshots(chain, program="BELARUS-EO14038")
    assert [(t.id, t.effective_window) for t in imp.transitions_of(BELAVIA)] == [
        ("us-ofac-sdn-44541.impose-2023-08-09", (d("2023-08-04"), d("2023-08-09"))),
        ("us-ofac-sdn-44541.lift-2026-08-20", (d("2024-05-04"), d("2026-08-20"))),
    ]
    imp.registry()  # legal sequences throughout


def test_known_effective_date_is_reported_not_inferred():
    pair = [snap(LEGACY_2024), snap(DERIVED_2026)]
    imp = ofac.import_snapshots(pair, program="BELARUS-EO14038", effective=d("2025-11-04"))
    lift = imp.transitions_of(BELAVIA)[1]
    assert (lift.effective, lift.effective_window, str(lift.confidence)) == (
        d("2025-11-04"), None, "reported")
    with pytest.raises(ValueError, match="outside the snapshots' window"):
        ofac.import_snapshots(pair, program="BELARUS-EO14038", effective=d("2024-05-03"))


def test_relisting_is_a_reimpose(tmp_path):
    a = write(tmp_path, ROW + ROW2, "a_2024-01-01.csv")
    b = write(tmp_path, ROW, "b_2024-02-01.csv")
    c = write(tmp_path, ROW + ROW2, "c_2024-03-01.csv")
    snaps = [ofac.read_snapshot(p) for p in (a, b, c)]
    imp = ofac.import_snapshots(snaps)
    assert [(t.id, str(t.action)) for t in imp.transitions_of(306)] == [
        ("us-ofac-sdn-306.listed-2024-01-01", "impose"),
        ("us-ofac-sdn-306.lift-2024-02-01", "lift"),
        ("us-ofac-sdn-306.reimpose-2024-03-01", "reimpose"),
    ]
    assert str(imp.registry().state("us-ofac-sdn-306", "2024-03-01").status) == "in_force"


# ----------------------------------------------------------------- comparison with curated


def _curated_belavia(lift: str = "2025-11-04"):
    import sanctrack as st

    src = st.Source(id="S1", publisher="test", url="https://example.org")
    return st.Registry.build(
        authorities=[ofac.AUTHORITY],
        entities=[st.Entity(id="belavia", kind="organisation", name="Belavia", identifiers=["ofac:44541"])],
        sources=[src],
        measures=[st.Measure(id="us-ofac-belavia-sdn", authority="US-OFAC", kind="blocking",
                             title="Belavia", targets=["belavia"], sources=["S1"])],
        transitions=[
            st.Transition(id="b.impose", measure="us-ofac-belavia-sdn", action="impose",
                          effective=d("2023-08-09"), recorded=d("2023-08-09"), sources=["S1"]),
            st.Transition(id="b.lift", measure="us-ofac-belavia-sdn", action="lift",
                          effective=d(lift), recorded=d(lift), sources=["S1"]),
        ],
    )


def test_comparison_agrees_when_the_curated_date_is_in_the_window():
    imp = ofac.import_snapshots([snap(LEGACY_2024), snap(DERIVED_2026)], program="BELARUS-EO14038")
    verdicts = ofac.compare_entity(imp.registry(), _curated_belavia(), "ofac:44541")
    assert [(a.imported.id, a.verdict, [c.id for c in a.curated]) for a in verdicts] == [
        ("us-ofac-sdn-44541.listed-2024-05-03", "agree", ["b.impose"]),
        ("us-ofac-sdn-44541.lift-2026-08-20", "agree", ["b.lift"]),
    ]
    assert "b.lift 2025-11-04 within [2024-05-04, 2026-08-20]" in str(verdicts[1])


def test_comparison_disagrees_and_misses():
    imp = ofac.import_snapshots([snap(LEGACY_2024), snap(DERIVED_2026)], program="BELARUS-EO14038")
    reg = imp.registry()
    early = _curated_belavia(lift="2024-01-15")  # lifted before the first snapshot
    baseline, lift = ofac.compare_entity(reg, early, "ofac:44541")
    assert (baseline.verdict, lift.verdict) == ("disagree", "disagree")
    assert "outside [2024-05-04, 2026-08-20]" in lift.detail
    # EW-301PJ is not in the curated registry at all
    assert [a.verdict for a in ofac.compare_entity(reg, _curated_belavia(), "ofac:44580")] == [
        "missing", "missing"]
    everything = ofac.compare_registries(reg, _curated_belavia())
    assert {a.identifier for a in everything} == {"ofac:44541"}


def _bundled():
    import sanctrack

    try:
        return sanctrack.load()
    except (ImportError, NotImplementedError) as exc:  # the loader lands separately
        pytest.skip(f"sanctrack.load() not available yet: {exc}")


def test_comparison_with_the_bundled_registry_for_belavia():
    bundled = _bundled()
    imp = ofac.import_snapshots([snap(LEGACY_2024), snap(DERIVED_2026)], program="BELARUS-EO14038")
    verdicts = ofac.compare_entity(imp.registry(), bundled, "ofac:44541")
    assert [(a.imported.id, a.verdict) for a in verdicts] == [
        ("us-ofac-sdn-44541.listed-2024-05-03", "agree"),
        ("us-ofac-sdn-44541.lift-2026-08-20", "agree"),
    ]
    assert [c.id for c in verdicts[1].curated] == ["us-ofac-belavia-sdn.lift"]
    assert verdicts[1].curated[0].effective == d("2025-11-04")
    added = ofac.import_snapshots([snap(OLD_2023), snap(NEW_2023)], program="BELARUS-EO14038")
    (impose,) = ofac.compare_entity(added.registry(), bundled, "ofac:44541")
    assert (impose.verdict, [c.id for c in impose.curated]) == ("agree", ["us-ofac-belavia-sdn.impose"])


# ----------------------------------------------------------------- writing the registry

import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import textwrap  # noqa: E402

from sanctrack.importers import _write  # noqa: E402


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root (relative path -> bytes), plus the names beside root."""
    out = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    out["<siblings>"] = " ".join(sorted(p.name for p in root.parent.iterdir())).encode()
    return out


def belarus_2024_2026() -> ofac.Imported:
    return ofac.import_snapshots([snap(LEGACY_2024), snap(DERIVED_2026)], program="BELARUS-EO14038")


def test_write_a_new_registry_directory(tmp_path):
    target = tmp_path / "imported"
    report = ofac.write_registry(belarus_2024_2026(), target)
    assert len(report.written) == 47 and report.candidates == ()
    names = {p.relative_to(target).as_posix() for p in target.rglob("*.yaml")}
    assert {"registry.yaml", "authorities.yaml", "entities.yaml", "instruments.yaml",
            "sources.yaml", "measures/us-ofac-sdn-44541.yaml"} <= names
    belavia = (target / "measures" / "us-ofac-sdn-44541.yaml").read_text()
    assert belavia.startswith("# Generated by sanctrack.importers from dated copies")
    assert "effective_window: [2024-05-04, 2026-08-20]" in belavia
    assert "confidence: inferred" in belavia
    assert sorted(p.name for p in tmp_path.iterdir()) == ["imported"]  # no temporaries left
    again = ofac.write_registry(belarus_2024_2026(), target)
    assert again.written == () and len(again.unchanged) == 47


def test_written_registry_loads_back_with_the_same_digest(tmp_path):
    import sanctrack

    imp = belarus_2024_2026()
    ofac.write_registry(imp, tmp_path / "imported")
    try:
        loaded = sanctrack.load(str(tmp_path / "imported"))
    except ImportError as exc:
        pytest.skip(f"sanctrack.load() not available yet: {exc}")
    assert loaded.digest == imp.registry().digest


def test_hand_edited_file_is_never_overwritten(tmp_path):
    target = tmp_path / "imported"
    ofac.write_registry(belarus_2024_2026(), target)
    measure = target / "measures" / "us-ofac-sdn-44541.yaml"
    measure.write_text(measure.read_text().replace("confidence: inferred", "confidence: reported", 1))
    chain = ofac.import_snapshots([snap(NEW_2023), snap(LEGACY_2024), snap(DERIVED_2026)],
                                  program="BELARUS-EO14038")
    before = tree(target)
    with pytest.raises(ofac.ImportConflict) as exc:
        ofac.write_registry(chain, target)
    assert isinstance(exc.value, FileExistsError)
    assert exc.value.paths == ("measures/us-ofac-sdn-44541.yaml",)
    assert "nothing was written" in str(exc.value)
    assert tree(target) == before
    report = ofac.write_registry(chain, target, on_conflict="beside")
    assert "imported/measures/us-ofac-sdn-44541.yaml" in report.beside
    assert report.written == () and report.removed == ()  # beside: nothing goes in place
    assert {k: v for k, v in tree(target).items() if not k.startswith("imported/")} == before


def test_curated_entities_are_reported_as_candidates_not_written(tmp_path):
    target = tmp_path / "curated"
    (target / "measures").mkdir(parents=True)
    (target / "entities.yaml").write_text(textwrap.dedent("""\
        - id: belavia
          kind: organisation
          name: Open Joint Stock Company Belavia Belarusian Airlines
          identifiers: ["ofac:44541"]
        """))
    (target / "measures" / "hand.yaml").write_text("id: hand\n")
    with pytest.raises(ofac.ImportConflict, match=r"entities.yaml"):
        ofac.write_registry(belarus_2024_2026(), target)
    report = ofac.write_registry(belarus_2024_2026(), target, on_conflict="beside")
    (cand,) = report.candidates
    assert (cand.identifier, cand.measure, cand.curated_entity) == ("ofac:44541", "us-ofac-sdn-44541", "belavia")
    assert [t.id for t in cand.transitions] == [
        "us-ofac-sdn-44541.listed-2024-05-03", "us-ofac-sdn-44541.lift-2026-08-20"]
    assert not (target / "measures" / "us-ofac-sdn-44541.yaml").exists()
    assert not (target / "imported" / "measures" / "us-ofac-sdn-44541.yaml").exists()
    assert "ofac-44541" not in (target / "imported" / "entities.yaml").read_text()
    assert "ofac-50114" in (target / "imported" / "entities.yaml").read_text()
    assert (target / "measures" / "hand.yaml").read_text() == "id: hand\n"


def test_beside_the_bundled_registry_both_still_load(tmp_path):
    import shutil

    import sanctrack

    bundled = _bundled()
    imp = belarus_2024_2026()
    target = tmp_path / "registry"
    shutil.copytree(Path(__file__).resolve().parents[1] / "registry", target)
    report = ofac.write_registry(imp, target, on_conflict="beside")
    assert report.written == () and len(report.beside) == 5 + 42 - len(report.candidates)
    assert {c.identifier for c in report.candidates} == {
        "ofac:32727", "ofac:32728", "ofac:32746", "ofac:33372", "ofac:33374", "ofac:44525",
        "ofac:44541", "ofac:44580", "ofac:50114"}
    assert sanctrack.load(str(target)).digest == bundled.digest  # the curated registry, untouched
    imported = sanctrack.load(str(target / "imported"))
    assert "us-ofac-sdn-50186" in {m.id for m in imported.measures}


def test_a_failure_half_way_leaves_the_directory_as_it_was(tmp_path, monkeypatch):
    target = tmp_path / "imported"
    ofac.write_registry(ofac.import_snapshots([snap(OLD_2023), snap(NEW_2023)], program="BELARUS-EO14038"),
                        target)
    before = tree(target)
    calls = []
    real_write = _write._write_file

    def failing(path, text):
        calls.append(path)
        if len(calls) == 5:
            raise OSError(28, "No space left on device")
        real_write(path, text)

    monkeypatch.setattr(_write, "_write_file", failing)
    with pytest.raises(OSError, match="No space"):
        ofac.write_registry(belarus_2024_2026(), target)
    assert tree(target) == before


def test_two_rename_fallback_recovers_after_a_kill_between_renames(tmp_path, monkeypatch):
    target = tmp_path / "imported"
    ofac.write_registry(ofac.import_snapshots([snap(OLD_2023), snap(NEW_2023)], program="BELARUS-EO14038"),
                        target)
    before = tree(target)
    # the state a kill between the two renames leaves: target moved aside, new tree in a temp
    os.rename(target, tmp_path / ".imported.sanctrack-old")
    (tmp_path / ".imported.sanctrack-tmp-x1").mkdir()
    monkeypatch.setenv("SANCTRACK_NO_RENAME_EXCHANGE", "1")
    report = ofac.write_registry(ofac.import_snapshots([snap(OLD_2023), snap(NEW_2023)],
                                                       program="BELARUS-EO14038"), target)
    assert report.written == ()  # recovered first: everything was already there
    assert tree(target) == before
    report = ofac.write_registry(belarus_2024_2026(), target)  # and the fallback swap works
    assert (len(report.written), report.unchanged) == (46, ("authorities.yaml",))
    # the 2023 import's measures that the new import does not produce are removed
    assert len(report.removed) == 11 and "measures/us-ofac-sdn-44541.yaml" not in report.removed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["imported"]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_run_killed_half_way_leaves_the_directory_as_it_was(tmp_path):
    target = tmp_path / "imported"
    ofac.write_registry(ofac.import_snapshots([snap(OLD_2023), snap(NEW_2023)], program="BELARUS-EO14038"),
                        target)
    before = tree(target)
    ready = tmp_path / "ready"
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from sanctrack.importers import ofac, _write
        real = _write._write_file
        n = 0
        def slow(path, text):
            global n
            real(path, text)
            n += 1
            if n == 10:
                Path({str(ready)!r}).write_text("x")
                time.sleep(60)
        _write._write_file = slow
        a = ofac.read_snapshot({str(real(LEGACY_2024))!r})
        b = ofac.read_snapshot({str(real(DERIVED_2026))!r})
        ofac.write_registry(ofac.import_snapshots([a, b], program="BELARUS-EO14038"), {str(target)!r})
    """)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    proc = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        for _ in range(600):
            if ready.exists() or proc.poll() is not None:
                break
            import time

            time.sleep(0.05)
        assert ready.exists(), "the writer did not get half-way"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    ready.unlink()
    after = tree(target)
    assert {k: v for k, v in after.items() if k != "<siblings>"} == {
        k: v for k, v in before.items() if k != "<siblings>"}
    # only a temporary beside it, which the next run removes
    assert any(p.name.startswith(".imported.sanctrack-tmp-") for p in tmp_path.iterdir())
    ofac.write_registry(belarus_2024_2026(), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["imported"]


# ----------------------------------------------------------------- the command line


def run_cli(*argv: str) -> tuple[int, str, str]:
    import argparse
    import io

    parser = argparse.ArgumentParser(prog="sanctrack")
    sub = parser.add_subparsers(dest="command")
    ofac.add_import_parser(sub)
    out, err = io.StringIO(), io.StringIO()
    code = ofac.run_import(parser.parse_args(list(argv)), out, err)
    return code, out.getvalue(), err.getvalue()


def test_cli_prints_the_changes():
    code, out, err = run_cli(
        "import", "ofac-sdn", str(real(OLD_2023)), str(real(NEW_2023)),
        "--old-date", "2023-08-03", "--new-date", "2023-08-09", "--program", "BELARUS-EO14038",
    )
    assert (code, err) == (0, "")
    assert "14 added (impose), 0 removed (lift), 0 amended; effective window [2023-08-04, 2023-08-09]" in out
    assert "impose ofac:44541  OPEN JOINT STOCK COMPANY BELAVIA BELARUSIAN AIRLINES" in out


def test_cli_json_and_output_directory(tmp_path):
    import json

    code, out, err = run_cli(
        "import", "ofac-sdn", str(real(LEGACY_2024)), str(real(DERIVED_2026)),
        "--old-date", "2024-05-03", "--new-date", "2026-08-20", "--program", "BELARUS-EO14038",
        "-o", str(tmp_path / "out"), "--format", "json",
    )
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["effective_window"] == ["2024-05-04", "2026-08-20"]
    lifts = {c["uid"] for c in doc["changes"] if c["action"] == "lift"}
    assert {BELAVIA, EW_301PJ, BELARUSKALI, BPC, AGROROZKVIT} <= lifts
    assert len(doc["written"]["written"]) == 47
    assert (tmp_path / "out" / "measures" / "us-ofac-sdn-44541.yaml").is_file()


def test_cli_errors_are_one_line_with_exit_codes(tmp_path):
    empty = write(tmp_path, "", "sdn_2024-05-04.csv")
    code, out, err = run_cli("import", "ofac-sdn", str(real(LEGACY_2024)), str(empty))
    assert (code, out) == (1, "")
    assert err == f"sanctrack import ofac-sdn: {empty}: file is empty\n"
    code, _, err = run_cli("import", "ofac-sdn", str(real(LEGACY_2024)), str(empty) + "x",
                           "--new-date", "2024-05-05")
    assert code == 1 and "No such file" in err
    code, _, err = run_cli("import", "ofac-sdn", "a.csv", "b.csv")
    assert code == 2 and "--old-date is required" in err


def test_cli_compare_with_the_bundled_registry():
    _bundled()
    code, out, err = run_cli(
        "import", "ofac-sdn", str(real(LEGACY_2024)), str(real(DERIVED_2026)),
        "--program", "BELARUS-EO14038", "--compare", "--entity", "ofac:44541",
    )
    assert (code, err) == (0, "")
    assert ("ofac:44541 lift [2024-05-04, 2026-08-20] (us-ofac-sdn-44541.lift-2026-08-20): agree: "
            "curated us-ofac-belavia-sdn.lift 2025-11-04 within [2024-05-04, 2026-08-20]") in out


def test_the_sanctrack_command_runs_the_import(capsys, tmp_path):
    cli = pytest.importorskip("sanctrack.cli")
    code = cli.main([
        "import", "ofac-sdn", str(real(OLD_2021)), str(real(NEW_2021)),
        "--old-date", "2021-08-18T0939Z", "--new-date", "2021-08-20T1850Z",
        "--program", "BELARUS-EO14038", "-o", str(tmp_path / "out"),
    ])
    out = capsys.readouterr().out
    assert code == 0
    assert "0 added (impose), 0 removed (lift), 33 amended; effective window [2021-08-18, 2021-08-20]" in out
    assert "amend  ofac:32746  BELARUSKALI OAO [BELARUS-EO14038]  (programs: BELARUS-EO -> BELARUS-EO14038)" in out
    assert (tmp_path / "out" / "measures" / "us-ofac-sdn-32746.yaml").is_file()
    # one copy alone: what it tells by itself, the 33 parties listed by its date (no earlier date known)
    assert cli.main(["import", "ofac-sdn", str(real(OLD_2021)), "--program", "BELARUS-EO"]) == 0
    out = capsys.readouterr().out
    assert "33 transition(s) (programme BELARUS-EO): 33 impose" in out
    assert "impose   us-ofac-sdn-32746 on 2021-08-18 [inferred]" in out
    assert cli.main(["import", "ofac-sdn"]) == 2  # usage: no file


def test_blank_lines_and_multiline_fields_keep_line_numbers_right(tmp_path):
    multi = ROW2.replace("a.k.a. 'BNC'.", "a.k.a.\r\n'BNC'.")
    bad = ROW.replace("36,", "x,", 1)
    path = write(tmp_path, ROW + "\r\n" + multi + bad)
    with pytest.raises(ofac.OfacFormatError) as exc:
        ofac.read_snapshot(path)
    assert (exc.value.line, exc.value.field) == (5, "ent_num")
    s = ofac.read_snapshot(write(tmp_path, ROW + "\r\n" + multi + "\x1a", "ok_2024-01-02.csv"))
    assert [(e.uid, e.line) for e in s.entries.values()] == [(36, 1), (306, 3)]
    assert s.entries[306].remarks == "a.k.a.\r\n'BNC'."


def test_cli_compare_an_imported_registry_directory_with_the_bundled_one(tmp_path):
    import json

    _bundled()
    code, _, err = run_cli("import", "ofac-sdn", str(real(LEGACY_2024)), str(real(DERIVED_2026)),
                           "--program", "BELARUS-EO14038", "-o", str(tmp_path / "imp"))
    assert (code, err) == (0, "")
    code, out, err = run_cli("import", "compare", str(tmp_path / "imp"), "--format", "json")
    assert (code, err) == (0, "")
    verdicts = {(v["identifier"], v["action"]): v["verdict"] for v in json.loads(out)["comparison"]}
    # every Belarus delisting of the snapshots agrees with the curated dates
    for uid in (BELAVIA, EW_301PJ, BELARUSKALI, BPC, AGROROZKVIT, 32727, 32728, 44525):
        assert verdicts[(f"ofac:{uid}", "lift")] == "agree"
        assert verdicts[(f"ofac:{uid}", "impose")] == "agree"
    code, out, _ = run_cli("import", "compare", str(tmp_path / "imp"), "--entity", "ofac:44541")
    assert code == 0
    assert out.splitlines()[1:] == [
        "  ofac:44541 impose 2024-05-03 (us-ofac-sdn-44541.listed-2024-05-03): agree: "
        "curated us-ofac-belavia-sdn in force on 2024-05-03",
        "  ofac:44541 lift [2024-05-04, 2026-08-20] (us-ofac-sdn-44541.lift-2026-08-20): agree: "
        "curated us-ofac-belavia-sdn.lift 2025-11-04 within [2024-05-04, 2026-08-20]",
    ]
    code, _, err = run_cli("import", "compare", str(tmp_path / "nowhere"))
    assert code == 1 and err.startswith("sanctrack import compare: ")


def test_refuses_a_directory_that_is_not_a_registry(tmp_path):
    (tmp_path / "home" / "photos").mkdir(parents=True)
    with pytest.raises(ValueError, match=r"does not look like a registry directory \(it holds 'photos'\)"):
        ofac.write_registry(belarus_2024_2026(), tmp_path / "home")
    assert [p.name for p in (tmp_path / "home").iterdir()] == ["photos"]


def test_same_utc_day_snapshots_bracket_the_potash_designations_in_washington_time():
    # 2021-12-02T01:41Z is still 1 December in Washington; 18:50Z is 2 December
    old = snap("ofac_sdn_2021-12-02T0141Z.csv")
    new = snap("ofac_sdn_2021-12-02T1850Z.csv")
    d = ofac.diff_snapshots(old, new, program="BELARUS-EO14038")
    assert d.window == (dt.date(2021, 12, 1), dt.date(2021, 12, 2))
    assert [c.uid for c in d.added] == [
        33017, 33018, 33019, 33022, 33023, 33024, 33071, 33171, 33172, 33173, 33174, 33175,
        33176, 33177, 33178, 33191, 33192, 33193, 33194, 33211, 33371, 33372, 33373, 33374,
        33394, 33395, 33396, 33397, 33398, 33399, 33400, 33411, 33513,
    ]
    assert d.removed == () and d.amended == ()
    bundled = _bundled()
    reg = ofac.import_diffs([d]).registry()
    for ident in ("ofac:33374", "ofac:33372", "ofac:33371"):  # BPC, Agrorozkvit, Slavkali
        (impose,) = ofac.compare_entity(reg, bundled, ident)
        assert impose.verdict == "agree" and impose.curated[0].effective == dt.date(2021, 12, 2)


def test_a_program_no_party_carries_is_an_error_not_an_empty_diff():
    with pytest.raises(ValueError, match=r"no party carries program 'BELARUS-EO1438'.*did you mean BELARUS-EO14038"):
        ofac.diff_snapshots(snap(OLD_2023), snap(NEW_2023), program="BELARUS-EO1438")


def test_cli_into_a_curated_registry_reports_candidates_with_verdicts(tmp_path):
    import json
    import shutil

    _bundled()
    target = tmp_path / "registry"
    shutil.copytree(Path(__file__).resolve().parents[1] / "registry", target)
    args = ("import", "ofac-sdn", str(real(LEGACY_2024)), str(real(DERIVED_2026)),
            "--program", "BELARUS-EO14038", "-o", str(target))
    code, out, err = run_cli(*args)
    assert (code, out) == (1, "") and "refusing to overwrite hand-curated file(s)" in err
    code, out, err = run_cli(*args, "--beside", "--format", "json")
    assert (code, err) == (0, "")
    cands = {c["identifier"]: c for c in json.loads(out)["written"]["candidates"]}
    belavia = cands["ofac:44541"]
    assert belavia["curated_entity"] == "belavia"
    assert [(v["action"], v["verdict"]) for v in belavia["verdicts"]] == [("impose", "agree"), ("lift", "agree")]
    assert belavia["verdicts"][1]["curated"] == ["us-ofac-belavia-sdn.lift"]
