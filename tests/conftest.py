"""Shared test configuration: hypothesis profiles and the real-data folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]
REAL_DATA = REPO.parent / "shared" / "data" / "real-sanctions"
REGISTRY_FIXTURES = Path(__file__).parent / "fixtures" / "registries"

settings.register_profile(
    "default", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", max_examples=100, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# the oldest-versions CI run (.ci/run): a compatibility check of the oldest declared versions, whose
# hypothesis (6.80) generates about 3x slower here; the newest run explores 100 examples a property
settings.register_profile(
    "oldest", max_examples=35, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "long", max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("SANCTRACK_HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The folder of real OFAC/UN/EU list files beside the repo; skip if absent."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real sanctions data not found at {REAL_DATA}")
    return REAL_DATA


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A writable copy of the small fixture registry ``tests/fixtures/registries/base``."""
    out = tmp_path / "reg"
    shutil.copytree(REGISTRY_FIXTURES / "base", out)
    return out


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`fuzz`-marked tests run only when asked for (-m fuzz or SANCTRACK_FUZZ=1)."""
    if os.environ.get("SANCTRACK_FUZZ") or "fuzz" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="long fuzz run: use `pytest -m fuzz` or SANCTRACK_FUZZ=1")
    for item in items:
        if "fuzz" in item.keywords:
            item.add_marker(skip)


def report_lines(request: pytest.FixtureRequest, *lines: str) -> None:
    """Print summary lines (a fuzz run's counts) in the terminal report, outside output capture."""
    tr = request.config.pluginmanager.getplugin("terminalreporter")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if tr is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        for line in lines:
            tr.write_line(line)
