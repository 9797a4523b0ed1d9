"""What every command shares: the registry it asks (``--registry`` a directory or a JSON export,
``--known``), the ``--format`` it writes, and their errors.
"""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

import pytest

import sanctrack
from sanctrack import cli
from sanctrack._cli_common import NothingFound, UsageError, filters_of, load_registry, open_out, output_format, query_of

from ._cli_run import REPO, lines, one_line, sanctrack_cmd, write_small_json


@pytest.fixture(scope="module")
def small_json(tmp_path_factory: pytest.TempPathFactory) -> str:
    return write_small_json(tmp_path_factory)


def test_a_json_export_is_a_registry_for_every_command(small_json):
    code, out, _ = sanctrack_cmd("state", "us-ofac-belaruskali-sdn", "2026-03-25", "--registry", small_json,
                                 "--known", "2026-03-27")
    assert code == 0
    assert "status lifted (not in force)" in lines(out)  # the draft lift, as believed on 03-27
    code, out, _ = sanctrack_cmd("state", "us-ofac-belaruskali-sdn", "2026-03-25", "--registry", small_json)
    assert "status relieved (in force)" in lines(out)  # corrected on 03-28


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


def test_invalid_json_registry(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"format": "something-else"}', encoding="utf-8")
    code, _, err = sanctrack_cmd("validate", str(path))
    assert code == 1
    assert err.splitlines()[0] == "sanctrack: error: invalid registry: 1 problem"


def test_bad_format():
    code, _, err = sanctrack_cmd("in-force", "2025-09-20", "--format", "xml")
    assert code == 2
    assert one_line(err) == "sanctrack: error: invalid --format 'xml' for in-force: expected one of table, json, csv"


# -- in process: the helpers every command uses ------------------------------------------


def _args(**given: object) -> argparse.Namespace:
    return argparse.Namespace(command="in-force", **given)


def test_the_registry_asked_is_the_bundled_one_unless_a_path_is_given(small_json: str) -> None:
    assert load_registry(_args()).digest == sanctrack.load().digest
    small = load_registry(_args(registry=small_json))
    assert small.digest != sanctrack.load().digest
    assert load_registry(_args(registry="nowhere"), small_json).digest == small.digest  # an explicit path wins


def test_the_registry_is_asked_as_known_on_known(small_json: str) -> None:
    reg = load_registry(_args(registry=small_json, known="2026-03-27"))
    assert reg.known == datetime.date(2026, 3, 27)


def test_the_format_defaults_and_is_refused_where_the_command_does_not_write_it() -> None:
    assert output_format(_args()) == "table"
    assert output_format(_args(format="csv")) == "csv"
    assert output_format(_args(), ("csv", "json"), default="csv") == "csv"
    with pytest.raises(UsageError, match=r"^invalid --format 'ftm' for in-force: expected one of table, json, csv$"):
        output_format(_args(format="ftm"))


def test_the_query_of_a_json_answer_names_known_and_the_filters_given() -> None:
    assert query_of(_args(), on="2025-09-20") == {"on": "2025-09-20", "known": None}
    assert query_of(_args(known="2025-01-01", authority="EU", kind=None), on="x") == {
        "on": "x", "known": "2025-01-01", "authority": "EU"}
    assert filters_of(_args(authority="EU")) == {"authority": "EU", "target": None, "kind": None,
                                                 "program": None}


def test_an_output_file_in_a_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"directory .* does not exist"):
        open_out(str(tmp_path / "nowhere" / "out.html"))
    with open_out(str(tmp_path / "out.html")) as fh:
        fh.write("x")
    assert (tmp_path / "out.html").read_text() == "x"


def test_usage_errors_and_empty_answers_are_sanctrack_errors_and_builtins() -> None:
    assert issubclass(UsageError, sanctrack.SanctrackError) and issubclass(UsageError, ValueError)
    assert issubclass(NothingFound, sanctrack.SanctrackError) and issubclass(NothingFound, LookupError)
    assert cli.UsageError is UsageError and cli.NothingFound is NothingFound
