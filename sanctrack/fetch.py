"""Download the official lists into a directory of dated snapshots.

``fetch(list, directory)`` downloads one official list (OFAC's ``SDN.CSV`` and
``SDN_ADVANCED.XML``, the EU Financial Sanctions File, the UN consolidated list)
into ``directory/<list>/`` under a name that carries its publication date, with a
sidecar JSON file beside it::

    DIR/un/un_2026-02-27T000009Z.xml
    DIR/un/un_2026-02-27T000009Z.xml.json     # published, sha256, size, url, fetched, etag ...

The rules:

* **The publication date comes from the file itself** where the list writes one
  (UN ``dateGenerated``, OFAC Advanced ``DateOfIssue``, EU ``generationDate`` or the
  legacy ``WHOLE/@Date``); otherwise (``SDN.CSV``) from the HTTP ``Last-Modified``
  header, else ``Date``, else the fetch time. The sidecar's ``published_from`` says
  which, so a date taken from a header is never mistaken for one the list states.
* **Nothing is stored twice.** The request carries ``If-None-Match`` /
  ``If-Modified-Since`` from the latest snapshot fetched from the same URL (a ``304``
  stores nothing), and a body with the SHA-256 of that snapshot is not stored again.
* **Nothing partial is stored.** The body goes to a hidden temporary file in the list's
  directory; it is kept only if it has the ``Content-Length`` the server announced,
  stays under the size cap, and looks like the whole list (its root element opens in
  the head and closes at the end; for ``SDN.CSV`` the first and last records have the
  12 fields). Then it is fsynced and renamed into place (``os.replace``); the sidecar
  follows the same way. A dropped connection, a short body, a timeout or an HTTP error
  leaves nothing behind and raises :class:`FetchError` (one line, naming the list and
  the URL).

Names are ``<list>_<stamp>.<ext>``: the stamp is the publication date
``YYYY-MM-DD`` when the list gives a date only, or the instant in UTC
``YYYY-MM-DDTHHMMSSZ`` when it gives a time of day; a second, different copy with the
same stamp gets ``_2``, ``_3`` … after it. Names sort in publication order.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import http.client
import json
import os
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from ._errors import SanctrackError
from ._fetch_lists import LISTS, ListSpec, Published, http_date, shape_problem

__all__ = [
    "LISTS",
    "ListSpec",
    "FetchError",
    "Snapshot",
    "FetchResult",
    "fetch",
    "check_url",
    "snapshots",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_SIZE",
]

DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_SIZE = 1 << 30  # 1 GiB: SDN_ADVANCED.XML is the largest list, well under it
_CHUNK = 1 << 16
_HEAD = 1 << 16  # the publication date and the root element are in the first 64 KiB
_SIDECAR = ".json"

Progress = Callable[[int, "int | None"], None]


class FetchError(SanctrackError, OSError):
    """A list that could not be fetched, or a body that is not the whole list.

    ``list`` and ``url`` name what was fetched and ``reason`` what went wrong; nothing
    has been stored when it is raised.
    """

    def __init__(self, list_name: str, url: str, reason: str) -> None:
        self.list = list_name
        self.url = url
        self.reason = reason
        super().__init__(f"{list_name}: {url}: {reason}; nothing stored")

    def __str__(self) -> str:  # OSError would print its args tuple
        return str(self.args[0])


# -- snapshots and their sidecars ----------------------------------------------------------


@attrs.frozen(slots=True)
class Snapshot:
    """One stored copy of a list, as its sidecar describes it.

    ``published`` is the publication date or instant as its source writes it,
    ``published_date`` its calendar date, ``published_from`` the source (a field of the
    file such as ``dateGenerated``, or the HTTP ``Last-Modified``/``Date`` header, or
    ``fetched``); ``fetched`` is the UTC instant of the download.
    """

    list: str
    path: str
    published: str
    published_date: dt.date
    published_from: str
    sha256: str
    size: int
    url: str
    fetched: str
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None

    @property
    def file(self) -> str:
        return os.path.basename(self.path)

    def sidecar(self) -> dict[str, Any]:
        """The sidecar document (what ``<file>.json`` holds)."""
        return {
            "list": self.list, "file": self.file, "published": self.published,
            "published_date": self.published_date.isoformat(), "published_from": self.published_from,
            "sha256": self.sha256, "size": self.size, "url": self.url, "fetched": self.fetched,
            "etag": self.etag, "last_modified": self.last_modified, "content_type": self.content_type,
        }


@attrs.frozen(slots=True)
class FetchResult:
    """What one fetch did: ``stored`` a new snapshot, or found the list ``not-modified``
    (HTTP 304) or ``unchanged`` (the same SHA-256 as a stored snapshot). ``snapshot`` is
    the new snapshot, or the stored one the list still matches; ``status`` the HTTP
    status."""

    list: str
    url: str
    outcome: str
    snapshot: Snapshot
    status: int


def _spec(list_name: str) -> ListSpec:
    try:
        return LISTS[list_name]
    except KeyError:
        raise ValueError(f"unknown list {list_name!r}: expected one of {', '.join(LISTS)}") from None


_NAME = re.compile(r"^(?P<list>[a-z][a-z0-9-]*)_(?P<stamp>\d{4}-\d{2}-\d{2}(?:T\d{6}Z)?)(?:_\d+)?\.(?P<ext>\w+)$")


def snapshots(directory: str | os.PathLike[str], list_name: str) -> tuple[Snapshot, ...]:
    """The stored snapshots of one list in ``directory/<list>/``, in name (publication) order.

    Only files named ``<list>_<stamp>.<ext>`` with a sidecar count. A sidecar that is not
    valid is an error naming it (a damaged directory is not silently refetched into).
    """
    spec = _spec(list_name)
    d = os.path.join(os.fspath(directory), spec.name)
    if not os.path.isdir(d):
        return ()
    out = []
    for name in sorted(os.listdir(d)):
        m = _NAME.match(name)
        if not m or m.group("list") != spec.name or m.group("ext") != spec.ext:
            continue
        side = os.path.join(d, name + _SIDECAR)
        if os.path.isfile(side):
            out.append(_read_sidecar(side, os.path.join(d, name), spec.name))
    return tuple(out)


def _read_sidecar(side: str, path: str, list_name: str) -> Snapshot:
    try:
        with open(side, encoding="utf-8") as fh:
            doc = json.load(fh)
    except json.JSONDecodeError as exc:
        raise FetchError(list_name, side, f"sidecar is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FetchError(list_name, side, f"cannot read the sidecar: {exc}") from None
    try:
        if not isinstance(doc, dict):
            raise TypeError("not a JSON object")
        return Snapshot(
            list=str(doc["list"]), path=path, published=str(doc["published"]),
            published_date=dt.date.fromisoformat(doc["published_date"]),
            published_from=str(doc["published_from"]), sha256=str(doc["sha256"]), size=int(doc["size"]),
            url=str(doc["url"]), fetched=str(doc["fetched"]), etag=doc.get("etag"),
            last_modified=doc.get("last_modified"), content_type=doc.get("content_type"))
    except (KeyError, TypeError, ValueError) as exc:
        detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
        raise FetchError(list_name, side, f"not a snapshot sidecar ({detail})") from None


# -- fetching --------------------------------------------------------------------------------


def _user_agent() -> str:
    from . import __version__

    return f"sanctrack/{__version__} (+list snapshots; Python urllib)"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def fetch(
    list_name: str,
    directory: str | os.PathLike[str],
    *,
    url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_size: int = DEFAULT_MAX_SIZE,
    force: bool = False,
    progress: Progress | None = None,
    now: Callable[[], dt.datetime] = _now,
) -> FetchResult:
    """Download one list into ``directory/<list>/`` unless it is unchanged; see the module doc.

    ``url`` replaces the official URL (http or https only); ``force`` sends no
    validators (identical content is still not stored twice); ``progress`` is called
    with (bytes so far, Content-Length or None) as the body arrives.
    Raises :class:`FetchError` (nothing stored) or :class:`ValueError` for a bad argument.
    """
    spec = _spec(list_name)
    url = check_url(spec.name, url or spec.url)
    if max_size <= 0:
        raise ValueError(f"the size cap must be positive, not {max_size}")
    if timeout <= 0:
        raise ValueError(f"the timeout must be positive, not {timeout}")
    root = os.fspath(directory)
    if not os.path.isdir(root):
        raise ValueError(f"output directory {root!r} does not exist")
    with _locked(root):  # two fetches into one directory take turns
        return _fetch(spec, root, url, timeout, max_size, force, progress, now)


def check_url(list_name: str, url: str) -> str:
    """``url`` if it is an http(s) URL with a host (and a valid port); else :class:`ValueError`."""
    bad = f"URL for {list_name} {url!r}"
    if not isinstance(url, str) or any(not c.isprintable() or c.isspace() for c in url):
        raise ValueError(f"{bad} contains white space or control characters")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as exc:
        raise ValueError(f"{bad} is not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"{bad} is not an http:// or https:// URL")
    if not parts.hostname:
        raise ValueError(f"{bad} has no host")
    return url


def _fetch(spec: ListSpec, root: str, url: str, timeout: float, max_size: int, force: bool,
           progress: Progress | None, now: Callable[[], dt.datetime]) -> FetchResult:
    existing = tuple(s for s in snapshots(root, spec.name) if os.path.isfile(s.path))
    # validators from the copy last fetched from this URL; "same content" against the copy last fetched
    same_url = [s for s in existing if s.url == url]
    validators = max(same_url, key=_fetch_order) if same_url else None
    latest = max(existing, key=_fetch_order) if existing else None

    headers = {"User-Agent": _user_agent(), "Accept-Encoding": "identity"}
    if validators is not None and not force:
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
    request = urllib.request.Request(url, headers=headers)
    folder = os.path.join(root, spec.name)
    made_folder = not os.path.isdir(folder)
    tmp: str | None = None
    done = False
    try:
        try:
            response = urllib.request.urlopen(request, timeout=timeout)  # the scheme is checked above
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 304 and validators is not None and not force:
                done = True
                return FetchResult(spec.name, url, "not-modified", validators, 304)
            raise FetchError(spec.name, url, f"HTTP {exc.code} {exc.reason}") from None
        with response:
            status = response.status
            if status != 200:  # 2xx but not the whole list (204 No Content, 206 Partial Content …)
                raise FetchError(spec.name, url, f"HTTP {status} {response.reason}: expected 200 with the list")
            fetched = now().astimezone(dt.UTC).replace(microsecond=0)
            info = response.headers
            encoding = (info.get("Content-Encoding") or "identity").strip().lower()
            if encoding != "identity":
                raise FetchError(spec.name, url, f"the server sent a {encoding!r}-encoded body "
                                 "though none was accepted")
            expected = _content_length(spec.name, url, info.get("Content-Length"))
            if expected is not None and expected > max_size:
                raise FetchError(spec.name, url, f"the list is {expected:,} bytes, over the size cap of "
                                 f"{max_size:,} bytes (raise it with --max-size)")
            os.makedirs(folder, exist_ok=True)
            tmp = os.path.join(folder, f".{spec.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
            size, digest, head, tail = _download(spec.name, url, response, tmp, expected, max_size, progress)
        problem = shape_problem(spec, head, tail)
        if problem is not None:
            raise FetchError(spec.name, url, problem)
        published = _published(spec, head, info, fetched)

        done = True
        if latest is not None and latest.sha256 == digest:
            return FetchResult(spec.name, url, "unchanged", latest, status)
        name = _free_name(folder, spec, published.stamp, digest, existing)
        if isinstance(name, Snapshot):  # this very content is already stored under its name
            return FetchResult(spec.name, url, "unchanged", name, status)
        snap = Snapshot(
            list=spec.name, path=os.path.join(folder, name), published=published.text,
            published_date=published.date, published_from=published.source, sha256=digest, size=size, url=url,
            fetched=_utc_text(fetched), etag=info.get("ETag"), last_modified=info.get("Last-Modified"),
            content_type=info.get("Content-Type"))
        done = False
        with open(tmp, "rb+") as fh:  # to disk before it takes its name (not needed for a copy thrown away)
            os.fsync(fh.fileno())
        os.replace(tmp, snap.path)
        tmp = snap.path  # removed again if the sidecar cannot be written
        _write_sidecar(snap)
        tmp = None
        _fsync_dir(folder)
        done = True
        return FetchResult(spec.name, url, "stored", snap, status)
    except FetchError:
        raise
    except TimeoutError:
        raise FetchError(spec.name, url, f"timed out (no data for {timeout:g} s)") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise FetchError(spec.name, url, f"timed out connecting ({timeout:g} s)") from None
        raise FetchError(spec.name, url, f"cannot connect: {_reason(exc.reason)}") from None
    except (http.client.HTTPException, ConnectionError) as exc:
        raise FetchError(spec.name, url, f"the connection failed: {_reason(exc)}") from None
    except ValueError as exc:  # urllib refusing a URL a redirect led to
        raise FetchError(spec.name, url, f"cannot follow the server: {_reason(exc)}") from None
    finally:
        if tmp is not None:
            _remove(tmp)
        if made_folder and not done:
            try:
                os.rmdir(folder)  # only if empty: a failed first fetch leaves no directory behind
            except OSError:
                pass


def _published(spec: ListSpec, head: str, info: Any, fetched: dt.datetime) -> Published:
    """The date the file states; else the HTTP Last-Modified, else Date, else the fetch time."""
    return ((spec.published(head) if spec.published else None)
            or http_date(info.get("Last-Modified"), "Last-Modified")
            or http_date(info.get("Date"), "Date")
            or Published(_utc_text(fetched), fetched, "fetched"))


def _fetch_order(s: Snapshot) -> tuple[str, str]:
    return s.fetched, s.file


def _utc_text(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _reason(exc: object) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, BaseException):
        return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text or "unknown reason"


def _content_length(list_name: str, url: str, value: str | None) -> int | None:
    if value is None:
        return None
    if not value.strip().isdigit():
        raise FetchError(list_name, url, f"invalid Content-Length {value!r}")
    return int(value)


def _download(list_name: str, url: str, response: Any, tmp: str, expected: int | None, max_size: int,
              progress: Progress | None) -> tuple[int, str, str, bytes]:
    """Stream the body to ``tmp``; return its size, sha256, decoded head and raw tail."""
    sha = hashlib.sha256()
    size = 0
    head = b""
    tail = b""
    with open(tmp, "xb") as out:
        while True:
            try:
                chunk = response.read(_CHUNK)
            except http.client.IncompleteRead:
                raise FetchError(list_name, url, f"the connection closed inside a chunk (chunked transfer), "
                                 f"{size:,}+ bytes in") from None
            if not chunk:
                break
            size += len(chunk)
            if size > max_size:
                raise FetchError(list_name, url, f"the body passed the size cap of {max_size:,} bytes")
            sha.update(chunk)
            out.write(chunk)
            if len(head) < _HEAD:
                head += chunk[: _HEAD - len(head)]
            tail = (tail + chunk)[-4096:]
            if progress is not None:
                progress(size, expected)
    if expected is not None and size != expected:
        raise FetchError(list_name, url, f"the connection closed after {size:,} of the {expected:,} bytes "
                         "announced (Content-Length)")
    if size == 0:
        raise FetchError(list_name, url, "the body is empty")
    return size, sha.hexdigest(), head.decode("utf-8", errors="replace"), tail


def _free_name(folder: str, spec: ListSpec, stamp: str, digest: str,
               existing: tuple[Snapshot, ...]) -> str | Snapshot:
    """The name for new content with ``stamp``; the stored snapshot if it is this content."""
    by_file = {s.file: s for s in existing}
    n = 1
    while True:
        name = f"{spec.name}_{stamp}{'' if n == 1 else f'_{n}'}.{spec.ext}"
        path = os.path.join(folder, name)
        if not os.path.exists(path) and not os.path.exists(path + _SIDECAR):
            return name
        known = by_file.get(name)
        if known is not None and known.sha256 == digest and os.path.isfile(known.path):
            return known
        n += 1


def _write_sidecar(snap: Snapshot) -> None:
    folder = os.path.dirname(snap.path)
    tmp = os.path.join(folder, f".{snap.file}.{secrets.token_hex(4)}.json.part")
    try:
        with open(tmp, "x", encoding="utf-8", newline="\n") as fh:
            json.dump(snap.sidecar(), fh, indent=2, ensure_ascii=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, snap.path + _SIDECAR)
    except BaseException:
        _remove(tmp)
        raise


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


@contextlib.contextmanager
def _locked(directory: str) -> Iterator[None]:
    """Hold an exclusive lock on ``directory`` itself (POSIX ``flock``; no lock file is left)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _fsync_dir(path: str) -> None:
    if not hasattr(os, "O_DIRECTORY"):  # pragma: no cover - Windows
        return
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
