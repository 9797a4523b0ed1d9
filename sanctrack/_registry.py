"""The registry: a thin facade over its catalog, its measures' timelines and its knowledge views.

A :class:`Registry` is an immutable set of records plus lazily built indexes,
kept in objects split by what they hold (the package :mod:`sanctrack._index`):

* one :class:`~sanctrack._index.timeline.Timeline` per measure: its records in
  canonical order, its knowledge epochs (the distinct ``recorded`` dates of its
  transitions) and its state runs per epoch (:mod:`sanctrack._index.runs`), the
  one place the state machine is replayed; a point query is a bisect over the
  start days of those runs (O(log k)), never a replay;
* one :class:`~sanctrack._index.catalog.Catalog` per registry, shared with its
  ``as_known_on`` views: the records by id, the timelines, and the indexes that
  do not depend on a knowledge date;
* one :class:`~sanctrack._index.view.View` per knowledge date: the
  whole-registry indexes (``changes``, ``in_force``, screening), built when a
  knowledge date is asked about a second time.

Each public query parses its arguments, asks those objects (through the
question modules: :mod:`~sanctrack._index.point`, :mod:`~sanctrack._index.inforce`,
:mod:`~sanctrack._index.changes`, :mod:`~sanctrack._index.screen`,
:mod:`~sanctrack._index.lineage`), and filters and wraps the answer.

:meth:`Registry.build` checks everything: it replays every measure in every
knowledge epoch that needs it (the legality check) and keeps the latest
epoch's runs. A registry built from a signature-verified cache entry (records
that passed those checks when they were loaded) does no replay: each measure
is prepared (records in canonical order, epochs) and replayed on first use.
The runs of earlier epochs are always built on first use, under a lock, once,
for ``as_known_on`` views and ``known=`` queries alike.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from ._errors import UnknownMeasure, UnknownRecord
from ._filters import check_filters, filter_targets, resolve
from ._index import changes as _changes
from ._index import inforce as _inforce
from ._index import lineage as _lineage
from ._index import screen as _screen
from ._index.build import Deferred, build_catalog
from ._index.catalog import Catalog, normalise_name
from ._index.point import effective_known, latest_state, state_of
from ._index.screen import Screening
from ._index.timeline import Timeline
from ._index.view import Views
from ._model import (
    Authority,
    Comparison,
    Deal,
    Entity,
    Explanation,
    History,
    Instrument,
    Link,
    LinkedRelease,
    LinkedTransition,
    Measure,
    MeasureState,
    RegistryInfo,
    Release,
    ScreenHit,
    Source,
    StateChange,
    Transition,
)
from ._time import day_arg as _day
from ._time import known_arg as _known
from ._time import when_arg as _when
from ._unchecked import collection_paused
from ._validate import did_you_mean

__all__ = ["Registry", "normalise_name"]


_Record = TypeVar("_Record")


class Registry:
    """A set of sanction measures, their transitions and releases, answering as-of queries.

    Build one with :meth:`Registry.build` (in code) or :func:`sanctrack.load`
    (from YAML). A registry is immutable; :meth:`as_known_on` returns a view
    restricted to what was recorded by a date.
    """

    __slots__ = ("_catalog", "_known", "_views")

    def __init__(self, catalog: Catalog, views: Views, known: _dt.date | None = None) -> None:
        self._catalog = catalog
        self._views = views
        self._known = known

    # -- construction ----------------------------------------------------

    @classmethod
    def build(
        cls,
        *,
        info: RegistryInfo | None = None,
        authorities: Iterable[Authority] = (),
        entities: Iterable[Entity] = (),
        instruments: Iterable[Instrument] = (),
        sources: Iterable[Source] = (),
        measures: Iterable[Measure] = (),
        transitions: Iterable[Transition] = (),
        releases: Iterable[Release] = (),
        links: Iterable[Link] = (),
        _verified_digest: str | None = None,
        _deferred: Deferred | None = None,
    ) -> Registry:
        """Build a registry from records, checking everything.

        Transitions of one measure keep the order given here as their
        *registry order* (the tie-break for same-day transitions); the order
        of anything else does not matter. Raises :class:`RegistryError` listing
        every problem (unknown references, duplicate ids, illegal sequences as
        :class:`IllegalTransition` problems …); nothing is built if there is one.

        ``_verified_digest`` is private to the load cache: the records of a
        signature-verified cache entry, written only after records with that
        digest passed every check. The digest is taken as given (the entry's
        signature covers it and the records); the checks and the eager replay
        are not repeated, and each measure's runs are built on first use,
        exactly as they would be otherwise. ``_deferred`` (with it, also
        private to the cache, a :class:`sanctrack._index.build.Deferred`)
        gives the transitions of each measure, in registry order, made on
        first use, and the latest runs the cache stored (restored on first
        use instead of replayed).
        """
        with collection_paused():  # building allocates hundreds of thousands of objects and no cycles
            return cls(build_catalog(info, authorities, entities, instruments, sources, measures, transitions,
                                     releases, links, _verified_digest, _deferred), Views())

    # -- basic facts ---------------------------------------------------------

    @property
    def digest(self) -> str:
        """``sha256:…`` of the canonical content (not of files, order or formatting).

        A view made by :meth:`as_known_on` has the digest of the registry it
        views; together with its :attr:`known` date it reproduces every answer.
        """
        return self._catalog.digest

    @property
    def known(self) -> _dt.date | None:
        """The knowledge date of this view (None: everything recorded counts)."""
        return self._known

    def _whole(self) -> Registry:
        """The registry this view views (itself if not a view): every record, whatever it knew."""
        return self if self._known is None else Registry(self._catalog, self._views, None)

    @property
    def knowledge(self) -> _dt.date | None:
        """The knowledge date of this registry's answers: the view's date, else the latest ``recorded``.

        An answer for a later date is a projection (``MeasureState.projection``).
        """
        return self._known if self._known is not None else self._catalog.knowledge

    @property
    def info(self) -> RegistryInfo:
        return self._catalog.info

    def _visible(self, recorded: _dt.date) -> bool:
        return self._known is None or recorded <= self._known

    @property
    def authorities(self) -> tuple[Authority, ...]:
        return tuple(self._catalog.authorities.values())

    @property
    def entities(self) -> tuple[Entity, ...]:
        return tuple(self._catalog.entities.values())

    @property
    def instruments(self) -> tuple[Instrument, ...]:
        return tuple(self._catalog.instruments.values())

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(self._catalog.sources.values())

    @property
    def measures(self) -> tuple[Measure, ...]:
        """Every measure with at least one record known in this view, by id."""
        if self._known is None:
            return tuple(self._catalog.measures.values())
        return tuple(tl.measure for tl in self._catalog.timelines.values() if tl.epoch(self._known) > 0)

    @property
    def transitions(self) -> tuple[Transition, ...]:
        """Every transition recorded in this view (superseded ones too), by measure then canonical order."""
        return tuple(t for tl in self._catalog.timelines.values() for t in tl.records if self._visible(t.recorded))

    @property
    def releases(self) -> tuple[Release, ...]:
        return tuple(r for r in self._catalog.releases.values() if self._visible(r.recorded))

    @property
    def links(self) -> tuple[Link, ...]:
        return tuple(ln for ln in self._catalog.links if self._link_visible(ln))

    def _link_visible(self, ln: Link) -> bool:
        cat = self._catalog
        return (self._visible(ln.recorded) and self._visible(cat.releases[ln.release].recorded)
                and self._visible(cat.transitions[ln.transition].recorded))

    def _timeline(self, measure_id: str) -> Timeline:
        timelines = self._catalog.timelines
        try:
            return timelines[measure_id]
        except (KeyError, TypeError):
            hint = did_you_mean(str(measure_id), timelines) if isinstance(measure_id, str) else None
            raise UnknownMeasure(str(measure_id), hint) from None

    def measure(self, measure_id: str) -> Measure:
        return self._timeline(measure_id).measure

    def transition(self, transition_id: str) -> Transition:
        trs = self._catalog.transitions
        t = trs.get(transition_id)
        if t is None or not self._visible(t.recorded):
            raise UnknownRecord("transition", transition_id, did_you_mean(transition_id, trs))
        return t

    def release(self, release_id: str) -> Release:
        releases = self._catalog.releases
        r = releases.get(release_id)
        if r is None or not self._visible(r.recorded):
            raise UnknownRecord("release", release_id, did_you_mean(release_id, releases))
        return r

    def source(self, source_id: str) -> Source:
        return _lookup("source", self._catalog.sources, source_id)

    def instrument(self, instrument_id: str) -> Instrument:
        return _lookup("instrument", self._catalog.instruments, instrument_id)

    def authority(self, code: str) -> Authority:
        return _lookup("authority", self._catalog.authorities, code)

    def resolve(self, target: str) -> tuple[Entity, ...]:
        """The entities a target reference means: an id, a name or alias, or an identifier.

        Names compare case-, space- and punctuation-insensitively. Raises
        :class:`UnknownTarget` if nothing matches.
        """
        return resolve(self._catalog, target)

    def entity(self, target: str) -> Entity:
        """The one entity a reference means (the first by id if several share a name)."""
        return self.resolve(target)[0]

    # -- as-of queries ---------------------------------------------------------

    def as_known_on(self, known: Any) -> Registry:
        """A view of this registry restricted to records recorded on or before ``known``.

        Corrections count only if they too were recorded by then. Views are
        cheap: their indexes are built lazily and shared with ``known=`` queries.
        """
        y = _known(known)
        if y is None:  # no knowledge date: everything this view knows counts
            return Registry(self._catalog, self._views, self._known)
        if self._known is not None and self._known < y:
            y = self._known
        return Registry(self._catalog, self._views, y)

    def state(self, measure_id: str, on: Any, *, known: Any = None) -> MeasureState:
        """The state of a measure on a date (or at an aware instant).

        ``known=Y`` answers as the registry stood on Y, without building a view.
        Before the measure's first transition the state's ``status`` is None.

        >>> import sanctrack
        >>> reg = sanctrack.load()
        >>> reg.state("us-ofac-belavia-sdn", "2025-09-20").reliefs[0].label
        'GL 11'
        >>> str(reg.state("us-ofac-belavia-sdn", "2025-11-10", known="2025-10-01").status)
        'relieved'

        Every answer carries its knowledge date (``known``, else the registry's
        latest ``recorded``) and says whether it is a projection (a date after
        it); a lapse after the knowledge date is *scheduled*, not a past event:

        >>> s = reg.state("eu-belavia-listing", "2027-03-01")
        >>> str(s.status), str(s.knowledge), s.projection, s.scheduled
        ('expired', '2026-12-05', True, True)
        """
        if known is None and self._known is None:
            s = latest_state(self._catalog, measure_id, on)  # the common question, on its shortest path
            if s is not None:
                return s
            return state_of(self._catalog, self._timeline(measure_id), _when(on), None)
        tl = self._timeline(measure_id)
        if type(known) is _dt.date and (self._known is None or known <= self._known):
            y: _dt.date | None = known
        else:
            y = effective_known(self._known, known)
        return state_of(self._catalog, tl, _when(on), y)

    def in_force(self, on: Any, *, authority: str | None = None, target: str | None = None,
                 kind: str | None = None, program: str | None = None, known: Any = None) -> list[MeasureState]:
        """Every measure in force (``in_force`` or ``relieved``) on a date, filtered.

        ``target`` is an entity id, name, alias or identifier; ``program`` matches
        the program in effect on that date. Sorted by authority, then measure id.
        A filter value the registry does not know is refused, never an empty
        answer: :class:`~sanctrack.UnknownFilter` (``authority``, ``kind``,
        ``program``) or :class:`~sanctrack.UnknownTarget`, with a "did you mean".

        >>> import sanctrack
        >>> [s.measure.id for s in sanctrack.load().in_force("2025-12-20", target="BPC")]
        ['eu-bpc-listing', 'us-ofac-bpc-sdn']
        """
        cat = self._catalog
        check_filters(cat, authority, kind, program)
        targets = filter_targets(cat, target)
        if not cat.timelines:
            return []
        states = _inforce.in_force(cat, self._views, effective_known(self._known, known), _when(on), targets)
        if authority is None and kind is None and program is None:
            return states
        return [s for s in states if _inforce.matches(s, authority, None, kind, program)]

    def changes(self, start: Any, end: Any, *, known: Any = None, authority: str | None = None,
                target: str | None = None, kind: str | None = None,
                program: str | None = None) -> list[Transition]:
        """Transitions effective in ``[start, end)``, in date then registry order (superseded ones left out).

        >>> import sanctrack
        >>> [t.id for t in sanctrack.load().changes("2025-11-04", "2025-11-05", authority="US-OFAC")]
        ['us-ofac-belavia-sdn.lift', 'us-ofac-ew301pj-blocked-property.lift', 'us-ofac-gov-aircraft-ew001pa-pb-ph.gl12']
        """
        a, b = _day(start), _day(end)
        cat = self._catalog
        check_filters(cat, authority, kind, program)
        targets = filter_targets(cat, target)
        return _changes.changes(cat, self._views, effective_known(self._known, known), a, b, authority=authority,
                                targets=targets, kind=kind, program=program)

    def diff(self, a: Any, b: Any, *, known: Any = None, authority: str | None = None,
             target: str | None = None, kind: str | None = None, program: str | None = None) -> list[StateChange]:
        """Measures whose state differs between ``a`` and ``b`` (status, reliefs, pending, program, targets, until).

        >>> import sanctrack
        >>> [(c.measure.id, str(c.after.status)) for c in sanctrack.load().diff("2025-12-14", "2025-12-16")
        ...  if c.measure.authority == "US-OFAC"]  # doctest: +NORMALIZE_WHITESPACE
        [('us-ofac-agrorozkvit-sdn', 'relieved'), ('us-ofac-belaruskali-sdn', 'relieved'),
         ('us-ofac-bpc-sdn', 'relieved')]
        """
        cat = self._catalog
        check_filters(cat, authority, kind, program)
        targets = filter_targets(cat, target)
        y = effective_known(self._known, known)
        wa, wb = _when(a), _when(b)
        return _changes.diff(cat, y, wa, wb, authority=authority, targets=targets, kind=kind, program=program)

    def screen(self, pairs: Iterable[Sequence[Any]] | Sequence[Any], dates: Any = None, /, *,
               known: Any = None) -> list[ScreenHit] | Screening:
        """Answer many ``(target or measure id, date[, known])`` questions at once.

        A measure id is answered with its state if in force; anything else is
        resolved as a target and answered with every measure in force against it.

        ``screen(pairs)`` takes ``(query, date)`` or ``(query, date, known)``
        items and returns a list of :class:`ScreenHit`. ``screen(queries, dates)``
        takes two parallel sequences (or one date for every query) and returns
        the same answers column by column, as a :class:`~sanctrack.Screening`
        (a sequence of :class:`ScreenHit` made on access, with ``hits`` and
        ``states`` columns); with the ``fast`` extra (numpy) and calendar dates
        it is vectorised. ``known=`` applies to every question that does not
        carry its own.

        >>> import sanctrack
        >>> reg = sanctrack.load()
        >>> hits = reg.screen([("us-ofac-belavia-sdn", "2025-10-01"), ("us-ofac-belavia-sdn", "2025-12-01")])
        >>> [(h.hit, [str(s.status) for s in h.states]) for h in hits]
        [(True, ['relieved']), (False, [])]
        >>> [s.measure.id for s in reg.screen([("Belavia", "2025-12-01")])[0].states]  # doctest: +NORMALIZE_WHITESPACE
        ['eu-belarus-airspace-ban', 'eu-belavia-listing', 'uk-belavia-flying-restriction',
         'uk-belavia-operating-permit', 'us-bis-belarus-aircraft-licence-req']
        >>> reg.screen(["us-ofac-belavia-sdn", "eu-bpc-listing"], "2025-12-20").hits
        [False, True]
        """
        return _screen.screen(self._catalog, self._views, self._known, pairs, dates, known)

    # -- lineage ---------------------------------------------------------------

    def history(self, measure_id: str, *, known: Any = None) -> History:
        """Every version (state run) of a measure, oldest first, and what was superseded.

        >>> import sanctrack
        >>> h = sanctrack.load().history("us-ofac-belavia-sdn")
        >>> [(str(v.status), str(v.valid)) for v in h][-2:]
        [('relieved', '[2025-09-11, 2025-11-04)'), ('lifted', '[2025-11-04, open)')]
        >>> [x.record.id for x in h.superseded]
        ['us-ofac-belavia-sdn.announce-2025-09-11']
        """
        return _lineage.history(self._catalog, self._timeline(measure_id), effective_known(self._known, known))

    def explain(self, measure_id: str, on: Any, *, known: Any = None) -> Explanation:
        """The state on a date and the chain of transitions, instruments and sources behind it.

        >>> import sanctrack
        >>> ex = sanctrack.load().explain("us-ofac-bpc-sdn", "2025-12-20")
        >>> [(str(st.transition.action), st.instrument.label if st.instrument else None) for st in ex.steps]
        [('impose', 'SDN designations 2021-12-02'), ('relieve', 'GL 5'), ('relieve', 'GL 13')]
        """
        tl = self._timeline(measure_id)
        return _lineage.explain(self._catalog, tl, _when(on), effective_known(self._known, known))

    def compare(self, target: str, on: Any, *, known: Any = None) -> Comparison:
        """One target across authorities on a date: each authority's practical position, and its measures' states.

        >>> import sanctrack
        >>> c = sanctrack.load().compare("Belaruskali", "2026-05-01")
        >>> c.by_authority, c.divergent
        ((('EU', True), ('LT', True), ('UK', True), ('US-OFAC', False)), True)
        >>> c = sanctrack.load().compare("Belaruskali", "2025-12-20")
        >>> [(p.authority, p.position, [r.label for r in p.reliefs]) for p in c.positions]
        [('EU', 'blocked', []), ('LT', 'blocked', []), ('UK', 'blocked', []), ('US-OFAC', 'licensed', ['GL 13'])]

        Every authority that has a measure against the target at any time has a
        position, ``no measure`` before its first one exists. The verdict is
        divergent when the positions differ: licensed against blocked counts.
        """
        ents = self.resolve(target)
        return _lineage.compare(self._catalog, ents, _when(on), effective_known(self._known, known))

    def deals(self) -> tuple[Deal, ...]:
        """Every release (by date) with the transitions linked to it.

        >>> import sanctrack
        >>> d = [d for d in sanctrack.load().deals() if d.release.id == "release-2025-12-13"][0]
        >>> d.release.count, sorted({str(x.link.basis) for x in d.links})
        (123, ['stated'])
        """
        return _lineage.deals(self._catalog, self.links, self.releases)

    def releases_for(self, transition_id: str) -> tuple[LinkedRelease, ...]:
        """The releases linked to a transition, by date."""
        self.transition(transition_id)
        return _lineage.releases_for(self._catalog, self.links, transition_id)

    def transitions_for(self, release_id: str) -> tuple[LinkedTransition, ...]:
        """The transitions linked to a release, by date."""
        self.release(release_id)
        return _lineage.transitions_for(self._catalog, self.links, release_id)

    def __repr__(self) -> str:
        cat = self._catalog
        view = f", known={self._known}" if self._known is not None else ""
        return (f"<Registry {cat.info.name!r}: {len(cat.measures)} measures, "
                f"{cat.n_transitions} transitions, {len(cat.releases)} releases{view}>")


def _lookup(kind: str, by_id: Mapping[str, _Record], key: str) -> _Record:
    got = by_id.get(key)
    if got is None:
        raise UnknownRecord(kind, key, did_you_mean(key, by_id))
    return got
