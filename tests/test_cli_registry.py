"""``validate``, ``export`` and ``timeline`` run as a user runs them: the digest, the exports in each
format, the HTML page, and the date they are made as of.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

import sanctrack
from sanctrack.exports import load_json

from ._cli_run import REPO, lines, sanctrack_cmd


@pytest.fixture(scope="module")
def bundled() -> sanctrack.Registry:
    return sanctrack.load()


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
