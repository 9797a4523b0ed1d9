"""The version is written once (``sanctrack/_version.py``, read by the build too); the package says it."""

from __future__ import annotations

import re

import sanctrack
from sanctrack import _version


def test_the_package_says_the_version_written_in_its_module() -> None:
    assert sanctrack.__version__ == _version.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?", sanctrack.__version__)
