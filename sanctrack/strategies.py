"""Hypothesis strategies for sanctrack records and registries, and a rule-based state machine.

For property-based test suites of systems that consume sanction data: draw
registries that are *valid by construction* and ask your system and sanctrack
the same questions. Needs the ``strategies`` extra (``pip install
'sanctrack[strategies]'``, which installs hypothesis); ``import sanctrack``
does not import this module.

::

    from hypothesis import given, strategies as st
    from sanctrack.strategies import registries, query_dates

    @given(registries(with_corrections=True), st.data())
    def test_my_system_agrees(reg, data):
        on = data.draw(query_dates(reg))
        for state in reg.in_force(on):
            assert my_system.is_restricted(state.measure.id, on)

Strategies
----------

* :func:`authorities`, :func:`entities`, :func:`sources`, :func:`instruments`,
  :func:`measures`, :func:`releases` — single records.
* :func:`transitions` — one locally valid transition of a measure;
  :func:`histories` — a *legal* sequence of transitions of one measure, drawn as
  a walk through the state-machine table (each step chosen among the actions
  legal from the simulated status, lapses simulated as the walk goes), never
  generated and filtered.
* :func:`registry_records` — the keyword arguments of
  :meth:`sanctrack.Registry.build` (records you can still edit);
  :func:`registries` — built registries.
* :func:`query_dates` — dates on, just before and just after every boundary of a
  registry (effective, until, announced, windows, recorded), where bugs live;
  :func:`boundary_dates` lists them.
* :class:`RegistryMachine` — a :class:`hypothesis.stateful.RuleBasedStateMachine`
  that grows a registry step by step (transitions, corrections, announcements,
  releases and links); subclass it and override :meth:`RegistryMachine.check_state`
  to compare your system's answers with sanctrack's.

Shrinking goes toward one authority, one entity, one source, one measure and
one ``impose`` on the earliest allowed date. Options are keyword-only:
``min_size``/``max_size`` (how many), ``min_date``/``max_date`` (every date
drawn lies in between), ``authorities=`` (a strategy of :class:`Authority`),
``with_corrections=`` (records superseded by later-recorded corrections),
``with_pending=`` (announcements with no effective date, later fulfilled by a
correcting record or left pending), ``with_windows=`` (``effective_window``
brackets), ``recorded_lag=`` (records known up to that many days after they take
effect; 0 = on the day).
"""

from __future__ import annotations

try:
    from hypothesis import strategies as st
except ImportError as _exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "sanctrack.strategies needs hypothesis, which is not installed: "
        "pip install 'sanctrack[strategies]'"
    ) from _exc

import datetime as _dt
from typing import Any, Callable, Iterable, NamedTuple, Sequence

from functools import lru_cache

import attrs

from ._model import (
    ENTITY_KINDS,
    INSTRUMENT_KINDS,
    MEASURE_KINDS,
    Action,
    Authority,
    Basis,
    Confidence,
    Entity,
    Figure,
    Instrument,
    Link,
    Measure,
    RegistryInfo,
    Release,
    Scope,
    Source,
    Transition,
)
from ._registry import Registry
from ._statemachine import TABLE
from ._strategies_walk import Walker

__all__ = [
    "MIN_DATE",
    "MAX_DATE",
    "authorities",
    "entities",
    "sources",
    "instruments",
    "measures",
    "transitions",
    "histories",
    "releases",
    "registry_records",
    "registries",
    "boundary_dates",
    "query_dates",
    "RegistryMachine",
    "machine_settings",
]

#: Default date bounds: every date drawn lies in [MIN_DATE, MAX_DATE].
MIN_DATE = _dt.date(2000, 1, 1)
MAX_DATE = _dt.date(2035, 12, 31)
_DAY = _dt.timedelta(days=1)
_MAX_GAP = 400  # days between two steps of a history, at most

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


@lru_cache(maxsize=None)
def _text(max_size: int = 12) -> st.SearchStrategy[str]:
    plain = st.text(_ALPHABET, min_size=1, max_size=max_size).map(str.strip).filter(bool)
    return st.one_of(st.sampled_from(("Belavia", "Belaruskali", "potash")), plain, st.sampled_from(_HAZARDS))


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


_LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"


@lru_cache(maxsize=None)
def _slug(max_size: int = 12) -> st.SearchStrategy[str]:
    """Ids of the registry format: ``[a-z0-9][a-z0-9._-]*``."""
    return st.tuples(st.sampled_from(_LOWER), st.text(_LOWER + "._-", max_size=max_size)).map("".join)


@lru_cache(maxsize=None)
def _some(pool: tuple[Any, ...], min_size: int = 0, max_size: int = 2) -> st.SearchStrategy[tuple[Any, ...]]:
    """A tuple of distinct items of ``pool`` (cached: these are drawn in loops)."""
    if not pool:
        return st.just(())
    return st.lists(st.sampled_from(pool), min_size=min_size, max_size=max_size, unique=True).map(tuple)


def _dates(min_date: _dt.date, max_date: _dt.date) -> st.SearchStrategy[_dt.date]:
    return st.dates(min_value=min_date, max_value=max_date)


def _check_bounds(min_date: _dt.date, max_date: _dt.date) -> None:
    if not isinstance(min_date, _dt.date) or not isinstance(max_date, _dt.date) or max_date < min_date:
        raise ValueError(f"need min_date <= max_date as dates, got {min_date!r}, {max_date!r}")


# -- single records -----------------------------------------------------------

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
    return st.builds(Authority, code=code, name=_text(20), jurisdiction=st.sampled_from(("US", "EU", "UK", "LT", "XX")),
                     timezone=st.sampled_from(_ZONES))


_authorities = authorities  # the parameters named `authorities` below shadow the function


def entities(*, ids: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Entity]:
    """An :class:`Entity` (a target) with aliases and ``scheme:value`` identifiers."""
    ident = st.one_of(st.integers(1, 99999).map(lambda n: f"ofac:{n}"),
                      st.integers(100, 999).map(lambda n: f"tail:EW-{n}PJ"))
    return st.builds(
        Entity,
        id=ids if ids is not None else _slug(),
        kind=st.sampled_from(sorted(ENTITY_KINDS)),
        name=_text(20),
        aliases=st.lists(_text(), max_size=3, unique=True).map(tuple),
        identifiers=st.lists(ident, max_size=2, unique=True).map(tuple),
        note=_opt(_text(30)),
    )


def sources(*, ids: st.SearchStrategy[str] | None = None, min_date: _dt.date = MIN_DATE,
            max_date: _dt.date = MAX_DATE) -> st.SearchStrategy[Source]:
    """A :class:`Source`: publisher, url, and optionally title, date and quote."""
    _check_bounds(min_date, max_date)
    return st.builds(
        Source,
        id=ids if ids is not None else st.integers(1, 999).map(lambda n: f"S{n}"),
        publisher=_text(),
        url=_slug(20).map(lambda s: f"https://example.org/{s}"),
        title=_opt(_text(30)),
        published=_opt(_dates(min_date, max_date)),
        quote=_opt(_text(30)),
        note=_opt(_text()),
    )


def instruments(*, ids: st.SearchStrategy[str] | None = None, authority_codes: Sequence[str] = (),
                source_ids: Sequence[str] = (), min_date: _dt.date = MIN_DATE,
                max_date: _dt.date = MAX_DATE) -> st.SearchStrategy[Instrument]:
    """An :class:`Instrument` (the legal act behind a change); references drawn from the given ids."""
    _check_bounds(min_date, max_date)
    return st.builds(
        Instrument,
        id=ids if ids is not None else _slug(),
        kind=st.sampled_from(sorted(INSTRUMENT_KINDS)),
        title=_text(30),
        number=_opt(st.integers(1, 99).map(lambda n: f"GL {n}")),
        authority=_opt(st.sampled_from(tuple(authority_codes))) if authority_codes else st.none(),
        url=_opt(_slug(20).map(lambda s: f"https://example.org/act/{s}")),
        signed=_opt(_dates(min_date, max_date)),
        sources=_some(tuple(source_ids)),
    )


