"""Building blocks of :mod:`sanctrack.strategies`: date bounds, texts, ids, small draws.

Shared by the record, history and registry strategies and by the rule-based
state machine; nothing here is public (import from ``sanctrack.strategies``).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from typing import Any

import attrs
from hypothesis import strategies as st

from ._model import Basis, Confidence

__all__ = [
    "MIN_DATE", "MAX_DATE", "Draw", "Env", "text", "opt", "slug", "some", "dates", "check_bounds", "ints",
    "pick", "draw_sources", "CONFIDENCE", "BASIS", "PEOPLE",
]

#: Default date bounds: every date drawn lies in [MIN_DATE, MAX_DATE].
MIN_DATE = _dt.date(2000, 1, 1)
MAX_DATE = _dt.date(2035, 12, 31)

#: The ``draw`` function of a composite strategy.
Draw = Callable[..., Any]

# -- text --------------------------------------------------------------------

_ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:-'\"()[]{}#&*!|>%@`?/\\"
    "абвгдеёжзіклмнопрстуўфхцчшыьэюяАБВГДЕЁЖЗІЙКЛМНОПРСТУЎФХЦЧШЫЬЭЮЯąčęėįšųūž«»–—’“”€\u00a0\t"
)
#: Texts a YAML round trip is known to get wrong when a writer is careless.
_HAZARDS = (
    "yes", "No", "on", "OFF", "null", "~", "true", "2025-09-11", "0x1F", "0o17", "1_000", "1e3", ".inf",
    "- item", "key: value", "#not a comment", "&anchor", "*alias", "!tag", "%YAML", "@at", "`tick",
    "|", ">", "'single'", '"double"', "a\nb", "Belavia «ОАО Белавиа»", "Лукашэнка", "trailing:",
)


@cache
def text(max_size: int = 12) -> st.SearchStrategy[str]:
    plain = st.text(_ALPHABET, min_size=1, max_size=max_size).map(str.strip).filter(bool)
    return st.one_of(st.sampled_from(("Belavia", "Belaruskali", "potash")), plain, st.sampled_from(_HAZARDS))


def opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


_LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"


@cache
def slug(max_size: int = 12) -> st.SearchStrategy[str]:
    """Ids of the registry format: ``[a-z0-9][a-z0-9._-]*``."""
    return st.tuples(st.sampled_from(_LOWER), st.text(_LOWER + "._-", max_size=max_size)).map("".join)


@cache
def some(pool: tuple[Any, ...], min_size: int = 0, max_size: int = 2) -> st.SearchStrategy[tuple[Any, ...]]:
    """A tuple of distinct items of ``pool`` (cached: these are drawn in loops)."""
    if not pool:
        return st.just(())
    return st.lists(st.sampled_from(pool), min_size=min_size, max_size=max_size, unique=True).map(tuple)


def dates(min_date: _dt.date, max_date: _dt.date) -> st.SearchStrategy[_dt.date]:
    return st.dates(min_value=min_date, max_value=max_date)


def check_bounds(min_date: _dt.date, max_date: _dt.date) -> None:
    if not isinstance(min_date, _dt.date) or not isinstance(max_date, _dt.date) or max_date < min_date:
        raise ValueError(f"need min_date <= max_date as dates, got {min_date!r}, {max_date!r}")



@attrs.frozen
class Env:
    """What a history may refer to."""

    source_ids: tuple[str, ...] = ("S1",)
    instrument_ids: tuple[str, ...] = ()
    target_ids: tuple[str, ...] = ()
    min_date: _dt.date = MIN_DATE
    max_date: _dt.date = MAX_DATE


@lru_cache(maxsize=4096)
def ints(lo: int, hi: int) -> st.SearchStrategy[int]:
    """Integers in ``[lo, hi]`` (cached: drawn in loops)."""
    return st.integers(lo, hi)


def pick(draw: Draw, seq: Sequence[Any]) -> Any:
    """One item of ``seq``."""
    return seq[draw(ints(0, len(seq) - 1))]


def draw_sources(draw: Draw, env: Env) -> tuple[str, ...]:
    """One or more of the source ids a record may cite."""
    got: tuple[str, ...] = draw(some(env.source_ids, 1))
    return got


# -- vocabularies ---------------------------------------------------------------

CONFIDENCE = st.sampled_from(tuple(Confidence))
BASIS = st.sampled_from(tuple(Basis))
PEOPLE = st.lists(text(), max_size=2).map(tuple)
