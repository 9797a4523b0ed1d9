"""The records' field checks: a wrong value is refused with the field's name and the value."""

from __future__ import annotations

import datetime

import attrs
import pytest

from sanctrack._field_checks import (
    as_opt_tuple,
    as_tuple,
    check_day,
    check_opt_day,
    check_opt_instant,
    check_opt_text,
    check_opt_window,
    check_text,
    check_texts,
    one_of,
)


@attrs.frozen
class Sample:
    name: str = attrs.field(default="x", validator=check_text)
    note: str | None = attrs.field(default=None, validator=check_opt_text)
    tags: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=check_texts)
    kind: str = attrs.field(default="a", validator=one_of(frozenset({"a", "b"})))
    day: datetime.date = attrs.field(default=datetime.date(2025, 1, 1), validator=check_day)
    until: datetime.date | None = attrs.field(default=None, validator=check_opt_day)
    at: datetime.datetime | None = attrs.field(default=None, validator=check_opt_instant)
    window: tuple[datetime.date, datetime.date] | None = attrs.field(default=None, converter=as_opt_tuple,
                                                                    validator=check_opt_window)


def test_valid_values_pass() -> None:
    s = Sample(tags=["x", "y"], window=[datetime.date(2025, 1, 1), datetime.date(2025, 1, 2)],
               at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
    assert s.tags == ("x", "y") and s.window == (datetime.date(2025, 1, 1), datetime.date(2025, 1, 2))


@pytest.mark.parametrize(("given", "error", "message"), [
    ({"name": " "}, ValueError, "name must be non-empty text, got ' '"),
    ({"note": 3}, ValueError, "note must be non-empty text, got 3"),
    ({"tags": ["x", ""]}, ValueError, "tags items must be non-empty text, got ''"),
    ({"kind": "c"}, ValueError, "kind 'c' is not one of: a, b"),
    ({"day": datetime.datetime(2025, 1, 1)}, TypeError, "day must be a datetime.date, got"),
    ({"until": "2025-01-01"}, TypeError, "until must be a datetime.date, got '2025-01-01'"),
    ({"at": datetime.datetime(2025, 1, 1)}, TypeError, "at must be an aware datetime, got"),
    ({"window": [datetime.date(2025, 1, 2)]}, TypeError, "window must be a pair (earliest, latest)"),
    ({"window": [datetime.date(2025, 1, 2), datetime.date(2025, 1, 1)]}, ValueError,
     "window latest 2025-01-01 is before earliest 2025-01-02"),
])
def test_a_wrong_value_names_the_field(given: dict[str, object], error: type[Exception], message: str) -> None:
    with pytest.raises(error) as caught:
        Sample(**given)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


def test_the_tuple_converter_keeps_text_whole_and_none_empty() -> None:
    assert as_tuple("abc") == ("abc",)
    assert as_tuple(None) == ()
    assert as_tuple(["a", "b"]) == ("a", "b")
    assert as_opt_tuple(None) is None