def measures(*, ids: st.SearchStrategy[str] | None = None,
             authorities: st.SearchStrategy[Authority] | None = None,
             target_ids: Sequence[str] = (), source_ids: Sequence[str] = ("S1",)) -> st.SearchStrategy[Measure]:
    """A :class:`Measure` of one authority (drawn from ``authorities``), against some of ``target_ids``."""
    auth = authorities if authorities is not None else _authorities()
    return st.builds(
        Measure,
        id=ids if ids is not None else _slug(),
        authority=auth.map(lambda a: a.code),
        kind=st.sampled_from(sorted(MEASURE_KINDS)),
        title=_text(30),
        targets=_some(tuple(target_ids)),
        program=_opt(st.sampled_from(("BELARUS-EO14038", "BELARUS", "EU-2021/1030"))),
        summary=_opt(_text(80)),
        sources=_some(tuple(source_ids), 1),
    )


# -- histories: a walk through the table ---------------------------------------


@attrs.frozen
class _Env:
    """What a history may refer to."""

    source_ids: tuple[str, ...] = ("S1",)
    instrument_ids: tuple[str, ...] = ()
    target_ids: tuple[str, ...] = ()
    min_date: _dt.date = MIN_DATE
    max_date: _dt.date = MAX_DATE


@lru_cache(maxsize=4096)
def _ints(lo: int, hi: int) -> st.SearchStrategy[int]:
    return st.integers(lo, hi)


def _pick(draw: Callable, seq: Sequence[Any]) -> Any:
    return seq[draw(_ints(0, len(seq) - 1))]


def _srcs(draw: Callable, env: _Env) -> tuple[str, ...]:
    return draw(_some(env.source_ids, 1))


def _until(day: _dt.date, env: _Env, wanted: bool, offset: int) -> _dt.date | None:
    """An ``until`` after ``day`` from a step's drafted choices (``offset`` in 1.._MAX_UNTIL), or None."""
    room = (env.max_date - day).days
    if room < 1 or not wanted:
        return None
    return day + _dt.timedelta(days=1 + (offset - 1) % min(room, _MAX_UNTIL))


_PROGRAMS = st.one_of(st.none(), st.sampled_from(("BELARUS-EO14038", "BELARUS-EO14038-2", "EU-2021/1030")))
_CONFIDENCE = st.sampled_from(tuple(Confidence))
_BASIS = st.sampled_from(tuple(Basis))
_NOTES = st.one_of(st.none(), _text(20))
_SCOPES = st.one_of(st.none(), st.builds(Scope, authorises=st.one_of(st.none(), _text(30)),
                                         excludes=st.lists(_text(), max_size=2).map(tuple)))
_CONDITIONS = st.lists(_text(20), max_size=1).map(tuple)
_PEOPLE = st.lists(_text(), max_size=2).map(tuple)


_ORDER = {a: n for n, a in enumerate(TABLE)}
_ACTION_INDEX = st.integers(0, len(TABLE) - 1)
_MAX_UNTIL = 500  # days from a step to its until, at most
#: An index into a list only known once the walk gets there, taken modulo its length
#: (5040 = lcm(1..10): every list of up to 10 items is picked from evenly).
_INDEX = st.integers(0, 5039)


def _choose_action(k: int, options: Sequence[Action]) -> Action:
    """The first legal action at or after place ``k`` in the table (wrapping round).

    A drafted place means the same action whenever it is legal, so deleting an
    earlier step while shrinking keeps the later steps' actions.
    """
    later = [a for a in options if _ORDER[a] >= k]
    return later[0] if later else options[0]


