"""Fuzzing the command line: random argument lists never print a traceback.

Argument lists are drawn from the CLI's own vocabulary (commands, options,
measure ids, targets, good and bad dates, formats, registry paths that are
valid, broken, missing, a JSON export or not a registry) mixed with random
text. ``sanctrack.cli.main(argv)`` runs in-process; a few lists also go
through ``python -m sanctrack`` in a subprocess. The law: the exit code is 0,
1 or 2 (70 is the CLI's "internal error", a bug), nothing on stdout or stderr
contains "Traceback", and a usage error (2) is one line on stderr.

The ``import`` command is left out: it writes into a registry directory.
Outputs (``-o``) are plain relative names, written into a temporary working
directory; random tokens never contain a path separator.

Inputs: every CI run 300 in-process + 12 subprocesses; ``pytest -m fuzz``
6,000 + 120 (printed at the end of the module).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sanctrack
from sanctrack._dump import write_registry
from sanctrack.cli import main

from .conftest import report_lines

COUNTS: Counter[str] = Counter()
CODES: Counter[int] = Counter()

COMMANDS = ["in-force", "state", "history", "changes", "diff", "explain", "compare", "deals", "validate", "export",
            "timeline"]
OPTIONS = ["--registry", "--known", "--format", "--authority", "--target", "--kind", "--program", "--from", "--to",
           "--as-of", "-o", "--output", "--help", "-h", "--version", "--", "-", "--registry=", "--known=2025-10-01",
           "--format=json", "--bogus"]
DATES = ["2025-10-01", "2025-09-11", "2021-06-05T00:00:00+02:00", "2025-11-04T12:00Z", "2025-02-30", "2025-13-01",
         "2025-09", "2025", "09/11/2025", "2021-06-05T00:00:00", "0001-01-01", "9999-12-31", "yesterday", ""]
VALUES = ["us-ofac-belavia-sdn", "eu-belavia-listing", "us-ofac-belavia-sdn.lift", "no-such-measure", "belavia",
          "Belavia", "ofac:44541", "nobody", "US-OFAC", "EU", "blocking", "BELARUS-EO14038", "table", "json", "csv",
          "ftm", "xml", "out.csv", "out.html", "out.json", "release-2025-12-13"]
PATHS = ["good", "broken", "export.json", "notjson.json", "missing", "empty", "."]


def _modes(ci: int) -> list:
    return [pytest.param(ci, id="ci"), pytest.param(ci * 20, id="long", marks=pytest.mark.fuzz)]


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    if not COUNTS:
        return
    lines: list[str] = []
    lines.append("")
    codes = ", ".join(f"exit {k}: {v}" for k, v in sorted(CODES.items()))
    lines.append(f"CLI fuzz inputs: {COUNTS['in-process']} in-process, {COUNTS['subprocess']} "
                  f"subprocess ({codes})")
    report_lines(request, *lines)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A working directory with registries in every state the fuzz names."""
    d = tmp_path_factory.mktemp("cli-fuzz")
    reg = sanctrack.load(cache=False)
    write_registry(reg, d / "good")
    write_registry(reg, d / "broken")
    m = next((d / "broken" / "measures").glob("*.yaml"))
    m.write_text(m.read_text(encoding="utf-8").replace("action: impose", "action: lift", 1), encoding="utf-8")
    from sanctrack.exports._json import dump_json

    with open(d / "export.json", "w", encoding="utf-8") as fh:
        dump_json(reg, fh)
    (d / "notjson.json").write_text("name: not json\n", encoding="utf-8")
    (d / "empty").mkdir()
    return d


