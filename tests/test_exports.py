"""Exports: the interval table (and its DuckDB equivalence), the JSON round trip, FtM."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sanctrack
from sanctrack import RegistryError
from sanctrack.exports import (
    FTM_SANCTION_PROPERTIES,
    INTERVAL_COLUMNS,
    dump_json,
    ftm_entities,
    interval_rows,
    load_json,
    registry_document,
    write_ftm,
    write_intervals_csv,
)

from ._small_registry import build as build_small

D = dt.date.fromisoformat


@pytest.fixture(scope="module")
def small():
    return build_small()


@pytest.fixture(scope="module")
def bundled():
    return sanctrack.load()


# -- the interval table ------------------------------------------------------------


def test_interval_rows_of_a_corrected_measure_span_both_knowledge_epochs(small):
    rows = [r for r in interval_rows(small) if r["measure"] == "us-ofac-belaruskali-sdn"]
    got = [(r["status"], r["relief_instruments"], r["valid_from"], r["valid_to"], r["recorded_from"],
            r["recorded_to"]) for r in rows]
    assert got == [
        ("relieved", "GL 4", "2021-08-09", "2021-12-08", "2021-08-09", ""),
        ("in_force", "", "2021-12-08", "", "2021-08-09", "2025-12-15"),
        ("in_force", "", "2021-12-08", "2025-12-15", "2025-12-15", ""),
        ("relieved", "GL 13", "2025-12-15", "", "2025-12-15", "2026-03-26"),
        # the draft lift (recorded 2026-03-26, effective 03-25) was believed for two days
        ("relieved", "GL 13", "2025-12-15", "2026-03-25", "2026-03-26", "2026-03-28"),
        ("lifted", "", "2026-03-25", "", "2026-03-26", "2026-03-28"),
        ("relieved", "GL 13", "2025-12-15", "2026-03-26", "2026-03-28", ""),
        ("lifted", "", "2026-03-26", "", "2026-03-28", ""),
    ]
    assert {r["digest"] for r in rows} == {small.digest}
    assert rows[-1]["transition"] == "us-ofac-belaruskali-sdn.lift"
    assert rows[-1]["confidence"] == "inferred"


def test_interval_csv_has_the_documented_header_and_one_line_per_row(small):
    buf = io.StringIO()
    n = write_intervals_csv(small, buf)
    lines = buf.getvalue().splitlines()
    assert lines[0].split(",") == list(INTERVAL_COLUMNS)
    assert n == 19 and len(lines) == n + 1
    pending = [r for r in csv.DictReader(io.StringIO(buf.getvalue())) if r["pending"]]
    assert {r["pending"] for r in pending} == {"us-ofac-belavia-sdn.announce-2025-09-11"}


def _table_answer(rows, target, day, known=None, only_in_force=True):
    """The documented SQL predicate, in Python: the oracle-free reading of the table."""
    d = day.isoformat()
    y = known.isoformat() if known else None
    out = set()
    for r in rows:
        if target not in r["target_ids"].split(";"):
            continue
        if not (r["valid_from"] <= d and (r["valid_to"] == "" or d < r["valid_to"])):
            continue
        if y is None:
            if r["recorded_to"] != "":
                continue
        elif not (r["recorded_from"] <= y and (r["recorded_to"] == "" or y < r["recorded_to"])):
            continue
        if only_in_force and r["in_force"] != "true":
            continue
        if r["status"] == "":  # may have existed (inside an effective window): not a state
            continue
        out.add((r["measure"], r["status"]))
    return out


def _table_status(reg, s, as_of=None):
    """A state's status as the interval table writes it: a run begun by a lapse after the table's as-of date
    (by default the registry's knowledge date) is scheduled, never a plain ``expired``."""
    as_of = reg.knowledge if as_of is None else as_of
    scheduled = s.cause == "lapse" and s.valid.start is not None and s.valid.start > as_of
    return str(s.status) + (" (scheduled)" if scheduled else "")


def _registry_answer(reg, target, day, known=None, only_in_force=True):
    if only_in_force:
        return {(s.measure.id, _table_status(reg, s)) for s in reg.in_force(day, target=target, known=known)}
    out = set()
    for m in reg.measures:
        s = reg.state(m.id, day, known=known)
        if s.exists and target in s.targets:
            out.add((m.id, _table_status(reg, s)))
    return out


def _pairs(reg, n, seed):
    rnd = random.Random(seed)
    days = sorted({t.when for t in reg.transitions} | {t.until for t in reg.transitions if t.until}
                  | {t.recorded for t in reg.transitions})
    lo, hi = days[0] - dt.timedelta(days=30), days[-1] + dt.timedelta(days=30)
    targets = [e.id for e in reg.entities]
    out = []
    for _ in range(n):
        if rnd.random() < 0.5:  # on, just before or just after a boundary: where bugs live
            day = rnd.choice(days) + dt.timedelta(days=rnd.choice((-1, 0, 0, 1)))
        else:
            day = lo + dt.timedelta(days=rnd.randrange((hi - lo).days))
        known = None if rnd.random() < 0.5 else rnd.choice(days) + dt.timedelta(days=rnd.choice((-1, 0, 1)))
        out.append((rnd.choice(targets), day, known))
    return out


def test_the_table_predicate_reproduces_state_on_the_small_registry(small):
    rows = list(interval_rows(small))
    for target, day, known in _pairs(small, 1500, seed=5):
        for only in (True, False):
            assert _table_answer(rows, target, day, known, only) == _registry_answer(small, target, day, known, only)


@settings(max_examples=30)
@given(st.data())
def test_the_table_predicate_reproduces_state_on_generated_registries(data):
    strategies = pytest.importorskip("sanctrack.strategies")
    reg = data.draw(strategies.registries(with_corrections=True, with_pending=True, with_windows=True))
    rows = list(interval_rows(reg))
    days = strategies.boundary_dates(reg)
    targets = [e.id for e in reg.entities]
    for _ in range(25):
        target = data.draw(st.sampled_from(targets))
        day = data.draw(st.sampled_from(days))
        known = data.draw(st.none() | st.sampled_from(days))
        assert _table_answer(rows, target, day, known, False) == _registry_answer(reg, target, day, known, False)


# -- the DuckDB query of docs/scale-out.md ------------------------------------------

DOC = Path(__file__).resolve().parents[1] / "docs" / "scale-out.md"


def documented_sql() -> dict[str, str]:
    """The ```sql blocks of docs/scale-out.md whose first line is ``-- <name>``: tested verbatim."""
    out = {}
    for block in re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S):
        first, _, body = block.partition("\n")
        if first.startswith("-- "):
            out[first[3:].strip()] = body
    return out


