"""Histories: a legal sequence of one measure's transitions, drawn as a walk through the rules.

Each step is drafted first (the same choices whatever came before, so the
shrinker can delete any step) and then interpreted by a
:class:`~sanctrack._strategies_walk.Walker` as the legal step it stands for.
:func:`histories` and :func:`transitions` are re-exported by
:mod:`sanctrack.strategies`; :func:`walk` and :func:`draw_step` are shared
with the registry strategies and the rule-based state machine.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import attrs
from hypothesis import strategies as st

from ._model import Action, Confidence, Scope, Transition
from ._strategies_base import (
    CONFIDENCE,
    MAX_DATE,
    MIN_DATE,
    Draw,
    Env,
    check_bounds,
    dates,
    draw_sources,
    ints,
    pick,
    some,
    text,
)
from ._strategies_rules import LEGAL_FROM
from ._strategies_walk import Walker

__all__ = ["histories", "transitions", "walk", "draw_step", "stop", "MAX_GAP"]

MAX_GAP = 400  # days between two steps of a history, at most

def _until(day: _dt.date, env: Env, wanted: bool, offset: int) -> _dt.date | None:
    """An ``until`` after ``day`` from a step's drafted choices (``offset`` in 1.._MAX_UNTIL), or None."""
    room = (env.max_date - day).days
    if room < 1 or not wanted:
        return None
    return day + _dt.timedelta(days=1 + (offset - 1) % min(room, _MAX_UNTIL))




_PROGRAMS = st.one_of(st.none(), st.sampled_from(("BELARUS-EO14038", "BELARUS-EO14038-2", "EU-2021/1030")))
_NOTES = st.one_of(st.none(), text(20))
_SCOPES = st.one_of(st.none(), st.builds(Scope, authorises=st.one_of(st.none(), text(30)),
                                         excludes=st.lists(text(), max_size=2).map(tuple)))
_CONDITIONS = st.lists(text(20), max_size=1).map(tuple)


_ORDER = {a: n for n, a in enumerate(LEGAL_FROM)}
_ACTION_INDEX = st.integers(0, len(LEGAL_FROM) - 1)
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
def _step_drafts(env: Env, with_windows: bool) -> st.SearchStrategy[_StepDraft]:
    @st.composite
    def draw_draft(draw: Draw) -> _StepDraft:
        place = draw(_ACTION_INDEX)
        until_wanted, until_offset = draw(st.booleans()), draw(ints(1, _MAX_UNTIL))
        revoke_all, relief_index = draw(st.booleans()), draw(_INDEX)
        program = draw(_PROGRAMS)
        targets = draw(some(env.target_ids)) if env.target_ids and draw(st.booleans()) else None
        # only a relieve uses these, and only place 2 can choose a relieve (see _choose_action): the shape of
        # a draft depends on its own choices, never on the walk's status
        scope, conditions = (draw(_SCOPES), draw(_CONDITIONS)) if place == _ORDER[Action.RELIEVE] else (None, ())
        instrument = draw(_INDEX) if env.instrument_ids and draw(st.booleans()) else None
        window = (draw(ints(0, 40)), draw(ints(0, 40))) if with_windows and draw(st.booleans()) else None
        published = draw(ints(0, 30)) if draw(st.booleans()) else None
        return _StepDraft(place, until_wanted, until_offset, revoke_all, relief_index, program, targets, scope,
                          conditions, instrument, window, published, draw(CONFIDENCE), draw_sources(draw, env),
                          draw(_NOTES))

    return draw_draft()


def _interpret(d: _StepDraft, w: Walker, tid: str, mid: str, day: _dt.date, recorded: _dt.date,
               env: Env) -> Transition:
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


def draw_step(draw: Draw, w: Walker, tid: str, mid: str, day: _dt.date, recorded: _dt.date,
              env: Env, with_windows: bool) -> Transition:
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
def _drafts(env: Env, with_pending: bool, with_windows: bool, recorded_lag: int) -> st.SearchStrategy[_Draft]:
    lag = ints(0, recorded_lag) if recorded_lag else st.just(0)
    if with_pending:
        announce = st.tuples(ints(0, 3).map(lambda n: n == 3), ints(0, MAX_GAP), some(env.source_ids, 1))
    else:
        announce = st.just((False, 0, ()))
    return st.builds(lambda gap, lag, a, step: _Draft(gap, lag, a[0], a[1], a[2], step),
                     ints(0, MAX_GAP), lag, announce, _step_drafts(env, with_windows))


