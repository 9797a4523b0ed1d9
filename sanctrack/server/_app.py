"""The ASGI application: routes from the endpoint table, pinning, auth, receipts, reload.

Every request reads the served registry once (:attr:`Served.current`, one
reference swapped atomically by :meth:`Served.reload`), so an answer is always
of one data version and a reload never drops a request in flight. Every
response carries that version's digest as its ``ETag``; ``If-Match`` or
``?digest=`` naming another digest gets 412 with both. Errors are one-line JSON
bodies: ``SanctrackError`` subclasses that are ``LookupError`` give 404, the
``ValueError`` ones 422, an oversize batch 413; nothing else ever reaches the
client but a one-line 500 naming the error type, never a traceback.
"""

from __future__ import annotations

import datetime as _dt
import hmac
import ipaddress
import json
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import Registry
from .. import _format as fmt
from .._errors import RegistryError, SanctrackError
from ._answers import ENDPOINTS, SCREEN_LIMIT, BadRequest, Endpoint, answer, registry_facts
from ._openapi import openapi
from ._receipts import AuditLog, make

__all__ = ["Served", "Loaded", "create_app", "MAX_BODY", "is_loopback"]

#: The largest ``POST /screen`` body accepted, in bytes (413 beyond).
MAX_BODY = 8 * 1024 * 1024


@attrs.frozen
class Loaded:
    """One loaded registry and its facts (name, digest, counts, knowledge date)."""

    registry: Registry
    facts: dict[str, Any]


class Served:
    """The registry being served, swapped whole by :meth:`reload`.

    ``loader`` builds a registry (raising :class:`RegistryError` if it is
    invalid); ``current`` is read once per request.
    """

    def __init__(self, loader: Callable[[], Registry]) -> None:
        self._loader = loader
        self._lock = threading.Lock()
        self.current = self._load()

    def _load(self) -> Loaded:
        reg = self._loader()
        return Loaded(reg, registry_facts(reg))

    def reload(self) -> tuple[Loaded, Loaded]:
        """Load the registry again and serve it; an invalid one raises and the old one keeps serving."""
        with self._lock:  # one reload at a time; requests never wait for it
            old = self.current
            new = self._load()
            self.current = new
            return old, new