def test_the_documented_sql_blocks_are_there():
    assert {"load", "screen", "asof", "screen-known"} <= set(documented_sql())


def _duckdb_equivalence(reg, tmp_path, n, seed):
    duckdb = pytest.importorskip("duckdb")
    path = tmp_path / "intervals.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        write_intervals_csv(reg, fh)
    pairs = _pairs(reg, n, seed)
    con = duckdb.connect()
    sql = documented_sql()
    con.execute(sql["load"].replace("'intervals.csv'", f"'{path.as_posix()}'"))
    con.execute("CREATE TABLE transactions (id INTEGER, counterparty VARCHAR, date DATE, known DATE)")
    con.executemany("INSERT INTO transactions VALUES (?, ?, ?, ?)",
                    [(i, t, d, k) for i, (t, d, k) in enumerate(pairs)])
    checked = 0
    for name, use_known in (("screen", False), ("asof", False), ("screen-known", True)):
        got: dict[int, set] = {}
        for i, measure, status, *_ in con.execute(sql[name]).fetchall():
            got.setdefault(i, set()).add((measure, status))
        for i, (target, day, known) in enumerate(pairs):
            if use_known and known is None:
                continue
            expected = _registry_answer(reg, target, day, known if use_known else None)
            assert got.get(i, set()) == expected, (name, target, day, known)
            checked += 1
    return checked


def test_duckdb_screen_agrees_with_registry_state_on_the_small_registry(small, tmp_path):
    assert _duckdb_equivalence(small, tmp_path, 1200, seed=11) >= 3000


def test_duckdb_screen_agrees_with_registry_state_on_the_bundled_registry(bundled, tmp_path):
    assert _duckdb_equivalence(bundled, tmp_path, 1500, seed=7) >= 3500


# -- JSON: the whole registry, round-trippable ---------------------------------------


def test_json_round_trip_keeps_the_digest_and_every_answer(small):
    buf = io.StringIO()
    dump_json(small, buf)
    back = load_json(io.StringIO(buf.getvalue()))
    assert back.digest == small.digest
    assert registry_document(back) == registry_document(small)
    for m in small.measures:
        assert [repr(s) for s in back.history(m.id)] == [repr(s) for s in small.history(m.id)]
    assert back.state("us-ofac-belaruskali-sdn", "2026-03-25", known="2026-03-27").status == "lifted"