STOP = st.integers(0, 3)


def stop(draw: Draw) -> bool:
    """One more measure (in a registry)? A history counts its steps first instead."""
    return bool(draw(STOP) == 0)


def walk(draw: Draw, mid: str, env: Env, *, min_size: int, max_size: int, with_corrections: bool,
         with_pending: bool, with_windows: bool, recorded_lag: int) -> list[Transition]:
    """A legal history of one measure, in registry order.

    The number of steps is drawn first, then one draft per step (see
    :class:`_StepDraft`), each interpreted in turn by a :class:`Walker`: a
    draft becomes a legal step whatever came before it, so the shrinker can
    delete any step cleanly.
    """
    w = Walker()
    out: list[Transition] = []
    day = draw(dates(env.min_date, env.max_date))
    last_recorded = env.min_date
    # the number of steps first, then each step's draft (one span each): when the shrinker lowers the
    # number, it tries deleting each span after it, so any one step can go, not only the last
    n = draw(ints(min_size, max_size))
    drafts = _drafts(env, with_pending, with_windows, recorded_lag)
    for i in range(n):
        d = draw(drafts)
        if i:
            room = (env.max_date - day).days
            day = day + _dt.timedelta(days=d.gap % (min(room, MAX_GAP) + 1))
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
        a_day = draw(dates(env.min_date, env.max_date))
        out.append(Transition(id=f"{mid}.pending", measure=mid,
                              action=draw(st.sampled_from((Action.LIFT, Action.RELIEVE, Action.SUSPEND))),
                              announced=a_day, recorded=a_day, confidence=Confidence.REPORTED,
                              sources=draw_sources(draw, env)))
    if with_corrections:
        for k in range(draw(ints(0, 2))):
            corrected = {t.corrects for t in out if t.corrects}
            # any record not yet corrected (a `relief:` naming a corrected relieve follows the correction)
            choices = [t for t in out if t.id not in corrected]
            if not choices:
                break
            old = pick(draw, choices)
            delay = draw(ints(0, 400))
            recorded = min(env.max_date, old.recorded + _dt.timedelta(days=delay))
            fix = attrs.evolve(old, id=f"{old.id}.c{k}", recorded=max(recorded, old.recorded), corrects=old.id,
                               confidence=draw(CONFIDENCE), sources=draw_sources(draw, env),
                               note=f"corrects {old.id}")
            out.insert(out.index(old) + 1, fix)  # same place in the registry order
    return out


def histories(*, measure: str = "m1", min_size: int = 1, max_size: int = 8, min_date: _dt.date = MIN_DATE,
              max_date: _dt.date = MAX_DATE, source_ids: Sequence[str] = ("S1",),
              instrument_ids: Sequence[str] = (), target_ids: Sequence[str] = (),
              with_corrections: bool = False, with_pending: bool = False, with_windows: bool = False,
              recorded_lag: int = 0) -> st.SearchStrategy[tuple[Transition, ...]]:
    """A legal sequence of transitions of one measure, in registry order.

    Drawn as a walk through the state-machine table (:data:`sanctrack.TABLE`, as
    read by the reference rules): the first step is an
    ``impose``; each next step is chosen among the actions legal from the
    simulated status on its date (lapses of ``until`` dates simulated), dates
    never go back. ``min_size``/``max_size`` count the steps (announcements
    and corrections come on top). With the defaults every record is recorded on
    its effective date. A step's choices are drawn before its status is known
    (the same choices whatever came before), so shrinking can delete any step.
    """
    check_bounds(min_date, max_date)
    if not 1 <= min_size <= max_size:
        raise ValueError(f"need 1 <= min_size <= max_size, got {min_size}, {max_size}")
    env = Env(tuple(source_ids), tuple(instrument_ids), tuple(target_ids), min_date, max_date)

    @st.composite
    def draw_history(draw: Draw) -> tuple[Transition, ...]:
        return tuple(walk(draw, measure, env, min_size=min_size, max_size=max_size,
                          with_corrections=with_corrections, with_pending=with_pending,
                          with_windows=with_windows, recorded_lag=recorded_lag))

    return draw_history()


def transitions(*, measure: str = "m1", **options: Any) -> st.SearchStrategy[Transition]:
    """One transition that is legal in its history (drawn from :func:`histories` with the same options)."""
    return histories(measure=measure, **options).flatmap(st.sampled_from)
