"""``sanctrack serve``: the as-of queries over HTTP, pinned to a registry digest, with signed receipts.

Needs the ``server`` extra (``pip install 'sanctrack[server]'``: Starlette and
uvicorn). The core never imports this package; it sits on the public
:class:`~sanctrack.Registry` API and on the same JSON builders as the CLI.
Every name is imported on first use, so that the CLI, which registers the
``serve`` command, pays nothing for it until it is run.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "Served", "ENDPOINTS", "SCREEN_LIMIT", "answer", "registry_facts", "check", "load_key",
           "AuditLog", "openapi"]

_WHERE = {"create_app": "_app", "Served": "_app", "ENDPOINTS": "_answers", "SCREEN_LIMIT": "_answers",
          "answer": "_answers", "registry_facts": "_answers", "check": "_receipts", "load_key": "_receipts",
          "AuditLog": "_receipts", "openapi": "_openapi"}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'sanctrack.server' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
