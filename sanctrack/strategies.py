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

The reference oracle
--------------------

* :func:`reference_state` — what a measure was on a day (or at an instant, given
  its authority's ``timezone=``), as known on a date, replayed naively from its
  records with its own reading of the rules (it shares no code with the query
  engine: no table, no index, no cache); an :class:`Answer` of plain values.
* :func:`reference_in_force` — the ids of the measures in force on a day (by
  authority, then id; ``target=`` an entity id), each asked of
  :func:`reference_state`.
* :func:`answer_of` — the same :class:`Answer` part of a
  :class:`sanctrack.MeasureState`, so the two compare with ``==``::

      from sanctrack.strategies import answer_of, reference_state

      m = reg.measure("m1")
      assert answer_of(reg.state("m1", on, known=y)) == reference_state(m, reg.transitions, on, y)

  sanctrack's own property tests check every query path against it; use it
  the same way to check a system that answers the same questions.

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
    import hypothesis as _hypothesis  # noqa: F401  (the helpers below need it)
except ImportError as _exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "sanctrack.strategies needs hypothesis, which is not installed: "
        "pip install 'sanctrack[strategies]'"
    ) from _exc

from ._strategies_base import MAX_DATE, MIN_DATE
from ._strategies_history import histories, transitions
from ._strategies_machine import RegistryMachine, machine_settings
from ._strategies_oracle import Answer, answer_of, reference_in_force, reference_state
from ._strategies_records import (
    authorities,
    entities,
    instruments,
    measures,
    releases,
    sources,
)
from ._strategies_registries import (
    boundary_dates,
    query_dates,
    registries,
    registry_records,
)

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
    "Answer",
    "answer_of",
    "reference_state",
    "reference_in_force",
]
