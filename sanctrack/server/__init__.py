"""``sanctrack serve``: the as-of queries over HTTP, pinned to a registry digest, with signed receipts.

Needs the ``server`` extra (``pip install 'sanctrack[server]'``: Starlette and
uvicorn). The core never imports this package; it sits on the public
:class:`~sanctrack.Registry` API and on the same JSON builders as the CLI.
"""

from __future__ import annotations

from ._answers import ENDPOINTS, SCREEN_LIMIT, answer, registry_facts
from ._receipts import AuditLog, check, load_key

__all__ = ["create_app", "Served", "ENDPOINTS", "SCREEN_LIMIT", "answer", "registry_facts", "check", "load_key",
           "AuditLog", "openapi"]


def __getattr__(name: str):  # the ASGI parts import Starlette: only when asked for
    if name in ("create_app", "Served"):
        from . import _app

        return getattr(_app, name)
    if name == "openapi":
        from ._openapi import openapi

        return openapi
    raise AttributeError(name)