class _StepDraft(NamedTuple):
    """Every choice one step may need, drawn before the walk reaches it.

    The draft has the same shape whatever the simulated status is (the draws
    of one step never depend on earlier steps), so a step is one span of
    choices that the shrinker can delete without the later steps re-reading
    different choices: the walk only *interprets* a draft (:func:`_interpret`),
    keeping the parts the chosen action uses.
    """

    place: int  # in the table: see _choose_action
    until_wanted: bool  # impose, reimpose, relieve (an extend always has one)
    until_offset: int
    revoke_all: bool  # revoke_relief: every relief, or one of them (relief_index)
    relief_index: int  # extend, revoke_relief
    program: str | None  # amend
    targets: tuple[str, ...] | None  # amend, when the registry has targets
    scope: Scope | None  # relieve
    conditions: tuple[str, ...]  # relieve
    instrument_index: int | None
    window: tuple[int, int] | None  # days before and after
    published: int | None  # days after
    confidence: Confidence
    sources: tuple[str, ...]
    note: str | None


@lru_cache(maxsize=4096)
def _step_drafts(env: _Env, with_windows: bool) -> st.SearchStrategy[_StepDraft]:
    @st.composite
    def draw_draft(draw: Callable) -> _StepDraft:
        place = draw(_ACTION_INDEX)
        until_wanted, until_offset = draw(st.booleans()), draw(_ints(1, _MAX_UNTIL))
        revoke_all, relief_index = draw(st.booleans()), draw(_INDEX)
        program = draw(_PROGRAMS)
        targets = draw(_some(env.target_ids)) if env.target_ids and draw(st.booleans()) else None
        # only a relieve uses these, and only place 2 can choose a relieve (see _choose_action): the shape of
        # a draft depends on its own choices, never on the walk's status
        scope, conditions = (draw(_SCOPES), draw(_CONDITIONS)) if place == _ORDER[Action.RELIEVE] else (None, ())
        instrument = draw(_INDEX) if env.instrument_ids and draw(st.booleans()) else None
        window = (draw(_ints(0, 40)), draw(_ints(0, 40))) if with_windows and draw(st.booleans()) else None
        published = draw(_ints(0, 30)) if draw(st.booleans()) else None
        return _StepDraft(place, until_wanted, until_offset, revoke_all, relief_index, program, targets, scope,
                          conditions, instrument, window, published, draw(_CONFIDENCE), _srcs(draw, env),
                          draw(_NOTES))

    return draw_draft()


def _interpret(d: _StepDraft, w: Walker, tid: str, mid: str, day: _dt.date, recorded: _dt.date,
               env: _Env) -> Transition:
    """The legal step at ``day`` a draft stands for (``w`` already advanced to it); applied to ``w``."""
    action = _choose_action(d.place, w.options())
    kw: dict[str, Any] = {}
    if action in (Action.IMPOSE, Action.REIMPOSE, Action.RELIEVE):
        kw["until"] = _until(day, env, d.until_wanted, d.until_offset)
    elif action is Action.EXTEND:
        movable = w.extendable()
        kw["relief"] = movable[d.relief_index % len(movable)]
        kw["until"] = _until(day, env, True, d.until_offset)
        if kw["until"] is None:  # no room left before max_date: amend instead
            action, kw = Action.AMEND, {}
    elif action is Action.REVOKE_RELIEF:
        reliefs = sorted(w.reliefs)
        kw["relief"] = None if d.revoke_all else reliefs[d.relief_index % len(reliefs)]
    if action is Action.AMEND:
        kw["program"] = d.program
        if d.targets is not None:
            kw["targets"] = d.targets
    if action is Action.RELIEVE:
        kw["scope"] = d.scope
        kw["conditions"] = d.conditions
    if d.instrument_index is not None:
        kw["instrument"] = env.instrument_ids[d.instrument_index % len(env.instrument_ids)]
    if d.window is not None:
        lo = max(env.min_date, day - _dt.timedelta(days=d.window[0]))
        hi = min(env.max_date, day + _dt.timedelta(days=d.window[1]))
        kw["effective_window"] = (lo, hi)
    if d.published is not None:
        kw["published"] = min(env.max_date, day + _dt.timedelta(days=d.published))
    t = Transition(id=tid, measure=mid, action=action, effective=day, recorded=recorded,
                   confidence=d.confidence, sources=d.sources, note=d.note, **kw)
    w.apply(action, tid, until=t.until, relief=t.relief)
    return t


