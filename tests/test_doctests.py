"""The docstring examples of the public modules run against the bundled registry."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["sanctrack._time", "sanctrack._registry", "sanctrack._index.catalog", "sanctrack._statemachine"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