@settings(max_examples=30)
@given(st.data())
def test_json_round_trip_law_on_generated_registries(data):
    strategies = pytest.importorskip("sanctrack.strategies")
    reg = data.draw(strategies.registries(with_corrections=True, with_pending=True, with_windows=True))
    back = load_json(io.StringIO(_dump(reg)))
    assert back.digest == reg.digest
    assert list(interval_rows(back)) == list(interval_rows(reg))


def test_an_amend_to_no_targets_survives_the_round_trip_and_changes_the_digest(small):
    doc = json.loads(_dump(small))
    eu = next(m for m in doc["registry"]["measures"] if m["id"] == "eu-belarus-airspace-ban")
    amend = {"id": "eu-belarus-airspace-ban.amend", "action": "amend", "effective": "2024-01-01",
             "recorded": "2024-01-01", "confidence": "confirmed", "sources": ["S08"]}
    eu["transitions"].append(amend)
    doc.pop("digest")
    unchanged = load_json(io.StringIO(json.dumps(doc)), allow_unverified=True)
    amend["targets"] = []
    emptied = load_json(io.StringIO(json.dumps(doc)), allow_unverified=True)
    assert unchanged.digest != emptied.digest
    assert unchanged.state("eu-belarus-airspace-ban", "2024-06-01").targets == ("belavia",)
    assert emptied.state("eu-belarus-airspace-ban", "2024-06-01").targets == ()
    assert load_json(io.StringIO(_dump(emptied))).state("eu-belarus-airspace-ban", "2024-06-01").targets == ()


def test_json_round_trip_of_the_bundled_registry(bundled, tmp_path):
    path = tmp_path / "belarus.json"
    with open(path, "w", encoding="utf-8") as fh:
        dump_json(bundled, fh)
    assert load_json(path).digest == bundled.digest


def test_json_export_of_a_view_is_the_whole_registry_it_views(small):
    # a view carries its registry's digest: the export is that registry, all of it, and loads back as it
    view = small.as_known_on("2024-01-01")
    assert len(view.transitions) < len(small.transitions)
    assert registry_document(view) == registry_document(small)
    assert load_json(io.StringIO(_dump(view))).digest == small.digest


def test_json_document_header(small):
    doc = json.loads(_dump(small))
    assert doc["format"] == "sanctrack-registry"
    assert doc["format_version"] == 1
    assert doc["digest"] == small.digest
    assert sorted(doc["registry"]) == ["authorities", "entities", "info", "instruments", "measures", "releases",
                                       "sources"]
    belavia = next(m for m in doc["registry"]["measures"] if m["id"] == "us-ofac-belavia-sdn")
    assert [t["id"] for t in belavia["transitions"]] == [
        "us-ofac-belavia-sdn.impose", "us-ofac-belavia-sdn.gl9", "us-ofac-belavia-sdn.announce-2025-09-11",
        "us-ofac-belavia-sdn.gl11", "us-ofac-belavia-sdn.lift"]


def _dump(reg) -> str:
    buf = io.StringIO()
    dump_json(reg, buf)
    return buf.getvalue()


def test_an_edited_export_is_refused_by_its_digest(small, tmp_path):
    doc = json.loads(_dump(small))
    doc["registry"]["measures"][0]["title"] = "edited by hand"
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(RegistryError) as info:
        load_json(path)
    (p,) = info.value.problems
    assert p.message.startswith("digest mismatch: the document says " + small.digest)
    assert p.path == str(path) and p.location == "$.digest"


def test_a_malformed_export_lists_every_problem_with_its_location(small):
    doc = json.loads(_dump(small))
    doc["registry"]["measures"][0]["transitions"][0]["effective"] = "2021-13-40"
    doc["registry"]["entities"][0]["colour"] = "red"
    with pytest.raises(RegistryError) as info:
        load_json(io.StringIO(json.dumps(doc)))
    locations = sorted(p.location for p in info.value.problems)
    assert locations == ["$.registry.entities[0].colour", "$.registry.measures[0].transitions[0].effective"]


