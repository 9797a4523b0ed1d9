"""Fuzzing the strict date parsers: any input parses to the right value or raises InvalidDate.

"The right value" comes from an oracle written here from the documented
shapes, not from the parser: surrounding whitespace is ignored (``str.strip``);
a date is ``YYYY-MM-DD`` in ASCII digits naming a real calendar day; an instant
is ``YYYY-MM-DD[T ]HH:MM[:SS[.f{1,6}]]`` with ``Z`` or ``±HH:MM`` (offset hours
at most 23, minutes at most 59), naming a real time. Anything else — other
separators, missing parts, non-ASCII digits, naive times, other types — is
:class:`InvalidDate` (a ``ValueError``), never another exception. The same
through the loader: a registry whose ``effective`` is fuzzed text loads with
that date or fails with a RegistryError.

Inputs: every CI run about 1,300; ``pytest -m fuzz`` about 26,000 (printed at
the end of the module).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sanctrack
from sanctrack import InvalidDate, RegistryError, parse_date, parse_instant, parse_when

from .conftest import report_lines

COUNTS: Counter[str] = Counter()


def _modes(ci: int) -> list:
    return [pytest.param(ci, id="ci"), pytest.param(ci * 20, id="long", marks=pytest.mark.fuzz)]


def _settings(n: int) -> settings:
    return settings(max_examples=n, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    if not COUNTS:
        return
    lines: list[str] = []
    lines.append("")
    parts = ", ".join(f"{k} {v}" for k, v in sorted(COUNTS.items()))
    lines.append(f"date parser fuzz inputs: {sum(COUNTS.values())} in total ({parts})")
    report_lines(request, *lines)


# -- the oracle -------------------------------------------------------------------------------

_D = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_I = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?"
                r"(Z|[+-][0-9]{2}:[0-9]{2})", re.ASCII)


def expected_date(text: str) -> dt.date | None:
    m = _D.fullmatch(text.strip())
    if not m:
        return None
    try:
        return dt.date(*map(int, m.groups()))
    except ValueError:
        return None


def expected_instant(text: str) -> dt.datetime | None:
    m = _I.fullmatch(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, frac, off = m.groups()
    if off == "Z":
        tz = dt.UTC
    else:
        oh, om = int(off[1:3]), int(off[4:6])
        if oh > 23 or om > 59:
            return None
        delta = dt.timedelta(hours=oh, minutes=om)
        tz = dt.timezone(-delta if off[0] == "-" else delta)
    try:
        value = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0),
                            int((frac or "0").ljust(6, "0")), tzinfo=tz)
    except ValueError:
        return None
    # the accepted range: 0001-01-02T00:00Z to 9999-12-30T23:59:59Z, so every zone has a date for it
    naive = value.replace(tzinfo=None)
    offset = value.utcoffset() or dt.timedelta(0)
    try:
        utc = naive - offset
    except OverflowError:
        return None
    if not dt.datetime(1, 1, 2) <= utc <= dt.datetime(9999, 12, 30, 23, 59, 59, 999999):
        return None
    return value


def _same(got: object, want: object) -> bool:
    """Equal, and for instants also the same offset (not just the same moment)."""
    if isinstance(want, dt.datetime):
        return isinstance(got, dt.datetime) and got == want and got.utcoffset() == want.utcoffset()
    return type(got) is type(want) and got == want


# -- inputs: random text, and text close to the shapes ----------------------------------------

_PIECES = ["2025", "0000", "9999", "1", "12", "31", "30", "29", "02", "00", "13", "-", "-", "-", "T", " ", ":", ":",
           ".", "Z", "+", "-", "00:00", "+02:00", "-05:00", "+24:00", "+23:59", "123456", "1234567", "٢٠٢٥", "２０２５",
           "/", "\t", "\n", "\u00a0", "\u2003", "t", "z", "UTC", "Sept", "1e3", "0x1f"]

_NEAR = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=12).map("".join)


@st.composite
def _valid_texts(draw) -> str:
    """Well-formed dates and instants, padded with whitespace sometimes."""
    d = draw(st.dates(min_value=dt.date(1, 1, 1)))
    pad = draw(st.sampled_from(["", " ", "\t", "\n", " \u2003"]))
    if draw(st.booleans()):
        return pad + d.isoformat() + pad
    t = draw(st.times())
    off = draw(st.integers(-23 * 60 - 59, 23 * 60 + 59))
    tz = dt.timezone(dt.timedelta(minutes=off))
    sep = draw(st.sampled_from(["T", " "]))
    text = dt.datetime.combine(d, t, tzinfo=tz).isoformat(sep=sep, timespec=draw(st.sampled_from(
        ["minutes", "seconds", "milliseconds", "microseconds"])))
    if off == 0 and draw(st.booleans()):
        text = text[:-6] + "Z"
    return pad + text + pad


TEXTS = st.one_of(
    st.text(max_size=40), _NEAR, _valid_texts(),
    st.tuples(st.dates(), st.sampled_from("-/. ")).map(lambda p: p[0].isoformat().replace("-", p[1])),
)


def _check(fn, expected, text: str) -> None:
    want = expected(text)
    try:
        got = fn(text)
    except InvalidDate as exc:
        assert want is None, f"{text!r} should parse to {want!r}, got {exc}"
        assert exc.value == text and exc.expected
        assert isinstance(exc, ValueError)
        return
    assert want is not None and _same(got, want), (text, got, want)


@pytest.mark.parametrize("n", _modes(300))
def test_parse_date_on_any_text(n):
    @_settings(n)
    @given(TEXTS)
    def fuzz(text):
        COUNTS["parse_date"] += 1
        _check(parse_date, expected_date, text)

    fuzz()


@pytest.mark.parametrize("n", _modes(300))
def test_parse_instant_on_any_text(n):
    @_settings(n)
    @given(TEXTS)
    def fuzz(text):
        COUNTS["parse_instant"] += 1
        _check(parse_instant, expected_instant, text)

    fuzz()


def expected_when(text: str) -> dt.date | dt.datetime | None:
    return expected_date(text) if len(text.strip()) <= 10 else expected_instant(text)


@pytest.mark.parametrize("n", _modes(300))
def test_parse_when_on_any_text(n):
    @_settings(n)
    @given(TEXTS)
    def fuzz(text):
        COUNTS["parse_when"] += 1
        _check(parse_when, expected_when, text)

    fuzz()


@pytest.mark.parametrize("n", _modes(200))
def test_every_date_and_aware_instant_round_trips(n):
    @_settings(n)
    @given(st.dates(min_value=dt.date(1, 1, 1)),
           st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
                        timezones=st.integers(-1439, 1439).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))))
    def fuzz(d, instant):
        COUNTS["round trips"] += 1
        assert parse_date(d.isoformat()) == d and parse_when(d.isoformat()) == d
        assert _same(parse_instant(instant.isoformat()), instant)
        assert _same(parse_when(instant.isoformat()), instant)
        assert parse_instant(instant) is instant and parse_date(d) is d

    fuzz()


@pytest.mark.parametrize("n", _modes(100))
def test_other_types_are_invalid_dates(n):
    naive = st.datetimes()
    others = st.one_of(st.none(), st.integers(), st.floats(), st.binary(max_size=12),
                       st.lists(st.integers(), max_size=2), st.times(), st.timedeltas(), naive,
                       st.dictionaries(st.text(max_size=2), st.integers(), max_size=1))

    @_settings(n)
    @given(others)
    def fuzz(value):
        COUNTS["other types"] += 1
        for fn in (parse_date, parse_instant, parse_when):
            with pytest.raises(InvalidDate):
                fn(value)

    fuzz()


# -- through the loader ---------------------------------------------------------------------------

_MEASURE = """\
id: m1
authority: US-OFAC
kind: blocking
title: A measure
sources: [S1]
transitions:
  - id: m1.impose
    action: impose
    effective: {effective}
    recorded: 2000-01-01
    confidence: confirmed
    sources: [S1]