def _step(draw: Callable, w: Walker, tid: str, mid: str, day: _dt.date, recorded: _dt.date,
          env: _Env, with_windows: bool) -> Transition:
    """Draw one legal step at ``day`` (``w`` already advanced to it) and apply it to ``w``."""
    return _interpret(draw(_step_drafts(env, with_windows)), w, tid, mid, day, recorded, env)


class _Draft(NamedTuple):
    """One step of a walk, drafted: its date and knowledge date, an announcement before it, the step."""

    gap: int  # days after the previous step, modulo the room left (the first step has its own date)
    lag: int  # days from the effective date to the recorded date
    announce: bool  # announced first (never the first step)
    announce_offset: int  # the announcement's date, days after the previous step, modulo the room
    announce_sources: tuple[str, ...]
    step: _StepDraft


@lru_cache(maxsize=4096)
def _drafts(env: _Env, with_pending: bool, with_windows: bool, recorded_lag: int) -> st.SearchStrategy[_Draft]:
    lag = _ints(0, recorded_lag) if recorded_lag else st.just(0)
    if with_pending:
        announce = st.tuples(_ints(0, 3).map(lambda n: n == 3), _ints(0, _MAX_GAP), _some(env.source_ids, 1))
    else:
        announce = st.just((False, 0, ()))
    return st.builds(lambda gap, lag, a, step: _Draft(gap, lag, *a, step),
                     _ints(0, _MAX_GAP), lag, announce, _step_drafts(env, with_windows))


_STOP = st.integers(0, 3)


def _stop(draw: Callable) -> bool:
    """One more measure (in a registry)? A history counts its steps first instead."""
    return draw(_STOP) == 0


def _walk(draw: Callable, mid: str, env: _Env, *, min_size: int, max_size: int, with_corrections: bool,
          with_pending: bool, with_windows: bool, recorded_lag: int) -> list[Transition]:
    """A legal history of one measure, in registry order.

    The number of steps is drawn first, then one draft per step (see
    :class:`_StepDraft`), each interpreted in turn by a :class:`Walker`: a
    draft becomes a legal step whatever came before it, so the shrinker can
    delete any step cleanly.
    """
    w = Walker()
    out: list[Transition] = []
    day = draw(_dates(env.min_date, env.max_date))
    last_recorded = env.min_date
    # the number of steps first, then each step's draft (one span each): when the shrinker lowers the
    # number, it tries deleting each span after it, so any one step can go, not only the last
    n = draw(_ints(min_size, max_size))
    drafts = _drafts(env, with_pending, with_windows, recorded_lag)
    for i in range(n):
        d = draw(drafts)
        if i:
            room = (env.max_date - day).days
            day = day + _dt.timedelta(days=d.gap % (min(room, _MAX_GAP) + 1))
        w.advance(day)
        recorded = max(last_recorded, min(env.max_date, day + _dt.timedelta(days=d.lag)))
        announced: Transition | None = None
        if i and d.announce:
            # an announcement first, fulfilled by this step (it corrects the announcement)
            prev = out[-1].when
            a_day = prev + _dt.timedelta(days=d.announce_offset % ((day - prev).days + 1))
            announced = Transition(id=f"{mid}.a{i}", measure=mid, action=Action.LIFT, announced=a_day,
                                   recorded=a_day, confidence=Confidence.REPORTED, sources=d.announce_sources,
                                   note="announced")
        t = _interpret(d.step, w, f"{mid}.t{i}", mid, day, recorded, env)
        last_recorded = recorded
        if announced is not None:
            announced = attrs.evolve(announced, action=t.action)
            if t.action is Action.EXTEND:  # an announced extension names its new end too
                announced = attrs.evolve(announced, until=t.until)
            out.append(announced)
            t = attrs.evolve(t, corrects=announced.id)
        out.append(t)
    if with_pending and draw(st.booleans()):
        # an announcement never fulfilled: pending from its date on
        a_day = draw(_dates(env.min_date, env.max_date))
        out.append(Transition(id=f"{mid}.pending", measure=mid,
                              action=draw(st.sampled_from((Action.LIFT, Action.RELIEVE, Action.SUSPEND))),
                              announced=a_day, recorded=a_day, confidence=Confidence.REPORTED,
                              sources=_srcs(draw, env)))
    if with_corrections:
        for k in range(draw(_ints(0, 2))):
            corrected = {t.corrects for t in out if t.corrects}
            # any record not yet corrected (a `relief:` naming a corrected relieve follows the correction)
            choices = [t for t in out if t.id not in corrected]
            if not choices:
                break
            old = _pick(draw, choices)
            delay = draw(_ints(0, 400))
            recorded = min(env.max_date, old.recorded + _dt.timedelta(days=delay))
            fix = attrs.evolve(old, id=f"{old.id}.c{k}", recorded=max(recorded, old.recorded), corrects=old.id,
                               confidence=draw(_CONFIDENCE), sources=_srcs(draw, env),
                               note=f"corrects {old.id}")
            out.insert(out.index(old) + 1, fix)  # same place in the registry order
    return out


