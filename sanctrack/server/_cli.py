"""The ``serve`` and ``verify-receipt`` commands (registered by ``sanctrack.cli``)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from .._cli_common import UsageError, load_registry
from .._errors import SanctrackError

__all__ = ["add_parsers", "TOKEN_ENV"]

#: The environment variable that may hold the bearer token (else ``--token-file``).
TOKEN_ENV = "SANCTRACK_TOKEN"
KEY_ENV = "SANCTRACK_RECEIPT_KEY"  # the same as _receipts.KEY_ENV (not imported: the parser stays light)


def add_parsers(cmd: Callable[..., argparse.ArgumentParser]) -> None:
    """Add ``serve`` and ``verify-receipt`` with the CLI's ``cmd(name, func, help)``."""
    sp = cmd("serve", _cmd_serve, "serve the as-of queries over HTTP (needs the 'server' extra)")
    sp.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sp.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    sp.add_argument("--token-file", metavar="FILE", default=None,
                    help=f"require 'Authorization: Bearer <token>' with the token in FILE (or ${TOKEN_ENV})")
    sp.add_argument("--insecure", action="store_true",
                    help="allow a non-loopback --host without a token")
    sp.add_argument("--receipt-key-file", metavar="FILE", default=None,
                    help=f"sign receipts for /in-force and /screen with the key in FILE (or ${KEY_ENV})")
    sp.add_argument("--audit-log", metavar="FILE", default=None, help="append every receipt to FILE (JSON lines)")
    sp.add_argument("--audit-max-bytes", metavar="N", type=int, default=64 * 1024 * 1024,
                    help="rotate the audit log at N bytes (default 64 MiB)")
    sp.add_argument("--audit-backups", metavar="N", type=int, default=10,
                    help="rotated audit logs kept (default 10)")
    sp = cmd("verify-receipt", _cmd_verify, "re-run a receipt's query on --registry: confirm (0) or refute (1)")
    sp.add_argument("receipt", metavar="RECEIPT", help="the receipt (or a whole response) as a JSON file; - for stdin")
    sp.add_argument("--receipt-key-file", metavar="FILE", default=None,
                    help=f"the key the server signed with (or ${KEY_ENV})")


def _usage(message: str) -> Exception:
    return UsageError(message)


def _no_query_options(args: argparse.Namespace) -> None:
    for name in ("known", "format"):
        if getattr(args, name, None) is not None:
            raise _usage(f"--{name} does not apply to {args.command}: a request carries its own")


def _loader(path: str | None) -> Callable[[], Any]:
    return lambda: load_registry(argparse.Namespace(registry=path, known=None))


def _cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    _no_query_options(args)
    from ._receipts import AuditLog, load_key

    try:
        import uvicorn

        from ._app import Served, create_app, is_loopback
    except ImportError as exc:
        raise _usage(f"serve needs the 'server' extra ({exc.name} is missing): "
                     "pip install 'sanctrack[server]'") from None
    token = None
    if args.token_file is not None:
        try:
            token = Path(args.token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise _usage(f"cannot read --token-file {args.token_file!r}: {exc.strerror or exc}") from None
    else:
        token = os.environ.get(TOKEN_ENV) or None
    if token is not None and len(token) < 16:
        raise _usage(f"the bearer token has {len(token)} characters: expected at least 16")
    if not is_loopback(args.host) and token is None and not args.insecure:
        raise _usage(f"refusing to serve on non-loopback {args.host!r} without a bearer token: give --token-file "
                     f"(or ${TOKEN_ENV}), or --insecure")
    if not 0 <= args.port <= 65535:
        raise _usage(f"invalid --port {args.port}: expected 0-65535")
    key = load_key(args.receipt_key_file)
    audit = AuditLog(args.audit_log, args.audit_max_bytes, args.audit_backups) if args.audit_log else None
    if audit is not None and key is None:
        raise _usage("--audit-log records receipts: give a receipt key too (--receipt-key-file or "
                     f"${KEY_ENV})")
    served = Served(_loader(getattr(args, "registry", None)))
    app = create_app(served, token=token, receipt_key=key, audit=audit)

    import signal
    import threading

    def on_hup(signum: int, frame: Any) -> None:
        def run() -> None:
            try:
                old, new = served.reload()
                sys.stderr.write(f"sanctrack: reloaded: {old.registry.digest} -> {new.registry.digest}\n")
            except (SanctrackError, OSError) as exc:
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                sys.stderr.write(f"sanctrack: reload refused, still serving {served.current.registry.digest}: "
                                 f"{first}\n")
            sys.stderr.flush()

        threading.Thread(target=run, name="sanctrack-reload", daemon=True).start()

    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, on_hup)
    facts = served.current.facts

    class Server(uvicorn.Server):  # says where it listens once it does (the port --port 0 picked)
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                host, port = self.servers[0].sockets[0].getsockname()[:2]
                sys.stderr.write(f"sanctrack: serving {facts['name']} {facts['digest']} on http://{host}:{port}"
                                 f"{' (receipts signed)' if key else ''}"
                                 f"{' (bearer token required)' if token else ''}\n")
                sys.stderr.flush()

    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                            lifespan="off")
    Server(config).run()
    if audit is not None:
        audit.close()
    return 0


def _cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    _no_query_options(args)
    from ._receipts import check, load_key

    key = load_key(args.receipt_key_file)
    if key is None:
        raise _usage(f"verify-receipt needs the signing key: --receipt-key-file FILE or ${KEY_ENV}")
    try:
        text = sys.stdin.read() if args.receipt == "-" else Path(args.receipt).read_text(encoding="utf-8")
    except OSError as exc:
        raise _usage(f"cannot read receipt {args.receipt!r}: {exc.strerror or exc}") from None
    import json

    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise _usage(f"receipt {args.receipt!r} is not JSON: {exc}") from None
    reg = _loader(getattr(args, "registry", None))()
    ok, why = check(doc, reg, key)
    out.write(f"{'confirmed' if ok else 'refuted'}: {why}\n")
    return 0 if ok else 1
