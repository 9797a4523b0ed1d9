"""The time rules of DESIGN §3: strict parsing and half-open validity."""

from __future__ import annotations

import datetime as dt

import pytest

from sanctrack import InvalidDate, Validity, parse_date, parse_instant, parse_when


@pytest.mark.parametrize("text", ["2025", "2025-09", "Sept 2025", "09/11/2025", "2025-9-11", "20250911",
                                  "2025-13-40", "2025-02-30", "", "  ", "2025-09-11x", "११११-११-११"])
def test_partial_or_malformed_dates_are_refused_quoting_input_and_shape(text):
    with pytest.raises(InvalidDate) as err:
        parse_date(text)
    assert err.value.value == text
    assert "YYYY-MM-DD" in str(err.value)
    assert repr(text) in str(err.value)


def test_a_date_parses_to_exactly_that_date():
    assert parse_date("2025-09-11") == dt.date(2025, 9, 11)
    assert parse_date(dt.date(2025, 9, 11)) == dt.date(2025, 9, 11)
    assert parse_date(" 2024-02-29 ") == dt.date(2024, 2, 29)


def test_an_impossible_day_names_the_reason():
    with pytest.raises(InvalidDate, match="day is out of range"):
        parse_date("2025-02-30")


def test_a_datetime_is_not_a_calendar_date():
    with pytest.raises(InvalidDate, match="not a calendar date"):
        parse_date(dt.datetime(2025, 9, 11, tzinfo=dt.UTC))


def test_naive_datetimes_are_refused():
    with pytest.raises(InvalidDate, match="naive"):
        parse_instant(dt.datetime(2025, 9, 11, 12, 0))
    with pytest.raises(InvalidDate, match="naive"):
        parse_when(dt.datetime(2025, 9, 11, 12, 0))
    with pytest.raises(InvalidDate, match="no UTC offset"):
        parse_when("2025-09-11T12:00:00")


def test_aware_instants_keep_their_offset():
    t = parse_instant("2021-06-05T00:00:00+02:00")
    assert t.utcoffset() == dt.timedelta(hours=2)
    assert t.astimezone(dt.UTC) == dt.datetime(2021, 6, 4, 22, 0, tzinfo=dt.UTC)
    assert parse_instant("2025-11-04T12:30Z") == dt.datetime(2025, 11, 4, 12, 30, tzinfo=dt.UTC)
    assert parse_instant("2025-11-04T12:30:15.25-05:00").microsecond == 250000


@pytest.mark.parametrize("text", ["2025-11-04T25:00Z", "2025-11-04T12:00+24:00", "2025-11-04T12Z"])
def test_bad_instants_are_refused(text):
    with pytest.raises(InvalidDate):
        parse_instant(text)


def test_parse_when_picks_date_or_instant():
    assert parse_when("2025-11-04") == dt.date(2025, 11, 4)
    assert isinstance(parse_when("2025-11-04T00:00:00-05:00"), dt.datetime)
    with pytest.raises(InvalidDate, match="YYYY-MM-DD or an aware instant"):
        parse_when("Nov 4 2025")
    with pytest.raises(InvalidDate):
        parse_when(20251104)


def test_validity_is_half_open_at_both_ends():
    v = Validity(dt.date(2025, 9, 11), dt.date(2025, 11, 4))
    assert not v.contains(dt.date(2025, 9, 10))
    assert v.contains(dt.date(2025, 9, 11))
    assert v.contains(dt.date(2025, 11, 3))
    assert not v.contains(dt.date(2025, 11, 4))
    assert str(v) == "[2025-09-11, 2025-11-04)"


def test_validity_predicates():
    a = Validity(dt.date(2025, 1, 1), dt.date(2025, 2, 1))
    b = Validity(dt.date(2025, 2, 1), None)
    c = Validity(dt.date(2025, 1, 31), dt.date(2025, 2, 2))
    assert not a.overlaps(b) and a.adjacent(b)
    assert a.overlaps(c) and c.overlaps(b)
    assert b.is_open and not a.is_open
    assert Validity(None, None).contains(dt.date(1900, 1, 1))
    assert Validity(dt.date(2025, 1, 1), dt.date(2025, 1, 1)).is_empty
    with pytest.raises(ValueError):
        Validity(dt.date(2025, 2, 1), dt.date(2025, 1, 1))


def test_an_unknown_zone_is_a_value_error_without_a_deprecation_warning():
    import sys
    import warnings

    from sanctrack._time import zone

    zone.cache_clear()
    sys.modules.pop("dateutil.zoneinfo", None)  # imported afresh: its deprecation warning would show now
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match="unknown time zone 'Nowhere/Atlantis'"):
            zone("Nowhere/Atlantis")
        assert zone("Europe/Vilnius").utcoffset(dt.datetime(2025, 7, 1)) == dt.timedelta(hours=3)
    assert [w for w in caught if issubclass(w.category, DeprecationWarning)] == []
