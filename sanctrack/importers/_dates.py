"""Snapshot dates given by the caller or written in a file name."""

from __future__ import annotations

import datetime as dt
import os
import re

from ._shape import ListFormatError

__all__ = ["as_date", "date_from_name"]

_NAME_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def as_date(path: str, value: object) -> dt.date:
    """A caller's snapshot date: a :class:`datetime.date` or ``YYYY-MM-DD``."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ListFormatError(path, None, "date", f"naive datetime {value!r}: give a date")
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ListFormatError(path, None, "date", f"invalid date {value!r}: expected YYYY-MM-DD") from None


def date_from_name(path: str | os.PathLike[str]) -> dt.date | None:
    """The one date ``YYYY-MM-DD`` written in a file's name, or None (none, or several)."""
    found = _NAME_DATE.findall(os.path.basename(os.fspath(path)))
    if len(found) != 1:
        return None
    try:
        return dt.date(*map(int, found[0]))
    except ValueError:
        return None