def histories(*, measure: str = "m1", min_size: int = 1, max_size: int = 8, min_date: _dt.date = MIN_DATE,
              max_date: _dt.date = MAX_DATE, source_ids: Sequence[str] = ("S1",),
              instrument_ids: Sequence[str] = (), target_ids: Sequence[str] = (),
              with_corrections: bool = False, with_pending: bool = False, with_windows: bool = False,
              recorded_lag: int = 0) -> st.SearchStrategy[tuple[Transition, ...]]:
    """A legal sequence of transitions of one measure, in registry order.

    Drawn as a walk through :data:`sanctrack.TABLE`: the first step is an
    ``impose``; each next step is chosen among the actions legal from the
    simulated status on its date (lapses of ``until`` dates simulated), dates
    never go back. ``min_size``/``max_size`` count the steps (announcements
    and corrections come on top). With the defaults every record is recorded on
    its effective date. A step's choices are drawn before its status is known
    (the same choices whatever came before), so shrinking can delete any step.
    """
    _check_bounds(min_date, max_date)
    if not 1 <= min_size <= max_size:
        raise ValueError(f"need 1 <= min_size <= max_size, got {min_size}, {max_size}")
    env = _Env(tuple(source_ids), tuple(instrument_ids), tuple(target_ids), min_date, max_date)

    @st.composite
    def draw_history(draw: Callable) -> tuple[Transition, ...]:
        return tuple(_walk(draw, measure, env, min_size=min_size, max_size=max_size,
                           with_corrections=with_corrections, with_pending=with_pending,
                           with_windows=with_windows, recorded_lag=recorded_lag))

    return draw_history()


def transitions(*, measure: str = "m1", **options: Any) -> st.SearchStrategy[Transition]:
    """One transition that is legal in its history (drawn from :func:`histories` with the same options)."""
    return histories(measure=measure, **options).flatmap(st.sampled_from)


def releases(*, ids: st.SearchStrategy[str] | None = None, source_ids: Sequence[str] = ("S1",),
             min_date: _dt.date = MIN_DATE, max_date: _dt.date = MAX_DATE,
             with_windows: bool = False) -> st.SearchStrategy[Release]:
    """A :class:`Release` (a prisoner release), with conflicting figures sometimes."""
    _check_bounds(min_date, max_date)
    env = _Env(tuple(source_ids), min_date=min_date, max_date=max_date)
    ids = ids if ids is not None else _slug().map(lambda s: f"release-{s}")

    @st.composite
    def draw_release(draw: Callable) -> Release:
        day = draw(_dates(min_date, max_date))
        window = None
        if with_windows and draw(st.booleans()):
            window = (max(min_date, day - _dt.timedelta(days=draw(_ints(0, 30)))),
                      min(max_date, day + _dt.timedelta(days=draw(_ints(0, 30)))))
        lag = draw(_ints(0, 10))
        figures = ()
        if draw(st.booleans()):
            a, b = draw(_ints(0, 200)), draw(_ints(0, 200))
            figures = (Figure("taken_to_ukraine", a, True, _srcs(draw, env)),
                       Figure("taken_to_ukraine", b, False, _srcs(draw, env)))
        return Release(
            id=draw(ids), date=day, recorded=min(max_date, day + _dt.timedelta(days=lag)),
            count=draw(_opt(st.integers(0, 500))), date_window=window,
            people=draw(_PEOPLE),
            nationalities=draw(_some(("US", "UK", "LT", "UA", "PL", "BY"), 0, 3)),
            destinations=draw(_some(("Ukraine", "Lithuania", "Poland"))),
            negotiators=draw(_PEOPLE),
            sources=_srcs(draw, env), figures=figures, note=draw(_opt(_text(20))),
        )

    return draw_release()


