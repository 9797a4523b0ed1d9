"""Time rules: strict parsing, calendar dates, instants and half-open validity.

The rules (also in the README)
------------------------------

1. **Effective dates are calendar dates in the authority's time zone.** OFAC and
   BIS dates are Washington dates, EU dates Brussels dates. A query *date* is
   compared with a transition's ``effective`` date as a calendar date. A query
   *instant* (an aware ``datetime``) is first converted to the authority's zone;
   its calendar date is then compared, and on the effective day itself it is
   compared with the transition's ``effective_at`` instant where one is known
   (a transition without ``effective_at`` holds for its whole effective day).
2. **Naive datetimes are refused**, and so are partial or ambiguous strings
   ("2025", "2025-09", "Sept 2025", "09/11/2025"): an error, never a guess.
3. **Intervals are half-open.** A state made on D1 and replaced on D2 holds for
   D1 <= d < D2. A lift effective on X means the measure is *not* in force on X.
   An ``until`` of U means the change holds for d < U: on U it has lapsed.
4. **Same-day transitions** apply in a defined order: by ``effective_at`` (a
   transition without one counts as the start of the day), then in registry
   order (the order of the transitions in the measure's file). All of a day's
   transitions apply before the lapses (``until``) that fall on that day, so a
   renewal effective on the expiry date continues the measure without a gap.
5. **Knowledge time.** Every record has ``recorded``, the date it became known
   (for back-filled history: the date the fact first became public).
   ``as_known_on(Y)`` sees only records with ``recorded <= Y``; a correction
   counts only if it too was recorded by Y. With no Y everything counts.
6. **Reproducible.** The same registry digest, query date X and knowledge date
   Y give the same answer forever.

This module is pure: no clock, no I/O. Time zones come from python-dateutil
(system tz database, else the copy dateutil ships).
"""

from __future__ import annotations

import datetime as _dt
import re
import warnings
from functools import cache, lru_cache
from typing import cast

import attrs
from dateutil import tz as _tz

from ._errors import InvalidDate

__all__ = [
    "DateLike",
    "WhenLike",
    "parse_date",
    "parse_instant",
    "parse_when",
    "parse_optional_date",
    "zone",
    "local_date",
    "Validity",
]

DateLike = str | _dt.date
WhenLike = str | _dt.date | _dt.datetime

DATE_SHAPE = "a calendar date YYYY-MM-DD"
INSTANT_SHAPE = "an aware instant YYYY-MM-DDTHH:MM[:SS[.ffffff]]±HH:MM (or Z)"
WHEN_SHAPE = f"{DATE_SHAPE} or {INSTANT_SHAPE}"

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INSTANT_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"(Z|[+-]\d{2}:\d{2})",
    re.ASCII,
)


def _date_from_text(text: str, original: object, expected: str) -> _dt.date:
    try:
        return _dt.date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
    except ValueError as exc:
        raise InvalidDate(original, expected, str(exc)) from None


def parse_date(value: object) -> _dt.date:
    """Parse a calendar date strictly.

    Accepts a ``datetime.date`` (not a ``datetime``) or a ``YYYY-MM-DD`` string.

    >>> parse_date("2025-09-11")
    datetime.date(2025, 9, 11)
    >>> parse_date("2025-09")
    Traceback (most recent call last):
    ...
    sanctrack._errors.InvalidDate: invalid date '2025-09': expected a calendar date YYYY-MM-DD
    """
    if isinstance(value, _dt.datetime):
        raise InvalidDate(value, DATE_SHAPE, "a datetime is not a calendar date")
    if isinstance(value, _dt.date):
        return value
    if not isinstance(value, str):
        raise InvalidDate(value, DATE_SHAPE, f"got {type(value).__name__}")
    text = value.strip()
    if not _DATE_RE.fullmatch(text):
        raise InvalidDate(value, DATE_SHAPE)
    return _date_from_text(text, value, DATE_SHAPE)


def parse_optional_date(value: object) -> _dt.date | None:
    """``None`` stays ``None``; anything else goes through :func:`parse_date`."""
    return None if value is None else parse_date(value)


