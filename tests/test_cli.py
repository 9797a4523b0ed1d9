"""The command line, run as a user runs it: a subprocess, exit codes, stdout, stderr.

Answers come from the bundled registry (facts of FACTS.md §7); a small
registry exported to JSON (``--registry small.json``) covers the knowledge-time
corrections. Every error path: its exit code, one line on stderr, no traceback.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sanctrack
from sanctrack import cli
from sanctrack.exports import dump_json, load_json

from ._small_registry import build as build_small

REPO = Path(__file__).resolve().parents[1]


def sanctrack_cmd(*args: str, cwd: Path | None = None, columns: int | None = None) -> tuple[int, str, str]:
    """Run the command line; its output is not a terminal, so tables are 100 columns unless ``columns``."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    proc = subprocess.run([sys.executable, "-m", "sanctrack", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env=env)
    assert "Traceback" not in proc.stderr
    return proc.returncode, proc.stdout, proc.stderr


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


@pytest.fixture(scope="module")
def bundled():
    return sanctrack.load()


@pytest.fixture(scope="module")
def small_json(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("small") / "small.json"
    with open(path, "w", encoding="utf-8") as fh:
        dump_json(build_small(), fh)
    return str(path)


# -- each subcommand on the bundled registry ----------------------------------------


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


def test_validate(bundled):
    code, out, err = sanctrack_cmd("validate")
    assert (code, err) == (0, "")
    got = lines(out)
    assert got[0] == f"ok: registry 'belarus' version {bundled.info.version}"
    assert got[1].startswith(f"{len(bundled.measures)} measures, {len(bundled.transitions)} transitions")
    assert got[2] == f"digest {bundled.digest}"


def test_validate_a_path(bundled):
    code, out, _ = sanctrack_cmd("validate", str(REPO / "registry"))
    assert code == 0 and lines(out)[2] == f"digest {bundled.digest}"


def test_export_csv_json_ftm(bundled, tmp_path):
    code, out, _ = sanctrack_cmd("export")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    belavia = [r for r in rows if r["measure"] == "us-ofac-belavia-sdn" and r["recorded_to"] == ""]
    assert [(r["status"], r["relief_instruments"], r["valid_from"], r["valid_to"]) for r in belavia] == [
        ("relieved", "GL 9", "2023-08-09", "2023-09-08"),
        ("in_force", "", "2023-09-08", "2025-09-11"),
        ("relieved", "GL 11", "2025-09-11", "2025-11-04"),
        ("lifted", "", "2025-11-04", ""),
    ]
    path = tmp_path / "belarus.json"
    code, out, _ = sanctrack_cmd("export", "--format", "json", "-o", str(path))
    assert (code, out) == (0, "")
    assert load_json(path).digest == bundled.digest
    code, out, _ = sanctrack_cmd("--format", "ftm", "export")
    assert code == 0
    ents = [json.loads(line) for line in out.splitlines()]
    sanction = next(e for e in ents if e["id"] == "sanctrack-sanction-us-ofac-belavia-sdn-belavia-1")
    assert sanction["properties"]["endDate"] == ["2025-11-04"]
    assert sanction["properties"]["authorityId"] == ["44541"]


def test_export_ftm_as_of_a_date():
    code, out, _ = sanctrack_cmd("export", "--format", "ftm", "--as-of", "2025-10-01")
    assert code == 0
    ents = {e["id"]: e for e in map(json.loads, out.splitlines())}
    p = ents["sanctrack-sanction-us-ofac-belavia-sdn-belavia-1"]["properties"]
    assert p["status"] == ["relieved"] and "endDate" not in p  # the lift of 2025-11-04 came after that date
    assert ents["sanctrack-aircraft-ew-301pj"]["properties"]["topics"] == ["sanction"]  # still blocked then
    code, _, err = sanctrack_cmd("export", "--format", "json", "--as-of", "2025-10-01")
    assert code == 2 and "--as-of does not apply to export --format json" in err
    code, _, err = sanctrack_cmd("export", "--format", "ftm", "--as-of", "2025-10")
    assert code == 2 and "invalid date '2025-10'" in err


def test_a_json_export_is_a_registry_for_every_command(small_json):
    code, out, _ = sanctrack_cmd("state", "us-ofac-belaruskali-sdn", "2026-03-25", "--registry", small_json,
                                 "--known", "2026-03-27")
    assert code == 0
    assert "status lifted (not in force)" in lines(out)  # the draft lift, as believed on 03-27
    code, out, _ = sanctrack_cmd("state", "us-ofac-belaruskali-sdn", "2026-03-25", "--registry", small_json)
    assert "status relieved (in force)" in lines(out)  # corrected on 03-28


def test_timeline(tmp_path):
    out_path = tmp_path / "belavia.html"
    code, out, _ = sanctrack_cmd("timeline", "--target", "belavia", "--from", "2021-01-01", "--to", "2026-07-01",
                                 "-o", str(out_path))
    assert code == 0
    assert out.startswith(f"wrote {out_path} (")
    html = out_path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "<script" not in html
    import datetime as dt

    assert f"Made as of {dt.date.today().isoformat()}." in html  # the default: today


def test_timeline_as_of_a_date(tmp_path):
    out_path = tmp_path / "belavia.html"
    code, _, _ = sanctrack_cmd("timeline", "--target", "belavia", "--as-of", "2025-10-01", "-o", str(out_path))
    assert code == 0
    html = out_path.read_text(encoding="utf-8")
    assert ">as of 2025-10-01</text>" in html
    assert "projection: after 2025-10-01, later records may change it" in html
    code, _, err = sanctrack_cmd("timeline", "--as-of", "October", "-o", str(out_path))
    assert code == 2 and "invalid date 'October'" in err


def test_global_options_before_or_after_the_subcommand():
    a = sanctrack_cmd("--format", "csv", "--authority", "EU", "in-force", "2025-09-20")
    b = sanctrack_cmd("in-force", "2025-09-20", "--format", "csv", "--authority", "EU")
    assert a == b and a[0] == 0
    assert {r["authority"] for r in csv.DictReader(io.StringIO(a[1]))} == {"EU"}


# the console script beside this interpreter (a venv's bin/), else one on PATH
_SCRIPT = shutil.which("sanctrack", path=str(Path(sys.executable).parent)) or shutil.which("sanctrack")


@pytest.mark.skipif(_SCRIPT is None, reason="console script not installed")
def test_console_script_matches_python_m():
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}  # as sanctrack_cmd runs it
    proc = subprocess.run([str(_SCRIPT), "history", "us-ofac-belavia-sdn"], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 0
    assert proc.stdout == sanctrack_cmd("history", "us-ofac-belavia-sdn")[1]


# -- error paths: exit code, one line, no traceback -------------------------------------


def one_line(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    return err.rstrip("\n")


def test_unknown_measure():
    code, out, err = sanctrack_cmd("state", "no-such-measure", "2025-01-01")
    assert (code, out) == (1, "")
    assert one_line(err).startswith("sanctrack: error: unknown measure 'no-such-measure'")


def test_unknown_measure_suggests_a_near_id():
    code, _, err = sanctrack_cmd("history", "us-ofac-belavia-sd")
    assert code == 1
    assert "us-ofac-belavia-sdn" in one_line(err)


def test_bad_date():
    code, out, err = sanctrack_cmd("state", "us-ofac-belavia-sdn", "2025-13-40")
    assert (code, out) == (2, "")
    msg = one_line(err)
    assert msg.startswith("sanctrack: error: invalid date '2025-13-40': expected a calendar date YYYY-MM-DD")


def test_naive_datetime_is_refused():
    code, out, err = sanctrack_cmd("in-force", "2025-09-20T12:00")
    assert (code, out) == (2, "")
    msg = one_line(err)
    assert "'2025-09-20T12:00'" in msg and "naive times are refused" in msg


def test_an_aware_instant_is_accepted():
    code, out, _ = sanctrack_cmd("state", "eu-belarus-airspace-ban", "2021-06-04T23:30:00+02:00")
    assert code == 1 and "status did not exist on that date; first state from 2021-06-05" in lines(out)
    code, out, _ = sanctrack_cmd("state", "eu-belarus-airspace-ban", "2021-06-05T00:30:00+02:00")
    assert code == 0 and "status in_force (in force)" in lines(out)


def test_bad_known_date():
    code, _, err = sanctrack_cmd("--known", "yesterday", "in-force", "2025-09-20")
    assert code == 2
    assert one_line(err) == "sanctrack: error: invalid date 'yesterday': expected a calendar date YYYY-MM-DD"


def test_missing_registry_path(tmp_path):
    missing = tmp_path / "nowhere"
    code, out, err = sanctrack_cmd("in-force", "2025-09-20", "--registry", str(missing))
    assert (code, out) == (2, "")
    assert one_line(err) == (f"sanctrack: error: registry path '{missing}' does not exist: expected a registry "
                             "directory or a JSON export (.json)")


def test_a_registry_file_that_is_not_json(tmp_path):
    path = REPO / "registry" / "registry.yaml"
    code, _, err = sanctrack_cmd("validate", str(path))
    assert code == 2
    assert one_line(err) == (f"sanctrack: error: registry path '{path}' is a file but not a JSON export: "
                             "expected a registry directory or a JSON export (.json)")


def test_invalid_registry_lists_every_problem(tmp_path):
    bad = tmp_path / "registry"
    shutil.copytree(REPO / "registry", bad)
    sdn = bad / "measures" / "us-ofac-belavia-sdn.yaml"
    sdn.write_text(sdn.read_text(encoding="utf-8").replace("action: impose", "action: lift", 1), encoding="utf-8")
    tdo = bad / "measures" / "us-bis-belavia-tdo.yaml"
    tdo.write_text(tdo.read_text(encoding="utf-8").replace("effective: 2022-06-16", "effective: 2022-06-31", 1),
                   encoding="utf-8")
    code, out, err = sanctrack_cmd("validate", str(bad))
    assert (code, out) == (1, "")
    got = err.splitlines()
    assert got[0] == "sanctrack: error: invalid registry: 2 problems"
    assert got[1].startswith(f"  {tdo}:") and "invalid date '2022-06-31'" in got[1]
    assert got[2].startswith(f"  {sdn}:") and "illegal transition 'us-ofac-belavia-sdn.impose'" in got[2]
    code2, _, err2 = sanctrack_cmd("in-force", "2025-01-01", "--registry", str(bad))
    assert (code2, err2) == (1, err)


def test_invalid_json_registry(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"format": "something-else"}', encoding="utf-8")
    code, _, err = sanctrack_cmd("validate", str(path))
    assert code == 1
    assert err.splitlines()[0] == "sanctrack: error: invalid registry: 1 problem"


def test_unknown_option_and_missing_argument():
    code, _, err = sanctrack_cmd("in-force", "2025-09-20", "--bogus")
    assert code == 2
    assert one_line(err) == "sanctrack: error: unrecognized arguments: --bogus (see 'sanctrack --help')"
    code, _, err = sanctrack_cmd("state", "us-ofac-belavia-sdn")
    assert code == 2
    assert one_line(err).startswith("sanctrack: error: the following arguments are required: DATE")
    code, _, err = sanctrack_cmd()
    assert code == 2 and one_line(err) == "sanctrack: error: a command is required (see 'sanctrack --help')"


def test_bad_format():
    code, _, err = sanctrack_cmd("in-force", "2025-09-20", "--format", "xml")
    assert code == 2
    assert one_line(err) == "sanctrack: error: invalid --format 'xml' for in-force: expected one of table, json, csv"


def test_options_a_command_would_ignore_are_refused():
    code, _, err = sanctrack_cmd("state", "us-ofac-belavia-sdn", "2025-09-20", "--authority", "EU")
    assert code == 2
    assert one_line(err) == ("sanctrack: error: --authority does not apply to state: filters work with "
                             "changes, diff, in-force, timeline")
    code, _, err = sanctrack_cmd("export", "--format", "json", "--known", "2025-01-01")
    assert code == 2 and one_line(err).startswith("sanctrack: error: --known does not apply to export --format json")


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


def test_help_and_version_exit_zero():
    code, out, _ = sanctrack_cmd("--help")
    assert code == 0 and "in-force" in out and "Exit codes" in out
    code, out, _ = sanctrack_cmd("--version")
    assert (code, out) == (0, f"sanctrack {sanctrack.__version__}\n")


# -- in process: the one place exceptions become exit codes -------------------------------


def test_an_internal_error_is_one_line_exit_70(monkeypatch, capsys, small_json):
    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(sanctrack.Registry, "in_force", boom)
    assert cli.main(["in-force", "2025-01-01", "--registry", small_json]) == 70
    captured = capsys.readouterr()
    assert captured.err == (f"sanctrack: internal error (sanctrack {sanctrack.__version__}; please report it): "
                            "RuntimeError: disk on fire second line\n")


def test_main_returns_codes_without_exiting(capsys, small_json):
    assert cli.main(["in-force", "2025-09-20", "--registry", small_json]) == 0
    assert "us-ofac-belavia-sdn" in capsys.readouterr().out
    assert cli.main(["state", "x", "bad-date", "--registry", small_json]) == 2


@pytest.mark.parametrize("argv", [
    ["in-force", "2025-12-20"],
    ["state", "us-ofac-belavia-sdn", "2025-09-20"],
    ["history", "us-bis-belavia-tdo"],
    ["changes", "2021-01-01", "2027-01-01"],
    ["diff", "2021-01-01", "2026-06-01"],
    ["explain", "us-ofac-belaruskali-sdn", "2025-12-20"],
    ["compare", "belavia", "2025-09-20"],
    ["deals"],
    ["validate"],
])
def test_every_table_fits_a_100_column_terminal(bundled, capsys, monkeypatch, argv):
    monkeypatch.delenv("COLUMNS", raising=False)  # captured output is no terminal: 100 columns
    assert cli.main(argv) in (0, 1)
    out = capsys.readouterr().out
    assert out
    for line in out.splitlines():  # only a URL, never cut, may run past the width, alone on its line
        assert len(line) <= 100 or line.strip().startswith(("https://", "http://")) and " " not in line.strip(), line