def test_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "sanctrack-registry",\n  "digest": }\n', encoding="utf-8")
    with pytest.raises(RegistryError) as info:
        load_json(path)
    (p,) = info.value.problems
    assert (p.path, p.line) == (str(path), 2)
    assert p.message.startswith("not valid JSON")


def test_a_json_file_that_is_not_a_registry_is_refused():
    with pytest.raises(RegistryError, match="not a sanctrack registry document"):
        load_json(io.StringIO('{"hello": 1}'))


# -- FollowTheMoney ------------------------------------------------------------------

ISSUE_PROPERTIES = {"entity", "authority", "program", "startDate", "endDate", "status", "provisions", "sourceUrl"}
TODAY = D("2026-12-06")  # an as-of date after the bundled registry's knowledge (latest recorded 2026-12-05)
KNOWN = D("2026-12-05")


def _check_ftm(entities, horizon=None):
    ids = {e["id"] for e in entities}
    assert len(ids) == len(entities), "ids are unique"
    sanctions = [e for e in entities if e["schema"] == "Sanction"]
    for e in entities:
        assert set(e) == {"id", "schema", "properties"}
        for key, values in e["properties"].items():
            assert isinstance(values, list) and values and all(isinstance(v, str) and v for v in values), key
    for s in sanctions:
        props = s["properties"]
        assert set(props) <= FTM_SANCTION_PROPERTIES
        assert {"entity", "authority", "startDate", "status", "provisions", "program"} <= set(props)
        assert all(ref in ids for ref in props["entity"]), "entity references resolve"
        for key in ("startDate", "endDate"):
            for v in props.get(key, []):
                dt.date.fromisoformat(v)
        if "endDate" in props:
            assert props["startDate"][0] < props["endDate"][0]
            assert props["status"][0] in ("lifted", "expired")
            if horizon is not None:  # an end after the export's facts is a projection, never written
                assert D(props["endDate"][0]) <= horizon, s["id"]
        else:
            assert props["status"][0] not in ("lifted", "expired"), s["id"]
        assert all(u.startswith("http") for u in props.get("sourceUrl", []))
    return sanctions


def test_ftm_sanctions_use_only_the_listed_properties(small):
    assert ISSUE_PROPERTIES <= FTM_SANCTION_PROPERTIES
    sanctions = _check_ftm(list(ftm_entities(small)))
    assert len(sanctions) == 4


def test_ftm_belavia_ofac_sanction_exact(small):
    buf = io.StringIO()
    assert write_ftm(small, buf, as_of=TODAY) == 6
    lines = [json.loads(line) for line in buf.getvalue().splitlines()]
    s = next(e for e in lines if e["id"] == "sanctrack-sanction-us-ofac-belavia-sdn-belavia-1")
    assert s["schema"] == "Sanction"
    p = s["properties"]
    assert p["entity"] == ["sanctrack-belavia"]
    assert p["authority"] == ["Office of Foreign Assets Control"]
    assert p["authorityId"] == ["44541"]  # OFAC's own uid of Belavia (ofac:44541), not the authority code
    assert p["program"] == ["BELARUS-EO14038"]
    assert p["country"] == ["us"]
    assert (p["startDate"], p["endDate"], p["status"]) == (["2023-08-09"], ["2025-11-04"], ["lifted"])
    assert p["provisions"] == [
        "blocking: SDN blocking of OJSC Belavia",
        "licence GL 9 from 2023-08-09 to 2023-09-08",
        "licence GL 11 from 2025-09-11 to 2025-11-04: authorises All transactions prohibited by the BSR "
        "involving Belavia; excludes unblocking of blocked property",
    ]
    assert p["sourceUrl"] == ["https://complianceconcourse.willkie.com/articles/ofac-designates",
                              "https://exportprac.com/stories/ofac-gives-belarus-airline-wings,14271"]
    target = next(e for e in lines if e["id"] == "sanctrack-belavia")
    assert target["schema"] == "Organization"
    assert target["properties"]["alias"] == ["Belavia", "OJSC Belavia"]
    assert target["properties"]["topics"] == ["sanction"]  # the EU airspace ban is still in force


def test_ftm_authority_id_only_where_the_authority_has_its_own_id(small):
    sanctions = {e["id"]: e["properties"] for e in ftm_entities(small, as_of=TODAY) if e["schema"] == "Sanction"}
    assert {k: p.get("authorityId") for k, p in sanctions.items()} == {
        "sanctrack-sanction-us-ofac-belavia-sdn-belavia-1": ["44541"],
        "sanctrack-sanction-us-ofac-belaruskali-sdn-belaruskali-1": ["32746"],
        "sanctrack-sanction-us-bis-belavia-tdo-belavia-1": None,  # BIS has no listing id in the registry
        "sanctrack-sanction-eu-belarus-airspace-ban-belavia-1": None,
    }


