"""Running the command line as a user runs it, for the CLI tests: a subprocess, exit code, stdout, stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sanctrack.exports import dump_json

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
    """The lines of ``text`` with their runs of blanks made one space (table columns, whatever the width)."""
    return [" ".join(line.split()) for line in text.splitlines()]


def one_line(err: str) -> str:
    """The one line an error writes (asserting it is one line)."""
    assert err.endswith("\n") and err.count("\n") == 1, err
    return err.rstrip("\n")


def write_small_json(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The small registry (knowledge-time corrections) written as a JSON export; its path."""
    path = tmp_path_factory.mktemp("small") / "small.json"
    with open(path, "w", encoding="utf-8") as fh:
        dump_json(build_small(), fh)
    return str(path)