@pytest.fixture
def in_workdir(workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("SANCTRACK_CACHE_DIR", str(workdir / ".cache"))
    return workdir


_RANDOM = st.text(max_size=12).filter(lambda s: "/" not in s and "\\" not in s and s.strip() != "import"
                                      and "\x00" not in s)
_TOKEN = st.one_of(st.sampled_from(COMMANDS), st.sampled_from(OPTIONS), st.sampled_from(DATES),
                   st.sampled_from(VALUES), st.sampled_from(PATHS), _RANDOM)


MEASURES = ["us-ofac-belavia-sdn", "eu-belavia-listing", "no-such-measure", "us-ofac-belaruskali-sdn"]
TARGETS = ["belavia", "Belavia", "ofac:44541", "belaruskali", "nobody", "OJSC  Belavia."]
SLOTS = {"in-force": ["date"], "state": ["measure", "date"], "history": ["measure"], "changes": ["date", "date"],
         "diff": ["date", "date"], "explain": ["measure", "date"], "compare": ["target", "date"], "deals": [],
         "validate": ["path"], "export": [], "timeline": []}
GOOD_DATES = ["2025-10-01", "2025-09-11", "2025-09-20", "2021-06-05T00:00:00+02:00", "2025-11-04T12:00Z",
              "2006-01-01", "2026-03-19"]
FILTERS = ["--authority", "--target", "--kind", "--program"]
PAIRS = {"--registry": PATHS, "--known": GOOD_DATES[:3], "--format": ["table", "json", "csv", "ftm", "xml"],
         "--authority": ["US-OFAC", "EU", "UK", "XX"], "--target": TARGETS, "--kind": ["blocking", "trade", "x"],
         "--program": ["BELARUS-EO14038", "x"], "--from": GOOD_DATES, "--to": GOOD_DATES, "-o": ["out.csv", "out.html"],
         "--as-of": GOOD_DATES[:3]}


@st.composite
def well_formed(draw) -> list[str]:
    """A command with the right positional arguments (good or bad values) and some options."""
    cmd = draw(st.sampled_from(COMMANDS))
    pools = {"date": GOOD_DATES, "measure": MEASURES, "target": TARGETS, "path": PATHS}

    def value(pool: list[str]) -> str:
        odd = draw(st.integers(0, 9))
        return draw(_RANDOM) if odd == 0 else draw(st.sampled_from(DATES)) if odd == 1 else draw(st.sampled_from(pool))

    argv = [cmd] + [value(pools[slot]) for slot in SLOTS[cmd]]
    allowed = ["--registry", "--known", "--format"] + (FILTERS if cmd in ("in-force", "changes", "diff", "timeline")
                                                       else [])
    allowed += {"timeline": ["--from", "--to", "--as-of"], "export": ["-o", "--as-of"]}.get(cmd, [])
    for opt in draw(st.lists(st.sampled_from(allowed), max_size=3, unique=True)):
        argv += [opt, value(PAIRS[opt])]
    if cmd == "timeline" and "-o" not in argv:
        argv += ["-o", "out.html"]
    return argv


@st.composite
def argvs(draw) -> list[str]:
    kind = draw(st.integers(0, 2))
    if kind == 0:
        argv = draw(well_formed())
    elif kind == 1:  # a command first, then anything
        argv = [draw(st.sampled_from(COMMANDS))] + draw(st.lists(_TOKEN, max_size=6))
    else:
        argv = draw(st.lists(_TOKEN, max_size=8))
    return [a for a in argv if a.strip() != "import"]


def _law(code: int, out: str, err: str, argv: list[str]) -> None:
    CODES[code] += 1
    assert code in (0, 1, 2), (argv, code, err[-500:])
    assert "Traceback" not in out and "Traceback" not in err, (argv, err[-2000:])
    assert "internal error" not in err, (argv, err)
    if code == 2:
        assert err.startswith("sanctrack: ") and err.count("\n") == 1, (argv, err)


@pytest.mark.parametrize("n", _modes(300))
def test_random_argument_lists_in_process(in_workdir, capsys, n):
    @settings(max_examples=n, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(argvs())
    def fuzz(argv):
        COUNTS["in-process"] += 1
        try:
            code = main(argv)
        except SystemExit as exc:  # pragma: no cover - main must return, not exit
            pytest.fail(f"main({argv!r}) raised SystemExit({exc.code})")
        captured = capsys.readouterr()
        _law(code, captured.out, captured.err, argv)

    fuzz()


@pytest.mark.parametrize("n", _modes(12))
def test_random_argument_lists_through_a_subprocess(in_workdir, n):
    env = {**os.environ, "SANCTRACK_CACHE_DIR": str(in_workdir / ".cache"), "PYTHONIOENCODING": "utf-8"}

    @settings(max_examples=n, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(argvs())
    def fuzz(argv):
        COUNTS["subprocess"] += 1
        out = subprocess.run([sys.executable, "-m", "sanctrack", *argv], capture_output=True, text=True,
                             encoding="utf-8", errors="replace", env=env, cwd=in_workdir, timeout=120)
        _law(out.returncode, out.stdout, out.stderr, argv)

    fuzz()


@pytest.mark.parametrize("argv, code", [
    (["in-force", "2025-10-01"], 0),
    (["state", "us-ofac-belavia-sdn", "2025-09-20"], 0),
    (["state", "no-such-measure", "2025-09-20"], 1),
    (["--registry", "broken", "deals"], 1),
    (["--registry", "notjson.json", "deals"], 1),
    (["--registry", "empty", "deals"], 1),
    (["in-force", "2025-02-30"], 2),
    (["in-force"], 2),
    ([], 2),
    (["in-force", "in-force", "\n"], 2),  # found by the long fuzz: the line break broke the one-line error
])
def test_the_vocabulary_reaches_every_exit_code(in_workdir, capsys, argv, code):
    assert main(argv) == code
    _law(code, *capsys.readouterr(), argv)