def test_ftm_every_sanction_carries_its_program(small):
    programs = {e["id"]: e["properties"]["program"] for e in ftm_entities(small, as_of=TODAY)
                if e["schema"] == "Sanction"}
    assert programs == {
        "sanctrack-sanction-us-ofac-belavia-sdn-belavia-1": ["BELARUS-EO14038"],
        "sanctrack-sanction-us-ofac-belaruskali-sdn-belaruskali-1": ["BELARUS-EO14038"],
        "sanctrack-sanction-eu-belarus-airspace-ban-belavia-1": ["EU-BELARUS"],
        # no program code: the legal act that imposed it
        "sanctrack-sanction-us-bis-belavia-tdo-belavia-1": ["Temporary Denial Order: Belavia"],
    }


def test_ftm_sanction_topic_only_under_a_measure_in_force_on_the_as_of_date(small):
    def topics(as_of):
        return {e["id"]: e["properties"].get("topics") for e in ftm_entities(small, as_of=as_of)
                if e["schema"] != "Sanction"}

    # Belaruskali's blocking was lifted on 2026-03-26: sanctioned the day before, not on the day
    assert topics(D("2026-03-25")) == {"sanctrack-belavia": ["sanction"], "sanctrack-belaruskali": ["sanction"]}
    assert topics(D("2026-03-26")) == {"sanctrack-belavia": ["sanction"], "sanctrack-belaruskali": None}
    # the day before the first measure against Belavia (the EU airspace ban, from 2021-06-05)
    assert topics(D("2021-06-04")) == {"sanctrack-belavia": None, "sanctrack-belaruskali": None}


def test_ftm_open_sanction_has_no_end_date(small):
    s = next(e for e in ftm_entities(small) if e["id"] == "sanctrack-sanction-eu-belarus-airspace-ban-belavia-1")
    assert "endDate" not in s["properties"]
    assert s["properties"]["status"] == ["in_force"]
    assert s["properties"]["startDate"] == ["2021-06-05"]


def test_ftm_as_of_before_a_known_lift_writes_the_state_on_that_date(small):
    sanctions = {e["id"]: e["properties"] for e in ftm_entities(small, as_of="2025-10-01")
                 if e["schema"] == "Sanction"}
    p = sanctions["sanctrack-sanction-us-ofac-belavia-sdn-belavia-1"]
    assert p["status"] == ["relieved"] and "endDate" not in p
    assert p["provisions"][2:] == [
        "licence GL 11 from 2025-09-11, ended on 2025-11-04 after the export's as-of date: authorises All "
        "transactions prohibited by the BSR involving Belavia; excludes unblocking of blocked property",
        "lifted on 2025-11-04, after the export's as-of date (2025-10-01)",
    ]


def test_ftm_bundled_eu_listings_in_force_today_are_not_written_expired(bundled):
    # the EU renewed its Belarus regime on 2026-02-26 "until 28 February 2027" (exclusive until 2027-03-01); the
    # registry knows up to 2026-12-05, so that lapse is a projection (the EU renews every February), not an expiry
    assert bundled.knowledge == KNOWN
    sanctions = _check_ftm(list(ftm_entities(bundled, as_of=TODAY)), horizon=KNOWN)
    lapsing = {s["id"]: s["properties"] for s in sanctions
               if any("2027-03-01" in x for x in s["properties"]["provisions"])}
    assert len(lapsing) >= 8  # the issue counted 8 written `expired` in the registry of 2026-11-22
    assert {p["authority"][0] for p in lapsing.values()} == {"Council of the European Union"}
    for p in lapsing.values():
        assert p["status"] == ["in_force"] and "endDate" not in p
        assert ("scheduled to lapse on 2027-03-01 unless extended, after the registry's knowledge (2026-12-05): "
                "a projection, not a fact") in p["provisions"]
    assert {"sanctrack-sanction-eu-belavia-listing-belavia-1",
            "sanctrack-sanction-eu-belarus-airspace-ban-belavia-1"} <= set(lapsing)
    # the same holds for an as-of date after the scheduled lapse: still not a fact
    later = {e["id"]: e["properties"] for e in ftm_entities(bundled, as_of="2027-03-02") if e["id"] in lapsing}
    assert all(p["status"] == ["in_force"] and "endDate" not in p for p in later.values())


