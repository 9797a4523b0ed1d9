"""``import sanctrack`` is cheap: its public names are imported on first use, and are the very
objects their modules define; a command-line question imports only what it needs."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from typing import Any

import pytest

import sanctrack
from sanctrack import _statemachine, _vocabulary

from ._cli_run import sanctrack_cmd


def _fresh(code: str) -> str:
    """The standard output of ``code`` run by a fresh interpreter (nothing imported yet)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          timeout=120).stdout


@pytest.mark.parametrize("name", sanctrack.__all__)
def test_every_public_name_is_the_object_its_module_defines(name: str) -> None:
    value = getattr(sanctrack, name)
    assert getattr(sanctrack, name) is value  # the same object on every access
    owner = getattr(value, "__module__", None)
    if isinstance(owner, str) and owner.startswith("sanctrack") and hasattr(sys.modules[owner], name):
        assert getattr(importlib.import_module(owner), name) is value


def test_the_constants_are_the_rules_own() -> None:
    assert sanctrack.IN_FORCE is _vocabulary.IN_FORCE
    assert sanctrack.TABLE is _statemachine.TABLE
    assert set(sanctrack.IN_FORCE) == {sanctrack.Status.IN_FORCE, sanctrack.Status.RELIEVED}


def test_star_import_and_dir_list_every_public_name() -> None:
    namespace: dict[str, Any] = {}
    exec("from sanctrack import *", namespace)  # the star import is the behaviour under test
    assert set(sanctrack.__all__) <= set(namespace)
    assert set(sanctrack.__all__) <= set(dir(sanctrack))
    assert {"load", "write_registry", "__version__"} <= set(dir(sanctrack))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'sanctrack' has no attribute 'NoSuchThing'"):
        sanctrack.NoSuchThing  # noqa: B018
    assert not hasattr(sanctrack, "no_such_thing")


def test_a_fresh_import_loads_no_dependency() -> None:
    out = _fresh("import sys; before = set(sys.modules); import sanctrack; "
                 "print(' '.join(sorted(set(sys.modules) - before)))").split()
    heavy = {"yaml", "dateutil", "attr", "attrs", "numpy", "pyarrow", "typing", "json", "argparse", "hashlib"}
    assert not heavy & set(out), out
    assert len([m for m in out if m.startswith("sanctrack.")]) <= 1, out  # the version's own module at most


def test_a_fresh_import_answers_through_the_lazy_names() -> None:
    out = _fresh("import sanctrack\n"
                 "s = sanctrack.load().state('us-ofac-belavia-sdn', sanctrack.parse_date('2025-09-20'))\n"
                 "print(type(s) is sanctrack.MeasureState, s.status, isinstance(s.status, sanctrack.Status))")
    assert out.split() == ["True", "relieved", "True"]


def test_a_question_on_the_command_line_does_not_import_the_other_commands() -> None:
    out = _fresh("import io, sys\n"
                 "from sanctrack.cli import main\n"
                 "sys.stdout = io.StringIO()\n"
                 "code = main(['in-force', '2025-09-20', '--target', 'Belavia'])\n"
                 "sys.stdout = sys.__stdout__\n"
                 "gone = ('sanctrack.importers', 'sanctrack.fetch', 'sanctrack.exports', 'sanctrack.timeline',\n"
                 "        'sanctrack.server._app', 'http.client', 'urllib.request', 'numpy')\n"
                 "print(code, sorted(m for m in gone if m in sys.modules))")
    assert out.strip() == "0 []"


class _Recorder:
    """Subcommands that remember the help each command was added with."""

    def __init__(self) -> None:
        self.help: dict[str, str] = {}

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        self.help[name] = kwargs["help"]
        kwargs.pop("help")
        return argparse.ArgumentParser(prog=f"sanctrack {name}", **kwargs)


def test_the_help_lists_fetch_and_import_with_their_own_help() -> None:
    from sanctrack._fetch_cli import add_fetch_parser
    from sanctrack.importers import add_import_parser

    rec = _Recorder()
    add_fetch_parser(rec)
    add_import_parser(rec)
    code, out, _ = sanctrack_cmd("--help")
    listing = " ".join(out.split())
    assert code == 0
    for name, help in rec.help.items():
        assert f"{name} {' '.join(help.split())}" in listing


@pytest.mark.parametrize(("args", "usage"), [
    (("fetch", "--help"), "usage: sanctrack fetch [-h] [-o DIR]"),
    (("import", "--help"), "usage: sanctrack import [-h] KIND ..."),
    (("import", "ofac-sdn", "--help"), "usage: sanctrack import ofac-sdn [-h]"),
])
def test_the_deferred_commands_still_parse_their_own_arguments(args: tuple[str, ...], usage: str) -> None:
    code, out, err = sanctrack_cmd(*args)
    assert (code, err) == (0, "") and out.startswith(usage)


def test_a_deferred_command_reports_its_usage_errors_as_before() -> None:
    code, _, err = sanctrack_cmd("import")
    assert code == 2
    assert err == ("sanctrack: error: the following arguments are required: KIND "
                   "(see 'sanctrack import --help')\n")
    code, _, err = sanctrack_cmd("fetch", "--bogus")
    assert code == 2 and err == "sanctrack: error: unrecognized arguments: --bogus (see 'sanctrack --help')\n"


def test_a_first_in_force_question_does_not_import_numpy() -> None:
    # the first whole-registry question on a date answers measure by measure (no index is built,
    # so numpy, ~80 ms to import, would not serve); the second builds the index, with numpy if it is there
    out = _fresh("import sys, sanctrack\n"
                 "reg = sanctrack.load(cache=False)\n"
                 "first = reg.in_force('2025-09-20')\n"
                 "print('numpy' in sys.modules)\n"
                 "assert reg.in_force('2025-09-20') == first\n"
                 "from sanctrack._index import accel\n"
                 "print(('numpy' in sys.modules) == accel.available())\n")
    assert out.split() == ["False", "True"]