# -- whole registries -----------------------------------------------------------


def registry_records(*, min_size: int = 1, max_size: int = 3, max_transitions: int = 6,
                     min_date: _dt.date = MIN_DATE, max_date: _dt.date = MAX_DATE,
                     authorities: st.SearchStrategy[Authority] | None = None,
                     with_corrections: bool = False, with_pending: bool = False, with_windows: bool = False,
                     with_releases: bool = True, recorded_lag: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """The keyword arguments of :meth:`sanctrack.Registry.build` for a valid registry.

    ``min_size``/``max_size`` count the measures; each has a history of 1 to
    ``max_transitions`` steps (see :func:`histories`). ``authorities`` is a
    strategy of :class:`Authority` (codes are made unique). Build with
    ``Registry.build(**records)``, or edit the records first.
    """
    _check_bounds(min_date, max_date)
    if not 1 <= min_size <= max_size:
        raise ValueError(f"need 1 <= min_size <= max_size, got {min_size}, {max_size}")
    auth_strategy = authorities if authorities is not None else _authorities()

    auth_lists = st.lists(auth_strategy, min_size=1, max_size=3, unique_by=lambda a: a.code)
    source_lists = st.lists(sources(min_date=min_date, max_date=max_date), min_size=1, max_size=4,
                            unique_by=lambda s: s.id)
    entity_lists = st.lists(entities(), min_size=1, max_size=4, unique_by=lambda e: e.id)

    @st.composite
    def draw_records(draw: Callable) -> dict[str, Any]:
        auths = draw(auth_lists)
        srcs = draw(source_lists)
        source_ids = tuple(s.id for s in srcs)
        ents = draw(entity_lists)
        target_ids = tuple(e.id for e in ents)
        insts = draw(_instrument_lists(tuple(a.code for a in auths), source_ids, min_date, max_date))
        env = _Env(source_ids, tuple(i.id for i in insts), target_ids, min_date, max_date)
        meas: list[Measure] = []
        trs: list[Transition] = []
        k = -1
        while True:
            k += 1
            if k >= max_size or (k >= min_size and _stop(draw)):
                break
            mid = f"m{k + 1}"
            m = draw(_measure_of(mid, tuple(auths), target_ids, source_ids))
            meas.append(m)
            trs.extend(_walk(draw, mid, env, min_size=1, max_size=max_transitions,
                             with_corrections=with_corrections, with_pending=with_pending,
                             with_windows=with_windows, recorded_lag=recorded_lag))
        rels: list[Release] = []
        lnks: list[Link] = []
        if with_releases:
            rels = draw(_release_lists(source_ids, min_date, max_date, with_windows))
            effective = [t for t in trs if t.effective is not None]
            for r in rels:
                for t in draw(_some(tuple(effective))):
                    rec = max(r.recorded, t.recorded)
                    lnks.append(Link(release=r.id, transition=t.id, basis=draw(_BASIS),
                                     recorded=min(max_date, rec + _dt.timedelta(days=draw(_ints(0, 30)))),
                                     sources=_srcs(draw, env), quote=draw(_opt(_text(20)))))
        return {
            "info": RegistryInfo(name="generated", version="1"),
            "authorities": tuple(auths), "entities": tuple(ents), "instruments": tuple(insts),
            "sources": tuple(srcs), "measures": tuple(meas), "transitions": tuple(trs),
            "releases": tuple(rels), "links": tuple(lnks),
        }

    return draw_records()


@lru_cache(maxsize=256)
def _instrument_lists(codes: tuple[str, ...], source_ids: tuple[str, ...], min_date: _dt.date,
                      max_date: _dt.date) -> st.SearchStrategy[list[Instrument]]:
    return st.lists(instruments(authority_codes=codes, source_ids=source_ids, min_date=min_date, max_date=max_date),
                    max_size=3, unique_by=lambda i: i.id)


@lru_cache(maxsize=256)
def _measure_of(mid: str, auths: tuple[Authority, ...], target_ids: tuple[str, ...],
                source_ids: tuple[str, ...]) -> st.SearchStrategy[Measure]:
    return measures(ids=st.just(mid), authorities=st.sampled_from(auths), target_ids=target_ids,
                    source_ids=source_ids)


@lru_cache(maxsize=256)
def _release_lists(source_ids: tuple[str, ...], min_date: _dt.date, max_date: _dt.date,
                   with_windows: bool) -> st.SearchStrategy[list[Release]]:
    return st.lists(releases(source_ids=source_ids, min_date=min_date, max_date=max_date, with_windows=with_windows),
                    max_size=2, unique_by=lambda r: r.id)


def registries(**options: Any) -> st.SearchStrategy[Registry]:
    """Valid :class:`sanctrack.Registry` objects (same options as :func:`registry_records`)."""
    return registry_records(**options).map(lambda kw: Registry.build(**kw))


# -- query dates -------------------------------------------------------------------


def _near(days: Iterable[_dt.date]) -> tuple[_dt.date, ...]:
    out: set[_dt.date] = set()
    for d in days:
        out.add(d)
        if d > _dt.date.min:
            out.add(d - _DAY)
        if d < _dt.date.max:
            out.add(d + _DAY)
    return tuple(sorted(out))


def boundary_dates(registry: Registry, measure_id: str | None = None) -> tuple[_dt.date, ...]:
    """Every boundary of a registry (or of one measure), with the day before and after each, sorted.

    Boundaries: effective, until, announced, published and recorded dates,
    ``effective_window`` ends, and release and link dates.
    """
    days: list[_dt.date] = []
    for t in registry.transitions:
        if measure_id is not None and t.measure != measure_id:
            continue
        days.extend(d for d in (t.effective, t.until, t.announced, t.published, t.recorded) if d is not None)
        if t.effective_window is not None:
            days.extend(t.effective_window)
    if measure_id is None:
        for r in registry.releases:
            days.extend((r.date, r.recorded, *(r.date_window or ())))
        days.extend(ln.recorded for ln in registry.links)
    return _near(days)


def query_dates(registry: Registry | st.SearchStrategy[Registry] | None = None, *,
                min_date: _dt.date = MIN_DATE, max_date: _dt.date = MAX_DATE) -> st.SearchStrategy[Any]:
    """Query dates where bugs live: on, just before and just after every boundary.

    ``query_dates(reg)`` draws dates for a registry: mostly boundary dates (see
    :func:`boundary_dates`), sometimes any date in ``[min_date, max_date]``.
    ``query_dates(registries(...))`` draws ``(registry, date)`` pairs.
    ``query_dates()`` draws any date in the bounds.
    """
    _check_bounds(min_date, max_date)
    anywhere = _dates(min_date, max_date)
    if registry is None:
        return anywhere
    if isinstance(registry, st.SearchStrategy):
        return registry.flatmap(lambda reg: st.tuples(st.just(reg), query_dates(reg, min_date=min_date,
                                                                                max_date=max_date)))
    near = boundary_dates(registry)
    if not near:
        return anywhere
    return st.one_of(st.sampled_from(near), anywhere)


# -- the rule-based state machine lives in its own module ---------------------------

from ._strategies_machine import RegistryMachine, machine_settings  # noqa: E402  (it uses the helpers above)