def test_ftm_bundled_belavia_exact(bundled):
    entities = list(ftm_entities(bundled, as_of=TODAY))
    sanctions = _check_ftm(entities, horizon=KNOWN)
    ofac = next(s for s in sanctions if s["id"] == "sanctrack-sanction-us-ofac-belavia-sdn-belavia-1")["properties"]
    assert ofac["authorityId"] == ["44541"]
    assert ofac["program"] == ["BELARUS-EO14038"]
    assert (ofac["status"], ofac["startDate"], ofac["endDate"]) == (["lifted"], ["2023-08-09"], ["2025-11-04"])
    tdo = next(s for s in sanctions if s["id"] == "sanctrack-sanction-us-bis-belavia-tdo-belavia-1")["properties"]
    assert (tdo["status"], tdo["endDate"]) == (["expired"], ["2024-12-01"])  # a lapse in the past is a fact
    belavia = [s for s in sanctions if s["properties"]["entity"] == ["sanctrack-belavia"]]
    assert {s["properties"]["authority"][0].split(",")[0] for s in belavia} >= {
        "Office of Foreign Assets Control", "Bureau of Industry and Security", "Council of the European Union"}
    assert {c for s in sanctions for c in s["properties"].get("country", [])} <= {"us", "eu", "gb", "lt"}
    topics = {e["id"] for e in entities if e["properties"].get("topics") == ["sanction"]}
    assert "sanctrack-belavia" in topics  # EU and UK measures still in force
    # delisted by OFAC on 2025-11-04 with no other measure: not a sanctioned entity today
    assert "sanctrack-aircraft-ew-301pj" not in topics


def _ftm_problems(model, entity):
    """What the real followthemoney model refuses in one emitted entity (empty: accepted)."""
    from followthemoney.exc import InvalidData

    problems = []
    schema = model.get(entity["schema"])
    if schema is None:
        return [f"unknown schema {entity['schema']!r}"]
    for name, values in entity["properties"].items():
        prop = schema.get(name)
        if prop is None or prop.stub:
            problems.append(f"{schema.name} has no property {name!r}")
            continue
        for v in values:
            if prop.type.clean_text(v, format=prop.format) != v:  # a value FtM would drop or rewrite
                problems.append(f"{name}: {v!r} is not a valid {prop.type.name}")
    problems.extend(f"missing required {p!r}" for p in schema.required if p not in entity["properties"])
    try:
        schema.validate(entity)
        proxy = model.get_proxy(entity, cleaned=False)
    except InvalidData as exc:
        return problems + [f"invalid: {exc}"]
    kept = proxy.to_dict()["properties"]
    for name, values in entity["properties"].items():
        if sorted(kept.get(name, [])) != sorted(values):
            problems.append(f"{name}: followthemoney kept {kept.get(name)!r} of {values!r}")
    return problems


def test_ftm_export_is_accepted_by_the_followthemoney_model(bundled, small):
    ftm = pytest.importorskip("followthemoney", reason="the followthemoney package is not installed")
    model = ftm.model
    # the check refuses what FtM refuses (so it can fail): an unknown property, a bad date, a bad country
    assert _ftm_problems(model, {"id": "x", "schema": "Sanction", "properties": {"entity": ["y"],
                                                                                   "authorityID": ["1"]}})
    assert _ftm_problems(model, {"id": "x", "schema": "Sanction", "properties": {"entity": ["y"],
                                                                                   "endDate": ["2027-13-01"]}})
    assert _ftm_problems(model, {"id": "x", "schema": "Sanction", "properties": {"entity": ["y"],
                                                                                   "country": ["xx"]}})
    assert _ftm_problems(model, {"id": "x", "schema": "Sanction", "properties": {"status": ["in_force"]}})
    for reg in (bundled, small, bundled.as_known_on("2025-10-01")):
        for as_of in (D("2021-06-04"), D("2025-10-01"), TODAY):
            entities = list(ftm_entities(reg, as_of=as_of))
            assert entities
            for e in entities:
                assert _ftm_problems(model, e) == [], e["id"]


