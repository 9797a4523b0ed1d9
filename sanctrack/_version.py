"""sanctrack's version: one line, read by the build (``pyproject.toml``) and re-exported by the package.

A module of its own so that code below the package (the load cache's keys) can
name the version without importing ``sanctrack/__init__.py``.
"""

__version__ = "0.1.0"
