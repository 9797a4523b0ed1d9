"""A registry's records, its measures' timelines, and what is derived from them whatever the knowledge date.

A :class:`Catalog` is everything a :class:`~sanctrack.Registry` and its
``as_known_on`` views share: the records by id, one
:class:`~sanctrack._index.timeline.Timeline` per measure, the
:class:`~sanctrack._index.timeline.AnswerContext` its answers carry, and the
indexes that do not depend on a knowledge date, each made on first use under
the lock: the transitions by id, the entity names, the filter vocabularies, the
measures in answer order (authority, then id) and the measures that ever target
each entity. What depends on a knowledge date lives in its
:class:`~sanctrack._index.view.View`.

Every attribute is set by the constructor; the lazily made ones start as None.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._model import (
    MEASURE_KINDS,
    Authority,
    Entity,
    Instrument,
    Link,
    Measure,
    MeasureState,
    RegistryInfo,
    Release,
    Source,
    Transition,
)
from .runs import Runs
from .timeline import AnswerContext, Timeline

__all__ = ["Catalog", "normalise_name"]

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_name(text: str) -> str:
    """Case-, space- and punctuation-insensitive form of a name.

    >>> normalise_name("OJSC  Belavia-Belarusian Airlines.")
    'ojsc belavia belarusian airlines'
    """
    return _NON_WORD.sub(" ", text.casefold()).strip()


class Catalog:
    """A registry's records and timelines, and the knowledge-independent indexes over them."""

    __slots__ = (
        "_filter_values",
        "_name_index",
        "_rank",
        "_ranked",
        "_target_index",
        "_transitions",
        "authorities",
        "context",
        "digest",
        "entities",
        "info",
        "instruments",
        "knowledge",
        "kord",
        "latest",
        "links",
        "lock",
        "marked",
        "measures",
        "n_transitions",
        "points",
        "projected",
        "releases",
        "sources",
        "timelines",
    )

    def __init__(self, *, info: RegistryInfo, authorities: Mapping[str, Authority], entities: Mapping[str, Entity],
                 instruments: Mapping[str, Instrument], sources: Mapping[str, Source],
                 measures: Mapping[str, Measure], releases: Mapping[str, Release], links: Sequence[Link],
                 n_transitions: int, timelines: Mapping[str, Timeline], digest: str,
                 knowledge: _dt.date | None) -> None:
        self.info = info
        self.authorities = authorities
        self.entities = entities
        self.instruments = instruments
        self.sources = sources
        #: by id
        self.measures = measures
        #: by (date, id)
        self.releases = releases
        self.links = links
        self.n_transitions = n_transitions
        #: measure id -> its timeline, by measure id
        self.timelines = timelines
        self.digest = digest
        #: the registry's knowledge date: its latest ``recorded`` (an answer for a later date is a projection)
        self.knowledge = knowledge
        #: its ordinal (beyond every date for a registry with no records: nothing is projected)
        self.kord = knowledge.toordinal() if knowledge is not None else _NEVER
        self.context = AnswerContext(digest, knowledge, instruments)
        #: the lock under which anything shared is made once (the views' indexes have their own)
        self.lock = self.context.lock
        #: measure id -> its latest epoch's runs, once built (the point path's shortcut past the timeline)
        self.latest: dict[str, Runs] = {}
        #: measure id -> its latest runs' point tuple (start days, then answers; see Runs.answer), as
        #: the point path last saw it: a kept answer is read from it with no other object read
        self.points: dict[str, tuple[Any, ...]] = {}
        #: id(answer) -> (answer, the same answer marked a projection): at most one a run (see point.projected)
        self.projected: dict[int, tuple[MeasureState, MeasureState]] = {}
        #: (id(answer), knowledge date, projection) -> (answer, marked): bounded (see point.marked_as)
        self.marked: dict[tuple[int, _dt.date, bool], tuple[MeasureState, MeasureState]] = {}
        self._transitions: dict[str, Transition] | None = None
        self._name_index: dict[str, frozenset[str]] | None = None
        self._filter_values: dict[str, frozenset[str]] | None = None
        self._ranked: list[Timeline] | None = None
        self._rank: dict[str, int] | None = None
        self._target_index: dict[str, tuple[Timeline, ...]] | None = None

    def _once(self, name: str, make: Callable[[], Any]) -> Any:
        """Attribute ``name``, made by ``make()`` under the lock if it is still None (once, whatever the threads)."""
        value = getattr(self, name)
        if value is None:
            with self.lock:
                value = getattr(self, name)
                if value is None:
                    value = make()
                    setattr(self, name, value)
        return value

    def runs(self, tl: Timeline, k: int) -> Runs:
        """The runs of ``tl`` in epoch ``k`` (see :meth:`Timeline.runs`)."""
        return tl.runs(k, self.context)

    def view_runs(self, y: _dt.date | None) -> list[Runs]:
        """The runs of every measure as known on ``y`` (None: everything), in answer order."""
        ctx = self.context
        return [tl.runs(tl.epoch(y), ctx) for tl in self.ranked]

    @property
    def transitions(self) -> dict[str, Transition]:
        """Every transition by id (made on first use: most queries never need it)."""
        index = self._transitions
        if index is None:
            index = self._once("_transitions",
                               lambda: {t.id: t for tl in self.timelines.values() for t in tl.records})
        return index

    @property
    def name_index(self) -> dict[str, frozenset[str]]:
        """Normalised entity name, alias, identifier or id -> entity ids (made on first use)."""
        index = self._name_index
        if index is None:

            def make() -> dict[str, frozenset[str]]:
                acc: dict[str, set[str]] = {}
                for e in self.entities.values():
                    for text in (e.id, e.name, *e.aliases, *e.identifiers):
                        acc.setdefault(normalise_name(text), set()).add(e.id)
                return {k: frozenset(v) for k, v in acc.items()}

            index = self._once("_name_index", make)
        return index

    def filter_values(self, name: str) -> frozenset[str]:
        """Every value of filter ``name`` (``authority``, ``kind`` or ``program``) the registry knows."""
        values = self._filter_values
        if values is None:

            def make() -> dict[str, frozenset[str]]:
                program = {m.program for m in self.measures.values() if m.program}
                for tl in self.timelines.values():  # an amendment may move a measure to another program
                    program.update(t.program for t in tl.records if t.program)
                return {"authority": frozenset(self.authorities) | {m.authority for m in self.measures.values()},
                        "kind": MEASURE_KINDS | {m.kind for m in self.measures.values()},
                        "program": frozenset(program)}

            values = self._once("_filter_values", make)
        got = values.get(name)
        if got is None:
            raise ValueError(f"no filter {name!r}")
        return got

    @property
    def ranked(self) -> list[Timeline]:
        """Every timeline in answer order: authority, then measure id."""
        ranked = self._ranked
        if ranked is None:
            ranked = self._once("_ranked", lambda: sorted(self.timelines.values(),
                                                          key=lambda tl: (tl.measure.authority, tl.measure.id)))
        return ranked

    @property
    def rank(self) -> dict[str, int]:
        """Measure id -> its place in answer order."""
        rank = self._rank
        if rank is None:
            rank = self._once("_rank", lambda: {tl.measure.id: n for n, tl in enumerate(self.ranked)})
        return rank

    def target_timelines(self, targets: frozenset[str]) -> list[Timeline]:
        """The timelines whose measure, or one of its amendments, ever targets one of ``targets``, in answer order."""
        index = self._target_index
        if index is None:

            def make() -> dict[str, tuple[Timeline, ...]]:
                acc: dict[str, list[Timeline]] = {}
                for tl in self.ranked:
                    ids = set(tl.measure.targets)
                    for t in tl.records:
                        if t.targets:
                            ids.update(t.targets)
                    for e in ids:
                        acc.setdefault(e, []).append(tl)
                return {e: tuple(v) for e, v in acc.items()}

            index = self._once("_target_index", make)
        if len(targets) == 1:
            return list(index.get(next(iter(targets)), ()))
        rank = self.rank
        found = {tl.measure.id: tl for e in targets for tl in index.get(e, ())}
        return sorted(found.values(), key=lambda tl: rank[tl.measure.id])


_NEVER = _dt.date.max.toordinal() + 1