def test_the_interval_table_writes_a_scheduled_lapse_as_scheduled_never_expired():
    # the EU renews its Belarus listings every February: the 2026 renewal runs "until 28 February 2027" (until
    # 2027-03-01), which lies after both the registry's knowledge date (2026-12-05) and an export made as of
    # 2026-12-06; the renewals of 2022-2025 are dated extends (FACTS §8), the 2025 one bracketed to February
    reg = sanctrack.load()
    rows = [r for r in interval_rows(reg, dt.date(2026, 12, 6))
            if r["measure"] == "eu-belavia-listing" and r["recorded_to"] == ""]
    got = [(r["status"], r["valid_from"], r["valid_to"], r["as_of"], r["scheduled"], r["projected_from"])
           for r in rows]
    assert got == [
        ("in_force", "2021-12-02", "2022-02-25", "2026-12-06", "false", ""),
        ("in_force", "2022-02-25", "2023-02-24", "2026-12-06", "false", ""),
        ("in_force", "2023-02-24", "2024-02-26", "2026-12-06", "false", ""),
        ("in_force", "2024-02-26", "2025-02-01", "2026-12-06", "false", ""),
        ("in_force", "2025-02-01", "2025-02-28", "2026-12-06", "false", ""),  # inside the renewal's bracket
        ("in_force", "2025-02-28", "2026-02-26", "2026-12-06", "false", ""),
        # the fact horizon is the earlier of the as-of date and the knowledge date (2026-12-05)
        ("in_force", "2026-02-26", "2027-03-01", "2026-12-06", "false", "2026-12-06"),
        ("expired (scheduled)", "2027-03-01", "", "2026-12-06", "true", "2027-03-01"),
    ]
    # as of a date after the lapse, but after the registry's knowledge too: what the registry only
    # schedules stays scheduled (the EU renews these every February; nothing recorded says it did not)
    later = [r for r in interval_rows(reg, dt.date(2027, 6, 1))
             if r["measure"] == "eu-belavia-listing" and r["recorded_to"] == ""]
    assert [(r["status"], r["scheduled"], r["projected_from"]) for r in later][-1] == (
        "expired (scheduled)", "true", "2027-03-01")
    # as of a date before the lapse and before the knowledge date, the horizon is the as-of date
    earlier = [r for r in interval_rows(reg, dt.date(2026, 6, 1))
               if r["measure"] == "eu-belavia-listing" and r["recorded_to"] == ""]
    assert [(r["status"], r["projected_from"]) for r in earlier][-2:] == [
        ("in_force", "2026-06-02"), ("expired (scheduled)", "2027-03-01")]
    # the default as-of date is the registry's knowledge date
    assert {r["as_of"] for r in interval_rows(reg)} == {"2026-12-05"}
    # the BIS denial order lapsed on 2024-12-01, before either date: expired, not scheduled
    tdo = [r for r in interval_rows(reg, dt.date(2026, 12, 6))
           if r["measure"] == "us-bis-belavia-tdo" and r["recorded_to"] == ""][-1]
    assert (tdo["status"], tdo["valid_from"], tdo["scheduled"]) == ("expired", "2024-12-01", "false")


def test_no_row_of_an_export_says_expired_for_a_lapse_after_its_as_of_date():
    reg = sanctrack.load()
    for as_of in (dt.date(2020, 1, 1), dt.date(2026, 3, 26), dt.date(2026, 12, 6)):
        for r in interval_rows(reg, as_of):
            if r["cause"] == "lapse" and r["valid_from"] > as_of.isoformat():
                assert r["status"].endswith(" (scheduled)") and r["scheduled"] == "true", r
            else:
                assert r["scheduled"] == "false", r


def test_the_cli_export_is_made_as_of_today_unless_told(tmp_path):
    import subprocess
    import sys
    p = subprocess.run([sys.executable, "-m", "sanctrack", "export", "--as-of", "2026-12-06"], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert {r["as_of"] for r in rows} == {"2026-12-06"}
    p = subprocess.run([sys.executable, "-m", "sanctrack", "export"], capture_output=True, text=True, timeout=120)
    assert {r["as_of"] for r in csv.DictReader(io.StringIO(p.stdout))} == {dt.date.today().isoformat()}


def test_interval_rows_of_a_registry_with_no_transition_is_an_empty_table():
    from sanctrack.exports import interval_rows

    reg = sanctrack.Registry.build(info=sanctrack.RegistryInfo(name="empty"))
    assert list(interval_rows(reg)) == []
    assert list(interval_rows(reg, dt.date(2025, 1, 1))) == []