class _HTTPError(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.extra = extra


def is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _json(doc: Any, status: int, digest: str | None) -> Response:
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {"ETag": f'"{digest}"'} if digest else {}
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def _status_of(exc: BaseException) -> int:
    """The HTTP status of a sanctrack error, by its family (so new subclasses map without being named)."""
    if isinstance(exc, LookupError):
        return 404
    return 422


_REASONS = {401: "Unauthorized", 403: "Forbidden", 409: "Conflict", 412: "PreconditionFailed",
            413: "PayloadTooLarge", 422: "Unprocessable"}


def _error_doc(status: int, exc: BaseException, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    message = " ".join(str(exc).split())
    if isinstance(exc, RegistryError):
        message = "; ".join(" ".join(str(p).split()) for p in exc.problems) or message
    kind = _REASONS.get(status, "Error") if isinstance(exc, _HTTPError) else type(exc).__name__
    doc: dict[str, Any] = {"error": {"status": status, "type": kind, "message": message}}
    if extra:
        doc["error"].update(extra)
    return doc


def _pinned(request: Request, digest: str) -> None:
    """412 if the request names a digest (If-Match or ?digest=) other than the served one."""
    wanted = []
    header = request.headers.get("if-match")
    if header is not None:
        tags = [t.strip() for t in header.split(",")]
        if "*" not in tags:
            wanted.append([t[2:] if t.startswith("W/") else t for t in tags])
    q = request.query_params.get("digest")
    if q is not None:
        wanted.append([q])
    for tags in wanted:
        if not any(t.strip('"') == digest for t in tags):
            asked = ", ".join(t.strip('"') for t in tags)
            raise _HTTPError(412, f"the served registry has digest {digest}, not {asked}",
                             served_digest=digest, requested_digest=asked)


class _App:
    def __init__(self, served: Served, *, token: str | None, receipt_key: bytes | None,
                 audit: AuditLog | None, clock: Callable[[], _dt.datetime]) -> None:
        self.served = served
        self.token = token
        self.key = receipt_key
        self.audit = audit
        self.clock = clock
        self.spec = openapi()

    def _auth(self, request: Request) -> None:
        if self.token is None:
            return
        got = request.headers.get("authorization", "")
        if not (got.startswith("Bearer ") and hmac.compare_digest(got[7:].encode(), self.token.encode())):
            raise _HTTPError(401, "missing or wrong bearer token: expected 'Authorization: Bearer <token>'")

    def _wrap(self, handler: Callable[[Request, Loaded], Awaitable[dict[str, Any]]]
              ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            cur = self.served.current  # read once: the whole answer is of this version
            digest = cur.registry.digest
            try:
                self._auth(request)
                _pinned(request, digest)
                doc = await handler(request, cur)
                return _json(doc, 200, digest)
            except _HTTPError as exc:
                headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
                r = _json(_error_doc(exc.status, exc, exc.extra), exc.status, digest)
                if headers:
                    r.headers.update(headers)
                return r
            except SanctrackError as exc:
                status = _status_of(exc)
                return _json(_error_doc(status, exc), status, digest)
            except Exception as exc:  # a bug: one line to the client, the traceback to the server's log
                logging.getLogger("uvicorn.error").exception("sanctrack: internal error on %s", request.url.path)
                return _json({"error": {"status": 500, "type": "InternalError",
                                        "message": f"internal error: {type(exc).__name__}"}}, 500, digest)
        return endpoint

    def query_route(self, e: Endpoint) -> Route:
        allowed = {p.name for p in e.params if p.where == "query"} | {"digest", "receipt"}

        async def handler(request: Request, cur: Loaded) -> dict[str, Any]:
            args: dict[str, Any] = {}
            for name in request.query_params:
                if name not in allowed:
                    raise BadRequest(f"unknown parameter {name!r} for {e.path}: expected "
                                     f"{', '.join(sorted(allowed - {'receipt'} if not e.receipts else allowed))}")
                values = request.query_params.getlist(name)
                if len(values) > 1:
                    raise BadRequest(f"parameter {name!r} given {len(values)} times: expected it once")
            for p in e.params:
                v = request.path_params.get(p.name) if p.where == "path" else request.query_params.get(p.name)
                if v is not None:
                    args[p.name] = v
            want = _flag(request.query_params.get("receipt"))
            if want and not e.receipts:
                raise BadRequest(f"{e.path} gives no receipt: only /in-force and /screen do")
            return self._answer(e, cur, args, want)

        return Route(e.path, self._wrap(handler), methods=[e.method])

    def screen_route(self, e: Endpoint) -> Route:
        async def handler(request: Request, cur: Loaded) -> dict[str, Any]:
            for name in request.query_params:
                if name not in ("digest", "receipt"):
                    raise BadRequest(f"unknown parameter {name!r} for /screen: expected digest, receipt")
            size = request.headers.get("content-length")
            if size is not None and size.isdigit() and int(size) > MAX_BODY:
                raise _HTTPError(413, f"request body of {int(size):,} bytes: expected at most {MAX_BODY:,}")
            raw = bytearray()
            async for chunk in request.stream():
                raw += chunk
                if len(raw) > MAX_BODY:
                    raise _HTTPError(413, f"request body over {MAX_BODY:,} bytes: expected at most {MAX_BODY:,}")
            try:
                body = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as exc:
                raise BadRequest(f"body is not JSON ({' '.join(str(exc).split())}): expected "
                                 '{"queries": [{"target" or "measure", "on", "known"?}, ...]}') from None
            if isinstance(body, dict) and isinstance(body.get("queries"), list) and len(body["queries"]) > SCREEN_LIMIT:
                raise _HTTPError(413, f"batch of {len(body['queries']):,} questions: expected at most "
                                      f"{SCREEN_LIMIT:,} per request", limit=SCREEN_LIMIT)
            want = _flag(request.query_params.get("receipt"))
            if isinstance(body, dict) and "receipt" in body:
                if not isinstance(body["receipt"], bool):
                    raise BadRequest(f"'receipt' in the body must be true or false, got {body['receipt']!r}")
                want = want or body["receipt"]
            return self._answer(e, cur, body, want)

        return Route(e.path, self._wrap(handler), methods=["POST"])

    def _answer(self, e: Endpoint, cur: Loaded, args: Any, want_receipt: bool | None) -> dict[str, Any]:
        reg = cur.registry
        query, result = answer(reg, e.command, args)
        doc = fmt.envelope(reg, e.command, query, result)
        if e.receipts and (want_receipt or (want_receipt is None and self.key is not None)):
            if self.key is None:
                raise _HTTPError(409, "receipts are not enabled: start the server with a receipt key "
                                      "(--receipt-key-file or $SANCTRACK_RECEIPT_KEY)")
            doc["receipt"] = receipt = make(e.command, query, cur.facts, result, self.key, self.clock())
            if self.audit is not None:
                self.audit.write(receipt)
        return doc

    async def openapi_doc(self, request: Request, cur: Loaded) -> dict[str, Any]:
        return self.spec

    async def reload(self, request: Request, cur: Loaded) -> dict[str, Any]:
        client = request.client.host if request.client else None
        if not is_loopback(client):
            raise _HTTPError(403, f"reload is accepted from the loopback interface only, not from {client}")
        try:
            old, new = await run_in_threadpool(self.served.reload)
        except (SanctrackError, OSError) as exc:
            raise _HTTPError(422, "new registry refused, still serving " + cur.registry.digest + ": "
                             + _error_doc(422, exc)["error"]["message"], served_digest=cur.registry.digest) from None
        return {"reloaded": True, "old_digest": old.registry.digest, "digest": new.registry.digest}


def _flag(v: str | None) -> bool | None:
    if v is None:
        return None
    if v in ("1", "true", "yes"):
        return True
    if v in ("0", "false", "no"):
        return False
    raise BadRequest(f"invalid receipt={v!r}: expected true or false")


def create_app(served: Served, *, token: str | None = None, receipt_key: bytes | None = None,
               audit: AuditLog | None = None,
               clock: Callable[[], _dt.datetime] = lambda: _dt.datetime.now(_dt.UTC)) -> Starlette:
    """The ASGI application serving ``served`` (see the module docstring)."""
    handlers = _App(served, token=token, receipt_key=receipt_key, audit=audit, clock=clock)
    routes = [handlers.screen_route(e) if e.method == "POST" else handlers.query_route(e) for e in ENDPOINTS]
    routes.append(Route("/openapi.json", handlers._wrap(handlers.openapi_doc), methods=["GET"]))
    routes.append(Route("/admin/reload", handlers._wrap(handlers.reload), methods=["POST"]))

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        msg = (f"no endpoint {request.url.path}: see /openapi.json" if status == 404
               else f"method {request.method} not allowed on {request.url.path}")
        return _json({"error": {"status": status, "type": "NotFound" if status == 404 else "MethodNotAllowed",
                                "message": msg}}, status, served.current.registry.digest)

    async def internal(request: Request, exc: Exception) -> Response:
        return _json({"error": {"status": 500, "type": "InternalError",
                                "message": f"internal error: {type(exc).__name__}"}}, 500, None)

    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found, 500: internal})
    # no 307 to the path without its trailing slash: a path the document does not declare is a 404
    app.router.redirect_slashes = False
    return app
