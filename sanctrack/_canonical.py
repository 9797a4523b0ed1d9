"""Canonical plain form of records, and the registry digest.

The plain form is JSON-ready (text, numbers, booleans, lists, dicts): dates
become ``YYYY-MM-DD``, instants ISO 8601 with their offset, enums their value,
tuples lists. Fields that are ``None`` or empty are left out, so adding an
optional field to the model does not change the digest of registries that do
not use it. The same form is used by the JSON export, so a registry exported
and loaded back has the same digest.
"""

from __future__ import annotations

import datetime as _dt
import enum
import hashlib
import json
from typing import Any

import attrs

__all__ = ["plain", "digest_of", "canonical_json"]


def _value(v: Any) -> Any:
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, _dt.datetime):
        return v.isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    if attrs.has(type(v)):
        return plain(v)
    if isinstance(v, (tuple, list)):
        return [_value(x) for x in v]
    return v


def plain(record: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The plain (JSON-ready) form of a record, without ``None`` or empty fields.

    An empty collection is kept where the field's default is ``None``: there
    empty and absent differ (an ``amend`` to no targets vs. no change of targets).
    """
    out: dict[str, Any] = {}
    for a in attrs.fields(type(record)):
        if a.name in skip:
            continue
        v = getattr(record, a.name)
        if v is None or ((v == () or v == []) and a.default is not None):
            continue
        if a.name == "changes":
            out[a.name] = {k: [old, new] for k, old, new in v}
            continue
        out[a.name] = _value(v)
    return out


def canonical_json(doc: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 text."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_of(doc: Any) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``doc``."""
    return "sha256:" + hashlib.sha256(canonical_json(doc).encode("utf-8")).hexdigest()
