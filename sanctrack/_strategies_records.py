"""Strategies for single records: authorities, entities, sources, instruments, measures, releases.

Re-exported by :mod:`sanctrack.strategies` (import them from there).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from hypothesis import strategies as st

from ._model import (
    ENTITY_KINDS,
    INSTRUMENT_KINDS,
    MEASURE_KINDS,
    Authority,
    Entity,
    Figure,
    Instrument,
    Measure,
    Release,
    Source,
)
from ._strategies_base import (
    MAX_DATE,
    MIN_DATE,
    PEOPLE,
    Draw,
    Env,
    check_bounds,
    dates,
    draw_sources,
    ints,
    opt,
    slug,
    some,
    text,
)

__all__ = ["authorities", "entities", "sources", "instruments", "measures", "releases"]

_CODES = ("US-OFAC", "EU", "UK", "US-BIS", "LT", "US-STATE", "CA", "CH", "JP", "UA")
_ZONES = (
    "America/New_York", "Europe/Brussels", "UTC", "Europe/London", "Europe/Vilnius", "Europe/Minsk",
    "Asia/Tokyo", "Pacific/Kiritimati", "Pacific/Pago_Pago",
)


def authorities(*, codes: Sequence[str] | None = None) -> st.SearchStrategy[Authority]:
    """An :class:`Authority` with a valid IANA time zone (codes from ``codes`` if given)."""
    code = st.sampled_from(tuple(codes)) if codes else st.one_of(
        st.sampled_from(_CODES),
        st.tuples(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2),
                  st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=5)).map("-".join))
    return st.builds(Authority, code=code, name=text(20), jurisdiction=st.sampled_from(("US", "EU", "UK", "LT", "XX")),
                     timezone=st.sampled_from(_ZONES))


_authorities = authorities  # the parameters named `authorities` below shadow the function


def entities(*, ids: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Entity]:
    """An :class:`Entity` (a target) with aliases and ``scheme:value`` identifiers."""
    ident = st.one_of(st.integers(1, 99999).map(lambda n: f"ofac:{n}"),
                      st.integers(100, 999).map(lambda n: f"tail:EW-{n}PJ"))
    return st.builds(
        Entity,
        id=ids if ids is not None else slug(),
        kind=st.sampled_from(sorted(ENTITY_KINDS)),
        name=text(20),
        aliases=st.lists(text(), max_size=3, unique=True).map(tuple),
        identifiers=st.lists(ident, max_size=2, unique=True).map(tuple),
        note=opt(text(30)),
    )


def sources(*, ids: st.SearchStrategy[str] | None = None, min_date: _dt.date = MIN_DATE,
            max_date: _dt.date = MAX_DATE) -> st.SearchStrategy[Source]:
    """A :class:`Source`: publisher, url, and optionally title, date and quote."""
    check_bounds(min_date, max_date)
    return st.builds(
        Source,
        id=ids if ids is not None else st.integers(1, 999).map(lambda n: f"S{n}"),
        publisher=text(),
        url=slug(20).map(lambda s: f"https://example.org/{s}"),
        title=opt(text(30)),
        published=opt(dates(min_date, max_date)),
        quote=opt(text(30)),
        note=opt(text()),
    )


def instruments(*, ids: st.SearchStrategy[str] | None = None, authority_codes: Sequence[str] = (),
                source_ids: Sequence[str] = (), min_date: _dt.date = MIN_DATE,
                max_date: _dt.date = MAX_DATE) -> st.SearchStrategy[Instrument]:
    """An :class:`Instrument` (the legal act behind a change); references drawn from the given ids."""
    check_bounds(min_date, max_date)
    return st.builds(
        Instrument,
        id=ids if ids is not None else slug(),
        kind=st.sampled_from(sorted(INSTRUMENT_KINDS)),
        title=text(30),
        number=opt(st.integers(1, 99).map(lambda n: f"GL {n}")),
        authority=opt(st.sampled_from(tuple(authority_codes))) if authority_codes else st.none(),
        url=opt(slug(20).map(lambda s: f"https://example.org/act/{s}")),
        signed=opt(dates(min_date, max_date)),
        sources=some(tuple(source_ids)),
    )


def measures(*, ids: st.SearchStrategy[str] | None = None,
             authorities: st.SearchStrategy[Authority] | None = None,
             target_ids: Sequence[str] = (), source_ids: Sequence[str] = ("S1",)) -> st.SearchStrategy[Measure]:
    """A :class:`Measure` of one authority (drawn from ``authorities``), against some of ``target_ids``."""
    auth = authorities if authorities is not None else _authorities()
    return st.builds(
        Measure,
        id=ids if ids is not None else slug(),
        authority=auth.map(lambda a: a.code),
        kind=st.sampled_from(sorted(MEASURE_KINDS)),
        title=text(30),
        targets=some(tuple(target_ids)),
        program=opt(st.sampled_from(("BELARUS-EO14038", "BELARUS", "EU-2021/1030"))),
        summary=opt(text(80)),
        sources=some(tuple(source_ids), 1),
    )



def releases(*, ids: st.SearchStrategy[str] | None = None, source_ids: Sequence[str] = ("S1",),
             min_date: _dt.date = MIN_DATE, max_date: _dt.date = MAX_DATE,
             with_windows: bool = False) -> st.SearchStrategy[Release]:
    """A :class:`Release` (a prisoner release), with conflicting figures sometimes."""
    check_bounds(min_date, max_date)
    env = Env(tuple(source_ids), min_date=min_date, max_date=max_date)
    ids = ids if ids is not None else slug().map(lambda s: f"release-{s}")

    @st.composite
    def draw_release(draw: Draw) -> Release:
        day = draw(dates(min_date, max_date))
        window = None
        if with_windows and draw(st.booleans()):
            window = (max(min_date, day - _dt.timedelta(days=draw(ints(0, 30)))),
                      min(max_date, day + _dt.timedelta(days=draw(ints(0, 30)))))
        lag = draw(ints(0, 10))
        figures: tuple[Figure, ...] = ()
        if draw(st.booleans()):
            a, b = draw(ints(0, 200)), draw(ints(0, 200))
            figures = (Figure("taken_to_ukraine", a, True, draw_sources(draw, env)),
                       Figure("taken_to_ukraine", b, False, draw_sources(draw, env)))
        return Release(
            id=draw(ids), date=day, recorded=min(max_date, day + _dt.timedelta(days=lag)),
            count=draw(opt(st.integers(0, 500))), date_window=window,
            people=draw(PEOPLE),
            nationalities=draw(some(("US", "UK", "LT", "UA", "PL", "BY"), 0, 3)),
            destinations=draw(some(("Ukraine", "Lithuania", "Poland"))),
            negotiators=draw(PEOPLE),
            sources=draw_sources(draw, env), figures=figures, note=draw(opt(text(20))),
        )

    return draw_release()
