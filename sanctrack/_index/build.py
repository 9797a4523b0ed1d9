"""Building a registry's catalog from records: the checks, the grouping, the timelines, the digest.

:func:`build_catalog` is :meth:`sanctrack.Registry.build` minus the facade:
every record checked (references, ids, dates: :func:`sanctrack._validate.check_records`),
the transitions grouped by measure into one
:class:`~sanctrack._index.timeline.Timeline` each, the digest computed, and
every measure replayed in every knowledge epoch that needs it
(:func:`~sanctrack._index.timeline.check_legality`). Records from a
signature-verified cache entry (a :class:`Deferred`) skip the checks, the
digest and the replay: their timelines come prepared, with their latest runs
restored on first use (:mod:`~sanctrack._index.stored`).

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import operator
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from .._canonical import registry_digest
from .._errors import RegistryError
from .._model import (
    Authority,
    Entity,
    Instrument,
    Link,
    Measure,
    RegistryInfo,
    Release,
    Source,
    Transition,
)
from .._time import zone
from .._validate import check_records
from .catalog import Catalog
from .timeline import Timeline, check_legality

__all__ = ["Deferred", "build_catalog"]


class Deferred(NamedTuple):
    """What a signature-verified load-cache entry gives :func:`build_catalog` instead of transitions."""

    #: the number of transitions
    n_transitions: int
    #: measure id -> its transitions in the entry's table order (a sequence that may make each on first use)
    records: Mapping[str, Iterable[Transition]]
    #: the latest ``recorded`` date of the transitions (None: none)
    latest: _dt.date | None
    #: the stored latest runs (timelines prepared as stored, restored without a replay); None: replayed
    stored: Any = None


def build_catalog(info: RegistryInfo | None, authorities: Iterable[Authority], entities: Iterable[Entity],
                  instruments: Iterable[Instrument], sources: Iterable[Source], measures: Iterable[Measure],
                  transitions: Iterable[Transition], releases: Iterable[Release], links: Iterable[Link],
                  verified_digest: str | None, deferred: Deferred | None) -> Catalog:
    """The catalog of :meth:`Registry.build` (raises :class:`RegistryError` listing every problem)."""
    if deferred is not None and verified_digest is None:
        raise ValueError("deferred transitions come only from a verified cache entry")
    au, en, ins, so = tuple(authorities), tuple(entities), tuple(instruments), tuple(sources)
    me, tr, re_, li = tuple(measures), tuple(transitions), tuple(releases), tuple(links)
    if verified_digest is None:
        problems = check_records(authorities=au, entities=en, instruments=ins, sources=so,
                                measures=me, transitions=tr, releases=re_, links=li)
    else:
        problems = []
    info = info or RegistryInfo(name="registry")
    by_code = {a.code: a for a in au}
    by_entity = {e.id: e for e in en}
    by_instrument = {i.id: i for i in ins}
    by_source = {s.id: s for s in so}
    by_measure = {m.id: m for m in sorted(me, key=_ID)}
    by_release = {r.id: r for r in sorted(re_, key=lambda r: (r.date, r.id))}
    n_transitions = len(tr)

    grouped: Mapping[str, Any]
    latest: _dt.date | None
    if deferred is not None:
        n_transitions, grouped, latest = deferred.n_transitions, deferred.records, deferred.latest
    else:
        latest = max(map(_RECORDED, tr), default=None)
        # records come grouped by measure (a file a measure): one step a run of them, in registry order
        grouped = {}
        for mid, run in itertools.groupby(tr, key=_MEASURE):
            g = grouped.get(mid)
            if g is None:
                grouped[mid] = list(run)
            else:
                g.extend(run)
    # the registry's knowledge date: its latest ``recorded`` (an answer for a later date is a projection)
    for recorded in itertools.chain(map(_RECORDED, re_), map(_RECORDED, li)):
        if latest is None or recorded > latest:
            latest = recorded
    tz_of: dict[str, str] = {}
    for code, a in by_code.items():
        try:
            zone(a.timezone)
            tz_of[code] = a.timezone
        except ValueError:
            tz_of[code] = "UTC"
    stored = None if deferred is None else deferred.stored
    if stored is None:
        timelines = {mid: Timeline(m, tz_of.get(m.authority, "UTC"), grouped.get(mid, _NO_RECORDS))
                     for mid, m in by_measure.items()}
    else:  # prepared as the entry says, the latest runs restored on first use
        timelines = stored.timelines(by_measure, tz_of, grouped)
    if verified_digest is None:
        digest = registry_digest(info=info, authorities=by_code, entities=by_entity, instruments=by_instrument,
                                sources=by_source, measures=by_measure,
                                records_of=lambda mid: timelines[mid].records, releases=by_release, links=li)
    else:  # a signature-verified cache entry: its digest was computed when its records passed every check
        digest = verified_digest
    cat = Catalog(info=info, authorities=by_code, entities=by_entity, instruments=by_instrument, sources=by_source,
                  measures=by_measure, releases=by_release, links=li, n_transitions=n_transitions,
                  timelines=timelines, digest=digest, knowledge=latest)
    if verified_digest is None:
        for tl in timelines.values():  # the legality check: every measure replayed in every epoch that needs it
            problem = check_legality(tl, cat.context)
            if problem is not None:
                problems.append(problem)
    if problems:
        raise RegistryError(problems)
    return cat


_ID = operator.attrgetter("id")
_MEASURE = operator.attrgetter("measure")
_RECORDED = operator.attrgetter("recorded")
_NO_RECORDS: list[Transition] = []
