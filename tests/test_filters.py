"""Unknown filter values are refused with a "did you mean", never answered with an empty list.

The values come from the bundled registry: authorities EU, LT, UK, US-BIS,
US-OFAC, US-STATE; programs BELARUS, BELARUS-EO, BELARUS-EO14038.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import sanctrack
from sanctrack import SanctrackError, UnknownFilter, UnknownTarget


@pytest.fixture(scope="module")
def reg() -> sanctrack.Registry:
    return sanctrack.load()


def test_unknown_authority_names_the_value_the_known_values_and_the_nearest(reg):
    with pytest.raises(UnknownFilter) as info:
        reg.in_force("2025-12-20", authority="US-OFACX")
    e = info.value
    assert isinstance(e, LookupError) and isinstance(e, SanctrackError)
    assert (e.filter, e.value, e.hint) == ("authority", "US-OFACX", None)
    assert e.known == ("EU", "LT", "UK", "US-BIS", "US-OFAC", "US-STATE")
    assert str(e) == ("unknown authority 'US-OFACX'; did you mean 'US-OFAC'?; "
                      "known authority values: EU, LT, UK, US-BIS, US-OFAC, US-STATE")


def test_unknown_program_suggests_the_full_code(reg):
    with pytest.raises(UnknownFilter) as info:
        reg.in_force("2025-12-20", program="BELARUS-EO1403")
    assert info.value.filter == "program"
    assert info.value.known == ("BELARUS", "BELARUS-EO", "BELARUS-EO14038")
    assert "did you mean 'BELARUS-EO14038'?" in str(info.value)


def test_unknown_kind(reg):
    with pytest.raises(UnknownFilter, match=r"unknown kind 'blockng'; did you mean 'blocking'\?"):
        reg.in_force("2025-12-20", kind="blockng")


def test_a_value_with_no_close_match_still_lists_the_known_values(reg):
    with pytest.raises(UnknownFilter) as info:
        reg.in_force("2025-12-20", authority="ZZ")
    assert str(info.value) == "unknown authority 'ZZ'; known authority values: EU, LT, UK, US-BIS, US-OFAC, US-STATE"


def test_a_typo_in_a_target_filter(reg):
    with pytest.raises(UnknownTarget) as info:
        reg.in_force("2025-12-20", target="Belaruskalli")
    assert info.value.filter is True
    assert str(info.value) == ("unknown target 'Belaruskalli': no entity has that id, name, alias or identifier "
                               "(did you mean 'Belaruskali'?)")


@pytest.mark.parametrize("call", [
    lambda r, **kw: r.in_force("2025-12-20", **kw),
    lambda r, **kw: r.changes("2025-01-01", "2026-01-01", **kw),
    lambda r, **kw: r.diff("2025-12-01", "2025-12-20", **kw),
    lambda r, **kw: r.as_known_on("2025-10-01").in_force("2025-09-20", **kw),
], ids=["in_force", "changes", "diff", "view"])
@pytest.mark.parametrize("kw", [{"authority": "US-OFACX"}, {"program": "BELARUS-EO1403"}, {"kind": "blockng"},
                                {"target": "Belaruskalli"}, {"authority": 7}])
def test_every_query_refuses_every_unknown_filter(reg, call, kw):
    with pytest.raises(LookupError):
        call(reg, **kw)


def test_screen_refuses_an_unknown_target(reg):
    with pytest.raises(UnknownTarget, match="did you mean 'Belaruskali'"):
        reg.screen([("Belaruskalli", "2025-12-20")])


def test_a_known_value_with_no_hit_stays_an_empty_answer(reg):
    assert reg.in_force("2025-12-20", authority="US-STATE", kind="blocking") == []
    assert reg.in_force("2025-12-20", kind="travel") == []  # a kind of the vocabulary no measure has
    assert reg.changes("2025-12-14", "2025-12-16", authority="UK") == []
    assert [s.measure.id for s in reg.in_force("2025-12-20", authority="US-OFAC", target="BPC")] == ["us-ofac-bpc-sdn"]


def run(*args: str) -> tuple[int, str, str]:
    p = subprocess.run([sys.executable, "-m", "sanctrack", *args], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in p.stderr
    return p.returncode, p.stdout, p.stderr


@pytest.mark.parametrize("args, line", [
    (("in-force", "2025-12-20", "--authority", "US-OFACX"),
     "sanctrack: error: unknown authority 'US-OFACX'; did you mean 'US-OFAC'?; "
     "known authority values: EU, LT, UK, US-BIS, US-OFAC, US-STATE"),
    (("in-force", "2025-12-20", "--program", "BELARUS-EO1403"),
     "sanctrack: error: unknown program 'BELARUS-EO1403'; did you mean 'BELARUS-EO14038'?; "
     "known program values: BELARUS, BELARUS-EO, BELARUS-EO14038"),
    (("changes", "2025-01-01", "2026-01-01", "--target", "Belaruskalli"),
     "sanctrack: error: unknown target 'Belaruskalli': no entity has that id, name, alias or identifier "
     "(did you mean 'Belaruskali'?)"),
])
def test_cli_exits_2_with_one_line(args, line):
    code, out, err = run(*args)
    assert (code, out, err) == (2, "", line + "\n")


def test_cli_known_value_no_hit_exits_1():
    code, _, err = run("in-force", "2025-12-20", "--authority", "US-STATE", "--kind", "blocking")
    assert code == 1 and err.startswith("sanctrack: nothing found")
