"""Screening receipts: what was asked, of which data version, and a hash of the answer, signed.

A receipt is a JSON object::

    {"receipt": 1, "command": "in-force", "query": {...}, "registry": {"name", "version", "digest"},
     "knowledge_date": "2026-11-22", "answer_sha256": "…", "server_time": "2026-12-06T01:02:03Z",
     "signature": "hmac-sha256:…"}

``answer_sha256`` hashes the canonical JSON of the answer's ``result`` (keys
sorted, no spaces, UTF-8); ``signature`` is HMAC-SHA256, under the operator's
key, of the canonical JSON of every other key. :func:`check` re-runs the query
on a registry and confirms the receipt only if the signature, the digest and
the answer's hash all match. :class:`AuditLog` appends every receipt to a
JSON-lines file, rotated by size.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._errors import SanctrackError
from ._answers import answer

__all__ = ["RECEIPT_VERSION", "KEY_ENV", "canonical", "answer_hash", "make", "sign", "check", "load_key",
           "AuditLog", "ReceiptError"]

RECEIPT_VERSION = 1
#: The environment variable that may hold the signing key (else ``--receipt-key-file``).
KEY_ENV = "SANCTRACK_RECEIPT_KEY"


class ReceiptError(SanctrackError, ValueError):
    """A receipt that is not a receipt (bad JSON, missing keys) or a key that cannot be used."""


def canonical(doc: Any) -> bytes:
    """The canonical JSON bytes of ``doc``: keys sorted, no whitespace, UTF-8."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def answer_hash(result: Any) -> str:
    return hashlib.sha256(canonical(result)).hexdigest()


def sign(body: Mapping[str, Any], key: bytes) -> str:
    """The signature of a receipt's body (every key but ``signature``)."""
    unsigned = {k: v for k, v in body.items() if k != "signature"}
    return "hmac-sha256:" + hmac.new(key, canonical(unsigned), hashlib.sha256).hexdigest()


def make(command: str, query: Mapping[str, Any], facts: Mapping[str, Any], result: Any, key: bytes,
         now: _dt.datetime) -> dict[str, Any]:
    """A signed receipt for one answer; ``facts`` are the registry's (see ``registry_facts``)."""
    body: dict[str, Any] = {
        "receipt": RECEIPT_VERSION,
        "command": command,
        "query": dict(query),
        "registry": {"name": facts["name"], "version": facts["version"], "digest": facts["digest"]},
        "knowledge_date": facts["knowledge_date"],
        "answer_sha256": answer_hash(result),
        "server_time": now.astimezone(_dt.UTC).isoformat().replace("+00:00", "Z"),
    }
    body["signature"] = sign(body, key)
    return body


_KEYS = ("receipt", "command", "query", "registry", "knowledge_date", "answer_sha256", "server_time", "signature")


def check(receipt: Any, reg: Any, key: bytes) -> tuple[bool, str]:
    """Confirm or refute a receipt against a registry: ``(True, why)`` or ``(False, why)``, one line each."""
    if isinstance(receipt, Mapping) and "receipt" in receipt and isinstance(receipt["receipt"], Mapping):
        receipt = receipt["receipt"]  # a whole response was given: its receipt
    if not isinstance(receipt, Mapping):
        raise ReceiptError("not a receipt: expected a JSON object with the keys " + ", ".join(_KEYS))
    missing = [k for k in _KEYS if k not in receipt]
    if missing:
        raise ReceiptError(f"not a receipt: missing key {missing[0]!r} (expected {', '.join(_KEYS)})")
    if receipt["receipt"] != RECEIPT_VERSION:
        raise ReceiptError(f"receipt version {receipt['receipt']!r} is not supported: expected {RECEIPT_VERSION}")
    if not hmac.compare_digest(str(receipt["signature"]), sign(receipt, key)):
        return False, "signature does not match: the receipt was altered or signed with another key"
    digest = receipt["registry"].get("digest") if isinstance(receipt["registry"], Mapping) else None
    if digest != reg.digest:
        return False, f"registry digest {reg.digest} is not the receipt's {digest}"
    if not isinstance(receipt["query"], Mapping):
        raise ReceiptError("not a receipt: 'query' is not an object")
    _, result = answer(reg, str(receipt["command"]), receipt["query"])
    if answer_hash(result) != receipt["answer_sha256"]:
        return False, (f"the answer to {receipt['command']} {_brief(receipt['query'])} on {digest} "
                       "differs from the receipt's")
    return True, (f"{receipt['command']} {_brief(receipt['query'])} on {digest} gives the receipt's answer "
                  f"(signed {receipt['server_time']})")


def _brief(query: Mapping[str, Any]) -> str:
    if "queries" in query:
        n = len(query["queries"])
        return f"of {n} question{'s' if n != 1 else ''}"
    return " ".join(f"{k}={v}" for k, v in query.items() if v is not None)


def load_key(path: str | None) -> bytes | None:
    """The signing key: the file's bytes (stripped) if a path is given, else ``$SANCTRACK_RECEIPT_KEY``, else None."""
    if path is not None:
        try:
            key = Path(path).read_bytes().strip()
        except OSError as exc:
            raise ReceiptError(f"cannot read the receipt key file {path!r}: {exc.strerror or exc}") from None
        if len(key) < 16:
            raise ReceiptError(f"receipt key file {path!r} holds {len(key)} bytes: expected at least 16")
        return key
    env = os.environ.get(KEY_ENV)
    if env:
        if len(env.encode()) < 16:
            raise ReceiptError(f"${KEY_ENV} holds {len(env.encode())} bytes: expected at least 16")
        return env.encode()
    return None


class AuditLog:
    """An append-only JSON-lines file of receipts, rotated when it reaches ``max_bytes`` (``backups`` kept)."""

    def __init__(self, path: str, max_bytes: int = 64 * 1024 * 1024, backups: int = 10) -> None:
        p = Path(path)
        if not p.parent.is_dir():
            raise ReceiptError(f"cannot write the audit log {path!r}: directory {str(p.parent)!r} does not exist")
        import logging.handlers

        self._logger = logging.Logger(f"sanctrack.audit:{path}")
        self._logger.propagate = False
        self._logger.setLevel(logging.INFO)
        self._handler = logging.handlers.RotatingFileHandler(p, maxBytes=max_bytes, backupCount=backups,
                                                             encoding="utf-8")
        self._handler.setFormatter(logging.Formatter("%(message)s"))
        self._logger.addHandler(self._handler)

    def write(self, receipt: Mapping[str, Any]) -> None:
        self._logger.info(canonical(receipt).decode("utf-8"))

    def close(self) -> None:
        self._handler.close()
