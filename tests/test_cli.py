"""The command line, run as a user runs it: a subprocess, exit codes, stdout, stderr.

Answers come from the bundled registry (facts of FACTS.md §7); a small
registry exported to JSON (``--registry small.json``) covers the knowledge-time
corrections. Every error path: its exit code, one line on stderr, no traceback.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sanctrack
from sanctrack import cli

from ._cli_run import REPO, lines, one_line, sanctrack_cmd, write_small_json


@pytest.fixture(scope="module")
def bundled() -> sanctrack.Registry:
    return sanctrack.load()


@pytest.fixture(scope="module")
def small_json(tmp_path_factory: pytest.TempPathFactory) -> str:
    return write_small_json(tmp_path_factory)


# -- the parser: global options before or after the command, the console script --------------


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


def test_unknown_option_and_missing_argument():
    code, _, err = sanctrack_cmd("in-force", "2025-09-20", "--bogus")
    assert code == 2
    assert one_line(err) == "sanctrack: error: unrecognized arguments: --bogus (see 'sanctrack --help')"
    code, _, err = sanctrack_cmd("state", "us-ofac-belavia-sdn")
    assert code == 2
    assert one_line(err).startswith("sanctrack: error: the following arguments are required: DATE")
    code, _, err = sanctrack_cmd()
    assert code == 2 and one_line(err) == "sanctrack: error: a command is required (see 'sanctrack --help')"


def test_options_a_command_would_ignore_are_refused():
    code, _, err = sanctrack_cmd("state", "us-ofac-belavia-sdn", "2025-09-20", "--authority", "EU")
    assert code == 2
    assert one_line(err) == ("sanctrack: error: --authority does not apply to state: filters work with "
                             "changes, diff, in-force, timeline")
    code, _, err = sanctrack_cmd("export", "--format", "json", "--known", "2025-01-01")
    assert code == 2 and one_line(err).startswith("sanctrack: error: --known does not apply to export --format json")


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
        assert len(line) <= 100 or (line.strip().startswith(("https://", "http://")) and " " not in line.strip()), line