def parse_instant(value: object) -> _dt.datetime:
    """Parse an aware instant strictly; naive datetimes are refused.

    >>> parse_instant("2021-06-05T00:00:00+02:00").isoformat()
    '2021-06-05T00:00:00+02:00'
    >>> parse_instant("2021-06-05T00:00:00")
    Traceback (most recent call last):
    ...
    sanctrack._errors.InvalidDate: invalid date '2021-06-05T00:00:00': expected an aware instant YYYY-MM-DDTHH:MM[:SS[.ffffff]]±HH:MM (or Z) (no UTC offset: naive times are refused)
    """  # noqa: E501
    if isinstance(value, _dt.datetime):
        try:
            offset = None if value.tzinfo is None else value.tzinfo.utcoffset(value)
        except (OverflowError, ValueError) as exc:  # a tzinfo that cannot place it
            raise InvalidDate(value, INSTANT_SHAPE, f"its time zone gives no offset: {exc}") from None
        if offset is None:
            raise InvalidDate(value, INSTANT_SHAPE, "naive datetime: give a time zone")
        return _in_range(value, value)
    if not isinstance(value, str):
        raise InvalidDate(value, INSTANT_SHAPE, f"got {type(value).__name__}")
    text = value.strip()
    m = _INSTANT_RE.fullmatch(text)
    if not m:
        reason = None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?", text, re.ASCII):
            reason = "no UTC offset: naive times are refused"
        raise InvalidDate(value, INSTANT_SHAPE, reason)
    day = _date_from_text(m.group(1), value, INSTANT_SHAPE)
    hh, mm = int(m.group(2)), int(m.group(3))
    ss = int(m.group(4) or 0)
    frac = m.group(5) or ""
    micro = int(frac.ljust(6, "0")) if frac else 0
    off = m.group(6)
    if off == "Z":
        tzinfo: _dt.tzinfo = _dt.UTC
    else:
        oh, om = int(off[1:3]), int(off[4:6])
        if oh > 23 or om > 59:
            raise InvalidDate(value, INSTANT_SHAPE, f"offset {off} out of range")
        delta = _dt.timedelta(hours=oh, minutes=om)
        tzinfo = _dt.timezone(-delta if off[0] == "-" else delta)
    try:
        instant = _dt.datetime(day.year, day.month, day.day, hh, mm, ss, micro, tzinfo=tzinfo)
    except ValueError as exc:
        raise InvalidDate(value, INSTANT_SHAPE, str(exc)) from None
    return _in_range(instant, value)


#: Instants are accepted from a day after the first to a day before the last that ``datetime``
#: can hold, in UTC: every time zone then has a calendar date for them.
FIRST_INSTANT = _dt.datetime(1, 1, 2, tzinfo=_dt.UTC)
LAST_INSTANT = _dt.datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=_dt.UTC)
_RANGE = "instants from 0001-01-02T00:00Z to 9999-12-30T23:59:59Z (UTC), so that every time zone has a date for them"


def _in_range(instant: _dt.datetime, original: object) -> _dt.datetime:
    try:
        ok = FIRST_INSTANT <= instant <= LAST_INSTANT
    except (OverflowError, ValueError):  # an offset that cannot be applied at the very ends
        ok = False
    if not ok:
        raise InvalidDate(original, INSTANT_SHAPE, f"out of range: sanctrack takes {_RANGE}")
    return instant


def parse_when(value: object) -> _dt.date | _dt.datetime:
    """Parse a query time: a calendar date or an aware instant.

    >>> parse_when("2025-11-04")
    datetime.date(2025, 11, 4)
    >>> parse_when("2025-11-04T12:00Z").isoformat()
    '2025-11-04T12:00:00+00:00'
    """
    if isinstance(value, _dt.datetime):
        return parse_instant(value)
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= 10:
            try:
                return parse_date(text)
            except InvalidDate:
                raise InvalidDate(value, WHEN_SHAPE) from None
        try:
            return parse_instant(text)
        except InvalidDate as exc:
            raise InvalidDate(value, WHEN_SHAPE, exc.reason) from None
    raise InvalidDate(value, WHEN_SHAPE, f"got {type(value).__name__}")


# an IANA key: names of letters, digits and - _ + joined by "/"; never absolute, never "." or ".."
_ZONE_RE = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*", re.ASCII)


def _zone_key_problem(name: object) -> str | None:
    if not isinstance(name, str) or not name:
        return "expected an IANA name such as 'Europe/Brussels'"
    if len(name) > 64 or not _ZONE_RE.fullmatch(name):
        what = "a file path" if ("/" in name[:1] or "." in name or "\\" in name) else "not an IANA zone name"
        return f"{what}: expected an IANA name such as 'Europe/Brussels' (letters, digits, - _ + and /)"
    return None


