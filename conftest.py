"""Root test configuration, shared by tests/ and the README's doctests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_load_cache(tmp_path_factory: pytest.TempPathFactory):
    """The suite never writes to the user's cache: every load() caches in a temporary folder."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SANCTRACK_CACHE_DIR", str(tmp_path_factory.mktemp("sanctrack-cache")))
    yield
    mp.undo()