"""
_TOP = {
    "registry.yaml": "name: dates\n",
    "authorities.yaml": "- code: US-OFAC\n  name: OFAC\n  jurisdiction: US\n  timezone: America/New_York\n",
    "sources.yaml": "- id: S1\n  publisher: Publisher\n  url: https://example.org/1\n",
}


@pytest.mark.parametrize("n", _modes(100))
def test_a_fuzzed_effective_date_loads_as_that_date_or_is_a_registry_error(tmp_path, n):
    root = tmp_path / "r"

    @_settings(n)
    @given(st.one_of(TEXTS, _NEAR), st.booleans())
    def fuzz(text, quoted):
        COUNTS["through the loader"] += 1
        if root.exists():
            shutil.rmtree(root)
        (root / "measures").mkdir(parents=True)
        for rel, body in _TOP.items():
            (root / rel).write_text(body, encoding="utf-8")
        scalar = json.dumps(text) if quoted else text
        (root / "measures" / "m1.yaml").write_text(_MEASURE.format(effective=scalar), encoding="utf-8")
        want = expected_date(text)
        try:
            reg = sanctrack.load(root, cache=False)
        except RegistryError:
            # a quoted valid date must load; a plain scalar is YAML's to cut ("#", ": ", line breaks)
            assert not (quoted and want is not None), text
            return
        (t,) = reg.transitions
        if quoted:
            assert t.effective == want, text

    fuzz()