@cache
def zone(name: str) -> _dt.tzinfo:
    """The tzinfo of an IANA zone name; ``ValueError`` if unknown or not of an IANA name's shape.

    Only IANA keys are looked up: an absolute path (``/etc/passwd``) or a relative one
    that climbs out of the zone database (``../../etc/passwd``) is refused by its shape
    before python-dateutil sees it (dateutil would read the file, or, from version 4,
    raise its ``DeprecatedTzKeyWarning``).
    """
    bad = _zone_key_problem(name)
    if bad is not None:
        raise ValueError(f"invalid time zone {name!r}: {bad}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a warning from the lookup is a refusal, not a noise
            tzinfo = _tz.gettz(name)
    except (Warning, ValueError, OSError, TypeError) as exc:
        raise ValueError(f"unknown time zone {name!r}: {type(exc).__name__} while looking it up") from None
    if tzinfo is None:
        try:  # the copy dateutil ships, for machines without a tz database
            with warnings.catch_warnings():  # dateutil 4 deprecates the module; it is only a fallback
                warnings.simplefilter("ignore", DeprecationWarning)
                from dateutil.zoneinfo import get_zonefile_instance

                tzinfo = get_zonefile_instance().get(name)
        except Exception:  # pragma: no cover - depends on the machine
            tzinfo = None
    if tzinfo is None:
        raise ValueError(f"unknown time zone {name!r}: expected an IANA name such as 'Europe/Brussels'")
    return tzinfo


def local_date(instant: _dt.datetime, tz_name: str) -> _dt.date:
    """The calendar date of an aware instant in the zone ``tz_name``.

    :class:`InvalidDate` (a ``ValueError``) for an instant with no date there
    (at the ends of the range ``datetime`` can hold).
    """
    try:
        return instant.astimezone(zone(tz_name)).date()
    except OverflowError:
        raise InvalidDate(instant, INSTANT_SHAPE, f"out of range: it has no calendar date in {tz_name}") from None


@attrs.frozen(slots=True, order=False)
class Validity:
    """A half-open interval of calendar dates, ``start <= d < end``.

    ``start=None`` reaches back forever, ``end=None`` is open (still holds).

    >>> v = Validity(parse_date("2025-09-11"), parse_date("2025-11-04"))
    >>> v.contains(parse_date("2025-11-03")), v.contains(parse_date("2025-11-04"))
    (True, False)
    """

    start: _dt.date | None
    end: _dt.date | None

    def __attrs_post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"validity ends ({self.end}) before it starts ({self.start})")

    @property
    def is_open(self) -> bool:
        """True if the interval has no end (the state still holds)."""
        return self.end is None

    @property
    def is_empty(self) -> bool:
        return self.start is not None and self.end is not None and self.start == self.end

    def contains(self, day: _dt.date) -> bool:
        """True if ``start <= day < end``."""
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)

    def overlaps(self, other: Validity) -> bool:
        """True if the two intervals share at least one day."""
        if self.is_empty or other.is_empty:
            return False
        a_before_b_ends = other.end is None or self.start is None or self.start < other.end
        b_before_a_ends = self.end is None or other.start is None or other.start < self.end
        return a_before_b_ends and b_before_a_ends

    def adjacent(self, other: Validity) -> bool:
        """True if one interval ends exactly where the other starts."""
        return (self.end is not None and self.end == other.start) or (
            other.end is not None and other.end == self.start
        )

    def __str__(self) -> str:
        a = self.start.isoformat() if self.start else "-inf"
        b = self.end.isoformat() if self.end else "open"
        return f"[{a}, {b})"


# -- query arguments (the public API takes dates, instants and their strings) ---------


@lru_cache(maxsize=4096)
def _parse_when_text(text: str) -> _dt.date | _dt.datetime:
    return parse_when(text)


def when_arg(value: object) -> _dt.date | _dt.datetime:
    """A query's ``on``: a calendar date or an aware instant (strings parsed once, cached)."""
    t = type(value)
    if t is _dt.date:
        return cast(_dt.date, value)  # exactly a date: the type test is the fast path's
    if t is str:
        return _parse_when_text(cast(str, value))
    return parse_when(value)


def known_arg(value: object) -> _dt.date | None:
    """A query's ``known``: None (everything known) or a calendar date."""
    if value is None:
        return None
    if type(value) is _dt.date:
        return value
    if isinstance(value, str):
        return _parse_date_text(value)
    return parse_date(value)


@lru_cache(maxsize=1024)
def _parse_date_text(text: str) -> _dt.date:
    return parse_date(text)


def day_arg(value: object) -> _dt.date:
    """A query date for range queries (changes, diff): a calendar date."""
    if type(value) is _dt.date:
        return value
    return parse_date(value)
