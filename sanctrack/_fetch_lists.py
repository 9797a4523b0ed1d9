"""The official lists ``sanctrack fetch`` knows: URLs, the dates they state, their shape.

Each :class:`ListSpec` names a list (its snapshot directory), its official URL, the
file extension, the root elements of an XML list and a reader of the publication date
the file states in its first 64 KiB (``dateGenerated``, ``DateOfIssue``,
``generationDate``, legacy ``WHOLE/@Date``). :func:`shape_problem` tells a body that is
not the whole list from one that is; :func:`http_date` reads an HTTP date header. Pure
functions over text: no I/O.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import re
from collections.abc import Callable, Mapping

import attrs

__all__ = ["Published", "ListSpec", "LISTS", "shape_problem", "http_date"]


@attrs.frozen(slots=True)
class Published:
    """A publication date as a list or a header states it."""

    text: str  # as written
    value: dt.date | dt.datetime  # a date, or an aware instant
    source: str  # "dateGenerated", "Last-Modified", ...

    @property
    def date(self) -> dt.date:
        """The calendar date the source states (the local date of an instant)."""
        return self.value.date() if isinstance(self.value, dt.datetime) else self.value

    @property
    def stamp(self) -> str:
        """``YYYY-MM-DD``, or the instant in UTC as ``YYYY-MM-DDTHHMMSSZ``."""
        if isinstance(self.value, dt.datetime):
            return self.value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H%M%SZ")
        return self.value.isoformat()


def _iso(text: str, source: str) -> Published | None:
    """An ISO 8601 date or aware instant; a time without an offset keeps only its date."""
    text = text.strip()
    try:
        if len(text) == 10:
            return Published(text, dt.date.fromisoformat(text), source)
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:  # the list's local time, zone unknown: the date is all we know
        return Published(text, value.date(), source)
    return Published(text, value, source)


def _attr_date(root: str, attr: str) -> Callable[[str], Published | None]:
    pattern = re.compile(rf"<(?:[\w.-]+:)?{root}\b[^>]*?\s{attr}\s*=\s*[\"']([^\"']+)[\"']")

    def read(head: str) -> Published | None:
        m = pattern.search(head)
        return _iso(m.group(1), attr) if m else None

    return read


_DATE_OF_ISSUE = re.compile(
    r"<(?:[\w.-]+:)?DateOfIssue\b[^>]*>\s*<(?:[\w.-]+:)?Year>\s*(\d{4})\s*</(?:[\w.-]+:)?Year>\s*"
    r"<(?:[\w.-]+:)?Month>\s*(\d{1,2})\s*</(?:[\w.-]+:)?Month>\s*<(?:[\w.-]+:)?Day>\s*(\d{1,2})\s*</"
)
_WHOLE_DATE = re.compile(r"<WHOLE\b[^>]*?\sDate\s*=\s*[\"'](\d{2})/(\d{2})/(\d{4})[\"']")


def _ofac_advanced_date(head: str) -> Published | None:
    m = _DATE_OF_ISSUE.search(head)
    if not m:
        return None
    try:
        value = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return Published(value.isoformat(), value, "DateOfIssue")


def _eu_date(head: str) -> Published | None:
    found = _attr_date("export", "generationDate")(head)
    if found is not None:
        return found
    m = _WHOLE_DATE.search(head)  # the legacy FSF 1.0 file: <WHOLE Date="dd/mm/yyyy">
    if not m:
        return None
    try:
        value = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None
    return Published(m.group(0).split("=", 1)[1].strip("\"' "), value, "WHOLE/@Date")


@attrs.frozen(slots=True)
class ListSpec:
    """One official list: its name (the directory), default URL, extension and shape.

    ``roots`` are the root elements an XML list may have (empty for a CSV list);
    ``published`` reads the publication date from the head of the file (None: the
    list carries none).
    """

    name: str
    title: str
    url: str
    ext: str
    roots: tuple[str, ...] = ()
    published: Callable[[str], Published | None] | None = attrs.field(default=None, eq=False)


LISTS: Mapping[str, ListSpec] = {
    s.name: s
    for s in (
        ListSpec("ofac-sdn", "OFAC SDN list (SDN.CSV)",
                 "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.CSV", "csv"),
        ListSpec("ofac-advanced", "OFAC SDN list, Advanced XML (SDN_ADVANCED.XML)",
                 "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN_ADVANCED.XML",
                 "xml", ("Sanctions",), _ofac_advanced_date),
        ListSpec("eu-fsf", "EU Financial Sanctions File (XML 1.1)",
                 "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content"
                 "?token=dG9rZW4tMjAxNw", "xml", ("export", "WHOLE"), _eu_date),
        ListSpec("un", "UN Security Council consolidated list",
                 "https://scsanctions.un.org/resources/xml/en/consolidated.xml", "xml", ("CONSOLIDATED_LIST",),
                 _attr_date("CONSOLIDATED_LIST", "dateGenerated")),
    )
}


def http_date(value: str | None, source: str) -> Published | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)  # RFC 9110: HTTP dates are GMT
    return Published(value, when.astimezone(dt.UTC), source)


def shape_problem(spec: ListSpec, head: str, tail: bytes) -> str | None:
    """Why a body is not the whole list (wrong root, cut before its end), or None.

    ``head`` is the start of the body (decoded), ``tail`` its last bytes.
    """
    end = tail.rstrip(b" \t\r\n\x00\x1a")
    if spec.roots:
        names = "|".join(map(re.escape, spec.roots))
        m = re.search(rf"<(?:[\w.-]+:)?({names})[\s>/]", head)
        if m is None:
            what = " or ".join(f"<{r}>" for r in spec.roots)
            return f"not the {spec.title}: no {what} element at the start of the body"
        if re.search(rb"</(?:[\w.-]+:)?" + re.escape(m.group(1)).encode() + rb"\s*>$", end) is None:
            return f"the body does not end with </{m.group(1)}>: the file is cut off"
        return None
    first = head.lstrip("\ufeff").split("\n", 1)[0]
    last = end.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    for which, line in (("first", first), ("last", last)):
        try:
            fields = next(csv.reader([line.rstrip("\r")], strict=True), [])
        except csv.Error:
            fields = []
        if len(fields) != 12 or not fields[0].strip().isdigit():
            return (f"not the {spec.title}: the {which} record is not 12 fields "
                    f"starting with a numeric uid ({line[:60]!r})")
    return None
